import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import cliProgress from 'cli-progress';
import { broadcastScenario } from './broadcast-scenario.js';
import { builderScenario } from './builder-scenario.js';
import { consoleScenario } from './console-scenario.js';
import { intelligenceScenarios } from './intelligence-scenario.js';
import { call, carrierPost } from './lib/api.js';
import { cpuPerItem, measure } from './lib/load.js';
import { fixtureNumber, seedFlow } from './lib/seed-flow.js';
import { cpuMeter, trackPeakRss } from './lib/server.js';
import { reportScenario } from './report-scenario.js';
import {
  type Baselines,
  BENCH_ACCOUNT_SID,
  type BenchContext,
  benchSid,
  CALLERS,
  COMPANY_GROUP,
  callerFor,
  createFlows,
  type Fixtures,
  fixtureNumbers,
  idsOf,
  type Row,
  ratioOf,
  sidPrefix,
  voiceParams,
} from './scenarios.js';

const AGENCY_GROUP = 1;
const LIST_GROUPS = 10;

export { RANGE as LIST_RANGE };

/** the stored calls span a year; the list asks for one month of one group */
const SPAN = { from: '2025-11-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };
const RANGE = { start: '2026-09-01T00:00:00Z', end: '2026-09-30T23:59:59Z' };

/** Scenarios 1c and 4-11: SMS broadcast, list calls over a large table, reports, DNI leasing, webhook delivery, console, transcript search and analysis, builder. */
export async function laterScenarios(
  ctx: BenchContext,
  fixtures: Fixtures,
  baselines: Baselines,
): Promise<Row[]> {
  const rows: Row[] = [];
  if (ctx.wants('broadcast')) rows.push(...(await broadcastScenario(ctx, fixtures.token, baselines)));
  if (ctx.wants('list')) rows.push(...(await listCalls(ctx, fixtures)));
  if (ctx.wants('report')) rows.push(...(await reportScenario(ctx, fixtures)));
  if (ctx.wants('dni')) rows.push(...(await dniAssignment(ctx, fixtures, baselines)));
  if (ctx.wants('webhooks')) rows.push(...(await webhookDelivery(ctx, fixtures, baselines)));
  if (ctx.wants('console'))
    rows.push(...(await consoleScenario(ctx, fixtures, await storeListCalls(ctx, fixtures))));
  rows.push(...(await intelligenceScenarios(ctx, fixtures)));
  if (ctx.wants('builder')) rows.push(...(await builderScenario(ctx, fixtures)));
  return rows;
}

/** The historical calls of the list and console scenarios: stored once per run and engine. */
const storedCalls = new Map<string, Promise<number[]>>();

/**
 * `settings.listCalls` calls over a year in LIST_GROUPS location groups below the company
 * (generate_series through the bench fixture route), then ANALYZE; answers the groups.
 */
export function storeListCalls(ctx: BenchContext, fixtures: Fixtures): Promise<number[]> {
  const key = `${ctx.runId}:${ctx.engine}`;
  let stored = storedCalls.get(key);
  if (!stored) {
    stored = storeCalls(ctx, fixtures);
    storedCalls.set(key, stored);
  }
  return stored;
}

async function storeCalls(ctx: BenchContext, fixtures: Fixtures): Promise<number[]> {
  const { base, engine, settings } = ctx;
  const total = settings.listCalls;
  const groups = idsOf(
    await call(base, 'POST', '/v2/group', {
      token: fixtures.token,
      body: Array.from({ length: LIST_GROUPS }, (_, i) => ({
        group_name: `Bench location ${i + 1}`,
        group_parent_id: COMPANY_GROUP,
      })),
    }),
  );
  ctx.log(`storing ${total.toLocaleString('en-US')} calls (generate_series)`);
  const bar = new cliProgress.SingleBar(
    { format: `  calls [{bar}] {percentage}% | {value}/{total} | {eta}s left`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  const chunk = engine === 'postgres' ? 50_000 : 10_000;
  for (let offset = 0; offset < total; offset += chunk) {
    const count = Math.min(chunk, total - offset);
    await call(base, 'POST', '/bench/fixtures/calls', {
      body: {
        prefix: `CA${ctx.runId}hist`,
        offset,
        count,
        total,
        ...SPAN,
        group_ids: groups,
        call_flow_id: fixtures.inboundFlowId,
        campaign_id: fixtures.campaignId,
        tracking_number: fixtures.inboundNumber,
      },
    });
    bar.update(offset + count);
  }
  bar.stop();
  await call(base, 'POST', '/bench/fixtures/analyze', { body: {} });
  return groups;
}

async function listCalls(ctx: BenchContext, fixtures: Fixtures): Promise<Row[]> {
  const { base, engine, settings } = ctx;
  const total = settings.listCalls;
  ctx.log('4. list calls');
  const groups = await storeListCalls(ctx, fixtures);
  const group = groups[3] as number;
  const filter = `group_id=${group},call_started>=${RANGE.start},call_started<=${RANGE.end}`;
  const apiPath = `/v2/call/list?limit=100&filter=${encodeURIComponent(filter)}`;
  const first = await call<{ data: unknown[] }>(base, 'GET', apiPath, { token: fixtures.token });
  if (first.data.length === 0) throw new Error('the list answered no calls');
  const sqlPath = `/bench/baseline/list-calls?scope_group_id=${AGENCY_GROUP}&group_id=${group}&start=${RANGE.start}&end=${RANGE.end}&limit=100`;
  const get = (path: string, token?: string) => ({
    method: 'GET',
    path,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
  const common = { base, pid: ctx.pid, duration: settings.duration, connections: 8 };
  if (settings.warmup > 0) await measure({ ...common, duration: settings.warmup, request: get(sqlPath) });
  const sql = await measure({ ...common, request: get(sqlPath) });
  if (settings.warmup > 0)
    await measure({ ...common, duration: settings.warmup, request: get(apiPath, fixtures.token) });
  const api = await measure({ ...common, request: get(apiPath, fixtures.token) });
  const label = `${(total / 1000).toLocaleString('en-US')}k calls`;
  return [
    { scenario: `baseline: list SQL alone (${label})`, engine, unit: 'pages', result: sql },
    {
      scenario: `4. list calls, group + month, 100/page (${label})`,
      engine,
      unit: 'pages',
      result: api,
      baseline: { name: 'SQL alone', result: sql },
      ratio: sql.itemsPerS > 0 ? api.itemsPerS / sql.itemsPerS : undefined,
      goal: 'p50 <= 25 ms, p99 <= 100 ms @1M',
      met: api.p50Ms <= 25 && api.p99Ms <= 100 && total >= 1_000_000,
    },
  ];
}

async function dniAssignment(ctx: BenchContext, fixtures: Fixtures, baselines: Baselines): Promise<Row[]> {
  const { base, engine } = ctx;
  const visitors = ctx.settings.dniVisitors;
  const poolSize = 100;
  ctx.log(`5. DNI: ${visitors.toLocaleString('en-US')} visitors over a ${poolSize}-number pool`);
  await fixtureNumbers(base, '415', 0, poolSize);
  const { number: _none, ...flow } = seedFlow({
    groupId: COMPANY_GROUP,
    campaignId: fixtures.campaignId,
    locationId: fixtures.locationId,
    number: '',
  });
  const created = await createFlows(base, fixtures.token, [
    {
      ...flow,
      call_flow_name: 'Website pool',
      number_pool: {
        pool_name: 'Website',
        keep_alive_minutes: 60,
        number_quantity: poolSize,
        npa: 415,
        nxx: 200,
      },
    },
  ]);
  const callFlowId = Number(created[0]?.data);
  const setting = await call<{ data: { result: string }[] }>(base, 'POST', '/v2/callflow/dni', {
    token: fixtures.token,
    body: [
      {
        group_id: COMPANY_GROUP,
        call_flow_id: callFlowId,
        dni_type: 'session',
        dni_element: 'dni_element',
        destination_url: '*.*',
        referrer: '*.*',
        custom_cookie: '',
        TTL: 60,
      },
    ],
  });
  if (setting.data[0]?.result !== 'success')
    throw new Error(`DNI setting refused: ${JSON.stringify(setting)}`);
  const snippet = await call<{ data: Record<string, string>[] }>(
    base,
    'GET',
    `/v2/group/dnisnippet?id=${COMPANY_GROUP}`,
    { token: fixtures.token },
  );
  const code = /getDNIRecord\('([^']+)'/.exec(Object.values(snippet.data[0] ?? {})[0] ?? '')?.[1];
  if (!code) throw new Error('no DNI code in the snippet');

  const visitBody = (visitorId: string) =>
    JSON.stringify({
      code,
      visitor: visitorId,
      page: 'https://www.example.com/offers?utm_source=bench&utm_medium=cpc',
      referrer: 'https://www.google.com/',
    });
  const probe = await fetch(`${base}/dni/v1/number`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: visitBody(`v${ctx.runId}probe`),
  });
  const probeText = await probe.text();
  if (probe.status !== 200 || (JSON.parse(probeText) as { number: unknown }).number === null)
    throw new Error(`DNI gave the first visitor no number: ${probe.status} ${probeText}`);

  // The floor in the same conditions: a route that writes one row per request, 64 at once.
  const insert = await baselines.insert();
  // Every exclusive (not shared) answer must name a number no other visitor was given.
  const exclusive = new Map<string, number>();
  let shared = 0;
  let none = 0;
  let visitor = 0;
  const result = await measure({
    base,
    pid: ctx.pid,
    duration: ctx.settings.duration,
    amount: visitors,
    connections: 64,
    failedItems: (text) => {
      const answer = JSON.parse(text) as { number: string | null; shared?: boolean };
      if (answer.number === null) none++;
      else if (answer.shared) shared++;
      else exclusive.set(answer.number, (exclusive.get(answer.number) ?? 0) + 1);
      return 0;
    },
    request: {
      setupRequest: (request) => ({
        ...request,
        method: 'POST',
        path: '/dni/v1/number',
        headers: { 'content-type': 'text/plain' },
        body: visitBody(`v${ctx.runId}x${visitor++}`),
      }),
    },
  });
  const twice = [...exclusive.values()].filter((n) => n > 1).length;
  return [
    {
      scenario: `5. DNI: ${visitors.toLocaleString('en-US')} visitors, ${poolSize}-number pool`,
      engine,
      unit: 'visitors',
      result: { ...result, errors: result.errors + twice },
      baseline: { name: 'one INSERT', result: insert },
      ratio: ratioOf(result.itemsPerS, insert.itemsPerS),
      goal: '>= 2,000/s, no number leased twice',
      met: result.itemsPerS >= 2000 && twice === 0,
      note: `${exclusive.size} numbers leased exclusively, ${twice} of them twice; ${shared} shared answers; ${none} without a number`,
    },
  ];
}

/** A local webhook target: counts each event once by its event id, and each call's deliveries. */
async function startReceiver() {
  const eventIds = new Set<string>();
  const calls = new Map<number, number>();
  let received = 0;
  let last = 0;
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received++;
      last = Date.now();
      const eventId = String(request.headers['x-switchboard-event-id'] ?? '');
      eventIds.add(eventId);
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: { call_id?: number } };
        const callId = Number(body.data?.call_id);
        calls.set(callId, (calls.get(callId) ?? 0) + 1);
      } catch {
        // counted as received; a body we cannot read shows up as a missing call
      }
      response.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    stats: () => ({ received, unique: eventIds.size, calls, last }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function webhookDelivery(ctx: BenchContext, fixtures: Fixtures, baselines: Baselines): Promise<Row[]> {
  const { base, engine } = ctx;
  const total = ctx.settings.webhookCalls;
  ctx.log(`6. webhooks: ${total.toLocaleString('en-US')} completed calls, post-call deliveries`);
  const receiver = await startReceiver();
  try {
    const webhook = await call<{ data: { insertId: number } }>(base, 'POST', '/v2/webhook', {
      token: fixtures.token,
      body: {
        org_unit_id: COMPANY_GROUP,
        webhook_Name: 'Bench receiver',
        webhook_Endpoint: receiver.url,
        events: ['call.completed'],
      },
    });
    const webhookId = webhook.data.insertId;
    await fixtureNumbers(base, '312', 100, 1);
    const number = fixtureNumber('312', 100);
    await createFlows(base, fixtures.token, [
      {
        ...seedFlow({
          groupId: COMPANY_GROUP,
          campaignId: fixtures.campaignId,
          locationId: fixtures.locationId,
          number,
        }),
        call_flow_name: 'Webhook line',
        webhook_enabled: true,
        webhook_id: webhookId,
      },
    ]);

    // The calls start first (not timed); then every call is closed by its final status callback,
    // and the clock runs from the first of those to the last delivery at the receiver.
    const sids = Array.from({ length: total }, (_, i) => benchSid(sidPrefix(ctx.runId, 'wh'), i));
    await inParallel(sids, 32, (sid, i) =>
      carrierPost(`${base}/telephony/twilio/voice`, voiceParams(sid, number, CALLERS.webhooks + i)),
    );
    // The floor in the same conditions: a route that writes one row per request, 64 at once.
    const insert = await baselines.insert();
    const rss = trackPeakRss(ctx.pid);
    const cpu = cpuMeter(ctx.pid);
    const ownCpu = process.cpuUsage();
    ctx.log(`6. webhooks: closing the ${total.toLocaleString('en-US')} calls (timed)`);
    const started = Date.now();
    await inParallel(sids, 32, (sid) =>
      carrierPost(`${base}/telephony/twilio/status`, {
        CallSid: sid,
        AccountSid: BENCH_ACCOUNT_SID,
        CallStatus: 'completed',
        CallDuration: '42',
        From: callerFor(CALLERS.webhooks),
        To: `+1${number}`,
      }),
    );
    const statusDone = Date.now();
    const deadline = Date.now() + Math.max(120_000, total * 50); // 20/s at the least
    while (receiver.stats().unique < total && Date.now() < deadline) await sleep(50);
    await sleep(200); // late duplicates, if any
    const stats = receiver.stats();
    const peakRssMiB = rss.stop();
    const cpuUse = cpu.stop();
    const own = process.cpuUsage(ownCpu);
    const seconds = ((stats.last || Date.now()) - started) / 1000;
    const delivered = [...stats.calls.values()].filter((n) => n >= 1).length;
    const lost = total - delivered;
    const duplicates = stats.received - stats.unique;
    const rate = stats.unique / seconds;
    return [
      {
        scenario: `6. webhooks: post-call deliveries (${total.toLocaleString('en-US')} calls)`,
        engine,
        unit: 'deliveries',
        result: {
          requestsPerS: rate,
          itemsPerS: rate,
          p50Ms: Number.NaN,
          p99Ms: Number.NaN,
          requests: stats.received,
          errors: lost,
          durationS: seconds,
          peakRssMiB,
          connections: 32,
          cpuMsPerItem: cpuPerItem(cpuUse, stats.unique),
        },
        baseline: { name: 'one INSERT', result: insert },
        ratio: ratioOf(rate, insert.itemsPerS),
        goal: '>= 500/s, none lost',
        met: rate >= 500 && lost === 0,
        note: `${delivered}/${total} calls delivered, ${lost} not delivered by the end of the wait (${Math.round(Math.max(120_000, total * 50) / 1000)} s), ${duplicates} duplicate deliveries; status callbacks took ${((statusDone - started) / 1000).toFixed(1)} s; the bench process (status callbacks and receiver) used ${((own.user + own.system) / 1000 / Math.max(1, stats.unique)).toFixed(2)} ms of CPU per delivery on the same cores`,
      },
    ];
  } finally {
    await receiver.close();
  }
}

async function inParallel<T>(
  items: readonly T[],
  width: number,
  fn: (item: T, index: number) => Promise<unknown>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(items[index] as T, index);
      }
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
