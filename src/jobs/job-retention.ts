import type { FastifyBaseLogger } from 'fastify';
import type { Queryable } from '../db/index.js';
import type { Clock } from '../lib/clock.js';
import { registerHourlyJob } from './hourly.js';
import type { JobQueue } from './queue.js';

/**
 * Job retention: a job that finished (done or failed) more than JOB_RETENTION_DAYS ago is deleted,
 * so the `job` table holds the queue and its recent history, not every job ever run
 * (docs/scaling.md). Unfinished jobs are never deleted, however old.
 *
 * What a finished job still did for anyone: its dedupe key made a second enqueue a no-op. Every
 * key is enqueued at one moment only (a call's `call.completed` when the call ends, its
 * `call.started` when it starts, a delivery's job when the delivery is created, an hour slot's
 * retention run within that hour), so a key older than the retention is never asked for again.
 * Webhook deliveries and their attempts have a retention of their own (log-retention.ts).
 *
 * One run per hour across all processes (registerHourlyJob). The table is walked in `job_id`
 * order, which is the order jobs were created in, RETENTION_BATCH_ROWS rows a statement, and the
 * walk stops at the first job created after the cutoff: no index but the primary key, and every
 * row it reads but the last batch's is old. After MAX_BATCHES_PER_RUN statements a run hands over
 * to a new one due at once.
 */

export const JOB_RETENTION_JOB = 'job.retention';
/** Rows one statement reads at most (and so deletes at most). */
export const RETENTION_BATCH_ROWS = 5000;
const MAX_BATCHES_PER_RUN = 40;
const DAY_MS = 86_400_000;

/**
 * One batch ($1: after this job id, $2: the cutoff, $3: the batch size): deletes the finished jobs
 * among the next rows created before the cutoff, and says where the walk got to. `reached` is
 * true when the batch met a job created after the cutoff: the walk is over.
 */
const DELETE_BATCH_SQL = `
with walked as (
  select job_id, created_at >= $2::timestamptz as recent,
         coalesce(done_at, failed_at) < $2::timestamptz as finished
    from job where job_id > $1::bigint
   order by job_id
   limit $3),
old as (
  select * from walked
   where job_id < coalesce((select min(job_id) from walked where recent), 9223372036854775807)),
gone as (
  delete from job j using old
   where j.job_id = old.job_id and old.finished
     and coalesce(j.done_at, j.failed_at) < $2::timestamptz
  returning j.job_id)
select (select count(*) from gone)::int as deleted,
       (select max(job_id) from old) as last_id,
       exists (select 1 from walked where recent) or (select count(*) from walked) < $3 as reached`;

export interface JobPruneResult {
  deleted: number;
  /** false when the run stopped at its batch limit with rows possibly left */
  done: boolean;
}

/** Deletes the jobs finished before `cutoff`, batch by batch, until the walk is over or the run's budget is spent. */
export async function pruneFinishedJobs(
  db: Queryable,
  {
    cutoff,
    batchRows = RETENTION_BATCH_ROWS,
    maxBatches = MAX_BATCHES_PER_RUN,
  }: { cutoff: Date; batchRows?: number; maxBatches?: number },
): Promise<JobPruneResult> {
  let after = 0;
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const { rows } = await db.query<{ deleted: number; last_id: string | null; reached: boolean }>(
      DELETE_BATCH_SQL,
      [after, cutoff, batchRows],
    );
    const row = rows[0];
    deleted += row?.deleted ?? 0;
    if (!row || row.reached || row.last_id === null) return { deleted, done: true };
    after = Number(row.last_id);
  }
  return { deleted, done: false };
}

/** Registers the hourly job retention; scheduleNext() makes sure the next slot's run is queued. */
export function registerJobRetention({
  db,
  clock,
  jobs,
  retentionDays,
  logger,
}: {
  db: Queryable;
  clock: Clock;
  jobs: JobQueue;
  retentionDays: number;
  logger?: FastifyBaseLogger;
}) {
  return registerHourlyJob({
    db,
    clock,
    jobs,
    kind: JOB_RETENTION_JOB,
    run: async (ctx) => {
      const cutoff = new Date(ctx.clock.now().getTime() - retentionDays * DAY_MS);
      const pruned = await pruneFinishedJobs(ctx.db, { cutoff });
      if (pruned.deleted > 0) logger?.info({ ...pruned, retentionDays }, 'pruned finished jobs');
      return pruned.done;
    },
  });
}
