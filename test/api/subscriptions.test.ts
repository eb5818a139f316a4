import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';

/**
 * Get Subscription and Set Subscription (our design for V2's Misc › Get Subscription): an agency
 * sets a client's plan; usage is counted per month from the data; a limit refuses the action
 * that would pass it.
 */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

beforeAll(async () => {
  ctx = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0' });
  h = await ctx.factory.hierarchy();
  const ids = await insertCalls(ctx, [
    { group_id: h.company, started_at: '2026-03-02T15:00:00Z', duration: 61 }, // 2 minutes
    { group_id: h.location, started_at: '2026-03-03T15:00:00Z', duration: 30 }, // 1
    { group_id: h.location, started_at: '2026-03-04T15:00:00Z', duration: 0, disposition: 'NO ANSWER' }, // 0
    { group_id: h.company, started_at: '2026-03-05T15:00:00Z', duration: 125 }, // outbound: 3
    { group_id: h.company, started_at: '2026-04-01T00:00:00Z', duration: 600 }, // April
    { group_id: h.agency, started_at: '2026-03-05T15:00:00Z', duration: 600 }, // the agency's own
  ]);
  await ctx.db.query('update call set is_outbound = true where call_id = $1', [ids[3]]);
  await ctx.db.query(
    `insert into call_transcript (call_id, transcript_status, transcript_created) values ($1, 'done', now()),
            ($2, 'failed', now())`,
    [ids[0], ids[1]],
  );
  // texts: one received, one of two segments sent, one refused before it left, one in April,
  // one of another company
  const other = await ctx.factory.hierarchy();
  const conversation = async (groupId: number) =>
    (
      await ctx.db.query<{ id: number }>(
        `insert into sms_conversation (group_id, tracking_number, contact_number, created_at, last_message_at, last_direction)
         values ($1, '8015550100', $2, now(), now(), 'inbound') returning conversation_id as id`,
        [groupId, `21255501${String(groupId).padStart(2, '0').slice(-2)}`],
      )
    ).rows[0]?.id;
  const mine = await conversation(h.location);
  const theirs = await conversation(other.company);
  const text = (
    conversationId: unknown,
    groupId: number,
    direction: string,
    status: string,
    body: string,
    at: string,
  ) =>
    ctx.db.query(
      `insert into sms_message (conversation_id, group_id, direction, purpose, from_number, to_number, body, status, created_at)
       values ($1, $2, $3, 'message', '2125550100', '8015550100', $4, $5, $6)`,
      [conversationId, groupId, direction, body, status, at],
    );
  await text(mine, h.location, 'inbound', 'received', 'hi', '2026-03-05T15:00:00Z');
  await text(mine, h.location, 'outbound', 'delivered', 'x'.repeat(200), '2026-03-05T16:00:00Z');
  await text(mine, h.location, 'outbound', 'failed', 'refused', '2026-03-05T17:00:00Z');
  await text(mine, h.location, 'inbound', 'received', 'april', '2026-04-02T15:00:00Z');
  await text(theirs, other.company, 'inbound', 'received', 'not ours', '2026-03-05T15:00:00Z');
});

afterAll(async () => {
  await ctx?.close();
});

const get = (token: string, query = '') => ctx.request('GET', `/v2/misc/subscription${query}`, { token });
const set = (token: string, body: unknown) => ctx.request('PUT', '/v2/misc/subscription', { token, body });

describe('subscriptions', () => {
  it('counts a month of usage for a group and its subtree, with no plan and no limits', async () => {
    const { status, body } = await get(h.companyAdmin.token, '?period=2026-03');
    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      group_id: h.company,
      plan_name: null,
      plan_group_id: null,
      period: '2026-03',
      period_start: '2026-03-01',
      period_end: '2026-03-31',
      usage: {
        numbers: 0,
        inbound_minutes: 2 + 1 + 0,
        outbound_minutes: 3,
        inbound_calls: 3,
        outbound_calls: 1,
        texts: 2,
        segments: 1 + 2,
        transcription_minutes: 2,
        users: 2,
      },
      limits: { numbers: null, users: null },
      used_percent: { numbers: null },
    });
    // the clock's month (March 2026) by default
    expect((await get(h.companyAdmin.token)).body.data.period).toBe('2026-03');
    expect((await get(h.companyAdmin.token, '?period=2026-04')).body.data.usage.inbound_minutes).toBe(10);
  });

  it('lets an agency set a client’s plan, and nobody their own', async () => {
    const own = await set(h.companyAdmin.token, { group_id: h.company, plan_name: 'Mine', max_numbers: 100 });
    expect(own.status).toBe(403);
    expect(own.body.err).toBe('A plan is set by a group above: you cannot set your own group’s plan');
    const outside = await set(h.locationAdmin.token, { group_id: h.company, plan_name: 'x' });
    expect(outside.status).toBe(400);
    expect(outside.body.err).toBe(`group_id ${h.company} is not a group you can access`);
    expect(
      (await set(h.agencyAdmin.token, { group_id: h.company, plan_name: 'x', max_numbers: -1 })).status,
    ).toBe(400);

    const { status, body } = await set(h.agencyAdmin.token, {
      group_id: h.company,
      plan_name: 'Starter',
      max_numbers: 2,
      max_users: 3,
      max_inbound_minutes: 4,
    });
    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      plan_name: 'Starter',
      plan_group_id: h.company,
      limits: { numbers: 2, users: 3, inbound_minutes: 4, outbound_minutes: null },
      used_percent: { numbers: 0, users: 66.7, inbound_minutes: 75, outbound_minutes: null },
    });
    // the location is covered by the company's plan
    const location = await get(h.locationAdmin.token);
    expect(location.body.data).toMatchObject({
      group_id: h.location,
      plan_name: 'Starter',
      plan_group_id: h.company,
    });
  });

  it('refuses a number past the plan’s limit, per entry, and reserves nothing for it', async () => {
    await ctx.factory.inventory(['4355600001', '4355600002', '4355600003']);
    const first = await ctx.request('POST', '/v2/number/reserve', {
      token: h.locationAdmin.token,
      body: [{ number: 4355600001 }],
    });
    expect(first.body.result).toBe('success');
    const { body } = await ctx.request('POST', '/v2/number/reserve', {
      token: h.companyAdmin.token,
      body: [{ number: 4355600002 }, { number: 4355600003 }],
    });
    expect(body.data).toEqual([
      { result: 'success', data: expect.any(Number), entry_count: 1 },
      { result: 'error', data: 'Plan limit reached: the plan Starter allows 2 numbers', entry_count: 2 },
    ]);
    const { rows } = await ctx.db.query<{ status: string }>(
      "select status from phone_number where number = '4355600003'",
    );
    expect(rows[0]?.status).toBe('available');
    expect((await get(h.companyAdmin.token)).body.data.usage.numbers).toBe(2);
    // the agency above the plan is not limited by it
    await ctx.factory.inventory(['4355600004']);
    const agency = await ctx.request('POST', '/v2/number/reserve', {
      token: h.agencyAdmin.token,
      body: [{ number: 4355600004 }],
    });
    expect(agency.body.result).toBe('success');
  });

  it('refuses an active user past the plan’s limit', async () => {
    const user = (n: number) => ({
      group_id: h.location,
      user_email: `plan-${n}-${Date.now()}@example.test`,
      password: 'a long password',
      first_name: 'Ada',
      last_name: 'Lovelace',
      role_id: 2,
    });
    const ok = await ctx.request('POST', '/v2/group/user', { token: h.companyAdmin.token, body: [user(1)] });
    expect(ok.body.result).toBe('success');
    const refused = await ctx.request('POST', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [user(2)],
    });
    expect(refused.body.data).toEqual([
      { result: 'error', data: 'Plan limit reached: the plan Starter allows 3 active users', entry_count: 1 },
    ]);
    // an inactive user holds no seat
    const inactive = await ctx.request('POST', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [{ ...user(3), user_status: 'inactive' }],
    });
    expect(inactive.body.result).toBe('success');
  });

  it('answers bad input with V2 errors', async () => {
    expect((await get(h.companyAdmin.token, '?period=2026-13')).status).toBe(400);
    expect((await get(h.companyAdmin.token, '?period=March')).status).toBe(400);
    expect((await get(h.companyAdmin.token, `?group_id=${h.agency}`)).status).toBe(400);
    expect(
      (await set(h.agencyAdmin.token, { group_id: h.company, plan_name: 'x', max_bananas: 1 })).status,
    ).toBe(400);
    const standard = await ctx.factory.user(h.agency, 2);
    expect((await set(standard.token, { group_id: h.company, plan_name: 'x' })).status).toBe(403);
  });
});
