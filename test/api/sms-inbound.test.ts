import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext, type TestUser } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { createPoolFlow, dniCodeOf, freshNumbers, requestNumber } from '../helpers/dni.js';
import {
  startTwilioMessagesApi,
  type TwilioMessagesApi,
  testMessageSid,
} from '../helpers/twilio-messages.js';

/**
 * Texts to a tracking number through the messaging webhook (POST /telephony/twilio/sms): signed
 * like voice, recorded once per MessageSid in a conversation, attributed like a call, forwarded
 * and answered as the flow says, through a local server speaking Twilio's Messages API.
 */
const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
let ctx: TestContext;
let twilioApi: TwilioMessagesApi;
let carrier: ReturnType<typeof createCarrier>;
let admin: TestUser;
let campaignId: number;
let tracking: string;
let flowId: number;

const text = (fields: Record<string, string>) =>
  carrier.send('sms', { AccountSid: ACCOUNT_SID, NumMedia: '0', ...fields });

beforeAll(async () => {
  twilioApi = await startTwilioMessagesApi({ accountSid: ACCOUNT_SID, authToken: TEST_CARRIER_TOKEN });
  ctx = await createTestContext({
    JOBS_POLL_INTERVAL_MS: '0',
    TWILIO_API_BASE_URL: twilioApi.baseUrl,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  });
  carrier = createCarrier(ctx.app);
  const h = await ctx.factory.hierarchy();
  admin = h.companyAdmin;
  campaignId = await ctx.factory.campaign(admin);
  [tracking] = (await freshNumbers(ctx, 1)).numbers as [string];
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: 'Texts',
        group_id: admin.group_id,
        campaign_id: campaignId,
        channel_id: 3,
        repeat_interval: 24,
        number: { phone_number: tracking },
        sms_enabled: true,
        sms_feature: { forward_to: '8015550100', auto_reply: 'Thanks! We will text you back soon.' },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
  flowId = Number(body[0].data);
});
afterAll(async () => {
  await ctx.close();
  await twilioApi.close();
});

const messagesOf = async (sid: string) =>
  (
    await ctx.db.query<{ message_id: number; conversation_id: number }>(
      'select message_id, conversation_id from sms_message where carrier_message_sid = $1',
      [sid],
    )
  ).rows;

describe('the messaging webhook', () => {
  it('refuses an unsigned or wrongly signed text with 403 and records nothing', async () => {
    const sid = testMessageSid();
    const form = {
      MessageSid: sid,
      AccountSid: ACCOUNT_SID,
      From: '+12125550101',
      To: `+1${tracking}`,
      Body: 'hi',
    };
    const unsigned = await carrier.post('http://127.0.0.1:3000/telephony/twilio/sms', form);
    expect(unsigned.status).toBe(403);
    const forged = await carrier.post(
      'http://127.0.0.1:3000/telephony/twilio/sms',
      form,
      'bm90IGEgc2lnbmF0dXJl',
    );
    expect(forged.status).toBe(403);
    expect(await messagesOf(sid)).toHaveLength(0);
  });

  it('refuses a form without a MessageSid in Twilio’s form', async () => {
    const response = await text({
      MessageSid: 'CA123',
      From: '+12125550101',
      To: `+1${tracking}`,
      Body: 'hi',
    });
    expect(response.status).toBe(400);
  });

  it('records a text in the conversation, attributed to the flow, with its media, once per MessageSid', async () => {
    const sid = testMessageSid();
    const form = {
      MessageSid: sid,
      From: '+12125550101',
      To: `+1${tracking}`,
      Body: 'Do you deliver on Sundays?',
      NumMedia: '2',
      MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM1/Media/ME1',
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM1/Media/ME2',
      MediaContentType1: 'image/png',
    };
    const first = await text(form);
    expect(first.status).toBe(200);
    expect(first.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const again = await text(form);
    expect(again).toEqual(first);
    const rows = await messagesOf(sid);
    expect(rows).toHaveLength(1);

    const { body } = await ctx.request('GET', `/v2/sms/message?id=${rows[0]?.message_id}`, {
      token: admin.token,
    });
    expect(body.data).toMatchObject({
      direction: 'inbound',
      purpose: 'message',
      group_id: admin.group_id,
      tracking_number: tracking,
      contact_number: '2125550101',
      from_number: '2125550101',
      to_number: tracking,
      body: 'Do you deliver on Sundays?',
      status: 'received',
      call_flow_id: flowId,
      campaign_id: campaignId,
      channel_id: 3,
      is_repeat: false,
      attribution: null,
      media_urls: [form.MediaUrl0, form.MediaUrl1],
    });
  });

  it('forwards the text to the flow’s destination and auto-replies once a day, through the Messages API', async () => {
    const from = '+12125550102';
    await text({ MessageSid: testMessageSid(), From: from, To: `+1${tracking}`, Body: 'First text' });
    await ctx.app.services.jobs.drain();
    const sentTo = (to: string) => twilioApi.messages.filter((m) => m.to === to);
    expect(sentTo('+18015550100').map((m) => [m.from, m.body])).toContainEqual([
      `+1${tracking}`,
      'Text from 2125550102: First text',
    ]);
    expect(sentTo(from).map((m) => m.body)).toEqual(['Thanks! We will text you back soon.']);

    await text({ MessageSid: testMessageSid(), From: from, To: `+1${tracking}`, Body: 'Second text' });
    await ctx.app.services.jobs.drain();
    expect(sentTo('+18015550100').map((m) => m.body)).toContain('Text from 2125550102: Second text');
    // no second auto-reply within a day
    expect(sentTo(from)).toHaveLength(1);
  });

  it('marks a second text from the same person a repeat, and counts it unread in the conversation', async () => {
    const from = '+12125550103';
    await text({ MessageSid: testMessageSid(), From: from, To: `+1${tracking}`, Body: 'one' });
    const second = testMessageSid();
    await text({ MessageSid: second, From: from, To: `+1${tracking}`, Body: 'two' });
    const [row] = await messagesOf(second);
    const { body } = await ctx.request('GET', `/v2/sms/message?id=${row?.message_id}`, {
      token: admin.token,
    });
    expect(body.data.is_repeat).toBe(true);
    const conversation = await ctx.request('GET', `/v2/sms/conversation?id=${row?.conversation_id}`, {
      token: admin.token,
    });
    expect(conversation.body.data).toMatchObject({ contact_number: '2125550103', unread_count: 2 });
  });

  it('answers a text to a number without a flow with an empty response and records nothing', async () => {
    const sid = testMessageSid();
    const response = await text({
      MessageSid: sid,
      From: '+12125550104',
      To: '+19995550000',
      Body: 'hello?',
    });
    expect(response.status).toBe(200);
    expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await messagesOf(sid)).toHaveLength(0);
  });

  it('attributes a text to a pool number to the website visit holding the number', async () => {
    const pool = await createPoolFlow(ctx, admin, 2);
    const code = await dniCodeOf(ctx, admin.group_id);
    const { body: leased } = await requestNumber(ctx.app, {
      code,
      visitor: 'visitor-sms',
      page: 'https://www.example.com/pricing?utm_source=newsletter',
      referrer: '',
    });
    const number = String(leased.number);
    expect(pool.numbers).toContain(number);
    const sid = testMessageSid();
    await text({ MessageSid: sid, From: '+12125550105', To: `+1${number}`, Body: 'Saw your site' });
    const [row] = await messagesOf(sid);
    const { body } = await ctx.request('GET', `/v2/sms/message?id=${row?.message_id}`, {
      token: admin.token,
    });
    expect(body.data.call_flow_id).toBe(pool.callFlowId);
    expect(body.data.attribution).toMatchObject({
      confidence: 'exact',
      visitor_id: 'visitor-sms',
      utm_source: 'newsletter',
    });
  });
});
