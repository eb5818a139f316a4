import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ OAUTH_RATE_LIMIT_PER_MINUTE: '10' });
});
afterAll(() => ctx.close());

const attempt = (ip: string, forwardedFor?: string) =>
  ctx.app.inject({
    method: 'POST',
    url: '/oauth/token',
    remoteAddress: ip,
    headers: {
      'content-type': 'application/json',
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    payload: {
      grant_type: 'password',
      username: 'x@example.test',
      password: 'x',
      client_id: 'x',
      client_secret: 'x',
    },
  });

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
