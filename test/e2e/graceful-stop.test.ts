import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import twilio from 'twilio';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { createEmptyDatabase } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';

/**
 * SIGTERM under load, as a carrier sees it: 96 keep-alive connections keep posting signed voice
 * webhooks to a real `switchboard serve` process, the process is told to stop mid-stream, and
 * every request sent before the signal must be answered 200 (no 503, no reset) and recorded.
 */
const CARRIER_TOKEN = 'graceful-stop-carrier-token';
const CONNECTIONS = 96;

let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let server: ServerProcess | undefined;
let base: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-stop-'));
  database = await createEmptyDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServer({
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'silent',
    TWILIO_AUTH_TOKEN: CARRIER_TOKEN,
    SHUTDOWN_GRACE_MS: '30000',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
  });
}, 120_000);

afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

interface Sent {
  sentAt: number;
  endedAt: number;
  /** the HTTP status, or the socket error's code */
  outcome: number | string;
}

/** One signed voice webhook over `agent`'s keep-alive connection. */
function postVoice(agent: Agent, callSid: string): Promise<Sent> {
  const url = `${base}/telephony/twilio/voice`;
  const params = {
    CallSid: callSid,
    AccountSid: 'AC00000000000000000000000000000000',
    From: '+12125550100',
    To: '+13125550199',
    CallStatus: 'ringing',
  };
  const body = new URLSearchParams(params).toString();
  const sentAt = performance.now();
  return new Promise((resolve) => {
    const done = (outcome: number | string) => resolve({ sentAt, endedAt: performance.now(), outcome });
    const req = request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        'x-twilio-signature': twilio.getExpectedTwilioSignature(CARRIER_TOKEN, url, params),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'response error'));
    });
    req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    req.end(body);
  });
}

it('answers every request received before SIGTERM, resets none, and exits 0', async () => {
  const running = server as ServerProcess;
  let signalAt = Number.POSITIVE_INFINITY;
  const sent: Sent[] = [];
  let sequence = 0;
  // Each worker opens its connection with a first request, one worker after another (a burst of
  // 96 connects on a busy machine can lose a handshake in the kernel, which is not what this
  // test is about), then keeps it busy until the server stops answering.
  const agents = Array.from({ length: CONNECTIONS }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const nextSid = (index: number) =>
    `CA${String(index).padStart(4, '0')}${String(++sequence).padStart(28, '0')}`;
  for (const [index, agent] of agents.entries()) {
    const first = await postVoice(agent, nextSid(index));
    sent.push(first);
    expect(first.outcome).toBe(200);
  }
  const worker = async (agent: Agent, index: number) => {
    try {
      for (;;) {
        const result = await postVoice(agent, nextSid(index));
        sent.push(result);
        if (result.outcome !== 200 || result.sentAt > signalAt + 5000) return;
      }
    } finally {
      agent.destroy();
    }
  };
  const workers = agents.map((agent, index) => worker(agent, index));
  // The load going on every connection: stop the server in the middle of it.
  while (sent.length < CONNECTIONS * 3) await new Promise((resolve) => setTimeout(resolve, 20));
  const exited = once(running.child, 'exit');
  signalAt = performance.now();
  running.child.kill('SIGTERM');
  const [code] = await exited;
  await Promise.all(workers);

  const beforeSignal = sent.filter((s) => s.sentAt < signalAt);
  const inFlight = beforeSignal.filter((s) => s.endedAt > signalAt);
  // The test means something only when requests were in flight when the signal came.
  expect(inFlight.length).toBeGreaterThanOrEqual(CONNECTIONS / 2);
  const outcomes = new Map<number | string, number>();
  for (const s of beforeSignal) outcomes.set(s.outcome, (outcomes.get(s.outcome) ?? 0) + 1);
  expect(Object.fromEntries(outcomes)).toEqual({ 200: beforeSignal.length });
  expect(code).toBe(0);

  // Every call answered was recorded, before and after the signal.
  const answered = sent.filter((s) => s.outcome === 200).length;
  const db = await openDb({ databaseUrl: database.url, dataDir });
  try {
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from call');
    expect(rows[0]?.n).toBe(answered);
  } finally {
    await db.close();
  }
  server = undefined;
}, 180_000);
