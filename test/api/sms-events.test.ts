import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext, type TestUser } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { freshNumbers } from '../helpers/dni.js';
import { type Receiver, startReceiver, verifySignature } from '../helpers/receiver.js';
import {
  startTwilioMessagesApi,
  type TwilioMessagesApi,
  testMessageSid,
} from '../helpers/twilio-messages.js';

/**
 * The webhook events of texts: `sms.received` for an inbound text and `sms.status` for each status
 * an outbound text reaches, delivered through the webhook system (signed, retried, logged) to a
 * local receiver; only to webhooks that asked for them; once per change, whatever the carrier
 * repeats.
 */
const ACCOUNT_SID = `AC${'5'.repeat(32)}`;
let ctx: TestContext;
let twilioApi: TwilioMessagesApi;
let receiver: Receiver;
let admin: TestUser;
let tracking: string;
let smsWebhook: { id: number; secret: string };
let callWebhookId: number;
let carrier: ReturnType<typeof createCarrier>;

const postCallback = async (url: string, form: Record<string, string>, signature: string) =>
  (await carrier.post(url, form, signature)).status;

const webhook = async (name: string, events?: string[]) => {
  const { body } = await ctx.request('POST', '/v2/webhook', {
    token: admin.token,
    body: {
      org_unit_id: admin.group_id,
      webhook_Name: name,
      webhook_Endpoint: receiver.url,
      ...(events ? { events } : {}),
    },
  });
  return { id: body.data.insertId as number, secret: body.data.signing_secret as string };
};

const received = (event: string) =>
  receiver.requests.filter((request) => request.headers['x-switchboard-event'] === event);

beforeAll(async () => {
  twilioApi = await startTwilioMessagesApi({ accountSid: ACCOUNT_SID, authToken: TEST_CARRIER_TOKEN });
  receiver = await startReceiver();
  ctx = await createTestContext({
    JOBS_POLL_INTERVAL_MS: '0',
    TWILIO_API_BASE_URL: twilioApi.baseUrl,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  });
  carrier = createCarrier(ctx.app);
  admin = (await ctx.factory.hierarchy()).companyAdmin;
  [tracking] = (await freshNumbers(ctx, 1)).numbers as [string];
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: 'Texts',
        group_id: admin.group_id,
        campaign_id: await ctx.factory.campaign(admin),
        channel_id: 1,
        number: { phone_number: tracking },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
  smsWebhook = await webhook('Texts', ['sms.received', 'sms.status']);
  // created without events: the call events only
  callWebhookId = (await webhook('Calls only')).id;
}, 300_000);
afterAll(async () => {
  await ctx?.close();
  await twilioApi.close();
  await receiver.close();
});

describe('sms webhook events', () => {
  it('a webhook created without events gets the call events, not the text events', async () => {
    const { body } = await ctx.request('GET', `/v2/webhook?ouId=${admin.group_id}`, { token: admin.token });
    const calls = body.data.find((w: { webhook_id: number }) => w.webhook_id === callWebhookId);
    expect(calls.events).toEqual(['call.started', 'call.completed', 'call.updated', 'call.analyzed']);
  });

  it('sends sms.received for an inbound text, signed, once however often the carrier posts it', async () => {
    const sid = testMessageSid();
    const form = {
      MessageSid: sid,
      AccountSid: ACCOUNT_SID,
      From: '+12125550301',
      To: `+1${tracking}`,
      Body: 'Hi there',
    };
    await carrier.send('sms', form);
    await carrier.send('sms', form);
    await ctx.app.services.jobs.drain();

    const events = received('sms.received');
    expect(events).toHaveLength(1);
    const request = events[0] as (typeof events)[number];
    const payload = JSON.parse(request.body);
    expect(payload).toMatchObject({
      event: 'sms.received',
      webhook_id: smsWebhook.id,
      data: {
        direction: 'inbound',
        body: 'Hi there',
        from_number: '2125550301',
        to_number: tracking,
        carrier_message_sid: sid,
        status: 'received',
        group_id: admin.group_id,
      },
    });
    expect(
      verifySignature(smsWebhook.secret, request.headers['x-switchboard-signature'] as string, request.body),
    ).toBe(true);
    // logged like every delivery, with no call
    const log = await ctx.request('GET', `/v2/webhook/delivery?webhook_id=${smsWebhook.id}`, {
      token: admin.token,
    });
    expect(log.body.data[0]).toMatchObject({
      event_type: 'sms.received',
      call_id: null,
      status: 'succeeded',
    });
    // the call-only webhook got nothing
    const other = await ctx.request('GET', `/v2/webhook/delivery?webhook_id=${callWebhookId}`, {
      token: admin.token,
    });
    expect(Array.isArray(other.body.data) ? other.body.data : []).toEqual([]);
  });

  /** Sends a text through Send SMS and the job queue: its id, and the sid the carrier gave it. */
  const sendText = async (to: string, message: string) => {
    const sent = await ctx.request('POST', '/v2/sms/send', {
      token: admin.token,
      body: { tracking_number: tracking, to_number: to, message },
    });
    expect(sent.status).toBe(200);
    await ctx.app.services.jobs.drain();
    return {
      messageId: sent.body.data.message_id as number,
      sid: twilioApi.messages.find((m) => m.to === `+1${to}`)?.sid as string,
    };
  };

  it('sends sms.status for each status a sent text reaches, once each, with the error code', async () => {
    const { messageId, sid } = await sendText('2125550302', 'We are open');
    await twilioApi.deliver(sid, 'sent', postCallback);
    await twilioApi.deliver(sid, 'sent', postCallback);
    await twilioApi.deliver(sid, 'undelivered', postCallback, 30003);
    await ctx.app.services.jobs.drain();

    const statuses = received('sms.status')
      .map((request) => JSON.parse(request.body).data)
      .filter((data) => data.message_id === messageId);
    expect(statuses.map((data) => data.status)).toEqual(['queued', 'sent', 'undelivered']);
    expect(statuses[2]).toMatchObject({ error_code: 30003, direction: 'outbound', body: 'We are open' });
  });

  it('queues no sms.status event for a text whose group has no webhook that wants it', async () => {
    await ctx.db.query(`update webhook set webhook_status = 'inactive' where webhook_id = $1`, [
      smsWebhook.id,
    ]);
    try {
      const { messageId, sid } = await sendText('2125550303', 'Nobody listens');
      await twilioApi.deliver(sid, 'delivered', postCallback);
      await ctx.app.services.jobs.drain();
      const { rows } = await ctx.db.query<{ status: string }>(
        'select status from sms_message where message_id = $1',
        [messageId],
      );
      expect(rows).toEqual([{ status: 'delivered' }]);
      // the call-only webhook and the inactive one want none: not even a job that would find that out
      const { rows: jobs } = await ctx.db.query('select dedupe_key from job where dedupe_key like $1', [
        `sms.status:${messageId}:%`,
      ]);
      expect(jobs).toEqual([]);
    } finally {
      await ctx.db.query(`update webhook set webhook_status = 'active' where webhook_id = $1`, [
        smsWebhook.id,
      ]);
    }
  });

  it('refuses an unknown event name with a clear 400 and creates nothing', async () => {
    const { status, body } = await ctx.request('POST', '/v2/webhook', {
      token: admin.token,
      body: {
        org_unit_id: admin.group_id,
        webhook_Name: 'Bad',
        webhook_Endpoint: receiver.url,
        events: ['sms.sent'],
      },
    });
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('events');
  });
});
