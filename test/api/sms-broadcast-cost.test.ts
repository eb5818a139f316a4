import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext, type TestUser } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { createPoolFlow, freshNumbers, type PoolFlow } from '../helpers/dni.js';
import {
  startTwilioMessagesApi,
  type TwilioMessagesApi,
  testMessageSid,
} from '../helpers/twilio-messages.js';

/**
 * A broadcast's cost before it is sent (Estimate Broadcast: the rendered texts' GSM-7 / UCS-2
 * segments times the group's segment price), the same figures on the broadcast, a broadcast sent
 * from a DNI pool's numbers, and quiet hours read again when a recipient's turn comes.
 */
const ACCOUNT_SID = `AC${'6'.repeat(32)}`;
let ctx: TestContext;
let twilioApi: TwilioMessagesApi;
let admin: TestUser;
let sender: string;
let pool: PoolFlow;

const listWith = async (csv: string) => {
  const { body } = await ctx.request('POST', '/v2/smsbroadcast/contactlist', {
    token: admin.token,
    body: { group_id: admin.group_id, list_name: 'List' },
  });
  const id = body.data.list_id as number;
  const imported = await ctx.request('POST', '/v2/smsbroadcast/contactlist/import', {
    token: admin.token,
    body: { list_id: id, csv },
  });
  expect(imported.body.data.errors).toEqual([]);
  return id;
};

const bodiesTo = (to: string) => twilioApi.messages.filter((m) => m.to === to).map((m) => m.body);

beforeAll(async () => {
  twilioApi = await startTwilioMessagesApi({ accountSid: ACCOUNT_SID, authToken: TEST_CARRIER_TOKEN });
  ctx = await createTestContext({
    JOBS_POLL_INTERVAL_MS: '0',
    ACCESS_TOKEN_TTL_SECONDS: String(365 * 24 * 3600),
    TWILIO_API_BASE_URL: twilioApi.baseUrl,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  });
  admin = (await ctx.factory.hierarchy()).companyAdmin;
  [sender] = (await freshNumbers(ctx, 1)).numbers as [string];
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: 'Sender',
        group_id: admin.group_id,
        campaign_id: await ctx.factory.campaign(admin),
        channel_id: 1,
        number: { phone_number: sender },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
  pool = await createPoolFlow(ctx, admin, 3);
}, 300_000);
afterAll(async () => {
  await ctx?.close();
  await twilioApi.close();
});

describe('the cost of a broadcast', () => {
  it('estimates segments per rendered text (GSM-7 and UCS-2) times the group’s price, leaving out opt-outs, and writes nothing', async () => {
    ctx.clock.set(new Date('2026-04-07T17:00:00Z'));
    await createCarrier(ctx.app).send('sms', {
      MessageSid: testMessageSid(),
      AccountSid: ACCOUNT_SID,
      From: '+12125550504',
      To: `+1${sender}`,
      Body: 'stop',
    });
    // Ann's text is 154 characters (1 segment), Bartholomew's 162 (2 parts of 153); ë is not in
    // GSM-7's alphabet, so Zoë's 154 characters are UCS-2 (3 parts of 67)
    const filler = 'x'.repeat(147);
    const list = await listWith(
      'phone_number,first_name\n2125550501,Ann\n2125550502,Bartholomew\n2125550503,Zoë\n2125550504,Opted',
    );
    const template = `Hi {first_name} ${filler}`;
    const before = await ctx.db.query('select count(*)::integer as n from sms_broadcast');
    const { status, body } = await ctx.request('POST', '/v2/smsbroadcast/estimate', {
      token: admin.token,
      body: { group_id: admin.group_id, template, list_ids: [list] },
    });
    expect(status).toBe(200);
    const ann = `Hi Ann ${filler}`;
    const bart = `Hi Bartholomew ${filler}`;
    const zoe = `Hi Zoë ${filler}`;
    expect([ann.length, bart.length, zoe.length]).toEqual([154, 162, 154]);
    expect(body.data).toMatchObject({
      group_id: admin.group_id,
      recipients: 3,
      opted_out: 1,
      total_segments: 1 + 2 + 3,
      segments: 2,
      encoding: 'GSM-7',
      segment_price: 0.0079,
      estimated_cost: 0.0474,
    });
    expect(body.data.samples[0]).toEqual({
      phone_number: '+12125550501',
      body: ann,
      segments: 1,
      encoding: 'GSM-7',
    });
    expect(body.data.samples[2]).toMatchObject({ body: zoe, segments: 3, encoding: 'UCS-2' });
    const after = await ctx.db.query('select count(*)::integer as n from sms_broadcast');
    expect(after.rows).toEqual(before.rows);

    // the price is the group's setting
    const settings = await ctx.request('PUT', '/v2/sms/settings', {
      token: admin.token,
      body: { group_id: admin.group_id, segment_price: 0.01 },
    });
    expect(settings.body.data.segment_price).toBe(0.01);
    const priced = await ctx.request('POST', '/v2/smsbroadcast/estimate', {
      token: admin.token,
      body: { group_id: admin.group_id, template, list_ids: [list] },
    });
    expect(priced.body.data).toMatchObject({ total_segments: 6, estimated_cost: 0.06 });

    // the broadcast carries the same figures (the opted-out person is skipped once their turn comes)
    const created = await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'Cost',
        template,
        list_ids: [list],
        sender_numbers: [sender],
        send_at: '2026-04-08T17:00:00Z',
      },
    });
    expect(created.body.data).toMatchObject({ total_segments: 7, segment_price: 0.01, estimated_cost: 0.07 });
    ctx.clock.set(new Date('2026-04-08T17:00:00Z'));
    for (let i = 0; i < 4; i += 1) {
      await ctx.app.services.jobs.drain();
      ctx.clock.advance(1000);
    }
    const done = await ctx.request('GET', `/v2/smsbroadcast?id=${created.body.data.broadcast_id}`, {
      token: admin.token,
    });
    expect(done.body.data).toMatchObject({ skipped: 1, total_segments: 6, estimated_cost: 0.06 });
  });

  it('refuses an estimate for lists outside the group or a bad price with a clear 400', async () => {
    const bad = await ctx.request('POST', '/v2/smsbroadcast/estimate', {
      token: admin.token,
      body: { group_id: admin.group_id, template: 'x', list_ids: [999999] },
    });
    expect(bad.body).toEqual({
      result: 'error',
      err: 'list_ids 999999: no such contact list in the group',
      data: null,
    });
    const price = await ctx.request('PUT', '/v2/sms/settings', {
      token: admin.token,
      body: { group_id: admin.group_id, segment_price: -1 },
    });
    expect(price.status).toBe(400);
  });
});

describe('a broadcast from a number pool', () => {
  it('sends from the pool’s numbers in turn, and refuses a pool that is not the group’s', async () => {
    ctx.clock.set(new Date('2026-04-09T17:00:00Z'));
    const list = await listWith('phone_number\n3125550601\n3125550602\n3125550603');
    const { status, body } = await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'Pool',
        template: 'From the pool',
        list_ids: [list],
        pool_id: pool.poolId,
      },
    });
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ pool_id: pool.poolId, sender_numbers: [...pool.numbers].sort() });
    await ctx.app.services.jobs.drain();
    const senders = twilioApi.messages
      .filter((m) => m.body === 'From the pool')
      .map((m) => m.from.replace('+1', ''))
      .sort();
    expect(senders).toEqual([...pool.numbers].sort());

    const neither = await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: { group_id: admin.group_id, broadcast_name: 'x', template: 'x', list_ids: [list] },
    });
    expect(neither.body.err).toBe('Give either sender_numbers or pool_id');
    const foreign = await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'x',
        template: 'x',
        list_ids: [list],
        pool_id: 999999,
      },
    });
    expect(foreign.body.err).toBe(`pool_id 999999 is not a number pool of a flow of group ${admin.group_id}`);
  });
});

describe('quiet hours at send time', () => {
  it('holds a recipient whose turn comes inside quiet hours (a broadcast resumed at night) until they end', async () => {
    // 20:00 in New York: outside quiet hours when the broadcast is created, for a future start
    ctx.clock.set(new Date('2026-04-10T00:00:00Z'));
    const list = await listWith('phone_number\n2125550701');
    const { body } = await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'Evening',
        template: 'Evening offer',
        list_ids: [list],
        sender_numbers: [sender],
        send_at: '2026-04-10T00:30:00Z',
      },
    });
    const id = body.data.broadcast_id as number;
    // paused before it starts, resumed at 23:00 New York time: inside quiet hours (21:00-08:00)
    await ctx.request('PUT', '/v2/smsbroadcast/status', {
      token: admin.token,
      body: { broadcast_id: id, action: 'pause' },
    });
    ctx.clock.set(new Date('2026-04-10T03:00:00Z'));
    await ctx.request('PUT', '/v2/smsbroadcast/status', {
      token: admin.token,
      body: { broadcast_id: id, action: 'resume' },
    });
    await ctx.app.services.jobs.drain();
    expect(bodiesTo('+12125550701')).toEqual([]);
    const waiting = await ctx.request('GET', `/v2/smsbroadcast?id=${id}`, { token: admin.token });
    expect(waiting.body.data).toMatchObject({ status: 'scheduled', pending: 1, queued: 0 });
    const { rows } = await ctx.db.query<{ not_before: Date }>(
      'select not_before from sms_broadcast_recipient where broadcast_id = $1',
      [id],
    );
    // 08:00 EDT
    expect(rows[0]?.not_before.toISOString()).toBe('2026-04-10T12:00:00.000Z');

    ctx.clock.set(new Date('2026-04-10T11:59:00Z'));
    await ctx.app.services.jobs.drain();
    expect(bodiesTo('+12125550701')).toEqual([]);
    ctx.clock.set(new Date('2026-04-10T12:00:00Z'));
    await ctx.app.services.jobs.drain();
    expect(bodiesTo('+12125550701')).toEqual(['Evening offer']);
  });

  it('reads the group’s quiet hours as they are when the turn comes, not as they were', async () => {
    // 14:00 in New York; the group then makes 13:00-18:00 quiet before the start at 15:00
    ctx.clock.set(new Date('2026-04-11T18:00:00Z'));
    await ctx.request('PUT', '/v2/sms/settings', {
      token: admin.token,
      body: { group_id: admin.group_id, quiet_start: '21:00', quiet_end: '08:00' },
    });
    const list = await listWith('phone_number\n2125550801');
    await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'Afternoon',
        template: 'Afternoon offer',
        list_ids: [list],
        sender_numbers: [sender],
        send_at: '2026-04-11T19:00:00Z',
      },
    });
    await ctx.request('PUT', '/v2/sms/settings', {
      token: admin.token,
      body: { group_id: admin.group_id, quiet_start: '13:00', quiet_end: '18:00' },
    });
    ctx.clock.set(new Date('2026-04-11T19:00:00Z'));
    await ctx.app.services.jobs.drain();
    expect(bodiesTo('+12125550801')).toEqual([]);
    ctx.clock.set(new Date('2026-04-11T22:00:00Z'));
    await ctx.app.services.jobs.drain();
    expect(bodiesTo('+12125550801')).toEqual(['Afternoon offer']);
    await ctx.request('PUT', '/v2/sms/settings', {
      token: admin.token,
      body: { group_id: admin.group_id, quiet_start: '21:00', quiet_end: '08:00' },
    });
  });
});
