import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, testEngine } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';

/** The README's run command, as a new user runs it: a real process, real HTTP, a restart. */
let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let env: Record<string, string>;
let base: string;
let server: ServerProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-e2e-'));
  database = await createEmptyDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = { DATA_DIR: dataDir, PORT: String(port), ...(database.url ? { DATABASE_URL: database.url } : {}) };
});

afterAll(async () => {
  await server?.stop();
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const credentialsFrom = (banner: string) => ({
  password: /-d 'password=([^']+)'/.exec(banner)?.[1] ?? '',
  secret: /-d 'client_secret=([^']+)'/.exec(banner)?.[1] ?? '',
});

async function token(password: string, secret: string): Promise<string> {
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: 'admin@example.com',
      password,
      client_id: 'switchboard',
      client_secret: secret,
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function groupNames(accessToken: string): Promise<string[]> {
  const response = await fetch(`${base}/v2/group/list`, {
    headers: { authorization: `bearer ${accessToken}` },
  });
  const body = (await response.json()) as { data: { group_name: string }[] };
  return body.data.map((g) => g.group_name);
}

describe(`switchboard serve on ${testEngine()}`, { timeout: 120_000 }, () => {
  let credentials: { password: string; secret: string };
  let accessToken: string;

  it('starts, seeds the demo account and prints URLs, credentials and a curl line that works', async () => {
    server = await startServer(env);
    const banner = server.output();
    expect(banner).toContain(`Switchboard is listening on ${base}`);
    expect(banner).toContain(`API docs:   ${base}/docs`);
    expect(banner).toContain('Demo account created:');
    credentials = credentialsFrom(banner);
    expect(credentials.password).not.toBe('');
    expect(credentials.secret).not.toBe('');
    accessToken = await token(credentials.password, credentials.secret);
    expect(await groupNames(accessToken)).toEqual(['Demo Agency', 'Demo Company', 'Demo Location']);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
  });

  it('stops gracefully on SIGTERM', async () => {
    expect(await server?.stop()).toBe(0);
    server = undefined;
  });

  it('restarts on the same data without seeding twice or showing secrets again', async () => {
    server = await startServer(env);
    const banner = server.output();
    expect(banner).toContain('Demo account (created on first start):');
    expect(banner).not.toContain(credentials.password);
    expect(banner).not.toContain(credentials.secret);
    expect(await groupNames(accessToken)).toEqual(['Demo Agency', 'Demo Company', 'Demo Location']);
    expect(await groupNames(await token(credentials.password, credentials.secret))).toHaveLength(3);
  });

  it('stops within its grace with a live stream open on a keep-alive connection', async () => {
    // the stream is ended at stop; the connection it used must close too, or the server waits
    // for the client's keep-alive to end and its grace runs out (exit 1)
    const response = await fetch(`${base}/v2/call/live`, {
      headers: { authorization: `bearer ${accessToken}`, connection: 'keep-alive' },
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: snapshot');
    const started = Date.now();
    const exit = server?.stop();
    server = undefined;
    // the stream ends (its last chunks are read to the end) ...
    while (!(await reader.read()).done) {}
    // ... and the process exits 0, well within SHUTDOWN_GRACE_MS (10 s)
    expect(await exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
