import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { JOB_RETENTION_JOB, pruneFinishedJobs } from '../../src/jobs/job-retention.js';
import { createTestContext, type TestContext } from '../helpers/app.js';

/**
 * Job retention: the hourly job deletes jobs that finished more than JOB_RETENTION_DAYS ago (14,
 * the default) and keeps unfinished ones however old, recent ones, and the queue's own chain. The
 * job runs through jobs.drain() on the test clock; the jobs it judges are written with their times,
 * in the order of their creation.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0' });
  // The walk follows job ids, which follow created_at, which the database stamps with its own
  // clock; the test clock starts in the past. Set ahead of the database's clock, it keeps the jobs
  // the app queued at start before the jobs the tests write, as they would be in production.
  ctx.clock.set(new Date(Date.now() + 60 * DAY));
});
afterAll(() => ctx.close());

/** Inserts jobs of kind `test.retention.<label>` created at `createdAt`, finished as asked. */
async function jobs(
  label: string,
  count: number,
  createdAt: Date,
  finished: { doneAt?: Date; failedAt?: Date },
): Promise<void> {
  await ctx.db.query(
    `insert into job (kind, payload, dedupe_key, created_at, done_at, failed_at, last_error)
     select 'test.retention.' || $1, '{}', 'test.retention.' || $1 || ':' || i, $3, $4, $5,
            case when $5::timestamptz is not null then 'failed for good' end
       from generate_series(1, $2::int) as i`,
    [label, count, createdAt, finished.doneAt ?? null, finished.failedAt ?? null],
  );
}

async function counts(): Promise<Record<string, number>> {
  const { rows } = await ctx.db.query<{ kind: string; n: number }>(
    `select kind, count(*)::int as n from job where kind like 'test.retention.%' group by kind order by kind`,
  );
  return Object.fromEntries(rows.map((row) => [row.kind.slice('test.retention.'.length), row.n]));
}

async function clear(): Promise<void> {
  await ctx.db.query(`delete from job where kind like 'test.retention.%'`);
}

describe('the job retention', () => {
  it('deletes jobs done or failed before the retention, and keeps unfinished, recent and just-kept ones', async () => {
    await clear();
    const now = ctx.clock.now().getTime();
    const old = new Date(now - 20 * DAY);
    await jobs('done-old', 3, old, { doneAt: new Date(now - 19 * DAY) });
    await jobs('failed-old', 2, old, { failedAt: new Date(now - 18 * DAY) });
    await jobs('unfinished-old', 2, old, {});
    await jobs('done-inside', 2, old, { doneAt: new Date(now - 13 * DAY) });
    await jobs('done-recent', 2, new Date(now - HOUR), { doneAt: new Date(now - HOUR / 2) });

    // the hourly run does it: the clock moves to the next slot and the queue runs what is due
    const slot = Math.floor(now / HOUR) * HOUR + HOUR;
    ctx.clock.set(new Date(slot));
    await ctx.app.services.jobs.drain();

    expect(await counts()).toEqual({ 'done-inside': 2, 'done-recent': 2, 'unfinished-old': 2 });
    const { rows } = await ctx.db.query<{ run_at: Date }>(
      'select run_at from job where kind = $1 and done_at is null and failed_at is null',
      [JOB_RETENTION_JOB],
    );
    expect(rows.map((row) => row.run_at)).toEqual([new Date(slot + HOUR)]);
  });

  it('walks a backlog in batches, across runs when one run stops at its limit, and stops at the first recent job', async () => {
    // on a table holding nothing else, so the batches read only these rows
    await ctx.db.query('delete from job');
    const now = ctx.clock.now().getTime();
    const cutoff = new Date(now - 14 * DAY);
    await jobs('backlog', 25, new Date(now - 30 * DAY), { doneAt: new Date(now - 29 * DAY) });
    await jobs('unfinished', 3, new Date(now - 30 * DAY), {});
    // created after the cutoff: the walk ends here, even at a job that finished long ago by its
    // done_at (a clock set back), which is judged in a later run
    await jobs('recent', 4, new Date(now - DAY), { doneAt: new Date(now - DAY) });

    const first = await pruneFinishedJobs(ctx.db, { cutoff, batchRows: 10, maxBatches: 2 });
    expect(first).toEqual({ deleted: 20, done: false });
    expect(await counts()).toEqual({ backlog: 5, recent: 4, unfinished: 3 });
    const second = await pruneFinishedJobs(ctx.db, { cutoff, batchRows: 10, maxBatches: 2 });
    expect(second).toEqual({ deleted: 5, done: true });
    expect(await counts()).toEqual({ recent: 4, unfinished: 3 });
    // nothing left to delete: one batch reads to the first recent job and ends the walk
    expect(await pruneFinishedJobs(ctx.db, { cutoff, batchRows: 10, maxBatches: 2 })).toEqual({
      deleted: 0,
      done: true,
    });
  });

  it('lets a dedupe key of a deleted job be enqueued again, and keeps it while the job is kept', async () => {
    await clear();
    const now = ctx.clock.now().getTime();
    await jobs('key', 1, new Date(now - 20 * DAY), { doneAt: new Date(now - 20 * DAY) });
    const enqueueAgain = () =>
      ctx.db.query(
        `insert into job (kind, payload, dedupe_key) values ('test.retention.key', '{}', 'test.retention.key:1')
         on conflict (dedupe_key) do nothing`,
      );
    expect((await enqueueAgain()).rowCount).toBe(0);
    await pruneFinishedJobs(ctx.db, { cutoff: new Date(now - 14 * DAY) });
    expect(await counts()).toEqual({});
    expect((await enqueueAgain()).rowCount).toBe(1);
    await clear();
  });
});

describe('JOB_RETENTION_DAYS', () => {
  it('defaults to 14 days and refuses less than one', () => {
    expect(loadConfig({}).JOB_RETENTION_DAYS).toBe(14);
    expect(loadConfig({ JOB_RETENTION_DAYS: '30' }).JOB_RETENTION_DAYS).toBe(30);
    expect(() => loadConfig({ JOB_RETENTION_DAYS: '0' })).toThrow(ConfigError);
  });
});
