import type { Db, Queryable } from '../db/index.js';
import type { CompletedHook, StartedCall, StartedHook } from '../telephony/telephony.service.js';
import { enqueue, type JobContext, type JobMarkedDone, type JobQueue } from './queue.js';

/**
 * What happens after a call starts and after it ends, as durable jobs.
 *
 * buildApp creates one `callLifecycle = createCallLifecycle({ jobs, db })` and pushes
 * `callLifecycle.startedHook` / `callLifecycle.onCompleted` into the telephony hooks. Then:
 *
 * - a call that ends (or is final when recorded) enqueues `call.completed` with dedupeKey
 *   `call.completed:<callId>`, with the change that closes the call (for the final status
 *   callback, in its one statement);
 * - a call that starts enqueues `call.started` (dedupeKey `call.started:<callId>`) only when an
 *   active webhook that subscribes to `call.started` would get it (its flow's own webhook when
 *   `webhook_enabled`, or one of its group or an ancestor): one INSERT ... SELECT on the
 *   carrier's hot path, skipped in memory when no webhook anywhere wants `call.started`. Its
 *   handler is registered by the webhooks module.
 *
 * The `call.completed` handler runs the completion steps in `order`:
 *
 *   callLifecycle.registerCompletionStep(name, order, async (callId, ctx) => { ... }, { when })
 *
 *   callActions = 10, emailNotify = 20, recordingCopy = 30, webhooks = 100
 *
 * `when` (optional) is an SQL condition on the call that is false when the step has nothing to do;
 * the conditions of all steps are read in one statement per attempt (CompletionStepOptions).
 *
 * `ctx` is the job context ({ db, clock, jobId, attempt }) and `last`: the last step of an attempt
 * where all before it succeeded may mark the job done in its own statement. Each attempt runs every step not yet
 * done, in order; a step that throws does not stop the steps after it (a recording that cannot be
 * fetched must not hold back the post-call webhook), and the job is then retried with back-off.
 * When a step failed, the steps that succeeded are recorded (call_completion_step, one statement)
 * and skipped on the retry, so only the failed ones run again; an attempt where every step
 * succeeds writes no record (the job's done mark says it all). A step must be idempotent: a
 * process killed mid-job runs the whole job again after the lease, and every step keeps its own
 * state (the call-action log, the notification row, the copied recording's path, the unique
 * delivery per call, webhook and event), so a step that did its work finds nothing left to do.
 */

export interface CompletionContext extends JobContext {
  /**
   * This step is the last to run in this attempt and every step before it succeeded: it may mark
   * the job done in its own last statement (`markJobDoneSql`) and return `{ markedDone: true }`,
   * which saves the job's own statement and commit.
   */
  last: boolean;
}

export type CompletionStep = (
  callId: number,
  ctx: CompletionContext,
) => Promise<JobMarkedDone | undefined> | Promise<void>;

export interface CompletionStepOptions {
  /**
   * An SQL condition on the completed call (`c`, its row of `call`; `$1` its id) that is false
   * when the step has nothing to do for it: no call action applies, nobody is to be e-mailed, no
   * recording waits to be copied. The conditions of all steps are read in one statement per
   * attempt, and a step whose condition is false is skipped as done, which saves its own reads.
   */
  when?: string;
}

/**
 * The one statement that reads every step's `when` condition for a call ($1); a call that is gone
 * answers no row, and then every step runs (each finds the call gone itself).
 */
export const completionWantedSql = (conditions: readonly string[]): string =>
  `select ${conditions.map((condition, i) => `(${condition}) as w${i}`).join(',\n       ')}
   from call c where c.call_id = $1`;

export const COMPLETION_STEP_ORDER = {
  callActions: 10,
  emailNotify: 20,
  recordingCopy: 30,
  webhooks: 100,
} as const;

/** The job a completed call enqueues; its dedupe key is `call.completed:<callId>`. */
const COMPLETED_JOB = 'call.completed';

/** How long the "does any webhook want call.started" answer is trusted without a NOTIFY. */
const SUBSCRIBERS_MAX_AGE_MS = 60_000;

/**
 * The call.started job of a call ($1), when some webhook wants it: the same targets as the fan-out
 * (webhook-delivery.ts), the webhooks of the call's group tree ($2) and the flow's own webhook
 * when enabled ($3), each only when it wants call.started. The flow version is a sub-select (see
 * TARGETS_CTES in webhook-delivery.ts).
 */
export const STARTED_JOB_SQL = `insert into job (kind, payload, dedupe_key)
 select 'call.started', jsonb_build_object('callId', $1::bigint), 'call.started:' || $1::text
  where exists (
    select 1 from org_group g join webhook w on w.group_id = any(g.path)
     where g.group_id = $2 and w.webhook_status = 'active' and 'call.started' = any(w.events))
     or ($3::boolean and exists (
    select 1 from call c
      join webhook w on w.webhook_id = (
             select (v.document->>'webhook_id')::integer from call_flow_version v
              where v.call_flow_id = c.call_flow_id and v.version = c.call_flow_version
                and coalesce((v.document->>'webhook_enabled')::boolean, false))
     where c.call_id = $1 and w.webhook_status = 'active' and 'call.started' = any(w.events)))
 on conflict (dedupe_key) do nothing`;

export function createCallLifecycle({ jobs, db }: { jobs: JobQueue; db: Db }) {
  const steps: Array<{ name: string; order: number; fn: CompletionStep; when?: string | undefined }> = [];
  /**
   * The statement that reads the steps' conditions, built when a step is registered; prepared under
   * a name per step count, as steps are only ever added.
   */
  let wanted = { sql: '', name: '', steps: [] as string[] };

  /** The names of the steps whose condition is false for the call: nothing for them to do. */
  async function stepsWithNothingToDo(q: Queryable, callId: number): Promise<Set<string>> {
    const idle = new Set<string>();
    if (wanted.steps.length === 0) return idle;
    const { rows } = await q.query<Record<string, boolean | null>>(wanted.sql, [callId], {
      prepare: wanted.name,
    });
    const row = rows[0];
    if (!row) return idle;
    for (const [i, name] of wanted.steps.entries()) if (row[`w${i}`] === false) idle.add(name);
    return idle;
  }

  /**
   * Whether any active webhook anywhere subscribes to `call.started`, so a call with no flow
   * webhook can skip the job statement (and its transaction) on the carrier's hot path. Unknown
   * or stale counts as yes; every webhook change refreshes it (NOTIFY `webhook_changed`), from any
   * process, within moments.
   */
  const subscribers = { any: undefined as boolean | undefined, loadedAt: 0, loading: false };
  const refreshSubscribers = () => {
    if (subscribers.loading) return;
    subscribers.loading = true;
    const asked = Date.now();
    db.query<{ any: boolean }>(
      `select exists (select 1 from webhook
                        where webhook_status = 'active' and 'call.started' = any(events)) as any`,
    )
      .then(({ rows }) => {
        // a NOTIFY that arrived while asking makes this answer stale: ask again
        if (subscribers.loadedAt > asked) return;
        subscribers.any = rows[0]?.any ?? true;
        subscribers.loadedAt = Date.now();
      })
      .catch(() => {
        subscribers.any = undefined;
      })
      .finally(() => {
        subscribers.loading = false;
      });
  };
  const anyStartedSubscriber = (): boolean => {
    if (subscribers.any === undefined || Date.now() - subscribers.loadedAt > SUBSCRIBERS_MAX_AGE_MS) {
      refreshSubscribers();
      return true;
    }
    return subscribers.any;
  };

  jobs.register(
    COMPLETED_JOB,
    async (payload: { callId: number }, ctx) => {
      // Steps are recorded only by an attempt that fails, so a first attempt has none to skip.
      const done = new Set<string>();
      if (ctx.attempt > 1) {
        const { rows } = await ctx.db.query<{ step_name: string }>(
          'select step_name from call_completion_step where call_id = $1',
          [payload.callId],
        );
        for (const row of rows) done.add(row.step_name);
      }
      const idle = await stepsWithNothingToDo(ctx.db, payload.callId);
      const succeeded: string[] = [];
      const failed: string[] = [];
      const toRun = steps.filter((step) => !done.has(step.name) && !idle.has(step.name));
      let markedDone = false;
      for (const [index, step] of toRun.entries()) {
        try {
          const last = index === toRun.length - 1 && failed.length === 0;
          const outcome = await step.fn(payload.callId, { ...ctx, last });
          markedDone = last && outcome?.markedDone === true;
          succeeded.push(step.name);
        } catch (error) {
          failed.push(`${step.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (markedDone) return { markedDone: true } satisfies JobMarkedDone;
      if (failed.length === 0) return;
      // One statement for every step that succeeded, so the retry runs only the failed ones.
      if (succeeded.length > 0)
        await ctx.db.query(
          `insert into call_completion_step (call_id, step_name, done_at)
           select $1, name, $3 from unnest($2::text[]) as name
           on conflict do nothing`,
          [payload.callId, succeeded, ctx.clock.now()],
        );
      throw new Error(`completion steps failed: ${failed.join('; ')}`);
    },
    { maxAttempts: 25 },
  );

  const lifecycle = {
    registerCompletionStep(
      name: string,
      order: number,
      fn: CompletionStep,
      options: CompletionStepOptions = {},
    ): void {
      if (steps.some((step) => step.name === name))
        throw new Error(`completion step ${name} registered twice`);
      steps.push({ name, order, fn, when: options.when });
      steps.sort((a, b) => a.order - b.order);
      const conditional = steps.filter((step) => step.when !== undefined);
      wanted = {
        sql: completionWantedSql(conditional.map((step) => step.when as string)),
        name: `completion_wanted_${steps.length}`,
        steps: conditional.map((step) => step.name),
      };
    },

    /** The names of the registered steps, in the order they run. */
    stepNames: (): string[] => steps.map((step) => step.name),

    /** Listens for webhook changes; resolves to a stop function. */
    async start(): Promise<() => Promise<void>> {
      const stop = await db.listen('webhook_changed', () => {
        subscribers.any = undefined;
        subscribers.loadedAt = Date.now();
        refreshSubscribers();
      });
      refreshSubscribers();
      return stop;
    },

    /**
     * Telephony `started` hook: one statement, and only when some webhook could fire; skipped in
     * memory when the flow has no webhook and no webhook anywhere wants `call.started`.
     */
    startedHook: {
      // The flow's own webhook gets call.started only when it subscribes to it too, so no webhook
      // anywhere wanting call.started means no job, whatever the flow says.
      wants: (call: StartedCall) => call.groupId !== null && anyStartedSubscriber(),
      run: (tx: Queryable, call: StartedCall): Promise<void> => lifecycle.onStarted(tx, call),
    } satisfies StartedHook,

    async onStarted(tx: Queryable, call: StartedCall): Promise<void> {
      if (call.groupId === null) return;
      await tx.query(STARTED_JOB_SQL, [call.callId, call.groupId, call.webhookEnabled]);
    },

    /**
     * Telephony `completed` hook. It only enqueues `call.completed` and says so, so the final
     * status callback closes the call and enqueues in one statement (calls.repo `finish`).
     */
    onCompleted: Object.assign(
      async (tx: Queryable, callId: number): Promise<void> => {
        await enqueue(tx, {
          kind: COMPLETED_JOB,
          payload: { callId },
          dedupeKey: `${COMPLETED_JOB}:${callId}`,
        });
      },
      { enqueues: { kind: COMPLETED_JOB } },
    ) satisfies CompletedHook,
  };
  return lifecycle;
}

export type CallLifecycle = ReturnType<typeof createCallLifecycle>;
