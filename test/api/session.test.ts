import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestContext,
  TEST_CLIENT,
  TEST_PASSWORD,
  type TestContext,
  type TestUser,
} from '../helpers/app.js';

/** The console's sign-in: a session cookie accepted on /v2 beside bearer tokens, CSRF-checked writes. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
});
afterAll(() => ctx.close());

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(email: string, password = TEST_PASSWORD) {
  return ctx.app.inject({
    method: 'POST',
    url: '/v2/session',
    payload: { user_email: email, password },
  });
}

async function session(user: TestUser): Promise<Session> {
  const response = await signIn(user.email);
  expect(response.statusCode).toBe(200);
  const cookie = response.cookies.find((c) => c.name === 'sb_session');
  return { cookie: `sb_session=${cookie?.value}`, csrf: response.json().data.csrf_token };
}

const withSession = (
  s: Session,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  options: { body?: unknown; csrf?: string | null; origin?: string } = {},
) =>
  ctx.app.inject({
    method,
    url,
    headers: {
      cookie: s.cookie,
      ...(options.csrf === null ? {} : { 'x-csrf-token': options.csrf ?? s.csrf }),
      ...(options.origin ? { origin: options.origin } : {}),
    },
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });

describe('POST /v2/session (Sign In)', () => {
  it('sets an httpOnly, SameSite=Strict session cookie and answers the CSRF token; the database keeps only a hash', async () => {
    const response = await signIn(h.companyAdmin.email.toUpperCase());
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'sb_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.secure).toBeFalsy();
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.json()).toEqual({
      result: 'success',
      err: null,
      data: {
        ct_user_id: h.companyAdmin.ct_user_id,
        csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expires_at: '2026-03-14T15:00:00.000Z',
        idle_minutes: 60,
      },
    });
    const { rows } = await ctx.db.query<{ session_hash: string }>(
      'select session_hash from console_session where ct_user_id = $1',
      [h.companyAdmin.ct_user_id],
    );
    expect(rows.map((row) => row.session_hash)).not.toContain(cookie?.value);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('answers one 401 for an unknown e-mail, a wrong password and an inactive user', async () => {
    const inactive = await ctx.factory.user(h.location);
    await ctx.db.query(`update app_user set user_status = 'inactive' where ct_user_id = $1`, [
      inactive.ct_user_id,
    ]);
    for (const [email, password] of [
      ['nobody@example.test', TEST_PASSWORD],
      [h.companyAdmin.email, 'wrong password'],
      [inactive.email, TEST_PASSWORD],
    ] as const) {
      const response = await signIn(email, password);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ result: 'error', err: 'Invalid e-mail or password', data: null });
      expect(response.cookies).toEqual([]);
    }
  });

  it('answers a V2 validation error for a body without a password', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v2/session',
      payload: { user_email: 'a@b.c' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('Validation errors');
  });

  it('is throttled per address like the token endpoint', async () => {
    const limited = await createTestContext({ OAUTH_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const attempt = () =>
        limited.app.inject({
          method: 'POST',
          url: '/v2/session',
          payload: { user_email: 'x@y.z', password: 'p' },
        });
      expect((await attempt()).statusCode).toBe(401);
      expect((await attempt()).statusCode).toBe(401);
      const third = await attempt();
      expect(third.statusCode).toBe(429);
      expect(third.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });
});

describe('sign-in and the token endpoint share one per-account back-off', () => {
  it('slows an account after 5 failed sign-ins, whatever the address, and a token grant counts alike', async () => {
    const user = await ctx.factory.user(h.location);
    for (let failure = 0; failure < 5; failure += 1) {
      expect((await signIn(user.email, 'wrong password')).statusCode).toBe(401);
    }
    // the sixth attempt waits a second, even with the right password
    const refused = await signIn(user.email);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toEqual({
      result: 'error',
      err: 'Too many failed sign-ins for this account, retry in 1 s',
      data: null,
    });
    const grant = await ctx.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: {
        grant_type: 'password',
        username: user.email,
        password: TEST_PASSWORD,
        ...TEST_CLIENT,
      },
    });
    expect(grant.statusCode).toBe(429);

    ctx.clock.advance(1000);
    expect((await signIn(user.email)).statusCode).toBe(200);
  });
});

describe('the session cookie on /v2', () => {
  it('reads with the same scope as the user’s bearer token', async () => {
    const s = await session(h.companyAdmin);
    const bySession = await withSession(s, 'GET', '/v2/group/list');
    const byToken = await ctx.request('GET', '/v2/group/list', { token: h.companyAdmin.token });
    expect(bySession.statusCode).toBe(200);
    expect(bySession.json()).toEqual(byToken.body);
  });

  it('refuses a write without the CSRF token, with a wrong one, or from another origin, and changes nothing', async () => {
    const s = await session(h.companyAdmin);
    const body = [{ group_name: 'Made by CSRF', group_parent_id: h.company }];
    for (const options of [{ csrf: null }, { csrf: 'x'.repeat(43) }, { origin: 'https://evil.example' }]) {
      const response = await withSession(s, 'POST', '/v2/group', { body, ...options });
      expect(response.statusCode).toBe(403);
    }
    const { rowCount } = await ctx.db.query(`select 1 from org_group where group_name = 'Made by CSRF'`);
    expect(rowCount).toBe(0);
    const allowed = await withSession(s, 'POST', '/v2/group', { body, origin: 'http://127.0.0.1:3000' });
    expect(allowed.statusCode).toBe(200);
  });

  it('ends on sign-out: the cookie is cleared and no longer accepted', async () => {
    const s = await session(h.locationAdmin);
    const out = await withSession(s, 'DELETE', '/v2/session');
    expect(out.statusCode).toBe(200);
    expect(out.cookies.find((c) => c.name === 'sb_session')?.value).toBe('');
    expect((await withSession(s, 'GET', '/v2/me')).statusCode).toBe(401);
  });

  it('ends after SESSION_IDLE_MINUTES without a request, not while in use', async () => {
    const s = await session(h.locationAdmin);
    ctx.clock.advance(50 * 60_000);
    expect((await withSession(s, 'GET', '/v2/me')).statusCode).toBe(200);
    ctx.clock.advance(50 * 60_000);
    expect((await withSession(s, 'GET', '/v2/me')).statusCode).toBe(200);
    ctx.clock.advance(61 * 60_000);
    expect((await withSession(s, 'GET', '/v2/me')).statusCode).toBe(401);
    ctx.clock.advance(-161 * 60_000); // the other tests' bearer tokens live an hour
  });

  it('ends at once when the user is deactivated or their password changes', async () => {
    const [first, second] = [await ctx.factory.user(h.location), await ctx.factory.user(h.location)];
    const s1 = await session(first);
    const s2 = await session(second);
    const deactivate = await ctx.request('PUT', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [{ ct_user_id: first.ct_user_id, user_status: 'inactive' }],
    });
    expect(deactivate.body.data[0].result).toBe('success');
    expect((await withSession(s1, 'GET', '/v2/me')).statusCode).toBe(401);
    expect((await withSession(s2, 'GET', '/v2/me')).statusCode).toBe(200);
    await ctx.request('PUT', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [{ ct_user_id: second.ct_user_id, password: 'another long password' }],
    });
    expect((await withSession(s2, 'GET', '/v2/me')).statusCode).toBe(401);
    expect((await signIn(second.email, 'another long password')).statusCode).toBe(200);
  });

  it('lets a ReadOnly user read, remember a group and sign out, and refuses their writes', async () => {
    const reader = await ctx.factory.user(h.company, 3);
    const s = await session(reader);
    expect((await withSession(s, 'GET', '/v2/call/list')).statusCode).toBe(200);
    const write = await withSession(s, 'POST', '/v2/call/tag', { body: { call_id: 1, tag_name: ['x'] } });
    expect(write.statusCode).toBe(403);
    expect(write.json().err).toBe('User has read-only access and cannot make changes');
    const remembered = await withSession(s, 'PUT', '/v2/me/preferences', {
      body: { console_group_id: h.location },
    });
    expect(remembered.statusCode).toBe(200);
    expect(remembered.json().data).toMatchObject({
      console_group_id: h.location,
      can_edit: false,
      role_name: 'ReadOnly',
    });
    expect((await withSession(s, 'DELETE', '/v2/session')).statusCode).toBe(200);
  });
});

describe('GET /v2/me and the group switcher', () => {
  it('answers who is signed in, with the CSRF token for a session and none for a bearer token', async () => {
    const s = await session(h.companyAdmin);
    const bySession = (await withSession(s, 'GET', '/v2/me')).json().data;
    expect(bySession).toEqual({
      ct_user_id: h.companyAdmin.ct_user_id,
      user_email: h.companyAdmin.email,
      first_name: 'Test',
      last_name: 'User',
      role_id: 1,
      role_name: 'Admin',
      can_edit: true,
      can_manage_users: true,
      access_audio: true,
      group_id: h.company,
      group_name: expect.stringMatching(/^Company /),
      console_group_id: h.company,
      csrf_token: s.csrf,
    });
    const byToken = await ctx.request('GET', '/v2/me', { token: h.companyAdmin.token });
    expect(byToken.body.data).toEqual({ ...bySession, csrf_token: null });
  });

  it('lists the groups of the scope, parents first, with depth and a time zone from the address or the parent', async () => {
    await ctx.db.query(`update org_group set zip = '92618' where group_id = $1`, [h.company]);
    await ctx.db.query(`update org_group set state = 'NY' where group_id = $1`, [h.location]);
    const nested = await ctx.factory.group(h.location, 'Nested');
    const { body } = await ctx.request('GET', '/v2/me/groups', { token: h.agencyAdmin.token });
    const known = new Set([h.agency, h.company, h.location, nested]);
    expect(body.data.filter((g: { group_id: number }) => known.has(g.group_id))).toEqual([
      expect.objectContaining({ group_id: h.agency, depth: 0, time_zone: 'UTC', group_parent_id: null }),
      expect.objectContaining({ group_id: h.company, depth: 1, time_zone: 'America/Los_Angeles' }),
      expect.objectContaining({ group_id: h.location, depth: 2, time_zone: 'America/New_York' }),
      {
        group_id: nested,
        group_name: 'Nested',
        group_parent_id: h.location,
        group_status: 'active',
        depth: 3,
        time_zone: 'America/New_York',
      },
    ]);
    const fromBelow = await ctx.request('GET', '/v2/me/groups', { token: h.locationAdmin.token });
    expect(
      fromBelow.body.data.map((g: { group_id: number; depth: number }) => [g.group_id, g.depth]),
    ).toEqual([
      [h.location, 0],
      [nested, 1],
    ]);
  });

  it('remembers the chosen group per user, refuses a group outside the scope and forgets with null', async () => {
    const outside = await ctx.factory.group();
    const refused = await ctx.request('PUT', '/v2/me/preferences', {
      token: h.companyAdmin.token,
      body: { console_group_id: outside },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.err).toBe(`console_group_id ${outside} is not a group you can access`);
    const saved = await ctx.request('PUT', '/v2/me/preferences', {
      token: h.companyAdmin.token,
      body: { console_group_id: h.location },
    });
    expect(saved.body.data.console_group_id).toBe(h.location);
    expect(
      (await ctx.request('GET', '/v2/me', { token: h.companyAdmin.token })).body.data.console_group_id,
    ).toBe(h.location);
    expect(
      (await ctx.request('GET', '/v2/me', { token: h.agencyAdmin.token })).body.data.console_group_id,
    ).toBe(h.agency);
    await ctx.request('PUT', '/v2/me/preferences', {
      token: h.companyAdmin.token,
      body: { console_group_id: null },
    });
    expect(
      (await ctx.request('GET', '/v2/me', { token: h.companyAdmin.token })).body.data.console_group_id,
    ).toBe(h.company);
  });
});
