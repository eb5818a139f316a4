import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';

/** Groups' own indicators through the API, inherited down the tree, scoring analysed calls. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

beforeAll(async () => {
  ctx = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0' });
  h = await ctx.factory.hierarchy();
});
afterAll(() => ctx.close());

const priceObjection = {
  indicator_name: 'Price objection',
  description: 'the caller finds it too expensive',
  signals: [
    { phrases: ['too expensive', 'too much'], speaker: 'caller', weight: 70 },
    { phrases: ['price'], speaker: 'caller', weight: 30, near: { phrases: ['high'], within_words: 4 } },
  ],
};

async function analyse(groupId: number, text: string) {
  const [callId] = (await insertCalls(ctx, [{ group_id: groupId, started_at: '2026-03-01T10:00:00Z' }])) as [
    number,
  ];
  await ctx.db.query(
    `insert into call_transcript (call_id, transcript_status, transcript, segments, transcript_created)
     values ($1, 'done', $2, $3, now())`,
    [callId, text, JSON.stringify([{ speaker: 'caller', start_ms: 1000, end_ms: 3000, text }])],
  );
  await ctx.db.transaction((tx) =>
    enqueue(tx, { kind: 'call.analyze', payload: { callId }, dedupeKey: `call.analyze:${callId}` }),
  );
  await ctx.app.services.jobs.drain();
  const { body } = await ctx.request('GET', `/v2/call?id=${callId}`, { token: h.agencyAdmin.token });
  return body.data.indicator_scores as { indicator_id: number; score: number; reasons: unknown[] }[];
}

describe('indicators API', () => {
  let indicatorId: number;

  it('lists the built-in indicators, and creates a group indicator inherited by the groups below', async () => {
    const builtins = await ctx.request('GET', '/v2/indicator', { token: h.locationAdmin.token });
    expect(builtins.body.data.map((i: { indicator_name: string }) => i.indicator_name)).toEqual([
      'Lead',
      'Appointment set',
      'Sale / conversion',
      'Missed opportunity',
      'Complaint',
      'Solicitor / spam',
      'Voicemail left',
    ]);
    const created = await ctx.request('POST', '/v2/indicator', {
      token: h.companyAdmin.token,
      body: priceObjection,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.data).toMatchObject({
      group_id: h.company,
      is_builtin: false,
      indicator_status: 'active',
    });
    indicatorId = created.body.data.indicator_id;
    expect(indicatorId).toBeGreaterThan(1000);

    const forLocation = await ctx.request('GET', `/v2/indicator?filter=indicator_id%3D${indicatorId}`, {
      token: h.locationAdmin.token,
    });
    expect(forLocation.body.data).toHaveLength(1);

    const scores = await analyse(h.location, 'Honestly that is too expensive for us.');
    expect(scores.find((s) => s.indicator_id === indicatorId)).toMatchObject({
      score: 70,
      reasons: [{ phrase: 'too expensive', speaker: 'caller', start_ms: 1000, weight: 70 }],
    });
    // a group beside it does not inherit it
    const other = await ctx.factory.group(h.agency);
    expect((await analyse(other, 'too expensive')).some((s) => s.indicator_id === indicatorId)).toBe(false);
  });

  it('edits the phrase list, and an inactive indicator scores no more', async () => {
    const updated = await ctx.request('PUT', '/v2/indicator', {
      token: h.companyAdmin.token,
      body: {
        indicator_id: indicatorId,
        signals: [{ phrases: ['out of budget'], speaker: 'caller', weight: 90 }],
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data.signals).toEqual([
      { phrases: ['out of budget'], speaker: 'caller', weight: 90 },
    ]);
    expect(
      (await analyse(h.company, 'This is out of budget.')).find((s) => s.indicator_id === indicatorId)?.score,
    ).toBe(90);
    await ctx.request('PUT', '/v2/indicator', {
      token: h.companyAdmin.token,
      body: { indicator_id: indicatorId, indicator_status: 'inactive' },
    });
    expect((await analyse(h.company, 'out of budget')).some((s) => s.indicator_id === indicatorId)).toBe(
      false,
    );
  });

  it('refuses built-in changes, indicators outside your subtree and bad signals, changing nothing', async () => {
    const builtin = await ctx.request('PUT', '/v2/indicator', {
      token: h.companyAdmin.token,
      body: { indicator_id: 1, indicator_name: 'Mine' },
    });
    expect(builtin.status).toBe(400);
    expect(builtin.body.err).toContain('Built-in indicators cannot be changed');
    const above = await ctx.request('PUT', '/v2/indicator', {
      token: h.locationAdmin.token,
      body: { indicator_id: indicatorId, indicator_name: 'Taken over' },
    });
    expect(above.body.err).toBe('Indicator_id does not exist.');
    const outside = await ctx.request('POST', '/v2/indicator', {
      token: h.locationAdmin.token,
      body: { ...priceObjection, group_id: h.company },
    });
    expect(outside.body.err).toBe('Group_id does not exist.');
    for (const signals of [
      [],
      [{ phrases: ['x'], weight: 500 }],
      [{ field: 'colour', operator: '=', value: 1, weight: 5 }],
    ]) {
      const bad = await ctx.request('POST', '/v2/indicator', {
        token: h.companyAdmin.token,
        body: { ...priceObjection, signals },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toBe('Validation errors');
    }
    const readOnly = await ctx.factory.user(h.company, 3);
    expect(
      (await ctx.request('POST', '/v2/indicator', { token: readOnly.token, body: priceObjection })).status,
    ).toBe(403);
    const { rows } = await ctx.db.query('select 1 from indicator');
    expect(rows).toHaveLength(1);
  });
});
