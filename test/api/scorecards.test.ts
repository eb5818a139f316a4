import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scorecardScore } from '../../src/modules/scorecards/scoring.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';

/** Scorecards: criteria with weights and sections, calls scored by a supervisor, the report. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

const sections = [
  {
    section_name: 'Opening',
    criteria: [
      { key: 'greeting', label: 'Greeted the caller by name', type: 'yes_no', weight: 1 },
      { key: 'tone', label: 'Tone', type: 'scale', weight: 2 },
    ],
  },
  {
    section_name: 'Close',
    criteria: [
      { key: 'upsell', label: 'Upsell points', type: 'points', weight: 1, max_points: 10 },
      { key: 'booked', label: 'Appointment set', type: 'yes_no', weight: 2, indicator_id: 2 },
    ],
  },
];

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
});
afterAll(() => ctx.close());

describe('scorecard arithmetic', () => {
  it('weights each answer as a fraction and ignores criteria neither answered nor pre-filled', () => {
    const typed = sections as Parameters<typeof scorecardScore>[0];
    // greeting 1x1, tone (4-1)/4 x2 = 1.5, upsell 5/10 x1 = 0.5; booked not answered, no indicator: 3/4
    expect(scorecardScore(typed, { greeting: true, tone: 4, upsell: 5 })).toEqual({
      score: 75,
      prefilled: [],
    });
    // booked pre-filled from indicator 2 at 80: (3 + 0.8 x 2) / 6
    expect(scorecardScore(typed, { greeting: true, tone: 4, upsell: 5 }, { 2: 80 })).toEqual({
      score: 76.67,
      prefilled: ['booked'],
    });
    expect(scorecardScore(typed, {})).toEqual({ score: 0, prefilled: [] });
    expect(scorecardScore(typed, { greeting: false, tone: 1, upsell: 0, booked: false }).score).toBe(0);
    expect(scorecardScore(typed, { greeting: true, tone: 5, upsell: 10, booked: true }).score).toBe(100);
  });
});

describe('scorecards API', () => {
  let scorecardId: number;

  it('creates, scores calls (again replacing the answers, pre-filling from indicators) and reports by agent and date', async () => {
    const created = await ctx.request('POST', '/v2/scorecard', {
      token: h.companyAdmin.token,
      body: { scorecard_name: 'Sales calls', sections },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    scorecardId = created.body.data.scorecard_id;

    const [first, second] = (await insertCalls(ctx, [
      { group_id: h.company, started_at: '2026-03-01T15:00:00Z' },
      { group_id: h.location, started_at: '2026-03-02T15:00:00Z' },
    ])) as [number, number];
    await ctx.db.query("update call set assigned_to = 'Dana' where call_id = any($1::bigint[])", [
      [first, second],
    ]);
    await ctx.db.query(
      `insert into call_indicator_score (call_id, indicator_id, indicator_name, score, reasons, scored_at)
       values ($1, 2, 'Appointment set', 80, '[]', now())`,
      [first],
    );
    const score = (callId: number, answers: Record<string, unknown>, title?: string) =>
      ctx.request('POST', '/v2/scorecard/call', {
        token: h.companyAdmin.token,
        body: {
          call_id: callId,
          scorecard_id: scorecardId,
          answers,
          ...(title ? { call_title: title } : {}),
        },
      });
    const scored = await score(first, { greeting: true, tone: 4, upsell: 5 }, 'Roof quote');
    expect(scored.body.data).toMatchObject({ call_title: 'Roof quote', score: 76.67, prefilled: ['booked'] });
    // scored again: the answers are replaced, the title kept
    const again = await score(first, { greeting: true, tone: 5, upsell: 10, booked: true });
    expect(again.body.data).toMatchObject({ call_title: 'Roof quote', score: 100, prefilled: [] });
    await score(second, { greeting: false, tone: 3 }, 'Follow-up');

    const byAgent = await ctx.request('GET', `/v2/scorecard/report?scorecard_id=${scorecardId}`, {
      token: h.companyAdmin.token,
    });
    expect(byAgent.body.data.groups).toEqual([{ key: 'Dana', calls: 2, average_score: 66.67 }]);
    expect(byAgent.body.data.overall).toEqual({ calls: 2, average_score: 66.67 });
    expect(byAgent.body.data.scored_calls.map((c: { call_title: string }) => c.call_title)).toEqual([
      'Follow-up',
      'Roof quote',
    ]);
    const byDate = await ctx.request(
      'GET',
      `/v2/scorecard/report?scorecard_id=${scorecardId}&group_by=date`,
      {
        token: h.companyAdmin.token,
      },
    );
    expect(byDate.body.data.groups).toEqual([
      { key: '2026-03-01', calls: 1, average_score: 100 },
      { key: '2026-03-02', calls: 1, average_score: 33.33 },
    ]);
    // the call's scorings, for the call page's form: answers, title, what was pre-filled
    const ofFirst = await ctx.request('GET', `/v2/scorecard/call?call_id=${first}`, {
      token: h.companyAdmin.token,
    });
    expect(ofFirst.status, JSON.stringify(ofFirst.body)).toBe(200);
    expect(ofFirst.body.data).toEqual([
      expect.objectContaining({
        call_id: first,
        scorecard_id: scorecardId,
        scorecard_name: 'Sales calls',
        call_title: 'Roof quote',
        answers: { greeting: true, tone: 5, upsell: 10, booked: true },
        prefilled: [],
        score: 100,
      }),
    ]);
    await score(first, { greeting: true, tone: 4, upsell: 5 });
    const prefilled = await ctx.request('GET', `/v2/scorecard/call?call_id=${first}`, {
      token: h.companyAdmin.token,
    });
    expect(prefilled.body.data[0]).toMatchObject({ prefilled: ['booked'], score: 76.67 });
    await score(first, { greeting: true, tone: 5, upsell: 10, booked: true });
    // a call outside the caller's subtree is not there; a call never scored has none
    const outside = await ctx.request('GET', `/v2/scorecard/call?call_id=${first}`, {
      token: h.locationAdmin.token,
    });
    expect(outside.status).toBe(404);
    expect(outside.body.err).toBe('Call_id does not exist.');
    const [unscored] = (await insertCalls(ctx, [
      { group_id: h.company, started_at: '2026-02-01T15:00:00Z' },
    ])) as [number];
    const none = await ctx.request('GET', `/v2/scorecard/call?call_id=${unscored}`, {
      token: h.companyAdmin.token,
    });
    expect(none.body.data).toEqual([]);
    const bad = await ctx.request('GET', '/v2/scorecard/call?call_id=abc', { token: h.companyAdmin.token });
    expect(bad.status).toBe(400);
    // the location's admin sees only its own scored call
    const location = await ctx.request('GET', `/v2/scorecard/report?scorecard_id=${scorecardId}`, {
      token: h.locationAdmin.token,
    });
    expect(location.body.data.overall.calls).toBe(1);
  });

  it('duplicates and archives; an archived scorecard scores no call', async () => {
    const copy = await ctx.request('POST', '/v2/scorecard/duplicate', {
      token: h.locationAdmin.token,
      body: { scorecard_id: scorecardId },
    });
    expect(copy.body.data).toMatchObject({
      group_id: h.location,
      scorecard_name: 'Sales calls (copy)',
      sections,
    });
    const archived = await ctx.request('GET', `/v2/scorecard/archive?id=${scorecardId}`, {
      token: h.companyAdmin.token,
    });
    expect(archived.body.data.scorecard_status).toBe('archived');
    const [callId] = (await insertCalls(ctx, [
      { group_id: h.company, started_at: '2026-03-03T15:00:00Z' },
    ])) as [number];
    const refused = await ctx.request('POST', '/v2/scorecard/call', {
      token: h.companyAdmin.token,
      body: { call_id: callId, scorecard_id: scorecardId, answers: { greeting: true } },
    });
    expect(refused.body.err).toBe('Scorecard_id does not exist.');
    // a scorecard of a group below yours is yours to archive
    const below = await ctx.request('GET', `/v2/scorecard/archive?id=${copy.body.data.scorecard_id}`, {
      token: h.companyAdmin.token,
    });
    expect(below.body.data.scorecard_status).toBe('archived');
  });

  it('refuses bad answers and criteria, changing nothing', async () => {
    const created = await ctx.request('POST', '/v2/scorecard', {
      token: h.companyAdmin.token,
      body: { scorecard_name: 'Support', sections },
    });
    const id = created.body.data.scorecard_id;
    const [callId] = (await insertCalls(ctx, [
      { group_id: h.company, started_at: '2026-03-04T15:00:00Z' },
    ])) as [number];
    for (const [answers, error] of [
      [{ tone: 6 }, 'tone takes 1 to 5'],
      [{ greeting: 1 }, 'greeting takes true or false'],
      [{ upsell: 11 }, 'upsell takes 0 to 10 points'],
      [{ nope: true }, 'Unknown criterion nope'],
    ] as const) {
      const response = await ctx.request('POST', '/v2/scorecard/call', {
        token: h.companyAdmin.token,
        body: { call_id: callId, scorecard_id: id, answers },
      });
      expect(response.status).toBe(400);
      expect(response.body.err).toBe(error);
    }
    const twice = await ctx.request('POST', '/v2/scorecard', {
      token: h.companyAdmin.token,
      body: {
        scorecard_name: 'Twice',
        sections: [{ section_name: 'A', criteria: [sections[0]?.criteria[0], sections[0]?.criteria[0]] }],
      },
    });
    expect(twice.body.err).toBe('Criterion key greeting is used twice');
    const noMax = await ctx.request('POST', '/v2/scorecard', {
      token: h.companyAdmin.token,
      body: {
        scorecard_name: 'No max',
        sections: [{ section_name: 'A', criteria: [{ key: 'p', label: 'P', type: 'points', weight: 1 }] }],
      },
    });
    expect(noMax.body.err).toBe('Criterion p of type points needs max_points');
    const outside = await ctx.request('POST', '/v2/scorecard/call', {
      token: h.locationAdmin.token,
      body: { call_id: callId, scorecard_id: id, answers: {} },
    });
    expect(outside.body.err).toBe('Call_id does not exist.');
    const { rows } = await ctx.db.query('select 1 from call_scorecard where call_id = $1', [callId]);
    expect(rows).toHaveLength(0);
  });
});
