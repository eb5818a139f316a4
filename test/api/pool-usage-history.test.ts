import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { POOL_SAMPLE_JOB, samplePools } from '../../src/modules/dni/pool-sampler.js';
import {
  createTestContext,
  secondAppOn,
  TEST_CARRIER_TOKEN,
  type TestContext,
  type TestUser,
} from '../helpers/app.js';
import { testEngine } from '../helpers/db.js';
import { createPoolFlow, dniCodeOf, type PoolFlow, requestNumber } from '../helpers/dni.js';

/**
 * Pool usage history: the sampler job records each pool's usage every POOL_SAMPLE_MINUTES (15,
 * the default) once across processes, deletes samples older than POOL_HISTORY_DAYS (here 2), and
 * GET /v2/numberpool/usagehistory answers them within the caller's scope. The job runs through
 * jobs.drain() on the test clock. Keep-alive 30 minutes.
 */
const MINUTE = 60_000;
const SLOT = 15 * MINUTE;
const DAY = 24 * 60 * MINUTE;
const BASE = 'https://switchboard.example.test';
const ENV = {
  PUBLIC_BASE_URL: BASE,
  ACCESS_TOKEN_TTL_SECONDS: String(10 * 365 * 24 * 3600),
  DNI_RATE_LIMIT_PER_MINUTE: '1000000',
  JOBS_POLL_INTERVAL_MS: '0',
  POOL_HISTORY_DAYS: '2',
};

let ctx: TestContext;
let visitorSeq = 0;

beforeAll(async () => {
  ctx = await createTestContext(ENV);
});
afterAll(() => ctx.close());

async function site(): Promise<{ admin: TestUser; code: string; pool: PoolFlow }> {
  const group = await ctx.factory.group();
  const admin = await ctx.factory.user(group);
  return { admin, code: await dniCodeOf(ctx, group), pool: await createPoolFlow(ctx, admin, 2) };
}

async function visit(code: string): Promise<void> {
  const { status, body } = await requestNumber(ctx.app, {
    code,
    visitor: `history-visitor-${++visitorSeq}`,
    page: 'https://www.example.com/',
  });
  expect(status).toBe(200);
  expect(body.number).toEqual(expect.any(String));
}

/** Moves the clock to `at` and runs whatever is due, the sampler included. */
async function runAt(at: number): Promise<void> {
  ctx.clock.set(new Date(at));
  await ctx.app.services.jobs.drain();
}

/** The start of the next sample slot after the clock, plus `slots` slots. */
const nextSlot = (slots = 0) => (Math.floor(ctx.clock.now().getTime() / SLOT) + 1 + slots) * SLOT;

async function samplesOf(poolId: number) {
  const { rows } = await ctx.db.query<Record<string, unknown>>(
    `select sampled_at, size, leased, live_visitors, shared_visitors, leases_started, shared_started
       from number_pool_sample where pool_id = $1 order by sampled_at`,
    [poolId],
  );
  return rows.map(
    (row) => ({ ...row, sampled_at: (row.sampled_at as Date).toISOString() }) as Record<string, unknown>,
  );
}

const history = (user: TestUser, query: string) =>
  ctx.request('GET', `/v2/numberpool/usagehistory?${query}`, { token: user.token });

describe('the pool sampler', () => {
  it('records each pool every slot: size, leased numbers, live and shared visitors, leases started in the slot before', async () => {
    const { code, pool } = await site();
    const start = nextSlot();
    await runAt(start);
    // three visitors on two numbers: the third shares one
    ctx.clock.set(new Date(start + MINUTE));
    for (let i = 0; i < 3; i++) await visit(code);
    await runAt(start + SLOT);
    // the leases lapse after 30 minutes: nothing live, nothing started
    await runAt(start + 3 * SLOT);
    expect(await samplesOf(pool.poolId)).toEqual([
      {
        sampled_at: new Date(start).toISOString(),
        size: 2,
        leased: 0,
        live_visitors: 0,
        shared_visitors: 0,
        leases_started: 0,
        shared_started: 0,
      },
      {
        sampled_at: new Date(start + SLOT).toISOString(),
        size: 2,
        leased: 2,
        live_visitors: 3,
        // the shared lease, and the lease whose number it took
        shared_visitors: 2,
        leases_started: 3,
        shared_started: 2,
      },
      {
        sampled_at: new Date(start + 3 * SLOT).toISOString(),
        size: 2,
        leased: 0,
        live_visitors: 0,
        shared_visitors: 0,
        leases_started: 0,
        shared_started: 0,
      },
    ]);
  });

  it('keeps the first sample of a slot taken twice', async () => {
    const { code, pool } = await site();
    const at = new Date(nextSlot());
    await samplePools(ctx.db, { now: at, sampleMinutes: 15, keepDays: 2 });
    ctx.clock.set(new Date(at.getTime() + MINUTE));
    await visit(code);
    await samplePools(ctx.db, { now: new Date(at.getTime() + MINUTE), sampleMinutes: 15, keepDays: 2 });
    expect((await samplesOf(pool.poolId)).map((s) => s.leased)).toEqual([0]);
  });

  it('deletes samples older than POOL_HISTORY_DAYS', async () => {
    const { pool } = await site();
    const first = nextSlot();
    await runAt(first);
    await runAt(first + SLOT);
    expect(await samplesOf(pool.poolId)).toHaveLength(2);
    // two days after the first sample it is still kept; a moment later it goes
    await runAt(first + 2 * DAY);
    expect((await samplesOf(pool.poolId))[0]?.sampled_at).toBe(new Date(first).toISOString());
    await runAt(first + 2 * DAY + SLOT);
    const left = await samplesOf(pool.poolId);
    expect(left[0]?.sampled_at).toBe(new Date(first + SLOT).toISOString());
  });

  it('queues one run per slot, whatever the number of processes that start', async () => {
    await runAt(nextSlot());
    const queued = async () => {
      const { rows } = await ctx.db.query<{ run_at: Date }>(
        'select run_at from job where kind = $1 and done_at is null and failed_at is null order by run_at',
        [POOL_SAMPLE_JOB],
      );
      return rows.map((row) => row.run_at.getTime());
    };
    const slot = nextSlot();
    expect(await queued()).toEqual([slot]);
    const other = await buildApp({
      config: loadConfig(ENV),
      db: ctx.db,
      clock: ctx.clock,
      twilioAuthToken: TEST_CARRIER_TOKEN,
    });
    await other.ready();
    await other.close();
    expect(await queued()).toEqual([slot]);
    await runAt(slot);
    expect(await queued()).toEqual([slot + SLOT]);
  });

  it.runIf(testEngine() === 'postgres')('samples a slot once when two apps drain at once', async () => {
    const { pool } = await site();
    const second = await secondAppOn(ctx, ENV);
    if (!second) throw new Error('a second app needs PostgreSQL');
    const slot = nextSlot();
    ctx.clock.set(new Date(slot));
    try {
      await Promise.all([ctx.app.services.jobs.drain(), second.app.services.jobs.drain()]);
    } finally {
      await second.close();
    }
    const { rows } = await ctx.db.query<{ attempts: number }>(
      'select attempts from job where dedupe_key = $1 and done_at is not null',
      [`${POOL_SAMPLE_JOB}:${new Date(slot).toISOString()}`],
    );
    expect(rows).toEqual([{ attempts: 1 }]);
    expect(await samplesOf(pool.poolId)).toHaveLength(1);
  });
});

describe('GET /v2/numberpool/usagehistory', () => {
  it("answers the pool's samples of the period and its shared-lease rate", async () => {
    const { admin, code, pool } = await site();
    const start = nextSlot();
    await runAt(start);
    ctx.clock.set(new Date(start + MINUTE));
    for (let i = 0; i < 3; i++) await visit(code);
    await runAt(start + SLOT);
    ctx.clock.set(new Date(start + SLOT + MINUTE));
    await visit(code);
    await runAt(start + 2 * SLOT);
    const { status, body } = await history(admin, `id=${pool.poolId}&days=1`);
    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      pool_id: pool.poolId,
      days: 1,
      sample_minutes: 15,
      bucket_minutes: 15,
      leases_started: 4,
      shared_leases: 3,
      shared_lease_rate: 0.75,
    });
    expect(body.data.samples.map((s: { sampled_at: string }) => s.sampled_at)).toEqual(
      [start, start + SLOT, start + 2 * SLOT].map((t) => new Date(t).toISOString()),
    );
    expect(body.data.samples[2]).toMatchObject({
      sampled_at: new Date(start + 2 * SLOT).toISOString(),
      size: 2,
      leased: 2,
      live_visitors: 4,
      leases_started: 1,
      shared_started: 1,
    });
    // the new lease shares a number with one or two others
    expect(body.data.samples[2].shared_visitors).toBeGreaterThanOrEqual(3);
    // a day later the first samples are out of a one-day period, in a two-day one
    ctx.clock.set(new Date(start + DAY + SLOT + MINUTE));
    const later = await history(admin, `id=${pool.poolId}&days=1`);
    expect(later.body.data.samples.map((s: { sampled_at: string }) => s.sampled_at)).toEqual([
      new Date(start + 2 * SLOT).toISOString(),
    ]);
    expect(later.body.data).toMatchObject({ leases_started: 1, shared_leases: 1, shared_lease_rate: 1 });
    const longer = await history(admin, `id=${pool.poolId}&days=2`);
    expect(longer.body.data.samples).toHaveLength(3);
  });

  it('defaults to 7 days and sums long periods into longer buckets', async () => {
    const { admin, pool } = await site();
    const start = nextSlot();
    await runAt(start);
    const week = await history(admin, `id=${pool.poolId}`);
    expect(week.body.data).toMatchObject({
      days: 7,
      bucket_minutes: 15,
      leases_started: 0,
      shared_lease_rate: 0,
    });
    // 30 days at most 720 points: an hour each
    const month = await history(admin, `id=${pool.poolId}&days=30`);
    expect(month.body.data.bucket_minutes).toBe(60);
  });

  it('answers a pool outside the caller scope, unknown, or not positive with 404', async () => {
    const { pool } = await site();
    const stranger = (await site()).admin;
    for (const id of [pool.poolId, 0, -4, 2_000_000_000]) {
      const { status, body } = await history(stranger, `id=${id}`);
      expect(status).toBe(404);
      expect(body).toEqual({ result: 'error', err: `No number pool found for id: ${id}`, data: null });
    }
  });

  it("answers a parent group's admin", async () => {
    const parent = await ctx.factory.group();
    const parentAdmin = await ctx.factory.user(parent);
    const child = await ctx.factory.group(parent);
    const childAdmin = await ctx.factory.user(child);
    const pool = await createPoolFlow(ctx, childAdmin, 1);
    expect((await history(parentAdmin, `id=${pool.poolId}`)).status).toBe(200);
  });

  it.each([
    ['id=abc', 'id', 'Invalid parameter (id): Expected type integer but found type string'],
    ['', 'id', 'Invalid parameter (id): Value is required but was not provided'],
    ['id=1&days=0', 'days', 'Invalid parameter (days): Value failed JSON Schema validation'],
    ['id=1&days=367', 'days', 'Invalid parameter (days): Value failed JSON Schema validation'],
    ['id=1&days=x', 'days', 'Invalid parameter (days): Expected type integer but found type string'],
  ])('answers %j with the V2 validation error', async (query, name, message) => {
    const { admin } = await site();
    const { status, body } = await history(admin, query);
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({ in: 'query', name, message });
  });
});

describe('GET /v2/numberpool/leases', () => {
  it('lists the numbers live visitors hold, longest held first, with the first visit and the sharers', async () => {
    const { admin, code, pool } = await site();
    const leases = () =>
      ctx.request('GET', `/v2/numberpool/leases?id=${pool.poolId}`, { token: admin.token });
    expect((await leases()).body.data).toEqual([]);
    const t0 = ctx.clock.now().getTime();
    const first = await requestNumber(ctx.app, {
      code,
      visitor: `history-visitor-${++visitorSeq}`,
      page: 'https://www.example.com/pricing',
      landing: 'https://www.example.com/?utm_source=google',
      referrer: 'https://www.google.com/',
    });
    ctx.clock.set(new Date(t0 + MINUTE));
    const second = await requestNumber(ctx.app, {
      code,
      visitor: `history-visitor-${++visitorSeq}`,
      page: 'https://www.example.com/contact',
    });
    // the pool is exhausted: a third visitor shares one of the two
    ctx.clock.set(new Date(t0 + 2 * MINUTE));
    await visit(code);
    const { status, body } = await leases();
    expect(status).toBe(200);
    expect(body.data).toHaveLength(2);
    expect(body.data[0]).toMatchObject({
      number: first.body.number,
      leased_at: new Date(t0).toISOString(),
      landing_page: 'https://www.example.com/?utm_source=google',
      referrer: 'https://www.google.com/',
    });
    expect(body.data[1]).toMatchObject({
      number: second.body.number,
      leased_at: new Date(t0 + MINUTE).toISOString(),
      landing_page: 'https://www.example.com/contact',
      referrer: '',
    });
    expect(body.data.map((n: { visitors: number }) => n.visitors).sort()).toEqual([1, 2]);
    expect(body.data.find((n: { visitors: number }) => n.visitors === 2)).toMatchObject({ shared: true });
    // once the leases lapse (30 minutes keep-alive) none is held
    ctx.clock.set(new Date(t0 + 40 * MINUTE));
    expect((await leases()).body.data).toEqual([]);
  });

  it('answers a pool outside the caller scope with 404', async () => {
    const { pool } = await site();
    const stranger = (await site()).admin;
    const { status, body } = await ctx.request('GET', `/v2/numberpool/leases?id=${pool.poolId}`, {
      token: stranger.token,
    });
    expect(status).toBe(404);
    expect(body).toEqual({ result: 'error', err: `No number pool found for id: ${pool.poolId}`, data: null });
  });
});
