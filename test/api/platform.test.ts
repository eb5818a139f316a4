import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp, REDACTED_PATHS } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/index.js';
import { createManualClock } from '../../src/lib/clock.js';
import { seedDemo } from '../../src/seed.js';
import { createTestDb } from '../helpers/db.js';

/** The app as an operator sees it: health, docs, request ids, and logs that keep secrets out. */
let db: Db;
let app: App;
const logLines: string[] = [];

beforeAll(async () => {
  db = await createTestDb();
  const logger = pino(
    { level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  app = await buildApp({
    config: loadConfig({}),
    db,
    clock: createManualClock(),
    logger,
    twilioAuthToken: 'x'.repeat(32),
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('operations', () => {
  it('answers /health and /ready', async () => {
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/ready')).json()).toEqual({ status: 'ready' });
  });

  it('returns a request id, and keeps the one a proxy sent', async () => {
    const generated = await app.inject('/health');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const forwarded = await app.inject({ url: '/health', headers: { 'x-request-id': 'edge-42' } });
    expect(forwarded.headers['x-request-id']).toBe('edge-42');
  });

  it('publishes an OpenAPI document that covers every route', async () => {
    const response = await app.inject('/openapi.json');
    expect(response.statusCode).toBe(200);
    const document = response.json();
    const paths = Object.keys(document.paths);
    for (const path of [
      '/oauth/token',
      '/v2/group',
      '/v2/group/list',
      '/v2/group/user',
      '/v2/user/permissions',
      '/v2/user/allowedgroups',
      '/health',
      '/ready',
    ]) {
      expect(paths).toContain(path);
    }
    for (const path of paths.filter((p) => p.startsWith('/v2'))) {
      for (const operation of Object.values(document.paths[path]) as {
        summary?: string;
        tags?: string[];
      }[]) {
        expect(operation.summary).toBeTruthy();
        expect(operation.tags?.length).toBeGreaterThan(0);
      }
    }
    // a bearer token or the console's session cookie (either one), declared once at the root
    expect(document.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    expect(document.paths['/v2/group/list'].get.security).toBeUndefined();
    expect(document.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie' });
    expect(document.paths['/v2/session'].post.security).toEqual([]);
  });

  it('serves the interactive API page at /docs', async () => {
    const response = await app.inject('/docs/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger');
  });
});

describe('logs', () => {
  it('never contain a password, client secret or token', async () => {
    const seed = await seedDemo(db, {
      adminEmail: 'ops@example.test',
      adminPassword: 'very secret password',
      clientId: 'ops',
      clientSecret: 'ops-client-secret',
    });
    expect(seed.seeded).toBe(true);
    const token = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload:
        'grant_type=password&username=ops%40example.test&password=very+secret+password&client_id=ops&client_secret=ops-client-secret',
    });
    const { access_token, refresh_token } = token.json();
    expect(access_token).toBeDefined();
    await app.inject({ url: '/v2/group/list', headers: { authorization: `Bearer ${access_token}` } });
    await app.inject({ url: '/v2/group/list', headers: { authorization: 'Bearer not-a-real-token' } });
    const log = logLines.join('');
    expect(log).toContain('/v2/group/list');
    for (const secret of [
      'very secret password',
      'very+secret+password',
      'ops-client-secret',
      access_token,
      refresh_token,
      'not-a-real-token',
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
