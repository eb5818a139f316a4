import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEmptyDatabase } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';

/**
 * A stop that runs out of its grace (SHUTDOWN_GRACE_MS) exits 1; its log names what it was doing,
 * how many connections were open and the requests still being answered, so that an operator (or a
 * failed test) sees what held it, not a bare exit code.
 */
let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let server: ServerProcess | undefined;
let port: number;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-stop-timeout-'));
  database = await createEmptyDatabase();
  port = await freePort();
  server = await startServer({
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: '1000',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
  });
}, 120_000);

afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

it('names the request it was still answering when its grace ran out', async () => {
  const running = server as ServerProcess;
  // a token request whose body never finishes arriving: it is being answered until the end
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    'POST /oauth/token?client_secret=never-logged HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ngrant_type=pass',
  );
  socket.on('error', () => {});
  await new Promise((resolve) => setTimeout(resolve, 300));
  const code = await running.stop();
  socket.destroy();
  const log = running.output();
  expect(code, log.slice(-2000)).toBe(1);
  const line = log.split('\n').find((entry) => entry.includes('graceful shutdown timed out')) as string;
  const holding = JSON.parse(line);
  expect(holding).toMatchObject({ stage: 'closing connections', answering: ['POST /oauth/token'] });
  expect(holding.connections).toBeGreaterThanOrEqual(1);
  expect(log).not.toContain('never-logged');
});
