import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureConsoleBuilt } from '../test/helpers/console-build.js';
import { freePort } from '../test/helpers/process.js';
import { startTwilioMessagesApi, type TwilioMessagesApi } from '../test/helpers/twilio-messages.js';
import { laterScenarios } from './later-scenarios.js';
import { haproxyInstalled, startHaproxy } from './lib/balancer.js';
import { BENCH_SECRETS, type BenchServer, type CpuUse, type Pids, ROOT, startServer } from './lib/server.js';
import { BENCH_ACCOUNT_SID, type Engine, type Row, runScenarios, type Settings } from './scenarios.js';

/**
 * `npm run bench [-- --quick] [--engine=postgres|pglite] [--build | --no-build] [--profile]
 *   [--only=inbound,sms,broadcast,ivr,create,list,report,dni,webhooks,console,search,analysis,builder] [--server-env=KEY=VALUE ...] [--db-setting=KEY=VALUE ...]
 *   [--processes=N] [--out=results.json]`
 *
 * Builds, then for each engine starts `node dist/cli.js serve` on a database of its own (a new
 * PostgreSQL database that is dropped afterwards, or PGlite in a temporary DATA_DIR), drives it
 * with autocannon from this process, prints one table and writes bench/results.json.
 *
 * The broadcast scenario (1c) needs a carrier: with it, each engine's servers are started against
 * a local server speaking Twilio's Messages API (TWILIO_API_BASE_URL, TWILIO_ACCOUNT_SID).
 *
 * --processes=N (PostgreSQL): N server processes on the one database behind HAProxy (round robin,
 * no sticky sessions), every request of every scenario and baseline through it; CPU and memory
 * are the N processes' together.
 */
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const profile = args.has('--profile');
const engineArg = [...args].find((a) => a.startsWith('--engine='))?.slice('--engine='.length);
/** Every `--flag=KEY=VALUE` given, as an object. */
const pairsOf = (flag: string): Record<string, string> =>
  Object.fromEntries(
    process.argv
      .slice(2)
      .filter((a) => a.startsWith(`${flag}=`))
      .map((a) => {
        const pair = a.slice(flag.length + 1);
        const at = pair.indexOf('=');
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
  );
/** --server-env=KEY=VALUE (repeatable): configuration experiments, e.g. JOBS_CONCURRENCY=16 */
const serverEnv = pairsOf('--server-env');
/**
 * --db-setting=KEY=VALUE (repeatable, PostgreSQL): `alter database ... set` on the benchmark
 * database before the server connects, e.g. to log slow plans:
 * --db-setting=session_preload_libraries=auto_explain --db-setting=auto_explain.log_min_duration=30ms
 */
const dbSettings = pairsOf('--db-setting');
const outArg = [...args].find((a) => a.startsWith('--out='))?.slice('--out='.length);
const onlyArg = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg ? new Set(onlyArg.split(',')) : undefined;
const wants = (scenario: string) => !only || only.has(scenario);
const processesArg = [...args].find((a) => a.startsWith('--processes='))?.slice('--processes='.length);
const processes = processesArg === undefined ? 1 : Number(processesArg);
if (!Number.isInteger(processes) || processes < 1 || processes > 8)
  throw new Error('--processes is a whole number from 1 to 8');
const engines: Engine[] = engineArg
  ? [engineArg as Engine]
  : processes > 1
    ? ['postgres']
    : ['postgres', 'pglite'];
if (processes > 1 && engines.includes('pglite'))
  throw new Error('--processes needs PostgreSQL: PGlite is one process by construction (docs/scaling.md)');
if (processes > 1 && !haproxyInstalled())
  throw new Error('--processes runs the servers behind HAProxy: install it first (apt-get install haproxy)');
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const SETTINGS: Record<'full' | 'quick', Record<Engine, Settings>> = {
  full: {
    postgres: {
      duration: 10,
      warmup: 2,
      ivrCalls: 30_000,
      createRequests: { one: 3_000, hundred: 100 },
      listCalls: 1_000_000,
      webhookCalls: 2_000,
      analysisCalls: 10_000,
      dniVisitors: 10_000,
      broadcastContacts: 10_000,
    },
    pglite: {
      duration: 10,
      warmup: 2,
      ivrCalls: 10_000,
      createRequests: { one: 1_000, hundred: 30 },
      listCalls: 100_000,
      webhookCalls: 500,
      analysisCalls: 2_000,
      dniVisitors: 10_000,
      broadcastContacts: 10_000,
    },
  },
  quick: {
    postgres: {
      duration: 1,
      warmup: 0,
      ivrCalls: 500,
      createRequests: { one: 100, hundred: 5 },
      listCalls: 20_000,
      webhookCalls: 100,
      analysisCalls: 500,
      dniVisitors: 500,
      broadcastContacts: 2_000,
    },
    pglite: {
      duration: 1,
      warmup: 0,
      ivrCalls: 200,
      createRequests: { one: 50, hundred: 3 },
      listCalls: 10_000,
      webhookCalls: 50,
      analysisCalls: 200,
      dniVisitors: 200,
      broadcastContacts: 2_000,
    },
  },
};

const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** `npm run build` unless dist/ is newer than every source file. */
function build() {
  const cli = path.join(ROOT, 'dist/cli.js');
  if (
    !args.has('--build') &&
    existsSync(cli) &&
    statSync(cli).mtimeMs > newestMtime(path.join(ROOT, 'src'))
  ) {
    log('dist/ is up to date');
    return;
  }
  log('building (npm run build)');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    if (!existsSync(cli)) throw new Error('build failed');
    log('tsc reported errors; running the JavaScript it emitted anyway');
  }
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

interface Prepared {
  engine: Engine;
  /** where the scenarios send their requests: the server, or the load balancer before them */
  base: string;
  pids: Pids;
  /** the fake carrier the servers send texts to (broadcast scenario) */
  carrier: TwilioMessagesApi | undefined;
  cleanup: () => Promise<void>;
}

/** A database of its own and a server on it; cleanup stops the server and removes both. */
async function prepareEngine(engine: Engine, runId: string): Promise<Prepared> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `switchboard-bench-${engine}-`));
  const database = `sb_bench_${runId}`;
  const carrier = wants('broadcast')
    ? await startTwilioMessagesApi({ accountSid: BENCH_ACCOUNT_SID, authToken: BENCH_SECRETS.carrierToken })
    : undefined;
  const carrierEnv: Record<string, string> = carrier
    ? { TWILIO_API_BASE_URL: carrier.baseUrl, TWILIO_ACCOUNT_SID: BENCH_ACCOUNT_SID }
    : {};
  const remove = async () => {
    await carrier?.close();
    if (engine === 'postgres')
      await admin((c) => c.query(`drop database if exists ${database} with (force)`)).catch((error) =>
        log(`could not drop ${database}: ${String(error)}`),
      );
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    if (engine === 'postgres')
      await admin(async (c) => {
        await c.query(`create database ${database}`);
        for (const [key, value] of Object.entries(dbSettings)) {
          if (!/^[a-z_][a-z0-9_.]*$/i.test(key)) throw new Error(`not a setting name: ${key}`);
          await c.query(`alter database ${database} set ${key} = ${c.escapeLiteral(value)}`);
        }
      });
    const balancerPort = processes > 1 ? await freePort() : undefined;
    const balancerBase = balancerPort === undefined ? undefined : `http://127.0.0.1:${balancerPort}`;
    log(`${engine}: starting node dist/cli.js serve${processes > 1 ? ` x${processes} behind HAProxy` : ''}`);
    // several processes start at once, as a deployment's do (migrations and the seed are guarded)
    const started = await Promise.allSettled(
      Array.from({ length: processes }, () =>
        startServer({
          dataDir,
          // behind the balancer every process signs and links with the balancer's address
          env: { ...carrierEnv, ...serverEnv, ...(balancerBase ? { PUBLIC_BASE_URL: balancerBase } : {}) },
          ...(engine === 'postgres' ? { databaseUrl: withDatabase(POSTGRES_URL, database) } : {}),
          ...(profile
            ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench/profiles')}`] }
            : {}),
        }),
      ),
    );
    const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const stopServers = async () => {
      for (const server of servers) {
        const code = await server.stop();
        if (code !== 0) log(`${engine}: server exited with ${code}:\n${server.output()}`);
      }
    };
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await stopServers();
      throw (failed as PromiseRejectedResult).reason;
    }
    const balancer =
      balancerPort === undefined
        ? undefined
        : await startHaproxy(
            balancerPort,
            servers.map((server) => server.base),
          ).catch(async (error: unknown) => {
            await stopServers();
            throw error;
          });
    const first = servers[0] as BenchServer;
    return {
      engine,
      base: balancer?.base ?? first.base,
      pids: balancer ? servers.map((server) => server.pid) : first.pid,
      carrier,
      async cleanup() {
        await balancer?.stop();
        await stopServers();
        await remove();
      },
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

async function runEngine(prepared: Prepared, settings: Settings, runId: string): Promise<Row[]> {
  const { engine } = prepared;
  const ctx = {
    engine,
    base: prepared.base,
    pid: prepared.pids,
    settings,
    runId,
    wants,
    carrier: prepared.carrier,
    log: (line: string) => log(`${engine}: ${line}`),
  };
  const load = os.loadavg()[0] ?? 0;
  if (load > os.cpus().length) log(`${engine}: load average ${load.toFixed(1)}: the figures will be noisy`);
  return runScenarios(ctx, laterScenarios);
}

/** The engine column: `postgres x3` for three processes behind the balancer. */
const engineLabel = (engine: Engine) => (processes > 1 ? `${engine} x${processes}` : engine);

const fmt = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value)
    ? '-'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** CPU per item as "server + database" milliseconds (PGlite's database is the server process). */
const cpuCell = (cpu: CpuUse | undefined) =>
  cpu === undefined
    ? ''
    : cpu.database > 0
      ? `${fmt(cpu.server, 2)} + ${fmt(cpu.database, 2)}`
      : fmt(cpu.server, 2);

function table(rows: Row[]): string {
  const header = [
    'scenario',
    'engine',
    'conn',
    'req/s',
    'items/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'peak RSS MiB',
    'CPU ms/item',
    'errors',
    'baseline',
    'base items/s',
    'base p50',
    'base p99',
    'base CPU ms/item',
    'ratio',
    'goal',
  ];
  const body = rows.map((r) => [
    r.scenario,
    engineLabel(r.engine),
    String(r.result.connections),
    fmt(r.result.requestsPerS),
    `${fmt(r.result.itemsPerS)} ${r.unit}`,
    fmt(r.result.p50Ms, 2),
    fmt(r.result.p95Ms, 2),
    fmt(r.result.p99Ms, 2),
    fmt(r.result.peakRssMiB),
    cpuCell(r.result.cpuMsPerItem),
    fmt(r.result.errors),
    r.baseline?.name ?? '',
    fmt(r.baseline?.result.itemsPerS),
    fmt(r.baseline?.result.p50Ms, 2),
    fmt(r.baseline?.result.p99Ms, 2),
    cpuCell(r.baseline?.result.cpuMsPerItem),
    fmt(r.ratio, 2),
    r.goal
      ? `${r.goal}: ${r.engine === 'postgres' ? (r.met ? 'met' : 'MISSED') : 'n/a (PostgreSQL goal)'}`
      : '',
  ]);
  const lines = [header, ...body].map((cells) => `| ${cells.join(' | ')} |`);
  lines.splice(1, 0, `|${header.map(() => '---').join('|')}|`);
  return lines.join('\n');
}

const cpuJson = (cpu: CpuUse) => ({ server: round(cpu.server, 3), database: round(cpu.database, 3) });

async function machine() {
  const pglite = JSON.parse(
    readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
  ) as { version: string };
  const postgres = engines.includes('postgres')
    ? await admin(
        async (c) =>
          (await c.query<{ v: string }>('select current_setting($1) as v', ['server_version'])).rows[0]?.v,
      )
    : undefined;
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgresql: postgres,
    pglite: pglite.version,
  };
}

async function main() {
  const started = Date.now();
  build();
  // the console the server serves (scenario 7): built before the servers start, which list its files
  await ensureConsoleBuilt();
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const rows: Row[] = [];
  // Servers start together (start-up is mostly migrations); the measurements run one at a time,
  // while the other server sits idle.
  const starts = await Promise.allSettled(engines.map((engine) => prepareEngine(engine, runId)));
  const prepared = starts.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stopAll = () => Promise.all(prepared.map((p) => p.cleanup()));
  const onSignal = () => {
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const failed = starts.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    for (const p of prepared)
      rows.push(...(await runEngine(p, SETTINGS[quick ? 'quick' : 'full'][p.engine], runId)));
  } finally {
    await stopAll();
  }
  const seconds = (Date.now() - started) / 1000;
  const report = {
    generated_at: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    processes,
    server_env: serverEnv,
    db_settings: dbSettings,
    seconds: Math.round(seconds),
    machine: await machine(),
    settings: Object.fromEntries(engines.map((e) => [e, SETTINGS[quick ? 'quick' : 'full'][e]])),
    rows: rows.map((r) => ({
      scenario: r.scenario,
      engine: r.engine,
      processes,
      unit: r.unit,
      connections: r.result.connections,
      requests_per_s: round(r.result.requestsPerS),
      items_per_s: round(r.result.itemsPerS),
      p50_ms: round(r.result.p50Ms, 2),
      p95_ms: round(r.result.p95Ms, 2),
      p99_ms: round(r.result.p99Ms, 2),
      peak_rss_mib: round(r.result.peakRssMiB),
      cpu_ms_per_item: cpuJson(r.result.cpuMsPerItem),
      requests: r.result.requests,
      errors: r.result.errors,
      baseline: r.baseline
        ? {
            name: r.baseline.name,
            requests_per_s: round(r.baseline.result.requestsPerS),
            items_per_s: round(r.baseline.result.itemsPerS),
            p50_ms: round(r.baseline.result.p50Ms, 2),
            p95_ms: round(r.baseline.result.p95Ms, 2),
            p99_ms: round(r.baseline.result.p99Ms, 2),
            peak_rss_mib: round(r.baseline.result.peakRssMiB),
            cpu_ms_per_item: cpuJson(r.baseline.result.cpuMsPerItem),
          }
        : null,
      ratio: r.ratio === undefined ? null : round(r.ratio, 3),
      goal: r.goal ?? null,
      met: r.goal ? (r.met ?? false) : null,
      note: r.note ?? null,
    })),
  };
  const out = outArg ? path.resolve(outArg) : path.join(ROOT, 'bench/results.json');
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const notes = rows
    .filter((r) => r.note)
    .map((r) => `- ${r.scenario} (${engineLabel(r.engine)}): ${r.note}`);
  process.stdout.write(`\n${table(rows)}\n\n${notes.length ? `${notes.join('\n')}\n\n` : ''}`);
  log(`wrote ${path.relative(ROOT, out)} in ${Math.round(seconds)} s`);
}

function round(value: number | undefined, digits = 0): number | null {
  if (value === undefined || Number.isNaN(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

main().catch((error: unknown) => {
  log(String((error as Error)?.stack ?? error));
  process.exit(1);
});
