import type { FastifyBaseLogger } from 'fastify';
import type { Queryable } from '../db/index.js';
import type { Clock } from '../lib/clock.js';
import { registerHourlyJob } from './hourly.js';
import type { JobQueue } from './queue.js';

/**
 * Delivery-log retention: what was sent for a call, once finished more than
 * DELIVERY_LOG_RETENTION_DAYS ago, is deleted, so these tables hold recent history, not every
 * call ever made (docs/scaling.md):
 *
 * - `webhook_delivery` that succeeded or failed for good (its `webhook_attempt` rows go with it,
 *   by the foreign key's cascade); pending deliveries are kept however old;
 * - `call_action_log` and `call_notification` rows that are no longer `running`.
 *
 * What a kept row still does: a delivery's unique (call, webhook, event) and a log row's key make
 * a second run for the same call a no-op. Those runs happen when the call ends (and a late
 * result within the call lifecycle's settle window), never days later, so a key older than the
 * retention is not asked for again.
 *
 * One run per hour across all processes (registerHourlyJob). Each table is walked in the order of
 * its key (`delivery_id`; `call_id`, a call's rows together), which is the order rows were
 * written in, BATCH_KEYS keys a statement, and the walk stops at the first key with a row written
 * after the cutoff: no index but the primary keys, and only old rows are read. After
 * MAX_BATCHES_PER_RUN statements a run hands over to a new one due at once.
 */

export const LOG_RETENTION_JOB = 'log.retention';
/** Keys one statement walks at most. */
export const BATCH_KEYS = 5000;
const MAX_BATCHES_PER_RUN = 40;
const DAY_MS = 86_400_000;

interface PrunedTable {
  table: string;
  /** the walk's key: its first primary-key column */
  key: string;
  /** SQL on the row `t` and the cutoff `$2`: finished before the cutoff, so it may go */
  finished: string;
}

export const PRUNED_TABLES: PrunedTable[] = [
  {
    table: 'webhook_delivery',
    key: 'delivery_id',
    finished: `t.status in ('succeeded', 'failed') and coalesce(t.completed_at, t.created_at) < $2::timestamptz`,
  },
  {
    table: 'call_action_log',
    key: 'call_id',
    finished: `t.status <> 'running' and coalesce(t.finished_at, t.created_at) < $2::timestamptz`,
  },
  {
    table: 'call_notification',
    key: 'call_id',
    finished: `t.status <> 'running' and coalesce(t.finished_at, t.created_at) < $2::timestamptz`,
  },
];

/**
 * One batch ($1: after this key, $2: the cutoff, $3: keys to walk): deletes the finished rows of
 * the next keys whose rows were all written before the cutoff, and says where the walk got to.
 * `reached` is true when the batch met a key written after the cutoff, or the table's end.
 */
const deleteBatchSql = ({ table, key, finished }: PrunedTable) => `
with keys as (
  select distinct ${key} as k from ${table} where ${key} > $1::bigint order by ${key} limit $3),
walked as (
  select keys.k, bool_or(t.created_at >= $2::timestamptz) as recent
    from keys join ${table} t on t.${key} = keys.k group by keys.k),
old as (
  select k from walked where k < coalesce((select min(k) from walked where recent), 9223372036854775807)),
gone as (
  delete from ${table} t using old where t.${key} = old.k and ${finished} returning 1)
select (select count(*) from gone)::int as deleted,
       (select max(k) from old) as last_key,
       exists (select 1 from walked where recent) or (select count(*) from keys) < $3 as reached`;

export interface LogPruneResult {
  deleted: Record<string, number>;
  /** false when the run stopped at its batch limit with rows possibly left */
  done: boolean;
}

/** Deletes what finished before `cutoff`, table by table, until every walk is over or the run's budget is spent. */
export async function pruneDeliveryLogs(
  db: Queryable,
  {
    cutoff,
    batchKeys = BATCH_KEYS,
    maxBatches = MAX_BATCHES_PER_RUN,
  }: { cutoff: Date; batchKeys?: number; maxBatches?: number },
): Promise<LogPruneResult> {
  const deleted: Record<string, number> = {};
  let batches = 0;
  for (const pruned of PRUNED_TABLES) {
    const sql = deleteBatchSql(pruned);
    deleted[pruned.table] = 0;
    for (let after = 0; ; ) {
      if (batches++ >= maxBatches) return { deleted, done: false };
      const { rows } = await db.query<{ deleted: number; last_key: string | null; reached: boolean }>(sql, [
        after,
        cutoff,
        batchKeys,
      ]);
      const row = rows[0];
      deleted[pruned.table] = (deleted[pruned.table] ?? 0) + (row?.deleted ?? 0);
      if (!row || row.reached || row.last_key === null) break;
      after = Number(row.last_key);
    }
  }
  return { deleted, done: true };
}

/** Registers the hourly delivery-log retention; scheduleNext() makes sure the next slot's run is queued. */
export function registerLogRetention({
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
    kind: LOG_RETENTION_JOB,
    run: async (ctx) => {
      const cutoff = new Date(ctx.clock.now().getTime() - retentionDays * DAY_MS);
      const pruned = await pruneDeliveryLogs(ctx.db, { cutoff });
      if (Object.values(pruned.deleted).some((n) => n > 0))
        logger?.info({ ...pruned, retentionDays }, 'pruned delivery logs');
      return pruned.done;
    },
  });
}
