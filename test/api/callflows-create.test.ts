import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashOutboundPin, loadOutboundPinKey } from '../../src/modules/callflows/callflow-secrets.js';
import { createTestContext, type TestContext } from '../helpers/app.js';

/** POST /v2/callflow (every route type), POST /v2/callflow/outbound, and reading flows back. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignId: number;
let agencyCampaignId: number;
let locationId: number;
let spareNumbers: string[];

const OVERFLOW_REQUIRED = "overflowNumbers field is required. Make sure you typed it as 'overflowNumbers'";
const OVERFLOW_DUPLICATES = 'Overflow Numbers cannot contain duplicate numbers with Simultaneous hunt.';
const SCREEN_WITH_SIMULTANEOUS =
  'screen_calls cannot be combined with isSimultaneous: the first leg to answer ends the others, so a voicemail that answers and is declined would end the whole ring; set isSimultaneous to false to screen each number in turn';

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
  campaignId = await ctx.factory.campaign(h.companyAdmin);
  agencyCampaignId = await ctx.factory.campaign(h.agencyAdmin);
  const location = await ctx.db.query<{ location_id: number }>(
    `insert into geo_location (group_id, location_name, location_created) values ($1, 'Branches', now()) returning location_id`,
    [h.company],
  );
  locationId = location.rows[0]?.location_id as number;
  await ctx.db.query(
    `insert into geo_location_branch (location_id, position, branch_name, target_did, address, city, state, zip, latitude, longitude)
     values ($1, 0, 'Irvine', '9495550100', '1 Main St', 'Irvine', 'CA', '92618', 33.67, -117.77)`,
    [locationId],
  );
  spareNumbers = Array.from({ length: 60 }, (_, i) => `949556${String(1000 + i)}`);
  const poolInventory = Array.from({ length: 4 }, (_, i) => `212556${String(2000 + i)}`);
  await ctx.factory.inventory([...spareNumbers, ...poolInventory]);
});
afterAll(() => ctx.close());

let nextNumber = 0;
const takeNumber = () => spareNumbers[nextNumber++] as string;

const schedule = {
  timezone: 'Eastern',
  default_ringto: '8015550300',
  voicemail_enabled: false,
  schedules: [
    {
      schedule_days: [{ id: 'Weekdays' }],
      schedule_start_time: '8:00 AM',
      schedule_end_time: 'End of Day',
      ring_to: '8015550301',
      isSimultaneous: false,
      overflowNumbers: [{ overflowNumber: 8015550302, rings: 2 }],
    },
  ],
};

/** The fields V2's QA payload builder sets on every flow, with a simple route. */
function flow(number: string | undefined, overrides: Record<string, unknown> = {}) {
  return {
    call_flow_name: 'Front desk',
    call_flow_status: 'active',
    group_id: h.company,
    campaign_id: campaignId,
    channel_id: 13,
    routable_type: 'simple',
    default_ringto: '8015550100',
    ring_delay: 24,
    repeat_interval: 72,
    call_value: 25,
    message_enabled: true,
    message: 'Thanks for calling.',
    whisper_enabled: true,
    whisper_message: 'Call from LinkedIn',
    play_disclaimer: 'before',
    record_enabled: true,
    record_until: '2026-12-31',
    voicemail_enabled: true,
    voicemail_rings: 4,
    email_to_notify: 'ops@example.com',
    spam_filter_enabled: true,
    spam_threshold: 40,
    webhook_enabled: false,
    postcall_ivr_enabled: false,
    postcall_ivr_id: 0,
    referral_number: '8015550199',
    created_at: '2020-01-01T00:00:00.000Z',
    updated_at: '2020-01-01T00:00:00.000Z',
    call_flow_created: '2020-01-01T00:00:00.000Z',
    isSimultaneous: true,
    overflowNumbers: [
      { overflowNumber: 8015550101, rings: 2 },
      { overflowNumber: 8015550102, rings: 3 },
    ],
    ...(number === undefined ? {} : { number: { phone_number_id: 0, phone_number: Number(number) } }),
    ...overrides,
  };
}

const post = (body: unknown, token = h.companyAdmin.token) =>
  ctx.request('POST', '/v2/callflow', { token, body });
const postOutbound = (body: unknown, token = h.companyAdmin.token) =>
  ctx.request('POST', '/v2/callflow/outbound', { token, body });
const getFlow = (id: number | string, token = h.companyAdmin.token) =>
  ctx.request('GET', `/v2/callflow?id=${id}`, { token });
const history = (id: number) =>
  ctx.request('GET', `/v2/callflow/history?id=${id}`, { token: h.companyAdmin.token });

const flowCount = async () =>
  Number((await ctx.db.query<{ n: number }>('select count(*)::int as n from call_flow')).rows[0]?.n);

/** Creates one flow and returns its id. */
async function created(body: Record<string, unknown>, token = h.companyAdmin.token): Promise<number> {
  const reply = await post([body], token);
  expect(reply.body.data[0], JSON.stringify(reply.body)).toMatchObject({ result: 'success' });
  return reply.body.data[0].data;
}

/** Posted fields the server answers differently: set by it, or in V2's answer form. */
const SERVER_FIELDS = ['number', 'created_at', 'updated_at', 'call_flow_created', 'routable_type'];

const routeCases: [string, string, () => Record<string, unknown>, (data: Record<string, unknown>) => void][] =
  [
    ['simple', 'SimpleRoute', () => ({}), (data) => expect(data.default_ringto).toBe('8015550100')],
    [
      'hangup',
      'SimpleRoute',
      () => ({ default_ringto: undefined, isSimultaneous: false, overflowNumbers: undefined }),
      (data) => expect(data.default_ringto).toBe('hangup'),
    ],
    [
      'ivr',
      'IvrRoute2',
      () => ({
        message: 'For sales press 1, to hang up press 2, for the nearest branch press 3.',
        ivrs: [
          {
            Key: 1,
            name: 'Keypress-1',
            message_enabled: true,
            message: 'test_keypress-1',
            route_type: 'Simple',
            record_enabled: true,
            play_disclaimer: 'before',
            target_did: '8018786943',
          },
          { key: 2, name: 'Bye', route_type: 'Hangup' },
          {
            key: 3,
            name: 'Nearest',
            route_type: 'Geo',
            geoData: { route_by: 'Claimed State', location_id: locationId },
          },
        ],
      }),
      (data) => expect(data.ivrs).toHaveLength(3),
    ],
    [
      'geo',
      'GeoRoute',
      () => ({
        geo_route: {
          route_by: 'Zip Code Proximity',
          proximity_limit: 25,
          location_id: locationId,
          target_did: '8015550200',
          play_branding: true,
          allow_manual_entry: true,
        },
      }),
      (data) => {
        expect(data.geo_route).toMatchObject({
          route_by: 'Zip Code Proximity',
          strategy: 'Zipcode',
          radius: '25',
          play_branding: true,
          allow_manual_entry: true,
          options: [
            {
              geo_target_did: '9495550100',
              group_id: h.company,
              branch_name: 'Irvine',
              address: '1 Main St',
              city: 'Irvine',
              latitude: 33.67,
              geo_created_at: expect.any(String),
              geo_updated_at: null,
            },
          ],
        });
        expect(data.location).toEqual([
          {
            location_id: locationId,
            org_unit_id: h.company,
            location_name: 'Branches',
            location_created: expect.any(String),
            location_modified: null,
            location_active: true,
          },
        ]);
      },
    ],
    [
      'percentage',
      'PercentageBasedRoute',
      () => ({
        ringto_percentage: [
          {
            ringToNum: '8015550401',
            percentage: 60,
            route_order: 1,
            activateVoicemail: true,
            isSimultaneous: true,
            overflowNumbers: [{ overflowNumber: 8015550403, rings: 2 }],
          },
          { ringToNum: 8015550402, percentage: 40, route_order: 2 },
        ],
      }),
      (data) => expect(data.ringto_percentage).toHaveLength(2),
    ],
    [
      'schedule',
      'ScheduleRoute',
      () => ({ schedule_data: schedule }),
      (data) => expect(data.schedule_data).toEqual(schedule),
    ],
    [
      'outbound',
      'OutboundRoute',
      () => ({ outboundData: { pin: '4321' } }),
      (data) => expect(data.outboundData).toEqual({ pin: '********' }),
    ],
    [
      'voicemail',
      'VoicemailRoute',
      () => ({ voicemail_greeting: 'Leave a message.' }),
      (data) => expect(data.voicemail_enabled).toBe(true),
    ],
  ];

describe('creating each route type and reading it back', () => {
  it.each(routeCases)(
    'stores a %s flow as %s and answers every posted field',
    async (key, stored, extra, check) => {
      const number = takeNumber();
      const body = flow(number, { routable_type: key, ...extra() });
      const { status, body: reply } = await post([body]);
      expect(status).toBe(200);
      expect(reply).toEqual({
        result: 'success',
        err: null,
        data: [{ result: 'success', data: expect.any(Number), entry_count: 1 }],
      });

      const read = await getFlow(reply.data[0].data);
      expect(read.status).toBe(200);
      const data = read.body.data;
      for (const [field, value] of Object.entries(body)) {
        if (SERVER_FIELDS.includes(field) || field === 'outboundData' || value === undefined) continue;
        // geo_route comes back with V2's computed fields added
        if (field === 'geo_route') expect(data[field]).toMatchObject(value as object);
        else expect(data[field], field).toEqual(value);
      }
      expect(data).toMatchObject({
        call_flow_id: reply.data[0].data,
        routable_type: stored,
        dnis: number,
        channel: 'Linkedin: Paid',
        ring_delay: 24,
        version: 1,
        call_flow_created: ctx.clock.now().toISOString(),
        created_at: ctx.clock.now().toISOString(),
        updated_at: null,
      });
      expect(data.number).toEqual([
        expect.objectContaining({
          phone_number: Number(number),
          npa: '949',
          nxx: '556',
          rate_center: 'IRVINE',
        }),
      ]);
      if (stored !== 'GeoRoute') {
        expect(data).not.toHaveProperty('geo_route');
        expect(data).not.toHaveProperty('location');
      }
      check(data);
    },
  );

  it('gives V2 defaults for fields a flow leaves out', async () => {
    const id = await created({
      call_flow_name: 'Bare',
      group_id: h.company,
      campaign_id: campaignId,
      routable_type: 'simple',
      default_ringto: 8015550100,
      number: { phone_number: takeNumber() },
    });
    const { data } = (await getFlow(id)).body;
    expect(data).toMatchObject({
      channel_id: 35,
      channel: 'Other: Other',
      call_flow_status: 'active',
      default_ringto: '8015550100',
      ring_delay: 18,
      message: null,
      message_enabled: false,
      whisper_enabled: false,
      whisper_message: null,
      play_disclaimer: 'never',
      voicemail_enabled: false,
      record_until: null,
      repeat_interval: null,
      call_value: null,
      email_to_notify: null,
      spam_filter_enabled: false,
      spam_threshold: null,
      webhook_enabled: false,
      postcall_ivr_enabled: false,
      postcall_ivr_id: null,
    });
  });

  it('counts voicemail_rings as 6 seconds each when ring_delay is left out', async () => {
    const id = await created(flow(takeNumber(), { ring_delay: undefined, voicemail_rings: 5 }));
    expect((await getFlow(id)).body.data.ring_delay).toBe(30);
  });

  it('creates a flow on a new number pool', async () => {
    const id = await created(
      flow(undefined, {
        number_pool: {
          pool_name: 'Automation Pool',
          keep_alive_minutes: 60,
          number_quantity: 2,
          npa: 212,
          nxx: 556,
        },
      }),
    );
    const { data } = (await getFlow(id)).body;
    expect(data.dnis).toBeNull();
    expect(data.number).toHaveLength(2);
    expect(data.number_pool).toMatchObject({ pool_id: expect.any(Number), pool_name: 'Automation Pool' });
  });

  it('answers several entries in order, each in its own transaction', async () => {
    const before = await flowCount();
    const { body } = await post([
      flow(takeNumber()),
      flow(takeNumber(), { routable_type: 'teleport' }),
      flow(takeNumber(), { routable_type: 'voicemail' }),
    ]);
    expect(body).toEqual({
      result: 'error',
      err: '1 of 3 entries failed',
      data: [
        { result: 'success', data: expect.any(Number), entry_count: 1 },
        { result: 'error', data: 'Invalid Route Type', entry_count: 2 },
        { result: 'success', data: expect.any(Number), entry_count: 3 },
      ],
    });
    expect(await flowCount()).toBe(before + 2);
  });
});

describe('business errors, one reason per entry', () => {
  const simultaneous = (list: unknown) => ({ isSimultaneous: true, overflowNumbers: list });
  const cases: [string, (n: string) => Record<string, unknown>, string][] = [
    ['an unknown route type', (n) => flow(n, { routable_type: 'teleport' }), 'Invalid Route Type'],
    ['a stored route name', (n) => flow(n, { routable_type: 'SimpleRoute' }), 'Invalid Route Type'],
    ['an ivr without ivrs', (n) => flow(n, { routable_type: 'ivr' }), 'Missing Ivr Data.'],
    ['an ivr with no options', (n) => flow(n, { routable_type: 'ivr', ivrs: [] }), 'Missing Ivr Data.'],
    ['a geo flow without geo_route', (n) => flow(n, { routable_type: 'geo' }), 'Missing Geo Data.'],
    [
      'a percentage flow without ringto_percentage',
      (n) => flow(n, { routable_type: 'percentage' }),
      'Missing Ringto Data.',
    ],
    [
      'a schedule flow without schedule_data',
      (n) => flow(n, { routable_type: 'schedule' }),
      'Missing Schedule Data.',
    ],
    [
      'an outbound flow without outboundData',
      (n) => flow(n, { routable_type: 'outbound' }),
      'Missing Outbound Data.',
    ],
    [
      'simultaneous ring without overflowNumbers',
      (n) => flow(n, { overflowNumbers: undefined }),
      OVERFLOW_REQUIRED,
    ],
    [
      'duplicate overflow numbers with simultaneous ring',
      (n) =>
        flow(
          n,
          simultaneous([
            { overflowNumber: 8015550101, rings: 1 },
            { overflowNumber: '8015550101', rings: 2 },
          ]),
        ),
      OVERFLOW_DUPLICATES,
    ],
    [
      'duplicate overflow numbers on a percentage option with simultaneous ring',
      (n) =>
        flow(n, {
          routable_type: 'percentage',
          ringto_percentage: [
            {
              ringToNum: 8015550401,
              percentage: 100,
              ...simultaneous([
                { overflowNumber: 8015550101, rings: 1 },
                { overflowNumber: 8015550101, rings: 1 },
              ]),
            },
          ],
        }),
      `ringto_percentage[0]: ${OVERFLOW_DUPLICATES}`,
    ],
    [
      'percentages that do not add up to 100',
      (n) =>
        flow(n, {
          routable_type: 'percentage',
          ringto_percentage: [
            { ringToNum: 8015550401, percentage: 50 },
            { ringToNum: 8015550402, percentage: 40 },
          ],
        }),
      'ringto_percentage adds up to 90%; the percentages must add up to 100',
    ],
    [
      'a simple flow without default_ringto',
      (n) => flow(n, { default_ringto: undefined }),
      'default_ringto is required',
    ],
    [
      'a geo flow without default_ringto',
      (n) =>
        flow(n, {
          routable_type: 'geo',
          default_ringto: undefined,
          geo_route: { route_by: 'Claimed State', location_id: locationId },
        }),
      'default_ringto is required',
    ],
    [
      'a hangup flow with a ring-to number',
      (n) => flow(n, { routable_type: 'hangup' }),
      'default_ringto must be hangup (or left out) for a hangup route',
    ],
    [
      'a default_ringto that is not a phone number',
      (n) => flow(n, { default_ringto: '12345' }),
      'default_ringto 12345 is not a valid 10-digit phone number',
    ],
    [
      'route data for another route type',
      (n) => flow(n, { geo_route: { route_by: 'Claimed State', location_id: locationId } }),
      'geo_route does not apply to a simple route',
    ],
    ['a new flow without a number', () => flow(undefined), 'Provide exactly one of number or number_pool'],
    [
      'a PIN that is not 4 to 8 digits',
      (n) => flow(n, { routable_type: 'outbound', outboundData: { pin: '12a4' } }),
      'outboundData.pin must be 4 to 8 digits',
    ],
    [
      'a caller id outside your numbers',
      (n) => flow(n, { routable_type: 'outbound', outboundData: { pin: '1234', callerid: '2125559999' } }),
      'outboundData.callerid 2125559999 is not a tracking number you can access',
    ],
    [
      'an IVR option without a key',
      (n) => flow(n, { routable_type: 'ivr', ivrs: [{ route_type: 'Hangup' }] }),
      'ivrs[0]: key is required',
    ],
    [
      'two IVR options with one key',
      (n) =>
        flow(n, {
          routable_type: 'ivr',
          ivrs: [
            { Key: 1, route_type: 'Hangup' },
            { key: 1, route_type: 'Voicemail' },
          ],
        }),
      'ivrs: key 1 is used by more than one option',
    ],
    [
      'a Simple IVR option without target_did',
      (n) => flow(n, { routable_type: 'ivr', ivrs: [{ Key: 1, route_type: 'Simple' }] }),
      'ivrs[0]: target_did is required',
    ],
    [
      'a Geo IVR option without geoData',
      (n) => flow(n, { routable_type: 'ivr', ivrs: [{ Key: 1, route_type: 'Geo' }] }),
      'ivrs[0]: Missing Geo Data.',
    ],
    [
      'a proximity geo route without a limit',
      (n) =>
        flow(n, {
          routable_type: 'geo',
          geo_route: { route_by: 'Zip Code Proximity', location_id: locationId },
        }),
      'geo_route.proximity_limit must be more than 0 miles for Zip Code Proximity',
    ],
    [
      'a location out of scope',
      (n) => flow(n, { routable_type: 'geo', geo_route: { route_by: 'Claimed State', location_id: 424242 } }),
      'location_id 424242 is not a location you can access',
    ],
    [
      'an unknown time zone',
      (n) => flow(n, { routable_type: 'schedule', schedule_data: { ...schedule, timezone: 'Mars/Olympus' } }),
      'schedule_data.timezone Mars/Olympus is not a known time zone',
    ],
    [
      'whisper without a message',
      (n) => flow(n, { whisper_message: ' ' }),
      'whisper_message is required when whisper_enabled is true',
    ],
    [
      'a spam threshold every caller without attestation A reaches',
      (n) => flow(n, { spam_threshold: 20 }),
      'spam_threshold 20 would reject every caller without full (A) attestation; use 21 to 100, or 0 for the default (70)',
    ],
    [
      'screening with a simultaneous ring',
      (n) => flow(n, { screen_calls: true }),
      `${SCREEN_WITH_SIMULTANEOUS}`,
    ],
    [
      'screening with a simultaneous ring on a percentage option',
      (n) =>
        flow(n, {
          routable_type: 'percentage',
          isSimultaneous: false,
          screen_calls: true,
          ringto_percentage: [
            {
              ringToNum: 8015550600,
              percentage: 100,
              isSimultaneous: true,
              overflowNumbers: [{ overflowNumber: 8015550601, rings: 2 }],
            },
          ],
        }),
      `ringto_percentage[0]: ${SCREEN_WITH_SIMULTANEOUS}`,
    ],
    [
      'screening with a simultaneous ring in a schedule window',
      (n) =>
        flow(n, {
          routable_type: 'schedule',
          isSimultaneous: false,
          screen_calls: true,
          schedule_data: { ...schedule, schedules: [{ ...schedule.schedules[0], isSimultaneous: true }] },
        }),
      `schedule_data.schedules[0].${SCREEN_WITH_SIMULTANEOUS}`,
    ],
    [
      'eleven numbers rung at once',
      (n) =>
        flow(n, {
          overflowNumbers: Array.from({ length: 10 }, (_, i) => ({
            overflowNumber: 8015550800 + i,
            rings: 1,
          })),
        }),
      'isSimultaneous rings at most 10 numbers at once; this hunt has 11',
    ],
    [
      'a record_until that is not a date',
      (n) => flow(n, { record_until: 'soon' }),
      'record_until "soon" is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:mm:ssZ)',
    ],
    [
      'an enabled post-call IVR',
      (n) => flow(n, { postcall_ivr_enabled: true, postcall_ivr_id: 5 }),
      'postcall_ivr_id 5 is not a post-call IVR you can access',
    ],
    [
      'an enabled webhook',
      (n) => flow(n, { webhook_enabled: true, webhook_id: 77 }),
      'webhook_id 77 is not a webhook you can access',
    ],
    ['an unknown channel', (n) => flow(n, { channel_id: 9999 }), 'channel_id 9999 does not exist'],
    [
      'a number outside the inventory',
      () => flow('2125559999'),
      'phone_number 2125559999 is not available: it is unknown, or used by another call flow',
    ],
  ];

  it.each(cases)('refuses %s', async (_, build, reason) => {
    const before = await flowCount();
    const { status, body } = await post([build(spareNumbers[59] as string)]);
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'error',
      err: '1 of 1 entries failed',
      data: [{ result: 'error', data: reason, entry_count: 1 }],
    });
    expect(await flowCount()).toBe(before);
  });
});

describe('schema errors', () => {
  it('lists every missing required field in V2 order when only optional fields are sent', async () => {
    const { status, body } = await post([{ call_flow_status: 'active', ring_delay: 18 }]);
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      code: 'INVALID_REQUEST_PARAMETER',
      in: 'body',
      name: 'callflow',
      message: 'Invalid parameter (callflow): Value failed JSON Schema validation',
      path: ['paths', '/callflow', 'post', 'parameters', '0'],
    });
    expect(body.errors[0].errors.map((e: { message: string }) => e.message)).toEqual([
      'Missing required property: call_flow_name',
      'Missing required property: group_id',
      'Missing required property: campaign_id',
      'Missing required property: routable_type',
    ]);
  });

  it.each([
    ['an unknown field', { colour: 'red' }, 'OBJECT_ADDITIONAL_PROPERTIES', ['0']],
    [
      'an unknown IVR option route_type',
      { routable_type: 'ivr', ivrs: [{ Key: 1, route_type: 'Teleport' }] },
      'ENUM_MISMATCH',
      ['0', 'ivrs', '0', 'route_type'],
    ],
    [
      'a percentage above 100',
      { routable_type: 'percentage', ringto_percentage: [{ ringToNum: 8015550401, percentage: 101 }] },
      'MAXIMUM',
      ['0', 'ringto_percentage', '0', 'percentage'],
    ],
  ])('answers %s with the validation body and stores nothing', async (_, overrides, code, path) => {
    const before = await flowCount();
    const { status, body } = await post([flow(takeNumber(), overrides)]);
    expect(status).toBe(400);
    expect(body.errors[0].errors[0]).toMatchObject({ code, path });
    expect(await flowCount()).toBe(before);
  });

  it('refuses an empty array', async () => {
    const { status, body } = await post([]);
    expect(status).toBe(400);
    expect(body.errors[0].errors[0]).toMatchObject({ code: 'ARRAY_LENGTH_SHORT' });
  });
});

describe('updates', () => {
  it('replaces the document, keeps the number when none is sent and keeps every version', async () => {
    const number = takeNumber();
    const id = await created(flow(number));
    ctx.clock.advance(60_000);
    const { number: _kept, channel_id: _channel, ...rest } = flow(number);
    const { body } = await post([
      {
        ...rest,
        call_flow_id: id,
        call_flow_name: 'After hours',
        routable_type: 'schedule',
        schedule_data: schedule,
      },
    ]);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: [{ result: 'success', data: id, entry_count: 1 }],
    });

    const { data } = (await getFlow(id)).body;
    expect(data).toMatchObject({
      call_flow_name: 'After hours',
      routable_type: 'ScheduleRoute',
      schedule_data: schedule,
      dnis: number,
      channel_id: 13,
      version: 2,
      updated_at: ctx.clock.now().toISOString(),
    });
    expect(data.number[0].phone_number).toBe(Number(number));
    const versions = (await history(id)).body.data;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(versions[0].document).toMatchObject({ call_flow_name: 'Front desk', routable_type: 'simple' });
    expect(versions[0].document).not.toHaveProperty('created_at');
    expect(versions[1].document).toMatchObject({ call_flow_name: 'After hours', routable_type: 'schedule' });
  });

  it('keeps a pool when an update sends neither number nor number_pool', async () => {
    const id = await created(
      flow(undefined, { number_pool: { pool_name: 'Web', number_quantity: 1, npa: 212, nxx: 556 } }),
    );
    const before = (await getFlow(id)).body.data;
    const { body } = await post([flow(undefined, { call_flow_id: id, routable_type: 'voicemail' })]);
    expect(body.result).toBe('success');
    const after = (await getFlow(id)).body.data;
    expect(after.number_pool).toEqual(before.number_pool);
    expect(after.number).toEqual(before.number);
  });

  it('turns a multi-level IVR flow into a simple one', async () => {
    const number = takeNumber();
    const ivr = await ctx.request('POST', '/v2/callflow/multilevelivr', {
      token: h.companyAdmin.token,
      body: [
        {
          call_flow_name: 'Menu',
          channel_id: 7,
          group_id: h.company,
          campaign_id: campaignId,
          number: { phone_number: number },
          ivrs: [{ key: 1, action: 'hangup' }],
        },
      ],
    });
    const id = Number(ivr.body[0].data);
    await post([flow(undefined, { call_flow_id: id })]);
    expect((await getFlow(id)).body.data).toMatchObject({
      routable_type: 'SimpleRoute',
      dnis: number,
      version: 2,
    });
  });

  it('refuses an id that is not a call flow', async () => {
    const { body } = await post([flow(undefined, { call_flow_id: 987654 })]);
    expect(body.data[0].data).toBe('call_flow_id 987654 is not a call flow you can access');
  });
});

describe('POST /v2/callflow/outbound', () => {
  it('stores an outbound flow with its PIN as a keyed hash, and answers it masked', async () => {
    const number = takeNumber();
    const { status, body } = await postOutbound([
      flow(number, { routable_type: undefined, outboundData: { pin: '00123', callerid: number } }),
    ]);
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: [{ result: 'success', data: expect.any(Number), entry_count: 1 }],
    });
    const id = body.data[0].data;
    const { data } = (await getFlow(id)).body;
    expect(data).toMatchObject({
      routable_type: 'OutboundRoute',
      outboundData: { pin: '********', callerid: number },
    });
    const versions = await history(id);
    expect(versions.body.data[0].document.outboundData.pin).toBe('********');
    const stored = await ctx.db.query<{ pin: string }>(
      `select document -> 'outboundData' ->> 'pin' as pin from call_flow where call_flow_id = $1
       union all
       select document -> 'outboundData' ->> 'pin' from call_flow_version where call_flow_id = $1`,
      [id],
    );
    const hash = hashOutboundPin(await loadOutboundPinKey(ctx.db), '00123');
    expect(stored.rows.map((row) => row.pin)).toEqual([hash, hash]);
    const digest = hash.slice('hmac-sha256:'.length);
    for (const reply of [JSON.stringify(data), JSON.stringify(versions.body)]) {
      expect(reply).not.toContain('00123');
      expect(reply).not.toContain(digest);
    }
  });

  it('says Missing Outbound Data. without outboundData', async () => {
    const { body } = await postOutbound([flow(takeNumber(), { routable_type: undefined })]);
    expect(body.data[0]).toEqual({ result: 'error', data: 'Missing Outbound Data.', entry_count: 1 });
  });

  it('accepts routable_type outbound and no other', async () => {
    const { status, body } = await postOutbound([
      flow(takeNumber(), { routable_type: 'simple', outboundData: { pin: '1234' } }),
    ]);
    expect(status).toBe(400);
    expect(body.errors[0].errors[0]).toMatchObject({
      code: 'ENUM_MISMATCH',
      message: 'No enum match for: simple',
      path: ['0', 'routable_type'],
    });
  });
});

describe('scope', () => {
  it('a company admin can neither read, update nor build on agency flows, groups and campaigns', async () => {
    const id = await created(
      flow(takeNumber(), { group_id: h.agency, campaign_id: agencyCampaignId }),
      h.agencyAdmin.token,
    );
    const read = await getFlow(id);
    expect(read.status).toBe(404);
    expect(read.body).toEqual({ result: 'error', err: 'No record found', data: null });
    const refusals = [
      [flow(undefined, { call_flow_id: id }), `call_flow_id ${id} is not a call flow you can access`],
      [
        flow(takeNumber(), { campaign_id: agencyCampaignId }),
        `campaign_id ${agencyCampaignId} is not a campaign you can access`,
      ],
      [flow(takeNumber(), { group_id: h.agency }), `group_id ${h.agency} is not a group you can access`],
    ] as const;
    for (const [body, reason] of refusals) {
      expect((await post([body])).body.data[0].data).toBe(reason);
    }
    expect((await getFlow(id, h.agencyAdmin.token)).body.data.version).toBe(1);
  });

  it('an agency admin reads a company flow; a location admin cannot', async () => {
    const id = await created(flow(takeNumber()));
    expect((await getFlow(id, h.agencyAdmin.token)).status).toBe(200);
    expect((await getFlow(id, h.locationAdmin.token)).status).toBe(404);
  });

  it('a read-only user cannot save flows', async () => {
    const readOnly = await ctx.factory.user(h.company, 3);
    expect((await post([flow(takeNumber())], readOnly.token)).status).toBe(403);
  });
});
