import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';

type Hierarchy = Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

const UNAUTHORIZED = 'User is unauthorized to view the requested campaign';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const entry = (groupId: number, ownerId: number, changes: Record<string, unknown> = {}) => ({
  campaign_name: 'Spring Promo',
  campaign_start_date: '2026-04-01T00:00:00.000Z',
  campaign_owner_user_id: ownerId,
  group_id: groupId,
  ...changes,
});

async function createCampaign(token: string, body: Record<string, unknown>): Promise<number> {
  const { status, body: reply } = await ctx.request('POST', '/v2/campaign', { token, body: [body] });
  expect(status).toBe(200);
  expect(reply).toEqual([{ result: 'success', data: expect.any(Number), entry_count: 1 }]);
  return reply[0].data;
}

const campaignCount = async (groupId: number) =>
  Number(
    (
      await ctx.db.query<{ n: number }>('select count(*)::integer as n from campaign where group_id = $1', [
        groupId,
      ])
    ).rows[0]?.n,
  );

/** The swagger body-error wrapper V2 puts around inner errors of POST /v2/campaign. */
const bodyErrors = (errors: unknown[], method = 'post', name = 'campaign') => ({
  message: 'Validation errors',
  errors: [
    {
      code: 'INVALID_REQUEST_PARAMETER',
      errors,
      in: 'body',
      message: `Invalid parameter (${name}): Value failed JSON Schema validation`,
      name,
      path: ['paths', '/campaign', method, 'parameters', '0'],
    },
  ],
});

describe('POST /v2/campaign', () => {
  let h: Hierarchy;
  beforeAll(async () => {
    h = await ctx.factory.hierarchy();
  });

  it('creates a campaign and answers with the bare per-entry array', async () => {
    const { status, body } = await ctx.request('POST', '/v2/campaign', {
      token: h.companyAdmin.token,
      body: [entry(h.company, h.companyAdmin.ct_user_id, { campaign_ext_id: 'ext-1' })],
    });
    expect(status).toBe(200);
    expect(body).toEqual([{ result: 'success', data: expect.any(Number), entry_count: 1 }]);

    const read = await ctx.request('GET', `/v2/campaign?id=${body[0].data}`, { token: h.companyAdmin.token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      result: 'success',
      err: null,
      data: {
        campaign_id: body[0].data,
        campaign_name: 'Spring Promo',
        campaign_ext_id: 'ext-1',
        campaign_status: 'active',
        campaign_start_date: '2026-04-01T00:00:00.000Z',
        campaign_end_date: null,
        campaign_created: '2026-03-07T15:00:00.000Z',
        campaign_modified: null,
        campaign_owner_user_id: h.companyAdmin.ct_user_id,
        owner_fname: 'Test',
        owner_lname: 'User',
        group_id: h.company,
      },
    });
  });

  it('defaults campaign_ext_id to "" and stores dates given with an offset as instants', async () => {
    const id = await createCampaign(
      h.companyAdmin.token,
      entry(h.company, h.companyAdmin.ct_user_id, {
        campaign_start_date: '2026-04-01T09:30:00-05:00',
        campaign_end_date: '2026-05-01T00:00:00Z',
      }),
    );
    const { body } = await ctx.request('GET', `/v2/campaign?id=${id}`, { token: h.companyAdmin.token });
    expect(body.data).toMatchObject({
      campaign_ext_id: '',
      campaign_start_date: '2026-04-01T14:30:00.000Z',
      campaign_end_date: '2026-05-01T00:00:00.000Z',
    });
  });

  it('updates the campaign named by campaign_id and keeps optional fields left out', async () => {
    const id = await createCampaign(
      h.companyAdmin.token,
      entry(h.company, h.companyAdmin.ct_user_id, {
        campaign_ext_id: 'keep-me',
        campaign_status: 'inactive',
        campaign_end_date: '2026-06-30T00:00:00.000Z',
      }),
    );
    ctx.clock.advance(60_000);
    const { body } = await ctx.request('POST', '/v2/campaign', {
      token: h.companyAdmin.token,
      body: [entry(h.location, h.companyAdmin.ct_user_id, { campaign_id: id, campaign_name: 'Renamed' })],
    });
    expect(body).toEqual([{ result: 'success', data: id, entry_count: 1 }]);
    const read = await ctx.request('GET', `/v2/campaign?id=${id}`, { token: h.companyAdmin.token });
    expect(read.body.data).toMatchObject({
      campaign_id: id,
      campaign_name: 'Renamed',
      campaign_ext_id: 'keep-me',
      campaign_status: 'inactive',
      campaign_end_date: '2026-06-30T00:00:00.000Z',
      group_id: h.location,
      campaign_modified: new Date(ctx.clock.now()).toISOString(),
    });
  });

  it('clears campaign_end_date when it is sent as null', async () => {
    const id = await createCampaign(
      h.companyAdmin.token,
      entry(h.company, h.companyAdmin.ct_user_id, { campaign_end_date: '2026-06-30T00:00:00.000Z' }),
    );
    await createCampaign(
      h.companyAdmin.token,
      entry(h.company, h.companyAdmin.ct_user_id, { campaign_id: id, campaign_end_date: null }),
    );
    const read = await ctx.request('GET', `/v2/campaign?id=${id}`, { token: h.companyAdmin.token });
    expect(read.body.data.campaign_end_date).toBeNull();
  });

  it('applies each entry on its own: a bad entry fails alone and leaves nothing behind', async () => {
    const before = await campaignCount(h.location);
    const { status, body } = await ctx.request('POST', '/v2/campaign', {
      token: h.companyAdmin.token,
      body: [
        entry(h.location, h.companyAdmin.ct_user_id, { campaign_name: 'Good one' }),
        entry(h.location, h.companyAdmin.ct_user_id, {
          campaign_users: [h.agencyAdmin.ct_user_id],
        }),
        entry(h.location, h.companyAdmin.ct_user_id, { campaign_name: 'Good two' }),
      ],
    });
    expect(status).toBe(200);
    expect(body).toEqual([
      { result: 'success', data: expect.any(Number), entry_count: 1 },
      {
        result: 'error',
        data: `campaign_users ${h.agencyAdmin.ct_user_id} is not a user you can access`,
        entry_count: 2,
      },
      { result: 'success', data: expect.any(Number), entry_count: 3 },
    ]);
    expect(await campaignCount(h.location)).toBe(before + 2);
  });

  it('refuses an end date before the start date', async () => {
    const { body } = await ctx.request('POST', '/v2/campaign', {
      token: h.companyAdmin.token,
      body: [entry(h.company, h.companyAdmin.ct_user_id, { campaign_end_date: '2026-03-31T23:59:59.000Z' })],
    });
    expect(body).toEqual([
      {
        result: 'error',
        data: 'campaign_end_date must not be before campaign_start_date',
        entry_count: 1,
      },
    ]);
  });

  it('refuses a group outside the caller’s groups', async () => {
    const { body } = await ctx.request('POST', '/v2/campaign', {
      token: h.companyAdmin.token,
      body: [entry(h.agency, h.companyAdmin.ct_user_id)],
    });
    expect(body).toEqual([
      { result: 'error', data: `group_id ${h.agency} is not a group you can access`, entry_count: 1 },
    ]);
  });

  it('refuses an owner outside the caller’s groups', async () => {
    const { body } = await ctx.request('POST', '/v2/campaign', {
      token: h.companyAdmin.token,
      body: [entry(h.company, h.agencyAdmin.ct_user_id)],
    });
    expect(body[0]).toEqual({
      result: 'error',
      data: `campaign_owner_user_id ${h.agencyAdmin.ct_user_id} is not a user you can access`,
      entry_count: 1,
    });
  });

  it('refuses an owner who could not see the campaign’s group', async () => {
    const { body } = await ctx.request('POST', '/v2/campaign', {
      token: h.companyAdmin.token,
      body: [entry(h.company, h.locationAdmin.ct_user_id)],
    });
    expect(body[0]).toEqual({
      result: 'error',
      data: `campaign_owner_user_id ${h.locationAdmin.ct_user_id} cannot access group_id ${h.company}`,
      entry_count: 1,
    });
  });

  it('refuses to update a campaign outside the caller’s groups with V2’s message', async () => {
    const agencyCampaign = await createCampaign(
      h.agencyAdmin.token,
      entry(h.agency, h.agencyAdmin.ct_user_id, { campaign_name: 'Agency only' }),
    );
    for (const campaignId of [agencyCampaign, 987654321]) {
      const { body } = await ctx.request('POST', '/v2/campaign', {
        token: h.companyAdmin.token,
        body: [entry(h.company, h.companyAdmin.ct_user_id, { campaign_id: campaignId })],
      });
      expect(body).toEqual([{ result: 'error', data: UNAUTHORIZED, entry_count: 1 }]);
    }
    const read = await ctx.request('GET', `/v2/campaign?id=${agencyCampaign}`, {
      token: h.agencyAdmin.token,
    });
    expect(read.body.data.campaign_name).toBe('Agency only');
  });

  it('lets a Standard user create campaigns and refuses a ReadOnly user with 403', async () => {
    const standard = await ctx.factory.user(h.company, 2);
    await createCampaign(standard.token, entry(h.company, standard.ct_user_id));
    const readOnly = await ctx.factory.user(h.company, 3);
    const { status } = await ctx.request('POST', '/v2/campaign', {
      token: readOnly.token,
      body: [entry(h.company, readOnly.ct_user_id)],
    });
    expect(status).toBe(403);
  });

  it('answers a missing token with 401', async () => {
    const { status } = await ctx.request('POST', '/v2/campaign', { body: [entry(h.company, 1)] });
    expect(status).toBe(401);
  });
});

describe('POST /v2/campaign validation errors', () => {
  let h: Hierarchy;
  beforeAll(async () => {
    h = await ctx.factory.hierarchy();
  });

  const post = (body: unknown) => ctx.request('POST', '/v2/campaign', { token: h.companyAdmin.token, body });

  it('names each missing required property of [{}] in V2’s order', async () => {
    const { status, body } = await post([{}]);
    expect(status).toBe(400);
    expect(body).toEqual(
      bodyErrors(
        ['campaign_start_date', 'campaign_owner_user_id', 'group_id', 'campaign_name'].map((property) => ({
          code: 'OBJECT_MISSING_REQUIRED_PROPERTY',
          message: `Missing required property: ${property}`,
          path: ['0'],
        })),
      ),
    );
  });

  it('answers a short campaign_name with MIN_LENGTH', async () => {
    const { status, body } = await post([entry(h.company, h.companyAdmin.ct_user_id, { campaign_name: '' })]);
    expect(status).toBe(400);
    expect(body).toEqual(
      bodyErrors([
        {
          code: 'MIN_LENGTH',
          message: 'String is too short (0 chars), minimum 3',
          path: ['0', 'campaign_name'],
          description: 'The name of the campaign',
        },
      ]),
    );
  });

  it.each([
    ['', 'No enum match for: '],
    ['paused', 'No enum match for: paused'],
  ])('answers campaign_status %j with ENUM_MISMATCH and V2’s description', async (value, message) => {
    const { status, body } = await post([
      entry(h.company, h.companyAdmin.ct_user_id, { campaign_status: value }),
    ]);
    expect(status).toBe(400);
    expect(body).toEqual(
      bodyErrors([
        {
          code: 'ENUM_MISMATCH',
          message,
          path: ['0', 'campaign_status'],
          description: 'The current status of the campaign',
        },
      ]),
    );
  });

  it('reports the failing entry by its index', async () => {
    const { body } = await post([
      entry(h.company, h.companyAdmin.ct_user_id),
      entry(h.company, h.companyAdmin.ct_user_id, { campaign_name: 'ab' }),
    ]);
    expect(body.errors[0].errors).toEqual([
      {
        code: 'MIN_LENGTH',
        message: 'String is too short (2 chars), minimum 3',
        path: ['1', 'campaign_name'],
        description: 'The name of the campaign',
      },
    ]);
  });

  it('rejects a date that is not an RFC 3339 date-time', async () => {
    const { status, body } = await post([
      entry(h.company, h.companyAdmin.ct_user_id, { campaign_start_date: '2026-04-01' }),
    ]);
    expect(status).toBe(400);
    expect(body.errors[0].errors).toEqual([
      {
        code: 'INVALID_FORMAT',
        message: "Object didn't pass validation for format date-time: 2026-04-01",
        path: ['0', 'campaign_start_date'],
        description: 'When the campaign starts',
      },
    ]);
  });

  it('rejects an id beyond the integer range', async () => {
    const { status, body } = await post([entry(99_999_999_999, h.companyAdmin.ct_user_id)]);
    expect(status).toBe(400);
    expect(body.errors[0].errors).toEqual([
      {
        code: 'MAXIMUM',
        message: 'Value 99999999999 is greater than maximum 2147483647',
        path: ['0', 'group_id'],
        description: 'The group the campaign belongs to',
      },
    ]);
  });

  it('refuses, per entry, a date the database cannot hold', async () => {
    const { status, body } = await post([
      entry(h.company, h.companyAdmin.ct_user_id, { campaign_start_date: '9999-12-31T23:59:59-05:00' }),
    ]);
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        result: 'error',
        data: 'campaign_start_date 9999-12-31T23:59:59-05:00 is out of range (years 1000 to 9999)',
        entry_count: 1,
      },
    ]);
  });

  it('rejects unknown properties', async () => {
    const { status, body } = await post([
      entry(h.company, h.companyAdmin.ct_user_id, { campaign_colour: 'red' }),
    ]);
    expect(status).toBe(400);
    expect(body.errors[0].errors).toEqual([
      {
        code: 'OBJECT_ADDITIONAL_PROPERTIES',
        message: 'Additional properties not allowed: campaign_colour',
        path: ['0'],
      },
    ]);
  });

  it.each([
    ['an object', { campaign_name: 'x' }, 'INVALID_TYPE'],
    ['an empty array', [], 'ARRAY_LENGTH_SHORT'],
    ['a string owner id', [entry(1, 1, { campaign_owner_user_id: '5' })], 'INVALID_TYPE'],
  ])('rejects %s as the body', async (_, body, code) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].errors[0].code).toBe(code);
  });

  it('changes nothing when the body is invalid', async () => {
    const before = await campaignCount(h.company);
    await post([entry(h.company, h.companyAdmin.ct_user_id), { campaign_name: 'x' }]);
    expect(await campaignCount(h.company)).toBe(before);
  });
});

describe('GET /v2/campaign', () => {
  let h: Hierarchy;
  let agencyCampaign: number;
  let companyCampaign: number;
  beforeAll(async () => {
    h = await ctx.factory.hierarchy();
    agencyCampaign = await createCampaign(h.agencyAdmin.token, entry(h.agency, h.agencyAdmin.ct_user_id));
    companyCampaign = await createCampaign(h.companyAdmin.token, entry(h.company, h.companyAdmin.ct_user_id));
  });

  it('lets an agency admin read a company campaign', async () => {
    const { status, body } = await ctx.request('GET', `/v2/campaign?id=${companyCampaign}`, {
      token: h.agencyAdmin.token,
    });
    expect(status).toBe(200);
    expect(body.data.campaign_id).toBe(companyCampaign);
  });

  it.each([
    ['a campaign of a group above the caller', () => agencyCampaign],
    ['a campaign that does not exist', () => 2_000_000_000],
    ['a negative id', () => -5484],
  ])('answers %s with V2’s unauthorized message', async (_, id) => {
    const { status, body } = await ctx.request('GET', `/v2/campaign?id=${id()}`, {
      token: h.companyAdmin.token,
    });
    expect(status).toBe(404);
    expect(body).toEqual({ result: 'error', err: UNAUTHORIZED, data: null });
  });

  it('hides a company campaign from another company’s admin', async () => {
    const other = await ctx.factory.hierarchy();
    const { body } = await ctx.request('GET', `/v2/campaign?id=${companyCampaign}`, {
      token: other.agencyAdmin.token,
    });
    expect(body).toEqual({ result: 'error', err: UNAUTHORIZED, data: null });
  });

  it.each(['abc', '', '5484a'])('answers id=%j with INVALID_TYPE', async (id) => {
    const { status, body } = await ctx.request('GET', `/v2/campaign?id=${id}`, {
      token: h.companyAdmin.token,
    });
    expect(status).toBe(400);
    expect(body).toEqual({
      message: 'Validation errors',
      errors: [
        {
          code: 'INVALID_REQUEST_PARAMETER',
          errors: [
            {
              code: 'INVALID_TYPE',
              message: 'Expected type integer but found type string',
              path: [],
              description: 'The id of the campaign',
            },
          ],
          in: 'query',
          message: 'Invalid parameter (id): Expected type integer but found type string',
          name: 'id',
          path: [],
        },
      ],
    });
  });

  it('answers a missing id with REQUIRED', async () => {
    const { status, body } = await ctx.request('GET', '/v2/campaign', { token: h.companyAdmin.token });
    expect(status).toBe(400);
    expect(body.errors[0]).toEqual({
      code: 'INVALID_REQUEST_PARAMETER',
      errors: [
        {
          code: 'REQUIRED',
          message: 'Value is required but was not provided',
          path: ['paths', '/campaign', 'get', 'parameters', '0'],
        },
      ],
      in: 'query',
      message: 'Invalid parameter (id): Value is required but was not provided',
      name: 'id',
      path: ['paths', '/campaign', 'get', 'parameters', '0'],
    });
  });
});

describe('GET /v2/campaign/list', () => {
  let h: Hierarchy;
  let agencyCampaign: number;
  let companyCampaigns: number[];
  beforeAll(async () => {
    h = await ctx.factory.hierarchy();
    agencyCampaign = await createCampaign(
      h.agencyAdmin.token,
      entry(h.agency, h.agencyAdmin.ct_user_id, { campaign_name: 'Agency campaign' }),
    );
    const { body } = await ctx.request('POST', '/v2/campaign', {
      token: h.companyAdmin.token,
      body: Array.from({ length: 105 }, (_, i) =>
        entry(h.company, h.companyAdmin.ct_user_id, {
          campaign_name: `Company ${String(i).padStart(3, '0')}`,
          campaign_start_date: `2026-01-${String((i % 28) + 1).padStart(2, '0')}T12:00:00.000Z`,
        }),
      ),
    });
    companyCampaigns = body.map((r: { data: number }) => r.data);
  });

  const list = (token: string, query = '') => ctx.request('GET', `/v2/campaign/list${query}`, { token });

  it('returns 100 campaigns by default when more exist', async () => {
    const { status, body } = await list(h.agencyAdmin.token);
    expect(status).toBe(200);
    expect(body.result).toBe('success');
    expect(body.err).toBeNull();
    expect(body.data).toHaveLength(100);
    expect(body.data[0].campaign_id).toBe(agencyCampaign);
  });

  it('pages with limit and offset', async () => {
    const { body } = await list(h.agencyAdmin.token, '?limit=500&offset=100');
    expect(body.data.map((c: { campaign_id: number }) => c.campaign_id)).toEqual(companyCampaigns.slice(99));
  });

  it('shows a company admin only its own groups’ campaigns', async () => {
    const { body } = await list(h.companyAdmin.token, '?limit=500');
    const ids = body.data.map((c: { campaign_id: number }) => c.campaign_id);
    expect(ids).toEqual(companyCampaigns);
    expect(ids).not.toContain(agencyCampaign);
  });

  it('filters by name, group and start date', async () => {
    const byName = await list(
      h.agencyAdmin.token,
      `?filter=${encodeURIComponent('campaign_name=Company 007')}`,
    );
    expect(byName.body.data.map((c: { campaign_name: string }) => c.campaign_name)).toEqual(['Company 007']);
    const byGroup = await list(
      h.agencyAdmin.token,
      `?limit=500&filter=${encodeURIComponent(`group_id=${h.agency}`)}`,
    );
    expect(byGroup.body.data.map((c: { campaign_id: number }) => c.campaign_id)).toEqual([agencyCampaign]);
    const byDate = await list(
      h.companyAdmin.token,
      `?limit=500&filter=${encodeURIComponent('campaign_start_date>=2026-01-28,campaign_start_date<=2026-01-28')}`,
    );
    expect(byDate.body.data).toHaveLength(3);
  });

  it('answers an id beyond the integer range with a validation error', async () => {
    const { status, body } = await ctx.request('GET', '/v2/campaign?id=99999999999', {
      token: h.companyAdmin.token,
    });
    expect(status).toBe(400);
    expect(body.errors[0].errors[0]).toMatchObject({ code: 'MAXIMUM' });
    const filtered = await list(
      h.agencyAdmin.token,
      `?filter=${encodeURIComponent('campaign_id=99999999999')}`,
    );
    expect(filtered.body).toEqual({
      result: 'error',
      err: 'Invalid value for integer field used in filter on rule 1 : campaign_id=99999999999',
      data: null,
    });
  });

  it.each(['campaign_name=Nope'])(
    'answers filter %j, which matches nothing, with an empty list',
    async (filter) => {
      const { status, body } = await list(h.agencyAdmin.token, `?filter=${encodeURIComponent(filter)}`);
      expect(status).toBe(200);
      expect(body).toEqual({ result: 'success', err: null, data: [] });
    },
  );

  it.each([
    ['campaign_name+Foo', 'Unsupported comparator used in filter on rule 1 : campaign_name+Foo'],
    [
      'campaign_name>=Foo',
      'Invalid comparator type "string" used for value being used in rule 1 : campaign_name>=Foo',
    ],
    ['campaign_name=', 'Please provide valid data.'],
  ])('answers filter %j with V2’s error', async (filter, err) => {
    const { status, body } = await list(h.agencyAdmin.token, `?filter=${encodeURIComponent(filter)}`);
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err, data: null });
  });

  it.each([
    ['?limit=abc', 'Invalid parameter (limit): Expected type integer but found type string'],
    ['?limit=-1', 'Invalid parameter (limit): Value failed JSON Schema validation'],
    ['?offset=', 'Invalid parameter (offset): Expected type integer but found type string'],
  ])('answers %s with a validation error', async (query, message) => {
    const { status, body } = await list(h.agencyAdmin.token, query);
    expect(status).toBe(400);
    expect(body.errors[0].message).toBe(message);
  });
});

describe('DELETE /v2/campaign', () => {
  let h: Hierarchy;
  beforeAll(async () => {
    h = await ctx.factory.hierarchy();
  });

  const remove = (token: string, body: unknown) => ctx.request('DELETE', '/v2/campaign', { token, body });
  const listIds = async (token: string, query = '') =>
    (await ctx.request('GET', `/v2/campaign/list?limit=500${query}`, { token })).body.data.map(
      (c: { campaign_id: number }) => c.campaign_id,
    );

  it('soft-deletes: the campaign leaves the lists but can still be read by id', async () => {
    const id = await createCampaign(h.companyAdmin.token, entry(h.company, h.companyAdmin.ct_user_id));
    const { status, body } = await remove(h.companyAdmin.token, { campaign_id: [id, id] });
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: [id] });

    expect(await listIds(h.companyAdmin.token)).not.toContain(id);
    const users = await ctx.request('GET', '/v2/campaign/user?limit=500', { token: h.companyAdmin.token });
    expect(users.body.data.map((c: { campaign_id: number }) => c.campaign_id)).not.toContain(id);
    const read = await ctx.request('GET', `/v2/campaign?id=${id}`, { token: h.companyAdmin.token });
    expect(read.body.data).toMatchObject({ campaign_id: id, campaign_status: 'deleted' });
    expect(read.body.data.campaign_modified).not.toBeNull();
  });

  it('lists deleted campaigns when the filter asks for them', async () => {
    const id = await createCampaign(h.companyAdmin.token, entry(h.company, h.companyAdmin.ct_user_id));
    await remove(h.companyAdmin.token, { campaign_id: [id] });
    expect(
      await listIds(h.companyAdmin.token, `&filter=${encodeURIComponent('campaign_status=deleted')}`),
    ).toContain(id);
  });

  it('restores a deleted campaign when POST sets campaign_status', async () => {
    const id = await createCampaign(h.companyAdmin.token, entry(h.company, h.companyAdmin.ct_user_id));
    await remove(h.companyAdmin.token, { campaign_id: [id] });
    await createCampaign(
      h.companyAdmin.token,
      entry(h.company, h.companyAdmin.ct_user_id, { campaign_id: id, campaign_status: 'active' }),
    );
    expect(await listIds(h.companyAdmin.token)).toContain(id);
  });

  it('deletes nothing when any id is missing, out of scope or already deleted', async () => {
    const mine = await createCampaign(h.companyAdmin.token, entry(h.company, h.companyAdmin.ct_user_id));
    const theirs = await createCampaign(h.agencyAdmin.token, entry(h.agency, h.agencyAdmin.ct_user_id));
    const gone = await createCampaign(h.companyAdmin.token, entry(h.company, h.companyAdmin.ct_user_id));
    await remove(h.companyAdmin.token, { campaign_id: [gone] });

    const { status, body } = await remove(h.companyAdmin.token, {
      campaign_id: [mine, theirs, gone, 1999999999],
    });
    expect(status).toBe(400);
    const message = `Campaign(s) not permissible for deletion : ${theirs}, ${gone}, 1999999999`;
    expect(body).toEqual({ result: 'error', err: [message], data: null });
    expect(await listIds(h.companyAdmin.token)).toContain(mine);
    expect(await listIds(h.agencyAdmin.token)).toContain(theirs);
  });

  it.each([
    [
      {},
      {
        code: 'OBJECT_MISSING_REQUIRED_PROPERTY',
        message: 'Missing required property: campaign_id',
        path: [],
      },
    ],
    [
      { campaign_id: [] },
      {
        code: 'ARRAY_LENGTH_SHORT',
        message: 'Array is too short (0), minimum 1',
        path: ['campaign_id'],
        description: 'The campaigns to delete',
      },
    ],
    [
      { campaign_id: ['x'] },
      {
        code: 'INVALID_TYPE',
        message: 'Expected type integer but found type string',
        path: ['campaign_id', '0'],
      },
    ],
  ])('answers body %j with a validation error', async (body, inner) => {
    const response = await remove(h.companyAdmin.token, body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(bodyErrors([inner], 'delete'));
  });

  it('refuses a ReadOnly user', async () => {
    const id = await createCampaign(h.companyAdmin.token, entry(h.company, h.companyAdmin.ct_user_id));
    const readOnly = await ctx.factory.user(h.company, 3);
    expect((await remove(readOnly.token, { campaign_id: [id] })).status).toBe(403);
    expect(await listIds(h.companyAdmin.token)).toContain(id);
  });
});

describe('campaign users', () => {
  let h: Hierarchy;
  beforeAll(async () => {
    h = await ctx.factory.hierarchy();
  });

  const usersOf = async (token: string, campaignId: number) => {
    const { body } = await ctx.request(
      'GET',
      `/v2/campaign/user?filter=${encodeURIComponent(`campaign_id=${campaignId}`)}`,
      { token },
    );
    expect(body.data).toHaveLength(1);
    return body.data[0].users as Array<Record<string, unknown>>;
  };

  it('attaches campaign_users given on create and lists them with the campaign', async () => {
    const id = await createCampaign(
      h.companyAdmin.token,
      entry(h.location, h.companyAdmin.ct_user_id, {
        campaign_users: [h.locationAdmin.ct_user_id, h.companyAdmin.ct_user_id, h.locationAdmin.ct_user_id],
      }),
    );
    const { status, body } = await ctx.request(
      'GET',
      `/v2/campaign/user?filter=${encodeURIComponent(`campaign_id=${id}`)}`,
      { token: h.companyAdmin.token },
    );
    expect(status).toBe(200);
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({
      campaign_id: id,
      campaign_name: 'Spring Promo',
      group_id: h.location,
    });
    const [first, second] = [h.companyAdmin, h.locationAdmin].sort((a, b) => a.ct_user_id - b.ct_user_id);
    expect(body.data[0].users).toEqual(
      [first, second].map((user) => ({
        ct_user_id: user?.ct_user_id,
        first_name: 'Test',
        last_name: 'User',
        user_email: user?.email,
        user_ext_id: null,
        user_title: null,
        role_id: 1,
        user_status: 'active',
        group_id: user?.group_id,
        password: '********',
      })),
    );
  });

  it('keeps users already attached when an update names others', async () => {
    const id = await createCampaign(
      h.companyAdmin.token,
      entry(h.location, h.companyAdmin.ct_user_id, { campaign_users: [h.locationAdmin.ct_user_id] }),
    );
    await createCampaign(
      h.companyAdmin.token,
      entry(h.location, h.companyAdmin.ct_user_id, {
        campaign_id: id,
        campaign_users: [h.companyAdmin.ct_user_id],
      }),
    );
    const ids = (await usersOf(h.companyAdmin.token, id)).map((u) => u.ct_user_id);
    expect(ids.sort()).toEqual([h.companyAdmin.ct_user_id, h.locationAdmin.ct_user_id].sort());
  });

  it('adds users with POST /v2/campaign/user, once each', async () => {
    const id = await createCampaign(h.companyAdmin.token, entry(h.location, h.companyAdmin.ct_user_id));
    const pair = { campaign_id: id, ct_user_id: h.locationAdmin.ct_user_id };
    const { status, body } = await ctx.request('POST', '/v2/campaign/user', {
      token: h.companyAdmin.token,
      body: [pair, pair],
    });
    expect(status).toBe(200);
    expect(body).toEqual([
      { result: 'success', data: id, entry_count: 1 },
      { result: 'success', data: id, entry_count: 2 },
    ]);
    expect((await usersOf(h.companyAdmin.token, id)).map((u) => u.ct_user_id)).toEqual([
      h.locationAdmin.ct_user_id,
    ]);
  });

  it('refuses users and campaigns the caller cannot access', async () => {
    const mine = await createCampaign(h.companyAdmin.token, entry(h.company, h.companyAdmin.ct_user_id));
    const theirs = await createCampaign(h.agencyAdmin.token, entry(h.agency, h.agencyAdmin.ct_user_id));
    const { body } = await ctx.request('POST', '/v2/campaign/user', {
      token: h.companyAdmin.token,
      body: [
        { campaign_id: mine, ct_user_id: h.agencyAdmin.ct_user_id },
        { campaign_id: theirs, ct_user_id: h.companyAdmin.ct_user_id },
        { campaign_id: mine, ct_user_id: h.locationAdmin.ct_user_id },
      ],
    });
    expect(body).toEqual([
      {
        result: 'error',
        data: `ct_user_id ${h.agencyAdmin.ct_user_id} is not a user you can access`,
        entry_count: 1,
      },
      { result: 'error', data: UNAUTHORIZED, entry_count: 2 },
      {
        result: 'error',
        data: `ct_user_id ${h.locationAdmin.ct_user_id} cannot access group_id ${h.company}`,
        entry_count: 3,
      },
    ]);
    expect(await usersOf(h.companyAdmin.token, mine)).toEqual([]);
  });

  it('refuses to add users to a deleted campaign', async () => {
    const id = await createCampaign(h.companyAdmin.token, entry(h.company, h.companyAdmin.ct_user_id));
    await ctx.request('DELETE', '/v2/campaign', { token: h.companyAdmin.token, body: { campaign_id: [id] } });
    const { body } = await ctx.request('POST', '/v2/campaign/user', {
      token: h.companyAdmin.token,
      body: [{ campaign_id: id, ct_user_id: h.companyAdmin.ct_user_id }],
    });
    expect(body).toEqual([{ result: 'error', data: `campaign_id ${id} is deleted`, entry_count: 1 }]);
  });

  it.each([
    [[{}], 'OBJECT_MISSING_REQUIRED_PROPERTY'],
    [[{ campaign_id: 1, ct_user_id: 'x' }], 'INVALID_TYPE'],
    [[{ campaign_id: 1, ct_user_id: 1, role: 'x' }], 'OBJECT_ADDITIONAL_PROPERTIES'],
  ])('answers body %j with a validation error', async (body, code) => {
    const response = await ctx.request('POST', '/v2/campaign/user', { token: h.companyAdmin.token, body });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ in: 'body', name: 'campaignUser' });
    expect(response.body.errors[0].errors[0].code).toBe(code);
  });
});

describe('GET /v2/campaign/callflow', () => {
  it('lists the caller’s campaigns, each with its campaign_routes', async () => {
    const h = await ctx.factory.hierarchy();
    const agencyCampaign = await createCampaign(
      h.agencyAdmin.token,
      entry(h.agency, h.agencyAdmin.ct_user_id),
    );
    const companyCampaign = await createCampaign(
      h.companyAdmin.token,
      entry(h.company, h.companyAdmin.ct_user_id),
    );
    const { status, body } = await ctx.request('GET', '/v2/campaign/callflow', {
      token: h.companyAdmin.token,
    });
    expect(status).toBe(200);
    expect(body.data.map((c: { campaign_id: number }) => c.campaign_id)).toEqual([companyCampaign]);
    expect(body.data[0]).toMatchObject({ campaign_id: companyCampaign, campaign_routes: [] });
    const agency = await ctx.request('GET', '/v2/campaign/callflow', { token: h.agencyAdmin.token });
    expect(agency.body.data.map((c: { campaign_id: number }) => c.campaign_id)).toEqual([
      agencyCampaign,
      companyCampaign,
    ]);
  });

  it('validates limit like every list', async () => {
    const h = await ctx.factory.hierarchy();
    const { status } = await ctx.request('GET', '/v2/campaign/callflow?limit=abc', {
      token: h.agencyAdmin.token,
    });
    expect(status).toBe(400);
  });
});
