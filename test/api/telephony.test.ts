import { readFile } from 'node:fs/promises';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { hashOutboundPin, loadOutboundPinKey } from '../../src/modules/callflows/callflow-secrets.js';
import { DISCLAIMER, GOODBYE, INVALID_OPTION, NOT_IN_SERVICE } from '../../src/routing/engine.js';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext } from '../helpers/app.js';
import { carrierForm, createCarrier, testCallSid } from '../helpers/carrier.js';
import { withInsertsRefused } from '../helpers/db.js';

/** The carrier edge end to end: signed webhooks in, TwiML out, every call recorded. */
let ctx: TestContext;
let carrier: ReturnType<typeof createCarrier>;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignId: number;
let numbers: string[];

beforeAll(async () => {
  ctx = await createTestContext();
  carrier = createCarrier(ctx.app);
  h = await ctx.factory.hierarchy();
  const campaign = await ctx.request('POST', '/v2/campaign', {
    token: h.companyAdmin.token,
    body: [
      {
        campaign_name: 'Calls',
        campaign_start_date: '2026-01-01T00:00:00Z',
        campaign_owner_user_id: h.companyAdmin.ct_user_id,
        group_id: h.company,
      },
    ],
  });
  campaignId = Number(campaign.body[0].data);
  numbers = Array.from({ length: 40 }, (_, i) => `312555${String(3000 + i)}`);
  await ctx.factory.inventory(numbers, 'CHICAGO', 'IL');
});
afterAll(() => ctx.close());

let next = 0;
async function createFlow(overrides: Record<string, unknown> = {}): Promise<{ id: number; number: string }> {
  const number = numbers[next++] as string;
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: h.companyAdmin.token,
    body: [
      {
        call_flow_name: 'Telephony',
        group_id: h.company,
        campaign_id: campaignId,
        channel_id: 1,
        message: 'For sales press 1, for service press 2.',
        call_value: 40,
        repeat_interval: 24,
        voicemail_greeting: 'Leave a message.',
        number: { phone_number: number },
        ivrs: [
          {
            key: 1,
            action: 'simple',
            message: 'Connecting you to sales.',
            target_did: 8015550100,
            overflowNumbers: [{ overflowNumber: 8015550101, rings: 2 }],
            record_enabled: true,
            play_disclaimer: 'before',
            whisper_enabled: true,
            whisper_message: 'Call from the spring campaign',
            voicemail_enabled: true,
          },
          {
            key: 2,
            action: 'interactiveVoice',
            message: 'For repairs press 1.',
            ivrData: [{ key: 1, action: 'simple', target_did: 8015550200, go_back_key: 9 }],
          },
        ],
        ...overrides,
      },
    ],
  });
  expect(body[0].result).toBe('success');
  return { id: Number(body[0].data), number };
}

const callRow = async (sid: string) =>
  (
    await ctx.db.query<Record<string, unknown>>(
      `select call_flow_id, call_flow_version, group_id, campaign_id, tracking_number, caller_number, disposition,
              answered_by, key_path, is_repeat, call_value, recording_url, voicemail_url, trail, duration_seconds,
              ended_at is not null as ended, step
         from call where carrier_call_sid = $1`,
      [sid],
    )
  ).rows[0];

/** The carrier's final status callback for a call it placed with `carrier.call`, signed. */
async function sendFinalStatus(callSid: string, from: string, to: string, status: string, seconds: string) {
  const body = carrierForm({
    CallSid: callSid,
    From: `+1${from}`,
    To: `+1${to}`,
    CallStatus: status,
    CallDuration: seconds,
  });
  const url = carrier.voiceUrl.replace('/voice', '/status');
  await carrier.post(url, body, twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, url, body));
}

describe('an answered call', () => {
  it('hears the menu, the disclaimer and the message; the answering party hears the whisper; the call is recorded', async () => {
    const flow = await createFlow();
    const result = await carrier.call({ to: flow.number, from: '2125550142', press: ['1'], answer: 'first' });
    expect(result.steps).toEqual([
      { kind: 'hear', detail: 'For sales press 1, for service press 2.' },
      { kind: 'press', detail: '1' },
      { kind: 'hear', detail: DISCLAIMER },
      { kind: 'hear', detail: 'Connecting you to sales.' },
      { kind: 'ring', detail: '8015550100 for 18 s' },
      { kind: 'whisper', detail: 'Call from the spring campaign' },
      { kind: 'answered', detail: '8015550100' },
      { kind: 'hangup', detail: 'hangup' },
    ]);
    expect(await callRow(result.callSid)).toMatchObject({
      call_flow_id: flow.id,
      call_flow_version: 1,
      group_id: h.company,
      campaign_id: campaignId,
      tracking_number: flow.number,
      caller_number: '2125550142',
      disposition: 'ANSWERED',
      answered_by: '8015550100',
      key_path: '1',
      is_repeat: false,
      call_value: 40,
      recording_url: expect.stringContaining('/recordings/'),
      trail: ['m', 'm.1', 'ring:8015550100', 'answered'],
      duration_seconds: 42,
      ended: true,
    });
  });

  it('marks a second call from the same caller within repeat_interval as a repeat', async () => {
    const flow = await createFlow();
    await carrier.call({ to: flow.number, from: '2125550143', press: ['1'], answer: 'first' });
    const again = await carrier.call({ to: flow.number, from: '2125550143', press: ['1'], answer: 'first' });
    expect((await callRow(again.callSid))?.is_repeat).toBe(true);
  });
});

describe('when nobody answers', () => {
  it('hunts to the overflow number, then takes a voicemail', async () => {
    const flow = await createFlow();
    const result = await carrier.call({ to: flow.number, from: '2125550144', press: ['1'], answer: 'none' });
    expect(result.steps.filter((s) => s.kind === 'ring').map((s) => s.detail)).toEqual([
      '8015550100 for 18 s',
      '8015550101 for 12 s',
    ]);
    expect(result.steps).toContainEqual({ kind: 'hear', detail: 'Leave a message.' });
    expect(result.steps).toContainEqual({ kind: 'voicemail', detail: 'recording up to 180 s' });
    expect(await callRow(result.callSid)).toMatchObject({
      disposition: 'VOICEMAIL',
      voicemail_url: expect.stringContaining('/recordings/VM'),
      trail: [
        'm',
        'm.1',
        'ring:8015550100',
        'no-answer',
        'ring:8015550101',
        'no-answer',
        'voicemail',
        'voicemail-left',
      ],
    });
  });
});

describe('menus over the wire', () => {
  it('goes into a sub-menu and back, keeping the key path', async () => {
    const flow = await createFlow();
    const result = await carrier.call({
      to: flow.number,
      from: '2125550145',
      press: ['2', '9', '2', '1'],
      answer: 'first',
    });
    expect(result.steps.filter((s) => s.kind === 'ring')).toEqual([
      { kind: 'ring', detail: '8015550200 for 18 s' },
    ]);
    expect((await callRow(result.callSid))?.key_path).toBe('2>9>2>1');
  });

  it('says goodbye after three invalid keys and after three silences', async () => {
    const flow = await createFlow();
    const invalid = await carrier.call({ to: flow.number, from: '2125550146', press: ['7', '7', '7'] });
    expect(invalid.steps.filter((s) => s.detail === INVALID_OPTION)).toHaveLength(3);
    expect(invalid.steps.at(-2)).toEqual({ kind: 'hear', detail: GOODBYE });
    const silent = await carrier.call({ to: flow.number, from: '2125550147', press: [] });
    expect(silent.steps.filter((s) => s.kind === 'silence')).toHaveLength(3);
    expect((await callRow(silent.callSid))?.trail).toContain('no-input');
  });
});

describe('numbers without a live flow and blocked callers', () => {
  it('tells the caller the number is not in service, and records the call', async () => {
    const result = await carrier.call({ to: '3125559999', from: '2125550148' });
    expect(result.steps).toEqual([
      { kind: 'hear', detail: NOT_IN_SERVICE },
      { kind: 'hangup', detail: 'hangup' },
    ]);
    expect(await callRow(result.callSid)).toMatchObject({
      disposition: 'NOT IN SERVICE',
      call_flow_id: null,
    });
  });

  it('answers an inactive flow with "not in service"', async () => {
    const flow = await createFlow({ call_flow_status: 'inactive' });
    const result = await carrier.call({ to: flow.number, from: '2125550149' });
    expect(result.steps[0]).toEqual({ kind: 'hear', detail: NOT_IN_SERVICE });
  });

  it('rejects a blacklisted caller from the moment the number is added, for the group and below', async () => {
    const flow = await createFlow();
    const before = await carrier.call({ to: flow.number, from: '2125550190', press: ['1'], answer: 'first' });
    expect((await callRow(before.callSid))?.disposition).toBe('ANSWERED');
    const added = await ctx.request('POST', '/v2/blacklistednumber', {
      token: h.agencyAdmin.token,
      body: { number: 2125550190 },
    });
    expect(added.body.result).toBe('success');
    const blocked = await carrier.call({ to: flow.number, from: '2125550190' });
    expect(blocked.steps).toEqual([{ kind: 'rejected', detail: 'rejected' }]);
    expect(await callRow(blocked.callSid)).toMatchObject({ disposition: 'BLOCKED', trail: ['blacklisted'] });
    // a blacklist entry in a location below does not block calls to the company's flow
    await ctx.request('POST', '/v2/blacklistednumber', {
      token: h.locationAdmin.token,
      body: { number: 2125550191 },
    });
    const below = await carrier.call({ to: flow.number, from: '2125550191', press: ['1'], answer: 'first' });
    expect((await callRow(below.callSid))?.disposition).toBe('ANSWERED');
  });

  // Changed by issue 16: this used attestation A, which the filter no longer rejects; B scores 20 more.
  it('rejects a caller who calls five times within an hour when the threshold is 60', async () => {
    const flow = await createFlow({ spam_filter_enabled: true, spam_threshold: 60 });
    const call = () =>
      carrier.call({
        to: flow.number,
        from: '2125550192',
        stirVerstat: 'TN-Validation-Passed-B',
        press: ['1'],
        answer: 'first',
      });
    for (let i = 0; i < 5; i++) expect((await call()).outcome).toBe('answered');
    const burst = await call();
    expect(burst.outcome).toBe('rejected');
    expect((await callRow(burst.callSid))?.trail).toEqual(['spam:60>=60']);
  });

  it('never rejects a caller with attestation A, however often it calls, at the lowest threshold', async () => {
    const flow = await createFlow({ spam_filter_enabled: true, spam_threshold: 21 });
    for (let i = 0; i < 7; i++) {
      const call = await carrier.call({
        to: flow.number,
        from: '2125550193',
        stirVerstat: 'TN-Validation-Passed-A',
        press: ['1'],
        answer: 'first',
      });
      expect((await callRow(call.callSid))?.disposition).toBe('ANSWERED');
    }
  });

  it('applies the default threshold (70) when the flow sets none: clean callers pass, failed attestation is rejected', async () => {
    const flow = await createFlow({ spam_filter_enabled: true });
    for (const stirVerstat of ['TN-Validation-Passed-A', 'TN-Validation-Passed-C', 'No-TN-Validation']) {
      const call = await carrier.call({
        to: flow.number,
        from: '2125550194',
        stirVerstat,
        press: ['1'],
        answer: 'first',
      });
      expect((await callRow(call.callSid))?.disposition).toBe('ANSWERED');
    }
    const unsigned = await carrier.call({
      to: flow.number,
      from: '2125550195',
      press: ['1'],
      answer: 'first',
    });
    expect((await callRow(unsigned.callSid))?.disposition).toBe('ANSWERED');
    const failed = await carrier.call({
      to: flow.number,
      from: '2125550196',
      stirVerstat: 'TN-Validation-Failed',
    });
    expect(await callRow(failed.callSid)).toMatchObject({ disposition: 'BLOCKED', trail: ['spam:90>=70'] });
  });

  it('rejects a call whose spam score reaches the threshold, and never routes it', async () => {
    const flow = await createFlow({ spam_filter_enabled: true, spam_threshold: 80 });
    const spam = await carrier.call({
      to: flow.number,
      from: '2125550150',
      stirVerstat: 'TN-Validation-Failed',
    });
    expect(spam.steps).toEqual([{ kind: 'rejected', detail: 'rejected' }]);
    expect(await callRow(spam.callSid)).toMatchObject({ disposition: 'BLOCKED', trail: ['spam:90>=80'] });
    const clean = await carrier.call({
      to: flow.number,
      from: '2125550151',
      stirVerstat: 'TN-Validation-Passed-A',
      press: ['1'],
      answer: 'first',
    });
    expect((await callRow(clean.callSid))?.disposition).toBe('ANSWERED');
  });
});

describe('webhook safety', () => {
  const forged = testCallSid('forged');
  const params = carrierForm({ CallSid: forged, From: '+12125550152', To: '+13125553000' });

  it('refuses a missing or wrong signature with 403 and records nothing', async () => {
    expect((await carrier.post(carrier.voiceUrl, params)).status).toBe(403);
    expect((await carrier.post(carrier.voiceUrl, params, 'bm90IGEgc2lnbmF0dXJl')).status).toBe(403);
    const signedForOtherUrl = twilio.getExpectedTwilioSignature(
      TEST_CARRIER_TOKEN,
      'http://evil.invalid/telephony/twilio/voice',
      params,
    );
    expect((await carrier.post(carrier.voiceUrl, params, signedForOtherUrl)).status).toBe(403);
    expect(await callRow(forged)).toBeUndefined();
  });

  it('answers a repeated webhook with the same TwiML and changes nothing', async () => {
    const flow = await createFlow();
    const sid = testCallSid('retry');
    const voice = carrierForm({ CallSid: sid, From: '+12125550153', To: `+1${flow.number}` });
    const sign = (url: string, p: Record<string, string>) =>
      twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, url, p);
    const first = await carrier.post(carrier.voiceUrl, voice, sign(carrier.voiceUrl, voice));
    const again = await carrier.post(carrier.voiceUrl, voice, sign(carrier.voiceUrl, voice));
    expect(again.body).toBe(first.body);

    const gatherUrl = `${carrier.voiceUrl.replace('/voice', '/gather')}?s=1`;
    const pressed = { ...voice, Digits: '2' };
    const menu = await carrier.post(gatherUrl, pressed, sign(gatherUrl, pressed));
    const retried = await carrier.post(gatherUrl, pressed, sign(gatherUrl, pressed));
    expect(retried.body).toBe(menu.body);
    const otherKey = { ...voice, Digits: '1' };
    expect((await carrier.post(gatherUrl, otherKey, sign(gatherUrl, otherKey))).body).toBe(menu.body);
    const row = await callRow(sid);
    expect(row).toMatchObject({ step: 2, key_path: '2' });
    expect(
      (await ctx.db.query('select count(*)::int as n from call where carrier_call_sid = $1', [sid])).rows,
    ).toEqual([{ n: 1 }]);
  });

  it('advances a call once when deliveries of one webhook or callback arrive at the same moment', async () => {
    const flow = await createFlow();
    const sid = testCallSid('race');
    const voice = carrierForm({ CallSid: sid, From: '+12125550155', To: `+1${flow.number}` });
    const sign = (url: string, p: Record<string, string>) =>
      twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, url, p);
    const starts = await Promise.all(
      Array.from({ length: 4 }, () => carrier.post(carrier.voiceUrl, voice, sign(carrier.voiceUrl, voice))),
    );
    expect(new Set(starts.map((r) => r.body)).size).toBe(1);

    // the carrier's retries may even carry different keys: the first write wins, all get its answer
    const gatherUrl = `${carrier.voiceUrl.replace('/voice', '/gather')}?s=1`;
    const presses = ['2', '1', '2', '1', '2', '1'].map((Digits) => ({ ...voice, Digits }));
    const answers = await Promise.all(presses.map((p) => carrier.post(gatherUrl, p, sign(gatherUrl, p))));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(new Set(answers.map((r) => r.body)).size).toBe(1);
    const row = await callRow(sid);
    expect(row?.step).toBe(2);
    expect(['1', '2']).toContain(row?.key_path);
    expect(
      (await ctx.db.query('select count(*)::int as n from call where carrier_call_sid = $1', [sid])).rows,
    ).toEqual([{ n: 1 }]);
  });

  it('closes a call once, however often the final status arrives', async () => {
    const flow = await createFlow();
    const result = await carrier.call({ to: flow.number, from: '2125550154', press: ['1'], answer: 'first' });
    await sendFinalStatus(result.callSid, '2125550154', flow.number, 'busy', '99');
    expect(await callRow(result.callSid)).toMatchObject({ disposition: 'ANSWERED', duration_seconds: 42 });
  });

  it('enqueues the call.completed job of a call it closes, once, with the call id as payload', async () => {
    const flow = await createFlow();
    const result = await carrier.call({ to: flow.number, from: '2125550157', press: ['1'], answer: 'first' });
    await sendFinalStatus(result.callSid, '2125550157', flow.number, 'completed', '7');
    const { rows } = await ctx.db.query<{
      call_id: number;
      kind: string;
      payload: unknown;
      dedupe_key: string;
    }>(
      `select c.call_id, j.kind, j.payload, j.dedupe_key
         from call c join job j on j.payload->>'callId' = c.call_id::text
        where c.carrier_call_sid = $1`,
      [result.callSid],
    );
    const callId = rows[0]?.call_id;
    expect(rows).toEqual([
      {
        call_id: callId,
        kind: 'call.completed',
        payload: { callId },
        dedupe_key: `call.completed:${callId}`,
      },
    ]);
  });
});

describe('calls that arrive together', () => {
  const sign = (url: string, p: Record<string, string>) =>
    twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, url, p);
  const ring = (sid: string, from: string, to: string) => {
    const voice = carrierForm({ CallSid: sid, From: from, To: `+1${to}` });
    return carrier.post(carrier.voiceUrl, voice, sign(carrier.voiceUrl, voice));
  };

  it('are screened and recorded each on its own, a few statements for them all', async () => {
    const flow = await createFlow();
    await ctx.request('POST', '/v2/blacklistednumber', {
      token: h.companyAdmin.token,
      body: { number: 2125550870 },
    });
    // an earlier call from this caller makes the next one a repeat (repeat_interval 24 h)
    expect((await ring(testCallSid('together-earlier'), '+12125550871', flow.number)).status).toBe(200);

    const callers = Array.from({ length: 30 }, (_, i) => `+1212555${String(1200 + i)}`);
    callers[7] = '+12125550870';
    callers[12] = '+12125550871';
    callers[20] = 'anonymous';
    const sids = callers.map((_, i) => testCallSid(`together${i}`));
    const answers = await Promise.all(callers.map((from, i) => ring(sids[i] as string, from, flow.number)));
    expect(answers.map((a) => a.status)).toEqual(callers.map(() => 200));
    expect(answers[7]?.body).toContain('<Reject');
    expect(answers[0]?.body).toContain('For sales press 1');

    const { rows } = await ctx.db.query<{ sid: string; disposition: string; is_repeat: boolean; tx: string }>(
      `select carrier_call_sid as sid, disposition, is_repeat, xmin::text as tx from call
        where carrier_call_sid = any($1::text[]) order by array_position($1::text[], carrier_call_sid)`,
      [sids],
    );
    expect(rows.map((r) => r.sid)).toEqual(sids);
    expect(rows.map((r) => r.disposition)).toEqual(
      callers.map((_, i) => (i === 7 ? 'BLOCKED' : 'IN PROGRESS')),
    );
    expect(rows.filter((r) => r.is_repeat).map((r) => r.sid)).toEqual([sids[12]]);
    // the calls that arrived while one was being written went together, in one transaction
    const writes = new Set(rows.filter((r) => r.disposition !== 'BLOCKED').map((r) => r.tx)).size;
    expect(writes).toBeLessThan(10);
  });

  it('are written one by one when their statement fails, so a call the database refuses fails alone', async () => {
    const flow = await createFlow();
    await withInsertsRefused(ctx.db, 'call', "new.caller_number = '2125550879'", async () => {
      const callers = Array.from({ length: 12 }, (_, i) => `+1212555${String(1300 + i)}`);
      callers[5] = '+12125550879';
      const sids = callers.map((_, i) => testCallSid(`alone${i}`));
      const answers = await Promise.all(callers.map((from, i) => ring(sids[i] as string, from, flow.number)));
      expect(answers.map((a) => a.status)).toEqual(callers.map((_, i) => (i === 5 ? 500 : 200)));
      const { rows } = await ctx.db.query<{ sid: string }>(
        `select carrier_call_sid as sid from call where carrier_call_sid = any($1::text[])
          order by array_position($1::text[], carrier_call_sid)`,
        [sids],
      );
      expect(rows.map((r) => r.sid)).toEqual(sids.filter((_, i) => i !== 5));
    });
  });
});

describe('flow changes', () => {
  it('routes new calls with the new version while a call in progress keeps its version', async () => {
    const flow = await createFlow();
    const voice = carrierForm({
      CallSid: testCallSid('version'),
      From: '+12125550155',
      To: `+1${flow.number}`,
    });
    const sign = (url: string, p: Record<string, string>) =>
      twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, url, p);
    await carrier.post(carrier.voiceUrl, voice, sign(carrier.voiceUrl, voice));

    const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
      token: h.companyAdmin.token,
      body: [
        {
          call_flow_id: flow.id,
          call_flow_name: 'Telephony v2',
          group_id: h.company,
          campaign_id: campaignId,
          channel_id: 1,
          message: 'We moved. Press 1.',
          number: { phone_number: flow.number },
          ivrs: [{ key: 1, action: 'simple', target_did: 8015550900 }],
        },
      ],
    });
    expect(body[0].result).toBe('success');

    const gatherUrl = `${carrier.voiceUrl.replace('/voice', '/gather')}?s=1`;
    const pressed = { ...voice, Digits: '1' };
    const old = await carrier.post(gatherUrl, pressed, sign(gatherUrl, pressed));
    expect(old.body).toContain('+18015550100');

    await expect
      .poll(async () => (await carrier.call({ to: flow.number, from: '2125550156' })).steps[0]?.detail)
      .toBe('We moved. Press 1.');
  });
});

describe('POST /v2/callflow/simulate', () => {
  it('returns the same path a real call takes, and creates no call', async () => {
    const flow = await createFlow();
    const inputs = { press: ['2', '9', '1'], answer: 'none' };
    const real = await carrier.call({ to: flow.number, from: '2125550160', ...inputs });
    const before = await ctx.db.query('select count(*)::int as n from call');
    const { status, body } = await ctx.request('POST', '/v2/callflow/simulate', {
      token: h.companyAdmin.token,
      body: { call_flow_id: flow.id, from: '2125550160', ...inputs },
    });
    expect(status).toBe(200);
    expect(body.data.steps).toEqual(real.steps);
    expect(body.data).toMatchObject({ keyPath: '2>9>1', outcome: 'voicemail-left' });
    expect((await ctx.db.query('select count(*)::int as n from call')).rows).toEqual(before.rows);
  });

  it('is allowed to ReadOnly users and scoped to the caller', async () => {
    const flow = await createFlow();
    const readOnly = await ctx.factory.user(h.company, 3);
    const allowed = await ctx.request('POST', '/v2/callflow/simulate', {
      token: readOnly.token,
      body: { call_flow_id: flow.id },
    });
    expect(allowed.status).toBe(200);
    const denied = await ctx.request('POST', '/v2/callflow/simulate', {
      token: h.locationAdmin.token,
      body: { call_flow_id: flow.id },
    });
    expect(denied.status).toBe(404);
  });
});

describe('a single-level IVR from POST /v2/callflow', () => {
  it('answers with its options as a menu, as QA posts them', async () => {
    const number = numbers[next++] as string;
    const { body } = await ctx.request('POST', '/v2/callflow', {
      token: h.companyAdmin.token,
      body: [
        {
          call_flow_name: 'QA IVR',
          group_id: h.company,
          campaign_id: campaignId,
          routable_type: 'ivr',
          message: 'Press 1 for the front desk.',
          number: { phone_number: number },
          ivrs: [
            {
              Key: 1,
              name: 'Keypress-1',
              message_enabled: true,
              message: 'One moment.',
              route_type: 'Simple',
              target_did: '8015550777',
            },
          ],
        },
      ],
    });
    expect(body.data[0].result).toBe('success');
    const result = await carrier.call({ to: number, from: '2125550170', press: ['1'], answer: 'first' });
    expect(result.steps).toEqual([
      { kind: 'hear', detail: 'Press 1 for the front desk.' },
      { kind: 'press', detail: '1' },
      { kind: 'hear', detail: 'One moment.' },
      { kind: 'ring', detail: '8015550777 for 18 s' },
      { kind: 'answered', detail: '8015550777' },
      { kind: 'hangup', detail: 'hangup' },
    ]);
  });
});

describe('route types from POST /v2/callflow', () => {
  async function createRoute(route: Record<string, unknown>): Promise<string> {
    const number = numbers[next++] as string;
    const { body } = await ctx.request('POST', '/v2/callflow', {
      token: h.companyAdmin.token,
      body: [
        {
          call_flow_name: 'Route',
          group_id: h.company,
          campaign_id: campaignId,
          number: { phone_number: number },
          ...route,
        },
      ],
    });
    expect(body.data[0]).toMatchObject({ result: 'success' });
    return number;
  }
  const rung = (steps: { kind: string; detail: string }[]) =>
    steps.filter((s) => s.kind === 'ring').map((s) => s.detail);

  it('forwards a simple flow with its overflow list', async () => {
    const to = await createRoute({
      routable_type: 'simple',
      default_ringto: '8015550500',
      overflowNumbers: [{ overflowNumber: 8015550501, rings: 2 }],
      message: 'Thanks for calling.',
    });
    const result = await carrier.call({ to, from: '2125550180', answer: 'none' });
    expect(result.steps[0]).toEqual({ kind: 'hear', detail: 'Thanks for calling.' });
    expect(rung(result.steps)).toEqual(['8015550500 for 18 s', '8015550501 for 12 s']);
  });

  it('hangs up a hangup flow and takes messages on a voicemail flow', async () => {
    const hangup = await carrier.call({
      to: await createRoute({ routable_type: 'hangup', message: 'We are closed.' }),
      from: '2125550181',
    });
    expect(hangup.steps).toEqual([
      { kind: 'hear', detail: 'We are closed.' },
      { kind: 'hangup', detail: 'hangup' },
    ]);
    const voicemail = await carrier.call({
      to: await createRoute({ routable_type: 'voicemail', voicemail_greeting: 'Leave it here.' }),
      from: '2125550182',
    });
    expect(voicemail.steps.slice(0, 2)).toEqual([
      { kind: 'hear', detail: 'Leave it here.' },
      { kind: 'voicemail', detail: 'recording up to 180 s' },
    ]);
  });

  it('dials out for an outbound flow once the caller keys the PIN', async () => {
    const to = await createRoute({ routable_type: 'outbound', outboundData: { pin: '2468' } });
    const result = await carrier.call({
      to,
      from: '2125550184',
      press: ['2468', '8015550700'],
      answer: 'first',
    });
    expect(rung(result.steps)).toEqual(['8015550700 for 60 s']);
    expect(await callRow(result.callSid)).toMatchObject({
      disposition: 'ANSWERED',
      trail: ['r', 'pin-ok', 'ring:8015550700', 'answered'],
    });
  });

  it('hashes the plain PINs stored before migration 0027, in flows and their versions, and the PIN still dials out', async () => {
    const to = await createRoute({ routable_type: 'outbound', outboundData: { pin: '97531' } });
    const pinOf = `document #>> '{outboundData,pin}'`;
    const flowOf =
      'select f.call_flow_id from call_flow f join phone_number p on p.phone_number_id = f.phone_number_id where p.number = $1';
    // as a flow saved before the migration stored it
    for (const table of ['call_flow', 'call_flow_version'])
      await ctx.db.query(
        `update ${table} set document = jsonb_set(document, '{outboundData,pin}', '"97531"') where call_flow_id in (${flowOf})`,
        [to],
      );
    await ctx.db.exec(await readFile(`${MIGRATIONS_DIR}0030_hash_outbound_pins.sql`, 'utf8'));

    const expected = hashOutboundPin(await loadOutboundPinKey(ctx.db), '97531');
    expect(expected).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    for (const table of ['call_flow', 'call_flow_version']) {
      const { rows } = await ctx.db.query<{ pin: string }>(
        `select ${pinOf} as pin from ${table} where call_flow_id in (${flowOf})`,
        [to],
      );
      expect(rows.map((row) => row.pin)).toEqual([expected]);
    }
    const result = await carrier.call({
      to,
      from: '2125550185',
      press: ['97531', '8015550700'],
      answer: 'first',
    });
    expect(rung(result.steps)).toEqual(['8015550700 for 60 s']);
  });

  it('splits a percentage flow between its destinations', async () => {
    const to = await createRoute({
      routable_type: 'percentage',
      ringto_percentage: [
        { ringToNum: 8015550600, percentage: 50 },
        { ringToNum: 8015550601, percentage: 50 },
      ],
    });
    const result = await carrier.call({ to, from: '2125550183', answer: 'first' });
    expect(rung(result.steps)).toHaveLength(1);
    expect(['8015550600 for 18 s', '8015550601 for 18 s']).toContain(rung(result.steps)[0]);
  });
});
