import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, testEngine } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';

/**
 * Two `switchboard serve` processes on one PostgreSQL database hand out a pool's numbers to
 * visitors arriving at both at once: nobody gets a number another live visitor holds unless both
 * are flagged shared. Only the database can coordinate them. PostgreSQL only: PGlite is one process.
 */
const PASSWORD = 'two-processes-password';
const SECRET = 'two-processes-secret';
const HOST = 'twoproc.example.com';
const POOL_SIZE = 12;

describe.skipIf(testEngine() !== 'postgres')('DNI leasing across two server processes', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let dataDirs: string[] = [];
  let servers: ServerProcess[] = [];
  let bases: string[] = [];
  let client: pg.Client;
  let code: string;
  let poolId: number;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    for (let i = 0; i < 2; i++) {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-dni-'));
      const port = await freePort();
      dataDirs.push(dataDir);
      bases.push(`http://127.0.0.1:${port}`);
      // One after the other: the first migrates and seeds, the second finds both done.
      servers.push(
        await startServer({
          DATA_DIR: dataDir,
          PORT: String(port),
          DATABASE_URL: database.url as string,
          SWITCHBOARD_ADMIN_PASSWORD: PASSWORD,
          SWITCHBOARD_OAUTH_CLIENT_SECRET: SECRET,
          DNI_RATE_LIMIT_PER_MINUTE: '100000',
        }),
      );
    }
    client = new pg.Client({ connectionString: database.url });
    await client.connect();

    const api = bases[0] as string;
    const tokenResponse = await fetch(`${api}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: 'admin@example.com',
        password: PASSWORD,
        client_id: 'switchboard',
        client_secret: SECRET,
      }),
    });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const call = async (method: string, url: string, body: unknown) => {
      const response = await fetch(`${api}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { data?: unknown } & unknown[];
    };
    const admin = await client.query<{ ct_user_id: number; group_id: number; dni_code: string }>(
      `select u.ct_user_id, u.group_id, g.dni_code from app_user u join org_group g on g.group_id = u.group_id
        where u.user_email = 'admin@example.com'`,
    );
    const {
      ct_user_id: userId,
      group_id: groupId,
      dni_code: dniCode,
    } = admin.rows[0] as {
      ct_user_id: number;
      group_id: number;
      dni_code: string;
    };
    code = dniCode;
    const numbers = Array.from({ length: POOL_SIZE }, (_, i) => `646737${String(1000 + i)}`);
    await client.query(
      `insert into phone_number (number, npa, nxx, rate_center, state, ocn)
       select n, '646', '737', 'NEW YORK', 'NY', 'DEMO' from unnest($1::text[]) as t(n)`,
      [numbers],
    );
    const campaign = (await call('POST', '/v2/campaign', [
      {
        campaign_name: 'Two processes',
        campaign_start_date: '2026-01-01T00:00:00.000Z',
        campaign_owner_user_id: userId,
        group_id: groupId,
      },
    ])) as unknown as { data: number }[];
    const flow = (await call('POST', '/v2/callflow/multilevelivr', [
      {
        call_flow_name: 'Website pool',
        channel_id: 7,
        group_id: groupId,
        campaign_id: Number(campaign[0]?.data),
        number_pool: {
          pool_name: 'Web',
          number_quantity: POOL_SIZE,
          npa: 646,
          nxx: 737,
          keep_alive_minutes: 30,
        },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ])) as unknown as { result: string; data: number }[];
    expect(flow[0]?.result).toBe('success');
    const setting = (await call('POST', '/v2/callflow/dni', [
      {
        group_id: groupId,
        call_flow_id: Number(flow[0]?.data),
        dni_type: 'session',
        dni_element: 'dni_element',
        destination_url: HOST,
        referrer: '*.*',
        custom_cookie: '',
        TTL: 30,
      },
    ])) as unknown as { data: { result: string }[] };
    expect(setting.data[0]?.result).toBe('success');
    const pool = await client.query<{ pool_id: number }>(
      'select pool_id from call_flow where call_flow_id = $1',
      [Number(flow[0]?.data)],
    );
    poolId = (pool.rows[0] as { pool_id: number }).pool_id;
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.stop();
    await client?.end();
    await database?.drop();
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
    servers = [];
    dataDirs = [];
    bases = [];
  });

  const ask = async (base: string, visitor: string) => {
    const response = await fetch(`${base}/dni/v1/number`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ code, visitor, page: `https://${HOST}/` }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { number: string; shared: boolean };
  };

  it('never gives one number to two live visitors unflagged, whichever process answers', async () => {
    const first = await Promise.all(
      Array.from({ length: POOL_SIZE }, (_, i) => ask(bases[i % 2] as string, `two-proc-visitor-${i}`)),
    );
    expect(new Set(first.map((answer) => answer.number)).size).toBe(POOL_SIZE);
    expect(first.every((answer) => answer.shared === false)).toBe(true);

    const rounds = await Promise.all(
      Array.from({ length: 3 * POOL_SIZE }, (_, i) =>
        ask(bases[i % 2] as string, `two-proc-visitor-${i % 18}`),
      ),
    );
    expect(rounds.every((answer) => /^\d{10}$/.test(answer.number))).toBe(true);

    const doubled = await client.query(
      `select a.lease_id, b.lease_id
         from dni_lease a join dni_lease b on b.phone_number_id = a.phone_number_id and b.lease_id > a.lease_id
        where a.pool_id = $1 and a.leased_at < b.expires_at and b.leased_at < a.expires_at
          and not (a.shared and b.shared)`,
      [poolId],
    );
    expect(doubled.rows).toEqual([]);
    const visitors = await client.query<{ n: number }>(
      'select count(distinct visitor_id)::int as n from dni_lease where pool_id = $1',
      [poolId],
    );
    expect(visitors.rows[0]?.n).toBe(18);
  });
});
