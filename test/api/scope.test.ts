import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';

/** Every read and write stays inside the caller's group and the groups below it. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let otherAgency: number;

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
  otherAgency = await ctx.factory.group();
});
afterAll(() => ctx.close());

const groupIds = (body: { data: { group_id: number }[] }) => body.data.map((g) => g.group_id);

describe('reads', () => {
  it('a company admin cannot read its agency', async () => {
    const { status, body } = await ctx.request('GET', `/v2/group?id=${h.agency}`, {
      token: h.companyAdmin.token,
    });
    expect(status).toBe(404);
    expect(body).toEqual({ result: 'error', err: 'No record found', data: null });
  });

  it('a location admin cannot read its company', async () => {
    const { body } = await ctx.request('GET', `/v2/group?id=${h.company}`, { token: h.locationAdmin.token });
    expect(body.err).toBe('No record found');
  });

  it('an agency admin cannot read another agency', async () => {
    const { body } = await ctx.request('GET', `/v2/group?id=${otherAgency}`, { token: h.agencyAdmin.token });
    expect(body.err).toBe('No record found');
  });

  it('lists never include groups above or beside the caller', async () => {
    expect(
      groupIds((await ctx.request('GET', '/v2/group/list', { token: h.locationAdmin.token })).body),
    ).toEqual([h.location]);
    const filtered = await ctx.request('GET', `/v2/group/list?filter=group_id%3d${h.agency}`, {
      token: h.companyAdmin.token,
    });
    expect(filtered.body.data).toEqual([]);
    expect(
      groupIds((await ctx.request('GET', '/v2/group/user', { token: h.companyAdmin.token })).body),
    ).toEqual([h.company, h.location]);
  });

  it('a company admin cannot read permissions of an agency user', async () => {
    const { status } = await ctx.request('GET', `/v2/user/permissions?id=${h.agencyAdmin.ct_user_id}`, {
      token: h.companyAdmin.token,
    });
    expect(status).toBe(404);
  });
});

describe('writes', () => {
  it('a company admin cannot create a group under the agency', async () => {
    const { body } = await ctx.request('POST', '/v2/group', {
      token: h.companyAdmin.token,
      body: [{ group_name: 'Sneaky', group_parent_id: h.agency }],
    });
    expect(body.data).toEqual([
      { result: 'error', data: `group_parent_id ${h.agency} is not a group you can access`, entry_count: 1 },
    ]);
  });

  it('a company admin cannot rename the agency', async () => {
    const before = (await ctx.request('GET', `/v2/group?id=${h.agency}`, { token: h.agencyAdmin.token })).body
      .data;
    const { body } = await ctx.request('POST', '/v2/group', {
      token: h.companyAdmin.token,
      body: [{ group_id: h.agency, group_name: 'Taken over' }],
    });
    expect(body.data[0]).toEqual({
      result: 'error',
      data: `group_id ${h.agency} is not a group you can access`,
      entry_count: 1,
    });
    const after = (await ctx.request('GET', `/v2/group?id=${h.agency}`, { token: h.agencyAdmin.token })).body
      .data;
    expect(after).toEqual(before);
  });

  it('a company admin cannot create a user in the agency or change an agency user', async () => {
    const created = await ctx.request('POST', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [
        {
          group_id: h.agency,
          user_email: 'evil@example.test',
          password: 'password123',
          first_name: 'E',
          last_name: 'V',
          role_id: 1,
        },
      ],
    });
    expect(created.body.data[0]).toMatchObject({
      result: 'error',
      data: `group_id ${h.agency} is not a group you can access`,
    });
    const updated = await ctx.request('PUT', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [{ ct_user_id: h.agencyAdmin.ct_user_id, password: 'password123' }],
    });
    expect(updated.body.data[0]).toMatchObject({
      result: 'error',
      data: `ct_user_id ${h.agencyAdmin.ct_user_id} is not a user you can access`,
    });
  });
});

describe('roles', () => {
  it("refuses a ReadOnly user's write and changes nothing", async () => {
    const readOnly = await ctx.factory.user(h.company, 3);
    const before = await ctx.db.query('select count(*)::int as n from org_group');
    const { status, body } = await ctx.request('POST', '/v2/group', {
      token: readOnly.token,
      body: [{ group_name: 'Nope' }],
    });
    expect(status).toBe(403);
    expect(body).toEqual({
      result: 'error',
      err: 'User has read-only access and cannot make changes',
      data: null,
    });
    expect((await ctx.db.query('select count(*)::int as n from org_group')).rows).toEqual(before.rows);
    expect((await ctx.request('GET', '/v2/group/list', { token: readOnly.token })).status).toBe(200);
  });

  it('refuses a Standard user group and user management', async () => {
    const standard = await ctx.factory.user(h.company, 2);
    const { status, body } = await ctx.request('POST', '/v2/group', {
      token: standard.token,
      body: [{ group_name: 'No' }],
    });
    expect(status).toBe(403);
    expect(body.err).toBe('Only Admin users can manage groups and users');
    const perms = await ctx.request('PUT', '/v2/user/permissions', {
      token: standard.token,
      body: [{ ct_user_id: standard.ct_user_id, role_id: 1 }],
    });
    expect(perms.status).toBe(403);
  });
});
