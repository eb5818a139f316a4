import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Db, Queryable } from '../db/index.js';
import type { Clock } from '../lib/clock.js';

/**
 * The durable job queue: a table in the same database (migration 0014), so a job is enqueued in
 * the same transaction as the change that causes it and is never lost or sent for a change that
 * rolled back.
 *
 *   enqueue(tx, { kind, payload, runAt?, dedupeKey?, priority? })   one INSERT; a repeated dedupeKey is a no-op
 *   jobs.register(kind, handler, { maxAttempts?, backoffMs? })
 *   jobs.drain()                                          runs everything due now, resolves when idle
 *
 * Runners claim due jobs with `FOR UPDATE SKIP LOCKED`, higher priority first, then oldest due,
 * as many in one statement as they have room for, and hold them for a short lease (`locked_until`)
 * that the runner renews, for all its running jobs in one statement, every third of the lease: a
 * job may run longer than the lease, and a process killed mid-job leaves a lease that expires
 * within one lease, after which the job runs again (so handlers must be idempotent). A handler may mark its own job done in its last statement (`markJobDoneSql`,
 * returning `{ markedDone: true }`) to save the runner's statement. A handler that throws is
 * retried with exponential back-off and jitter until `maxAttempts`, then the job is marked
 * failed. Runners wake on NOTIFY `job_enqueued` (sent by a trigger when the enqueuing
 * transaction commits, unless an older due job of the same kind still waits unclaimed: migration
 * 0022), look for the next job whenever one finishes, and also poll, for jobs whose `run_at`
 * arrives later. Time comes from the injected clock, so tests move it and call drain().
 */

export interface NewJob {
  kind: string;
  payload: unknown;
  runAt?: Date;
  dedupeKey?: string;
  /** claimed before due jobs of a lower priority (default 0) */
  priority?: number;
}

export interface JobContext {
  db: Db;
  clock: Clock;
  jobId: number;
  /** 1 on the first run */
  attempt: number;
}

/** What a handler may return instead of finishing: run again at `retryAt`, not counted as a failure. */
export interface JobDeferral {
  retryAt: Date;
}

/**
 * What a handler returns when its own last statement already marked the job done (with
 * `markJobDoneSql`), so the runner spends no statement on it.
 */
export interface JobMarkedDone {
  markedDone: true;
}

/**
 * The SQL that marks job `jobExpr` done at `atExpr`: the runner's own statement, and for a handler's
 * own statement (as a CTE), after which the handler returns `{ markedDone: true }`. With `from`
 * (a table or CTE name), many jobs at once: `jobExpr` and `atExpr` are then its columns.
 */
export const markJobDoneSql = (jobExpr: string, atExpr: string, from?: string) =>
  `update job set done_at = ${atExpr}, locked_until = null, last_error = null${from ? ` from ${from}` : ''}
    where job.job_id = ${jobExpr}`;

/** The runner's own statement for a job that ended ($1 the job, $2 the time). */
const JOB_DONE_SQL = markJobDoneSql('$1', '$2');

/** A handler resolves when done, or resolves to a JobDeferral to run again later. */
// biome-ignore lint/suspicious/noExplicitAny: each kind has its own payload shape
export type JobHandler<P = any> = (payload: P, ctx: JobContext) => Promise<unknown>;

export interface JobKindOptions {
  /** runs before the job is marked failed (default 20) */
  maxAttempts?: number;
  /** delay before retry number `attempt` (1-based); default exponentialBackoffMs */
  backoffMs?: (attempt: number) => number;
}

export interface JobQueueOptions {
  db: Db;
  clock: Clock;
  logger?: FastifyBaseLogger;
  /** how often an idle runner looks for due jobs; 0 turns the background runner off (drain() only) */
  pollIntervalMs: number;
  /**
   * how long a claimed job is held before another runner may take it again; renewed every third
   * of it while the job runs, so it bounds how long the jobs of a dead process wait
   */
  leaseMs: number;
  /** jobs one process runs at the same time */
  concurrency: number;
}

/** A job claimed by this runner, as the claim statement returns it. */
export interface ClaimedJob {
  job_id: number;
  kind: string;
  payload: unknown;
  attempts: number;
  priority: number;
  /**
   * The row version the claim wrote (`xmin`). Something that wakes the job while it runs (sets
   * its run_at, as releaseWaitingSql in webhook-delivery.ts does) writes a newer one, and a
   * deferral that finds it keeps that wake-up instead of its own later time.
   */
  version: string;
}

/**
 * Exponential back-off with "equal jitter": half the delay is fixed, half random, so retries of
 * many jobs that failed together spread out. 1 s, 2 s, 4 s ... capped at one hour.
 */
export function exponentialBackoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(3_600_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** The columns of `job` an enqueue may set after its kind, payload and dedupe key. */
export type JobInsertColumn = 'run_at' | 'priority' | 'attempts' | 'locked_until' | 'claimed_by';

/**
 * The one statement that adds jobs; nothing else writes new rows to `job`. `rows` is a VALUES
 * list or a SELECT yielding kind, payload and dedupe_key, then `columns` in their order. A dedupe
 * key seen before adds nothing (unless `onConflict` says otherwise). Callers that enqueue in the
 * statement that causes the jobs (closing a call, a webhook fan-out) embed it as a CTE; everyone
 * else calls `enqueue`.
 */
export function insertJobsSql(
  rows: string,
  options: { columns?: readonly JobInsertColumn[]; onConflict?: string; returning?: string } = {},
): string {
  const columns = ['kind', 'payload', 'dedupe_key', ...(options.columns ?? [])].join(', ');
  return `insert into job (${columns})
       ${rows}
       on conflict (dedupe_key) ${options.onConflict ?? 'do nothing'}${options.returning ? `\n       returning ${options.returning}` : ''}`;
}

const ENQUEUE_SQL = insertJobsSql('values ($1, $2, $4, $3, $5)', { columns: ['run_at', 'priority'] });

/**
 * Adds a job in the caller's transaction. Without runAt it is due at once (run_at null, so it
 * does not depend on whose clock is right). With a dedupeKey seen before, nothing happens.
 */
export async function enqueue(q: Queryable, job: NewJob): Promise<void> {
  await q.query(ENQUEUE_SQL, [
    job.kind,
    JSON.stringify(job.payload ?? {}),
    job.runAt ?? null,
    job.dedupeKey ?? null,
    job.priority ?? 0,
  ]);
}

/**
 * Adds a job, or, when a job with its dedupeKey is still to run, moves that job to the new
 * `runAt`: for a job whose time its cause may change (a scheduled report's send time).
 */
export async function enqueueOrReschedule(q: Queryable, job: NewJob & { dedupeKey: string }): Promise<void> {
  await q.query(
    `insert into job (kind, payload, run_at, dedupe_key, priority) values ($1, $2, $3, $4, $5)
     on conflict (dedupe_key) do update set run_at = excluded.run_at
       where job.done_at is null and job.failed_at is null and job.run_at is distinct from excluded.run_at`,
    [job.kind, JSON.stringify(job.payload ?? {}), job.runAt ?? null, job.dedupeKey, job.priority ?? 0],
  );
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

export function createJobQueue({ db, clock, logger, pollIntervalMs, leaseMs, concurrency }: JobQueueOptions) {
  const handlers = new Map<string, { handler: JobHandler; options: JobKindOptions }>();
  const running = new Set<Promise<void>>();
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  let pumping: Promise<void> | undefined;
  let wakeAgain = false;

  /** One id per process, so a job it claimed says by whom. */
  const runnerId = randomUUID();

  /** The jobs this runner is running, whose leases it renews. */
  const held = new Set<number>();
  let heartbeat: NodeJS.Timeout | undefined;
  let renewing = false;

  /** Extends the lease of every job this runner is running, in one statement. */
  async function renewLeases(): Promise<void> {
    if (renewing || held.size === 0) return;
    renewing = true;
    const jobIds = [...held];
    try {
      const { rows } = await db.query<{ job_id: number }>(
        `update job set locked_until = $2
          where job_id = any($1::bigint[]) and claimed_by = $3 and locked_until is not null
            and done_at is null and failed_at is null
          returning job_id`,
        [jobIds, new Date(clock.now().getTime() + leaseMs), runnerId],
        { prepare: 'job_renew_leases' },
      );
      if (rows.length < jobIds.length) {
        const renewed = new Set(rows.map((row) => Number(row.job_id)));
        // Finished meanwhile, or (after a stall longer than the lease) claimed by another runner.
        const lost = jobIds.filter((id) => held.has(id) && !renewed.has(id));
        if (lost.length > 0) logger?.warn({ jobIds: lost }, 'job lease not renewed');
      }
    } catch (err) {
      logger?.warn({ err }, 'job leases could not be renewed');
    } finally {
      renewing = false;
    }
  }

  function hold(jobId: number): void {
    held.add(jobId);
    if (heartbeat) return;
    heartbeat = setInterval(() => void renewLeases(), Math.max(100, Math.floor(leaseMs / 3)));
    heartbeat.unref();
  }

  function release(jobId: number): void {
    held.delete(jobId);
    if (held.size > 0 || !heartbeat) return;
    clearInterval(heartbeat);
    heartbeat = undefined;
  }

  /**
   * Claims up to `limit` due jobs of the registered kinds for this runner in one statement,
   * higher priority first, then oldest due first.
   */
  async function claim(limit: number): Promise<ClaimedJob[]> {
    const kinds = [...handlers.keys()];
    if (kinds.length === 0 || limit <= 0) return [];
    const now = clock.now();
    const { rows } = await db.query<ClaimedJob>(
      `with picked as (
         select job_id from job
          where done_at is null and failed_at is null and (run_at is null or run_at <= $1)
            and (locked_until is null or locked_until <= $1) and kind = any($4::text[])
          order by priority desc, run_at nulls first, job_id
          limit $5
          for update skip locked)
       update job j set attempts = j.attempts + 1, locked_until = $2, claimed_by = $3
         from picked where j.job_id = picked.job_id
       returning j.job_id, j.kind, j.payload, j.attempts, j.priority, j.xmin::text as version`,
      [now, new Date(now.getTime() + leaseMs), runnerId, kinds, limit],
      { prepare: 'job_claim' },
    );
    // in claim order: the statement returns them in no particular order
    return rows.sort((a, b) => b.priority - a.priority || a.job_id - b.job_id);
  }

  /** A job no handler here runs (handed to runClaimed, or its kind unregistered): failed, never left leased. */
  async function failUnhandled(job: ClaimedJob): Promise<void> {
    const reason = `no handler for job kind ${job.kind}`;
    logger?.error({ jobId: job.job_id, kind: job.kind }, reason);
    await db.query('update job set failed_at = $2, locked_until = null, last_error = $3 where job_id = $1', [
      job.job_id,
      clock.now(),
      reason,
    ]);
  }

  async function run(job: ClaimedJob): Promise<void> {
    const entry = handlers.get(job.kind);
    if (!entry) return failUnhandled(job);
    const { handler, options } = entry;
    hold(job.job_id);
    try {
      const outcome = await handler(job.payload, { db, clock, jobId: job.job_id, attempt: job.attempts });
      const retryAt = (outcome as Partial<JobDeferral> | undefined)?.retryAt;
      if ((outcome as Partial<JobMarkedDone> | undefined)?.markedDone === true) {
        // the handler's own statement did it
      } else if (retryAt instanceof Date) {
        // Unless it was woken while it ran (a newer row version): then it runs again at once,
        // else the wake-up would be lost and the job wait the whole deferral.
        await db.query(
          `update job set run_at = case when xmin::text = $3 then $2 else run_at end,
                          attempts = attempts - 1, locked_until = null, claimed_by = null
            where job_id = $1`,
          [job.job_id, retryAt, job.version],
        );
      } else {
        await db.query(JOB_DONE_SQL, [job.job_id, clock.now()], { prepare: 'job_done' });
      }
    } catch (error) {
      const maxAttempts = options.maxAttempts ?? 20;
      const message = errorText(error);
      if (job.attempts >= maxAttempts) {
        logger?.error({ err: error, jobId: job.job_id, kind: job.kind }, 'job failed for good');
        await db.query(
          'update job set failed_at = $2, locked_until = null, last_error = $3 where job_id = $1',
          [job.job_id, clock.now(), message],
        );
      } else {
        const delay = (options.backoffMs ?? exponentialBackoffMs)(job.attempts);
        logger?.warn({ err: error, jobId: job.job_id, kind: job.kind }, 'job failed; will retry');
        await db.query('update job set run_at = $2, locked_until = null, last_error = $3 where job_id = $1', [
          job.job_id,
          new Date(clock.now().getTime() + delay),
          message,
        ]);
      }
    } finally {
      release(job.job_id);
    }
  }

  /** Runs a claimed job in the background; when it finishes, looks for the next. */
  function start(job: ClaimedJob): void {
    const task: Promise<void> = run(job)
      .catch((err) => logger?.error({ err }, 'job bookkeeping failed'))
      .finally(() => {
        running.delete(task);
        if (!stopped) void pump();
      });
    running.add(task);
  }

  /** Runs due jobs, up to `concurrency` at once; each finished job looks for the next. */
  function pump(): Promise<void> {
    if (pumping) {
      wakeAgain = true;
      return pumping;
    }
    const current: Promise<void> = (async () => {
      try {
        do {
          wakeAgain = false;
          while (!stopped && running.size < concurrency) {
            // as many as there is room for, in one statement
            const claimed = await claim(concurrency - running.size);
            if (claimed.length === 0) break;
            if (stopped) {
              // Claimed while stopping: hand them back untouched instead of running them.
              await db.query(
                `update job set attempts = attempts - 1, locked_until = null, claimed_by = null
                  where job_id = any($1::bigint[])`,
                [claimed.map((job) => job.job_id)],
              );
              break;
            }
            for (const job of claimed) start(job);
          }
        } while (wakeAgain && !stopped && running.size < concurrency);
      } catch (error) {
        if (!stopped) logger?.error({ err: error }, 'job runner could not claim');
      }
    })().finally(() => {
      // Runs after the assignment below even when the body finished without awaiting anything.
      if (pumping !== current) return;
      pumping = undefined;
      // A job finished (or a NOTIFY came) after the last look: look again.
      if (wakeAgain && !stopped) void pump();
    });
    pumping = current;
    return current;
  }

  function schedule() {
    if (stopped || pollIntervalMs <= 0) return;
    timer = setTimeout(() => {
      void pump().finally(schedule);
    }, pollIntervalMs);
    // A waiting poll never keeps the process (or a test run) alive.
    timer.unref();
  }

  return {
    register(kind: string, handler: JobHandler, options: JobKindOptions = {}): void {
      handlers.set(kind, { handler, options });
    },

    enqueue,

    /**
     * For a handler that inserts jobs already claimed by this runner, to run them at once
     * (`runClaimed`) instead of waiting for a claim: the values of their `attempts`,
     * `locked_until` and `claimed_by` columns. Such a job sends no NOTIFY (migration 0024), no
     * other runner takes it while the lease lasts, and a process killed before it finishes leaves
     * a lease that expires, as for any claimed job.
     */
    claimedNow(): { attempts: number; lockedUntil: Date; claimedBy: string } {
      return { attempts: 1, lockedUntil: new Date(clock.now().getTime() + leaseMs), claimedBy: runnerId };
    },

    /**
     * Runs jobs inserted with `claimedNow()` (and committed) in the background, as if claimed by
     * this runner; stop() and drain() wait for them.
     */
    runClaimed(jobs: ClaimedJob[]): void {
      for (const job of jobs) start(job);
    },

    /** Starts the background runner (no-op when pollIntervalMs is 0). */
    async start(): Promise<void> {
      if (pollIntervalMs <= 0 || !stopped) return;
      stopped = false;
      unlisten = await db.listen('job_enqueued', () => {
        if (!stopped) void pump();
      });
      void pump();
      schedule();
    },

    /** Stops claiming; jobs already running finish first. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await unlisten?.();
      unlisten = undefined;
      await pumping;
      // a running job may hand over jobs it claimed (runClaimed) until the last one ends
      while (running.size > 0) await Promise.allSettled([...running]);
    },

    /**
     * Runs, one after another, every job due at the clock's now (including the ones they
     * enqueue), and resolves when nothing is due and nothing runs, background jobs included.
     */
    async drain(): Promise<number> {
      let count = 0;
      for (;;) {
        // one at a time, in claim order
        const [job] = await claim(1);
        if (job) {
          await run(job);
          count += 1;
        } else if (running.size > 0 || pumping) {
          await pumping;
          await Promise.allSettled([...running]);
        } else break;
      }
      return count;
    },
  };
}

export type JobQueue = ReturnType<typeof createJobQueue>;
