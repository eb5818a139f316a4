import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, TEST_CLIENT, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
});
afterAll(() => ctx.close());

const newUser = (overrides: Record<string, unknown> = {}) => ({
  group_id: h.location,
  user_email: `new-${Math.random().toString(36).slice(2)}@example.test`,
  password: 'a long password',
  first_name: 'Ada',
  last_name: 'Lovelace',
  role_id: 2,
  ...overrides,
});

const login = (username: string, password: string) =>
  ctx.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/json' },
    payload: { grant_type: 'password', username, password, ...TEST_CLIENT },
  });

describe('POST /v2/group/user (Create User in Group)', () => {
  it('creates a user who can then log in with the given password', async () => {
    const user = newUser({ user_title: 'Manager', user_ext_id: 'crm-7' });
    const { status, body } = await ctx.request('POST', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [user],
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: [{ result: 'success', data: expect.any(Number), entry_count: 1 }],
    });
    expect((await login(user.user_email, user.password)).statusCode).toBe(200);
    const group = await ctx.request('GET', `/v2/group?id=${h.location}`, { token: h.companyAdmin.token });
    expect(group.body.data.users).toContainEqual(
      expect.objectContaining({
        ct_user_id: body.data[0].data,
        user_title: 'Manager',
        user_ext_id: 'crm-7',
        role_id: 2,
      }),
    );
  });

  it('stores the password as an argon2id hash', async () => {
    const user = newUser();
    await ctx.request('POST', '/v2/group/user', { token: h.companyAdmin.token, body: [user] });
    const { rows } = await ctx.db.query<{ password_hash: string }>(
      'select password_hash from app_user where user_email = $1',
      [user.user_email],
    );
    // at argon2's own cost (64 MiB, 3 passes), not the cheap one the test factory stores
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$v=19\$m=65536,p=4,t=3\$/);
    expect(rows[0]?.password_hash).not.toContain(user.password);
  });

  it('refuses an e-mail that is already used, in any case, per entry', async () => {
    const user = newUser();
    const { body } = await ctx.request('POST', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [user, { ...newUser(), user_email: user.user_email.toUpperCase() }],
    });
    expect(body.data).toEqual([
      { result: 'success', data: expect.any(Number), entry_count: 1 },
      { result: 'error', data: 'user_email is already in use', entry_count: 2 },
    ]);
  });

  it('validates e-mail and role', async () => {
    const { status, body } = await ctx.request('POST', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [newUser({ user_email: 'not-an-email', role_id: 7 })],
    });
    expect(status).toBe(400);
    expect(body.errors[0].errors.map((e: { code: string }) => e.code)).toEqual([
      'INVALID_FORMAT',
      'ENUM_MISMATCH',
    ]);
  });
});

describe('PUT /v2/group/user (Update Group User)', () => {
  it('changes only the given fields', async () => {
    const user = newUser();
    const created = await ctx.request('POST', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [user],
    });
    const id = created.body.data[0].data;
    const { body } = await ctx.request('PUT', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [{ ct_user_id: id, last_name: 'Byron', group_id: h.company, password: 'another password' }],
    });
    expect(body.data).toEqual([{ result: 'success', data: id, entry_count: 1 }]);
    const group = await ctx.request('GET', `/v2/group?id=${h.company}`, { token: h.companyAdmin.token });
    expect(group.body.data.users).toContainEqual(
      expect.objectContaining({ ct_user_id: id, first_name: 'Ada', last_name: 'Byron', group_id: h.company }),
    );
    expect((await login(user.user_email, user.password)).statusCode).toBe(401);
    expect((await login(user.user_email, 'another password')).statusCode).toBe(200);
  });

  it('an inactive user can no longer log in or use a token', async () => {
    const user = await ctx.factory.user(h.location, 2);
    await ctx.request('PUT', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [{ ct_user_id: user.ct_user_id, user_status: 'inactive' }],
    });
    expect((await ctx.request('GET', '/v2/group/list', { token: user.token })).status).toBe(401);
  });

  it('refuses to let admins demote or deactivate themselves', async () => {
    const { body } = await ctx.request('PUT', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [
        { ct_user_id: h.companyAdmin.ct_user_id, role_id: 3 },
        { ct_user_id: h.companyAdmin.ct_user_id, user_status: 'inactive' },
      ],
    });
    expect(body.data).toEqual([
      { result: 'error', data: 'You cannot change your own role', entry_count: 1 },
      { result: 'error', data: 'You cannot deactivate your own user', entry_count: 2 },
    ]);
  });
});

describe('user permissions', () => {
  it('reads the permissions of a user in scope', async () => {
    const { status, body } = await ctx.request(
      'GET',
      `/v2/user/permissions?id=${h.locationAdmin.ct_user_id}`,
      {
        token: h.companyAdmin.token,
      },
    );
    expect(status).toBe(200);
    expect(body.data).toEqual({
      ct_user_id: h.locationAdmin.ct_user_id,
      group_id: h.location,
      role_id: 1,
      role_name: 'Admin',
      access_audio: true,
      can_edit: true,
      can_manage_users: true,
    });
  });

  it('changes role and audio access; the new role takes effect on the next request', async () => {
    const user = await ctx.factory.user(h.location, 2);
    const { body } = await ctx.request('PUT', '/v2/user/permissions', {
      token: h.companyAdmin.token,
      body: [{ ct_user_id: user.ct_user_id, role_id: 3, access_audio: false }],
    });
    expect(body.data).toEqual([{ result: 'success', data: user.ct_user_id, entry_count: 1 }]);
    const read = await ctx.request('GET', `/v2/user/permissions?id=${user.ct_user_id}`, {
      token: h.companyAdmin.token,
    });
    expect(read.body.data).toMatchObject({
      role_id: 3,
      role_name: 'ReadOnly',
      access_audio: false,
      can_edit: false,
    });
    const write = await ctx.request('POST', '/v2/group', { token: user.token, body: [{ group_name: 'x' }] });
    expect(write.status).toBe(403);
  });

  it('lists the groups a user may access', async () => {
    const { body } = await ctx.request('GET', `/v2/user/allowedgroups?id=${h.companyAdmin.ct_user_id}`, {
      token: h.agencyAdmin.token,
    });
    expect(body.data.map((g: { group_id: number }) => g.group_id)).toEqual([h.company, h.location]);
  });
});
