import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/index.js';
import { createPostgresDb } from '../../src/db/postgres.js';
import { createManualClock } from '../../src/lib/clock.js';
import { createAuthRepo } from '../../src/modules/auth/auth.repo.js';
import type { RoleId } from '../../src/modules/auth/principal.js';
import { createGroupsRepo } from '../../src/modules/groups/groups.repo.js';
import { newDniCode } from '../../src/modules/groups/groups.service.js';
import { createUsersRepo } from '../../src/modules/users/users.repo.js';
import { createTestDb, testEngine, withDatabase } from './db.js';

export const TEST_CLIENT = { client_id: 'test-client', client_secret: 'test-client-secret' };
export const TEST_PASSWORD = 'correct horse battery';
export const TEST_CARRIER_TOKEN = 'test-carrier-auth-token';

/**
 * The passwords and client secret the factory stores are argon2id hashes at a low cost (1 MiB, one
 * pass). Sign-in runs the app's real verify, which reads the cost from the hash; only the work is
 * smaller: each factory user signs in once, checking the client secret and the password, and at the
 * production cost those two verifies take 0.5-2 s of CPU on a 2-core machine, for ~400 users a run.
 * What the app hashes itself (users made through the API, the seed) keeps the production cost
 * (test/api/users.test.ts reads it back).
 */
export const fixtureHash = (secret: string): Promise<string> =>
  argon2.hash(secret, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 });

export interface TestUser {
  ct_user_id: number;
  group_id: number;
  email: string;
  token: string;
}

/**
 * One real app on one fresh database for a test file, with a clock the test moves and
 * factories that write through the real repos. Tests isolate by creating their own groups.
 */
export async function createTestContext(env: Record<string, string> = {}) {
  const db: Db = await createTestDb();
  const clock = createManualClock(new Date('2026-03-07T15:00:00Z'));
  const config = loadConfig({ OAUTH_RATE_LIMIT_PER_MINUTE: '1000', ...env });
  const app: App = await buildApp({ config, db, clock, twilioAuthToken: TEST_CARRIER_TOKEN });
  await app.ready();
  const passwordHash = await fixtureHash(TEST_PASSWORD);
  await createAuthRepo(db).upsertClient(
    TEST_CLIENT.client_id,
    await fixtureHash(TEST_CLIENT.client_secret),
    'tests',
  );

  let sequence = 0;
  const unique = () => `${++sequence}-${randomBytes(3).toString('hex')}`;

  const factory = {
    async group(parentId: number | null = null, name = `Group ${unique()}`): Promise<number> {
      return createGroupsRepo(db).insert(
        parentId,
        {
          group_ext_id: null,
          group_name: name,
          group_status: 'active',
          address: null,
          city: null,
          state: null,
          zip: null,
          phone_number: null,
          industry_id: null,
        },
        newDniCode(),
      );
    },

    /** A user with a live access token obtained through the real password grant. */
    async user(groupId: number, roleId: RoleId = 1): Promise<TestUser> {
      const email = `user-${unique()}@example.test`;
      const ct_user_id = await createUsersRepo(db).insert({
        group_id: groupId,
        user_email: email,
        password_hash: passwordHash,
        first_name: 'Test',
        last_name: 'User',
        user_title: null,
        user_ext_id: null,
        role_id: roleId,
        user_status: 'active',
        access_audio: true,
      });
      const { access_token } = await app.services.auth.passwordGrant({
        username: email,
        password: TEST_PASSWORD,
        ...TEST_CLIENT,
      });
      return { ct_user_id, group_id: groupId, email, token: access_token };
    },

    /** A campaign of the admin's group (or `groupId`) owned by the admin, made through the API. */
    async campaign(admin: TestUser, groupId = admin.group_id): Promise<number> {
      const response = await request('POST', '/v2/campaign', {
        token: admin.token,
        body: [
          {
            campaign_name: `Campaign ${unique()}`,
            campaign_start_date: '2026-01-01T00:00:00.000Z',
            campaign_owner_user_id: admin.ct_user_id,
            group_id: groupId,
          },
        ],
      });
      if (response.body[0]?.result !== 'success')
        throw new Error(`campaign not created: ${JSON.stringify(response.body)}`);
      return Number(response.body[0].data);
    },

    /** Numbers added to the inventory as available (10-digit strings). */
    async inventory(numbers: readonly string[], rateCenter = 'IRVINE', state = 'CA'): Promise<void> {
      await db.query(
        `insert into phone_number (number, npa, nxx, rate_center, state, ocn)
         select n, substr(n, 1, 3), substr(n, 4, 3), $2, $3, 'DEMO' from unnest($1::text[]) as t(n)`,
        [numbers, rateCenter, state],
      );
    },

    /** agency -> company -> location, with an admin at each level. */
    async hierarchy() {
      const agency = await factory.group(null, `Agency ${unique()}`);
      const company = await factory.group(agency, `Company ${unique()}`);
      const location = await factory.group(company, `Location ${unique()}`);
      return {
        agency,
        company,
        location,
        agencyAdmin: await factory.user(agency),
        companyAdmin: await factory.user(company),
        locationAdmin: await factory.user(location),
      };
    },
  };

  /** app.inject with a bearer token and JSON body. */
  async function request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    options: { token?: string; body?: unknown } = {},
  ) {
    const response = await app.inject({
      method,
      url,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    return { status: response.statusCode, body: response.json(), headers: response.headers };
  }

  return {
    app,
    db,
    clock,
    factory,
    request,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

export type TestContext = Awaited<ReturnType<typeof createTestContext>>;

/**
 * On PostgreSQL, a second connection pool on the context's database, as a second server process
 * would have; undefined on PGlite, whose database one process owns.
 */
export async function secondDbOn(ctx: TestContext, poolSize = 5): Promise<Db | undefined> {
  if (testEngine() !== 'postgres') return undefined;
  const { rows } = await ctx.db.query<{ name: string }>('select current_database() as name');
  const url = withDatabase(process.env.TEST_DATABASE_URL as string, (rows[0] as { name: string }).name);
  return createPostgresDb(url, poolSize);
}

/**
 * On PostgreSQL, a second app on the context's database with a connection pool of its own
 * (secondDbOn), as a second server process would be (same clock and env); undefined on PGlite.
 */
export async function secondAppOn(
  ctx: TestContext,
  env: Record<string, string> = {},
): Promise<{ app: App; close: () => Promise<void> } | undefined> {
  const db = await secondDbOn(ctx);
  if (!db) return undefined;
  const app = await buildApp({
    config: loadConfig({ OAUTH_RATE_LIMIT_PER_MINUTE: '1000', ...env }),
    db,
    clock: ctx.clock,
    twilioAuthToken: TEST_CARRIER_TOKEN,
  });
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/**
 * A second app on the context's database, as a second server process would be: on PostgreSQL
 * with a connection pool of its own (secondAppOn); on PGlite, which one process owns, on the same
 * connection, still sharing no memory with the first app.
 */
export async function anotherAppOn(
  ctx: TestContext,
  env: Record<string, string> = {},
): Promise<{ app: App; close: () => Promise<void> }> {
  const second = await secondAppOn(ctx, env);
  if (second) return second;
  const app = await buildApp({
    config: loadConfig({ OAUTH_RATE_LIMIT_PER_MINUTE: '1000', ...env }),
    db: ctx.db,
    clock: ctx.clock,
    twilioAuthToken: TEST_CARRIER_TOKEN,
  });
  await app.ready();
  return { app, close: () => app.close() };
}
