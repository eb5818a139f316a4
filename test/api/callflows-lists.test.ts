import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';

/** Deleting call flows, the call-flow lists and removing numbers from a flow's pool. */
type Hierarchy = Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

interface World {
  h: Hierarchy;
  campaignId: number;
  agencyCampaignId: number;
  locationId: number;
}

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
  await insertInventory(Array.from({ length: 400 }, (_, i) => `949555${String(1000 + i)}`));
});
afterAll(() => ctx.close());

async function insertInventory(numbers: string[]): Promise<string[]> {
  await ctx.factory.inventory(numbers);
  return numbers;
}

let nextNumber = 0;
const takeNumber = () => `949555${String(1000 + nextNumber++)}`;

/** A fresh inventory block for one pool: numbers 212-<nxx>-1000.. no other test asks for. */
let nextExchange = 560;
async function poolInventory(count: number): Promise<{ nxx: number; numbers: string[] }> {
  const nxx = nextExchange++;
  return {
    nxx,
    numbers: await insertInventory(Array.from({ length: count }, (_, i) => `212${nxx}${String(1000 + i)}`)),
  };
}

/** A hierarchy of its own, so list assertions do not depend on other tests. */
async function world(): Promise<World> {
  const h = await ctx.factory.hierarchy();
  const location = await ctx.db.query<{ location_id: number }>(
    `insert into geo_location (group_id, location_name, location_created) values ($1, 'Branches', now()) returning location_id`,
    [h.company],
  );
  return {
    h,
    campaignId: await ctx.factory.campaign(h.companyAdmin),
    agencyCampaignId: await ctx.factory.campaign(h.agencyAdmin),
    locationId: location.rows[0]?.location_id as number,
  };
}

const simple = (key: number, extra: Record<string, unknown> = {}) => ({
  key,
  action: 'simple',
  target_did: 8015550110,
  ...extra,
});

/** A small multi-level IVR flow on a fresh tracking number. */
const flowBody = (w: World, overrides: Record<string, unknown> = {}) => ({
  call_flow_name: 'Main line',
  channel_id: 7,
  group_id: w.h.company,
  campaign_id: w.campaignId,
  repeat_interval: 24,
  call_value: 12.5,
  number: { phone_number: takeNumber() },
  ivrs: [simple(1)],
  ...overrides,
});

const poolBody = (w: World, pool: Record<string, unknown>, overrides: Record<string, unknown> = {}) => {
  const { number: _none, ...body } = flowBody(w, overrides);
  return { ...body, number_pool: { pool_name: 'Website', keep_alive_minutes: 30, ...pool } };
};

async function createFlows(bodies: unknown[], token: string): Promise<number[]> {
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', { token, body: bodies });
  for (const entry of body) expect(entry).toMatchObject({ result: 'success' });
  return body.map((entry: { data: string }) => Number(entry.data));
}

const createFlow = async (
  w: World,
  overrides: Record<string, unknown> = {},
  token = w.h.companyAdmin.token,
) => (await createFlows([flowBody(w, overrides)], token))[0] as number;

async function createPoolFlow(w: World, quantity: number, overrides: Record<string, unknown> = {}) {
  const inventory = await poolInventory(quantity);
  const [id] = await createFlows(
    [poolBody(w, { number_quantity: quantity, npa: 212, nxx: inventory.nxx }, overrides)],
    w.h.companyAdmin.token,
  );
  return { id: id as number, numbers: inventory.numbers };
}

/** Gives a stored flow another route shape (those of POST /v2/callflow), as that endpoint stores them. */
async function restore(callFlowId: number, routableType: string, document: Record<string, unknown>) {
  await ctx.db.query(
    'update call_flow set routable_type = $2, document = document || $3::jsonb where call_flow_id = $1',
    [callFlowId, routableType, JSON.stringify(document)],
  );
}

const get = (url: string, token: string) => ctx.request('GET', url, { token });
const filterQuery = (filter: string) => `filter=${encodeURIComponent(filter)}`;
const ids = (body: { data: { call_flow_id: number }[] }) => body.data.map((row) => row.call_flow_id);
const remove = (token: string, body: unknown) => ctx.request('DELETE', '/v2/callflow', { token, body });

async function numberRow(number: string) {
  const { rows } = await ctx.db.query(
    'select status, group_id, pool_id, reserved_by from phone_number where number = $1',
    [number],
  );
  return rows[0];
}

describe('GET /v2/callflow/list', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  it("answers summary rows of the caller's flows, ordered by id", async () => {
    const number = takeNumber();
    const first = await createFlow(w, { call_flow_name: 'Summary', number: { phone_number: number } });
    const second = await createFlow(w, { call_flow_name: 'Summary' });
    const { status, body } = await get(
      `/v2/callflow/list?${filterQuery('call_flow_name=Summary')}`,
      w.h.companyAdmin.token,
    );
    expect(status).toBe(200);
    expect(ids(body)).toEqual([first, second]);
    expect(body.data[0]).toEqual({
      call_flow_id: first,
      call_flow_name: 'Summary',
      group_id: w.h.company,
      campaign_id: w.campaignId,
      channel_id: 7,
      channel: 'Bing: Paid',
      channel_category: 'Bing',
      channel_sub_category: 'Paid',
      call_flow_status: 'active',
      routable_type: 'IvrRoute2',
      dnis: number,
      phone_number_id: expect.any(Number),
      pool_id: null,
      version: 1,
      repeat_interval: 24,
      call_value: 12.5,
      call_flow_created: ctx.clock.now().toISOString(),
      created_at: ctx.clock.now().toISOString(),
      updated_at: null,
    });
  });

  it('returns 100 flows by default when more exist, and pages with limit and offset', async () => {
    const many = await world();
    const created = await createFlows(
      Array.from({ length: 101 }, () => flowBody(many)),
      many.h.companyAdmin.token,
    );
    const all = await get('/v2/callflow/list', many.h.companyAdmin.token);
    expect(ids(all.body)).toEqual(created.slice(0, 100));
    const page = await get('/v2/callflow/list?limit=2&offset=99', many.h.companyAdmin.token);
    expect(ids(page.body)).toEqual(created.slice(99, 101));
  });

  it('filters by dnis, campaign, status and creation date', async () => {
    const number = takeNumber();
    const id = await createFlow(w, { number: { phone_number: number }, call_flow_status: 'suspended' });
    const token = w.h.companyAdmin.token;
    expect(ids((await get(`/v2/callflow/list?${filterQuery(`dnis=${number}`)}`, token)).body)).toEqual([id]);
    const byStatus = await get(`/v2/callflow/list?${filterQuery('call_flow_status=suspended')}`, token);
    expect(ids(byStatus.body)).toEqual([id]);
    const other = await get(`/v2/callflow/list?${filterQuery(`campaign_id!=${w.campaignId}`)}`, token);
    expect(other.body.data).toEqual([]);
    const today = await get(`/v2/callflow/list?${filterQuery('call_flow_created>=2026-03-07')}`, token);
    expect(ids(today.body)).toContain(id);
    const before = await get(`/v2/callflow/list?${filterQuery('call_flow_created<=2026-03-06')}`, token);
    expect(before.body.data).toEqual([]);
  });

  it('shows an agency admin the company flows, and a company admin no agency flows', async () => {
    const companyFlow = await createFlow(w);
    const agencyFlow = await createFlow(
      w,
      { group_id: w.h.agency, campaign_id: w.agencyCampaignId },
      w.h.agencyAdmin.token,
    );
    const agencyView = ids((await get('/v2/callflow/list?limit=500', w.h.agencyAdmin.token)).body);
    expect(agencyView).toEqual(expect.arrayContaining([companyFlow, agencyFlow]));
    const companyView = ids((await get('/v2/callflow/list?limit=500', w.h.companyAdmin.token)).body);
    expect(companyView).toContain(companyFlow);
    expect(companyView).not.toContain(agencyFlow);
    expect((await get('/v2/callflow/list', w.h.locationAdmin.token)).body.data).toEqual([]);
  });

  it.each([
    ['call_flow_name+Foo', 'Unsupported comparator used in filter on rule 1 : call_flow_name+Foo'],
    [
      'call_flow_name>=Foo',
      'Invalid comparator type "string" used for value being used in rule 1 : call_flow_name>=Foo',
    ],
    ['call_flow_name=', 'Please provide valid data.'],
    ['document=x', 'Unsupported field used in filter on rule 1 : document=x'],
    ['group_id=abc', 'Invalid value for integer field used in filter on rule 1 : group_id=abc'],
  ])('answers filter %s with V2 error "%s"', async (filter, err) => {
    const { status, body } = await get(`/v2/callflow/list?${filterQuery(filter)}`, w.h.companyAdmin.token);
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err, data: null });
  });

  it('answers a non-integer limit with INVALID_TYPE', async () => {
    const { status, body } = await get('/v2/callflow/list?limit=abc', w.h.companyAdmin.token);
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      name: 'limit',
      message: 'Invalid parameter (limit): Expected type integer but found type string',
    });
  });

  it('answers a missing token with 401', async () => {
    expect((await ctx.request('GET', '/v2/callflow/list')).status).toBe(401);
  });
});

describe('GET /v2/callflow/campaign', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  it('lists the flows of one campaign', async () => {
    const otherCampaign = await ctx.factory.campaign(w.h.companyAdmin);
    const mine = await createFlow(w);
    const other = await createFlow(w, { campaign_id: otherCampaign });
    const { status, body } = await get(`/v2/callflow/campaign?id=${w.campaignId}`, w.h.companyAdmin.token);
    expect(status).toBe(200);
    expect(ids(body)).toEqual([mine]);
    expect(
      ids((await get(`/v2/callflow/campaign?id=${otherCampaign}`, w.h.companyAdmin.token)).body),
    ).toEqual([other]);
  });

  it('answers a campaign outside the caller’s groups as V2 does for campaigns', async () => {
    for (const id of [w.agencyCampaignId, 1999999999]) {
      const { status, body } = await get(`/v2/callflow/campaign?id=${id}`, w.h.companyAdmin.token);
      expect(status).toBe(404);
      expect(body).toEqual({
        result: 'error',
        err: 'User is unauthorized to view the requested campaign',
        data: null,
      });
    }
  });

  it('answers a missing id with REQUIRED', async () => {
    const { status, body } = await get('/v2/callflow/campaign', w.h.companyAdmin.token);
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      in: 'query',
      name: 'id',
      message: 'Invalid parameter (id): Value is required but was not provided',
      path: ['paths', '/callflow/campaign', 'get', 'parameters', '0'],
    });
  });
});

describe('DELETE /v2/callflow', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  it('soft-deletes: a new version, listed as deleted, still readable by id, its number kept reserved', async () => {
    const number = takeNumber();
    const id = await createFlow(w, { number: { phone_number: number } });
    ctx.clock.advance(60_000);
    const { status, body } = await remove(w.h.companyAdmin.token, { call_flow_id: [id, id] });
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: [id] });

    const read = await get(`/v2/callflow?id=${id}`, w.h.companyAdmin.token);
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({
      call_flow_id: id,
      call_flow_status: 'deleted',
      version: 2,
      updated_at: ctx.clock.now().toISOString(),
    });
    const history = await get(`/v2/callflow/history?id=${id}`, w.h.companyAdmin.token);
    expect(history.body.data.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(history.body.data[1]).toMatchObject({
      saved_at: ctx.clock.now().toISOString(),
      saved_by: w.h.companyAdmin.ct_user_id,
      document: { call_flow_name: 'Main line', call_flow_status: 'deleted' },
    });

    expect(ids((await get('/v2/callflow/list?limit=500', w.h.companyAdmin.token)).body)).not.toContain(id);
    expect(ids((await get('/v2/callflow/deleted', w.h.companyAdmin.token)).body)).toContain(id);
    expect(await numberRow(number)).toEqual({
      status: 'reserved',
      group_id: w.h.company,
      pool_id: null,
      reserved_by: null,
    });
    // The released number can carry a new flow.
    expect(await createFlow(w, { number: { phone_number: number } })).toEqual(expect.any(Number));
  });

  it('returns the numbers of a deleted pool flow to the inventory', async () => {
    const { id, numbers } = await createPoolFlow(w, 2);
    expect((await remove(w.h.companyAdmin.token, { call_flow_id: [id] })).status).toBe(200);
    for (const number of numbers) {
      expect(await numberRow(number)).toEqual({
        status: 'available',
        group_id: null,
        pool_id: null,
        reserved_by: null,
      });
    }
  });

  it('deletes nothing when any id is missing, out of scope or already deleted', async () => {
    const number = takeNumber();
    const mine = await createFlow(w, { number: { phone_number: number } });
    const theirs = await createFlow(
      w,
      { group_id: w.h.agency, campaign_id: w.agencyCampaignId },
      w.h.agencyAdmin.token,
    );
    const gone = await createFlow(w);
    await remove(w.h.companyAdmin.token, { call_flow_id: [gone] });

    const { status, body } = await remove(w.h.companyAdmin.token, {
      call_flow_id: [mine, theirs, gone, 1999999999],
    });
    expect(status).toBe(400);
    const message = `Call Flow(s) not permissible for deletion : ${theirs}, ${gone}, 1999999999`;
    expect(body).toEqual({ result: 'error', err: [message], data: null });
    expect((await get(`/v2/callflow?id=${mine}`, w.h.companyAdmin.token)).body.data).toMatchObject({
      call_flow_status: 'active',
      version: 1,
    });
    expect((await numberRow(number))?.status).toBe('assigned');
    expect((await get(`/v2/callflow?id=${theirs}`, w.h.agencyAdmin.token)).body.data.call_flow_status).toBe(
      'active',
    );
  });

  it.each([
    [{}, 'OBJECT_MISSING_REQUIRED_PROPERTY', 'Missing required property: call_flow_id'],
    [{ call_flow_id: [] }, 'ARRAY_LENGTH_SHORT', 'Array is too short (0), minimum 1'],
    [{ call_flow_id: ['x'] }, 'INVALID_TYPE', 'Expected type integer but found type string'],
    [
      { call_flow_id: [1], force: true },
      'OBJECT_ADDITIONAL_PROPERTIES',
      'Additional properties not allowed: force',
    ],
  ])('answers body %j with a validation error', async (body, code, message) => {
    const response = await remove(w.h.companyAdmin.token, body);
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ in: 'body', name: 'callflow' });
    expect(response.body.errors[0].errors[0]).toMatchObject({ code, message });
  });

  it('refuses a ReadOnly user', async () => {
    const id = await createFlow(w);
    const readOnly = await ctx.factory.user(w.h.company, 3);
    expect((await remove(readOnly.token, { call_flow_id: [id] })).status).toBe(403);
    expect((await get(`/v2/callflow?id=${id}`, w.h.companyAdmin.token)).body.data.call_flow_status).toBe(
      'active',
    );
  });
});

describe('GET /v2/callflow/deleted', () => {
  it('lists only deleted flows in the caller’s groups', async () => {
    const w = await world();
    const live = await createFlow(w);
    const deleted = await createFlow(w);
    const agencyDeleted = await createFlow(
      w,
      { group_id: w.h.agency, campaign_id: w.agencyCampaignId },
      w.h.agencyAdmin.token,
    );
    await remove(w.h.companyAdmin.token, { call_flow_id: [deleted] });
    await remove(w.h.agencyAdmin.token, { call_flow_id: [agencyDeleted] });
    const company = await get('/v2/callflow/deleted', w.h.companyAdmin.token);
    expect(ids(company.body)).toEqual([deleted]);
    expect(company.body.data[0]).toMatchObject({ call_flow_status: 'deleted', version: 2 });
    expect(ids((await get('/v2/callflow/deleted', w.h.agencyAdmin.token)).body)).toEqual([
      deleted,
      agencyDeleted,
    ]);
    expect(ids(company.body)).not.toContain(live);
  });
});

describe('GET /v2/callflow/route', () => {
  it('answers each flow with its route document', async () => {
    const w = await world();
    const ivrs = [
      simple(1, { record_enabled: true }),
      {
        key: 2,
        action: 'interactiveVoice',
        message: 'Press 1 for the nearest branch.',
        ivrData: [
          {
            key: 1,
            action: 'geo',
            geoData: { route_by: 'Claimed State', location_id: w.locationId, target_did: 8015550130 },
          },
        ],
      },
    ];
    const id = await createFlow(w, { message: 'Welcome.', ivrs });
    const { status, body } = await get('/v2/callflow/route', w.h.companyAdmin.token);
    expect(status).toBe(200);
    expect(ids(body)).toEqual([id]);
    expect(body.data[0]).toMatchObject({
      call_flow_id: id,
      routable_type: 'IvrRoute2',
      message: 'Welcome.',
      ivrs,
      repeat_interval: 24,
    });
    // Numbers are List Call Flows With Numbers' business; the posted number object is not repeated.
    expect(body.data[0]).not.toHaveProperty('number');
    expect(body.data[0].dnis).toMatch(/^\d{10}$/);
  });

  it('never answers an outbound PIN', async () => {
    const w = await world();
    const id = await createFlow(w);
    await restore(id, 'OutboundRoute', { outboundData: { pin: '4321', callerid: '8015550100' } });
    const { body } = await get('/v2/callflow/route', w.h.companyAdmin.token);
    expect(body.data[0]).toMatchObject({
      routable_type: 'OutboundRoute',
      outboundData: { pin: '********', callerid: '8015550100' },
    });
    expect(JSON.stringify(body)).not.toContain('4321');
  });
});

describe('GET /v2/callflow/location', () => {
  it('answers geo flows with the locations they route to, in the caller’s scope', async () => {
    const w = await world();
    const agencyLocation = (
      await ctx.db.query<{ location_id: number }>(
        `insert into geo_location (group_id, location_name, location_created, location_active)
         values ($1, 'Agency branches', now(), false) returning location_id`,
        [w.h.agency],
      )
    ).rows[0]?.location_id as number;
    const geo = (location_id: number, key: number) => ({
      key,
      action: 'geo',
      geoData: { route_by: 'Claimed State', location_id },
    });
    // Saved by the agency admin, who may route a company flow to an agency location.
    const geoFlow = await createFlow(
      w,
      {
        ivrs: [
          geo(w.locationId, 1),
          { key: 2, action: 'interactiveVoice', ivrData: [geo(w.locationId, 1), geo(agencyLocation, 2)] },
        ],
      },
      w.h.agencyAdmin.token,
    );
    await createFlow(w, { ivrs: [simple(1, { geoData: { route_by: 'Claimed State', location_id: 0 } })] });

    const company = await get('/v2/callflow/location', w.h.companyAdmin.token);
    expect(company.status).toBe(200);
    expect(ids(company.body)).toEqual([geoFlow]);
    expect(company.body.data[0].location).toEqual([
      {
        location_id: w.locationId,
        org_unit_id: w.h.company,
        location_name: 'Branches',
        location_created: expect.any(String),
        location_modified: null,
        location_active: true,
      },
    ]);
    const agency = await get('/v2/callflow/location', w.h.agencyAdmin.token);
    expect(agency.body.data[0].location.map((l: { location_id: number }) => l.location_id)).toEqual([
      w.locationId,
      agencyLocation,
    ]);
    expect(agency.body.data[0].location[1]).toMatchObject({
      org_unit_id: w.h.agency,
      location_active: false,
    });
  });

  it('answers GeoRoute flows and single-level geo options too', async () => {
    const w = await world();
    const geoRoute = await createFlow(w);
    await restore(geoRoute, 'GeoRoute', {
      geo_route: { route_by: 'Claimed State', location_id: w.locationId },
      ivrs: [],
    });
    const singleLevel = await createFlow(w);
    await restore(singleLevel, 'IvrRoute2', {
      ivrs: [
        { Key: 1, route_type: 'Geo', geoData: { route_by: 'Claimed State', location_id: w.locationId } },
      ],
    });
    const { body } = await get('/v2/callflow/location', w.h.companyAdmin.token);
    expect(ids(body)).toEqual([geoRoute, singleLevel]);
    for (const row of body.data) {
      expect(row.location.map((l: { location_id: number }) => l.location_id)).toEqual([w.locationId]);
    }
  });
});

describe('GET /v2/callflow/number', () => {
  it('answers a tracking number, or every number of a pool, with V2’s number items', async () => {
    const w = await world();
    const number = takeNumber();
    const single = await createFlow(w, { number: { phone_number: number } });
    const pool = await createPoolFlow(w, 3);
    const { status, body } = await get('/v2/callflow/number', w.h.companyAdmin.token);
    expect(status).toBe(200);
    expect(ids(body)).toEqual([single, pool.id]);
    expect(body.data[0].number).toEqual([
      {
        phone_number_id: expect.any(Number),
        phone_number: number,
        rate_center: 'IRVINE',
        npa: number.slice(0, 3),
        nxx: number.slice(3, 6),
        ocn: Number(number.slice(6)),
      },
    ]);
    expect(body.data[1].number.map((n: { phone_number: string }) => n.phone_number)).toEqual(pool.numbers);
    expect(body.data[1]).toMatchObject({ dnis: null, pool_id: expect.any(Number) });
  });
});

describe('GET /v2/callflow/recording', () => {
  let w: World;
  let recorded: number;
  let plain: number;
  beforeAll(async () => {
    w = await world();
    recorded = await createFlow(w, {
      call_flow_name: 'Recorded',
      ivrs: [
        simple(1),
        { key: 2, action: 'interactiveVoice', ivrData: [simple(1, { record_enabled: true })] },
      ],
    });
    plain = await createFlow(w, { call_flow_name: 'Plain', ivrs: [simple(1, { record_enabled: false })] });
    const deleted = await createFlow(w, { ivrs: [simple(1, { record_enabled: true })] });
    await remove(w.h.companyAdmin.token, { call_flow_id: [deleted] });
  });
  const list = (query = '', token = w.h.companyAdmin.token) => get(`/v2/callflow/recording?${query}`, token);

  it('lists live flows that record on any option, with V2’s recording fields', async () => {
    const { status, body } = await list();
    expect(status).toBe(200);
    expect(ids(body)).toEqual([recorded]);
    expect(body.data[0]).toMatchObject({
      call_flow_id: recorded,
      call_flow_name: 'Recorded',
      group_id: w.h.company,
      routable_type: 'IvrRoute2',
      dnis: expect.stringMatching(/^\d{10}$/),
      postcall_ivr_enabled: false,
      postcall_ivr_id: null,
      record_until: null,
    });
    expect(ids(body)).not.toContain(plain);
  });

  it('filters on call_flow_id, call_flow_name and group_id with V2’s comparators', async () => {
    const cases: [string, number[]][] = [
      [`call_flow_id=${recorded}`, [recorded]],
      [`call_flow_id!=${recorded}`, []],
      ['call_flow_name=Recorded', [recorded]],
      ['call_flow_name!=Recorded', []],
      [`group_id=${w.h.company}`, [recorded]],
      [`group_id>=${w.h.company}`, [recorded]],
      [`group_id<=${w.h.company - 1}`, []],
      ['', [recorded]],
    ];
    for (const [filter, expected] of cases) {
      const { status, body } = await list(filterQuery(filter));
      expect(status, filter).toBe(200);
      expect(ids(body), filter).toEqual(expected);
    }
  });

  it.each([
    ['call_flow_name+Foo', 'Unsupported comparator used in filter on rule 1 : call_flow_name+Foo'],
    ['call_flow_name~Foo', 'Unsupported comparator used in filter on rule 1 : call_flow_name~Foo'],
    [
      'call_flow_name>=Foo',
      'Invalid comparator type "string" used for value being used in rule 1 : call_flow_name>=Foo',
    ],
    ['call_flow_name=', 'Please provide valid data.'],
    ['campaign_id=1', 'Unsupported field used in filter on rule 1 : campaign_id=1'],
  ])('answers filter %s with V2 error "%s"', async (filter, err) => {
    const { status, body } = await list(filterQuery(filter));
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err, data: null });
  });

  it('accepts limit=500 and answers a non-integer offset with INVALID_TYPE', async () => {
    expect((await list('limit=500')).status).toBe(200);
    const { status, body } = await list('offset=abc');
    expect(status).toBe(400);
    expect(body.errors[0].message).toBe(
      'Invalid parameter (offset): Expected type integer but found type string',
    );
  });

  it('shows a location admin nothing of the company', async () => {
    expect((await list('', w.h.locationAdmin.token)).body.data).toEqual([]);
  });

  it('lists a flow with a record_until date, and answers its post-call IVR settings', async () => {
    const other = await world();
    const id = await createFlow(other, { ivrs: [simple(1)] });
    await restore(id, 'SimpleRoute', {
      record_until: '2026-12-31',
      postcall_ivr_enabled: true,
      postcall_ivr_id: 7,
      ivrs: [],
    });
    const { body } = await list('', other.h.companyAdmin.token);
    expect(body.data).toEqual([
      expect.objectContaining({
        call_flow_id: id,
        routable_type: 'SimpleRoute',
        record_until: '2026-12-31',
        postcall_ivr_enabled: true,
        postcall_ivr_id: 7,
      }),
    ]);
  });

  it('leaves out a flow whose record_until has passed, which records no call any more', async () => {
    const other = await world();
    const until = (record_until: string, record_enabled?: boolean) =>
      createFlow(other, { ivrs: [simple(1)] }).then(async (id) => {
        await restore(id, 'SimpleRoute', { record_until, record_enabled, ivrs: [] });
        return id;
      });
    // a date records through the end of that day (UTC); a date-time until that instant
    const now = ctx.clock.now();
    const day = (offsetDays: number) =>
      new Date(now.getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const today = await until(day(0));
    const ahead = await until(new Date(now.getTime() + 1000).toISOString());
    await until(day(-1), true);
    await until(now.toISOString());
    const { body } = await list('', other.h.companyAdmin.token);
    expect(ids(body)).toEqual([today, ahead]);
  });
});

describe('GET /v2/callflow/action', () => {
  it('answers each flow with an empty actions list until call actions exist', async () => {
    const w = await world();
    const id = await createFlow(w);
    const { status, body } = await get('/v2/callflow/action', w.h.companyAdmin.token);
    expect(status).toBe(200);
    expect(body.data).toEqual([expect.objectContaining({ call_flow_id: id, actions: [] })]);
  });
});

describe('GET /v2/callflow/dni', () => {
  it('answers the flows on number pools with the pool settings and numbers', async () => {
    const w = await world();
    await createFlow(w);
    const pool = await createPoolFlow(w, 2);
    const { status, body } = await get('/v2/callflow/dni', w.h.companyAdmin.token);
    expect(status).toBe(200);
    expect(ids(body)).toEqual([pool.id]);
    expect(body.data[0].number_pool).toEqual({
      pool_id: body.data[0].pool_id,
      pool_name: 'Website',
      keep_alive_minutes: 30,
      number_quantity: 2,
      npa: '212',
      nxx: String(pool.numbers[0]?.slice(3, 6)),
      created_at: ctx.clock.now().toISOString(),
    });
    expect(body.data[0].number.map((n: { phone_number: string }) => n.phone_number)).toEqual(pool.numbers);
  });
});

describe('GET /v2/callflow/count', () => {
  it('counts the caller’s flows per status and per route type', async () => {
    const w = await world();
    await createFlow(w);
    await createFlow(w);
    await createFlow(w, { call_flow_status: 'inactive' });
    const deleted = await createFlow(w);
    await remove(w.h.companyAdmin.token, { call_flow_id: [deleted] });
    await createFlow(w, { group_id: w.h.agency, campaign_id: w.agencyCampaignId }, w.h.agencyAdmin.token);

    const { status, body } = await get('/v2/callflow/count', w.h.companyAdmin.token);
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: {
        total: 3,
        by_status: { active: 2, inactive: 1, suspended: 0, deleted: 1 },
        by_routable_type: { IvrRoute2: 3 },
      },
    });
    const agency = await get('/v2/callflow/count', w.h.agencyAdmin.token);
    expect(agency.body.data.total).toBe(4);
    const deletedOnly = await get(
      `/v2/callflow/count?${filterQuery('call_flow_status=deleted')}`,
      w.h.companyAdmin.token,
    );
    expect(deletedOnly.body.data).toMatchObject({ total: 1, by_routable_type: { IvrRoute2: 1 } });
    const none = await get('/v2/callflow/count', w.h.locationAdmin.token);
    expect(none.body.data).toMatchObject({ total: 0, by_routable_type: {} });
  });

  it('answers a bad filter with V2’s error', async () => {
    const w = await world();
    const { status, body } = await get(
      `/v2/callflow/count?${filterQuery('routable_type>=Ivr')}`,
      w.h.companyAdmin.token,
    );
    expect(status).toBe(400);
    expect(body.err).toBe(
      'Invalid comparator type "string" used for value being used in rule 1 : routable_type>=Ivr',
    );
  });
});

describe('DELETE /v2/callflow/pool/number', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  const removeNumbers = (body: unknown, token = w.h.companyAdmin.token) =>
    ctx.request('DELETE', '/v2/callflow/pool/number', { token, body });
  const poolSize = async (callFlowId: number) =>
    (
      await ctx.db.query<{ number_quantity: number }>(
        'select np.number_quantity from number_pool np join call_flow f on f.pool_id = np.pool_id where f.call_flow_id = $1',
        [callFlowId],
      )
    ).rows[0]?.number_quantity;

  it('returns the number to the inventory and shrinks the pool by one', async () => {
    const pool = await createPoolFlow(w, 3);
    const [number] = pool.numbers as [string];
    const { status, body } = await removeNumbers([{ call_flow_id: pool.id, phone_number: Number(number) }]);
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: [{ result: 'success', data: expect.any(Number), entry_count: 1 }],
    });
    expect(await numberRow(number)).toEqual({
      status: 'available',
      group_id: null,
      pool_id: null,
      reserved_by: null,
    });
    expect(await poolSize(pool.id)).toBe(2);
    // The flow counts as changed, so every process drops the number from its routing cache.
    const read = await get(`/v2/callflow?id=${pool.id}`, w.h.companyAdmin.token);
    expect(read.body.data.updated_at).toBe(ctx.clock.now().toISOString());
    const listed = await get(
      `/v2/callflow/number?${filterQuery(`call_flow_id=${pool.id}`)}`,
      w.h.companyAdmin.token,
    );
    expect(listed.body.data[0].number.map((n: { phone_number: string }) => n.phone_number)).toEqual(
      pool.numbers.slice(1),
    );
  });

  it('answers each entry on its own and never empties a pool', async () => {
    const pool = await createPoolFlow(w, 2);
    const [first, second] = pool.numbers as [string, string];
    const tracking = takeNumber();
    const trackingFlow = await createFlow(w, { number: { phone_number: tracking } });
    const agencyPool = await poolInventory(1);
    const [agencyFlow] = await createFlows(
      [
        poolBody(
          w,
          { number_quantity: 1, npa: 212, nxx: agencyPool.nxx },
          { group_id: w.h.agency, campaign_id: w.agencyCampaignId },
        ),
      ],
      w.h.agencyAdmin.token,
    );
    const deleted = await createPoolFlow(w, 2);
    await remove(w.h.companyAdmin.token, { call_flow_id: [deleted.id] });

    const { status, body } = await removeNumbers([
      { call_flow_id: pool.id, phone_number: first },
      { call_flow_id: pool.id, phone_number: second },
      { call_flow_id: pool.id, phone_number: '2125550000' },
      { call_flow_id: trackingFlow, phone_number: tracking },
      { call_flow_id: agencyFlow, phone_number: agencyPool.numbers[0] },
      { call_flow_id: deleted.id, phone_number: deleted.numbers[0] },
      { call_flow_id: pool.id, phone_number: '12345' },
    ]);
    expect(status).toBe(200);
    expect(body.result).toBe('error');
    expect(body.err).toBe('6 of 7 entries failed');
    expect(body.data.map((r: { data: unknown }) => r.data)).toEqual([
      expect.any(Number),
      `phone_number ${second} is the last number of the pool; a pool keeps at least one`,
      `phone_number 2125550000 is not in the number pool of call_flow_id ${pool.id}`,
      `call_flow_id ${trackingFlow} does not use a number pool`,
      `call_flow_id ${agencyFlow} is not a call flow you can access`,
      `call_flow_id ${deleted.id} is not a call flow you can access`,
      'phone_number 12345 is not a valid 10-digit phone number',
    ]);
    expect(await poolSize(pool.id)).toBe(1);
    expect((await numberRow(second))?.pool_id).not.toBeNull();
    expect((await numberRow(tracking))?.status).toBe('assigned');
    expect((await numberRow(agencyPool.numbers[0] as string))?.status).toBe('assigned');
  });

  it('shows the pool as it is now in GET /v2/callflow, not the number_quantity once posted', async () => {
    const pool = await createPoolFlow(w, 3);
    await removeNumbers([{ call_flow_id: pool.id, phone_number: pool.numbers[0] }]);
    const read = await get(`/v2/callflow?id=${pool.id}`, w.h.companyAdmin.token);
    expect(read.body.data.number_pool).toMatchObject({ number_quantity: 2, keep_alive_minutes: 30 });
    expect(read.body.data.number).toHaveLength(2);
  });

  it('lets one of two concurrent removals take the second-last number', async () => {
    const pool = await createPoolFlow(w, 2);
    const replies = await Promise.all(
      pool.numbers.map((number) => removeNumbers([{ call_flow_id: pool.id, phone_number: number }])),
    );
    expect(replies.map((r) => r.body.result).sort()).toEqual(['error', 'success']);
    expect(await poolSize(pool.id)).toBe(1);
    const left = await ctx.db.query(
      'select count(*)::integer as n from phone_number where pool_id is not null and number = any($1)',
      [pool.numbers],
    );
    expect(left.rows[0]).toEqual({ n: 1 });
  });

  it.each([
    [[], 'ARRAY_LENGTH_SHORT', 'Array is too short (0), minimum 1'],
    [[{ call_flow_id: 1 }], 'OBJECT_MISSING_REQUIRED_PROPERTY', 'Missing required property: phone_number'],
    [
      [{ call_flow_id: 'x', phone_number: '2125550000' }],
      'INVALID_TYPE',
      'Expected type integer but found type string',
    ],
  ])('answers body %j with a validation error', async (body, code, message) => {
    const response = await removeNumbers(body);
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ in: 'body', name: 'callflowpoolnumber' });
    expect(response.body.errors[0].errors[0]).toMatchObject({ code, message });
  });

  it('refuses a ReadOnly user', async () => {
    const pool = await createPoolFlow(w, 2);
    const readOnly = await ctx.factory.user(w.h.company, 3);
    const response = await removeNumbers(
      [{ call_flow_id: pool.id, phone_number: pool.numbers[0] }],
      readOnly.token,
    );
    expect(response.status).toBe(403);
    expect(await poolSize(pool.id)).toBe(2);
  });
});

describe('moving a flow between a pool and a tracking number', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  const update = async (callFlowId: number, body: Record<string, unknown>) =>
    (await createFlows([{ ...body, call_flow_id: callFlowId }], w.h.companyAdmin.token))[0];
  const poolRow = async (poolId: number) =>
    (await ctx.db.query('select pool_id from number_pool where pool_id = $1', [poolId])).rows[0];

  it('gives a pool the flow leaves back to the inventory and deletes it', async () => {
    const pool = await createPoolFlow(w, 2);
    const before = await get(`/v2/callflow?id=${pool.id}`, w.h.companyAdmin.token);
    const poolId = before.body.data.number_pool.pool_id as number;
    const tracking = takeNumber();
    await update(pool.id, flowBody(w, { number: { phone_number: tracking } }));

    const after = await get(`/v2/callflow?id=${pool.id}`, w.h.companyAdmin.token);
    expect(after.body.data.dnis).toBe(tracking);
    expect(after.body.data.number_pool).toBeUndefined();
    expect(await poolRow(poolId)).toBeUndefined();
    for (const number of pool.numbers)
      expect(await numberRow(number)).toEqual({
        status: 'available',
        group_id: null,
        pool_id: null,
        reserved_by: null,
      });
    const usage = await get(`/v2/numberpool/usage?id=${poolId}`, w.h.companyAdmin.token);
    expect(usage.status).toBe(404);
  });

  it('gives a pool the flow leaves for a new pool back too', async () => {
    const pool = await createPoolFlow(w, 1);
    const poolId = (await get(`/v2/callflow?id=${pool.id}`, w.h.companyAdmin.token)).body.data.number_pool
      .pool_id as number;
    const next = await poolInventory(1);
    await update(pool.id, poolBody(w, { number_quantity: 1, npa: 212, nxx: next.nxx }));
    expect(await poolRow(poolId)).toBeUndefined();
    expect((await numberRow(pool.numbers[0] as string))?.status).toBe('available');
    expect((await numberRow(next.numbers[0] as string))?.status).toBe('assigned');
  });

  it('keeps a tracking number the flow leaves for a pool with its group, as reserved', async () => {
    const tracking = takeNumber();
    const flowId = await createFlow(w, { number: { phone_number: tracking } });
    const inventory = await poolInventory(1);
    await update(flowId, poolBody(w, { number_quantity: 1, npa: 212, nxx: inventory.nxx }));
    expect(await numberRow(tracking)).toMatchObject({
      status: 'reserved',
      group_id: w.h.company,
      pool_id: null,
    });
    // so a later flow of the group can take it again
    expect(await createFlow(w, { number: { phone_number: tracking } })).toEqual(expect.any(Number));
  });
});
