import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTEN_APPLICATION_NAME } from '../../src/db/postgres.js';
import { createJobQueue, enqueue } from '../../src/jobs/queue.js';
import { systemClock } from '../../src/lib/clock.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testEngine } from '../helpers/db.js';
import { until } from '../helpers/wait.js';

/** The durable job queue on a real database: transactions, de-duplication, retries, the runner. */
let ctx: TestContext;

beforeAll(async () => {
  // A poll far away: only the NOTIFY of an enqueue can wake the runner within a test.
  ctx = await createTestContext({ JOBS_POLL_INTERVAL_MS: '600000', JOBS_CONCURRENCY: '2' });
});
afterAll(() => ctx.close());

const jobs = () => ctx.app.services.jobs;

describe('enqueue', () => {
  it('runs a job enqueued in a committed transaction, woken by NOTIFY, and never one rolled back', async () => {
    const seen: string[] = [];
    jobs().register('test.notify', async (payload: { name: string }) => {
      seen.push(payload.name);
    });
    await ctx.db
      .transaction(async (tx) => {
        await enqueue(tx, { kind: 'test.notify', payload: { name: 'rolled back' } });
        throw new Error('roll back');
      })
      .catch(() => {});
    await ctx.db.transaction((tx) => enqueue(tx, { kind: 'test.notify', payload: { name: 'committed' } }));
    await until('the committed job', () => seen.length > 0);
    await jobs().drain();
    expect(seen).toEqual(['committed']);
  });

  it('ignores a second enqueue with the same dedupe key, also after the first has run', async () => {
    const seen: number[] = [];
    jobs().register('test.dedupe', async (payload: { n: number }) => {
      seen.push(payload.n);
    });
    await enqueue(ctx.db, { kind: 'test.dedupe', payload: { n: 1 }, dedupeKey: 'test.dedupe:a' });
    await enqueue(ctx.db, { kind: 'test.dedupe', payload: { n: 2 }, dedupeKey: 'test.dedupe:a' });
    await until('the first job', () => seen.length > 0);
    await enqueue(ctx.db, { kind: 'test.dedupe', payload: { n: 3 }, dedupeKey: 'test.dedupe:a' });
    await jobs().drain();
    expect(seen).toEqual([1]);
  });

  it('waits for run_at on the injected clock', async () => {
    const seen: string[] = [];
    jobs().register('test.later', async () => {
      seen.push('ran');
    });
    await enqueue(ctx.db, {
      kind: 'test.later',
      payload: {},
      runAt: new Date(ctx.clock.now().getTime() + 60_000),
    });
    expect(await jobs().drain()).toBe(0);
    ctx.clock.advance(60_000);
    expect(await jobs().drain()).toBe(1);
    expect(seen).toEqual(['ran']);
  });
});

describe('the LISTEN connection', () => {
  it.runIf(testEngine() === 'postgres')(
    'wakes the runner for a job enqueued after PostgreSQL terminated its LISTEN session',
    async () => {
      const seen: string[] = [];
      jobs().register('test.relisten', async (payload: { name: string }) => {
        seen.push(payload.name);
      });
      const { rows } = await ctx.db.query<{ ended: boolean }>(
        `select pg_terminate_backend(pid) as ended from pg_stat_activity
          where datname = current_database() and application_name = $1`,
        [LISTEN_APPLICATION_NAME],
      );
      expect(rows).toEqual([{ ended: true }]);
      // The poll is ten minutes away: only a LISTEN session that came back can wake the runner,
      // by the job's own NOTIFY or by the catch-up that follows the reconnect.
      await enqueue(ctx.db, { kind: 'test.relisten', payload: { name: 'after the drop' } });
      await until('the job enqueued after the drop', () => seen.length > 0);
      expect(seen).toEqual(['after the drop']);
    },
  );
});

describe('drain', () => {
  it('also waits for jobs the background runner took, and for the jobs they enqueue', async () => {
    const seen: string[] = [];
    jobs().register('test.first', async (_payload, { db }) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await enqueue(db, { kind: 'test.second', payload: {} });
      seen.push('first');
    });
    jobs().register('test.second', async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen.push('second');
    });
    await enqueue(ctx.db, { kind: 'test.first', payload: {} });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await jobs().drain();
    expect(seen).toEqual(['first', 'second']);
  });
});

describe('jobs inserted already claimed', () => {
  it('runs them at once through runClaimed, under the handler bookkeeping, and drain waits for them', async () => {
    const seen: number[] = [];
    jobs().register(
      'test.claimed',
      async (payload: { n: number }, { attempt }) => {
        if (payload.n === 2) throw new Error('refused');
        seen.push(attempt);
      },
      // a failure is final here, so no retry is left behind for the tests after
      { maxAttempts: 1 },
    );
    const claim = jobs().claimedNow();
    const { rows } = await ctx.db.query<{
      job_id: number;
      kind: string;
      payload: unknown;
      attempts: number;
      priority: number;
      version: string;
    }>(
      `insert into job (kind, payload, attempts, locked_until, claimed_by)
       select 'test.claimed', jsonb_build_object('n', n), $1, $2, $3 from unnest(array[1, 2]) as n
       returning job_id, kind, payload, attempts, priority, xmin::text as version`,
      [claim.attempts, claim.lockedUntil, claim.claimedBy],
    );
    jobs().runClaimed(rows);
    // no other claim takes them: drain runs nothing itself, and waits for both
    expect(await jobs().drain()).toBe(0);
    expect(seen).toEqual([1]);
    const { rows: after } = await ctx.db.query<{ done: boolean; failed: boolean; last_error: string | null }>(
      `select done_at is not null as done, failed_at is not null and locked_until is null as failed, last_error
         from job where job_id = any($1::bigint[]) order by job_id`,
      [rows.map((row) => row.job_id)],
    );
    expect(after).toEqual([
      { done: true, failed: false, last_error: null },
      { done: false, failed: true, last_error: 'refused' },
    ]);
  });

  it('fails a job whose kind has no handler, saying so, instead of leaving it leased', async () => {
    const claim = jobs().claimedNow();
    const { rows } = await ctx.db.query<{
      job_id: number;
      kind: string;
      payload: unknown;
      attempts: number;
      priority: number;
      version: string;
    }>(
      `insert into job (kind, payload, attempts, locked_until, claimed_by)
       values ('test.nobody', '{}', $1, $2, $3)
       returning job_id, kind, payload, attempts, priority, xmin::text as version`,
      [claim.attempts, claim.lockedUntil, claim.claimedBy],
    );
    jobs().runClaimed(rows);
    await jobs().drain();
    const { rows: after } = await ctx.db.query<{
      failed: boolean;
      leased: boolean;
      last_error: string | null;
    }>(
      `select failed_at is not null as failed, locked_until is not null as leased, last_error
         from job where job_id = $1`,
      [rows[0]?.job_id],
    );
    expect(after).toEqual([
      { failed: true, leased: false, last_error: 'no handler for job kind test.nobody' },
    ]);
  });

  it('sends no NOTIFY for a job inserted claimed, and one for a job left to the runners', async () => {
    const heard: string[] = [];
    const unlisten = await ctx.db.listen('job_enqueued', (kind) => heard.push(kind));
    try {
      const claim = jobs().claimedNow();
      await ctx.db.query(
        `insert into job (kind, payload, attempts, locked_until, claimed_by)
         values ('test.claimed-quiet', '{}', $1, $2, $3)`,
        [claim.attempts, claim.lockedUntil, claim.claimedBy],
      );
      await enqueue(ctx.db, { kind: 'test.unclaimed-loud', payload: {}, runAt: new Date(0) });
      await until('the NOTIFY of the unclaimed job', () => heard.includes('test.unclaimed-loud'));
      expect(heard).not.toContain('test.claimed-quiet');
    } finally {
      await unlisten();
      await ctx.db.query(`delete from job where kind in ('test.claimed-quiet', 'test.unclaimed-loud')`);
    }
  });
});

describe('deferral', () => {
  it('keeps a wake-up that came while the job ran: the job runs again at once, not at its retryAt', async () => {
    const runs: number[] = [];
    jobs().register('test.woken', async (_payload, { jobId }) => {
      runs.push(jobId);
      if (runs.length > 1) return undefined;
      // what releaseWaitingSql does when what the job waits for ends during this run
      await ctx.db.query('update job set run_at = $2 where job_id = $1', [jobId, ctx.clock.now()]);
      return { retryAt: new Date(ctx.clock.now().getTime() + 3_600_000) };
    });
    await enqueue(ctx.db, { kind: 'test.woken', payload: {} });
    await jobs().drain();
    expect(runs).toHaveLength(2);
  });

  it('waits until retryAt when nothing woke it', async () => {
    const runs: number[] = [];
    jobs().register('test.deferred', async (_payload, { jobId }) => {
      runs.push(jobId);
      return runs.length > 1 ? undefined : { retryAt: new Date(ctx.clock.now().getTime() + 60_000) };
    });
    await enqueue(ctx.db, { kind: 'test.deferred', payload: {} });
    await jobs().drain();
    expect(runs).toHaveLength(1);
    ctx.clock.advance(60_000);
    await jobs().drain();
    expect(runs).toHaveLength(2);
  });
});

describe('failures', () => {
  it('retries with back-off and marks the job failed after maxAttempts, keeping the last error', async () => {
    let calls = 0;
    jobs().register(
      'test.fail',
      async () => {
        calls += 1;
        throw new Error(`failure ${calls}`);
      },
      { maxAttempts: 3, backoffMs: (attempt) => attempt * 1000 },
    );
    await enqueue(ctx.db, { kind: 'test.fail', payload: {}, dedupeKey: 'test.fail:1' });
    await until('the first attempt', () => calls === 1);
    await jobs().drain();
    expect(calls).toBe(1);
    ctx.clock.advance(999);
    await jobs().drain();
    expect(calls).toBe(1);
    ctx.clock.advance(1);
    await jobs().drain();
    expect(calls).toBe(2);
    ctx.clock.advance(2000);
    await jobs().drain();
    expect(calls).toBe(3);
    const { rows } = await ctx.db.query<{ attempts: number; last_error: string; failed: boolean }>(
      `select attempts, last_error, failed_at is not null as failed from job where dedupe_key = 'test.fail:1'`,
    );
    expect(rows[0]).toEqual({ attempts: 3, last_error: 'failure 3', failed: true });
    ctx.clock.advance(3_600_000);
    await jobs().drain();
    expect(calls).toBe(3);
  });

  it('runs a job again once the lease of a runner that died has expired', async () => {
    const seen: number[] = [];
    jobs().register('test.lease', async (_payload, { attempt }) => {
      seen.push(attempt);
    });
    // a runner elsewhere claimed it (attempt 1) and died without finishing
    await ctx.db.query(
      `insert into job (kind, payload, attempts, locked_until, claimed_by)
       values ('test.lease', '{}', 1, $1, 'dead-runner')`,
      [new Date(ctx.clock.now().getTime() + 300_000)],
    );
    expect(await jobs().drain()).toBe(0);
    ctx.clock.advance(300_000);
    expect(await jobs().drain()).toBe(1);
    expect(seen).toEqual([2]);
  });
});

describe('leases', () => {
  it('renews the lease of a job that runs longer than it, so another runner never takes it meanwhile', async () => {
    // Two runners on the real clock, as two processes would be: a 1.5 s lease, a 4 s job.
    const LEASE_MS = 1500;
    const runners = [0, 1].map(() =>
      createJobQueue({
        db: ctx.db,
        clock: systemClock,
        pollIntervalMs: 50,
        leaseMs: LEASE_MS,
        concurrency: 1,
      }),
    );
    const starts: number[] = [];
    for (const [index, runner] of runners.entries())
      runner.register('test.long', async () => {
        starts.push(index);
        await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 2.7));
      });
    await runners[0]?.start();
    await enqueue(ctx.db, { kind: 'test.long', payload: {} });
    await until('the long job to start', () => starts.length > 0);
    await runners[1]?.start();
    try {
      // past the lease's end, with the second runner polling every 50 ms
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 2.5));
      expect(starts).toEqual([0]);
    } finally {
      for (const runner of runners) await runner.stop();
    }
    const { rows } = await ctx.db.query<{ done: boolean; attempts: number }>(
      `select done_at is not null as done, attempts from job where kind = 'test.long'`,
    );
    expect(rows).toEqual([{ done: true, attempts: 1 }]);
  });
});

describe('stop', () => {
  it('lets the running job finish and claims nothing after', async () => {
    const own = await createTestContext({ JOBS_POLL_INTERVAL_MS: '50' });
    try {
      let release: () => void = () => {};
      let started = false;
      const finished: string[] = [];
      own.app.services.jobs.register('test.slow', async (payload: { name: string }) => {
        if (payload.name === 'slow') {
          started = true;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        }
        finished.push(payload.name);
      });
      await enqueue(own.db, { kind: 'test.slow', payload: { name: 'slow' } });
      await until('the slow job to start', () => started);
      const stopping = own.app.services.jobs.stop();
      await enqueue(own.db, { kind: 'test.slow', payload: { name: 'after stop' } });
      release();
      await stopping;
      expect(finished).toEqual(['slow']);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(finished).toEqual(['slow']);
      const done = await own.db.query<{ done: boolean }>(
        `select done_at is not null as done from job where kind = 'test.slow' order by job_id`,
      );
      expect(done.rows.map((r) => r.done)).toEqual([true, false]);
    } finally {
      await own.close();
    }
  });
});
