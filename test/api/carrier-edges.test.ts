import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCLAIMER } from '../../src/routing/engine.js';
import { anotherAppOn, createTestContext, type TestContext } from '../helpers/app.js';
import {
  createSignalWire,
  createTelnyx,
  SIGNALWIRE_API_TOKEN,
  SIGNALWIRE_PROJECT,
  SIGNALWIRE_SIGNING_KEY,
  TELNYX_ACCOUNT,
  telnyxCallSid,
  telnyxKeyPair,
} from '../helpers/other-carriers.js';

/**
 * SignalWire's LaML edge and Telnyx's TeXML edge against the real app: a whole call through each
 * (the same engine and records as Twilio's), and each carrier's signature refused when tampered,
 * signed with another key, missing, replayed late (Telnyx's timestamp), or signed Twilio's way.
 */
let ctx: TestContext;
let signalwire: ReturnType<typeof createSignalWire>;
let telnyx: ReturnType<typeof createTelnyx>;
let admin: Awaited<ReturnType<TestContext['factory']['hierarchy']>>['companyAdmin'];
let company: number;
let campaignId: number;
const keys = telnyxKeyPair();
const numbers = Array.from({ length: 20 }, (_, i) => `312555${String(4100 + i)}`);
let next = 0;

beforeAll(async () => {
  ctx = await createTestContext({
    SIGNALWIRE_SIGNING_KEY,
    SIGNALWIRE_API_TOKEN,
    TELNYX_PUBLIC_KEY: keys.publicKey,
  });
  signalwire = createSignalWire(ctx.app);
  telnyx = createTelnyx(ctx.app, keys.privateKey, ctx.clock);
  const h = await ctx.factory.hierarchy();
  admin = h.companyAdmin;
  company = h.company;
  campaignId = await ctx.factory.campaign(admin);
  await ctx.factory.inventory(numbers, 'CHICAGO', 'IL');
}, 180_000);
afterAll(() => ctx?.close());

/** A flow whose option 1 plays the disclaimer, whispers, records, and takes a voicemail. */
async function createFlow(): Promise<string> {
  const number = numbers[next++] as string;
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: `Carriers ${number}`,
        group_id: company,
        campaign_id: campaignId,
        channel_id: 1,
        message: 'For sales press 1.',
        call_value: 40,
        repeat_interval: 24,
        voicemail_greeting: 'Leave a message.',
        spam_filter_enabled: true,
        number: { phone_number: number },
        ivrs: [
          {
            key: 1,
            action: 'simple',
            message: 'Connecting you to sales.',
            target_did: 8015550100,
            record_enabled: true,
            play_disclaimer: 'before',
            whisper_enabled: true,
            whisper_message: 'Call from the carriers campaign',
            voicemail_enabled: true,
          },
        ],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
  return number;
}

const callRow = async (sid: string) =>
  (
    await ctx.db.query<Record<string, unknown>>(
      `select carrier, group_id, tracking_number, caller_number, disposition, answered_by, key_path,
              recording_url, voicemail_url, stir_verstat, duration_seconds, ended_at is not null as ended
         from call where carrier_call_sid = $1`,
      [sid],
    )
  ).rows;

const voiceForm = (callSid: string, to: string, accountSid: string) => ({
  CallSid: callSid,
  AccountSid: accountSid,
  From: '+12125550142',
  To: `+1${to}`,
  CallStatus: 'ringing',
  Direction: 'inbound',
});

describe('SignalWire (LaML)', () => {
  it('routes a whole call through /telephony/signalwire and records it as a SignalWire call', async () => {
    const number = await createFlow();
    const result = await signalwire.call({ to: number, from: '2125550142', press: ['1'], answer: 'first' });
    expect(result.steps).toEqual([
      { kind: 'hear', detail: 'For sales press 1.' },
      { kind: 'press', detail: '1' },
      { kind: 'hear', detail: DISCLAIMER },
      { kind: 'hear', detail: 'Connecting you to sales.' },
      { kind: 'ring', detail: '8015550100 for 18 s' },
      { kind: 'whisper', detail: 'Call from the carriers campaign' },
      { kind: 'answered', detail: '8015550100' },
      { kind: 'hangup', detail: 'hangup' },
    ]);
    expect(await callRow(result.callSid)).toEqual([
      expect.objectContaining({
        carrier: 'signalwire',
        group_id: company,
        tracking_number: number,
        caller_number: '2125550142',
        disposition: 'ANSWERED',
        answered_by: '8015550100',
        key_path: '1',
        recording_url: expect.stringContaining('/recordings/'),
        duration_seconds: 42,
        ended: true,
      }),
    ]);
  });

  it('takes a voicemail when nobody answers', async () => {
    const number = await createFlow();
    const result = await signalwire.call({ to: number, from: '2125550143', press: ['1'], answer: 'none' });
    expect(result.steps.map((step) => step.kind)).toContain('voicemail');
    expect(await callRow(result.callSid)).toEqual([
      expect.objectContaining({
        carrier: 'signalwire',
        disposition: 'VOICEMAIL',
        voicemail_url: expect.any(String),
      }),
    ]);
  });

  it('accepts a request signed with the API token (spaces older than signing keys)', async () => {
    const number = await createFlow();
    const sid = randomUUID();
    const url = `${signalwire.base}/voice`;
    const answer = await signalwire.signedPost(
      url,
      voiceForm(sid, number, SIGNALWIRE_PROJECT),
      SIGNALWIRE_API_TOKEN,
    );
    expect(answer.status).toBe(200);
    // the TwiML sends the carrier back to its own edge, whose signature it makes
    expect(answer.body).toContain('action="http://127.0.0.1:3000/telephony/signalwire/gather?s=1"');
    expect(answer.body).not.toContain('/telephony/twilio/');
    expect(await callRow(sid)).toHaveLength(1);
  });

  it('refuses a tampered field, another key, a missing signature and a Twilio signature, and records nothing', async () => {
    const number = await createFlow();
    const sid = randomUUID();
    const url = `${signalwire.base}/voice`;
    const form = voiceForm(sid, number, SIGNALWIRE_PROJECT);
    const signature = signalwire.signatureOf(url, form);
    const refusals = [
      await signalwire.post(url, { ...form, From: '+12125550199' }, signature),
      await signalwire.post(`${url}?s=1`, form, signature),
      await signalwire.signedPost(url, form, 'PSK_some-other-project-key'),
      await signalwire.post(url, form),
      await signalwire.post(
        url,
        form,
        twilio.getExpectedTwilioSignature('test-carrier-auth-token', url, form),
      ),
    ];
    for (const refusal of refusals) {
      expect(refusal.status).toBe(403);
      expect(refusal.body).toContain('X-SignalWire-Signature');
    }
    expect(await callRow(sid)).toEqual([]);
  });

  it('answers a replayed webhook as the first time and records the call once', async () => {
    const number = await createFlow();
    const sid = randomUUID();
    const url = `${signalwire.base}/voice`;
    const form = voiceForm(sid, number, SIGNALWIRE_PROJECT);
    const first = await signalwire.signedPost(url, form);
    const replay = await signalwire.signedPost(url, form);
    expect(first.status).toBe(200);
    expect(replay).toEqual(first);
    expect(await callRow(sid)).toHaveLength(1);
  });

  it("refuses Twilio's ids: a SignalWire CallSid and AccountSid are UUIDs", async () => {
    const number = await createFlow();
    const url = `${signalwire.base}/voice`;
    const twilioIds = voiceForm(`CA${'a'.repeat(32)}`, number, `AC${'0'.repeat(32)}`);
    expect((await signalwire.signedPost(url, twilioIds)).status).toBe(400);
  });

  it('records an inbound text sent to the messaging URL once', async () => {
    const number = await createFlow();
    const sid = randomUUID();
    const url = `${signalwire.base}/sms`;
    const text = {
      MessageSid: sid,
      AccountSid: SIGNALWIRE_PROJECT,
      From: '+12125550144',
      To: `+1${number}`,
      Body: 'Are you open on Sunday?',
      NumMedia: '0',
    };
    const first = await signalwire.signedPost(url, text);
    expect(first.status).toBe(200);
    expect(first.body).toContain('<Response');
    expect((await signalwire.signedPost(url, text)).status).toBe(200);
    const { rows } = await ctx.db.query('select body from sms_message where carrier_message_sid = $1', [sid]);
    expect(rows).toEqual([{ body: 'Are you open on Sunday?' }]);
    expect((await signalwire.post(url, text, 'forged')).status).toBe(403);
  });
});

describe('Telnyx (TeXML)', () => {
  it('routes a whole call through /telephony/telnyx, reading its attestation as StirVerstat', async () => {
    const number = await createFlow();
    const result = await telnyx.call(
      { to: number, from: '2125550152', press: ['1'], answer: 'first' },
      { attestation: 'A' },
    );
    expect(result.outcome).toBe('answered');
    expect(result.steps.map((step) => step.kind)).toEqual([
      'hear',
      'press',
      'hear',
      'hear',
      'ring',
      'whisper',
      'answered',
      'hangup',
    ]);
    expect(await callRow(result.callSid)).toEqual([
      expect.objectContaining({
        carrier: 'telnyx',
        group_id: company,
        tracking_number: number,
        disposition: 'ANSWERED',
        answered_by: '8015550100',
        stir_verstat: 'TN-Validation-Passed-A',
        recording_url: expect.stringContaining('/recordings/'),
        ended: true,
      }),
    ]);
  });

  it('takes a JSON body as well as a form, its numbers and booleans read as text', async () => {
    const number = await createFlow();
    const sid = telnyxCallSid();
    const body = JSON.stringify({
      ...voiceForm(sid, number, TELNYX_ACCOUNT),
      SequenceNumber: 0,
      ShakenStirAttestation: 'C',
      ShakenStirValidated: true,
      CallbackSource: 'call-progress-events',
    });
    const answer = await telnyx.post(
      `${telnyx.base}/voice`,
      body,
      telnyx.headersFor(body, 'application/json'),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('action="http://127.0.0.1:3000/telephony/telnyx/gather?s=1"');
    expect(await callRow(sid)).toEqual([
      expect.objectContaining({ carrier: 'telnyx', stir_verstat: 'TN-Validation-Passed-C' }),
    ]);
  });

  it('refuses a tampered body, another key, missing headers and a stale or future timestamp, and records nothing', async () => {
    const number = await createFlow();
    const sid = telnyxCallSid();
    const url = `${telnyx.base}/voice`;
    const body = new URLSearchParams(voiceForm(sid, number, TELNYX_ACCOUNT)).toString();
    const form = 'application/x-www-form-urlencoded';
    const signed = telnyx.headersFor(body, form);
    const nowSeconds = Math.floor(ctx.clock.now().getTime() / 1000);
    const refusals = [
      [await telnyx.post(url, body.replace('ringing', 'completed'), signed), 'Invalid'],
      [
        await telnyx.post(url, body, telnyx.headersFor(body, form, undefined, telnyxKeyPair().privateKey)),
        'Invalid',
      ],
      [await telnyx.post(url, body, { 'content-type': form }), 'Missing'],
      [await telnyx.post(url, body, { ...signed, 'telnyx-timestamp': String(nowSeconds + 1) }), 'Invalid'],
      [await telnyx.post(url, body, telnyx.headersFor(body, form, String(nowSeconds - 301))), 'Stale'],
      [await telnyx.post(url, body, telnyx.headersFor(body, form, String(nowSeconds + 301))), 'Stale'],
    ] as const;
    for (const [refusal, why] of refusals) {
      expect(refusal.status).toBe(403);
      expect(refusal.body).toContain(why);
    }
    expect(await callRow(sid)).toEqual([]);
    // at the edge of the tolerance (5 minutes) it is still the carrier's
    const late = await telnyx.post(url, body, telnyx.headersFor(body, form, String(nowSeconds - 300)));
    expect(late.status).toBe(200);
  });

  it('answers a replay within the tolerance as the first time, and refuses it once stale', async () => {
    const number = await createFlow();
    const sid = telnyxCallSid();
    const url = `${telnyx.base}/voice`;
    const body = new URLSearchParams(voiceForm(sid, number, TELNYX_ACCOUNT)).toString();
    const headers = telnyx.headersFor(body, 'application/x-www-form-urlencoded');
    const first = await telnyx.post(url, body, headers);
    expect(first.status).toBe(200);
    expect(await telnyx.post(url, body, headers)).toEqual(first);
    ctx.clock.advance(6 * 60 * 1000);
    const later = await telnyx.post(url, body, headers);
    expect(later.status).toBe(403);
    expect(later.body).toContain('Stale');
    expect(await callRow(sid)).toHaveLength(1);
  });

  it('checks the signature before the body: unsigned garbage is 403, signed garbage 400', async () => {
    const url = `${telnyx.base}/status`;
    const junk = 'CallSid=CA123';
    expect(
      (await telnyx.post(url, junk, { 'content-type': 'application/x-www-form-urlencoded' })).status,
    ).toBe(403);
    const signed = await telnyx.post(url, junk, telnyx.headersFor(junk, 'application/x-www-form-urlencoded'));
    expect(signed.status).toBe(400);
    const notJson = '{"CallSid":';
    expect((await telnyx.post(url, notJson, telnyx.headersFor(notJson, 'application/json'))).status).toBe(
      400,
    );
  });
});

describe('without carrier keys', () => {
  it('refuses every SignalWire and Telnyx webhook, saying what is not configured', async () => {
    const bare = await anotherAppOn(ctx, {});
    try {
      const number = await createFlow();
      const sw = createSignalWire(bare.app);
      const tx = createTelnyx(bare.app, keys.privateKey, ctx.clock);
      const swAnswer = await sw.signedPost(
        `${sw.base}/voice`,
        voiceForm(randomUUID(), number, SIGNALWIRE_PROJECT),
      );
      expect(swAnswer.status).toBe(403);
      expect(swAnswer.body).toContain('SIGNALWIRE_SIGNING_KEY');
      const txAnswer = await tx.signedForm(
        `${tx.base}/voice`,
        voiceForm(telnyxCallSid(), number, TELNYX_ACCOUNT),
      );
      expect(txAnswer.status).toBe(403);
      expect(txAnswer.body).toContain('TELNYX_PUBLIC_KEY');
    } finally {
      await bare.close();
    }
  }, 120_000);
});
