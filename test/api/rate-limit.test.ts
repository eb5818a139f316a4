import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import {
  anotherAppOn,
  createTestContext,
  TEST_CLIENT,
  TEST_PASSWORD,
  type TestContext,
} from '../helpers/app.js';
import { requestNumber } from '../helpers/dni.js';

const ENV = { OAUTH_RATE_LIMIT_PER_MINUTE: '10', DNI_RATE_LIMIT_PER_MINUTE: '4' };

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext(ENV);
});
afterAll(() => ctx.close());

const tokenRequest = (app: App, ip: string, username: string, password: string) =>
  app.inject({
    method: 'POST',
    url: '/oauth/token',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json' },
    payload: { grant_type: 'password', username, password, ...TEST_CLIENT },
  });

const attempt = (ip: string, forwardedFor?: string) =>
  ctx.app.inject({
    method: 'POST',
    url: '/oauth/token',
    remoteAddress: ip,
    headers: {
      'content-type': 'application/json',
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    // a new account each time: the per-account limit stays out of the way of the per-address one
    payload: {
      grant_type: 'password',
      username: `x-${randomBytes(4).toString('hex')}@example.test`,
      password: 'x',
      client_id: 'x',
      client_secret: 'x',
    },
  });

describe('per client address', { timeout: 90_000 }, () => {
  it('allows 10 token requests a minute per IP, then answers 429', async () => {
    for (let i = 0; i < 10; i++) expect((await attempt('10.1.1.1')).statusCode).toBe(401);
    const limited = await attempt('10.1.1.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('slow_down');
    expect(limited.headers['retry-after']).toBeDefined();
    // another client address is counted on its own
    expect((await attempt('10.1.1.2')).statusCode).toBe(401);
  });

  it('does not let a client dodge the limit with a forged X-Forwarded-For', async () => {
    for (let i = 0; i < 10; i++) expect((await attempt('10.2.2.2', `192.0.2.${i}`)).statusCode).toBe(401);
    expect((await attempt('10.2.2.2', '192.0.2.99')).statusCode).toBe(429);
  });

  it('starts counting again once the minute is over (here on the DNI number endpoint)', async () => {
    const view = { code: 'unknown-code', visitor: 'visitor-window', page: 'https://www.example.com/' };
    for (let i = 0; i < 4; i++) expect((await requestNumber(ctx.app, view, '198.51.100.5')).status).toBe(404);
    expect((await requestNumber(ctx.app, view, '198.51.100.5')).status).toBe(429);
    ctx.clock.advance(60_000);
    expect((await requestNumber(ctx.app, view, '198.51.100.5')).status).toBe(404);
  });
  it('counts any client address a trusted proxy forwards, however long', async () => {
    const proxied = await createTestContext({ ...ENV, TRUST_PROXY: 'true' });
    try {
      const response = await proxied.app.inject({
        method: 'POST',
        url: '/dni/v1/number',
        headers: { 'content-type': 'text/plain', 'x-forwarded-for': randomBytes(4000).toString('hex') },
        payload: JSON.stringify({
          code: 'unknown-code',
          visitor: 'visitor-proxied',
          page: 'https://www.example.com/',
        }),
      });
      expect(response.statusCode).toBe(404);
    } finally {
      await proxied.close();
    }
  });

  it('lets exactly the limit through of a burst arriving at once, the first ones in order', async () => {
    const view = (i: number) => ({
      code: 'unknown-code',
      visitor: `visitor-burst-${i}`,
      page: 'https://www.example.com/',
    });
    const statuses = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        requestNumber(ctx.app, view(i), '198.51.100.6').then((r) => r.status),
      ),
    );
    expect(statuses).toEqual([404, 404, 404, 404, 429, 429, 429, 429, 429]);
  });
});

describe('per account, with back-off', { timeout: 90_000 }, () => {
  const addresses = Array.from({ length: 30 }, (_, i) => `172.20.${i}.1`);

  it('stops guessing one account from 30 addresses after 5 failures, and asks for ever longer waits', async () => {
    const user = await ctx.factory.user(await ctx.factory.group());
    const statuses: number[] = [];
    for (const ip of addresses)
      statuses.push((await tokenRequest(ctx.app, ip, user.email, 'guess')).statusCode);
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(25).fill(429)]);

    // refused before the password is looked at: the right one tells nothing either
    const blocked = await tokenRequest(ctx.app, '172.21.0.1', user.email, TEST_PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toEqual({
      error: 'slow_down',
      error_description: 'Too many failed logins for this account, retry in 1 s',
    });
    expect(blocked.headers['retry-after']).toBe('1');

    // each failure after the free ones doubles the wait
    ctx.clock.advance(1000);
    expect((await tokenRequest(ctx.app, '172.21.0.2', user.email, 'guess')).statusCode).toBe(401);
    const longer = await tokenRequest(ctx.app, '172.21.0.3', user.email, 'guess');
    expect(longer.statusCode).toBe(429);
    expect(longer.headers['retry-after']).toBe('2');
    ctx.clock.advance(2000);
    expect((await tokenRequest(ctx.app, '172.21.0.4', user.email, 'guess')).statusCode).toBe(401);
    expect((await tokenRequest(ctx.app, '172.21.0.5', user.email, 'guess')).headers['retry-after']).toBe('4');

    // the user waits, logs in, and starts afresh
    ctx.clock.advance(4000);
    expect((await tokenRequest(ctx.app, '172.21.0.6', user.email, TEST_PASSWORD)).statusCode).toBe(200);
    expect((await tokenRequest(ctx.app, '172.21.0.7', user.email, 'typo')).statusCode).toBe(401);
    expect((await tokenRequest(ctx.app, '172.21.0.8', user.email, TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('caps the wait at 15 minutes and forgets failures an hour after the last one', async () => {
    const user = await ctx.factory.user(await ctx.factory.group());
    // an account with 13 failures on record, the last one a second ago: its next wait would be 2^9 s
    await ctx.db.query(
      `insert into login_failure (account, failures, last_failed_at, blocked_until) values (encode(sha256(convert_to(lower($1), 'UTF8')), 'hex'), 13, $2, $2)`,
      [user.email, new Date(ctx.clock.now().getTime() - 1000)],
    );
    expect((await tokenRequest(ctx.app, '172.22.0.1', user.email, 'guess')).statusCode).toBe(401);
    expect((await tokenRequest(ctx.app, '172.22.0.2', user.email, 'guess')).headers['retry-after']).toBe(
      '512',
    );
    ctx.clock.advance(512_000);
    expect((await tokenRequest(ctx.app, '172.22.0.3', user.email, 'guess')).statusCode).toBe(401);
    expect((await tokenRequest(ctx.app, '172.22.0.4', user.email, 'guess')).headers['retry-after']).toBe(
      '900',
    );
    ctx.clock.advance(3600_000 + 1000);
    expect((await tokenRequest(ctx.app, '172.22.0.5', user.email, 'guess')).statusCode).toBe(401);
    const last = await tokenRequest(ctx.app, '172.22.0.6', user.email, TEST_PASSWORD);
    expect(last.statusCode).toBe(200);
  });

  it("counts an unknown account like a known one, and one account's back-off leaves the others alone", async () => {
    const group = await ctx.factory.group();
    const [target, colleague] = [await ctx.factory.user(group), await ctx.factory.user(group)];
    for (const username of ['nobody@example.test', target.email.toUpperCase()]) {
      for (let i = 0; i < 5; i++)
        expect((await tokenRequest(ctx.app, `172.23.${i}.1`, username, 'guess')).statusCode).toBe(401);
      expect((await tokenRequest(ctx.app, '172.23.9.1', username, 'guess')).statusCode).toBe(429);
    }
    expect((await tokenRequest(ctx.app, '172.23.0.1', target.email, TEST_PASSWORD)).statusCode).toBe(429);
    expect((await tokenRequest(ctx.app, '172.23.0.1', colleague.email, TEST_PASSWORD)).statusCode).toBe(200);
  });
});

describe('shared by every process on the database', { timeout: 90_000 }, () => {
  let second: { app: App; close: () => Promise<void> };
  beforeAll(async () => {
    second = await anotherAppOn(ctx, ENV);
  });
  afterAll(() => second.close());

  it('counts one account’s failures on both servers', async () => {
    const user = await ctx.factory.user(await ctx.factory.group());
    for (const [i, app] of [ctx.app, second.app, ctx.app, second.app, ctx.app].entries())
      expect((await tokenRequest(app, `172.24.${i}.1`, user.email, 'guess')).statusCode).toBe(401);
    expect((await tokenRequest(second.app, '172.24.9.1', user.email, TEST_PASSWORD)).statusCode).toBe(429);
  });

  it('counts one address’s token requests on both servers', async () => {
    const ip = '10.4.4.4';
    for (let i = 0; i < 5; i++) {
      expect((await tokenRequest(ctx.app, ip, `a${i}@example.test`, 'x')).statusCode).toBe(401);
      expect((await tokenRequest(second.app, ip, `b${i}@example.test`, 'x')).statusCode).toBe(401);
    }
    expect((await tokenRequest(ctx.app, ip, 'c@example.test', 'x')).statusCode).toBe(429);
    expect((await tokenRequest(second.app, ip, 'd@example.test', 'x')).statusCode).toBe(429);
  });

  it('counts one address’s DNI number requests on both servers', async () => {
    const view = { code: 'unknown-code', visitor: 'visitor-shared', page: 'https://www.example.com/' };
    for (const app of [ctx.app, second.app, ctx.app, second.app])
      expect((await requestNumber(app, view, '198.51.100.9')).status).toBe(404);
    expect((await requestNumber(second.app, view, '198.51.100.9')).status).toBe(429);
    expect((await requestNumber(ctx.app, view, '198.51.100.9')).status).toBe(429);
  });
});

describe('retention', () => {
  it('deletes spent counters and forgotten login failures in the hourly run, and keeps live ones', async () => {
    const quiet = await createTestContext({ ...ENV, JOBS_POLL_INTERVAL_MS: '0' });
    try {
      const now = quiet.clock.now().getTime();
      await quiet.db.query(
        `insert into rate_limit_counter (key, hits, window_ends_at)
         values ('spent', 3, $1), ('live', 3, $2)`,
        [new Date(now - 1000), new Date(now + 3_700_000)],
      );
      await quiet.db.query(
        `insert into login_failure (account, failures, last_failed_at, blocked_until)
         values ('forgotten', 7, $1, $2), ('recent', 7, $3, $3)`,
        [new Date(now - 2 * 3_600_000), new Date(now - 2 * 3_600_000 + 60_000), new Date(now)],
      );
      quiet.clock.set(new Date(Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000));
      await quiet.app.services.jobs.drain();
      const keys = await quiet.db.query<{ key: string }>('select key from rate_limit_counter order by key');
      expect(keys.rows.map((row) => row.key)).toEqual(['live']);
      const accounts = await quiet.db.query<{ account: string }>('select account from login_failure');
      expect(accounts.rows.map((row) => row.account)).toEqual(['recent']);
    } finally {
      await quiet.close();
    }
  });
});
