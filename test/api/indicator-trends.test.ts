import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';

/** GET /v2/indicator/trends: per indicator, the analysed calls of a subtree that scored it, over time. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let sibling: number;

const NY = 'America/New_York';

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
  sibling = await ctx.factory.group(h.agency);
});
afterAll(() => ctx.close());

/** A call analysed with these scores (indicator id -> score). */
async function analysed(groupId: number, startedAt: string, scores: Record<number, number>) {
  const [callId] = (await insertCalls(ctx, [{ group_id: groupId, started_at: startedAt }])) as [number];
  await ctx.db.query('insert into call_analysis (call_id, analyzed_at) values ($1, now())', [callId]);
  for (const [indicatorId, score] of Object.entries(scores))
    await ctx.db.query(
      `insert into call_indicator_score (call_id, indicator_id, indicator_name, score, scored_at)
       values ($1, $2, 'name', $3, now())`,
      [callId, Number(indicatorId), score],
    );
  return callId;
}

const trends = (token: string, query: Record<string, string | number>) =>
  ctx.request(
    'GET',
    `/v2/indicator/trends?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`,
    {
      token,
    },
  );

interface Trend {
  indicator_id: number;
  scored: number;
  share: number;
  previous_scored: number;
  previous_share: number;
  periods: { period_start: string; analyzed: number; scored: number; share: number }[];
}

describe('indicator trends', () => {
  beforeAll(async () => {
    // in range (2026-03-02 .. 2026-03-08, New York): the location and the company
    await analysed(h.location, '2026-03-02T15:00:00Z', { 1: 80, 2: 60, 5: 10 });
    await analysed(h.location, '2026-03-02T18:00:00Z', { 1: 50, 2: 20 });
    await analysed(h.company, '2026-03-04T15:00:00Z', { 1: 20, 5: 90 });
    // 2026-03-09 01:00 UTC is still the 8th in New York
    await analysed(h.company, '2026-03-09T01:00:00Z', { 1: 100 });
    // not analysed: not counted
    await insertCalls(ctx, [{ group_id: h.location, started_at: '2026-03-03T15:00:00Z' }]);
    // archived: not counted
    const archived = await analysed(h.location, '2026-03-03T15:00:00Z', { 1: 100 });
    await ctx.db.query('update call set archived_at = now() where call_id = $1', [archived]);
    // the previous week (2026-02-23 .. 2026-03-01)
    await analysed(h.location, '2026-02-25T15:00:00Z', { 1: 90 });
    await analysed(h.location, '2026-02-26T15:00:00Z', { 1: 0 });
    // another subtree, in range: never counted for the company
    await analysed(sibling, '2026-03-02T15:00:00Z', { 1: 100, 5: 100 });
  });

  it('counts, per day and indicator, the analysed calls of the subtree scoring 50 or more', async () => {
    const { status, body } = await trends(h.companyAdmin.token, {
      start_date: '2026-03-02',
      end_date: '2026-03-08',
      timezone: NY,
    });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.data).toMatchObject({
      group_id: h.company,
      interval: 'day',
      threshold: 50,
      analyzed: 4,
      previous_analyzed: 2,
      previous_start_date: '2026-02-23',
      previous_end_date: '2026-03-01',
    });
    const byId = new Map<number, Trend>(body.data.indicators.map((t: Trend) => [t.indicator_id, t]));
    expect([...byId.keys()].slice(0, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);

    // a direct count over the seeded calls
    const { rows } = await ctx.db.query<{ indicator_id: number; calls: number }>(
      `select s.indicator_id, count(*)::integer as calls
         from call c join org_group g on g.group_id = c.group_id
         join call_analysis ca on ca.call_id = c.call_id
         join call_indicator_score s on s.call_id = c.call_id
        where g.path @> array[$1::integer] and c.archived_at is null and s.score >= 50
          and c.started_at >= '2026-03-02T05:00:00Z' and c.started_at < '2026-03-09T04:00:00Z'
        group by s.indicator_id`,
      [h.company],
    );
    for (const trend of byId.values())
      expect(trend.scored, `indicator ${trend.indicator_id}`).toBe(
        rows.find((row) => row.indicator_id === trend.indicator_id)?.calls ?? 0,
      );

    const lead = byId.get(1) as Trend;
    expect(lead).toMatchObject({ scored: 3, share: 0.75, previous_scored: 1, previous_share: 0.5 });
    expect(lead.periods).toHaveLength(7);
    expect(lead.periods[0]).toEqual({ period_start: '2026-03-02', analyzed: 2, scored: 2, share: 1 });
    expect(lead.periods[1]).toEqual({ period_start: '2026-03-03', analyzed: 0, scored: 0, share: 0 });
    expect(lead.periods[2]).toEqual({ period_start: '2026-03-04', analyzed: 1, scored: 0, share: 0 });
    expect(lead.periods[6]).toEqual({ period_start: '2026-03-08', analyzed: 1, scored: 1, share: 1 });
    expect(byId.get(5)).toMatchObject({ scored: 1, share: 0.25 });
    expect(byId.get(3)).toMatchObject({ scored: 0, share: 0, previous_scored: 0 });
  });

  it('reads a group of the scope, weeks from Monday and a threshold', async () => {
    const { body } = await trends(h.companyAdmin.token, {
      start_date: '2026-02-23',
      end_date: '2026-03-08',
      timezone: NY,
      interval: 'week',
      group_id: h.location,
      threshold: 90,
    });
    expect(body.data.analyzed).toBe(4);
    const lead = body.data.indicators.find((t: Trend) => t.indicator_id === 1) as Trend;
    expect(lead.periods).toEqual([
      { period_start: '2026-02-23', analyzed: 2, scored: 1, share: 0.5 },
      { period_start: '2026-03-02', analyzed: 2, scored: 0, share: 0 },
    ]);
  });

  it('leaves out the calls of another subtree, and refuses a group outside the scope', async () => {
    const { body } = await trends(h.locationAdmin.token, {
      start_date: '2026-03-02',
      end_date: '2026-03-08',
      timezone: NY,
    });
    expect(body.data.analyzed).toBe(2);
    expect(body.data.indicators.find((t: Trend) => t.indicator_id === 5).scored).toBe(0);
    const outside = await trends(h.companyAdmin.token, {
      start_date: '2026-03-02',
      end_date: '2026-03-08',
      group_id: sibling,
    });
    expect(outside.status).toBe(400);
    expect(outside.body).toMatchObject({
      result: 'error',
      err: `group_id ${sibling} is not a group you can access`,
    });
  });

  it('answers bad dates, intervals and zones with a V2 error', async () => {
    const cases: [Record<string, string>, string | RegExp][] = [
      [{ start_date: '2026-3-2', end_date: '2026-03-08' }, /start_date/],
      [{ start_date: '2026-02-30', end_date: '2026-03-08' }, 'Invalid start_date: 2026-02-30'],
      [{ start_date: '2026-03-08', end_date: '2026-03-02' }, 'end_date must not be before start_date'],
      [{ start_date: '2020-01-01', end_date: '2026-03-02' }, 'A report covers at most 731 days'],
      [{ start_date: '2026-03-02', end_date: '2026-03-08', interval: 'hour' }, /interval/],
      [
        { start_date: '2026-03-02', end_date: '2026-03-08', timezone: 'Mars/Olympus' },
        'Invalid timezone: Mars/Olympus',
      ],
      [{ end_date: '2026-03-08' }, /start_date/],
    ];
    for (const [query, err] of cases) {
      const { status, body } = await trends(h.companyAdmin.token, query);
      expect(status, JSON.stringify(query)).toBe(400);
      if (typeof err === 'string') expect(body).toMatchObject({ result: 'error', err });
      // the schema's V2 validation answer names the field
      else expect(JSON.stringify(body)).toMatch(err);
    }
  });

  it('the call log finds the calls that scored an indicator (indicator_id filter)', async () => {
    const { body } = await ctx.request(
      'GET',
      `/v2/call/list?timezone=${NY}&filter=${encodeURIComponent('indicator_id=1,call_started>=2026-03-02,call_started<=2026-03-08')}`,
      { token: h.companyAdmin.token },
    );
    expect(body.data, JSON.stringify(body)).toHaveLength(3);
    const none = await ctx.request('GET', `/v2/call/list?filter=${encodeURIComponent('indicator_id=3')}`, {
      token: h.companyAdmin.token,
    });
    expect(none.body.data).toEqual([]);
  });
});
