import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedCall, simulateCall } from '../../src/telephony/simulator.js';
import { createEmptyDatabase, testEngine } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';
import { balancedTransport, startDeliveryReceiver } from '../helpers/servers.js';

/**
 * Several servers, one database (docs/scaling.md, "What the scale-out test shows"): two real
 * `switchboard serve` processes, A and B, each with its own port and DATA_DIR, on one fresh
 * PostgreSQL database, behind the same public URL and carrier token, as behind a load balancer.
 */
const PUBLIC_BASE_URL = 'https://calls.scale-out.example';
const CARRIER_TOKEN = 'scale-out-carrier-token';
const ADMIN_EMAIL = 'scale-out-admin@example.com';
const PASSWORD = 'scale-out-password';
const CLIENT_ID = 'scale-out-client';
const SECRET = 'scale-out-client-secret';
/** demo inventory numbers (312-555-01XX) every server seeds */
const ROUTED_NUMBER = '3125550110';
const WEBHOOK_NUMBER = '3125550111';
const DNI_HOST = 'shop.scale-out.example';
const POOL_SIZE = 25;
const CALLS = 12;

interface Node {
  name: 'A' | 'B';
  base: string;
  dataDir: string;
  server?: ServerProcess;
}

// biome-ignore lint/suspicious/noExplicitAny: V2 bodies are read field by field
type Json = any;

describe.skipIf(testEngine() !== 'postgres')(
  'two switchboard serve processes on one PostgreSQL (PGlite is one process by design: postgres project only)',
  () => {
    let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
    let client: pg.Client;
    let receiver: Awaited<ReturnType<typeof startDeliveryReceiver>>;
    let A: Node;
    let B: Node;
    let token: string;
    let groupId: number;
    let userId: number;
    let dniCode: string;

    beforeAll(async () => {
      receiver = await startDeliveryReceiver(() =>
        [A, B].flatMap((node) => (node?.server?.child.pid ? [node.server.child.pid] : [])),
      );
      database = await createEmptyDatabase();
      const make = async (name: Node['name']): Promise<Node> => ({
        name,
        base: `http://127.0.0.1:${await freePort()}`,
        dataDir: await mkdtemp(path.join(tmpdir(), `switchboard-scale-${name}-`)),
      });
      A = await make('A');
      B = await make('B');
      // One after the other: the first migrates and seeds, the second finds both done. (Started
      // at once on an empty database they race: `create table if not exists schema_migration`
      // runs before migrate() takes its advisory lock.)
      for (const node of [A, B]) {
        node.server = await startServer({
          DATA_DIR: node.dataDir,
          PORT: new URL(node.base).port,
          DATABASE_URL: database.url as string,
          DATABASE_POOL_SIZE: '8',
          PUBLIC_BASE_URL,
          TWILIO_AUTH_TOKEN: CARRIER_TOKEN,
          SWITCHBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
          SWITCHBOARD_ADMIN_PASSWORD: PASSWORD,
          SWITCHBOARD_OAUTH_CLIENT_ID: CLIENT_ID,
          SWITCHBOARD_OAUTH_CLIENT_SECRET: SECRET,
          WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
          JOBS_POLL_INTERVAL_MS: '100',
          DNI_RATE_LIMIT_PER_MINUTE: '100000',
          LOG_LEVEL: 'warn',
        });
      }

      client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const admin = await client.query(
        `select u.ct_user_id, u.group_id, g.dni_code
           from app_user u join org_group g on g.group_id = u.group_id where u.user_email = $1`,
        [ADMIN_EMAIL],
      );
      ({ ct_user_id: userId, group_id: groupId, dni_code: dniCode } = admin.rows[0]);

      const response = await fetch(`${A.base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          username: ADMIN_EMAIL,
          password: PASSWORD,
          client_id: CLIENT_ID,
          client_secret: SECRET,
        }),
      });
      expect(response.status).toBe(200);
      token = ((await response.json()) as { access_token: string }).access_token;
    }, 90_000);

    afterAll(async () => {
      // Whatever failed above: both processes go, the database is dropped.
      await Promise.all(
        [A, B].map(async (node) => {
          const child = node?.server?.child;
          if (!child || child.exitCode !== null) return;
          const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await node.server?.stop();
          clearTimeout(killer);
        }),
      );
      await client?.end();
      await receiver?.close();
      await database?.drop();
      for (const node of [A, B]) if (node) await rm(node.dataDir, { recursive: true, force: true });
    }, 30_000);

    async function api(node: Node, method: string, url: string, body?: unknown): Promise<Json> {
      const response = await fetch(`${node.base}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await response.json();
      if (response.status !== 200)
        throw new Error(`${method} ${url} on ${node.name}: ${JSON.stringify(json)}`);
      return json;
    }

    async function campaign(name: string): Promise<number> {
      const created = await api(A, 'POST', '/v2/campaign', [
        {
          campaign_name: name,
          campaign_start_date: '2026-01-01T00:00:00Z',
          campaign_owner_user_id: userId,
          group_id: groupId,
        },
      ]);
      return Number(created[0].data);
    }

    /** A call as the carrier places it, every webhook sent to the process `pick` chooses. */
    const call = (details: SimulatedCall, pick: (request: number) => number) =>
      simulateCall(details, {
        voiceUrl: `${PUBLIC_BASE_URL}/telephony/twilio/voice`,
        statusUrl: `${PUBLIC_BASE_URL}/telephony/twilio/status`,
        authToken: CARRIER_TOKEN,
        transport: balancedTransport(PUBLIC_BASE_URL, [A.base, B.base], pick),
      });
    const onA = () => 0;
    const onB = () => 1;
    const heard = (result: Awaited<ReturnType<typeof call>>) =>
      result.steps.map((step) => `${step.kind}: ${step.detail}`);

    it('routes a flow changed through A with the new version on B, which had the old one cached', async () => {
      const campaignId = await campaign('Routing');
      const flow = (version: string, target: number, callFlowId?: number) => ({
        ...(callFlowId ? { call_flow_id: callFlowId } : {}),
        call_flow_name: 'Main line',
        group_id: groupId,
        campaign_id: campaignId,
        channel_id: 7,
        message: `Menu ${version}. For sales press 1.`,
        number: { phone_number: Number(ROUTED_NUMBER) },
        ivrs: [{ key: 1, action: 'simple', message: `Sales ${version}.`, target_did: target }],
      });
      const created = await api(A, 'POST', '/v2/callflow/multilevelivr', [flow('one', 8015550120)]);
      expect(created[0].result).toBe('success');
      const callFlowId = Number(created[0].data);

      const press1 = { to: ROUTED_NUMBER, from: '2125550142', press: ['1'], answer: 'first' } as const;
      // B loads version one into its cache, and answers from it the second time.
      for (let i = 0; i < 2; i++) {
        const before = heard(await call(press1, onB));
        expect(before).toContain('hear: Menu one. For sales press 1.');
        expect(before).toContain('answered: 8015550120');
      }

      const saved = await api(A, 'POST', '/v2/callflow/multilevelivr', [flow('two', 8015550121, callFlowId)]);
      expect(saved[0]).toMatchObject({ result: 'success', data: String(callFlowId) });

      // B's cache trusts an entry for a minute without a NOTIFY, so only the NOTIFY A's commit
      // sent (trigger on call_flow -> LISTEN call_flow_changed in B) can make B route version two
      // now. NOTIFY is asynchronous (usually B's very next call has it; on a busy machine the
      // notification can trail A's answer), so allow two seconds, far below that minute.
      const changedAt = Date.now();
      let after = heard(await call(press1, onB));
      while (!after.includes('hear: Menu two. For sales press 1.') && Date.now() - changedAt < 2000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        after = heard(await call(press1, onB));
      }
      expect(after).toContain('hear: Menu two. For sales press 1.');
      expect(after).toContain('hear: Sales two.');
      expect(after).toContain('answered: 8015550121');
      expect(after.join('\n')).not.toMatch(/one\.|8015550120/);
      expect(heard(await call(press1, onA))).toContain('hear: Menu two. For sales press 1.');
    });

    it('never leases one pool number to two live visitors, with visitors spread over A and B', async () => {
      const numbers = Array.from({ length: POOL_SIZE }, (_, i) => `646738${String(1000 + i)}`);
      await client.query(
        `insert into phone_number (number, npa, nxx, rate_center, state, ocn)
         select n, '646', '738', 'NEW YORK', 'NY', 'DEMO' from unnest($1::text[]) as t(n)`,
        [numbers],
      );
      const created = await api(A, 'POST', '/v2/callflow/multilevelivr', [
        {
          call_flow_name: 'Website pool',
          channel_id: 7,
          group_id: groupId,
          campaign_id: await campaign('Website'),
          number_pool: {
            pool_name: 'Web',
            number_quantity: POOL_SIZE,
            npa: 646,
            nxx: 738,
            keep_alive_minutes: 30,
          },
          ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
        },
      ]);
      expect(created[0].result).toBe('success');
      const callFlowId = Number(created[0].data);
      const setting = await api(B, 'POST', '/v2/callflow/dni', [
        {
          group_id: groupId,
          call_flow_id: callFlowId,
          dni_type: 'session',
          dni_element: 'dni_element',
          destination_url: DNI_HOST,
          referrer: '*.*',
          custom_cookie: '',
          TTL: 30,
        },
      ]);
      expect(setting.data[0].result).toBe('success');
      const { rows } = await client.query('select pool_id from call_flow where call_flow_id = $1', [
        callFlowId,
      ]);
      const poolId = rows[0].pool_id as number;

      const ask = async (node: Node, visitor: string) => {
        const response = await fetch(`${node.base}/dni/v1/number`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ code: dniCode, visitor, page: `https://${DNI_HOST}/pricing` }),
        });
        expect(response.status).toBe(200);
        const answer = (await response.json()) as { number: string | null; shared?: boolean };
        return { visitor, node: node.name, ...answer };
      };
      const spread = (visitors: Array<[string, Node]>) =>
        Promise.all(visitors.map(([visitor, node]) => ask(node, visitor)));

      // As many visitors as numbers, all at once, half through each process: every one gets its own.
      const first = await spread(
        Array.from({ length: POOL_SIZE }, (_, i): [string, Node] => [`visitor-${i}`, i % 2 === 0 ? A : B]),
      );
      expect(first.every((answer) => answer.shared === false && /^\d{10}$/.test(answer.number ?? ''))).toBe(
        true,
      );
      expect(new Set(first.map((answer) => answer.number)).size).toBe(POOL_SIZE);

      // Then twice as many newcomers while the first visitors renew, through the other process.
      const second = await spread(
        Array.from({ length: 3 * POOL_SIZE }, (_, i): [string, Node] =>
          i % 3 === 0
            ? [`visitor-${i / 3}`, (i / 3) % 2 === 0 ? B : A]
            : [`newcomer-${i}`, i % 2 === 0 ? A : B],
        ),
      );
      for (const answer of second.filter((a) => a.visitor.startsWith('visitor-')))
        expect(answer.number).toBe(first.find((a) => a.visitor === answer.visitor)?.number);
      const exclusive = [...first, ...second].filter((answer) => answer.number && answer.shared === false);
      const holders = new Map<string, Set<string>>();
      for (const answer of exclusive)
        holders.set(
          answer.number as string,
          (holders.get(answer.number as string) ?? new Set()).add(answer.visitor),
        );
      expect([...holders.entries()].filter(([, visitors]) => visitors.size > 1)).toEqual([]);

      // The leases themselves: no two overlapping in time on one number unless both are shared.
      const doubled = await client.query(
        `select a.phone_number_id, a.visitor_id, b.visitor_id as other_visitor
           from dni_lease a join dni_lease b on b.phone_number_id = a.phone_number_id and b.lease_id > a.lease_id
          where a.pool_id = $1 and a.visitor_id <> b.visitor_id
            and a.leased_at < b.expires_at and b.leased_at < a.expires_at and not (a.shared and b.shared)`,
        [poolId],
      );
      expect(doubled.rows).toEqual([]);
    });

    it('delivers each webhook event once, with calls and the job queue spread over both processes', async () => {
      const webhook = await api(A, 'POST', '/v2/webhook', {
        org_unit_id: groupId,
        webhook_Name: 'Scale-out receiver',
        webhook_Endpoint: `${receiver.url}/events`,
      });
      const created = await api(B, 'POST', '/v2/callflow/multilevelivr', [
        {
          call_flow_name: 'Webhook line',
          group_id: groupId,
          campaign_id: await campaign('Webhooks'),
          channel_id: 1,
          number: { phone_number: Number(WEBHOOK_NUMBER) },
          ivrs: [{ key: 1, action: 'simple', target_did: 8015550130 }],
          webhook_enabled: true,
          webhook_id: webhook.data.insertId,
        },
      ]);
      expect(created[0].result).toBe('success');

      // Calls at once; each call's webhooks alternate between the processes, starting on A for
      // even calls and on B for odd ones, as a round-robin load balancer would send them.
      const results = await Promise.all(
        Array.from({ length: CALLS }, (_, i) =>
          call(
            { to: WEBHOOK_NUMBER, from: `21255502${String(10 + i)}`, press: ['1'], answer: 'first' },
            (request) => (request + i) % 2,
          ),
        ),
      );
      for (const result of results) expect(heard(result)).toContain('answered: 8015550130');
      const callSids = results.map((result) => result.callSid);
      const closed = await client.query(
        'select count(*)::int as n from call where carrier_call_sid = any($1::text[]) and ended_at is not null',
        [callSids],
      );
      expect(closed.rows[0].n).toBe(CALLS);

      const expected = CALLS * 2;
      const deadline = Date.now() + 20_000;
      while (receiver.deliveries.length < expected && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      // Both runners poll every 100 ms: give a duplicate time to show up.
      await new Promise((resolve) => setTimeout(resolve, 1000));

      if (receiver.deliveries.length < expected) {
        const jobs = await client.query(
          'select job_id, kind, attempts, run_at, locked_until, last_error from job where done_at is null order by job_id',
        );
        const sessions = await client.query(
          `select pid, state, wait_event, xact_start, left(query, 120) as query
             from pg_stat_activity where datname = current_database()`,
        );
        console.error(
          'jobs not done:',
          jobs.rows,
          'sessions:',
          sessions.rows,
          A.server?.output(),
          B.server?.output(),
        );
      }
      const ids = receiver.deliveries.map((delivery) => delivery.headers['x-switchboard-event-id'] as string);
      expect(ids.length, 'deliveries received').toBe(expected);
      expect(new Set(ids).size).toBe(expected);
      const events = new Map<number, string[]>();
      for (const delivery of receiver.deliveries) {
        const event = JSON.parse(delivery.body) as { event: string; data: { call_id: number } };
        events.set(event.data.call_id, [...(events.get(event.data.call_id) ?? []), event.event].sort());
      }
      expect([...events.values()]).toEqual(
        Array.from({ length: CALLS }, () => ['call.completed', 'call.started']),
      );
      // Both processes' job runners took part (the sender of each request, found through /proc).
      const senders = new Set(receiver.deliveries.map((delivery) => delivery.pid));
      expect(senders).toEqual(new Set([A.server?.child.pid, B.server?.child.pid]));

      const attempts = await client.query(
        `select count(*)::int as deliveries, count(*) filter (where d.status = 'succeeded')::int as succeeded,
                (select count(*)::int from webhook_attempt) as attempts
           from webhook_delivery d`,
      );
      expect(attempts.rows[0]).toEqual({ deliveries: expected, succeeded: expected, attempts: expected });
    });
  },
);
