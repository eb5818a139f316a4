import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollupAnswers } from '../../src/modules/reports/report.service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';

/**
 * The report roll-up (migrations/0128_create_call_rollup.sql): a report without a filter adds up
 * the roll-up's hours; with a filter it reads the calls. Both must give the same figures, also
 * after calls change once they have ended, while one is in progress and after archiving and
 * deletion: the test compares the two paths (a filter that keeps every call forces the second).
 */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignA: number;
let campaignB: number;
const NY = 'America/New_York';
const RANGE = { start_date: '2026-03-01', end_date: '2026-03-31', timezone: NY };
const ids: number[] = [];

beforeAll(async () => {
  ctx = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0' });
  h = await ctx.factory.hierarchy();
  campaignA = await ctx.factory.campaign(h.companyAdmin, h.company);
  campaignB = await ctx.factory.campaign(h.companyAdmin, h.location);
  const at = (local: string) => DateTime.fromISO(local, { zone: NY }).toUTC().toISO() as string;
  ids.push(
    ...(await insertCalls(ctx, [
      // the evening before the range, and its last evening (UTC dates outside the month)
      { group_id: h.company, started_at: at('2026-02-28T23:30'), campaign_id: campaignA, duration: 61 },
      { group_id: h.company, started_at: at('2026-03-31T23:30'), campaign_id: campaignA, duration: 59 },
      // across the spring change
      { group_id: h.location, started_at: at('2026-03-08T01:50'), campaign_id: campaignB, duration: 125 },
      {
        group_id: h.location,
        started_at: at('2026-03-08T03:05'),
        campaign_id: campaignB,
        disposition: 'NO ANSWER',
      },
      { group_id: h.company, started_at: at('2026-03-12T10:00'), campaign_id: null, call_value: 12.5 },
      { group_id: h.company, started_at: at('2026-03-12T10:20'), campaign_id: campaignA, is_repeat: true },
      {
        group_id: h.location,
        started_at: at('2026-03-20T16:45'),
        campaign_id: campaignB,
        disposition: 'VOICEMAIL',
      },
      { group_id: h.company, started_at: at('2026-03-21T09:00'), campaign_id: campaignA, duration: 300 },
    ])),
  );
  await ctx.db.query(
    `update call set answered_at = started_at + interval '4.5 seconds', answered_by = '8015550100'
      where call_id = any($1) and disposition = 'ANSWERED'`,
    [ids],
  );
});

afterAll(async () => {
  await ctx?.close();
});

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

async function bothPaths(params: Record<string, string> = {}) {
  const common = { ...RANGE, dimensions: 'campaign,group,ring_to', interval: 'day', ...params };
  const rollup = await ctx.request('GET', `/v2/report/call?${query(common)}`, {
    token: h.companyAdmin.token,
  });
  const calls = await ctx.request('GET', `/v2/report/call?${query({ ...common, filter: 'call_id>=1' })}`, {
    token: h.companyAdmin.token,
  });
  expect(rollup.status).toBe(200);
  expect(calls.status).toBe(200);
  const { totals, series, breakdowns, heatmap } = rollup.body.data;
  expect({ totals, series, breakdowns, heatmap }).toEqual({
    totals: calls.body.data.totals,
    series: calls.body.data.series,
    breakdowns: calls.body.data.breakdowns,
    heatmap: calls.body.data.heatmap,
  });
  return rollup.body.data;
}

/** The roll-up's calls, to show it is the roll-up that answers. */
async function rolledUp(): Promise<number> {
  const { rows } = await ctx.db.query<{ n: number }>(
    'select coalesce(sum(calls), 0)::integer as n from call_rollup',
  );
  return rows[0]?.n ?? 0;
}

describe('the report roll-up', () => {
  it('is used for a report without a filter in a zone of whole-hour offsets, and agrees with the calls', async () => {
    expect(rollupAnswers(RANGE, NY)).toBe(true);
    expect(rollupAnswers({ ...RANGE, filter: 'disposition=ANSWERED' }, NY)).toBe(false);
    expect(rollupAnswers(RANGE, 'Asia/Kolkata')).toBe(false);
    expect(rollupAnswers(RANGE, 'America/St_Johns')).toBe(false);
    expect(await rolledUp()).toBe(ids.length);
    const report = await bothPaths();
    expect(report.totals.calls).toBe(7);
    expect(report.totals.call_value).toBe(12.5);
    // other zones read the same hours
    await bothPaths({ timezone: 'Europe/Berlin', interval: 'week' });
    await bothPaths({ timezone: 'UTC', interval: 'hour' });
    await bothPaths({ group_id: String(h.location) });
  });

  it('follows a call that changes after it ended: value, outcome, answer, campaign, repeat flag', async () => {
    const [, , , missed, valued, repeat] = ids;
    await ctx.db.query('update call set call_value = 99.95 where call_id = $1', [valued]);
    await ctx.db.query(
      `update call set disposition = 'ANSWERED', answered_at = started_at + interval '2 seconds',
              ended_at = started_at + interval '95 seconds', duration_seconds = 95 where call_id = $1`,
      [missed],
    );
    await ctx.db.query('update call set campaign_id = $2, is_repeat = false where call_id = $1', [
      repeat,
      campaignB,
    ]);
    const report = await bothPaths();
    expect(report.totals.call_value).toBe(99.95);
    expect(report.totals.answered).toBe(6);
    await bothPaths({ timezone: 'America/Los_Angeles' });
  });

  it('counts a call in progress from the calls, then once from the roll-up when it ends', async () => {
    const started = DateTime.fromISO('2026-03-25T14:00', { zone: NY }).toUTC().toISO() as string;
    const [live] = await insertCalls(ctx, [
      { group_id: h.location, started_at: started, campaign_id: campaignB },
    ]);
    await ctx.db.query(
      `update call set ended_at = null, duration_seconds = null, disposition = 'IN PROGRESS' where call_id = $1`,
      [live],
    );
    const before = await rolledUp();
    const during = await bothPaths();
    expect(during.totals.in_progress).toBe(1);
    expect(during.totals.calls).toBe(8);
    await ctx.db.query(
      `update call set ended_at = started_at + interval '40 seconds', duration_seconds = 40, disposition = 'NO ANSWER'
        where call_id = $1`,
      [live],
    );
    expect(await rolledUp()).toBe(before + 1);
    const after = await bothPaths();
    expect(after.totals.in_progress).toBe(0);
    expect(after.totals.calls).toBe(8);
    expect(after.totals.missed).toBe(during.totals.missed + 1);
  });

  it('drops archived and deleted calls', async () => {
    const [, last, , , , , voicemail, big] = ids;
    await ctx.db.query('update call set archived_at = now() where call_id = $1', [voicemail]);
    await ctx.db.query('delete from call where call_id = $1', [big]);
    const report = await bothPaths();
    expect(report.totals.voicemails).toBe(0);
    expect(report.totals.calls).toBe(6);
    // a whole statement of changes at once
    await ctx.db.query('update call set call_value = 1 where call_id = any($1)', [ids]);
    expect((await bothPaths()).totals.call_value).toBe(5);
    expect(last).toBeDefined();
  });
});
