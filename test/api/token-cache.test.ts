import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createTestContext, TEST_CARRIER_TOKEN, TEST_CLIENT, type TestContext } from '../helpers/app.js';

// Verified access tokens are cached per process for a few seconds. Each test uses a token first,
// so that it is cached, then takes away what it grants and uses it again.

let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
});
afterAll(() => ctx.close());

const listGroups = (token: string) => ctx.request('GET', '/v2/group/list', { token });

const postToken = (body: Record<string, string>) =>
  ctx.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/json' },
    payload: { ...body, ...TEST_CLIENT },
  });

describe('the per-process cache of verified access tokens', () => {
  it('refuses a cached token as soon as its user is deactivated', async () => {
    const user = await ctx.factory.user(h.location, 2);
    expect((await listGroups(user.token)).status).toBe(200);
    const put = await ctx.request('PUT', '/v2/group/user', {
      token: h.companyAdmin.token,
      body: [{ ct_user_id: user.ct_user_id, user_status: 'inactive' }],
    });
    expect(put.body.data[0].result).toBe('success');
    expect((await listGroups(user.token)).status).toBe(401);
  });

  it('applies a role change to a cached token on the next request', async () => {
    const user = await ctx.factory.user(h.location, 1);
    expect((await listGroups(user.token)).status).toBe(200);
    await ctx.request('PUT', '/v2/user/permissions', {
      token: h.companyAdmin.token,
      body: [{ ct_user_id: user.ct_user_id, role_id: 3, access_audio: false }],
    });
    const write = await ctx.request('POST', '/v2/group', {
      token: user.token,
      body: [{ group_name: 'x', group_parent_id: h.location }],
    });
    expect(write.status).toBe(403);
  });

  it('refuses a cached access token once its family is revoked by a reused refresh token', async () => {
    const user = await ctx.factory.user(h.location, 2);
    const first = (
      await postToken({ grant_type: 'password', username: user.email, password: 'correct horse battery' })
    ).json();
    const second = (
      await postToken({ grant_type: 'refresh_token', refresh_token: first.refresh_token })
    ).json();
    expect((await listGroups(second.access_token)).status).toBe(200);
    expect(
      (await postToken({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).statusCode,
    ).toBe(401);
    expect((await listGroups(second.access_token)).status).toBe(401);
  });

  it('hears of a deactivation made through another process on the same database', async () => {
    const other = await buildApp({
      config: loadConfig({ OAUTH_RATE_LIMIT_PER_MINUTE: '1000' }),
      db: ctx.db,
      clock: ctx.clock,
      twilioAuthToken: TEST_CARRIER_TOKEN,
    });
    await other.ready();
    try {
      const user = await ctx.factory.user(h.location, 2);
      const viaOther = async () =>
        (
          await other.inject({
            url: '/v2/group/list',
            headers: { authorization: `Bearer ${user.token}` },
          })
        ).statusCode;
      expect(await viaOther()).toBe(200);
      await ctx.request('PUT', '/v2/group/user', {
        token: h.companyAdmin.token,
        body: [{ ct_user_id: user.ct_user_id, user_status: 'inactive' }],
      });
      // by NOTIFY, well before the cache's own 5-second age limit would let it go
      await expect.poll(viaOther, { timeout: 2_000, interval: 20 }).toBe(401);
    } finally {
      await other.close();
    }
  });
  it('never answers from the cache for a token past its expiry', async () => {
    const user = await ctx.factory.user(h.location, 2);
    ctx.clock.advance(3599 * 1000);
    expect((await listGroups(user.token)).status).toBe(200);
    ctx.clock.advance(1000);
    expect((await listGroups(user.token)).status).toBe(401);
  });
});
