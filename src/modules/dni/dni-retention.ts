import type { FastifyBaseLogger } from 'fastify';
import type { Queryable } from '../../db/index.js';
import { registerHourlyJob } from '../../jobs/hourly.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';

/**
 * DNI retention: every lease and visit is kept DNI_RETENTION_DAYS after it ended, then deleted, so
 * a busy site's `dni_lease` and `dni_visit` stop growing (docs/scaling.md).
 *
 * One job per hour across all processes (registerHourlyJob). A run deletes in statements of at
 * most RETENTION_BATCH_ROWS rows, each its own short transaction; after MAX_BATCHES_PER_RUN it
 * hands over to a new run due at once, so a backlog never holds one job for long.
 *
 * What is never deleted (the config guarantees the retention covers the last two):
 *  - a lease that ended after the cutoff, live ones included;
 *  - the newest lease of each pool number (`dni_pool_number.lease_id`) however old: it is the only
 *    lapsed lease the lease statement may resume (its `own` CTE), and no other lease can become
 *    it again (only a new lease is stamped there). Skipping it also spares the hot row the
 *    ON DELETE SET NULL of that column;
 *  - a lease that lapsed within its pool's longest keep-alive (a setting's TTL may be a year):
 *    the `own` CTE's bound, kept whatever else decides a resume;
 *  - what attribution reads: leases that ended within DNI_ATTRIBUTION_GRACE_MINUTES of a call;
 *  - what pool usage reads: leases whose cooldown ended within USAGE_WINDOW_DAYS.
 * A visit goes with its last lease: every statement reaches a visit through a lease, and
 * `call_attribution` keeps its own copy of what it showed (its visit_id has no foreign key), so
 * nothing reads such a visit any more.
 */

export const DNI_RETENTION_JOB = 'dni.retention';
/** Rows one delete statement removes at most: its locks and its transaction stay short. */
export const RETENTION_BATCH_ROWS = 5000;
/** Delete statements (that found rows) one run sends before it hands the rest to a new run. */
const MAX_BATCHES_PER_RUN = 40;
const DAY_MS = 86_400_000;

/**
 * Each pool's cutoff: the retention's, or earlier by the pool's longest keep-alive (a setting's
 * TTL may outlast the retention). Each pool is then pruned with its own values, so the planner
 * sees real ones and walks the (pool_id, leased_at) index in order.
 */
const POOL_CUTOFFS_SQL = `
select np.pool_id,
       least($1::timestamptz,
             $2::timestamptz - greatest(np.keep_alive_minutes, max(d.ttl_minutes)) * interval '1 minute') as cutoff
  from number_pool np
  left join call_flow f on f.pool_id = np.pool_id
  left join dni_setting d on d.call_flow_id = f.call_flow_id
 group by np.pool_id
 order by np.pool_id`;

/**
 * Up to $3 leases of pool $1 that ended before $2 and are not their number's newest, oldest
 * first (a lease ends after it starts), and the visits left with no lease by them. SKIP LOCKED:
 * two runs at once take different rows; nothing else ever locks such a lease. A visit goes when
 * this batch deletes all the leases the statement's snapshot shows for it (a visit gets a lease
 * only in the statement that creates it); counted through dni_lease_visit_idx per visit, where
 * an anti-join would hash every lease.
 */
const DELETE_BATCH_SQL = `
with doomed as (
  select l.lease_id from dni_lease l
   where l.pool_id = $1 and l.leased_at < $2::timestamptz and l.expires_at < $2::timestamptz
     and not exists (select 1 from dni_pool_number n
                      where n.phone_number_id = l.phone_number_id and n.lease_id = l.lease_id)
   order by l.leased_at
   limit $3
   for update of l skip locked
),
gone as (
  delete from dni_lease l using doomed where l.lease_id = doomed.lease_id
  returning l.lease_id, l.visit_id
),
visits as (
  delete from dni_visit v
   where v.visit_id in (
     select g.visit_id from gone g group by g.visit_id
     having count(*) = (select count(*) from dni_lease o where o.visit_id = g.visit_id))
  returning v.visit_id
)
select (select count(*) from gone)::int as leases, (select count(*) from visits)::int as visits`;

export interface DniPruneResult {
  leases: number;
  visits: number;
  /** false when the run stopped at its batch limit with rows possibly left */
  done: boolean;
}

export interface DniPruneOptions {
  now: Date;
  /** what ended before this goes */
  cutoff: Date;
  batchRows?: number;
  maxBatches?: number;
}

/** Deletes what ended before `cutoff`, batch by batch, until none is left or the run's budget is spent. */
export async function pruneDniHistory(
  db: Queryable,
  { now, cutoff, batchRows = RETENTION_BATCH_ROWS, maxBatches = MAX_BATCHES_PER_RUN }: DniPruneOptions,
): Promise<DniPruneResult> {
  const result = { leases: 0, visits: 0, done: false };
  const { rows: pools } = await db.query<{ pool_id: number; cutoff: Date }>(POOL_CUTOFFS_SQL, [cutoff, now]);
  let batches = 0;
  for (const pool of pools) {
    for (;;) {
      // statements that found nothing (most pools, most hours) cost next to nothing
      if (batches >= maxBatches) return result;
      const { rows } = await db.query<{ leases: number; visits: number }>(DELETE_BATCH_SQL, [
        pool.pool_id,
        pool.cutoff,
        batchRows,
      ]);
      const deleted = rows[0] ?? { leases: 0, visits: 0 };
      result.leases += deleted.leases;
      result.visits += deleted.visits;
      if (deleted.leases > 0) batches += 1;
      if (deleted.leases < batchRows) break;
    }
  }
  return { ...result, done: true };
}

export interface DniRetentionDeps {
  db: Queryable;
  clock: Clock;
  jobs: JobQueue;
  retentionDays: number;
  logger?: FastifyBaseLogger;
}

/** Registers the hourly retention job; scheduleNext() makes sure the next slot's run is queued. */
export function registerDniRetention({ db, clock, jobs, retentionDays, logger }: DniRetentionDeps) {
  return registerHourlyJob({
    db,
    clock,
    jobs,
    kind: DNI_RETENTION_JOB,
    run: async (ctx) => {
      const now = ctx.clock.now();
      const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
      const pruned = await pruneDniHistory(ctx.db, { now, cutoff });
      if (pruned.leases + pruned.visits > 0) logger?.info({ ...pruned, retentionDays }, 'pruned DNI history');
      return pruned.done;
    },
  });
}
