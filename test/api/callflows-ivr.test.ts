import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';

/** POST /v2/callflow/multilevelivr, the seed's endpoint, and reading flows back. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignId: number;
let agencyCampaignId: number;
let locationId: number;
let spareNumbers: string[];

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
  spareNumbers = Array.from({ length: 30 }, (_, i) => `949555${String(1000 + i)}`);
  const poolInventory = Array.from({ length: 5 }, (_, i) => `212555${String(2000 + i)}`);
  await ctx.factory.inventory([...spareNumbers, ...poolInventory]);
});
afterAll(() => ctx.close());

let nextNumber = 0;
const takeNumber = () => spareNumbers[nextNumber++] as string;

const schedule = {
  timezone: 'Atlantic',
  default_ringto: 8015550100,
  voicemail_enabled: false,
  schedules: [
    {
      schedule_days: [{ id: 'Weekdays' }],
      schedule_start_time: '08:00',
      schedule_end_time: '17:30',
      ring_to: 8015550101,
      overflowNumbers: [{ overflowNumber: 8015550102, rings: 2 }],
      isSimultaneous: false,
      voicemail_enabled: true,
    },
  ],
};

/** The seed's example body, its placeholders replaced with valid references. */
function seedFlow(number: string, overrides: Record<string, unknown> = {}) {
  return {
    call_flow_id: 0,
    call_flow_name: 'Main line IVR',
    call_flow_status: 'active',
    repeat_interval: 72,
    call_value: 25,
    channel_id: 7,
    message: 'Thanks for calling. For sales press 1, for service press 2.',
    group_id: h.company,
    campaign_id: campaignId,
    email_to_notify: 'user@example.com',
    voicemail_rings: 3,
    voicemail_greeting: 'Please leave a message.',
    webhook_enabled: false,
    webhook_id: 0,
    spam_threshold: 30,
    spam_filter_enabled: true,
    referral_number: 8015550199,
    number: { phone_number_id: 0, phone_number: Number(number) },
    ivrs: [
      {
        key: 1,
        action: 'simple',
        destination: 'Sales',
        message: 'Connecting you to sales.',
        target_did: 8015550110,
        isSimultaneous: true,
        overflowNumbers: [
          { overflowNumber: 8015550111, rings: 2 },
          { overflowNumber: 8015550112, rings: 3 },
        ],
        record_enabled: true,
        play_disclaimer: 'before',
        whisper_enabled: true,
        whisper_message: 'Sales call from the website',
        voicemail_enabled: true,
        geoData: { route_by: 'Claimed State', proximity_limit: 1, location_id: 0, target_did: 1000000000 },
      },
      {
        key: 2,
        action: 'interactiveVoice',
        destination: 'Service menu',
        message: 'For repairs press 1, for the nearest branch press 2, for hours press 3.',
        ivrData: [
          {
            key: 1,
            action: 'interactiveVoice',
            destination: 'Repairs',
            message: 'For urgent repairs press 1.',
            go_back_key: 9,
            ivrData: [
              {
                key: 1,
                action: 'simple',
                destination: 'Urgent',
                message: 'Connecting.',
                target_did: 8015550120,
                isSimultaneous: false,
                overflowNumbers: [{ overflowNumber: 8015550120, rings: 1 }],
                record_enabled: false,
                play_disclaimer: 'never',
                whisper_enabled: false,
                whisper_message: '',
                voicemail_enabled: false,
                go_back_key: 9,
              },
            ],
          },
          {
            key: 2,
            action: 'geo',
            destination: 'Nearest branch',
            message: 'Finding your nearest branch.',
            geoData: {
              route_by: 'Zip Code Proximity',
              proximity_limit: 25,
              location_id: locationId,
              target_did: 8015550130,
            },
            go_back_key: 9,
          },
          {
            key: 3,
            action: 'schedule',
            destination: 'Hours',
            message: 'One moment.',
            scheduleRoute: schedule,
            go_back_key: 9,
          },
        ],
      },
      { key: 3, action: 'voicemail', destination: 'Voicemail', message: 'Leave a message after the tone.' },
      { key: 0, action: 'hangup', destination: 'Goodbye', message: 'Goodbye.' },
    ],
    ...overrides,
  };
}

const post = (body: unknown, token = h.companyAdmin.token) =>
  ctx.request('POST', '/v2/callflow/multilevelivr', { token, body });

const getFlow = (id: number | string, token = h.companyAdmin.token) =>
  ctx.request('GET', `/v2/callflow?id=${id}`, { token });

const flowCount = async () =>
  Number((await ctx.db.query<{ n: number }>('select count(*)::int as n from call_flow')).rows[0]?.n);

describe('creating and reading a multi-level IVR flow', () => {
  it("round-trips the seed's example field by field", async () => {
    const number = takeNumber();
    const flow = seedFlow(number);
    const { status, body } = await post([flow]);
    expect(status).toBe(200);
    expect(body).toEqual([{ result: 'success', data: expect.stringMatching(/^\d+$/), entry_count: 1 }]);

    const read = await getFlow(body[0].data);
    expect(read.status).toBe(200);
    const data = read.body.data;
    const { call_flow_id: _zero, number: postedNumber, ...posted } = flow;
    for (const [field, value] of Object.entries(posted)) expect(data[field], field).toEqual(value);
    expect(data.call_flow_id).toBe(Number(body[0].data));
    expect(data.number).toEqual([
      {
        phone_number_id: expect.any(Number),
        phone_number: postedNumber.phone_number,
        rate_center: 'IRVINE',
        npa: number.slice(0, 3),
        nxx: number.slice(3, 6),
        ocn: Number(number.slice(6)),
      },
    ]);
    expect(data).toMatchObject({
      routable_type: 'IvrRoute2',
      dnis: number,
      channel: 'Bing: Paid',
      channel_category: 'Bing',
      channel_sub_category: 'Paid',
      version: 1,
      message_enabled: true,
      updated_at: null,
    });
    expect(data.call_flow_created).toBe(ctx.clock.now().toISOString());
  });

  it('creates a flow on a new number pool provisioned from the inventory', async () => {
    const { number: _none, ...flow } = seedFlow('');
    const { body } = await post([
      {
        ...flow,
        number_pool: {
          pool_id: 0,
          pool_name: 'Website',
          keep_alive_minutes: 30,
          number_quantity: 3,
          npa: 212,
          nxx: 555,
        },
      },
    ]);
    expect(body[0]).toMatchObject({ result: 'success' });
    const read = (await getFlow(body[0].data)).body.data;
    expect(read.number).toHaveLength(3);
    expect(read.dnis).toBeNull();
    expect(read.number_pool).toMatchObject({
      pool_id: expect.any(Number),
      pool_name: 'Website',
      number_quantity: 3,
    });
    const taken = await ctx.db.query<{ n: number }>(
      "select count(*)::int as n from phone_number where pool_id = $1 and status = 'assigned'",
      [read.number_pool.pool_id],
    );
    expect(taken.rows[0]?.n).toBe(3);
  });

  it('refuses a pool larger than the available inventory and claims nothing', async () => {
    const { number: _none, ...flow } = seedFlow('');
    const before = await ctx.db.query(
      "select count(*)::int as n from phone_number where status = 'available'",
    );
    const { body } = await post([
      { ...flow, number_pool: { pool_name: 'Too big', number_quantity: 500, npa: 212 } },
    ]);
    expect(body[0]).toEqual({
      result: 'error',
      data: expect.stringMatching(
        /^Only \d+ numbers are available for npa 212; number_quantity asks for 500$/,
      ),
      entry_count: 1,
    });
    expect(
      (await ctx.db.query("select count(*)::int as n from phone_number where status = 'available'")).rows,
    ).toEqual(before.rows);
  });
});

describe('validation, one reason per entry', () => {
  const option = (overrides: Record<string, unknown>) => ({
    key: 1,
    action: 'simple',
    target_did: 8015550110,
    ...overrides,
  });
  const cases: [string, (n: string) => Record<string, unknown>, string][] = [
    [
      'a key that is not a digit',
      (n) => seedFlow(n, { ivrs: [option({ key: 12 })] }),
      'ivrs[0]: key 12 is not a digit 0-9',
    ],
    [
      'two options with one key',
      (n) => seedFlow(n, { ivrs: [option({}), option({})] }),
      'ivrs: key 1 is used by more than one option',
    ],
    [
      'go_back_key in the top menu',
      (n) => seedFlow(n, { ivrs: [option({ go_back_key: 9 })] }),
      'ivrs[0]: go_back_key is only allowed below the top menu',
    ],
    [
      'go_back_key equal to a sibling key',
      (n) =>
        seedFlow(n, {
          ivrs: [
            option({ action: 'interactiveVoice', ivrData: [option({ go_back_key: 2 }), option({ key: 2 })] }),
          ],
        }),
      'ivrs[0].ivrData[0]: go_back_key 2 is also the key of an option in the same menu',
    ],
    [
      'simple without target_did',
      (n) => seedFlow(n, { ivrs: [{ key: 1, action: 'simple' }] }),
      'ivrs[0]: target_did is required',
    ],
    [
      'a sub-menu without options',
      (n) => seedFlow(n, { ivrs: [{ key: 1, action: 'interactiveVoice' }] }),
      'ivrs[0]: Missing Ivr Data.',
    ],
    [
      'geo without geoData',
      (n) => seedFlow(n, { ivrs: [{ key: 1, action: 'geo' }] }),
      'ivrs[0]: Missing Geo Data.',
    ],
    [
      'schedule without scheduleRoute',
      (n) => seedFlow(n, { ivrs: [{ key: 1, action: 'schedule' }] }),
      'ivrs[0]: Missing Schedule Data.',
    ],
    [
      'an invalid phone number',
      (n) => seedFlow(n, { ivrs: [option({ target_did: 1000000000 })] }),
      'ivrs[0]: target_did 1000000000 is not a valid 10-digit phone number',
    ],
    [
      'duplicate overflow numbers with simultaneous ring',
      (n) =>
        seedFlow(n, {
          ivrs: [
            option({
              isSimultaneous: true,
              overflowNumbers: [
                { overflowNumber: 8015550111, rings: 1 },
                { overflowNumber: '8015550111', rings: 2 },
              ],
            }),
          ],
        }),
      'ivrs[0]: Overflow Numbers cannot contain duplicate numbers with Simultaneous hunt.',
    ],
    [
      'simultaneous ring without overflowNumbers',
      (n) => seedFlow(n, { ivrs: [option({ isSimultaneous: true })] }),
      "ivrs[0]: overflowNumbers field is required. Make sure you typed it as 'overflowNumbers'",
    ],
    [
      'screening on a simultaneous ring',
      (n) =>
        seedFlow(n, {
          ivrs: [
            option({
              screen_calls: true,
              isSimultaneous: true,
              overflowNumbers: [{ overflowNumber: 8015550140, rings: 1 }],
            }),
          ],
        }),
      'ivrs[0]: screen_calls cannot be combined with isSimultaneous: the first leg to answer ends the others, so a voicemail that answers and is declined would end the whole ring; set isSimultaneous to false to screen each number in turn',
    ],
    [
      'flow-wide screening with a simultaneous ring in a sub-menu',
      (n) =>
        seedFlow(n, {
          screen_calls: true,
          ivrs: [
            option({
              action: 'interactiveVoice',
              target_did: undefined,
              ivrData: [
                option({
                  isSimultaneous: true,
                  overflowNumbers: [{ overflowNumber: 8015550140, rings: 1 }],
                }),
              ],
            }),
          ],
        }),
      'ivrs[0].ivrData[0]: screen_calls cannot be combined with isSimultaneous: the first leg to answer ends the others, so a voicemail that answers and is declined would end the whole ring; set isSimultaneous to false to screen each number in turn',
    ],
    [
      'ten overflow numbers',
      (n) =>
        seedFlow(n, {
          ivrs: [
            option({
              overflowNumbers: Array.from({ length: 10 }, (_, i) => ({
                overflowNumber: 8015550140 + i,
                rings: 1,
              })),
            }),
          ],
        }),
      'ivrs[0]: overflowNumbers has 10 numbers; at most 9 are allowed',
    ],
    [
      'an unknown time zone',
      (n) =>
        seedFlow(n, {
          ivrs: [option({ action: 'schedule', scheduleRoute: { ...schedule, timezone: 'Mars/Olympus' } })],
        }),
      'ivrs[0]: scheduleRoute.timezone Mars/Olympus is not a known time zone',
    ],
    [
      'a malformed time',
      (n) =>
        seedFlow(n, {
          ivrs: [
            option({
              action: 'schedule',
              scheduleRoute: {
                ...schedule,
                schedules: [{ ...schedule.schedules[0], schedule_start_time: '25:00' }],
              },
            }),
          ],
        }),
      'ivrs[0]: scheduleRoute.schedules[0].schedule_start_time "25:00" is not a time (use HH:mm, h:mm AM or End of Day)',
    ],
    [
      'a bad e-mail',
      (n) => seedFlow(n, { email_to_notify: 'ops@example.com, nope' }),
      'email_to_notify nope is not a valid e-mail address',
    ],
    [
      'both number and number_pool',
      (n) => seedFlow(n, { number_pool: { pool_name: 'x', number_quantity: 1 } }),
      'Provide exactly one of number or number_pool',
    ],
    [
      'a campaign out of scope',
      (n) => seedFlow(n, { campaign_id: 0 + 999999 }),
      'campaign_id 999999 is not a campaign you can access',
    ],
    ['an unknown channel', (n) => seedFlow(n, { channel_id: 9999 }), 'channel_id 9999 does not exist'],
    [
      'an unknown location',
      (n) =>
        seedFlow(n, {
          ivrs: [option({ action: 'geo', geoData: { route_by: 'Claimed State', location_id: 424242 } })],
        }),
      'location_id 424242 is not a location you can access',
    ],
    [
      'an enabled webhook that does not exist',
      (n) => seedFlow(n, { webhook_enabled: true, webhook_id: 77 }),
      'webhook_id 77 is not a webhook you can access',
    ],
    [
      'a number outside the inventory',
      () => seedFlow('2125559999'),
      'phone_number 2125559999 is not available: it is unknown, or used by another call flow',
    ],
  ];

  it.each(cases)('refuses %s', async (_, build, reason) => {
    const before = await flowCount();
    const { status, body } = await post([build(spareNumbers[29] as string)]);
    expect(status).toBe(200);
    expect(body).toEqual([{ result: 'error', data: reason, entry_count: 1 }]);
    expect(await flowCount()).toBe(before);
  });

  it('refuses menus nested deeper than 6 levels', async () => {
    let menu: Record<string, unknown> = { key: 1, action: 'hangup' };
    for (let level = 0; level < 6; level++) menu = { key: 1, action: 'interactiveVoice', ivrData: [menu] };
    const { body } = await post([seedFlow(spareNumbers[29] as string, { ivrs: [menu] })]);
    expect(body[0].data).toBe(
      'ivrs[0].ivrData[0].ivrData[0].ivrData[0].ivrData[0].ivrData[0]: menus nest at most 6 levels deep',
    );
  });

  it('answers a body that breaks the schema with the V2 validation body and stores nothing', async () => {
    const before = await flowCount();
    const { status, body } = await post([
      { ...seedFlow(takeNumber()), ivrs: [{ key: 1, action: 'teleport' }] },
    ]);
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({ in: 'body', name: 'callflow' });
    expect(body.errors[0].errors[0]).toMatchObject({
      code: 'ENUM_MISMATCH',
      message: 'No enum match for: teleport',
      path: ['0', 'ivrs', '0', 'action'],
    });
    expect(await flowCount()).toBe(before);
  });

  it('applies entries independently: entry 2 bad, entries 1 and 3 stored', async () => {
    const { body } = await post([
      seedFlow(takeNumber()),
      seedFlow(takeNumber(), { channel_id: 9999 }),
      seedFlow(takeNumber()),
    ]);
    expect(
      body.map((r: { result: string; entry_count: number; data: string }) => [
        r.result,
        r.entry_count,
        r.result === 'error' ? r.data : 'id',
      ]),
    ).toEqual([
      ['success', 1, 'id'],
      ['error', 2, 'channel_id 9999 does not exist'],
      ['success', 3, 'id'],
    ]);
    for (const entry of [body[0], body[2]]) expect((await getFlow(entry.data)).status).toBe(200);
  });
});

describe('updates', () => {
  it('replaces the whole document and keeps every earlier version', async () => {
    const number = takeNumber();
    const created = await post([seedFlow(number)]);
    const id = Number(created.body[0].data);
    ctx.clock.advance(60_000);
    const replacement = seedFlow(number, {
      call_flow_id: id,
      call_flow_name: 'Renamed',
      ivrs: [{ key: 5, action: 'hangup', message: 'Closed.' }],
    });
    delete (replacement as Record<string, unknown>).referral_number;
    const { body } = await post([replacement]);
    expect(body).toEqual([{ result: 'success', data: String(id), entry_count: 1 }]);

    const read = (await getFlow(id)).body.data;
    expect(read).toMatchObject({
      call_flow_name: 'Renamed',
      version: 2,
      ivrs: [{ key: 5, action: 'hangup', message: 'Closed.' }],
    });
    expect(read).not.toHaveProperty('referral_number');
    expect(read.updated_at).toBe(ctx.clock.now().toISOString());

    const history = await ctx.request('GET', `/v2/callflow/history?id=${id}`, {
      token: h.companyAdmin.token,
    });
    expect(history.body.data.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(history.body.data[0].document.call_flow_name).toBe('Main line IVR');
    expect(history.body.data[0].document.ivrs).toHaveLength(4);
    expect(history.body.data[1].document.call_flow_name).toBe('Renamed');
  });

  it('moves a flow to another number and returns the old one to its group', async () => {
    const [first, second] = [takeNumber(), takeNumber()];
    const created = await post([seedFlow(first)]);
    const id = Number(created.body[0].data);
    await post([seedFlow(second, { call_flow_id: id })]);
    expect((await getFlow(id)).body.data.dnis).toBe(second);
    const old = await ctx.db.query('select status, group_id from phone_number where number = $1', [first]);
    expect(old.rows).toEqual([{ status: 'reserved', group_id: h.company }]);
    const reuse = await post([seedFlow(first)]);
    expect(reuse.body[0].result).toBe('success');
  });

  it('refuses an id that does not exist', async () => {
    const { body } = await post([seedFlow(takeNumber(), { call_flow_id: 987654 })]);
    expect(body[0]).toEqual({
      result: 'error',
      data: 'call_flow_id 987654 is not a call flow you can access',
      entry_count: 1,
    });
  });
});

describe('campaigns', () => {
  it('lists a new flow among its campaign routes', async () => {
    const created = await post([seedFlow(takeNumber(), { call_flow_name: 'Routed' })]);
    const id = Number(created.body[0].data);
    const { body } = await ctx.request('GET', `/v2/campaign/callflow?filter=campaign_id%3d${campaignId}`, {
      token: h.companyAdmin.token,
    });
    expect(body.data[0].campaign_routes).toContainEqual({
      call_flow_id: id,
      route_type: 'IvrRoute2',
      call_flow_name: 'Routed',
      call_flow_created: ctx.clock.now().toISOString(),
      call_flow_modified: null,
      call_flow_status: 'active',
      repeat_interval: 72,
      call_value: 25,
    });
  });
});

describe('scope', () => {
  it('a company admin can neither read, update nor build on agency flows and campaigns', async () => {
    const agencyFlow = await post(
      [seedFlow(takeNumber(), { group_id: h.agency, campaign_id: agencyCampaignId })],
      h.agencyAdmin.token,
    );
    const id = agencyFlow.body[0].data;
    expect(agencyFlow.body[0].result).toBe('success');
    const read = await getFlow(id);
    expect(read.status).toBe(404);
    expect(read.body).toEqual({ result: 'error', err: 'No record found', data: null });
    const update = await post([seedFlow(takeNumber(), { call_flow_id: Number(id) })]);
    expect(update.body[0].data).toBe(`call_flow_id ${id} is not a call flow you can access`);
    const campaign = await post([seedFlow(takeNumber(), { campaign_id: agencyCampaignId })]);
    expect(campaign.body[0].data).toBe(`campaign_id ${agencyCampaignId} is not a campaign you can access`);
    const group = await post([seedFlow(takeNumber(), { group_id: h.agency })]);
    expect(group.body[0].data).toBe(`group_id ${h.agency} is not a group you can access`);
  });

  it('a location admin cannot read a company flow', async () => {
    const created = await post([seedFlow(takeNumber())]);
    expect((await getFlow(created.body[0].data, h.locationAdmin.token)).status).toBe(404);
  });
});

describe('concurrency', () => {
  it('never gives one number to two flows', async () => {
    const number = takeNumber();
    const replies = await Promise.all(Array.from({ length: 6 }, () => post([seedFlow(number)])));
    const results = replies.map((r) => r.body[0].result);
    expect(results.filter((r) => r === 'success')).toHaveLength(1);
    const flows = await ctx.db.query(
      `select f.call_flow_id from call_flow f join phone_number p on p.phone_number_id = f.phone_number_id where p.number = $1`,
      [number],
    );
    expect(flows.rowCount).toBe(1);
  });
});
