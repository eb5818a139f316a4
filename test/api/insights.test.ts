import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';

/** Insights: a saved question (phrases and call filters) reported per period with its share of calls. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

async function transcribed(groupId: number, startedAt: string, text: string, duration = 60) {
  const [callId] = (await insertCalls(ctx, [{ group_id: groupId, started_at: startedAt, duration }])) as [
    number,
  ];
  await ctx.db.query(
    `insert into call_transcript (call_id, transcript_status, transcript, segments, transcript_created)
     values ($1, 'done', $2, '[]', now())`,
    [callId, text],
  );
  return callId;
}

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
  // week of 2026-02-02 (Monday): 2 calls, 1 price objection; week of 2026-02-09: 3 calls, 2 objections
  await transcribed(h.company, '2026-02-03T15:00:00Z', 'That is too expensive for me.');
  await transcribed(h.company, '2026-02-04T15:00:00Z', 'Can you come on Friday?');
  await transcribed(h.location, '2026-02-10T15:00:00Z', 'Your price is too expensive.', 200);
  await transcribed(h.company, '2026-02-11T15:00:00Z', 'Way too expensive, honestly.', 20);
  await transcribed(h.company, '2026-02-12T15:00:00Z', 'Book me in please.');
  // outside the company's subtree
  await transcribed(await ctx.factory.group(h.agency), '2026-02-10T15:00:00Z', 'too expensive');
});
afterAll(() => ctx.close());

describe('insights', () => {
  let insightId: number;

  it('saves a question and reports calls, matches and share per week, with the newest matching calls', async () => {
    const created = await ctx.request('POST', '/v2/insight', {
      token: h.companyAdmin.token,
      body: { insight_name: 'Price objection', query: '"too expensive"' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.data).toMatchObject({ group_id: h.company, interval: 'week', filter: '' });
    insightId = created.body.data.insight_id;

    const { status, body } = await ctx.request(
      'GET',
      `/v2/insight/report?id=${insightId}&from=2026-02-02&to=2026-02-15&limit=2`,
      { token: h.companyAdmin.token },
    );
    expect(status).toBe(200);
    expect(body.data.periods).toEqual([
      { period_start: '2026-02-02', calls: 2, matching: 1, share: 0.5 },
      { period_start: '2026-02-09', calls: 3, matching: 2, share: 0.6667 },
    ]);
    expect(body.data.total).toEqual({ calls: 5, matching: 3, share: 0.6 });
    expect(body.data.matching_calls.map((call: { call_started: string }) => call.call_started)).toEqual([
      '2026-02-11T15:00:00.000Z',
      '2026-02-10T15:00:00.000Z',
    ]);
    expect(body.data.matching_calls[0].headline).toContain('<mark>expensive</mark>');
  });

  it('applies its call filter, and reports empty periods as zero', async () => {
    const created = await ctx.request('POST', '/v2/insight', {
      token: h.companyAdmin.token,
      body: { insight_name: 'Long objections', query: 'expensive', filter: 'duration>=60', interval: 'day' },
    });
    const { body } = await ctx.request(
      'GET',
      `/v2/insight/report?id=${created.body.data.insight_id}&from=2026-02-10&to=2026-02-12`,
      { token: h.companyAdmin.token },
    );
    expect(body.data.periods).toEqual([
      { period_start: '2026-02-10', calls: 1, matching: 1, share: 1 },
      { period_start: '2026-02-11', calls: 0, matching: 0, share: 0 },
      { period_start: '2026-02-12', calls: 1, matching: 0, share: 0 },
    ]);
  });

  it('keeps insights to their group subtree and refuses bad input, changing nothing', async () => {
    expect(
      (await ctx.request('GET', `/v2/insight/report?id=${insightId}`, { token: h.locationAdmin.token }))
        .status,
    ).toBe(404);
    const listed = await ctx.request('GET', '/v2/insight', { token: h.agencyAdmin.token });
    expect(listed.body.data.map((i: { insight_id: number }) => i.insight_id)).toContain(insightId);
    const badFilter = await ctx.request('POST', '/v2/insight', {
      token: h.companyAdmin.token,
      body: { insight_name: 'x', query: 'price', filter: 'colour=blue' },
    });
    expect(badFilter.status).toBe(400);
    const outside = await ctx.request('POST', '/v2/insight', {
      token: h.locationAdmin.token,
      body: { insight_name: 'x', query: 'price', group_id: h.company },
    });
    expect(outside.body.err).toBe('Group_id does not exist.');
    const backwards = await ctx.request(
      'GET',
      `/v2/insight/report?id=${insightId}&from=2026-03-01&to=2026-02-01`,
      { token: h.companyAdmin.token },
    );
    expect(backwards.body.err).toBe('from must not be after to');
    const missing = await ctx.request('POST', '/v2/insight', {
      token: h.companyAdmin.token,
      body: { query: 'x' },
    });
    expect(missing.body.message).toBe('Validation errors');
    const { rows } = await ctx.db.query('select 1 from insight');
    expect(rows).toHaveLength(2);
  });
});
