import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/process.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Fixed secrets of the throwaway databases the bench creates: nothing else uses them. */
export const BENCH_SECRETS = {
  adminEmail: 'admin@example.com',
  adminPassword: 'bench-admin-password',
  clientId: 'switchboard',
  clientSecret: 'bench-client-secret',
  carrierToken: 'bench-carrier-auth-token',
};

const SERVE_ENTRY = fileURLToPath(new URL('./serve.ts', import.meta.url));

export interface BenchServer {
  base: string;
  pid: number;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<number | null>;
}

/**
 * The built server (dist/) as `switchboard serve` runs it, in its own process, with the bench
 * routes registered on it by serve.ts. Resolves when /ready answers 200.
 */
export async function startServer(options: {
  dataDir: string;
  databaseUrl?: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
}): Promise<BenchServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', SERVE_ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DATA_DIR: options.dataDir,
      LOG_LEVEL: 'warn',
      SWITCHBOARD_ADMIN_EMAIL: BENCH_SECRETS.adminEmail,
      SWITCHBOARD_ADMIN_PASSWORD: BENCH_SECRETS.adminPassword,
      SWITCHBOARD_OAUTH_CLIENT_ID: BENCH_SECRETS.clientId,
      SWITCHBOARD_OAUTH_CLIENT_SECRET: BENCH_SECRETS.clientSecret,
      TWILIO_AUTH_TOKEN: BENCH_SECRETS.carrierToken,
      OAUTH_RATE_LIMIT_PER_MINUTE: '100',
      // every simulated visitor comes from 127.0.0.1; the real limit is per client IP
      DNI_RATE_LIMIT_PER_MINUTE: '100000000',
      // the webhook receiver listens on 127.0.0.1
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + String(chunk)).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const started = Date.now();
  const server: BenchServer = {
    base,
    pid: child.pid as number,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const [code] = await exited;
      clearTimeout(timer);
      return code as number | null;
    },
  };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() - started > 120_000) {
      await server.stop();
      throw new Error(`server did not become ready:\n${output}`);
    }
    try {
      const response = await fetch(`${base}/ready`);
      if (response.status === 200) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const CLOCK_TICKS_PER_S = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in these

/** CPU seconds (user + system) a process has used so far, from /proc; undefined if unreadable. */
function cpuSeconds(pid: number): number | undefined {
  try {
    // the fields after the command name, which may hold spaces: utime and stime are 14 and 15
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/** The PostgreSQL backends serving a benchmark database (named sb_bench_*), by pid. */
function benchBackends(): Map<number, number> {
  const backends = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!command.startsWith('postgres:') || !command.includes(' sb_bench_')) continue;
      const seconds = cpuSeconds(Number(entry));
      if (seconds !== undefined) backends.set(Number(entry), seconds);
    } catch {
      // the process ended meanwhile
    }
  }
  return backends;
}

export interface CpuUse {
  /** CPU seconds of the server process */
  server: number;
  /** CPU seconds of the PostgreSQL backends of benchmark databases (0 with PGlite: in-process) */
  database: number;
}

/** One server process, or several behind a load balancer (`--processes`): counted together. */
export type Pids = number | readonly number[];

const pidList = (pids: Pids): readonly number[] => (typeof pids === 'number' ? [pids] : pids);

/**
 * Counts the CPU time the server process (or processes) and the benchmark database's backends use until
 * stopped. Unlike throughput, CPU time per request hardly moves when other work shares the
 * cores, so it compares a scenario with its baseline on a busy machine too. A backend that ends
 * before `stop` is not counted (the server's pool keeps its connections).
 */
export function cpuMeter(pids: Pids): { stop: () => CpuUse } {
  const servers = pidList(pids);
  const serverSeconds = () => servers.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
  const server = serverSeconds();
  const backends = benchBackends();
  return {
    stop() {
      let database = 0;
      for (const [backend, seconds] of benchBackends()) database += seconds - (backends.get(backend) ?? 0);
      return { server: serverSeconds() - server, database };
    },
  };
}

/** Resident memory of a process in MiB (Linux /proc), or undefined where it cannot be read. */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kib ? Number(kib) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the processes' RSS (summed) every 50 ms until stopped; resolves the highest value seen. */
export function trackPeakRss(pids: Pids): { stop: () => number | undefined } {
  const total = () => {
    const each = pidList(pids).map(rssMiB);
    return each.some((value) => value === undefined)
      ? undefined
      : each.reduce<number>((sum, value) => sum + (value ?? 0), 0);
  };
  let peak = total();
  const sample = () => {
    const now = total();
    if (now !== undefined && (peak === undefined || now > peak)) peak = now;
  };
  const timer = setInterval(sample, 50);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
