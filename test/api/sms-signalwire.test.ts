import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext, type TestUser } from '../helpers/app.js';
import { freshNumbers } from '../helpers/dni.js';
import {
  createSignalWire,
  SIGNALWIRE_API_TOKEN,
  SIGNALWIRE_PROJECT,
  SIGNALWIRE_SIGNING_KEY,
} from '../helpers/other-carriers.js';
import { startTwilioMessagesApi, type TwilioMessagesApi } from '../helpers/twilio-messages.js';

/**
 * Texts over SignalWire: its messaging webhook (/telephony/signalwire/sms, LaML forms signed with
 * X-SignalWire-Signature), sends through its LaML Messages API under the space URL (a local
 * server speaking it, UUID message ids), its status callbacks, opt-outs, and a send that survives
 * a lost answer or a crash exactly once. The number's carrier chooses the API: CARRIER stays
 * Twilio here, and a number whose texts come through SignalWire answers through SignalWire.
 */
const TWILIO_SID = `AC${'5'.repeat(32)}`;
const HOUR = 3600_000;
let ctx: TestContext;
let signalwireApi: TwilioMessagesApi;
let twilioApi: TwilioMessagesApi;
let signalwire: ReturnType<typeof createSignalWire>;
let admin: TestUser;
let tracking: string;
let untouched: string;
let person = 0;

const newPerson = () => {
  person += 1;
  const ten = `6465552${String(person).padStart(3, '0')}`;
  return { e164: `+1${ten}`, ten };
};

/** A text to `to` as SignalWire posts it to the number's messaging URL. */
const textForm = (from: string, body: string, to = tracking, sid = randomUUID()) => ({
  MessageSid: sid,
  SmsSid: sid,
  AccountSid: SIGNALWIRE_PROJECT,
  From: from,
  To: `+1${to}`,
  Body: body,
  NumMedia: '0',
});
const text = (from: string, body: string, to = tracking) =>
  signalwire.signedPost(`${signalwire.base}/sms`, textForm(from, body, to));

const send = (body: Record<string, unknown>) =>
  ctx.request('POST', '/v2/sms/send', { token: admin.token, body: { tracking_number: tracking, ...body } });
const messageRow = async (id: number) =>
  (await ctx.request('GET', `/v2/sms/message?id=${id}`, { token: admin.token })).body.data;
const postCallback = async (url: string, form: Record<string, string>, signature: string) =>
  (await signalwire.post(url, form, signature)).status;
const drainLater = async (ms = 2 * HOUR) => {
  ctx.clock.advance(ms);
  await ctx.app.services.jobs.drain();
};
const createsTo = (api: TwilioMessagesApi, to: string) => api.creates.filter((c) => c.form.get('To') === to);
const atSignalWire = (to: string) => signalwireApi.messages.filter((m) => m.to === to);

async function flowOn(number: string) {
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: `SignalWire texts ${number}`,
        group_id: admin.group_id,
        campaign_id: await ctx.factory.campaign(admin),
        channel_id: 1,
        number: { phone_number: number },
        sms_enabled: true,
        sms_feature: { auto_reply: 'Thanks, we will text you back.' },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
}

beforeAll(async () => {
  signalwireApi = await startTwilioMessagesApi({
    accountSid: SIGNALWIRE_PROJECT,
    authToken: SIGNALWIRE_API_TOKEN,
    prefix: '/api/laml',
    sidOf: () => randomUUID(),
    signingKey: SIGNALWIRE_SIGNING_KEY,
  });
  twilioApi = await startTwilioMessagesApi({ accountSid: TWILIO_SID, authToken: TEST_CARRIER_TOKEN });
  ctx = await createTestContext({
    JOBS_POLL_INTERVAL_MS: '0',
    ACCESS_TOKEN_TTL_SECONDS: String(365 * 24 * 3600),
    TWILIO_API_BASE_URL: twilioApi.baseUrl,
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    SIGNALWIRE_SPACE_URL: signalwireApi.baseUrl,
    SIGNALWIRE_PROJECT_ID: SIGNALWIRE_PROJECT,
    SIGNALWIRE_API_TOKEN,
    SIGNALWIRE_SIGNING_KEY,
  });
  signalwire = createSignalWire(ctx.app);
  admin = (await ctx.factory.hierarchy()).companyAdmin;
  [tracking, untouched] = (await freshNumbers(ctx, 2)).numbers as [string, string];
  await flowOn(tracking);
  await flowOn(untouched);
  // the number's first text comes through SignalWire: that is where its texts are
  expect((await text(newPerson().e164, 'Hello there')).status).toBe(200);
  await ctx.app.services.jobs.drain();
}, 180_000);
afterAll(async () => {
  await ctx?.close();
  await signalwireApi?.close();
  await twilioApi?.close();
});

describe('inbound texts at /telephony/signalwire/sms', () => {
  it('refuses a missing, forged, wrongly keyed or tampered signature with 403 and stores nothing', async () => {
    const who = newPerson();
    const url = `${signalwire.base}/sms`;
    const form = textForm(who.e164, 'forged');
    expect((await signalwire.post(url, form)).status).toBe(403);
    expect((await signalwire.post(url, form, 'bm90IGEgc2lnbmF0dXJl')).status).toBe(403);
    expect((await signalwire.signedPost(url, form, 'PSK_some-other-project-key')).status).toBe(403);
    // signed for another body: the text was changed on the way
    expect(
      (await signalwire.post(url, { ...form, Body: 'changed' }, signalwire.signatureOf(url, form))).status,
    ).toBe(403);
    const { rows } = await ctx.db.query('select 1 from sms_message where carrier_message_sid = $1', [
      form.MessageSid,
    ]);
    expect(rows).toHaveLength(0);
    const status = await signalwire.post(`${signalwire.base}/sms/status?m=1`, {
      MessageSid: randomUUID(),
      AccountSid: SIGNALWIRE_PROJECT,
      From: '+1',
      To: '+1',
      MessageStatus: 'delivered',
    });
    expect(status.status).toBe(403);
  });

  it('records a text once per MessageSid, answers a retry with the same LaML, and auto-replies through SignalWire once', async () => {
    const who = newPerson();
    const form = textForm(who.e164, 'Do you deliver?');
    const first = await signalwire.signedPost(`${signalwire.base}/sms`, form);
    const again = await signalwire.signedPost(`${signalwire.base}/sms`, form);
    expect(first.status).toBe(200);
    expect(again.body).toBe(first.body);
    const { rows } = await ctx.db.query<{ carrier: string; body: string }>(
      'select carrier, body from sms_message where carrier_message_sid = $1',
      [form.MessageSid],
    );
    expect(rows).toEqual([{ carrier: 'signalwire', body: 'Do you deliver?' }]);
    await ctx.app.services.jobs.drain();
    expect(createsTo(signalwireApi, who.e164).map((c) => c.form.get('Body'))).toEqual([
      'Thanks, we will text you back.',
    ]);
    expect(createsTo(twilioApi, who.e164)).toHaveLength(0);
  });

  it('opts out on STOP (answered in LaML), refuses every later send, and opts back in on START', async () => {
    const who = newPerson();
    const stop = await text(who.e164, ' Stop ');
    expect(stop.status).toBe(200);
    expect(stop.body).toMatch(/<Message>.*unsubscribed.*<\/Message>/);
    const refused = await send({ to_number: who.ten, message: 'Still there?' });
    expect(refused.status).toBe(400);
    expect(refused.body.err).toBe(
      `${who.ten} has opted out of texts from this group (replied STOP); nothing was sent`,
    );
    await ctx.app.services.jobs.drain();
    expect(createsTo(signalwireApi, who.e164)).toHaveLength(0);
    expect((await text(who.e164, 'HELP')).body).toMatch(/reply STOP to stop texts/);
    expect((await text(who.e164, 'start')).body).toContain('subscribed again');
    expect((await send({ to_number: who.ten, message: 'Welcome back' })).status).toBe(200);
  });
});

describe('sending through SignalWire', () => {
  it('hands the text to the LaML Messages API under the space and follows its status callbacks', async () => {
    const to = newPerson();
    const { status, body } = await send({ to_number: to.ten, message: 'Your table is ready.' });
    expect(status).toBe(200);
    await ctx.app.services.jobs.drain();
    const [request] = createsTo(signalwireApi, to.e164);
    expect(request?.form.get('From')).toBe(`+1${tracking}`);
    expect(request?.form.get('StatusCallback')).toBe(
      `http://127.0.0.1:3000/telephony/signalwire/sms/status?m=${body.data.message_id}`,
    );
    expect(createsTo(twilioApi, to.e164)).toHaveLength(0);
    const [sent] = atSignalWire(to.e164);
    expect(sent?.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'queued',
      carrier_message_sid: sent?.sid,
      carrier: 'signalwire',
    });
    // SignalWire's `initiated` is still queued in Switchboard's words
    expect(await signalwireApi.deliver(sent?.sid as string, 'initiated', postCallback)).toBe(200);
    expect((await messageRow(body.data.message_id)).status).toBe('queued');
    await signalwireApi.deliver(sent?.sid as string, 'sent', postCallback);
    expect((await messageRow(body.data.message_id)).status).toBe('sent');
    await signalwireApi.deliver(sent?.sid as string, 'delivered', postCallback);
    expect((await messageRow(body.data.message_id)).status).toBe('delivered');
  });

  it('keeps the error code of an undelivered text', async () => {
    const to = newPerson();
    const { body } = await send({ to_number: to.ten, message: 'Hello' });
    await ctx.app.services.jobs.drain();
    const [sent] = atSignalWire(to.e164);
    await signalwireApi.deliver(sent?.sid as string, 'undelivered', postCallback, 30005);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'undelivered',
      error_code: 30005,
    });
  });

  it('sends from a number with no known carrier through CARRIER (Twilio), not SignalWire', async () => {
    const to = newPerson();
    const { status } = await send({ tracking_number: untouched, to_number: to.ten, message: 'Via Twilio' });
    expect(status).toBe(200);
    await ctx.app.services.jobs.drain();
    expect(createsTo(twilioApi, to.e164)).toHaveLength(1);
    expect(createsTo(signalwireApi, to.e164)).toHaveLength(0);
  });

  it('sends once when SignalWire took the text but its answer was lost: the retry finds it in the list', async () => {
    const to = newPerson();
    signalwireApi.faults.dropAnswers = 1;
    const { body } = await send({ to_number: to.ten, message: 'Answer lost' });
    await ctx.app.services.jobs.drain();
    expect((await messageRow(body.data.message_id)).status).toBe('sending');
    await drainLater();
    expect(createsTo(signalwireApi, to.e164)).toHaveLength(1);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'queued',
      carrier_message_sid: atSignalWire(to.e164)[0]?.sid,
    });
  });

  it('sends once after a crash between the claim and the request', async () => {
    const to = newPerson();
    const { body } = await send({ to_number: to.ten, message: 'After a crash' });
    const id = body.data.message_id;
    await ctx.db.query(
      `update sms_message set status = 'sending', send_started_at = $2, carrier = 'signalwire' where message_id = $1`,
      [id, ctx.clock.now()],
    );
    await ctx.db.query(
      `update job set attempts = 1, locked_until = $2, claimed_by = 'dead-process' where dedupe_key = $1`,
      [`sms.send:${id}`, new Date(ctx.clock.now().getTime() + 60_000)],
    );
    await drainLater(5 * 60_000);
    expect(createsTo(signalwireApi, to.e164)).toHaveLength(1);
    expect((await messageRow(id)).status).toBe('queued');
    await drainLater();
    expect(createsTo(signalwireApi, to.e164)).toHaveLength(1);
  });

  it('does not let a SignalWire callback naming a Twilio text (whose answer was lost) change it', async () => {
    const to = newPerson();
    twilioApi.faults.dropAnswers = 1;
    const { body } = await send({ tracking_number: untouched, to_number: to.ten, message: 'Twilio text' });
    await ctx.app.services.jobs.drain();
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'sending',
      carrier_message_sid: null,
    });
    const forged = await signalwire.signedPost(`${signalwire.base}/sms/status?m=${body.data.message_id}`, {
      MessageSid: randomUUID(),
      AccountSid: SIGNALWIRE_PROJECT,
      From: `+1${untouched}`,
      To: to.e164,
      MessageStatus: 'delivered',
    });
    expect(forged.status).toBe(200);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'sending',
      carrier_message_sid: null,
    });
  });
});
