import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
});
afterAll(() => ctx.close());

describe('GET /v2/group', () => {
  it('returns the group as an object with its users', async () => {
    const { status, body } = await ctx.request('GET', `/v2/group?id=${h.company}`, {
      token: h.agencyAdmin.token,
    });
    expect(status).toBe(200);
    expect(body.result).toBe('success');
    expect(body.err).toBeNull();
    expect(body.data).toMatchObject({
      group_id: h.company,
      group_parent_id: h.agency,
      top_group_id: h.agency,
      billing_id: h.agency,
      group_status: 'active',
    });
    expect(body.data.group_created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(body.data.users).toEqual([
      expect.objectContaining({
        ct_user_id: h.companyAdmin.ct_user_id,
        user_email: h.companyAdmin.email,
        role_id: 1,
        user_status: 'active',
        group_id: h.company,
      }),
    ]);
    expect(body.data.users[0]).not.toHaveProperty('password_hash');
  });

  it('answers an id past the integer range with a validation error, not a 500', async () => {
    const { status, body } = await ctx.request('GET', '/v2/group?id=99999999999', {
      token: h.agencyAdmin.token,
    });
    expect(status).toBe(400);
    expect(body.errors[0].errors[0]).toMatchObject({ code: 'MAXIMUM' });
    const filtered = await ctx.request('GET', '/v2/group/list?filter=group_id%3d99999999999', {
      token: h.agencyAdmin.token,
    });
    expect(filtered.status).toBe(400);
  });

  it('answers an out-of-range id in a body with a 4xx, not a 500', async () => {
    const { status, body } = await ctx.request('POST', '/v2/group', {
      token: h.agencyAdmin.token,
      body: [{ group_name: 'Huge parent', group_parent_id: 99999999999 }],
    });
    expect(status).toBe(200);
    expect(body.data[0]).toMatchObject({ result: 'error', entry_count: 1 });
    const get = await ctx.request('GET', '/v2/user/permissions?id=99999999999', {
      token: h.agencyAdmin.token,
    });
    expect(get.status).toBe(400);
  });

  it('answers an id that does not exist with "No record found"', async () => {
    const { status, body } = await ctx.request('GET', '/v2/group?id=-5484', { token: h.agencyAdmin.token });
    expect(status).toBe(404);
    expect(body).toEqual({ result: 'error', err: 'No record found', data: null });
  });
});

describe('GET /v2/group/list', () => {
  it('lists the caller group and its descendants in id order', async () => {
    const { body } = await ctx.request('GET', '/v2/group/list', { token: h.companyAdmin.token });
    expect(body.data.map((g: { group_id: number }) => g.group_id)).toEqual([h.company, h.location]);
  });

  it('pages with limit and offset', async () => {
    const first = await ctx.request('GET', '/v2/group/list?limit=2', { token: h.agencyAdmin.token });
    const rest = await ctx.request('GET', '/v2/group/list?limit=2&offset=2', { token: h.agencyAdmin.token });
    expect(first.body.data.map((g: { group_id: number }) => g.group_id)).toEqual([h.agency, h.company]);
    expect(rest.body.data.map((g: { group_id: number }) => g.group_id)).toEqual([h.location]);
  });

  it('returns at most 100 rows by default', async () => {
    const many = await ctx.factory.group();
    const admin = await ctx.factory.user(many);
    for (let i = 0; i < 105; i++) await ctx.factory.group(many);
    expect((await ctx.request('GET', '/v2/group/list', { token: admin.token })).body.data).toHaveLength(100);
    expect(
      (await ctx.request('GET', '/v2/group/list?limit=500', { token: admin.token })).body.data,
    ).toHaveLength(106);
  });

  it('filters by id and name, and returns [] when nothing matches', async () => {
    const byParent = await ctx.request('GET', `/v2/group/list?filter=group_parent_id%3d${h.company}`, {
      token: h.agencyAdmin.token,
    });
    expect(byParent.body.data.map((g: { group_id: number }) => g.group_id)).toEqual([h.location]);
    const range = await ctx.request(
      'GET',
      `/v2/group/list?filter=${encodeURIComponent(`group_id>=${h.company}`)}`,
      {
        token: h.agencyAdmin.token,
      },
    );
    expect(range.body.data.map((g: { group_id: number }) => g.group_id)).toEqual([h.company, h.location]);
    const none = await ctx.request('GET', '/v2/group/list?filter=group_name%3dNo%20such%20group', {
      token: h.agencyAdmin.token,
    });
    expect(none.body).toEqual({ result: 'success', err: null, data: [] });
  });

  it.each([
    ['group_name+Foo', 'Unsupported comparator used in filter on rule 1 : group_name+Foo'],
    [
      'group_name>=Foo',
      'Invalid comparator type "string" used for value being used in rule 1 : group_name>=Foo',
    ],
    ['group_name=', 'Please provide valid data.'],
  ])('answers filter %s with the V2 error', async (filter, err) => {
    const { status, body } = await ctx.request('GET', `/v2/group/list?filter=${encodeURIComponent(filter)}`, {
      token: h.agencyAdmin.token,
    });
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err, data: null });
  });

  it('ignores an empty filter', async () => {
    const { body } = await ctx.request('GET', '/v2/group/list?filter=', { token: h.locationAdmin.token });
    expect(body.data.map((g: { group_id: number }) => g.group_id)).toEqual([h.location]);
  });
});

describe('GET /v2/group/user', () => {
  it('lists groups in scope, each with its users', async () => {
    const { body } = await ctx.request('GET', '/v2/group/user', { token: h.companyAdmin.token });
    expect(body.data).toHaveLength(2);
    expect(body.data[1]).toMatchObject({
      group_id: h.location,
      users: [{ ct_user_id: h.locationAdmin.ct_user_id }],
    });
  });
});

describe('POST /v2/group', () => {
  it('creates groups and answers one nested result per entry', async () => {
    const { status, body } = await ctx.request('POST', '/v2/group', {
      token: h.agencyAdmin.token,
      body: [
        {
          group_name: 'Acme North',
          group_parent_id: h.company,
          group_status: 'active',
          billing_id: h.agency,
          address: '1 Main St',
          city: 'Irvine',
          state: 'CA',
          zip: '92618',
          phone_number: '9495551234',
          industry_id: 5,
        },
      ],
    });
    expect(status).toBe(200);
    expect(body.data).toEqual([{ result: 'success', data: expect.any(Number), entry_count: 1 }]);
    expect(body.result).toBe('success');
    const created = await ctx.request('GET', `/v2/group?id=${body.data[0].data}`, {
      token: h.agencyAdmin.token,
    });
    expect(created.body.data).toMatchObject({
      group_name: 'Acme North',
      group_parent_id: h.company,
      top_group_id: h.agency,
      phone_number: '9495551234',
      industry_id: 5,
      industry_name: 'Home Services',
    });
  });

  it("puts a group under the caller's own group by default", async () => {
    const { body } = await ctx.request('POST', '/v2/group', {
      token: h.companyAdmin.token,
      body: [{ group_name: 'Child' }],
    });
    const created = await ctx.request('GET', `/v2/group?id=${body.data[0].data}`, {
      token: h.companyAdmin.token,
    });
    expect(created.body.data.group_parent_id).toBe(h.company);
  });

  it('applies each entry on its own: a bad entry 2 leaves entries 1 and 3 stored', async () => {
    const { body } = await ctx.request('POST', '/v2/group', {
      token: h.agencyAdmin.token,
      body: [
        { group_name: 'First', group_parent_id: h.company },
        { group_name: 'Second', group_parent_id: h.company, industry_id: 999 },
        { group_name: 'Third', group_parent_id: h.company },
      ],
    });
    expect(body.result).toBe('error');
    expect(body.err).toBe('1 of 3 entries failed');
    expect(body.data).toEqual([
      { result: 'success', data: expect.any(Number), entry_count: 1 },
      { result: 'error', data: 'industry_id 999 does not exist', entry_count: 2 },
      { result: 'success', data: expect.any(Number), entry_count: 3 },
    ]);
    const names = await ctx.db.query<{ group_name: string }>(
      "select group_name from org_group where group_name in ('First', 'Second', 'Third') order by group_id",
    );
    expect(names.rows.map((r) => r.group_name)).toEqual(['First', 'Third']);
  });

  it('rejects an invalid phone number and a wrong billing id per entry', async () => {
    const { body } = await ctx.request('POST', '/v2/group', {
      token: h.agencyAdmin.token,
      body: [
        { group_name: 'Bad phone', phone_number: '1234' },
        { group_name: 'Bad billing', billing_id: h.company },
      ],
    });
    expect(body.data).toEqual([
      { result: 'error', data: 'phone_number 1234 is not a valid 10-digit number', entry_count: 1 },
      {
        result: 'error',
        data: `billing_id must be ${h.agency}, the billing account of the parent group`,
        entry_count: 2,
      },
    ]);
  });

  it('updates a group when group_id is given', async () => {
    const group = await ctx.factory.group(h.company, 'Before');
    const { body } = await ctx.request('POST', '/v2/group', {
      token: h.companyAdmin.token,
      body: [{ group_id: group, group_name: 'After', group_status: 'inactive', city: 'Tustin' }],
    });
    expect(body.data).toEqual([{ result: 'success', data: group, entry_count: 1 }]);
    const updated = await ctx.request('GET', `/v2/group?id=${group}`, { token: h.companyAdmin.token });
    expect(updated.body.data).toMatchObject({
      group_name: 'After',
      group_status: 'inactive',
      city: 'Tustin',
    });
    expect(updated.body.data.group_modified).toBe(ctx.clock.now().toISOString());
  });

  it('refuses to move a group to another parent', async () => {
    const group = await ctx.factory.group(h.company);
    const { body } = await ctx.request('POST', '/v2/group', {
      token: h.agencyAdmin.token,
      body: [{ group_id: group, group_name: 'Moved', group_parent_id: h.agency }],
    });
    expect(body.data[0]).toMatchObject({
      result: 'error',
      data: expect.stringContaining('group_parent_id cannot be changed'),
    });
  });
});
