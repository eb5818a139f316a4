import type { Queryable } from '../db/index.js';
import type { StartedCall } from '../telephony/telephony.service.js';
import { enqueue, type JobContext, type JobQueue } from './queue.js';

/**
 * What happens after a call starts and after it ends, as durable jobs.
 *
 * buildApp creates one `callLifecycle = createCallLifecycle({ jobs })` and pushes
 * `callLifecycle.onStarted` / `callLifecycle.onCompleted` into the telephony hooks. Then:
 *
 * - a call that ends (or is final when recorded) enqueues `call.completed` with dedupeKey
 *   `call.completed:<callId>`, in the transaction that closes the call;
 * - a call that starts enqueues `call.started` (dedupeKey `call.started:<callId>`) only when its
 *   flow has `webhook_enabled` or its group or an ancestor has an active webhook: one INSERT ...
 *   SELECT on the carrier's hot path. Its handler is registered by the webhooks module.
 *
 * The `call.completed` handler runs the completion steps in `order`:
 *
 *   callLifecycle.registerCompletionStep(name, order, async (callId, ctx) => { ... })
 *
 *   callActions = 10, emailNotify = 20, recordingCopy = 30, webhooks = 100
 *
 * `ctx` is the job context ({ db, clock, jobId, attempt }). Each attempt runs every step not yet
 * done, in order; a step that throws does not stop the steps after it (a recording that cannot be
 * fetched must not hold back the post-call webhook), and the job is then retried with back-off.
 * Steps that succeeded are recorded (call_completion_step) and skipped on the retry, so only the
 * failed ones run again. A step must still be idempotent: a process can die after the step's work
 * and before its record.
 */

export type CompletionStep = (callId: number, ctx: JobContext) => Promise<void>;

export const COMPLETION_STEP_ORDER = {
  callActions: 10,
  emailNotify: 20,
  recordingCopy: 30,
  webhooks: 100,
} as const;

export function createCallLifecycle({ jobs }: { jobs: JobQueue }) {
  const steps: Array<{ name: string; order: number; fn: CompletionStep }> = [];

  jobs.register(
    'call.completed',
    async (payload: { callId: number }, ctx) => {
      const { rows } = await ctx.db.query<{ step_name: string }>(
        'select step_name from call_completion_step where call_id = $1',
        [payload.callId],
      );
      const done = new Set(rows.map((row) => row.step_name));
      const failed: string[] = [];
      for (const step of steps) {
        if (done.has(step.name)) continue;
        try {
          await step.fn(payload.callId, ctx);
        } catch (error) {
          failed.push(`${step.name}: ${error instanceof Error ? error.message : String(error)}`);
          continue;
        }
        await ctx.db.query(
          `insert into call_completion_step (call_id, step_name, done_at) values ($1, $2, $3)
           on conflict do nothing`,
          [payload.callId, step.name, ctx.clock.now()],
        );
      }
      if (failed.length > 0) throw new Error(`completion steps failed: ${failed.join('; ')}`);
    },
    { maxAttempts: 25 },
  );

  return {
    registerCompletionStep(name: string, order: number, fn: CompletionStep): void {
      if (steps.some((step) => step.name === name))
        throw new Error(`completion step ${name} registered twice`);
      steps.push({ name, order, fn });
      steps.sort((a, b) => a.order - b.order);
    },

    /** The names of the registered steps, in the order they run. */
    stepNames: (): string[] => steps.map((step) => step.name),

    /** Telephony `started` hook: one statement, and only when some webhook could fire. */
    async onStarted(tx: Queryable, call: StartedCall): Promise<void> {
      if (call.groupId === null) return;
      await tx.query(
        `insert into job (kind, payload, dedupe_key)
         select 'call.started', jsonb_build_object('callId', $1::bigint), 'call.started:' || $1::text
          where $3::boolean or exists (
            select 1 from org_group g join webhook w on w.group_id = any(g.path)
             where g.group_id = $2 and w.webhook_status = 'active' and 'call.started' = any(w.events))
         on conflict (dedupe_key) do nothing`,
        [call.callId, call.groupId, call.webhookEnabled],
      );
    },

    /** Telephony `completed` hook. */
    async onCompleted(tx: Queryable, callId: number): Promise<void> {
      await enqueue(tx, {
        kind: 'call.completed',
        payload: { callId },
        dedupeKey: `call.completed:${callId}`,
      });
    },
  };
}

export type CallLifecycle = ReturnType<typeof createCallLifecycle>;
