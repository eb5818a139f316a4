import { createHash } from 'node:crypto';
import type { Request, RequestParams } from 'autocannon';
import type { TwilioMessagesApi } from '../test/helpers/twilio-messages.js';
import { adminToken, call, carrierPost, signedCarrierRequest } from './lib/api.js';
import { type Measurement, measure } from './lib/load.js';
import { fixtureNumber, seedFlow } from './lib/seed-flow.js';
import type { Pids } from './lib/server.js';

export type Engine = 'postgres' | 'pglite';

/** How long and how much: the full run, or a short version (--quick) that checks the harness. */
export interface Settings {
  /** seconds of load for duration-bound measurements */
  duration: number;
  /** seconds of load before a measurement, not counted */
  warmup: number;
  /** calls in progress prepared for the IVR-step scenario (one gather each) */
  ivrCalls: number;
  /** requests in each create-flows measurement, at 1 and at 100 flows per request */
  createRequests: { one: number; hundred: number };
  /** historical calls stored before listing */
  listCalls: number;
  /** website visitors asking the DNI endpoint for a number, all at once */
  dniVisitors: number;
  /** calls completed for the webhook scenario (one post-call delivery each) */
  webhookCalls: number;
  /** transcribed calls analysed (call.analyze) in the analysis scenario, and as many in its baseline */
  analysisCalls: number;
  /** contacts of the broadcast scenario's list (one text each) */
  broadcastContacts: number;
}

export interface Row {
  scenario: string;
  engine: Engine;
  /** what itemsPerS counts */
  unit: string;
  result: Measurement;
  baseline?: { name: string; result: Measurement };
  /** result / baseline, in the unit */
  ratio?: number;
  goal?: string;
  met?: boolean;
  note?: string;
}

export interface BenchContext {
  engine: Engine;
  base: string;
  /** the server process, or the processes behind the load balancer */
  pid: Pids;
  settings: Settings;
  /** distinguishes this run's CallSids */
  runId: string;
  /** whether a scenario (inbound, sms, broadcast, ivr, create, list, report, dni, webhooks, console, search, analysis, builder) is to run */
  wants: (scenario: string) => boolean;
  /** the local server speaking Twilio's Messages API the server sends texts to (broadcast) */
  carrier?: TwilioMessagesApi | undefined;
  log: (line: string) => void;
}

const CONNECTIONS = { carrier: 64, create: { one: 16, hundred: 4 }, list: 8 };
export const COMPANY_GROUP = 2;
export const ADMIN_USER = 1;
/** area codes the inventory fixtures use: each measurement its own block of numbers */
const NPA = { inbound: '312', createOne: '949', createHundred: '714', sqlOne: '619', sqlHundred: '858' };

export interface Fixtures {
  token: string;
  campaignId: number;
  locationId: number;
  inboundNumber: string;
  inboundFlowId: number;
}

/**
 * A distinct caller for every i below 64 million: the seed flow's spam filter blocks a caller who
 * calls the same number three times within an hour, so no two measured calls share one.
 */
export const callerFor = (i: number) => {
  const npa = ['212', '312', '415', '617', '713', '801', '949', '303'][i % 8];
  const rest = Math.floor(i / 8);
  return `+1${npa}${200 + (rest % 800)}${String(Math.floor(rest / 800) % 10_000).padStart(4, '0')}`;
};

/** Where each group of calls takes its callers from, so groups never share one. */
export const CALLERS = {
  baseline: 0,
  warmup: 10_000_000,
  measured: 20_000_000,
  single: 30_000_000,
  webhooks: 40_000_000,
};

/** The bench's carrier account: an AccountSid in Twilio's form, as the webhooks require. */
export const BENCH_ACCOUNT_SID = `AC${'0'.repeat(32)}`;

/**
 * CallSids in Twilio's form (CA and 32 hex digits), which the webhooks require: a 20-digit prefix
 * for a run and a tag, then the index as 12 decimal digits, so a prefix still finds its calls.
 */
export const sidPrefix = (runId: string, tag: string) =>
  `CA${createHash('sha256').update(`${runId}:${tag}`).digest('hex').slice(0, 20)}`;
export const benchSid = (prefix: string, i: number) => `${prefix}${String(i).padStart(12, '0')}`;

export function voiceParams(sid: string, to: string, i: number): Record<string, string> {
  return {
    CallSid: sid,
    AccountSid: BENCH_ACCOUNT_SID,
    From: callerFor(i),
    To: `+1${to}`,
    CallStatus: 'ringing',
    Direction: 'inbound',
    // attestation B, which the seed flow's spam filter weighs (A it never rejects): a first call passes
    StirVerstat: 'TN-Validation-Passed-B',
    ApiVersion: '2010-04-01',
  };
}

/** A request built afresh each time from a counter (autocannon keeps host and port). */
function counted(build: (i: number) => RequestParams): Request {
  let i = 0;
  return { setupRequest: (request) => ({ ...request, ...build(i++) }) };
}

async function prepare(ctx: BenchContext): Promise<Fixtures> {
  const { base } = ctx;
  const token = await adminToken(base);
  const campaign = await call<EntryResults>(base, 'POST', '/v2/campaign', {
    token,
    body: [
      {
        campaign_name: 'Benchmarks',
        campaign_start_date: '2026-01-01T00:00:00Z',
        campaign_owner_user_id: ADMIN_USER,
        group_id: COMPANY_GROUP,
      },
    ],
  });
  const location = await call<EntryResults>(base, 'POST', '/v2/misc/location', {
    token,
    body: [
      {
        location_name: 'Branches',
        org_unit_id: COMPANY_GROUP,
        branches: [
          { branch_name: 'Irvine', target_did: 9495550150, zip: '92618' },
          { branch_name: 'Salt Lake', target_did: 8015550150, zip: '84101' },
        ],
      },
    ],
  });
  const campaignId = firstId(campaign);
  const locationId = firstId(location);
  await fixtureNumbers(base, NPA.inbound, 0, 10);
  const inboundNumber = fixtureNumber(NPA.inbound, 0);
  const flows = await createFlows(base, token, [
    seedFlow({ groupId: COMPANY_GROUP, campaignId, locationId, number: inboundNumber }),
  ]);
  return { token, campaignId, locationId, inboundNumber, inboundFlowId: Number(flows[0]?.data) };
}

/** Per-entry results, bare or inside the V2 envelope (endpoints differ, as in V2). */
type EntryResults = { result: string; data: unknown }[] | { data: { result: string; data: unknown }[] };

/** The ids of every entry, in order; throws when one failed. */
export function idsOf(results: unknown): number[] {
  const entries = Array.isArray(results) ? results : (results as { data: unknown[] }).data;
  return (entries as { result: string; data: unknown }[]).map((entry) => {
    if (entry.result !== 'success') throw new Error(`not created: ${JSON.stringify(entry)}`);
    return Number(entry.data);
  });
}

function firstId(results: EntryResults): number {
  const entry = Array.isArray(results) ? results[0] : results.data[0];
  if (entry?.result !== 'success') throw new Error(`not created: ${JSON.stringify(results)}`);
  return Number(entry.data);
}

export async function createFlows(base: string, token: string, body: unknown[]) {
  const results = await call<{ result: string; data: string }[]>(base, 'POST', '/v2/callflow/multilevelivr', {
    token,
    body,
  });
  const failed = results.find((r) => r.result !== 'success');
  if (failed) throw new Error(`flow not created: ${JSON.stringify(failed)}`);
  return results;
}

export async function fixtureNumbers(base: string, npa: string, start: number, count: number) {
  await call(base, 'POST', '/bench/fixtures/numbers', { body: { npa, start, count } });
}

/** Runs a warm-up (not counted), then the measurement. */
async function warmAndMeasure(
  ctx: BenchContext,
  options: Omit<Parameters<typeof measure>[0], 'base' | 'pid' | 'duration'> & { duration?: number },
  warm: Request | undefined,
): Promise<Measurement> {
  const common = { base: ctx.base, pid: ctx.pid, duration: options.duration ?? ctx.settings.duration };
  if (warm && ctx.settings.warmup > 0)
    await measure({
      ...common,
      connections: options.connections,
      duration: ctx.settings.warmup,
      request: warm,
    });
  return measure({ ...common, ...options });
}

export const ratioOf = (value: number, baseline: number) => (baseline > 0 ? value / baseline : undefined);

/** Baselines a later scenario measures again right before itself, in the conditions it meets. */
export interface Baselines {
  /** the one-INSERT route at the carrier scenarios' connection count */
  insert: () => Promise<Measurement>;
}

export async function runScenarios(
  ctx: BenchContext,
  extra: (ctx: BenchContext, fixtures: Fixtures, baselines: Baselines) => Promise<Row[]>,
): Promise<Row[]> {
  const rows: Row[] = [];
  const { base, engine } = ctx;
  ctx.log('preparing fixtures');
  const fixtures = await prepare(ctx);
  const voiceUrl = `${base}/telephony/twilio/voice`;
  const carrierRequest = (path: string, tag: string, callers: number) =>
    counted((i) =>
      signedCarrierRequest(
        `${base}${path}`,
        voiceParams(benchSid(sidPrefix(ctx.runId, tag), i), fixtures.inboundNumber, callers + i),
      ),
    );

  ctx.log('baselines: constant TwiML, one INSERT');
  const twiml = await warmAndMeasure(
    ctx,
    {
      connections: CONNECTIONS.carrier,
      request: carrierRequest('/bench/baseline/twiml', 't', CALLERS.baseline),
    },
    carrierRequest('/bench/baseline/twiml', 'tw', CALLERS.baseline),
  );
  rows.push({ scenario: 'baseline: constant TwiML route', engine, unit: 'req', result: twiml });
  let insertRuns = 0;
  const measureInsert = () => {
    // every run its own CallSids: i, iw, then i1x, i1w, ... (an index is digits only)
    const tag = insertRuns === 0 ? 'i' : `i${insertRuns}x`;
    const warmTag = insertRuns === 0 ? 'iw' : `i${insertRuns}w`;
    insertRuns++;
    return warmAndMeasure(
      ctx,
      {
        connections: CONNECTIONS.carrier,
        request: carrierRequest('/bench/baseline/insert-call', tag, CALLERS.baseline),
      },
      carrierRequest('/bench/baseline/insert-call', warmTag, CALLERS.baseline),
    );
  };
  const insert = await measureInsert();
  rows.push({
    scenario: 'baseline: one INSERT of a call row',
    engine,
    unit: 'req',
    result: insert,
    baseline: { name: 'constant TwiML', result: twiml },
    ratio: ratioOf(insert.itemsPerS, twiml.itemsPerS),
  });

  if (ctx.wants('inbound')) {
    ctx.log('1. inbound call');
    const menu = await carrierPost(
      voiceUrl,
      voiceParams(benchSid(sidPrefix(ctx.runId, 'probe'), 0), fixtures.inboundNumber, CALLERS.single + 1),
    );
    if (!menu.includes('For sales press 1'))
      throw new Error(`the seed flow did not answer its menu: ${menu}`);
    const inbound = await warmAndMeasure(
      ctx,
      {
        connections: CONNECTIONS.carrier,
        request: carrierRequest('/telephony/twilio/voice', 'v', CALLERS.measured),
      },
      carrierRequest('/telephony/twilio/voice', 'vw', CALLERS.warmup),
    );
    const inboundRatio = ratioOf(inbound.itemsPerS, insert.itemsPerS);
    // every answered call was recorded (a request autocannon gave up on may have been, too)
    const recorded = await call<{ count: number }>(
      base,
      'GET',
      `/bench/fixtures/call-count?prefix=${sidPrefix(ctx.runId, 'v')}`,
    );
    if (recorded.count < inbound.requests)
      throw new Error(`${inbound.requests} calls answered but only ${recorded.count} recorded`);
    rows.push({
      scenario: '1. inbound call (signed voice webhook, 3-level IVR)',
      engine,
      unit: 'calls',
      result: inbound,
      baseline: { name: 'one INSERT', result: insert },
      ratio: inboundRatio,
      goal: '>= 0.6 x INSERT, p99 <= 15 ms @64',
      met: (inboundRatio ?? 0) >= 0.6 && inbound.p99Ms <= 15,
      note: `${recorded.count.toLocaleString('en-US')} calls recorded for ${inbound.requests.toLocaleString('en-US')} answered`,
    });
  }

  if (ctx.wants('sms')) {
    ctx.log('1b. inbound text');
    const smsUrl = `${base}/telephony/twilio/sms`;
    // a MessageSid is SM and 32 hex digits: the run's prefix without CA, then the index
    const smsRequest = (tag: string, callers: number) =>
      counted((i) =>
        signedCarrierRequest(smsUrl, {
          MessageSid: `SM${benchSid(sidPrefix(ctx.runId, tag), i).slice(2)}`,
          AccountSid: BENCH_ACCOUNT_SID,
          From: callerFor(callers + i),
          To: `+1${fixtures.inboundNumber}`,
          Body: 'Do you have openings this week?',
          NumMedia: '0',
          ApiVersion: '2010-04-01',
        }),
      );
    const texts = await warmAndMeasure(
      ctx,
      { connections: CONNECTIONS.carrier, request: smsRequest('s', CALLERS.measured) },
      smsRequest('sw', CALLERS.warmup),
    );
    const textsRatio = ratioOf(texts.itemsPerS, insert.itemsPerS);
    rows.push({
      scenario: '1b. inbound text (signed messaging webhook, conversation, attribution)',
      engine,
      unit: 'texts',
      result: texts,
      baseline: { name: 'one INSERT', result: insert },
      ratio: textsRatio,
      note: 'each text recorded once in its conversation, with its sms.received event job',
    });
  }

  if (ctx.wants('ivr')) {
    ctx.log(`2. IVR step (${ctx.settings.ivrCalls} calls in progress)`);
    const templateSid = benchSid(sidPrefix(ctx.runId, 'ivrtemplate'), 0);
    const menu = await carrierPost(
      voiceUrl,
      voiceParams(templateSid, fixtures.inboundNumber, CALLERS.single + 2),
    );
    if (!menu.includes('For sales press 1'))
      throw new Error(`the seed flow did not answer its menu: ${menu}`);
    const prefix = sidPrefix(ctx.runId, 'ivr');
    // copies 1..N are measured; copy N+1 checks first that key 2 answers the sub-menu
    await call(base, 'POST', '/bench/fixtures/clone-calls', {
      body: { sid: templateSid, prefix, count: ctx.settings.ivrCalls + 1 },
    });
    const probe = await carrierPost(`${base}/telephony/twilio/gather?s=1`, {
      CallSid: benchSid(prefix, ctx.settings.ivrCalls + 1),
      AccountSid: BENCH_ACCOUNT_SID,
      CallStatus: 'in-progress',
      Digits: '2',
      From: callerFor(CALLERS.single + 2),
      To: `+1${fixtures.inboundNumber}`,
    });
    if (!probe.includes('For repairs press 1')) throw new Error(`key 2 did not open the sub-menu: ${probe}`);
    const gatherUrl = `${base}/telephony/twilio/gather?s=1`;
    const ivr = await measure({
      base,
      pid: ctx.pid,
      duration: ctx.settings.duration,
      connections: CONNECTIONS.carrier,
      amount: ctx.settings.ivrCalls,
      request: counted((i) =>
        signedCarrierRequest(gatherUrl, {
          CallSid: benchSid(prefix, 1 + (i % ctx.settings.ivrCalls)),
          AccountSid: BENCH_ACCOUNT_SID,
          CallStatus: 'in-progress',
          Digits: '2',
          From: callerFor(CALLERS.single + 2),
          To: `+1${fixtures.inboundNumber}`,
        }),
      ),
    });
    rows.push({
      scenario: '2. IVR step (gather: key 2 -> next menu)',
      engine,
      unit: 'steps',
      result: ivr,
      baseline: { name: 'one INSERT', result: insert },
      ratio: ratioOf(ivr.itemsPerS, insert.itemsPerS),
    });
  }

  for (const perRequest of ctx.wants('create') ? ([1, 100] as const) : []) {
    const key = perRequest === 1 ? 'one' : 'hundred';
    const requests = ctx.settings.createRequests[key];
    // autocannon builds one request ahead per connection at the start and at the end
    const count = (requests + 2 * CONNECTIONS.create[key] + 2) * perRequest;
    const apiNpa = perRequest === 1 ? NPA.createOne : NPA.createHundred;
    const sqlNpa = perRequest === 1 ? NPA.sqlOne : NPA.sqlHundred;
    ctx.log(`3. create flows, ${perRequest} per request (${requests} requests)`);
    await fixtureNumbers(base, apiNpa, 0, count);
    await fixtureNumbers(base, sqlNpa, 0, count);
    const body = (npa: string, i: number) =>
      JSON.stringify(
        Array.from({ length: perRequest }, (_, j) =>
          seedFlow({
            groupId: COMPANY_GROUP,
            campaignId: fixtures.campaignId,
            locationId: fixtures.locationId,
            number: fixtureNumber(npa, i * perRequest + j),
          }),
        ),
      );
    const jsonRequest = (path: string, npa: string) =>
      counted((i) => ({
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${fixtures.token}` },
        body: body(npa, i),
      }));
    const failedItems = (text: string) => {
      const results = JSON.parse(text) as { result: string }[];
      return Array.isArray(results) ? results.filter((r) => r.result !== 'success').length : perRequest;
    };
    const sql = await measure({
      base,
      pid: ctx.pid,
      duration: ctx.settings.duration,
      connections: CONNECTIONS.create[key],
      amount: requests,
      itemsPerRequest: perRequest,
      failedItems,
      request: jsonRequest('/bench/baseline/insert-flows', sqlNpa),
    });
    const api = await measure({
      base,
      pid: ctx.pid,
      duration: ctx.settings.duration,
      connections: CONNECTIONS.create[key],
      amount: requests,
      itemsPerRequest: perRequest,
      failedItems,
      request: jsonRequest('/v2/callflow/multilevelivr', apiNpa),
    });
    const ratio = ratioOf(api.itemsPerS, sql.itemsPerS);
    rows.push({
      scenario: `baseline: same rows by plain SQL, ${perRequest}/request`,
      engine,
      unit: 'flows',
      result: sql,
    });
    rows.push({
      scenario: `3. create flows (seed body), ${perRequest}/request`,
      engine,
      unit: 'flows',
      result: api,
      baseline: { name: 'plain SQL', result: sql },
      ratio,
      ...(perRequest === 100 ? { goal: '>= 1,000 flows/s', met: api.itemsPerS >= 1000 } : {}),
    });
  }

  rows.push(...(await extra(ctx, fixtures, { insert: measureInsert })));
  return rows;
}
