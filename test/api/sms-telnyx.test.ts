import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELNYX_LOST_ANSWER } from '../../src/telephony/telnyx-texts.js';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { freshNumbers } from '../helpers/dni.js';
import { createTelnyx, telnyxKeyPair } from '../helpers/other-carriers.js';
import { startTelnyxMessagesApi, type TelnyxMessagesApi, telnyxEvent } from '../helpers/telnyx-messages.js';

/**
 * Texts over Telnyx: its messaging webhooks (JSON events signed with Ed25519 over
 * `${telnyx-timestamp}|${body}`, refused when stale) at /telephony/telnyx/sms, sends through
 * POST /v2/messages (a local server speaking it, with Telnyx's Idempotency-Key), message.sent and
 * message.finalized mapped onto Switchboard's statuses, opt-outs (Telnyx ignores the webhook's
 * answer, so STOP's confirmation goes out through the API), and a send that survives a lost
 * answer or a crash exactly once. CARRIER stays Twilio: the number's texts come through Telnyx.
 */
const API_KEY = 'KEY0123456789ABCDEF_telnyx-test';
const HOUR = 3600_000;
const keys = telnyxKeyPair();
let ctx: TestContext;
let telnyxApi: TelnyxMessagesApi;
let telnyx: ReturnType<typeof createTelnyx>;
let admin: TestUser;
let tracking: string;
let person = 0;

const newPerson = () => {
  person += 1;
  const ten = `7185553${String(person).padStart(3, '0')}`;
  return { e164: `+1${ten}`, ten };
};

const smsUrl = () => `${telnyx.base}/sms`;
/** An inbound text as Telnyx posts it: the event's bytes, signed now (or at `timestamp`). */
const received = (from: string, text: string, options: { id?: string; media?: string[] } = {}) =>
  JSON.stringify(telnyxEvent('message.received', { from, to: `+1${tracking}`, text, ...options }));
const post = (rawBody: string, timestamp?: string) => telnyx.signedJson(smsUrl(), rawBody, timestamp);
const text = (from: string, body: string) => post(received(from, body));

const send = (body: Record<string, unknown>) =>
  ctx.request('POST', '/v2/sms/send', { token: admin.token, body: { tracking_number: tracking, ...body } });
const messageRow = async (id: number) =>
  (await ctx.request('GET', `/v2/sms/message?id=${id}`, { token: admin.token })).body.data;
const postEvent = async (url: string, rawBody: string) => (await telnyx.signedJson(url, rawBody)).status;
const drainLater = async (ms = 2 * HOUR) => {
  ctx.clock.advance(ms);
  await ctx.app.services.jobs.drain();
};
const sendsTo = (to: string) => telnyxApi.sends.filter((s) => s.body.to === to);
const atTelnyx = (to: string) => telnyxApi.messages.filter((m) => m.to === to);
const rowsOf = async (sid: string) =>
  (
    await ctx.db.query<{ body: string; carrier: string; media_urls: string[] }>(
      'select body, carrier, media_urls from sms_message where carrier_message_sid = $1',
      [sid],
    )
  ).rows;

beforeAll(async () => {
  telnyxApi = await startTelnyxMessagesApi(API_KEY);
  ctx = await createTestContext({
    JOBS_POLL_INTERVAL_MS: '0',
    ACCESS_TOKEN_TTL_SECONDS: String(365 * 24 * 3600),
    TELNYX_PUBLIC_KEY: keys.publicKey,
    TELNYX_API_KEY: API_KEY,
    TELNYX_API_BASE_URL: telnyxApi.baseUrl,
  });
  telnyx = createTelnyx(ctx.app, keys.privateKey, ctx.clock);
  admin = (await ctx.factory.hierarchy()).companyAdmin;
  [tracking] = (await freshNumbers(ctx, 1)).numbers as [string];
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: 'Telnyx texts',
        group_id: admin.group_id,
        campaign_id: await ctx.factory.campaign(admin),
        channel_id: 1,
        number: { phone_number: tracking },
        sms_enabled: true,
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
  // the number's first text comes through Telnyx: that is where its texts are
  expect((await text(newPerson().e164, 'Hello')).status).toBe(204);
}, 180_000);
afterAll(async () => {
  await ctx?.close();
  await telnyxApi?.close();
});

describe('inbound texts at /telephony/telnyx/sms', () => {
  it('refuses a missing, forged, re-signed or stale signature with 403 and stores nothing', async () => {
    const who = newPerson();
    const id = randomUUID();
    const raw = received(who.e164, 'forged', { id });
    const json = { 'content-type': 'application/json' };
    expect((await telnyx.post(smsUrl(), raw, json)).status).toBe(403);
    const other = telnyxKeyPair();
    expect(
      (
        await telnyx.post(
          smsUrl(),
          raw,
          telnyx.headersFor(raw, 'application/json', undefined, other.privateKey),
        )
      ).status,
    ).toBe(403);
    // signed for other bytes: the body was changed on the way
    const headers = telnyx.headersFor(raw, 'application/json');
    expect((await telnyx.post(smsUrl(), raw.replace('forged', 'FORGED'), headers)).status).toBe(403);
    // a captured request replayed ten minutes later
    const stale = String(Math.floor(ctx.clock.now().getTime() / 1000) - 600);
    const replay = await post(raw, stale);
    expect(replay.status).toBe(403);
    expect(replay.body).toContain('Stale telnyx-timestamp');
    expect(await rowsOf(id)).toEqual([]);
  });

  it('refuses an event that is not a message with 400 (signed or not, nothing stored)', async () => {
    const bad = JSON.stringify({
      data: { event_type: 'message.received', id: 'x', payload: { id: 'not-a-uuid' } },
    });
    expect((await post(bad)).status).toBe(400);
  });

  it('records a text once per message id however often Telnyx retries, with its media, as a Telnyx text', async () => {
    const who = newPerson();
    const id = randomUUID();
    const raw = received(who.e164, 'Is this in stock?', { id, media: ['https://media.example/photo.jpg'] });
    expect((await post(raw)).status).toBe(204);
    expect((await post(raw)).status).toBe(204);
    expect(await rowsOf(id)).toEqual([
      { body: 'Is this in stock?', carrier: 'telnyx', media_urls: ['https://media.example/photo.jpg'] },
    ]);
    const { body } = await ctx.request('GET', `/v2/sms/conversation/list?filter=contact_number=${who.ten}`, {
      token: admin.token,
    });
    expect(body.data).toMatchObject([
      { tracking_number: tracking, unread_count: 1, last_body: 'Is this in stock?' },
    ]);
  });

  it('opts out on STOP and confirms once through the Messaging API, then refuses every send; START opts back in', async () => {
    const who = newPerson();
    const stop = received(who.e164, 'UNSUBSCRIBE ');
    expect((await post(stop)).status).toBe(204);
    expect((await post(stop)).status).toBe(204);
    await ctx.app.services.jobs.drain();
    // the confirmation goes to the person who just opted out, once
    expect(sendsTo(who.e164).map((s) => s.body.text)).toEqual([
      expect.stringMatching(/unsubscribed.*Reply START to resubscribe\./),
    ]);
    const refused = await send({ to_number: who.ten, message: 'Are you there?' });
    expect(refused.status).toBe(400);
    expect(refused.body.err).toBe(
      `${who.ten} has opted out of texts from this group (replied STOP); nothing was sent`,
    );
    await text(who.e164, 'yes');
    await ctx.app.services.jobs.drain();
    expect(sendsTo(who.e164).at(-1)?.body.text).toMatch(/subscribed again/);
    expect((await send({ to_number: who.ten, message: 'Welcome back' })).status).toBe(200);
  });

  it('sends nothing queued before a STOP', async () => {
    const who = newPerson();
    const { body } = await send({ to_number: who.ten, message: 'Queued before STOP' });
    await text(who.e164, 'stop');
    await ctx.app.services.jobs.drain();
    expect(sendsTo(who.e164).map((s) => s.body.text)).toEqual([expect.stringMatching(/unsubscribed/)]);
    expect((await messageRow(body.data.message_id)).status).toBe('failed');
  });

  it('answers HELP with the group’s help text through the Messaging API', async () => {
    const who = newPerson();
    await text(who.e164, ' help');
    await ctx.app.services.jobs.drain();
    expect(sendsTo(who.e164).map((s) => s.body.text)).toEqual([
      expect.stringMatching(/reply STOP to stop texts, START to get them again/),
    ]);
  });
});

describe('sending through Telnyx', () => {
  it('posts the text to /v2/messages and maps message.sent and message.finalized onto its status', async () => {
    const to = newPerson();
    const { status, body } = await send({ to_number: to.ten, message: 'Your order shipped.' });
    expect(status).toBe(200);
    const id = body.data.message_id;
    await ctx.app.services.jobs.drain();
    const [request] = sendsTo(to.e164);
    expect(request?.body).toEqual({
      from: `+1${tracking}`,
      to: to.e164,
      text: 'Your order shipped.',
      webhook_url: `http://127.0.0.1:3000/telephony/telnyx/sms/status?m=${id}`,
      use_profile_webhooks: false,
    });
    expect(request?.key).toMatch(new RegExp(`^switchboard-sms-${id}-\\d+$`));
    const [sent] = atTelnyx(to.e164);
    expect(await messageRow(id)).toMatchObject({
      status: 'queued',
      carrier_message_sid: sent?.id,
      carrier: 'telnyx',
    });
    expect(await telnyxApi.progress(sent?.id as string, 'message.sent', 'sent', postEvent)).toBe(204);
    expect((await messageRow(id)).status).toBe('sent');
    await telnyxApi.progress(sent?.id as string, 'message.finalized', 'delivered', postEvent);
    expect((await messageRow(id)).status).toBe('delivered');
    // a late or repeated event never moves a text back
    await telnyxApi.progress(sent?.id as string, 'message.sent', 'sent', postEvent);
    expect((await messageRow(id)).status).toBe('delivered');
  });

  it('maps delivery_failed to undelivered and sending_failed to failed, with Telnyx’s error code', async () => {
    const a = newPerson();
    const b = newPerson();
    const first = await send({ to_number: a.ten, message: 'One' });
    const second = await send({ to_number: b.ten, message: 'Two' });
    await ctx.app.services.jobs.drain();
    const errors = [{ code: '40008', title: 'Undeliverable', detail: 'The destination carrier refused it' }];
    await telnyxApi.progress(
      atTelnyx(a.e164)[0]?.id as string,
      'message.finalized',
      'delivery_failed',
      postEvent,
      errors,
    );
    await telnyxApi.progress(
      atTelnyx(b.e164)[0]?.id as string,
      'message.finalized',
      'sending_failed',
      postEvent,
      [{ code: '40002', title: 'Blocked as spam' }],
    );
    expect(await messageRow(first.body.data.message_id)).toMatchObject({
      status: 'undelivered',
      error_code: 40008,
    });
    expect(await messageRow(second.body.data.message_id)).toMatchObject({
      status: 'failed',
      error_code: 40002,
    });
  });

  it('fails a text Telnyx refuses (422) with its error code, without retrying', async () => {
    const to = newPerson();
    telnyxApi.faults.refuse = { status: 422, code: '40300', title: 'Blocked due to STOP message' };
    try {
      const { body } = await send({ to_number: to.ten, message: 'Refused' });
      await ctx.app.services.jobs.drain();
      await drainLater();
      expect(sendsTo(to.e164)).toHaveLength(1);
      expect(await messageRow(body.data.message_id)).toMatchObject({ status: 'failed', error_code: 40300 });
    } finally {
      telnyxApi.faults.refuse = undefined;
    }
  });

  it('sends once when Telnyx took the text but its answer was lost: the retry’s same key answers the first message', async () => {
    const to = newPerson();
    telnyxApi.faults.dropAnswers = 1;
    const { body } = await send({ to_number: to.ten, message: 'Answer lost' });
    await ctx.app.services.jobs.drain();
    expect(atTelnyx(to.e164)).toHaveLength(1);
    expect((await messageRow(body.data.message_id)).status).toBe('sending');
    await drainLater();
    const [first, retry] = sendsTo(to.e164);
    expect(retry?.key).toBe(first?.key);
    expect(atTelnyx(to.e164)).toHaveLength(1);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'queued',
      carrier_message_sid: atTelnyx(to.e164)[0]?.id,
    });
  });

  it('sends again when Telnyx was unavailable (it has nothing), and only once', async () => {
    const to = newPerson();
    telnyxApi.faults.unavailable = 1;
    const { body } = await send({ to_number: to.ten, message: 'Try again' });
    await ctx.app.services.jobs.drain();
    expect(atTelnyx(to.e164)).toHaveLength(0);
    await drainLater();
    expect(atTelnyx(to.e164)).toHaveLength(1);
    expect((await messageRow(body.data.message_id)).status).toBe('queued');
  });

  it('sends once after a crash between the claim and the request', async () => {
    const to = newPerson();
    const { body } = await send({ to_number: to.ten, message: 'After a crash' });
    const id = body.data.message_id;
    await ctx.db.query(
      `update sms_message set status = 'sending', send_started_at = $2, carrier = 'telnyx' where message_id = $1`,
      [id, ctx.clock.now()],
    );
    await ctx.db.query(
      `update job set attempts = 1, locked_until = $2, claimed_by = 'dead-process' where dedupe_key = $1`,
      [`sms.send:${id}`, new Date(ctx.clock.now().getTime() + 60_000)],
    );
    await drainLater(5 * 60_000);
    expect(atTelnyx(to.e164)).toHaveLength(1);
    await drainLater();
    expect(atTelnyx(to.e164)).toHaveLength(1);
    expect((await messageRow(id)).status).toBe('queued');
  });

  it('takes the webhook naming the message when the answer was lost, and does not send again', async () => {
    const to = newPerson();
    telnyxApi.faults.dropAnswers = 1;
    const { body } = await send({ to_number: to.ten, message: 'Event first' });
    await ctx.app.services.jobs.drain();
    const [sent] = atTelnyx(to.e164);
    await telnyxApi.progress(sent?.id as string, 'message.finalized', 'delivered', postEvent);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'delivered',
      carrier_message_sid: sent?.id,
    });
    await drainLater();
    expect(sendsTo(to.e164)).toHaveLength(1);
  });

  it('fails rather than risk a second copy when the answer was lost longer ago than Telnyx keeps the key', async () => {
    const to = newPerson();
    telnyxApi.faults.dropAnswers = 1;
    const { body } = await send({ to_number: to.ten, message: 'Too late to tell' });
    await ctx.app.services.jobs.drain();
    await drainLater(24 * HOUR);
    expect(sendsTo(to.e164)).toHaveLength(1);
    expect(await messageRow(body.data.message_id)).toMatchObject({
      status: 'failed',
      error_message: TELNYX_LOST_ANSWER,
    });
  });
});
