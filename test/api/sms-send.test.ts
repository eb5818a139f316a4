import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPTED_OUT_AT_SEND } from '../../src/modules/sms/sms-send.js';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext, type TestUser } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { freshNumbers } from '../helpers/dni.js';
import {
  startTwilioMessagesApi,
  type TwilioMessagesApi,
  testMessageSid,
} from '../helpers/twilio-messages.js';

/**
 * Two-way texts and opt-outs: Send SMS through a local server speaking Twilio's Messages API,
 * status callbacks, sends that survive lost answers and crashes exactly once, STOP/START/HELP,
 * and that nothing ever goes to a person who opted out.
 */
const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
const HOUR = 3600_000;
let ctx: TestContext;
let twilioApi: TwilioMessagesApi;
let carrier: ReturnType<typeof createCarrier>;
let admin: TestUser;
let outsider: TestUser;
let tracking: string;
let person = 0;

/** A new person's number (E.164 and 10-digit). */
const newPerson = () => {
  person += 1;
  const ten = `2125551${String(person).padStart(3, '0')}`;
  return { e164: `+1${ten}`, ten };
};

const text = (from: string, body: string, to = tracking) =>
  carrier.send('sms', {
    MessageSid: testMessageSid(),
    AccountSid: ACCOUNT_SID,
    From: from,
    To: `+1${to}`,
    Body: body,
  });

const send = (body: Record<string, unknown>, token = admin.token) =>
  ctx.request('POST', '/v2/sms/send', { token, body: { tracking_number: tracking, ...body } });

const messageRow = async (id: number) =>
  (await ctx.request('GET', `/v2/sms/message?id=${id}`, { token: admin.token })).body.data;

const postCallback = async (url: string, form: Record<string, string>, signature: string) =>
  (await carrier.post(url, form, signature)).status;

const drainLater = async (ms = 2 * HOUR) => {
  ctx.clock.advance(ms);
  await ctx.app.services.jobs.drain();
};

beforeAll(async () => {
  twilioApi = await startTwilioMessagesApi({ accountSid: ACCOUNT_SID, authToken: TEST_CARRIER_TOKEN });
  ctx = await createTestContext({
    JOBS_POLL_INTERVAL_MS: '0',
    // the tests move the clock by hours (job retries)
    ACCESS_TOKEN_TTL_SECONDS: String(365 * 24 * 3600),
    TWILIO_API_BASE_URL: twilioApi.baseUrl,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  });
  carrier = createCarrier(ctx.app);
  const h = await ctx.factory.hierarchy();
  admin = h.companyAdmin;
  outsider = await ctx.factory.user(await ctx.factory.group());
  [tracking] = (await freshNumbers(ctx, 1)).numbers as [string];
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: 'Two-way',
        group_id: admin.group_id,
        campaign_id: await ctx.factory.campaign(admin),
        channel_id: 1,
        number: { phone_number: tracking },
        sms_enabled: true,
        sms_feature: { auto_reply: 'Got it.' },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
});
afterAll(async () => {
  await ctx.close();
  await twilioApi.close();
});
beforeEach(() => {
  twilioApi.faults.refuse = undefined;
  twilioApi.faults.dropAnswers = 0;
  twilioApi.faults.unavailable = 0;
});

const createsTo = (to: string) => twilioApi.creates.filter((c) => c.form.get('To') === to);
const atCarrier = (to: string) => twilioApi.messages.filter((m) => m.to === to);

describe('Send SMS', () => {
  it('accepts the text, hands it to the carrier from the job queue, and follows its status callbacks', async () => {
    const to = newPerson();
    const { status, body } = await send({ to_number: to.ten, message: 'Your order is ready.' });
    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      direction: 'outbound',
      purpose: 'message',
      status: 'accepted',
      from_number: tracking,
      to_number: to.ten,
      body: 'Your order is ready.',
      created_by: admin.ct_user_id,
      carrier_message_sid: null,
    });
    expect(atCarrier(to.e164)).toHaveLength(0);

    await ctx.app.services.jobs.drain();
    const [request] = createsTo(to.e164);
    expect(request?.form.get('From')).toBe(`+1${tracking}`);
    expect(request?.form.get('Body')).toBe('Your order is ready.');
    expect(request?.form.get('StatusCallback')).toBe(
      `http://127.0.0.1:3000/telephony/twilio/sms/status?m=${body.data.message_id}`,
    );
    const [sent] = atCarrier(to.e164);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'queued',
      carrier_message_sid: sent?.sid,
    });

    expect(await twilioApi.deliver(sent?.sid as string, 'sent', postCallback)).toBe(200);
    expect((await messageRow(body.data.message_id)).status).toBe('sent');
    await twilioApi.deliver(sent?.sid as string, 'delivered', postCallback);
    expect((await messageRow(body.data.message_id)).status).toBe('delivered');
    // a late callback never moves a message back
    await twilioApi.deliver(sent?.sid as string, 'sent', postCallback);
    expect((await messageRow(body.data.message_id)).status).toBe('delivered');
  });

  it('keeps the carrier’s error code of an undelivered text', async () => {
    const to = newPerson();
    const { body } = await send({ to_number: to.ten, message: 'Hello' });
    await ctx.app.services.jobs.drain();
    const [sent] = atCarrier(to.e164);
    await twilioApi.deliver(sent?.sid as string, 'undelivered', postCallback, 30003);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'undelivered',
      error_code: 30003,
    });
  });

  it('refuses an unsigned status callback', async () => {
    const response = await carrier.post('http://127.0.0.1:3000/telephony/twilio/sms/status?m=1', {
      MessageSid: testMessageSid(),
      AccountSid: ACCOUNT_SID,
      From: '+1',
      To: '+1',
      MessageStatus: 'delivered',
    });
    expect(response.status).toBe(403);
  });

  it('answers a repeated idempotency key with the first message and sends once', async () => {
    const to = newPerson();
    const first = await send({ to_number: to.ten, message: 'Once', idempotency_key: `key-${to.ten}` });
    const second = await send({ to_number: to.ten, message: 'Once', idempotency_key: `key-${to.ten}` });
    expect(second.body.data.message_id).toBe(first.body.data.message_id);
    await ctx.app.services.jobs.drain();
    expect(createsTo(to.e164)).toHaveLength(1);
  });

  it('fails a text the carrier refuses with its error code, without retrying', async () => {
    const to = newPerson();
    twilioApi.faults.refuse = {
      status: 400,
      code: 21610,
      message: 'Attempt to send to unsubscribed recipient',
    };
    const { body } = await send({ to_number: to.ten, message: 'Refused' });
    await ctx.app.services.jobs.drain();
    await drainLater();
    expect(createsTo(to.e164)).toHaveLength(1);
    expect(await messageRow(body.data.message_id)).toMatchObject({ status: 'failed', error_code: 21610 });
  });

  it('sends once when the carrier took the text but its answer was lost: the retry finds it there', async () => {
    const to = newPerson();
    twilioApi.faults.dropAnswers = 1;
    const { body } = await send({ to_number: to.ten, message: 'Answer lost' });
    await ctx.app.services.jobs.drain();
    expect(atCarrier(to.e164)).toHaveLength(1);
    expect((await messageRow(body.data.message_id)).status).toBe('sending');
    await drainLater();
    expect(createsTo(to.e164)).toHaveLength(1);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'queued',
      carrier_message_sid: atCarrier(to.e164)[0]?.sid,
    });
  });

  it('sends again when the carrier was unavailable (it has nothing), and only once', async () => {
    const to = newPerson();
    twilioApi.faults.unavailable = 1;
    const { body } = await send({ to_number: to.ten, message: 'Try again' });
    await ctx.app.services.jobs.drain();
    expect(atCarrier(to.e164)).toHaveLength(0);
    await drainLater();
    expect(createsTo(to.e164)).toHaveLength(2);
    expect(atCarrier(to.e164)).toHaveLength(1);
    expect((await messageRow(body.data.message_id)).status).toBe('queued');
  });

  it('sends once after a crash between the claim and the request (a job whose lease ran out)', async () => {
    const to = newPerson();
    const { body } = await send({ to_number: to.ten, message: 'After a crash' });
    const id = body.data.message_id;
    // what a process killed after marking the send and before calling the carrier leaves behind
    await ctx.db.query(
      `update sms_message set status = 'sending', send_started_at = $2 where message_id = $1`,
      [id, ctx.clock.now()],
    );
    await ctx.db.query(
      `update job set attempts = 1, locked_until = $2, claimed_by = 'dead-process' where dedupe_key = $1`,
      [`sms.send:${id}`, new Date(ctx.clock.now().getTime() + 60_000)],
    );
    await ctx.app.services.jobs.drain();
    expect(createsTo(to.e164)).toHaveLength(0);
    await drainLater(5 * 60_000);
    expect(createsTo(to.e164)).toHaveLength(1);
    expect((await messageRow(id)).status).toBe('queued');
    await drainLater();
    expect(createsTo(to.e164)).toHaveLength(1);
  });

  it('sends once after a crash after the carrier took the text (the status callback names the message)', async () => {
    const to = newPerson();
    twilioApi.faults.dropAnswers = 1;
    const { body } = await send({ to_number: to.ten, message: 'Callback first' });
    await ctx.app.services.jobs.drain();
    const [sent] = atCarrier(to.e164);
    // the carrier's callback arrives before the retry: it names the message in its URL
    await twilioApi.deliver(sent?.sid as string, 'delivered', postCallback);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'delivered',
      carrier_message_sid: sent?.sid,
    });
    await drainLater();
    expect(createsTo(to.e164)).toHaveLength(1);
  });

  it('refuses a number outside the caller’s groups, and bad numbers, and sends nothing', async () => {
    const to = newPerson();
    const foreign = await send({ to_number: to.ten, message: 'x' }, outsider.token);
    expect(foreign.status).toBe(400);
    expect(foreign.body).toMatchObject({
      result: 'error',
      err: `tracking_number ${tracking} is not a tracking number of your groups`,
    });
    const bad = await send({ to_number: '123', message: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.err).toBe('to_number 123 is not a valid 10-digit phone number');
    const empty = await send({ to_number: to.ten, message: '  ' });
    expect(empty.status).toBe(400);
    await ctx.app.services.jobs.drain();
    expect(createsTo(to.e164)).toHaveLength(0);
  });
});

describe('opt-outs', () => {
  const optOuts = async (filter = '') =>
    (await ctx.request('GET', `/v2/sms/optout/list${filter}`, { token: admin.token })).body.data;

  it('opts a person out on any STOP keyword, answers once, and refuses every later send with a clear error', async () => {
    for (const keyword of ['STOP', ' stop ', 'StopAll', 'unsubscribe\n', 'Cancel', 'END', 'quit']) {
      const who = newPerson();
      const reply = await text(who.e164, keyword);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatch(/<Message>.*unsubscribed.*Reply START to resubscribe\.<\/Message>/);
      const { status, body } = await send({ to_number: who.ten, message: 'Are you there?' });
      expect(status).toBe(400);
      expect(body).toEqual({
        result: 'error',
        err: `${who.ten} has opted out of texts from this group (replied STOP); nothing was sent`,
        data: null,
      });
      const listed = await optOuts(`?filter=contact_number=${who.ten}`);
      expect(listed).toMatchObject([{ contact_number: who.ten, opted_out: true, tracking_number: tracking }]);
    }
  });

  it('sends no auto-reply to a person who opted out, and nothing queued before the STOP', async () => {
    const who = newPerson();
    const { body } = await send({ to_number: who.ten, message: 'Queued before STOP' });
    await text(who.e164, 'STOP');
    await text(who.e164, 'why did you text me');
    await ctx.app.services.jobs.drain();
    expect(createsTo(who.e164)).toHaveLength(0);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'failed',
      error_message: OPTED_OUT_AT_SEND,
    });
  });

  it('opts back in on START, UNSTOP or YES', async () => {
    for (const keyword of ['start', 'UNSTOP', ' Yes']) {
      const who = newPerson();
      await text(who.e164, 'stop');
      const reply = await text(who.e164, keyword);
      expect(reply.body).toContain('subscribed again');
      const { status } = await send({ to_number: who.ten, message: 'Welcome back' });
      expect(status).toBe(200);
      expect(await optOuts(`?filter=contact_number=${who.ten}`)).toMatchObject([{ opted_out: false }]);
    }
  });

  it('answers HELP with the group’s help text, or a default naming the group', async () => {
    const who = newPerson();
    expect((await text(who.e164, 'help')).body).toMatch(/reply STOP to stop texts, START to get them again/);
    const saved = await ctx.request('PUT', '/v2/sms/settings', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        help_text: 'Acme Plumbing: call 801-555-0100. Reply STOP to opt out.',
      },
    });
    expect(saved.body.data).toMatchObject({
      help_text: 'Acme Plumbing: call 801-555-0100. Reply STOP to opt out.',
    });
    expect((await text(who.e164, ' HELP ')).body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Acme Plumbing: call 801-555-0100. Reply STOP to opt out.</Message></Response>',
    );
  });

  it('exports the opt-outs as CSV', async () => {
    const who = newPerson();
    await text(who.e164, 'STOP');
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/v2/sms/optout/export?filter=contact_number=${who.ten}`,
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = response.body.trim().split('\n');
    expect(lines[0]).toBe(
      'group_id,contact_number,opted_out,keyword,tracking_number,opted_out_at,changed_at',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${admin.group_id},${who.ten},true,STOP,${tracking},`));
  });

  it('keeps opt-outs to the caller’s groups', async () => {
    const listed = await ctx.request('GET', '/v2/sms/optout/list', { token: outsider.token });
    expect(listed.body.data).toEqual([]);
  });
});

describe('conversations', () => {
  it('lists conversations newest first with unread counts, filters them, and marks them read', async () => {
    const a = newPerson();
    const b = newPerson();
    await text(a.e164, 'first from a');
    ctx.clock.advance(60_000);
    await text(b.e164, 'from b');
    ctx.clock.advance(60_000);
    await text(a.e164, 'second from a');
    const { body } = await ctx.request('GET', '/v2/sms/conversation/list?limit=2', { token: admin.token });
    expect(body.data.map((c: { contact_number: string }) => c.contact_number)).toEqual([a.ten, b.ten]);
    expect(body.data[0]).toMatchObject({
      unread_count: 2,
      last_body: 'second from a',
      last_direction: 'inbound',
    });

    const filtered = await ctx.request('GET', `/v2/sms/conversation/list?filter=contact_number=${b.ten}`, {
      token: admin.token,
    });
    expect(filtered.body.data).toHaveLength(1);
    const id = body.data[0].conversation_id;
    const messages = await ctx.request('GET', `/v2/sms/conversation/message?id=${id}`, {
      token: admin.token,
    });
    // newest first; the auto-reply went out after the first text only
    expect(messages.body.data.map((m: { body: string }) => m.body)).toEqual([
      'second from a',
      'Got it.',
      'first from a',
    ]);

    const read = await ctx.request('PUT', '/v2/sms/conversation/read', {
      token: admin.token,
      body: { conversation_id: id },
    });
    expect(read.body.data.unread_count).toBe(0);
    const unread = await ctx.request(
      'GET',
      `/v2/sms/conversation/list?filter=unread_count>=1,contact_number=${a.ten}`,
      {
        token: admin.token,
      },
    );
    expect(unread.body.data).toEqual([]);
  });

  it('keeps conversations to the caller’s groups', async () => {
    const { body } = await ctx.request('GET', '/v2/sms/conversation/list', { token: outsider.token });
    expect(body.data).toEqual([]);
    const any = await ctx.db.query<{ conversation_id: number }>(
      'select conversation_id from sms_conversation limit 1',
    );
    const one = await ctx.request('GET', `/v2/sms/conversation?id=${any.rows[0]?.conversation_id}`, {
      token: outsider.token,
    });
    expect(one.status).toBe(404);
  });
});
