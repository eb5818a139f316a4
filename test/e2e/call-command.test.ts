import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';
import { systemClock } from '../../src/lib/clock.js';
import { dryRun } from '../../src/routing/dry-run.js';
import type { Program } from '../../src/routing/program.js';
import { seedDemo } from '../../src/seed.js';
import { createFlowCache } from '../../src/telephony/flow-cache.js';
import { createEmptyDatabase, testEngine } from '../helpers/db.js';
import { freePort, startServer } from '../helpers/process.js';

/** `switchboard call` as a person runs it: its own process, the demo account, a real flow. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let env: Record<string, string>;
let callFlowId: number;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-call-'));
  database = await createEmptyDatabase();
  env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(database.url ? { DATABASE_URL: database.url } : {}) };
  const config = loadConfig(env);
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  await migrate(db);
  await seedDemo(db, {
    adminEmail: 'admin@example.com',
    adminPassword: 'password123',
    clientId: 'c',
    clientSecret: 'secret123',
  });
  const app = await buildApp({ config, db, clock: systemClock, twilioAuthToken: 'unused-in-setup' });
  const { access_token } = await app.services.auth.passwordGrant({
    username: 'admin@example.com',
    password: 'password123',
    client_id: 'c',
    client_secret: 'secret123',
  });
  const headers = { authorization: `Bearer ${access_token}` };
  const campaign = await app.inject({
    method: 'POST',
    url: '/v2/campaign',
    headers,
    payload: [
      {
        campaign_name: 'CLI',
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
        call_flow_name: 'CLI flow',
        group_id: 2,
        campaign_id: campaign.json()[0].data,
        channel_id: 1,
        message: 'Press 1 for hours.',
        number: { phone_number: 9495550100 },
        ivrs: [
          {
            key: 1,
            action: 'schedule',
            scheduleRoute: {
              timezone: 'Pacific',
              default_ringto: 8015550300,
              schedules: [
                {
                  schedule_days: [{ id: 'Weekdays' }],
                  schedule_start_time: '09:00',
                  schedule_end_time: '17:00',
                  ring_to: 8015550301,
                },
              ],
            },
          },
        ],
      },
    ],
  });
  expect(flow.json()[0].result).toBe('success');
  callFlowId = Number(flow.json()[0].data);
  await app.close();
  await db.close();
});

afterAll(async () => {
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const run = (args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'call', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });

it('prints the path of a call at a given time, and the call it recorded', async () => {
  // Wednesday 10:00 in Los Angeles: inside the window
  const { stdout } = await run([
    '--to',
    '9495550100',
    '--press',
    '1',
    '--at',
    '2026-03-11T17:00:00Z',
    '--json',
  ]);
  const result = JSON.parse(stdout);
  expect(result.steps).toEqual([
    { kind: 'hear', detail: 'Press 1 for hours.' },
    { kind: 'press', detail: '1' },
    { kind: 'ring', detail: '8015550301 for 18 s' },
    { kind: 'answered', detail: '8015550301' },
    { kind: 'hangup', detail: 'hangup' },
  ]);
  expect(result.call_id).toEqual(expect.any(Number));
});

it('routes to the default number outside the window, in readable text', async () => {
  const { stdout } = await run([
    '--to',
    '9495550100',
    '--press',
    '1',
    '--at',
    '2026-03-14T17:00:00Z',
    '--answer',
    'none',
  ]);
  expect(stdout).toContain('rings     8015550300 for 18 s');
  // named as the dry run names it, and as long as the simulated ringing, not a fixed 42 s
  expect(stdout).toMatch(/outcome: no-answer {2}duration: 18 s {2}call: \d+/);
});

it('names the outcome as the dry run of the same flow does', async () => {
  const { stdout } = await run([
    '--to',
    '9495550100',
    '--press',
    '1',
    '--at',
    '2026-03-11T17:00:00Z',
    '--json',
  ]);
  const result = JSON.parse(stdout);
  expect(result).toMatchObject({ outcome: 'answered', durationSeconds: 42 });
  const config = loadConfig(env);
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const flow = await createFlowCache(db).current(callFlowId);
    const dry = dryRun(flow?.program as Program, {
      context: { now: new Date('2026-03-11T17:00:00Z'), from: '2125550100' },
      press: ['1'],
      answer: 'first',
    });
    expect(dry.outcome).toBe(result.outcome);
  } finally {
    await db.close();
  }
});

it('prints one line, not a stack trace, for --url without TWILIO_AUTH_TOKEN', async () => {
  const failed = await run(['--to', '9495550100', '--url', 'http://127.0.0.1:9']).catch((error) => error);
  expect(failed.code).toBe(1);
  expect(failed.stderr.trim().split('\n')).toEqual([
    "call --url needs TWILIO_AUTH_TOKEN: set it to the running server's carrier token (its banner says where it comes from)",
  ]);
});

it.runIf(testEngine() === 'pglite')(
  'refuses at once, saying what to do, while a server owns the data folder',
  async () => {
    const server = await startServer({
      ...env,
      PORT: String(await freePort()),
      TWILIO_AUTH_TOKEN: 'lock-test-token',
    });
    try {
      const failed = await run(['--to', '9495550100', '--press', '1']).catch((error) => error);
      expect(failed.code).toBe(1);
      const lines = failed.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`is in use by another Switchboard process (pid ${server.child.pid} on `);
      expect(lines[0]).toContain('Stop that server first, or talk to it instead (switchboard call --url');
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // the server released it: the command runs now
    const { stdout } = await run(['--to', '9495550100', '--press', '1', '--at', '2026-03-11T17:00:00Z']);
    expect(stdout).toMatch(/outcome: answered {2}duration: 42 s {2}call: \d+/);
  },
  120_000,
);

it.runIf(testEngine() === 'pglite')(
  'takes over the data folder of a server that was killed',
  async () => {
    const server = await startServer({
      ...env,
      PORT: String(await freePort()),
      TWILIO_AUTH_TOKEN: 'lock-test-token',
    });
    server.child.kill('SIGKILL');
    await once(server.child, 'exit');
    const { stdout } = await run(['--to', '9495550100', '--press', '1', '--at', '2026-03-11T17:00:00Z']);
    expect(stdout).toMatch(/outcome: answered/);
  },
  120_000,
);
