import type { FastifyBaseLogger } from 'fastify';
import type { Queryable } from '../../db/index.js';
import { registerPeriodicJob } from '../../jobs/hourly.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';

/**
 * Pool usage history: every POOL_SAMPLE_MINUTES one row per number pool in
 * `number_pool_sample` (migration 0111), taken once across all processes (registerPeriodicJob,
 * one job per slot); the same run deletes the rows older than POOL_HISTORY_DAYS.
 *
 * A sample holds what GET /v2/numberpool/usage shows now (numbers in the pool, numbers a live
 * visitor holds, live visitors, those of them sharing a number because the pool was exhausted) and
 * the leases started in the slot before it, with how many of those were shared, from which the
 * shared-lease rate of any period follows.
 */

export const POOL_SAMPLE_JOB = 'dni.pool-sample';
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * One row per pool ($1: the slot's start, $2: now, $3: the previous slot's start). A slot sampled
 * already keeps its row. Live leases are reached per pool number through dni_lease_number_idx,
 * the leases started through dni_lease_pool_idx.
 */
const SAMPLE_SQL = `
insert into number_pool_sample
  (pool_id, sampled_at, size, leased, live_visitors, shared_visitors, leases_started, shared_started)
select np.pool_id, $1::timestamptz, nums.size, nums.leased, live.visitors, live.shared, started.leases, started.shared
  from number_pool np
  cross join lateral (
    select count(*)::int as size, (count(*) filter (where n.held_until > $2::timestamptz))::int as leased
      from dni_pool_number n where n.pool_id = np.pool_id) nums
  cross join lateral (
    select count(*)::int as visitors, (count(*) filter (where l.shared))::int as shared
      from dni_pool_number n
      join dni_lease l on l.phone_number_id = n.phone_number_id and l.pool_id = np.pool_id
                      and l.expires_at > $2::timestamptz and l.leased_at <= $2::timestamptz
     where n.pool_id = np.pool_id) live
  cross join lateral (
    select count(*)::int as leases, (count(*) filter (where l.shared))::int as shared
      from dni_lease l
     where l.pool_id = np.pool_id and l.leased_at >= $3::timestamptz and l.leased_at < $1::timestamptz) started
on conflict (pool_id, sampled_at) do nothing`;

export interface PoolSampleResult {
  sampled: number;
  pruned: number;
}

/** Samples every pool for the slot `now` falls in, and deletes the samples older than `keepDays`. */
export async function samplePools(
  db: Queryable,
  { now, sampleMinutes, keepDays }: { now: Date; sampleMinutes: number; keepDays: number },
): Promise<PoolSampleResult> {
  const intervalMs = sampleMinutes * MINUTE_MS;
  const slot = new Date(Math.floor(now.getTime() / intervalMs) * intervalMs);
  const previous = new Date(slot.getTime() - intervalMs);
  const sampled = await db.query(SAMPLE_SQL, [slot, now, previous]);
  const pruned = await db.query('delete from number_pool_sample where sampled_at < $1::timestamptz', [
    new Date(now.getTime() - keepDays * DAY_MS),
  ]);
  return { sampled: sampled.rowCount, pruned: pruned.rowCount };
}

/** Registers the sampling job; scheduleNext() makes sure the next slot's run is queued. */
export function registerPoolSampler({
  db,
  clock,
  jobs,
  sampleMinutes,
  keepDays,
  logger,
}: {
  db: Queryable;
  clock: Clock;
  jobs: JobQueue;
  sampleMinutes: number;
  keepDays: number;
  logger?: FastifyBaseLogger;
}) {
  return registerPeriodicJob({
    db,
    clock,
    jobs,
    kind: POOL_SAMPLE_JOB,
    intervalMs: sampleMinutes * MINUTE_MS,
    run: async (ctx) => {
      const result = await samplePools(ctx.db, { now: ctx.clock.now(), sampleMinutes, keepDays });
      if (result.pruned > 0) logger?.info({ ...result, keepDays }, 'pruned pool usage samples');
      return true;
    },
  });
}
