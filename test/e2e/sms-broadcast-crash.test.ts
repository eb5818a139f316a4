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
import { createEmptyDatabase } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';
import { startTwilioMessagesApi, type TwilioMessagesApi } from '../helpers/twilio-messages.js';

/**
 * `kill -9` during a broadcast: a real server process is killed while the carrier holds the
 * answers of the texts it took, a new process starts on the same database, and every recipient
 * has exactly one text at the carrier.
 */
const CARRIER_TOKEN = 'sms-crash-carrier-token';
const ACCOUNT_SID = `AC${'4'.repeat(32)}`;
/** Broadcast texts go out a batch at a time, one per sender number: three are at the carrier at once. */
const SENDER_NUMBERS = ['9495550101', '9495550102', '9495550103'];
const RECIPIENTS = 30;

let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let env: Record<string, string>;
let twilioApi: TwilioMessagesApi;
let server: ServerProcess | undefined;

beforeAll(async () => {
  twilioApi = await startTwilioMessagesApi({ accountSid: ACCOUNT_SID, authToken: CARRIER_TOKEN });
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-sms-crash-'));
  database = await createEmptyDatabase();
  const port = await freePort();
  env = {
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: process.env.CRASH_LOG_LEVEL ?? 'silent',
    TWILIO_AUTH_TOKEN: CARRIER_TOKEN,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_API_BASE_URL: twilioApi.baseUrl,
    // the texts claimed before the kill are taken over by their own send jobs once their requests
    // have surely ended (this and a margin, broadcast-send.ts)
    OUTBOUND_HTTP_TIMEOUT_MS: '5000',
    JOBS_POLL_INTERVAL_MS: '200',
    JOBS_LEASE_MS: '2000',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
  };
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
  const post = async (url: string, payload: unknown, method: 'POST' | 'PUT' = 'POST') =>
    (await app.inject({ method, url, headers, payload: payload as object })).json();
  const campaign = await post('/v2/campaign', [
    {
      campaign_name: 'Crash',
      campaign_start_date: '2026-01-01T00:00:00Z',
      campaign_owner_user_id: 1,
      group_id: 2,
    },
  ]);
  const flows = await post(
    '/v2/callflow/multilevelivr',
    SENDER_NUMBERS.map((number) => ({
      call_flow_name: `Broadcast crash ${number}`,
      group_id: 2,
      campaign_id: campaign[0].data,
      channel_id: 1,
      number: { phone_number: Number(number) },
      ivrs: [{ key: 1, action: 'hangup', message: 'Bye.' }],
    })),
  );
  expect(flows.map((flow: { result: string }) => flow.result)).toEqual(['success', 'success', 'success']);
  // no quiet hours, and fast enough for a test
  await post(
    '/v2/sms/settings',
    { group_id: 2, quiet_start: '00:00', quiet_end: '00:00', messages_per_second: 5 },
    'PUT',
  );
  const list = await post('/v2/smsbroadcast/contactlist', { group_id: 2, list_name: 'Everyone' });
  const csv = `phone_number,first_name\n${Array.from({ length: RECIPIENTS }, (_, i) => `80155506${String(i).padStart(2, '0')},P${i}`).join('\n')}`;
  const imported = await post('/v2/smsbroadcast/contactlist/import', { list_id: list.data.list_id, csv });
  expect(imported.data.imported).toBe(RECIPIENTS);
  const broadcast = await post('/v2/smsbroadcast', {
    group_id: 2,
    broadcast_name: 'Crash',
    template: 'Hello {first_name}',
    list_ids: [list.data.list_id],
    sender_numbers: SENDER_NUMBERS,
  });
  expect(broadcast.data.recipients).toBe(RECIPIENTS);
  await app.close();
  await db.close();
}, 120_000);

afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await twilioApi.close();
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `timed out waiting for ${what} (${twilioApi.messages.length} at the carrier)\n${server?.output() ?? ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('gives every recipient exactly one text after the server is killed with SIGKILL mid-broadcast', async () => {
  twilioApi.faults.hold = true;
  server = await startServer(env);
  // some texts are at the carrier, their answers held: kill the process now
  await waitFor(() => twilioApi.messages.length >= 3, 60_000, 'the first texts');
  server.child.kill('SIGKILL');
  await new Promise((resolve) => server?.child.once('exit', resolve));
  const beforeCrash = twilioApi.messages.length;
  expect(beforeCrash).toBeLessThan(RECIPIENTS);

  twilioApi.release();
  server = await startServer(env);
  await waitFor(
    () => new Set(twilioApi.messages.map((m) => m.to)).size >= RECIPIENTS,
    90_000,
    'every recipient',
  );
  // a moment more: nothing further may arrive
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const perRecipient = new Map<string, number>();
  for (const message of twilioApi.messages)
    perRecipient.set(message.to, (perRecipient.get(message.to) ?? 0) + 1);
  expect(perRecipient.size).toBe(RECIPIENTS);
  expect([...perRecipient.values()].every((count) => count === 1)).toBe(true);
  expect(twilioApi.messages.map((m) => m.body).sort()).toEqual(
    Array.from({ length: RECIPIENTS }, (_, i) => `Hello P${i}`).sort(),
  );
  expect(await server.stop()).toBe(0);
  server = undefined;
}, 240_000);
