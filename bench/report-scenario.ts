import { storeListCalls } from './later-scenarios.js';
import { call } from './lib/api.js';
import { type Measurement, measure } from './lib/load.js';
import { type BenchContext, COMPANY_GROUP, type Fixtures, type Row, ratioOf } from './scenarios.js';

/** One month of the list scenario's year of calls, read in a zone with DST (none in September). */
const REPORT = {
  start_date: '2026-09-01',
  end_date: '2026-09-30',
  timezone: 'America/New_York',
};

/**
 * Scenario 8: Get Call Report over the stored calls (a million on PostgreSQL), a month of the
 * company's subtree (every bench location) by campaign and day, as JSON and as the PDF; against
 * one aggregate SQL statement of the same month per campaign and day (`/bench/baseline/report-sql`).
 * One connection: a report is one person's request, and its latency is the figure that counts.
 */
export async function reportScenario(ctx: BenchContext, fixtures: Fixtures): Promise<Row[]> {
  const { base, engine, settings } = ctx;
  const total = settings.listCalls;
  await storeListCalls(ctx, fixtures);
  ctx.log('8. report: a month by campaign and day, JSON and PDF');
  const definition = new URLSearchParams({
    group_id: String(COMPANY_GROUP),
    ...REPORT,
    interval: 'day',
    dimensions: 'campaign',
  });
  const jsonPath = `/v2/report/call?${definition}`;
  const pdfPath = `/v2/report/call/download?${definition}&format=pdf`;
  const sqlPath = `/bench/baseline/report-sql?${new URLSearchParams({
    scope_group_id: String(COMPANY_GROUP),
    ...REPORT,
  })}`;

  // the report counts the month's calls (a twelfth of the year's)
  const probe = await call<{ data: { totals: { calls: number }; series: unknown[] } }>(
    base,
    'GET',
    jsonPath,
    {
      token: fixtures.token,
    },
  );
  if (probe.data.totals.calls < total / 15 || probe.data.series.length !== 30)
    throw new Error(
      `the report counted ${probe.data.totals.calls} calls in ${probe.data.series.length} days`,
    );

  const get = (path: string, token?: string) => ({
    method: 'GET',
    path,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
  const common = { base, pid: ctx.pid, duration: settings.duration, connections: 1 };
  const run = async (path: string, token?: string): Promise<Measurement> => {
    if (settings.warmup > 0)
      await measure({ ...common, duration: settings.warmup, request: get(path, token) });
    return measure({ ...common, request: get(path, token) });
  };
  const sql = await run(sqlPath);
  const json = await run(jsonPath, fixtures.token);
  const pdf = await run(pdfPath, fixtures.token);
  const label = `${(total / 1000).toLocaleString('en-US')}k calls`;
  const p95 = (m: Measurement) => (m.p95Ms ?? Number.NaN).toFixed(1);
  const month = `${probe.data.totals.calls.toLocaleString('en-US')} calls in the month`;
  return [
    {
      scenario: `baseline: report SQL alone, month by campaign and day (${label})`,
      engine,
      unit: 'reports',
      result: sql,
      note: `p95 ${p95(sql)} ms; ${month}`,
    },
    {
      scenario: `8. report JSON, month by campaign and day (${label})`,
      engine,
      unit: 'reports',
      result: json,
      baseline: { name: 'report SQL alone', result: sql },
      ratio: ratioOf(json.itemsPerS, sql.itemsPerS),
      goal: 'p95 <= 200 ms @1M',
      met: (json.p95Ms ?? Number.POSITIVE_INFINITY) <= 200 && total >= 1_000_000,
      note: `p95 ${p95(json)} ms (SQL alone ${p95(sql)} ms); ${month}`,
    },
    {
      scenario: `8. report PDF, month by campaign and day (${label})`,
      engine,
      unit: 'reports',
      result: pdf,
      baseline: { name: 'report SQL alone', result: sql },
      ratio: ratioOf(pdf.itemsPerS, sql.itemsPerS),
      goal: 'p95 <= 2 s @1M',
      met: (pdf.p95Ms ?? Number.POSITIVE_INFINITY) <= 2000 && total >= 1_000_000,
      note: `p95 ${p95(pdf)} ms (JSON ${p95(json)} ms)`,
    },
  ];
}
