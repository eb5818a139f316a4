import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

/**
 * The two endpoints the console's People section added to V2's: Create Tags (POST /v2/tag) and
 * List Outcomes of a Call Action (GET /v2/callaction/outcomes).
 */
let ctx: TestContext;
let receiver: Receiver;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let siblingAdmin: TestUser;
let readOnly: TestUser;

beforeAll(async () => {
  ctx = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
  receiver = await startReceiver();
  h = await ctx.factory.hierarchy();
  siblingAdmin = await ctx.factory.user(await ctx.factory.group(h.agency));
  readOnly = await ctx.factory.user(h.company, 3);
});
afterAll(async () => {
  await ctx.close();
  await receiver.close();
});

const createTags = (body: unknown, user: TestUser = h.companyAdmin) =>
  ctx.request('POST', '/v2/tag', { token: user.token, body });
const liveTagCount = async () =>
  Number((await ctx.db.query<{ n: number }>('select count(*)::integer as n from tag')).rows[0]?.n);

describe('POST /v2/tag', () => {
  it('creates tags in the caller group and answers them', async () => {
    const { status, body } = await createTags({ tag_name: ['Hot lead', ' Spam '] });
    expect(status).toBe(200);
    expect(body.result).toBe('success');
    expect(body.data.map((t: { tag_name: string }) => t.tag_name).sort()).toEqual(['Hot lead', 'Spam']);
    for (const tag of body.data) {
      expect(tag).toMatchObject({
        tag_active: true,
        org_unit_id: h.company,
        created_by: h.companyAdmin.ct_user_id,
      });
    }
  });

  it('reuses a tag the group already sees, whatever its case, in its own group or above', async () => {
    const first = await createTags({ tag_name: ['Booked'] });
    const again = await createTags({ tag_name: ['BOOKED'], group_id: h.location });
    expect(again.body.data).toEqual(first.body.data);
  });

  it('creates in a group below the caller', async () => {
    const { body } = await createTags({ tag_name: ['Location only'], group_id: h.location });
    expect(body.data[0].org_unit_id).toBe(h.location);
  });

  it('refuses a group outside the scope and creates nothing', async () => {
    const before = await liveTagCount();
    const { status, body } = await createTags({ tag_name: ['Nope'], group_id: h.agency });
    expect(status).toBe(400);
    expect(body.err).toBe(`group_id ${h.agency} is not a group you can access`);
    expect(await liveTagCount()).toBe(before);
  });

  it('refuses a blank name, an empty list, an unknown field and a ReadOnly user, creating nothing', async () => {
    const before = await liveTagCount();
    expect((await createTags({ tag_name: ['ok', '   '] })).body.err).toBe('tag_name cannot be blank');
    expect((await createTags({ tag_name: [] })).status).toBe(400);
    expect((await createTags({ tag_name: ['x'], colour: 'red' })).status).toBe(400);
    expect((await createTags({ tag_name: ['x'] }, readOnly)).status).toBe(403);
    expect(await liveTagCount()).toBe(before);
  });

  it('is listed by GET /v2/tag and hidden from a sibling group', async () => {
    const mine = await ctx.request('GET', '/v2/tag?filter=tag_name=Spam', { token: h.companyAdmin.token });
    expect(mine.body.data).toHaveLength(1);
    const theirs = await ctx.request('GET', '/v2/tag?filter=tag_name=Spam', { token: siblingAdmin.token });
    expect(theirs.body.data).toBe('No data found');
  });
});

describe('GET /v2/callaction/outcomes', () => {
  let actionId: number;
  let calls: number[];

  beforeAll(async () => {
    await ctx.factory.inventory(['3125557000']);
    const campaign = await ctx.factory.campaign(h.companyAdmin);
    const flow = await ctx.request('POST', '/v2/callflow/multilevelivr', {
      token: h.companyAdmin.token,
      body: [
        {
          call_flow_name: 'Outcomes',
          group_id: h.company,
          campaign_id: campaign,
          channel_id: 1,
          message: 'For sales press 1.',
          number: { phone_number: '3125557000' },
          ivrs: [{ key: 1, action: 'simple', message: 'Connecting.', target_did: 8015550100 }],
        },
      ],
    });
    const flowId = Number(flow.body[0].data);
    const created = await ctx.request('POST', '/v2/callaction', {
      token: h.companyAdmin.token,
      body: [
        {
          call_flow_id: flowId,
          action: 'webhook',
          action_target: `${receiver.url}/hook`,
          rules: [{ data_field: 'caller_id', operator: 'begins with', comparator: '212' }],
        },
      ],
    });
    actionId = created.body[0].data;
    calls = [];
    for (const from of ['2125550101', '3105550102']) {
      const call = await createCarrier(ctx.app).call({
        to: '3125557000',
        from,
        press: ['1'],
        answer: 'first',
      });
      const { rows } = await ctx.db.query<{ call_id: number }>(
        'select call_id::integer as call_id from call where carrier_call_sid = $1',
        [call.callSid],
      );
      calls.push(Number(rows[0]?.call_id));
      await ctx.app.services.jobs.drain();
    }
  });

  it('lists what the action did on each call, newest first', async () => {
    const { status, body } = await ctx.request('GET', `/v2/callaction/outcomes?id=${actionId}`, {
      token: h.companyAdmin.token,
    });
    expect(status).toBe(200);
    expect(body.data.map((o: { call_id: number; status: string }) => [o.call_id, o.status])).toEqual([
      [calls[1], 'not matched'],
      [calls[0], 'succeeded'],
    ]);
    expect(body.data[1]).toMatchObject({ attempts: 1, finished_at: expect.any(String) });
  });

  it('takes a limit', async () => {
    const { body } = await ctx.request('GET', `/v2/callaction/outcomes?id=${actionId}&limit=1`, {
      token: readOnly.token,
    });
    expect(body.data).toHaveLength(1);
  });

  it('answers 404 for an action outside the scope or missing, 400 for a bad limit', async () => {
    const foreign = await ctx.request('GET', `/v2/callaction/outcomes?id=${actionId}`, {
      token: siblingAdmin.token,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.err).toBe('No record found');
    expect(
      (await ctx.request('GET', '/v2/callaction/outcomes?id=999999', { token: h.companyAdmin.token })).status,
    ).toBe(404);
    expect(
      (
        await ctx.request('GET', `/v2/callaction/outcomes?id=${actionId}&limit=0`, {
          token: h.companyAdmin.token,
        })
      ).status,
    ).toBe(400);
  });
});
