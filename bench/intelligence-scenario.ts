import cliProgress from 'cli-progress';
import { redact } from '../src/modules/transcripts/redaction.js';
import { storeListCalls } from './later-scenarios.js';
import { call } from './lib/api.js';
import { cpuPerItem, type Measurement, measure } from './lib/load.js';
import { cpuMeter, trackPeakRss } from './lib/server.js';
import type { BenchContext, Fixtures, Row } from './scenarios.js';

const AGENCY_GROUP = 1;

/**
 * What the search scenario asks, in turn: a common word, a phrase, a rare name (one of 270
 * brands), two words, a word with an exclusion, and a word a few percent of calls say.
 */
export const SEARCH_QUERIES = [
  'appointment',
  '"schedule an appointment"',
  'Pinecrest',
  'water heater',
  'manager -bill',
  'thermostat',
];

/**
 * Transcripts of the first `total` stored calls, once per run and engine: all of them for the
 * search, the calls it analyses (and as many for its baseline) when the analysis runs alone.
 */
const stored = new Map<string, Promise<void>>();

function storeTranscripts(ctx: BenchContext, fixtures: Fixtures, total: number): Promise<void> {
  const key = `${ctx.runId}:${ctx.engine}:${total}`;
  let done = stored.get(key);
  if (!done) {
    done = (async () => {
      await storeListCalls(ctx, fixtures);
      ctx.log(`storing ${total.toLocaleString('en-US')} transcripts (generate_series)`);
      const bar = new cliProgress.SingleBar(
        { format: `  transcripts [{bar}] {percentage}% | {value}/{total} | {eta}s left`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
      const chunk = ctx.engine === 'postgres' ? 20_000 : 5_000;
      for (let offset = 0; offset < total; offset += chunk) {
        const count = Math.min(chunk, total - offset);
        await call(ctx.base, 'POST', '/bench/fixtures/transcripts', {
          body: { prefix: `CA${ctx.runId}hist`, offset, count },
        });
        bar.update(offset + count);
      }
      bar.stop();
      await call(ctx.base, 'POST', '/bench/fixtures/analyze-transcripts', { body: {} });
    })();
    stored.set(key, done);
  }
  return done;
}

/** Transcript search and analysis throughput (issue 20): rows 8 and 9. */
export async function intelligenceScenarios(ctx: BenchContext, fixtures: Fixtures): Promise<Row[]> {
  const rows: Row[] = [];
  if (ctx.wants('search')) rows.push(...(await transcriptSearch(ctx, fixtures)));
  if (ctx.wants('analysis')) rows.push(...(await analysisThroughput(ctx, fixtures)));
  return rows;
}

async function transcriptSearch(ctx: BenchContext, fixtures: Fixtures): Promise<Row[]> {
  const { base, engine, settings } = ctx;
  const total = settings.listCalls;
  await storeTranscripts(ctx, fixtures, total);
  ctx.log('9. transcript search');
  const apiPath = (query: string) =>
    `/v2/call/transcription/search?limit=20&query=${encodeURIComponent(query)}`;
  const sqlPath = (query: string) =>
    `/bench/baseline/search-transcripts?scope_group_id=${AGENCY_GROUP}&limit=20&query=${encodeURIComponent(query)}`;
  const found: Record<string, number> = {};
  for (const query of SEARCH_QUERIES) {
    const answer = await call<{ data: { matches: unknown[] }[] }>(base, 'GET', apiPath(query), {
      token: fixtures.token,
    });
    found[query] = answer.data.length;
  }
  if (Object.values(found).every((n) => n === 0)) throw new Error('the transcript search found nothing');
  const rotating = (path: (query: string) => string, token?: string) => {
    let next = 0;
    return {
      setupRequest: (request: object) => ({
        ...request,
        method: 'GET',
        path: path(SEARCH_QUERIES[next++ % SEARCH_QUERIES.length] as string),
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      }),
    };
  };
  const common = { base, pid: ctx.pid, duration: settings.duration, connections: 4 };
  if (settings.warmup > 0)
    await measure({ ...common, duration: settings.warmup, request: rotating(sqlPath) });
  const sql = await measure({ ...common, request: rotating(sqlPath) });
  if (settings.warmup > 0)
    await measure({ ...common, duration: settings.warmup, request: rotating(apiPath, fixtures.token) });
  const api = await measure({ ...common, request: rotating(apiPath, fixtures.token) });
  const label = `${(total / 1000).toLocaleString('en-US')}k transcripts`;
  const p95 = api.p95Ms ?? Number.NaN;
  return [
    {
      scenario: `baseline: search SQL alone (${label})`,
      engine,
      unit: 'searches',
      result: sql,
      note: `p95 ${sql.p95Ms?.toFixed(2)} ms`,
    },
    {
      scenario: `9. transcript search, 20/page, highlighted (${label})`,
      engine,
      unit: 'searches',
      result: api,
      baseline: { name: 'SQL alone', result: sql },
      ratio: sql.itemsPerS > 0 ? api.itemsPerS / sql.itemsPerS : undefined,
      goal: 'p95 <= 100 ms @1M',
      met: p95 <= 100 && total >= 1_000_000,
      note: `p95 ${p95.toFixed(2)} ms (SQL alone ${sql.p95Ms?.toFixed(2)} ms); queries in turn, with the calls on the first page: ${SEARCH_QUERIES.map((q) => `${q} (${found[q]})`).join(', ')}`,
    },
  ];
}

/** Enqueues `kind` for `count` stored calls from `offset` and waits for every one to finish. */
async function runCallJobs(
  ctx: BenchContext,
  kind: string,
  offset: number,
  count: number,
): Promise<Measurement & { failed: number }> {
  const rss = trackPeakRss(ctx.pid);
  const cpu = cpuMeter(ctx.pid);
  const range = await call<{ first: number; last: number; count: number }>(
    ctx.base,
    'POST',
    '/bench/fixtures/enqueue-call-jobs',
    { body: { kind, prefix: `CA${ctx.runId}hist`, offset, count } },
  );
  if (range.count !== count) throw new Error(`${range.count} of ${count} ${kind} jobs enqueued`);
  const deadline = Date.now() + Math.max(120_000, count * 50);
  let progress = { done: 0, failed: 0, seconds: null as number | null };
  while (Date.now() < deadline) {
    progress = await call(
      ctx.base,
      'GET',
      `/bench/fixtures/job-progress?first=${range.first}&last=${range.last}`,
    );
    if (progress.done + progress.failed >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const peakRssMiB = rss.stop();
  const cpuUse = cpu.stop();
  const seconds = progress.seconds ?? Number.NaN;
  const rate = progress.done / seconds;
  return {
    requestsPerS: rate,
    itemsPerS: rate,
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
    requests: progress.done,
    errors: count - progress.done,
    durationS: seconds,
    peakRssMiB,
    connections: 0,
    cpuMsPerItem: cpuPerItem(cpuUse, progress.done),
    failed: progress.failed,
  };
}

/**
 * The analysis of transcribed calls without the provider: `call.analyze` jobs (the built-in
 * indicators and the group's, the scores and the analysis row written, `call.analyzed` queued,
 * the post-analysis call actions looked up) for calls whose transcripts are stored, timed from
 * their enqueue to the last one's end. The baseline runs as many `call.analyzed` jobs (the
 * webhook fan-out with no webhook wanting the event: a claim, a read, a completion) on other
 * calls: the queue's own floor. Redaction runs in the transcription job, on the provider's
 * answer; it is measured here on the stored utterances in the bench process.
 */
async function analysisThroughput(ctx: BenchContext, fixtures: Fixtures): Promise<Row[]> {
  const { engine, settings } = ctx;
  const count = settings.analysisCalls;
  await storeTranscripts(ctx, fixtures, ctx.wants('search') ? settings.listCalls : 2 * count);
  ctx.log(`10. analysis: ${count.toLocaleString('en-US')} transcribed calls`);
  const floor = await runCallJobs(ctx, 'call.analyzed', 0, count);
  const analysis = await runCallJobs(ctx, 'call.analyze', count, count);
  // what the transcription job adds per call before it stores the text: redaction
  const sample = await call<{ transcripts: string[][] }>(
    ctx.base,
    'GET',
    `/bench/fixtures/transcript-sample?count=${Math.min(count, 5_000)}`,
  );
  const started = process.hrtime.bigint();
  let redacted = 0;
  for (const utterances of sample.transcripts) for (const text of utterances) redacted += redact(text).length;
  const redactMs = Number(process.hrtime.bigint() - started) / 1e6 / Math.max(1, sample.transcripts.length);
  return [
    {
      scenario: `baseline: queue floor, call.analyzed fan-out with no subscriber (${count.toLocaleString('en-US')} calls)`,
      engine,
      unit: 'calls',
      result: floor,
      note: `${floor.requests}/${count} done, ${floor.failed} failed, in ${floor.durationS.toFixed(1)} s`,
    },
    {
      scenario: `10. analysis of transcribed calls, provider excluded (${count.toLocaleString('en-US')} calls)`,
      engine,
      unit: 'calls',
      result: analysis,
      baseline: { name: 'queue floor', result: floor },
      ratio: floor.itemsPerS > 0 ? analysis.itemsPerS / floor.itemsPerS : undefined,
      goal: '>= 200 calls/s',
      met: analysis.itemsPerS >= 200 && analysis.failed === 0 && analysis.requests === count,
      note: `${analysis.requests}/${count} analysed, ${analysis.failed} failed, in ${analysis.durationS.toFixed(1)} s (the call.analyzed jobs they queue run in the same time); redaction of the same transcripts ${redactMs.toFixed(3)} ms per call in the bench process (${sample.transcripts.length} calls, ${redacted.toLocaleString('en-US')} characters)`,
    },
  ];
}
