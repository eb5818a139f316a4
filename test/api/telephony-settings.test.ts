import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTER_ZIP, UNKNOWN_ZIP } from '../../src/routing/engine.js';
import { SCREEN_PROMPT } from '../../src/telephony/twiml.js';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext } from '../helpers/app.js';
import { carrierForm, createCarrier, testCallSid } from '../helpers/carrier.js';

/**
 * Every flow setting of POST /v2/callflow does over the wire what it says (recording on every
 * route type, schedules closed, manual ZIP entry, long whispers), and the carrier edge takes only
 * requests in the form the carrier documents.
 */
let ctx: TestContext;
let carrier: ReturnType<typeof createCarrier>;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignId: number;
let locationId: number;
let numbers: string[];
let next = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  carrier = createCarrier(ctx.app);
  h = await ctx.factory.hierarchy();
  campaignId = await ctx.factory.campaign(h.companyAdmin, h.company);
  numbers = Array.from({ length: 40 }, (_, i) => `312555${String(7000 + i)}`);
  await ctx.factory.inventory(numbers, 'CHICAGO', 'IL');
  const location = await ctx.db.query<{ location_id: number }>(
    `insert into geo_location (group_id, location_name, location_created) values ($1, 'Branches', now()) returning location_id`,
    [h.company],
  );
  locationId = location.rows[0]?.location_id as number;
  await ctx.db.query(
    `insert into geo_location_branch (location_id, position, branch_name, target_did, address, city, state, zip,
                                      latitude, longitude, claimed_states, claimed_zips)
     values ($1, 0, 'Denver', '8015550402', '1 Main St', 'Denver', 'CO', '80202', 39.7392, -104.9903, '{CO}', '{80202}'),
            ($1, 1, 'Salt Lake', '8015550401', '2 Main St', 'Salt Lake City', 'UT', '84101', 40.7608, -111.891, '{UT}', '{84101}')`,
    [locationId],
  );
});
afterAll(() => ctx.close());

/** A flow of any route type through POST /v2/callflow; returns its id and tracking number. */
async function createFlow(flow: Record<string, unknown>): Promise<{ id: number; number: string }> {
  const number = numbers[next++] as string;
  const { body } = await ctx.request('POST', '/v2/callflow', {
    token: h.companyAdmin.token,
    body: [
      {
        call_flow_name: 'Settings',
        group_id: h.company,
        campaign_id: campaignId,
        number: { phone_number: number },
        ...flow,
      },
    ],
  });
  expect(body.data[0], JSON.stringify(body)).toMatchObject({ result: 'success' });
  return { id: body.data[0].data, number };
}

const callRow = async (sid: string) =>
  (
    await ctx.db.query<{ disposition: string; recording_url: string | null; trail: string[] }>(
      'select disposition, recording_url, trail from call where carrier_call_sid = $1',
      [sid],
    )
  ).rows[0];

const schedule = {
  timezone: 'Eastern',
  schedules: [
    {
      schedule_days: [{ id: 'Weekdays' }],
      schedule_start_time: '9:00 AM',
      schedule_end_time: '5:00 PM',
      ring_to: 8015550301,
    },
  ],
};

/** Each route type, and the keys a caller presses to reach its <Dial>. */
const routes: [string, Record<string, unknown>, string[]][] = [
  ['simple', { routable_type: 'simple', default_ringto: 8015550700 }, []],
  [
    'geo',
    {
      routable_type: 'geo',
      default_ringto: 8015550499,
      geo_route: { route_by: 'Claimed State', location_id: 0 },
    },
    [],
  ],
  ['schedule', { routable_type: 'schedule', default_ringto: 8015550300, schedule_data: schedule }, []],
  [
    'percentage',
    { routable_type: 'percentage', ringto_percentage: [{ ringToNum: 8015550600, percentage: 100 }] },
    [],
  ],
  ['outbound', { routable_type: 'outbound', outboundData: { pin: '2468' } }, ['2468', '8015550710']],
];

describe('recording on every route type', () => {
  const recordedIds: number[] = [];
  const unrecordedIds: number[] = [];

  it.each(routes)('a %s flow with record_enabled records the call', async (_, route, press) => {
    const geo = route.geo_route ? { geo_route: { ...route.geo_route, location_id: locationId } } : {};
    const flow = await createFlow({ ...route, ...geo, record_enabled: true, play_disclaimer: 'before' });
    recordedIds.push(flow.id);
    const result = await carrier.call({ to: flow.number, from: '2125550400', press, answer: 'first' });
    expect(result.steps.filter((s) => s.kind === 'answered')).toHaveLength(1);
    expect(await callRow(result.callSid)).toMatchObject({
      disposition: 'ANSWERED',
      recording_url: expect.stringMatching(/\/RE/),
    });
  });

  it.each(routes)('a %s flow records until record_until, and not after it', async (_, route, press) => {
    const geo = route.geo_route ? { geo_route: { ...route.geo_route, location_id: locationId } } : {};
    // the clock reads 2026-03-07T15:00Z
    const ahead = await createFlow({ ...route, ...geo, record_until: '2026-03-07' });
    const passed = await createFlow({ ...route, ...geo, record_enabled: true, record_until: '2026-03-06' });
    recordedIds.push(ahead.id);
    unrecordedIds.push(passed.id);
    const before = await carrier.call({ to: ahead.number, from: '2125550401', press, answer: 'first' });
    expect((await callRow(before.callSid))?.recording_url).toMatch(/\/RE/);
    const after = await carrier.call({ to: passed.number, from: '2125550402', press, answer: 'first' });
    expect(await callRow(after.callSid)).toMatchObject({ disposition: 'ANSWERED', recording_url: null });
  });

  it('lists exactly the flows that record as recording', async () => {
    const { body } = await ctx.request('GET', '/v2/callflow/recording?limit=500', {
      token: h.companyAdmin.token,
    });
    const listed = body.data.map((row: { call_flow_id: number }) => row.call_flow_id);
    expect(listed).toEqual(expect.arrayContaining(recordedIds));
    for (const id of unrecordedIds) expect(listed).not.toContain(id);
  });
});

describe('a schedule route outside its hours', () => {
  it('rings the flow’s default_ringto (2026-03-07 is a Saturday)', async () => {
    const flow = await createFlow({
      routable_type: 'schedule',
      default_ringto: 8015550320,
      schedule_data: schedule,
    });
    const result = await carrier.call({ to: flow.number, from: '2125550410', answer: 'first' });
    expect(result.steps).toContainEqual({ kind: 'answered', detail: '8015550320' });
    expect((await callRow(result.callSid))?.trail).toEqual(['r:closed', 'ring:8015550320', 'answered']);
  });
});

describe('a geo route with allow_manual_entry', () => {
  const geoFlow = () =>
    createFlow({
      routable_type: 'geo',
      message: 'Finding your branch.',
      default_ringto: 8015550499,
      geo_route: { route_by: 'Claimed Zip', location_id: locationId, allow_manual_entry: true },
    });

  it('asks a caller no branch claims for a ZIP code and rings the branch of the one entered', async () => {
    const flow = await geoFlow();
    const result = await carrier.call({
      to: flow.number,
      from: '2125550420',
      press: ['80202'],
      answer: 'first',
    });
    expect(result.steps.slice(0, 3)).toEqual([
      { kind: 'hear', detail: 'Finding your branch.' },
      { kind: 'hear', detail: ENTER_ZIP },
      { kind: 'press', detail: '80202' },
    ]);
    expect(result.steps).toContainEqual({ kind: 'answered', detail: '8015550402' });
  });

  it('asks again after an unknown code and falls back to the default after three tries', async () => {
    const flow = await geoFlow();
    const press = ['00000', '', '99999'];
    const result = await carrier.call({ to: flow.number, from: '2125550421', press, answer: 'first' });
    // the unknown code is named; silence is asked again; the third failure goes to the default
    expect(result.steps.filter((s) => s.detail === UNKNOWN_ZIP)).toHaveLength(1);
    expect(result.steps.filter((s) => s.detail === ENTER_ZIP)).toHaveLength(3);
    expect(result.steps).toContainEqual({ kind: 'answered', detail: '8015550499' });
    expect((await callRow(result.callSid))?.trail).toContain('zip-not-found');

    // the dry run says what the call did
    const { body } = await ctx.request('POST', '/v2/callflow/simulate', {
      token: h.companyAdmin.token,
      body: { call_flow_id: flow.id, from: '2125550421', press },
    });
    expect(body.data.steps).toEqual(result.steps);
  });

  it('does not ask a caller whose own ZIP a branch claims', async () => {
    const flow = await geoFlow();
    const result = await carrier.call({
      to: flow.number,
      from: '2125550422',
      fromZip: '84101',
      answer: 'first',
    });
    expect(result.steps.map((s) => s.detail)).not.toContain(ENTER_ZIP);
    expect(result.steps).toContainEqual({ kind: 'answered', detail: '8015550401' });
  });
});

describe('geo routing across the NANP', () => {
  it('places a Canadian caller by area code and rings the nearest branch', async () => {
    const location = await ctx.db.query<{ location_id: number }>(
      `insert into geo_location (group_id, location_name, location_created) values ($1, 'Canada', now()) returning location_id`,
      [h.company],
    );
    const canada = location.rows[0]?.location_id as number;
    await ctx.db.query(
      `insert into geo_location_branch (location_id, position, branch_name, target_did, address, city, state, zip,
                                        latitude, longitude, claimed_states, claimed_zips)
       values ($1, 0, 'Toronto', '8015550416', '1 King St', 'Toronto', 'ON', '', 43.6532, -79.3832, '{ON}', '{}'),
              ($1, 1, 'Vancouver', '8015550604', '1 Main St', 'Vancouver', 'BC', '', 49.2827, -123.1207, '{BC}', '{}')`,
      [canada],
    );
    const byProximity = await createFlow({
      routable_type: 'geo',
      default_ringto: 8015550499,
      geo_route: { route_by: 'Area Code Proximity', proximity_limit: 50, location_id: canada },
    });
    const toronto = await carrier.call({ to: byProximity.number, from: '4165550100', answer: 'first' });
    expect(toronto.steps).toContainEqual({ kind: 'answered', detail: '8015550416' });
    const byState = await createFlow({
      routable_type: 'geo',
      default_ringto: 8015550499,
      geo_route: { route_by: 'Claimed State', location_id: canada },
    });
    const vancouver = await carrier.call({ to: byState.number, from: '6045550100', answer: 'first' });
    expect(vancouver.steps).toContainEqual({ kind: 'answered', detail: '8015550604' });
  });
});

describe('a long whisper', () => {
  it('reaches the answering party in full, screen included, and the call bridges', async () => {
    const whisper = `Call from the spring campaign. ${'Details follow. '.repeat(60)}`.trim();
    expect(whisper.length).toBeGreaterThan(900);
    const flow = await createFlow({
      routable_type: 'simple',
      default_ringto: 8015550730,
      whisper_enabled: true,
      whisper_message: whisper,
      screen_calls: true,
    });
    const result = await carrier.call({ to: flow.number, from: '2125550430', answer: 'first' });
    expect(result.steps).toContainEqual({ kind: 'whisper', detail: whisper });
    expect(result.steps).toContainEqual({ kind: 'whisper', detail: SCREEN_PROMPT });
    expect(result.steps).toContainEqual({ kind: 'answered', detail: '8015550730' });
    expect((await callRow(result.callSid))?.disposition).toBe('ANSWERED');
  });

  it('hangs up a leg whose call has moved on from the dial that rang it', async () => {
    const flow = await createFlow({
      routable_type: 'simple',
      default_ringto: 8015550731,
      whisper_enabled: true,
      whisper_message: 'Spring campaign',
    });
    const result = await carrier.call({ to: flow.number, from: '2125550431', answer: 'first' });
    const url = `http://127.0.0.1:3000/telephony/twilio/whisper?s=1&c=${result.callSid}`;
    const leg = carrierForm({
      CallSid: testCallSid('late leg'),
      From: '+12125550431',
      To: '+18015550731',
      CallStatus: 'in-progress',
    });
    const late = await carrier.signedPost(url, leg);
    expect(late.status).toBe(200);
    expect(late.body).toContain('<Hangup/>');
    expect(late.body).not.toContain('Spring campaign');
  });
});

describe('carrier request integrity', () => {
  const voiceOf = async (label: string) => {
    const flow = await createFlow({ routable_type: 'simple', default_ringto: 8015550740 });
    return carrierForm({
      CallSid: testCallSid(label),
      From: '+12125550440',
      To: `+1${flow.number}`,
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    });
  };
  const callCount = async () =>
    Number((await ctx.db.query<{ n: number }>('select count(*)::int as n from call')).rows[0]?.n);

  it('refuses a signed request re-split at other boundaries, which keeps its signature', async () => {
    const voice = await voiceOf('resplit');
    const signature = twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, carrier.voiceUrl, voice);
    // Twilio signs "CallSid" + value + "CallStatus" + value ...: the same text read as one longer CallSid
    const { CallStatus, ...rest } = voice;
    const resplit = { ...rest, CallSid: `${voice.CallSid}CallStatus${CallStatus}` };
    expect(twilio.validateRequest(TEST_CARRIER_TOKEN, signature, carrier.voiceUrl, resplit)).toBe(true);
    const before = await callCount();
    const reply = await carrier.post(carrier.voiceUrl, resplit, signature);
    expect(reply.status).toBe(400);
    expect(await callCount()).toBe(before);
    // the request as the carrier sent it is taken
    expect((await carrier.post(carrier.voiceUrl, voice, signature)).status).toBe(200);
    expect(await callCount()).toBe(before + 1);
  });

  it.each([
    ['AccountSid', { AccountSid: undefined }],
    ['CallStatus', { CallStatus: undefined }],
    ['From', { From: undefined }],
    ['To', { To: undefined }],
    ['CallSid (not CA + 32 hex digits)', { CallSid: 'CAnot-a-call-sid' }],
    ['AccountSid (not AC + 32 hex digits)', { AccountSid: 'ACforged' }],
    ['CallStatus (not a status Twilio sends)', { CallStatus: 'answered-maybe' }],
  ])('refuses a signed voice request with %s missing or malformed (400)', async (label, change) => {
    const voice = Object.fromEntries(
      Object.entries({ ...(await voiceOf(`missing ${label}`)), ...change }).filter(
        ([, v]) => v !== undefined,
      ),
    ) as Record<string, string>;
    const before = await callCount();
    expect((await carrier.signedPost(carrier.voiceUrl, voice)).status).toBe(400);
    expect(await callCount()).toBe(before);
  });

  it('refuses each callback without the parameters Twilio documents for it', async () => {
    const voice = await voiceOf('callbacks');
    expect((await carrier.signedPost(carrier.voiceUrl, voice)).status).toBe(200);
    const base = carrier.voiceUrl.replace('/voice', '');
    const inProgress: Record<string, string> = { ...voice, CallStatus: 'in-progress' };
    // <Dial action> needs DialCallStatus, <Record action> a RecordingUrl; status a numeric CallDuration
    expect((await carrier.signedPost(`${base}/dial?s=1`, inProgress)).status).toBe(400);
    expect(
      (await carrier.signedPost(`${base}/dial?s=1`, { ...inProgress, DialCallStatus: 'maybe' })).status,
    ).toBe(400);
    expect((await carrier.signedPost(`${base}/record?s=1`, inProgress)).status).toBe(400);
    expect(
      (await carrier.signedPost(`${base}/status`, { ...voice, CallStatus: 'completed', CallDuration: 'x' }))
        .status,
    ).toBe(400);
    const { AccountSid: _, ...withoutAccount } = inProgress;
    expect((await carrier.signedPost(`${base}/gather?s=1`, withoutAccount)).status).toBe(400);
    expect((await carrier.signedPost(`${base}/whisper?s=1&c=CAshort`, inProgress)).status).toBe(400);
    // the call is where it was
    const row = await ctx.db.query<{ step: number }>('select step from call where carrier_call_sid = $1', [
      voice.CallSid,
    ]);
    expect(row.rows).toEqual([{ step: 1 }]);
  });

  it('refuses a JSON body, even one signed as if it were a form', async () => {
    const voice = await voiceOf('json');
    const before = await callCount();
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/telephony/twilio/voice',
      headers: {
        'content-type': 'application/json',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, carrier.voiceUrl, voice),
      },
      payload: JSON.stringify(voice),
    });
    expect(response.statusCode).toBe(415);
    expect(await callCount()).toBe(before);
  });

  it('accepts fields carriers add', async () => {
    const voice = { ...(await voiceOf('extra')), CallerName: 'JANE DOE', CallToken: 'x.y.z', NewField: '1' };
    const reply = await carrier.signedPost(carrier.voiceUrl, voice);
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<Dial');
  });
});
