import type { App } from '../../src/app.js';
import { createTestContext, secondAppOn, type TestContext, type TestUser } from './app.js';

/** Factories for DNI tests: call flows with a DNI setting, made through the real API. */

let nextExchange = 0;

/** `count` fresh inventory numbers in an exchange (NPA-NXX) no other helper call uses. */
export async function freshNumbers(
  ctx: TestContext,
  count: number,
): Promise<{ npa: string; nxx: string; numbers: string[] }> {
  const exchange = nextExchange++;
  const npa = String(312 + Math.floor(exchange / 700));
  const nxx = String(200 + (exchange % 700));
  const numbers = Array.from({ length: count }, (_, i) => `${npa}${nxx}${String(1000 + i)}`);
  await ctx.factory.inventory(numbers);
  return { npa, nxx, numbers };
}

export interface DniSettingOptions {
  destination_url?: string;
  referrer?: string;
  referrer_type?: string;
  dni_element?: string;
  custom_cookie?: string;
  TTL?: number;
}

async function postSetting(
  ctx: TestContext,
  admin: TestUser,
  callFlowId: number,
  dniType: 'source' | 'url' | 'session',
  options: DniSettingOptions,
): Promise<void> {
  const { body } = await ctx.request('POST', '/v2/callflow/dni', {
    token: admin.token,
    body: [
      {
        group_id: admin.group_id,
        call_flow_id: callFlowId,
        dni_type: dniType,
        dni_element: options.dni_element ?? (dniType === 'url' ? 'lmc_track' : 'dni_element'),
        destination_url: options.destination_url ?? '*.*',
        referrer: options.referrer ?? '*.*',
        ...(options.referrer_type ? { referrer_type: options.referrer_type } : {}),
        custom_cookie: options.custom_cookie ?? '',
        ...(dniType === 'session' ? { TTL: options.TTL ?? 30 } : {}),
      },
    ],
  });
  if (body.data?.[0]?.result !== 'success') throw new Error(`DNI setting refused: ${JSON.stringify(body)}`);
}

async function postFlow(
  ctx: TestContext,
  admin: TestUser,
  numbers: Record<string, unknown>,
): Promise<number> {
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: `DNI flow ${nextExchange}`,
        channel_id: 7,
        group_id: admin.group_id,
        campaign_id: await ctx.factory.campaign(admin),
        ...numbers,
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  if (body[0]?.result !== 'success') throw new Error(`call flow refused: ${JSON.stringify(body)}`);
  return Number(body[0].data);
}

export interface PoolFlow {
  callFlowId: number;
  poolId: number;
  numbers: string[];
}

/** A call flow on a new pool of `size` numbers with a session-level DNI setting (TTL = keep-alive). */
export async function createPoolFlow(
  ctx: TestContext,
  admin: TestUser,
  size: number,
  options: DniSettingOptions = {},
): Promise<PoolFlow> {
  const { npa, nxx, numbers } = await freshNumbers(ctx, size);
  const callFlowId = await postFlow(ctx, admin, {
    number_pool: {
      pool_name: 'Website',
      number_quantity: size,
      npa: Number(npa),
      nxx: Number(nxx),
      keep_alive_minutes: options.TTL ?? 30,
    },
  });
  await postSetting(ctx, admin, callFlowId, 'session', options);
  const { rows } = await ctx.db.query<{ pool_id: number }>(
    'select pool_id from call_flow where call_flow_id = $1',
    [callFlowId],
  );
  return { callFlowId, poolId: (rows[0] as { pool_id: number }).pool_id, numbers };
}

/** A call flow on one tracking number with a source- or url-level DNI setting. */
export async function createNumberFlow(
  ctx: TestContext,
  admin: TestUser,
  dniType: 'source' | 'url',
  options: DniSettingOptions = {},
): Promise<{ callFlowId: number; number: string }> {
  const {
    numbers: [number],
  } = await freshNumbers(ctx, 1);
  const callFlowId = await postFlow(ctx, admin, { number: { phone_number: Number(number) } });
  await postSetting(ctx, admin, callFlowId, dniType, options);
  return { callFlowId, number: number as string };
}

export async function dniCodeOf(ctx: TestContext, groupId: number): Promise<string> {
  const { rows } = await ctx.db.query<{ dni_code: string }>(
    'select dni_code from org_group where group_id = $1',
    [groupId],
  );
  return (rows[0] as { dni_code: string }).dni_code;
}

export interface PageView {
  code: string;
  visitor: string;
  view?: string;
  page: string;
  landing?: string;
  referrer?: string;
  params?: Record<string, string>;
}

/** What dni.js posts: text/plain JSON, from a given client address. */
export async function requestNumber(app: App, view: PageView | Record<string, unknown>, ip = '203.0.113.7') {
  const response = await app.inject({
    method: 'POST',
    url: '/dni/v1/number',
    remoteAddress: ip,
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://www.example.com' },
    payload: JSON.stringify(view),
  });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}

export async function releaseNumber(
  app: App,
  body: { code: string; visitor: string; number: string; view?: string },
) {
  const response = await app.inject({
    method: 'POST',
    url: '/dni/v1/release',
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    payload: JSON.stringify(body),
  });
  return response.statusCode;
}

/** Settings for DNI load tests: every simulated visitor comes from one address; no job runner. */
export const DNI_LOAD_ENV = {
  DNI_RATE_LIMIT_PER_MINUTE: '1000000',
  ACCESS_TOKEN_TTL_SECONDS: String(10 * 365 * 24 * 3600),
  JOBS_POLL_INTERVAL_MS: '0',
};

/**
 * A group's DNI code and owner, served by one app, and on PostgreSQL by a second with its own
 * connection pool on the same database (as two server processes would be).
 */
export async function dniOnTwoApps(): Promise<{
  ctx: TestContext;
  owner: TestUser;
  code: string;
  apps: App[];
  close: () => Promise<void>;
}> {
  const ctx = await createTestContext(DNI_LOAD_ENV);
  const owner = await ctx.factory.user(await ctx.factory.group());
  const code = await dniCodeOf(ctx, owner.group_id);
  const second = await secondAppOn(ctx, DNI_LOAD_ENV);
  return {
    ctx,
    owner,
    code,
    apps: second ? [ctx.app, second.app] : [ctx.app],
    async close() {
      await second?.close();
      await ctx.close();
    },
  };
}
