import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/index.js';
import {
  DNI_RETENTION_JOB,
  pruneDniHistory,
  RETENTION_BATCH_ROWS,
} from '../../src/modules/dni/dni-retention.js';
import {
  createTestContext,
  secondAppOn,
  secondDbOn,
  TEST_CARRIER_TOKEN,
  type TestContext,
  type TestUser,
} from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { testEngine } from '../helpers/db.js';
import { createPoolFlow, dniCodeOf, type PoolFlow, releaseNumber, requestNumber } from '../helpers/dni.js';

/**
 * DNI retention: the hourly job deletes leases and visits that ended more than DNI_RETENTION_DAYS
 * ago (30, the default), keeps what leasing, attribution and pool usage still read, reschedules
 * itself once per hour across processes, and deletes a backlog in batches. Keep-alive 30 minutes,
 * cooldown and grace 10 minutes (the defaults). The job runs through jobs.drain() on the test clock.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RETENTION = 30 * DAY;
const BASE = 'https://switchboard.example.test';
const ENV = {
  PUBLIC_BASE_URL: BASE,
  ACCESS_TOKEN_TTL_SECONDS: String(10 * 365 * 24 * 3600),
  DNI_RATE_LIMIT_PER_MINUTE: '1000000',
  JOBS_POLL_INTERVAL_MS: '0',
};

let ctx: TestContext;
let visitorSeq = 0;

beforeAll(async () => {
  ctx = await createTestContext(ENV);
});
afterAll(() => ctx.close());

const newVisitor = () => `retention-visitor-${++visitorSeq}`;

async function site(): Promise<{ admin: TestUser; code: string }> {
  const group = await ctx.factory.group();
  return { admin: await ctx.factory.user(group), code: await dniCodeOf(ctx, group) };
}

async function numberFor(code: string, visitor: string): Promise<string> {
  const { status, body } = await requestNumber(ctx.app, {
    code,
    visitor,
    page: 'https://www.example.com/',
    landing: `https://www.example.com/landing?utm_source=${visitor}`,
    referrer: '',
  });
  expect(status).toBe(200);
  expect(body.number).toEqual(expect.any(String));
  return body.number as string;
}

/** The leases of a pool, by visitor, and whether each one's visit is still there. */
async function leasesOf(pool: PoolFlow): Promise<Record<string, boolean>> {
  const { rows } = await ctx.db.query<{ visitor_id: string; has_visit: boolean }>(
    `select l.visitor_id, exists (select 1 from dni_visit v where v.visit_id = l.visit_id) as has_visit
       from dni_lease l where l.pool_id = $1`,
    [pool.poolId],
  );
  return Object.fromEntries(rows.map((row) => [row.visitor_id, row.has_visit]));
}

async function visitsOf(visitor: string): Promise<number> {
  const { rows } = await ctx.db.query<{ n: number }>(
    'select count(*)::int as n from dni_visit where visitor_id = $1',
    [visitor],
  );
  return (rows[0] as { n: number }).n;
}

/** The retention job due at the next hour slot, and when it runs. */
async function queuedRuns(): Promise<Date[]> {
  const { rows } = await ctx.db.query<{ run_at: Date }>(
    'select run_at from job where kind = $1 and done_at is null and failed_at is null order by run_at',
    [DNI_RETENTION_JOB],
  );
  return rows.map((row) => row.run_at);
}

/** Errors of retention runs: a run that failed deleted nothing, which a "kept" check would miss. */
async function failedRuns(): Promise<string[]> {
  const { rows } = await ctx.db.query<{ last_error: string }>(
    'select last_error from job where kind = $1 and last_error is not null',
    [DNI_RETENTION_JOB],
  );
  return rows.map((row) => row.last_error);
}

/** Moves the clock to `at` and runs whatever is due, the retention job included. */
async function runAt(at: number): Promise<void> {
  ctx.clock.set(new Date(at));
  await ctx.app.services.jobs.drain();
}

describe('the retention job', () => {
  it("deletes leases and visits that ended before the retention; keeps recent and live ones, each number's newest, and the attributions of deleted visits", async () => {
    // one number: a lease on it is no longer the newest once another visitor had the number
    const one = await site();
    const single = await createPoolFlow(ctx, one.admin, 1);
    const two = await site();
    const pair = await createPoolFlow(ctx, two.admin, 2);
    const t0 = ctx.clock.now().getTime();
    const gone = newVisitor();
    const newest = newVisitor();
    const live = newVisitor();
    const recent = newVisitor();
    const lastTaker = newVisitor();
    const late = newVisitor();

    const singleNumber = await numberFor(one.code, gone);
    ctx.clock.advance(MINUTE / 2);
    await createCarrier(ctx.app, BASE).call({ to: singleNumber, from: '7145559001', answer: 'none' });
    const attribution = await ctx.db.query(
      'select a.* from call_attribution a join call c on c.call_id = a.call_id where c.tracking_number = $1',
      [singleNumber],
    );
    expect(attribution.rows[0]).toMatchObject({ confidence: 'exact', visitor_id: gone });
    await releaseNumber(ctx.app, { code: one.code, visitor: gone, number: singleNumber });
    // after the cooldown the number goes to `newest`, whose lease then lapses and stays the newest
    ctx.clock.set(new Date(t0 + 11 * MINUTE));
    expect(await numberFor(one.code, newest)).toBe(singleNumber);

    // `live` holds one number of the pair; `recent` takes the other and leaves 12 minutes in
    await numberFor(two.code, live);
    ctx.clock.set(new Date(t0 + 12 * MINUTE));
    const recentNumber = await numberFor(two.code, recent);
    await releaseNumber(ctx.app, { code: two.code, visitor: recent, number: recentNumber });
    // `live` still holds its number a month on, as under a TTL of a year: what its heartbeats do
    await ctx.db.query(
      `with held as (update dni_lease set expires_at = $2 where visitor_id = $1 returning phone_number_id)
       update dni_pool_number n set held_until = $2 from held where n.phone_number_id = held.phone_number_id`,
      [live, new Date(t0 + 400 * DAY)],
    );
    // a later visitor takes `recent`'s number, so nothing but its age keeps `recent`'s lease
    ctx.clock.set(new Date(t0 + RETENTION));
    expect(await numberFor(two.code, lastTaker)).toBe(recentNumber);

    // `gone` ended at t0 + 30 s, more than 30 days before the run; `recent` at t0 + 12 min, less
    await runAt(t0 + RETENTION + 11 * MINUTE);
    expect(await failedRuns()).toEqual([]);
    expect(await leasesOf(single)).toEqual({ [newest]: true });
    expect(await leasesOf(pair)).toEqual({ [live]: true, [recent]: true, [lastTaker]: true });
    expect(await visitsOf(gone)).toBe(0);
    // the call keeps what it was attributed to
    const after = await ctx.db.query('select * from call_attribution where call_id = $1', [
      (attribution.rows[0] as { call_id: number }).call_id,
    ]);
    expect(after.rows).toEqual(attribution.rows);

    // an hour later `recent` is past the retention too; a visitor meanwhile is kept
    await numberFor(two.code, late);
    await runAt(t0 + RETENTION + HOUR + 11 * MINUTE);
    expect(await leasesOf(pair)).toEqual({ [live]: true, [lastTaker]: true, [late]: true });
    expect(await visitsOf(recent)).toBe(0);
    expect(await leasesOf(single)).toEqual({ [newest]: true });

    // the newest lease of a number goes once another visitor has had the number, and the retention passed
    const next = newVisitor();
    expect(await numberFor(one.code, next)).toBe(singleNumber);
    await runAt(ctx.clock.now().getTime() + RETENTION + HOUR);
    expect(await leasesOf(single)).toEqual({ [next]: true });
    expect(await visitsOf(newest)).toBe(0);
  });

  it('keeps what the pool-usage window reads at the shortest retention allowed', async () => {
    expect(() => loadConfig({ DNI_RETENTION_DAYS: '7' })).toThrow(ConfigError);
    expect(() => loadConfig({ DNI_RETENTION_DAYS: '8', DNI_COOLDOWN_MINUTES: '1440' })).toThrow(
      /DNI_RETENTION_DAYS: must be at least 9/,
    );
    expect(loadConfig({ DNI_RETENTION_DAYS: '8' }).DNI_RETENTION_DAYS).toBe(8);
    const { admin, code } = await site();
    const pool = await createPoolFlow(ctx, admin, 2);
    const usage = async () => {
      const { body } = await ctx.request('GET', `/v2/numberpool/usage?id=${pool.poolId}`, {
        token: admin.token,
      });
      return body.data;
    };
    const t0 = ctx.clock.now().getTime();
    // `a` and `b` at once, then `c` and `d` one after the other on their numbers
    const visit = async (at: number) => {
      ctx.clock.set(new Date(at));
      const visitor = newVisitor();
      const number = await numberFor(code, visitor);
      await releaseNumber(ctx.app, { code, visitor, number });
    };
    const visitor = newVisitor();
    const number = await numberFor(code, visitor);
    await visit(t0);
    await releaseNumber(ctx.app, { code, visitor, number });
    await visit(t0 + 11 * MINUTE);
    await visit(t0 + 22 * MINUTE);
    // the week's window starts 5 minutes after `a` and `b` ended, within their cooldown
    const at = t0 + 7 * DAY + 5 * MINUTE;
    ctx.clock.set(new Date(at));
    const before = await usage();
    expect(before.peak_demand).toBe(2);
    // the shortest retention allowed (the window, the cooldown and the grace) keeps them ...
    expect(
      await pruneDniHistory(ctx.db, { now: new Date(at), cutoff: new Date(at - 7 * DAY - 20 * MINUTE) }),
    ).toMatchObject({ done: true });
    expect(await usage()).toEqual(before);
    // ... which the week alone would not
    await pruneDniHistory(ctx.db, { now: new Date(at), cutoff: new Date(at - 7 * DAY) });
    expect((await usage()).peak_demand).toBe(1);
  });

  it("keeps a lease that lapsed within its setting's keep-alive, however long ago", async () => {
    const { admin, code } = await site();
    const pool = await createPoolFlow(ctx, admin, 1);
    // the setting's TTL, a year, outranks the pool's keep-alive
    const { body } = await ctx.request('POST', '/v2/callflow/dni', {
      token: admin.token,
      body: [
        {
          group_id: admin.group_id,
          call_flow_id: pool.callFlowId,
          dni_type: 'session',
          dni_element: 'dni_element',
          destination_url: '*.*',
          referrer: '*.*',
          custom_cookie: '',
          TTL: 525_600,
        },
      ],
    });
    expect(body.data?.[0]?.result).toBe('success');
    const t0 = ctx.clock.now().getTime();
    const [first, second] = [newVisitor(), newVisitor()];
    const number = await numberFor(code, first);
    await releaseNumber(ctx.app, { code, visitor: first, number });
    // `second` has the number now, so only the keep-alive keeps `first`'s lease
    ctx.clock.set(new Date(t0 + 11 * MINUTE));
    expect(await numberFor(code, second)).toBe(number);
    await releaseNumber(ctx.app, { code, visitor: second, number });
    await runAt(t0 + RETENTION + HOUR);
    expect(await failedRuns()).toEqual([]);
    expect(await leasesOf(pool)).toEqual({ [first]: true, [second]: true });
  });

  it('reschedules itself once per hour slot, whichever processes queue it', async () => {
    const start = ctx.clock.now().getTime();
    const slot = Math.floor(start / HOUR) * HOUR + HOUR;
    // every process queues the next slot when it starts, and each run queues the one after it
    await ctx.app.services.jobs.drain();
    expect(await queuedRuns()).toEqual([new Date(slot)]);
    const other = await buildApp({
      config: loadConfig(ENV),
      db: ctx.db,
      clock: ctx.clock,
      twilioAuthToken: TEST_CARRIER_TOKEN,
    });
    await other.ready();
    await other.close();
    expect(await queuedRuns()).toEqual([new Date(slot)]);
    await runAt(slot - 1);
    expect(await queuedRuns()).toEqual([new Date(slot)]);
    await runAt(slot);
    expect(await queuedRuns()).toEqual([new Date(slot + HOUR)]);
    const { rows } = await ctx.db.query<{ n: number }>(
      'select count(*)::int as n from job where kind = $1 and done_at is not null and dedupe_key = $2',
      [DNI_RETENTION_JOB, `${DNI_RETENTION_JOB}:${new Date(slot).toISOString()}`],
    );
    expect(rows[0]?.n).toBe(1);
  });
});

describe('a backlog', () => {
  /** `count` leases (each with its visit) on the pool's first number that ended at `endedAt`. */
  async function backlog(pool: PoolFlow, count: number, endedAt: Date): Promise<void> {
    await ctx.db.query(
      `with visits as (
         insert into dni_visit (group_id, call_flow_id, visitor_id, landing_page, last_page, started_at, last_seen_at)
         select f.group_id, f.call_flow_id, 'backlog-' || i, 'https://www.example.com/', 'https://www.example.com/',
                $3::timestamptz - interval '5 minutes', $3::timestamptz
           from call_flow f, generate_series(1, $2::int) as i
          where f.call_flow_id = $1
         returning visit_id, visitor_id, call_flow_id
       )
       insert into dni_lease (pool_id, phone_number_id, visit_id, visitor_id, leased_at, expires_at)
       select f.pool_id, n.phone_number_id, v.visit_id, v.visitor_id, $3::timestamptz - interval '5 minutes', $3
         from visits v
         join call_flow f on f.call_flow_id = v.call_flow_id
         join lateral (select phone_number_id from dni_pool_number where pool_id = f.pool_id limit 1) n on true`,
      [pool.callFlowId, count, endedAt],
    );
  }

  async function countOf(pool: PoolFlow): Promise<{ leases: number; visits: number }> {
    const { rows } = await ctx.db.query<{ leases: number; visits: number }>(
      `select (select count(*)::int from dni_lease where pool_id = $1) as leases,
              (select count(*)::int from dni_visit where call_flow_id = $2) as visits`,
      [pool.poolId, pool.callFlowId],
    );
    return rows[0] as { leases: number; visits: number };
  }

  it('is deleted in batches until none is left, across runs when one run stops at its batch limit', async () => {
    const { admin } = await site();
    const pool = await createPoolFlow(ctx, admin, 1);
    const now = ctx.clock.now().getTime();
    await backlog(pool, RETENTION_BATCH_ROWS + 1200, new Date(now - RETENTION - DAY));
    const cutoff = new Date(now - RETENTION);
    // small batches and a budget of three statements: the run stops and says so
    expect(
      await pruneDniHistory(ctx.db, { now: new Date(now), cutoff, batchRows: 1000, maxBatches: 3 }),
    ).toEqual({
      leases: 3000,
      visits: 3000,
      done: false,
    });
    expect(await countOf(pool)).toEqual({ leases: 3200, visits: 3200 });
    // the job's own batches: more than one statement's worth, all gone in one drain
    await runAt(Math.floor(now / HOUR) * HOUR + HOUR);
    expect(await countOf(pool)).toEqual({ leases: 0, visits: 0 });
  });

  it('is shared out between runs at once, which delete every row once and fail nowhere', async () => {
    const { admin } = await site();
    const pool = await createPoolFlow(ctx, admin, 1);
    const now = ctx.clock.now().getTime();
    await backlog(pool, 3000, new Date(now - RETENTION - DAY));
    const secondDb = await secondDbOn(ctx, 3);
    const second: Db = secondDb ?? ctx.db;
    try {
      const cutoff = new Date(now - RETENTION);
      const results = await Promise.all([
        pruneDniHistory(ctx.db, { now: new Date(now), cutoff, batchRows: 500 }),
        pruneDniHistory(second, { now: new Date(now), cutoff, batchRows: 500 }),
        pruneDniHistory(ctx.db, { now: new Date(now), cutoff, batchRows: 500 }),
      ]);
      expect(results.every((result) => result.done)).toBe(true);
      expect(results.reduce((sum, result) => sum + result.leases, 0)).toBe(3000);
      expect(results.reduce((sum, result) => sum + result.visits, 0)).toBe(3000);
      expect(await countOf(pool)).toEqual({ leases: 0, visits: 0 });
    } finally {
      await secondDb?.close();
    }
  });

  it.runIf(testEngine() === 'postgres')('runs once per slot when two apps drain at once', async () => {
    const second = await secondAppOn(ctx, ENV);
    if (!second) throw new Error('a second app needs PostgreSQL');
    const other = second.app;
    try {
      const [slot] = await queuedRuns();
      if ((slot as Date).getTime() > ctx.clock.now().getTime()) ctx.clock.set(slot as Date);
      await Promise.all([ctx.app.services.jobs.drain(), other.services.jobs.drain()]);
      const { rows: ran } = await ctx.db.query<{ attempts: number }>(
        'select attempts from job where dedupe_key = $1 and done_at is not null',
        [`${DNI_RETENTION_JOB}:${(slot as Date).toISOString()}`],
      );
      expect(ran).toEqual([{ attempts: 1 }]);
      expect(await queuedRuns()).toEqual([new Date((slot as Date).getTime() + HOUR)]);
    } finally {
      await second.close();
    }
  });
});
