import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREEN_PROMPT } from '../../src/telephony/twiml.js';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext } from '../helpers/app.js';
import { mp3, multipart } from '../helpers/audio.js';
import { carrierForm, createCarrier, testCallSid } from '../helpers/carrier.js';

/** How calls are connected over the wire: screening, ring time, geo fallback, uploaded audio. */
let ctx: TestContext;
let carrier: ReturnType<typeof createCarrier>;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignId: number;
let numbers: string[];
let next = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  carrier = createCarrier(ctx.app);
  h = await ctx.factory.hierarchy();
  campaignId = await ctx.factory.campaign(h.companyAdmin, h.company);
  numbers = Array.from({ length: 20 }, (_, i) => `312555${String(6000 + i)}`);
  await ctx.factory.inventory(numbers, 'CHICAGO', 'IL');
});
afterAll(() => ctx.close());

async function createFlow(flow: Record<string, unknown>): Promise<string> {
  const number = numbers[next++] as string;
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: h.companyAdmin.token,
    body: [
      {
        call_flow_name: 'Connect',
        group_id: h.company,
        campaign_id: campaignId,
        channel_id: 1,
        message: 'Press 1.',
        number: { phone_number: number },
        ...flow,
      },
    ],
  });
  expect(body[0].result).toBe('success');
  return number;
}

const callRow = async (sid: string) =>
  (
    await ctx.db.query<{ disposition: string; answered_by: string | null; trail: string[] }>(
      'select disposition, answered_by, trail from call where carrier_call_sid = $1',
      [sid],
    )
  ).rows[0];

const screenedOption = {
  key: 1,
  action: 'simple',
  target_did: 8015550700,
  overflowNumbers: [{ overflowNumber: 8015550701, rings: 2 }],
  whisper_enabled: true,
  whisper_message: 'Call from the fall campaign',
  screen_calls: true,
  voicemail_enabled: true,
};

describe('"press 1 to accept" screening', () => {
  it('bridges the call when the answering party presses 1, and only then', async () => {
    const to = await createFlow({ ivrs: [screenedOption] });
    const result = await carrier.call({ to, from: '2125550301', press: ['1'], answer: 'first' });
    expect(result.steps).toContainEqual({ kind: 'whisper', detail: 'Call from the fall campaign' });
    expect(result.steps).toContainEqual({ kind: 'whisper', detail: SCREEN_PROMPT });
    expect(result.steps).toContainEqual({ kind: 'screen', detail: '1 pressed: accepted' });
    expect(result.steps).toContainEqual({ kind: 'answered', detail: '8015550700' });
    expect(await callRow(result.callSid)).toMatchObject({
      disposition: 'ANSWERED',
      answered_by: '8015550700',
    });
  });

  it('hunts on when a voicemail greeting "answers" without pressing a key, then takes a message', async () => {
    const to = await createFlow({ ivrs: [screenedOption], voicemail_greeting: 'Leave a message.' });
    const result = await carrier.call({
      to,
      from: '2125550302',
      press: ['1'],
      answer: 'first',
      screenKey: '',
    });
    const rings = result.steps.filter((s) => s.kind === 'ring').map((s) => s.detail);
    expect(rings).toEqual(['8015550700 for 18 s', '8015550701 for 12 s']);
    expect(result.steps.filter((s) => s.kind === 'screen')).toEqual([
      { kind: 'screen', detail: 'nothing pressed: declined' },
      { kind: 'screen', detail: 'nothing pressed: declined' },
    ]);
    expect(result.steps).toContainEqual({ kind: 'voicemail', detail: expect.any(String) });
    const row = await callRow(result.callSid);
    expect(row?.disposition).toBe('VOICEMAIL');
    expect(row?.answered_by).toBeNull();
    expect(row?.trail).toEqual(expect.arrayContaining(['not-accepted']));
  });

  it('ignores a key press that arrives after the call moved on', async () => {
    const to = await createFlow({ ivrs: [screenedOption] });
    const result = await carrier.call({ to, from: '2125550303', press: ['1'], answer: 'none' });
    const row = await callRow(result.callSid);
    expect(row?.disposition).toBe('VOICEMAIL');
    // a late "1" for the first <Dial> (step 2) after the call moved on changes nothing
    const url = `http://127.0.0.1:3000/telephony/twilio/screen?s=2&c=${result.callSid}`;
    const params = carrierForm({
      CallSid: testCallSid('leg'),
      From: '+12125550303',
      To: '+18015550700',
      CallStatus: 'in-progress',
      Called: '+18015550700',
      Digits: '1',
    });
    expect((await carrier.post(url, params)).status).toBe(403);
    const late = await carrier.post(
      url,
      params,
      twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, url, params),
    );
    expect(late.status).toBe(200);
    expect((await callRow(result.callSid))?.answered_by).toBeNull();
  });
});

describe('ring time', () => {
  it("rings the first target for the flow's ring_delay", async () => {
    const to = await createFlow({
      ring_delay: 30,
      ivrs: [{ key: 1, action: 'simple', target_did: 8015550710 }],
    });
    const result = await carrier.call({ to, from: '2125550310', press: ['1'], answer: 'none' });
    expect(result.steps.filter((s) => s.kind === 'ring').map((s) => s.detail)).toEqual([
      '8015550710 for 30 s',
    ]);
  });

  it('falls back to voicemail_rings, then to three rings', async () => {
    const byRings = await createFlow({
      voicemail_rings: 4,
      ivrs: [{ key: 1, action: 'simple', target_did: 8015550711 }],
    });
    const plain = await createFlow({ ivrs: [{ key: 1, action: 'simple', target_did: 8015550712 }] });
    const a = await carrier.call({ to: byRings, from: '2125550311', press: ['1'], answer: 'none' });
    const b = await carrier.call({ to: plain, from: '2125550312', press: ['1'], answer: 'none' });
    expect(a.steps.find((s) => s.kind === 'ring')?.detail).toBe('8015550711 for 24 s');
    expect(b.steps.find((s) => s.kind === 'ring')?.detail).toBe('8015550712 for 18 s');
  });
});

describe('geo with no match', () => {
  it("sends the caller to the flow's referral number when no branch matches and there is no default", async () => {
    const location = await ctx.db.query<{ location_id: number }>(
      `insert into geo_location (group_id, location_name, location_created) values ($1, 'Empty', now()) returning location_id`,
      [h.company],
    );
    const to = await createFlow({
      referral_number: 8015550799,
      ivrs: [
        {
          key: 1,
          action: 'geo',
          message: 'Finding your branch.',
          geoData: {
            route_by: 'Claimed State',
            proximity_limit: 1,
            location_id: location.rows[0]?.location_id,
          },
        },
      ],
    });
    const result = await carrier.call({ to, from: '2125550320', press: ['1'], answer: 'first' });
    expect(result.steps).toContainEqual({ kind: 'ring', detail: '8015550799 for 30 s' });
    expect(await callRow(result.callSid)).toMatchObject({
      disposition: 'ANSWERED',
      answered_by: '8015550799',
    });
  });
});

describe('uploaded audio played to the carrier', () => {
  async function uploadPrompt(token = h.companyAdmin.token): Promise<{ reference: string; bytes: Buffer }> {
    const bytes = mp3();
    const { payload, headers } = await multipart({}, [{ field: 'file', name: 'menu.mp3', data: bytes }]);
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v2/misc/upload/prompt',
      headers: { ...headers, authorization: `Bearer ${token}` },
      payload,
    });
    expect(response.statusCode).toBe(200);
    return { reference: response.json().data[0].reference_id, bytes };
  }

  it('plays an uploaded prompt from a signed URL that serves its bytes, and refuses other URLs', async () => {
    const { reference, bytes } = await uploadPrompt();
    const to = await createFlow({
      message: `file://${reference}`,
      ivrs: [{ key: 1, action: 'hangup' }],
    });
    const result = await carrier.call({ to, from: '2125550330', press: ['1'] });
    const played = result.steps.find((s) => s.detail.startsWith('audio '))?.detail.slice('audio '.length);
    expect(played).toMatch(new RegExp(`/telephony/audio/${reference.replace('.', '\\.')}\\?sig=`));
    const url = new URL(played as string);

    const served = await ctx.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('audio/mpeg');
    expect(served.rawPayload.equals(bytes)).toBe(true);

    const forged = await ctx.app.inject({
      method: 'GET',
      url: `${url.pathname}?sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
    });
    expect(forged.statusCode).toBe(403);
    const unsigned = await ctx.app.inject({ method: 'GET', url: url.pathname });
    expect(unsigned.statusCode).toBe(400);
  });

  it("refuses to save a flow naming another company's audio, on every save path", async () => {
    // a sibling company under the same agency, and the agency itself, are both outside the flow's group
    const sibling = await ctx.factory.group(h.agency);
    const siblingAudio = await uploadPrompt((await ctx.factory.user(sibling)).token);
    const agencyAudio = await uploadPrompt(h.agencyAdmin.token);
    const refused = (reference: string) => ({
      result: 'error',
      data: `file://${reference} is not an audio file of group_id ${h.company} or a group below it`,
      entry_count: 1,
    });
    const base = {
      call_flow_name: 'Foreign audio',
      group_id: h.company,
      campaign_id: campaignId,
      channel_id: 1,
    };
    const ivr = (message: string, number = numbers[next++]) => ({
      ...base,
      message,
      number: { phone_number: number },
      ivrs: [{ key: 1, action: 'hangup' }],
    });

    for (const [token, reference] of [
      [h.companyAdmin.token, siblingAudio.reference],
      [h.agencyAdmin.token, siblingAudio.reference],
      [h.agencyAdmin.token, agencyAudio.reference],
    ] as const) {
      const created = await ctx.request('POST', '/v2/callflow/multilevelivr', {
        token,
        body: [ivr(` file://${reference}`)],
      });
      expect(created.body[0]).toEqual(refused(reference));
    }
    const simple = await ctx.request('POST', '/v2/callflow', {
      token: h.companyAdmin.token,
      body: [
        {
          ...base,
          routable_type: 'simple',
          default_ringto: 8015550700,
          number: { phone_number: numbers[next++] },
          whisper_enabled: true,
          whisper_message: `file://${siblingAudio.reference}`,
        },
      ],
    });
    expect(simple.body.data[0]).toEqual(refused(siblingAudio.reference));

    // an update goes through the one-by-one save path
    const to = await createFlow({ ivrs: [{ key: 1, action: 'hangup' }] });
    const { rows } = await ctx.db.query<{ call_flow_id: number }>(
      'select f.call_flow_id from call_flow f join phone_number p on p.phone_number_id = f.phone_number_id where p.number = $1',
      [to],
    );
    const callFlowId = rows[0]?.call_flow_id as number;
    const updated = await ctx.request('POST', '/v2/callflow/multilevelivr', {
      token: h.companyAdmin.token,
      body: [
        {
          ...ivr('Press 1.', to),
          call_flow_id: callFlowId,
          ivrs: [{ key: 1, action: 'hangup', message: `file://${siblingAudio.reference}` }],
        },
      ],
    });
    expect(updated.body[0]).toEqual(refused(siblingAudio.reference));
    const version = await ctx.db.query<{ version: number }>(
      'select version from call_flow where call_flow_id = $1',
      [callFlowId],
    );
    expect(version.rows[0]?.version).toBe(1);

    // audio of the flow's own group and below is fine
    const locationAudio = await uploadPrompt(h.locationAdmin.token);
    const own = await ctx.request('POST', '/v2/callflow/multilevelivr', {
      token: h.companyAdmin.token,
      body: [ivr(`file://${locationAudio.reference}`)],
    });
    expect(own.body[0].result).toBe('success');
  });

  it("never plays another company's audio that a stored flow names, and plays its own", async () => {
    const sibling = await ctx.factory.group(h.agency);
    const foreign = await uploadPrompt((await ctx.factory.user(sibling)).token);
    const own = await uploadPrompt();
    const to = await createFlow({ message: 'Press 1.', ivrs: [{ key: 1, action: 'hangup' }] });
    // written past the save's check, as a flow stored before it was made would be
    await ctx.db.query(
      `update call_flow f set document = jsonb_set(jsonb_set(f.document, '{message}', to_jsonb($2::text)),
                                                    '{ivrs,0,message}', to_jsonb($3::text))
        from phone_number p where p.phone_number_id = f.phone_number_id and p.number = $1`,
      [to, `file://${foreign.reference}`, `file://${own.reference}`],
    );
    const result = await carrier.call({ to, from: '2125550331', press: ['1'] });
    const played = result.steps.filter((s) => s.detail.startsWith('audio ')).map((s) => s.detail);
    expect(played).toHaveLength(1);
    expect(played[0]).toContain(`/telephony/audio/${own.reference}?sig=`);
    expect(JSON.stringify(result.steps)).not.toContain(foreign.reference);
  });
});

describe('caller id shown to the answering party', () => {
  async function firstDial(flow: Record<string, unknown>): Promise<string> {
    const to = await createFlow({ ivrs: [{ key: 1, action: 'simple', target_did: 8015550720 }], ...flow });
    const sid = `CA${String(next).padStart(32, '0')}`;
    const voice = 'http://127.0.0.1:3000/telephony/twilio/voice';
    const params = carrierForm({ CallSid: sid, From: '+12125550340', To: `+1${to}` });
    await carrier.post(voice, params, twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, voice, params));
    const gather = 'http://127.0.0.1:3000/telephony/twilio/gather?s=1';
    const pressed = { ...params, Digits: '1' };
    const reply = await carrier.post(
      gather,
      pressed,
      twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, gather, pressed),
    );
    expect(reply.status).toBe(200);
    return reply.body.match(/<Dial[^>]*>/)?.[0] ?? '';
  }

  it("is the tracking number when dnis_as_cid is on, and the caller's (no callerId) otherwise", async () => {
    const shown = await firstDial({ dnis_as_cid: true });
    expect(shown).toMatch(new RegExp(`callerId="\\+1${numbers[next - 1]}"`));
    expect(await firstDial({})).not.toContain('callerId');
  });
});

describe('callers without a number', () => {
  it('routes an anonymous caller (no 10-digit number) instead of failing the blacklist check', async () => {
    const to = await createFlow({ ivrs: [{ key: 1, action: 'simple', target_did: 8015550730 }] });
    const result = await carrier.call({ to, from: 'anonymous', press: ['1'], answer: 'first' });
    expect(result.steps).toContainEqual({ kind: 'answered', detail: '8015550730' });
    expect(await callRow(result.callSid)).toMatchObject({ disposition: 'ANSWERED' });
  });
});
