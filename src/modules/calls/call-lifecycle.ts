import type { Db, Queryable } from '../../db/index.js';
import {
  enqueue,
  insertJobsSql,
  type JobContext,
  type JobMarkedDone,
  type JobQueue,
} from '../../jobs/queue.js';
import { createMaxAgeMap } from '../../lib/max-age-map.js';

/** A call as it was first recorded, handed to the lifecycle hooks. */
export interface StartedCall {
  callId: number;
  callFlowId: number | null;
  groupId: number | null;
  trackingNumber: string;
  callerNumber: string;
  startedAt: Date;
  disposition: string;
  /** the flow's number pool holds the tracking number (dynamic number insertion) */
  isPoolNumber: boolean;
  webhookEnabled: boolean;
}

/**
 * What other modules do when a call starts or ends. Each hook runs inside the transaction that
 * records the change, so what it writes (a queued job, an attribution row) commits with the call
 * or not at all. Hooks must stay cheap: they run on the carrier's webhook path.
 */
export interface StartedHook {
  /** Decided in memory: does this hook write anything for the call? */
  wants: (call: StartedCall) => boolean;
  run: (tx: Queryable, call: StartedCall) => Promise<void>;
}

/**
 * A job of a call's post-call work: the hook enqueues `{ kind, payload: { callId }, dedupeKey:
 * '<kind>:<callId>' }` in the caller's transaction, and says so (`enqueues`), so a final status
 * callback closes the call and enqueues in one statement, and can delay the job until the
 * carrier's last result is in (see `status`).
 */
export type CompletedHook = ((tx: Queryable, callId: number) => Promise<void>) & {
  enqueues: { kind: string };
};

export interface CallLifecycleHooks {
  started: StartedHook[];
  /** the post-call work: run once, when the call is final */
  completed: CompletedHook[];
  /** what a carrier result that changes a call after its post-call work began enqueues */
  updated: CompletedHook[];
}

/**
 * What happens after a call starts and after it ends, as durable jobs.
 *
 * buildApp creates one `callLifecycle = createCallLifecycle({ jobs, db })` and pushes
 * `callLifecycle.startedHook` / `onCompleted` / `onUpdated` into the telephony hooks. Then:
 *
 * - a call that ends (or is final when recorded) enqueues `call.completed` with dedupeKey
 *   `call.completed:<callId>`, with the change that closes the call (for the final status
 *   callback, in its one statement). A call whose dial or recording result is still to come when
 *   the final status arrives is not final: its job is due when that result arrives, or after the
 *   settle window (CALL_SETTLE_WINDOW_SECONDS) if it never does (telephony.service.ts `status`);
 * - a result that arrives after the job began and changes the call (its disposition, a
 *   recording) enqueues `call.updated` (dedupeKey `call.updated:<callId>`: one per call, as the
 *   engine ends a call at its first result after the hang-up), which runs the steps registered
 *   with `onUpdate` (the recording copy and the webhooks), with `ctx.event` 'call.updated';
 * - a call that starts enqueues `call.started` (dedupeKey `call.started:<callId>`) only when an
 *   active webhook that subscribes to `call.started` would get it (its flow's own webhook when
 *   `webhook_enabled`, or one of its group or an ancestor): one INSERT ... SELECT on the
 *   carrier's hot path, skipped in memory when no webhook anywhere wants `call.started`. Its
 *   handler is registered by the webhooks module.
 *
 * The `call.completed` handler runs the completion steps in `order`:
 *
 *   callLifecycle.registerCompletionStep(name, order, async (callId, ctx) => { ... }, { when, onUpdate })
 *
 *   callActions = 10, emailNotify = 20, recordingCopy = 30, transcription = 40, webhooks = 100
 *
 * `when` (optional) is an SQL condition on the call that is false when the step has nothing to do;
 * the conditions of all steps are read in one statement per attempt (CompletionStepOptions). The
 * `call.updated` handler runs the steps with `onUpdate` (recordingCopy, webhooks) the same way;
 * the steps it records are named `call.updated:<step>`.
 *
 * `ctx` is the job context ({ db, clock, jobId, attempt }), `event` (which of the two jobs runs the
 * step) and `last`: the last step of an attempt
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
  /** the job that runs the step: the call's post-call work, or a late change to it */
  event: LifecycleJob;
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
  /** the step runs for `call.updated` too (a late carrier result changed the call) */
  onUpdate?: boolean;
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
  transcription: 40,
  webhooks: 100,
} as const;

/** The job a completed call enqueues; its dedupe key is `call.completed:<callId>`. */
export const COMPLETED_JOB = 'call.completed';
/** The job a late change to a completed call enqueues; its dedupe key is `call.updated:<callId>`. */
export const UPDATED_JOB = 'call.updated';
export type LifecycleJob = typeof COMPLETED_JOB | typeof UPDATED_JOB;

/** The name under which a step of `event`'s job is recorded in call_completion_step. */
const recordedName = (event: LifecycleJob, step: string) =>
  event === COMPLETED_JOB ? step : `${event}:${step}`;

/** The job that enqueues `kind` for a call, as a telephony hook (CompletedHook). */
const enqueueHook = (kind: LifecycleJob) =>
  Object.assign(
    async (tx: Queryable, callId: number): Promise<void> => {
      await enqueue(tx, { kind, payload: { callId }, dedupeKey: `${kind}:${callId}` });
    },
    { enqueues: { kind } },
  ) satisfies CompletedHook;

/** How long the "does any webhook want call.started" answer is trusted without a NOTIFY. */
const SUBSCRIBERS_MAX_AGE_MS = 60_000;

/**
 * The call.started job of a call ($1), when some webhook wants it: the same targets as the fan-out
 * (webhook-delivery.ts), the webhooks of the call's group tree ($2) and the flow's own webhook
 * when enabled ($3), each only when it wants call.started. The flow version is a sub-select (see
 * TARGETS_CTES in webhook-delivery.ts).
 */
export const STARTED_JOB_SQL =
  insertJobsSql(`select 'call.started', jsonb_build_object('callId', $1::bigint), 'call.started:' || $1::text
  where exists (
    select 1 from org_group g join webhook w on w.group_id = any(g.path)
     where g.group_id = $2 and w.webhook_status = 'active' and 'call.started' = any(w.events))
     or ($3::boolean and exists (
    select 1 from call c
      join webhook w on w.webhook_id = (
             select (v.document->>'webhook_id')::integer from call_flow_version v
              where v.call_flow_id = c.call_flow_id and v.version = c.call_flow_version
                and coalesce((v.document->>'webhook_enabled')::boolean, false))
     where c.call_id = $1 and w.webhook_status = 'active' and 'call.started' = any(w.events)))`);

interface RegisteredStep {
  name: string;
  order: number;
  fn: CompletionStep;
  when?: string | undefined;
  onUpdate: boolean;
}

/** What a job of the lifecycle runs: its steps, and the statement that reads their conditions. */
interface StepPlan {
  steps: RegisteredStep[];
  wanted: { sql: string; name: string; steps: string[] };
}

function planSteps(event: LifecycleJob, all: readonly RegisteredStep[]): StepPlan {
  const steps = event === COMPLETED_JOB ? [...all] : all.filter((step) => step.onUpdate);
  const conditional = steps.filter((step) => step.when !== undefined);
  return {
    steps,
    // prepared under a name per step count, as steps are only ever added
    wanted: {
      sql: completionWantedSql(conditional.map((step) => step.when as string)),
      name: `${event === COMPLETED_JOB ? 'completion' : 'update'}_wanted_${steps.length}`,
      steps: conditional.map((step) => step.name),
    },
  };
}

export function createCallLifecycle({ jobs, db }: { jobs: JobQueue; db: Db }) {
  const registered: RegisteredStep[] = [];
  /** Each job's plan, built again when a step is registered. */
  const plans: Record<LifecycleJob, StepPlan> = {
    [COMPLETED_JOB]: planSteps(COMPLETED_JOB, []),
    [UPDATED_JOB]: planSteps(UPDATED_JOB, []),
  };

  /** The names of the steps whose condition is false for the call: nothing for them to do. */
  async function stepsWithNothingToDo(
    q: Queryable,
    callId: number,
    wanted: StepPlan['wanted'],
  ): Promise<Set<string>> {
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
  const subscribers = createMaxAgeMap<'call.started', boolean>({ maxAgeMs: SUBSCRIBERS_MAX_AGE_MS });
  let asking = false;
  const refreshSubscribers = () => {
    if (asking) return;
    asking = true;
    // a NOTIFY that arrives while asking bumps the epoch: the answer is dropped, asked again
    const epoch = subscribers.epoch();
    db.query<{ any: boolean }>(
      `select exists (select 1 from webhook
                        where webhook_status = 'active' and 'call.started' = any(events)) as any`,
    )
      .then(({ rows }) => subscribers.set('call.started', rows[0]?.any ?? true, epoch))
      .catch(() => subscribers.clear())
      .finally(() => {
        asking = false;
      });
  };
  const anyStartedSubscriber = (): boolean => {
    const any = subscribers.get('call.started');
    if (any === undefined) refreshSubscribers();
    return any ?? true;
  };

  /** The handler of `event`'s job: runs its steps (see the module comment). */
  const runSteps =
    (event: LifecycleJob) =>
    async (payload: { callId: number }, ctx: JobContext): Promise<JobMarkedDone | undefined> => {
      const { steps, wanted } = plans[event];
      // Steps are recorded only by an attempt that fails, so a first attempt has none to skip.
      const done = new Set<string>();
      if (ctx.attempt > 1) {
        const { rows } = await ctx.db.query<{ step_name: string }>(
          'select step_name from call_completion_step where call_id = $1',
          [payload.callId],
        );
        for (const row of rows) done.add(row.step_name);
      }
      const idle = await stepsWithNothingToDo(ctx.db, payload.callId, wanted);
      const succeeded: string[] = [];
      const failed: string[] = [];
      const toRun = steps.filter((step) => !done.has(recordedName(event, step.name)) && !idle.has(step.name));
      let markedDone = false;
      for (const [index, step] of toRun.entries()) {
        try {
          const last = index === toRun.length - 1 && failed.length === 0;
          const outcome = await step.fn(payload.callId, { ...ctx, event, last });
          markedDone = last && outcome?.markedDone === true;
          succeeded.push(recordedName(event, step.name));
        } catch (error) {
          failed.push(`${step.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (markedDone) return { markedDone: true };
      if (failed.length === 0) return undefined;
      // One statement for every step that succeeded, so the retry runs only the failed ones.
      if (succeeded.length > 0)
        await ctx.db.query(
          `insert into call_completion_step (call_id, step_name, done_at)
           select $1, name, $3 from unnest($2::text[]) as name
           on conflict do nothing`,
          [payload.callId, succeeded, ctx.clock.now()],
        );
      throw new Error(
        `${event === COMPLETED_JOB ? 'completion' : 'update'} steps failed: ${failed.join('; ')}`,
      );
    };
  jobs.register(COMPLETED_JOB, runSteps(COMPLETED_JOB), { maxAttempts: 25 });
  jobs.register(UPDATED_JOB, runSteps(UPDATED_JOB), { maxAttempts: 25 });

  const lifecycle = {
    registerCompletionStep(
      name: string,
      order: number,
      fn: CompletionStep,
      options: CompletionStepOptions = {},
    ): void {
      if (registered.some((step) => step.name === name))
        throw new Error(`completion step ${name} registered twice`);
      registered.push({ name, order, fn, when: options.when, onUpdate: options.onUpdate ?? false });
      registered.sort((a, b) => a.order - b.order);
      plans[COMPLETED_JOB] = planSteps(COMPLETED_JOB, registered);
      plans[UPDATED_JOB] = planSteps(UPDATED_JOB, registered);
    },

    /** The names of the registered steps, in the order they run. */
    stepNames: (): string[] => registered.map((step) => step.name),

    /** Listens for webhook changes; resolves to a stop function. */
    async start(): Promise<() => Promise<void>> {
      const stop = await db.listen('webhook_changed', () => {
        subscribers.clear();
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
    onCompleted: enqueueHook(COMPLETED_JOB),

    /** Telephony `updated` hook: enqueues `call.updated` (calls.repo `saveStep`). */
    onUpdated: enqueueHook(UPDATED_JOB),
  };
  return lifecycle;
}

export type CallLifecycle = ReturnType<typeof createCallLifecycle>;
