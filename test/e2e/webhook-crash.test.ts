import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';
import { systemClock } from '../../src/lib/clock.js';
import { seedDemo } from '../../src/seed.js';
import { simulateCall } from '../../src/telephony/simulator.js';
import { createEmptyDatabase } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';
import { type Receiver, startReceiver, verifySignature } from '../helpers/receiver.js';
import { until } from '../helpers/wait.js';

/**
 * `kill -9` with webhook deliveries in flight: a real server process is killed while its
 * receiver holds every request open, a new process starts on the same database, and every
 * event is then accepted exactly once, post-call after pre-call.
 */
const CARRIER_TOKEN = 'crash-test-carrier-token';
const TRACKING_NUMBER = '9495550100';
const CALLS = 3;
const LEASE_MS = 2000;
const POLL_MS = 200;

let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let env: Record<string, string>;
let base: string;
let receiver: Receiver;
let server: ServerProcess | undefined;
let secret: string;

beforeAll(async () => {
  receiver = await startReceiver();
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-crash-'));
  database = await createEmptyDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = {
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: process.env.CRASH_LOG_LEVEL ?? 'silent',
    TWILIO_AUTH_TOKEN: CARRIER_TOKEN,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_TIMEOUT_MS: '60000',
    JOBS_POLL_INTERVAL_MS: String(POLL_MS),
    JOBS_LEASE_MS: String(LEASE_MS),
    ...(database.url ? { DATABASE_URL: database.url } : {}),
  };

  // The account, a webhook and a flow that uses it, set up before the server process starts.
  const config = loadConfig({ ...env, JOBS_POLL_INTERVAL_MS: '0' });
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  await migrate(db);
  await seedDemo(db, {
    adminEmail: 'admin@example.com',
    adminPassword: 'password123',
    clientId: 'c',
    clientSecret: 'secret123',
  });
  const app = await buildApp({ config, db, clock: systemClock, twilioAuthToken: CARRIER_TOKEN });
  const { access_token } = await app.services.auth.passwordGrant({
    username: 'admin@example.com',
    password: 'password123',
    client_id: 'c',
    client_secret: 'secret123',
  });
  const headers = { authorization: `Bearer ${access_token}` };
  const webhook = await app.inject({
    method: 'POST',
    url: '/v2/webhook',
    headers,
    payload: { org_unit_id: 2, webhook_Name: 'Crash', webhook_Endpoint: `${receiver.url}/crash` },
  });
  secret = webhook.json().data.signing_secret;
  const campaign = await app.inject({
    method: 'POST',
    url: '/v2/campaign',
    headers,
    payload: [
      {
        campaign_name: 'Crash',
        campaign_start_date: '2026-01-01T00:00:00Z',
        campaign_owner_user_id: 1,
        group_id: 2,
      },
    ],
  });
  const flow = await app.inject({
    method: 'POST',
    url: '/v2/callflow/multilevelivr',
    headers,
    payload: [
      {
        call_flow_name: 'Crash flow',
        group_id: 2,
        campaign_id: campaign.json()[0].data,
        channel_id: 1,
        number: { phone_number: Number(TRACKING_NUMBER) },
        ivrs: [{ key: 1, action: 'simple', target_did: 8015550300 }],
        webhook_enabled: true,
        webhook_id: webhook.json().data.insertId,
      },
    ],
  });
  expect(flow.json()[0].result).toBe('success');
  await app.close();
  await db.close();
}, 120_000);

afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await receiver.close();
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const call = (from: string) =>
  simulateCall(
    { to: TRACKING_NUMBER, from, press: ['1'], answer: 'first' },
    {
      voiceUrl: `${base}/telephony/twilio/voice`,
      statusUrl: `${base}/telephony/twilio/status`,
      authToken: CARRIER_TOKEN,
      transport: async (url, params, signature) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          body: new URLSearchParams(params),
        });
        expect(response.status).toBe(200);
        return response.text();
      },
    },
  );

/** What the receiver got and the server said, for a wait that timed out. */
const seenSoFar = () =>
  `${JSON.stringify(
    receiver.requests.map((r) => [
      r.status,
      r.headers['x-switchboard-event'],
      r.headers['x-switchboard-event-id'],
    ]),
  )}\n${server?.output() ?? ''}`;

const accepted = () => receiver.requests.filter((r) => r.status === 200);

it('delivers every pending event exactly once after the server is killed with SIGKILL', async () => {
  receiver.hold(true);
  server = await startServer(env);
  for (let i = 0; i < CALLS; i++) await call(`212555016${i}`);
  // every pre-call delivery is on the wire, none answered: kill the process now
  await until('the first deliveries', () => receiver.requests.length >= CALLS, {
    timeoutMs: 30_000,
    intervalMs: 100,
    details: seenSoFar,
  });
  server.child.kill('SIGKILL');
  await new Promise((resolve) => server?.child.once('exit', resolve));
  expect(accepted()).toEqual([]);

  receiver.hold(false);
  receiver.respondWith(() => 200);
  server = await startServer(env);
  await until('every delivery after the restart', () => accepted().length >= CALLS * 2, {
    timeoutMs: 60_000,
    intervalMs: 100,
    details: seenSoFar,
  });
  // a moment more: nothing further may arrive
  await new Promise((resolve) => setTimeout(resolve, 3000));

  const ids = accepted().map((r) => r.headers['x-switchboard-event-id'] as string);
  expect(ids).toHaveLength(CALLS * 2);
  expect(new Set(ids).size).toBe(CALLS * 2);
  const byCall = new Map<number, string[]>();
  for (const request of accepted()) {
    expect(verifySignature(secret, request.headers['x-switchboard-signature'] as string, request.body)).toBe(
      true,
    );
    const event = JSON.parse(request.body) as { event: string; data: { call_id: number } };
    byCall.set(event.data.call_id, [...(byCall.get(event.data.call_id) ?? []), event.event]);
  }
  expect([...byCall.values()]).toEqual(
    Array.from({ length: CALLS }, () => ['call.started', 'call.completed']),
  );
  // the events sent before the crash are among them, under the same event ids
  const beforeCrash = receiver.requests
    .filter((r) => r.status === 0)
    .map((r) => r.headers['x-switchboard-event-id']);
  expect(beforeCrash.length).toBeGreaterThanOrEqual(CALLS);
  for (const id of beforeCrash) expect(ids).toContain(id);

  expect(await server.stop()).toBe(0);
  server = undefined;
}, 180_000);

it('keeps a delivery that outlasts the lease in its process, and hands those of a killed process over within one lease', async () => {
  const first = receiver.requests.length;
  const received = () => receiver.requests.slice(first);
  receiver.hold(true);
  server = await startServer(env);
  for (let i = 0; i < CALLS; i++) await call(`212555017${i}`);
  await until('the first deliveries', () => received().length >= CALLS, {
    timeoutMs: 30_000,
    intervalMs: 100,
    details: seenSoFar,
  });
  // Every delivery is held open for three leases: its lease is renewed, so nothing sends it again.
  await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 3));
  expect(received()).toHaveLength(CALLS);
  const stranded = received().map((r) => r.headers['x-switchboard-event-id']);

  const killedAt = Date.now();
  server.child.kill('SIGKILL');
  await new Promise((resolve) => server?.child.once('exit', resolve));
  receiver.hold(false);
  receiver.respondWith(() => 200);
  server = await startServer(env);
  const startedAt = Date.now();
  const redelivered = () =>
    received().filter((r) => r.status === 200 && stranded.includes(r.headers['x-switchboard-event-id']));
  await until('a stranded delivery', () => redelivered().length > 0, {
    timeoutMs: 60_000,
    intervalMs: 100,
    details: seenSoFar,
  });
  const recoveredAt = Date.now();
  // The last renewal before the kill held the jobs for at least two thirds of a lease; the new
  // process claims them once the lease ran out (or at once, when it started later than that),
  // at its next poll. Time to start a process is not counted against the lease.
  expect(recoveredAt - killedAt).toBeGreaterThanOrEqual((LEASE_MS * 2) / 3 - 100);
  expect(recoveredAt - Math.max(startedAt, killedAt + LEASE_MS)).toBeLessThanOrEqual(POLL_MS + 3000);

  await until(
    'every delivery after the restart',
    () => received().filter((r) => r.status === 200).length >= CALLS * 2,
    { timeoutMs: 60_000, intervalMs: 100, details: seenSoFar },
  );
  const ids = received()
    .filter((r) => r.status === 200)
    .map((r) => r.headers['x-switchboard-event-id']);
  expect(new Set(ids).size).toBe(ids.length);
  expect(await server.stop()).toBe(0);
  server = undefined;
}, 180_000);
