import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/lib/secrets.js';
import { createTestContext, TEST_CLIENT, TEST_PASSWORD, type TestContext } from '../helpers/app.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let ctx: TestContext;
let email: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const group = await ctx.factory.group();
  email = (await ctx.factory.user(group)).email;
});
afterAll(() => ctx.close());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function postToken(payload: string | object | undefined, contentType?: string) {
  const response = await ctx.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: contentType ? { 'content-type': contentType } : {},
    ...(payload === undefined
      ? {}
      : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
  });
  return { status: response.statusCode, body: response.json() };
}

const passwordGrant = () => ({
  grant_type: 'password',
  username: email,
  password: TEST_PASSWORD,
  ...TEST_CLIENT,
});

describe('POST /oauth/token', () => {
  it('issues UUID tokens for a form-encoded password grant', async () => {
    const { status, body } = await postToken(form(passwordGrant()), 'application/x-www-form-urlencoded');
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'status',
      'token_type',
    ]);
    expect(body).toMatchObject({ expires_in: 3600, status: 'success', token_type: 'Bearer' });
    expect(body.access_token).toMatch(UUID_V4);
    expect(body.refresh_token).toMatch(UUID_V4);
  });

  it('accepts the same fields as JSON, as Convirza QA sends them', async () => {
    const { status, body } = await postToken(passwordGrant(), 'application/json');
    expect(status).toBe(200);
    expect(body.access_token).toMatch(UUID_V4);
  });

  it('stores tokens only as hashes', async () => {
    const { body } = await postToken(passwordGrant(), 'application/json');
    const raw = await ctx.db.query(
      'select token_hash from oauth_token where token_hash = $1 or token_hash = $2',
      [body.access_token, body.refresh_token],
    );
    expect(raw.rowCount).toBe(0);
    const hashed = await ctx.db.query('select kind from oauth_token where token_hash = $1', [
      sha256(body.access_token),
    ]);
    expect(hashed.rows).toEqual([{ kind: 'access' }]);
  });

  it.each([
    ['a wrong password', { password: 'wrong password' }],
    ['an unknown user', { username: 'nobody@example.test' }],
    // random, so that no compression makes it fit an index entry
    ['a user name of 100,000 characters', { username: randomBytes(50_000).toString('hex') }],
  ])('answers %s with 401 and the same body', async (_, change) => {
    const { status, body } = await postToken({ ...passwordGrant(), ...change }, 'application/json');
    expect(status).toBe(401);
    expect(body).toEqual({ error: 'invalid_grant', error_description: 'Invalid resource owner credentials' });
  });

  it.each(['', '   ', 'abc', 'username'])('rejects grant_type %j as unsupported', async (grantType) => {
    const { status, body } = await postToken(
      { ...passwordGrant(), grant_type: grantType },
      'application/json',
    );
    expect(status).toBe(400);
    expect(body).toEqual({
      error: 'unsupported_grant_type',
      error_description: `Unsupported grant type: ${grantType}`,
    });
  });

  it.each(['text/plain', 'application/xml', 'text/csv'])('answers content type %s with 401', async (type) => {
    const { status } = await postToken(form(passwordGrant()), type);
    expect(status).toBe(401);
  });

  it('answers a request without content type with 401', async () => {
    const { status } = await postToken(undefined);
    expect(status).toBe(401);
  });

  it('names a missing parameter', async () => {
    const { status, body } = await postToken(
      { grant_type: 'password', ...TEST_CLIENT, username: email },
      'application/json',
    );
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'invalid_request', error_description: 'Missing parameter: `password`' });
  });
});

describe('client authentication (RFC 6749 section 2.3.1)', () => {
  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  async function postWithHeaders(payload: object, headers: Record<string, string>) {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: form(payload as Record<string, string>),
    });
    return { status: response.statusCode, body: response.json(), headers: response.headers };
  }

  const invalidClient = { error: 'invalid_client', error_description: 'Client authentication failed' };

  it.each([
    ['a wrong client secret', { client_secret: 'wrong' }],
    ['an unknown client', { client_id: 'abc' }],
    ['an empty client_id (401, as V2 answered it)', { client_id: '' }],
    ['a wrong client and a wrong password', { client_secret: 'wrong', password: 'wrong' }],
  ])('answers %s with 401 invalid_client and the Basic scheme', async (_, change) => {
    const { status, body, headers } = await postWithHeaders({ ...passwordGrant(), ...change }, {});
    expect(status).toBe(401);
    expect(body).toEqual(invalidClient);
    expect(headers['www-authenticate']).toBe('Basic realm="Switchboard"');
    expect(headers['cache-control']).toBe('no-store');
  });

  it('answers a refresh grant from a wrong client with invalid_client', async () => {
    const { refresh_token } = (await postToken(passwordGrant(), 'application/json')).body;
    const { status, body } = await postWithHeaders(
      {
        grant_type: 'refresh_token',
        refresh_token,
        client_id: TEST_CLIENT.client_id,
        client_secret: 'wrong',
      },
      {},
    );
    expect(status).toBe(401);
    expect(body).toEqual(invalidClient);
  });

  it('accepts the client credentials as HTTP Basic, each part form-encoded', async () => {
    const { username, password } = passwordGrant();
    const { status, body } = await postWithHeaders(
      { grant_type: 'password', username, password },
      { authorization: basic(TEST_CLIENT.client_id, TEST_CLIENT.client_secret) },
    );
    expect(status).toBe(200);
    expect(body.access_token).toMatch(UUID_V4);
  });

  it('answers a wrong secret sent with HTTP Basic with 401 invalid_client and WWW-Authenticate', async () => {
    const { username, password } = passwordGrant();
    for (const authorization of [basic(TEST_CLIENT.client_id, 'wrong'), 'Basic bm8tY29sb24', 'Basic %%%']) {
      const { status, body, headers } = await postWithHeaders(
        { grant_type: 'password', username, password },
        { authorization },
      );
      expect(status).toBe(401);
      expect(body).toEqual(invalidClient);
      expect(headers['www-authenticate']).toBe('Basic realm="Switchboard"');
    }
  });

  it('refuses client credentials sent both ways', async () => {
    const { status, body } = await postWithHeaders(passwordGrant(), {
      authorization: basic(TEST_CLIENT.client_id, TEST_CLIENT.client_secret),
    });
    expect(status).toBe(400);
    expect(body).toEqual({
      error: 'invalid_request',
      error_description: 'Send the client credentials once: in the Authorization header or in the body',
    });
  });
});

describe('refresh_token grant', () => {
  const refresh = (token: string) =>
    postToken({ grant_type: 'refresh_token', refresh_token: token, ...TEST_CLIENT }, 'application/json');

  it('rotates: the new pair works and the old refresh token dies', async () => {
    const first = (await postToken(passwordGrant(), 'application/json')).body;
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect((await ctx.request('GET', '/v2/group/list', { token: second.body.access_token })).status).toBe(
      200,
    );
    const reused = await refresh(first.refresh_token);
    expect(reused.status).toBe(401);
    expect(reused.body.error).toBe('invalid_grant');
  });

  it('revokes the whole family when a used refresh token comes back', async () => {
    const first = (await postToken(passwordGrant(), 'application/json')).body;
    const second = (await refresh(first.refresh_token)).body;
    await refresh(first.refresh_token);
    expect((await ctx.request('GET', '/v2/group/list', { token: second.access_token })).status).toBe(401);
    expect((await refresh(second.refresh_token)).status).toBe(401);
  });

  it('refuses a refresh token after 30 days', async () => {
    const first = (await postToken(passwordGrant(), 'application/json')).body;
    ctx.clock.advance(30 * 24 * 3600 * 1000 + 1000);
    expect((await refresh(first.refresh_token)).status).toBe(401);
  });

  it('refuses a refresh token presented by another client', async () => {
    const first = (await postToken(passwordGrant(), 'application/json')).body;
    const { status } = await postToken(
      {
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
        client_id: 'other',
        client_secret: 'x',
      },
      'application/json',
    );
    expect(status).toBe(401);
  });

  async function userWithTwoLogins() {
    const group = await ctx.factory.group();
    const admin = await ctx.factory.user(group);
    const user = await ctx.factory.user(group, 2);
    const login = { ...passwordGrant(), username: user.email };
    const pairs = [
      (await postToken(login, 'application/json')).body,
      (await postToken(login, 'application/json')).body,
    ];
    const refreshTokensLeft = async () =>
      (
        await ctx.db.query("select 1 from oauth_token where ct_user_id = $1 and kind = 'refresh'", [
          user.ct_user_id,
        ])
      ).rowCount;
    const setStatus = (user_status: string) =>
      ctx.request('PUT', '/v2/group/user', {
        token: admin.token,
        body: [{ ct_user_id: user.ct_user_id, user_status }],
      });
    return { user, login, pairs, refreshTokensLeft, setStatus };
  }

  it("revokes a user's tokens when an admin deactivates the user, for good", async () => {
    const { login, pairs, refreshTokensLeft, setStatus } = await userWithTwoLogins();
    await setStatus('inactive');
    expect(await refreshTokensLeft()).toBe(0);
    await setStatus('active');
    for (const pair of pairs) expect((await refresh(pair.refresh_token)).status).toBe(401);
    expect((await postToken(login, 'application/json')).status).toBe(200);
  });

  it("refuses an inactive user's refresh token and revokes every token of the user", async () => {
    const { user, pairs, refreshTokensLeft } = await userWithTwoLogins();
    // inactive by any path, e.g. a change another process was making while the token was presented
    await ctx.db.query("update app_user set user_status = 'inactive' where ct_user_id = $1", [
      user.ct_user_id,
    ]);
    expect(await refresh(pairs[0].refresh_token)).toEqual({
      status: 401,
      body: { error: 'invalid_grant', error_description: 'Invalid refresh token' },
    });
    expect(await refreshTokensLeft()).toBe(0);
    await ctx.db.query("update app_user set user_status = 'active' where ct_user_id = $1", [user.ct_user_id]);
    expect((await refresh(pairs[1].refresh_token)).status).toBe(401);
  });
});

describe('bearer authentication on /v2', () => {
  it('answers a missing Authorization header with 401', async () => {
    const { status, body } = await ctx.request('GET', '/v2/group/list');
    expect(status).toBe(401);
    expect(body).toEqual({ result: 'error', err: 'Unauthorized', data: null });
  });

  it('answers an unknown token with 401', async () => {
    const { status } = await ctx.request('GET', '/v2/group/list', {
      token: '86bb9237-9ae4-4398-8076-a0028442cfff',
    });
    expect(status).toBe(401);
  });

  it('answers an empty bearer token with 400', async () => {
    for (const header of ['bearer ', 'Bearer', 'BEARER    ']) {
      const response = await ctx.app.inject({ url: '/v2/group/list', headers: { authorization: header } });
      expect(response.statusCode).toBe(400);
    }
  });

  it('matches the scheme word in any case', async () => {
    const { access_token } = (await postToken(passwordGrant(), 'application/json')).body;
    for (const scheme of ['bearer', 'Bearer', 'BEARER']) {
      const response = await ctx.app.inject({
        url: '/v2/group/list',
        headers: { authorization: `${scheme} ${access_token}` },
      });
      expect(response.statusCode).toBe(200);
    }
  });

  it('answers a token with another scheme with 401', async () => {
    const { access_token } = (await postToken(passwordGrant(), 'application/json')).body;
    const response = await ctx.app.inject({
      url: '/v2/group/list',
      headers: { authorization: `Basic ${access_token}` },
    });
    expect(response.statusCode).toBe(401);
  });

  it('answers an expired access token with 401, one hour after issue', async () => {
    const { access_token } = (await postToken(passwordGrant(), 'application/json')).body;
    ctx.clock.advance(3599 * 1000);
    expect((await ctx.request('GET', '/v2/group/list', { token: access_token })).status).toBe(200);
    ctx.clock.advance(1000);
    expect((await ctx.request('GET', '/v2/group/list', { token: access_token })).status).toBe(401);
  });

  it('checks the token before validating parameters', async () => {
    const { status } = await ctx.request('GET', '/v2/group?id=abc');
    expect(status).toBe(401);
  });
});
