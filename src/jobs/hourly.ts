import type { Queryable } from '../db/index.js';
import type { Clock } from '../lib/clock.js';
import { enqueue, type JobContext, type JobDeferral, type JobQueue } from './queue.js';

/** How often an hourly job runs, once across all processes. */
export const HOURLY_MS = 3_600_000;

/** The start of the slot (of `intervalMs`, counted from the epoch) after `now`. */
const nextSlot = (now: Date, intervalMs: number) =>
  new Date((Math.floor(now.getTime() / intervalMs) + 1) * intervalMs);

/**
 * A job that runs once per hour across all processes (the retention jobs). Each run first
 * enqueues the next one for the next hour slot under the dedupe key of that slot
 * (`<kind>:<slot ISO time>`), so whichever process runs it, and however many start, there is one
 * job per slot; a run that fails does not end the chain. `scheduleNext()` (from onReady) enqueues
 * the next slot too, which starts the chain on a new database and is a no-op everywhere else.
 * `run` answers false when it stopped with work left: a new run is then due at once (a deferral),
 * so a backlog never holds one job for long.
 */
export function registerHourlyJob(options: PeriodicJobOptions): {
  scheduleNext: (q?: Queryable) => Promise<void>;
} {
  return registerPeriodicJob({ ...options, intervalMs: HOURLY_MS });
}

export interface PeriodicJobOptions {
  db: Queryable;
  clock: Clock;
  jobs: JobQueue;
  kind: string;
  run: (ctx: JobContext) => Promise<boolean>;
}

/**
 * registerHourlyJob with a slot of any length (`intervalMs`, slots counted from the epoch, so a
 * divisor of an hour starts on the hour): once per slot across all processes, the same way.
 */
export function registerPeriodicJob({
  db,
  clock,
  jobs,
  kind,
  run,
  intervalMs,
}: PeriodicJobOptions & { intervalMs: number }): { scheduleNext: (q?: Queryable) => Promise<void> } {
  async function scheduleNext(q: Queryable = db): Promise<void> {
    const runAt = nextSlot(clock.now(), intervalMs);
    await enqueue(q, { kind, payload: {}, runAt, dedupeKey: `${kind}:${runAt.toISOString()}` });
  }

  jobs.register(kind, async (_payload, ctx): Promise<JobDeferral | undefined> => {
    await scheduleNext(ctx.db);
    const done = await run(ctx);
    return done ? undefined : { retryAt: ctx.clock.now() };
  });

  return { scheduleNext };
}
