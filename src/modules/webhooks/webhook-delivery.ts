import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../../db/index.js';
import {
  type ClaimedJob,
  enqueue,
  exponentialBackoffMs,
  insertJobsSql,
  type JobContext,
  type JobDeferral,
  type JobMarkedDone,
  type JobQueue,
  markJobDoneSql,
} from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { createGroupCommit } from '../../lib/group-commit.js';
import { storableText } from '../../lib/text.js';
import { type CallLifecycle, COMPLETED_JOB, COMPLETION_STEP_ORDER } from '../calls/call-lifecycle.js';
import { callRecordsSql, RECORD_CALL_COLUMNS } from '../calls/call-record.js';
import { sendWebhookEvent } from './webhook-wire.js';

/**
 * Webhook delivery. A call event fans out into one webhook_delivery row per matching webhook
 * (the flow's own webhook when `webhook_enabled`, and the active webhooks of the call's group and
 * every group above it), each with its own job, written in one transaction. The delivery stores
 * the call record as it was, so every retry sends the same data under the same event id.
 *
 * Each request is signed and carries the event's name and id (webhook-wire.ts); the events are
 * call.started | call.completed | call.updated | call.analyzed, and sms.received | sms.status |
 * usage.alert (webhook-keyed-events.ts).
 *
 * A 2xx answer ends the delivery. Anything else (status, timeout, refused address) is logged as
 * an attempt and retried with exponential back-off until `give_up_at` (WEBHOOK_RETRY_HOURS after
 * the event), then the delivery is failed. A call's post-call delivery to a webhook waits until
 * its pre-call delivery to that webhook has succeeded or given up, and a late change to the call
 * (`call.updated`, see call-lifecycle.ts) waits for both.
 */

export type WebhookEvent =
  | 'call.started'
  | 'call.completed'
  | 'call.updated'
  | 'call.analyzed'
  | 'sms.received'
  | 'sms.status'
  | 'usage.alert'
  | 'webhook.test';

/** The job a call's analysis enqueues (dedupe key `call.analyzed:<callId>`): its webhook fan-out. */
export const ANALYZED_JOB = 'call.analyzed';

/** The completion step that fans a call's post-call events out. */
const WEBHOOKS_STEP = 'webhooks';

/** How long a post-call delivery waits before it checks its pre-call delivery again. */
const POST_CALL_WAIT_MS = 60_000;
/** How soon a post-call delivery looks again while the call's pre-call fan-out is still queued. */
const FAN_OUT_WAIT_MS = 1_000;

interface DeliveryRow {
  delivery_id: number;
  event_id: string;
  webhook_id: number;
  call_id: number | null;
  event_type: WebhookEvent;
  status: string;
  payload: unknown;
  created_at: Date;
  give_up_at: Date;
  target_url: string;
  method: string;
  format: string;
  webhook_status: string;
  signing_secret: string;
  waiting_for: 'fan-out' | 'delivery' | null;
}

type WebhookTarget = Pick<
  DeliveryRow,
  'webhook_id' | 'target_url' | 'method' | 'format' | 'webhook_status' | 'signing_secret'
>;

export interface WebhookDeliveryOptions {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  callLifecycle: CallLifecycle;
  timeoutMs: number;
  retryHours: number;
  allowPrivateTargets: boolean;
}

/**
 * The webhooks a call event goes to ($1 the call, $2 the event), as CTEs `the_call` and `targets`:
 * the flow's own webhook when `webhook_enabled`, and the active webhooks of the call's group and
 * every group above it, each only when it wants the event. The call's group and flow version are
 * read by sub-selects, which are always index lookups. As joins, the planner costs them by the
 * call table's statistics: with the stored calls on older flows, it took a merge join that "stops
 * early" for the call of a newer flow, which walks every flow (26,000 pages per delivery in the
 * benchmark; test/api/one-call-plans.test.ts).
 */
export const TARGETS_CTES = `the_call as (
   select (select g.path from org_group g where g.group_id = c.group_id) as path,
          (select case when coalesce((v.document->>'webhook_enabled')::boolean, false)
                       then (v.document->>'webhook_id')::integer end
             from call_flow_version v
            where v.call_flow_id = c.call_flow_id and v.version = c.call_flow_version) as flow_webhook_id
     from call c
    where c.call_id = $1 and c.group_id is not null),
 targets as (
   select w.webhook_id, w.target_url, w.method, w.format, w.webhook_status, w.signing_secret
     from the_call c join webhook w on w.webhook_status = 'active' and $2::text = any(w.events)
                             and (w.group_id = any(c.path) or w.webhook_id = c.flow_webhook_id))`;

/** Deliveries go ahead of the completion jobs queued before them (see queue.ts). */
const DELIVERY_PRIORITY = 1;

const deliverJob = (deliveryId: number, key = `webhook.deliver:${deliveryId}`) => ({
  kind: 'webhook.deliver',
  payload: { deliveryId },
  dedupeKey: key,
  priority: DELIVERY_PRIORITY,
});

/** Enqueues a delivery made outside a call's fan-out (a test event), in the caller's transaction. */
export function enqueueDelivery(q: Queryable, deliveryId: number): Promise<void> {
  return enqueue(q, deliverJob(deliveryId));
}

/** Enqueues a finished delivery again (manual redelivery), in the caller's transaction. */
export function enqueueRedelivery(q: Queryable, deliveryId: number): Promise<void> {
  return enqueue(q, deliverJob(deliveryId, `webhook.redeliver:${deliveryId}:${randomUUID()}`));
}

/** Whether a delivery of the call to the webhook (SQL expressions) for one of `events` is pending. */
const deliveryPendingSql = (callId: string, webhookId: string, events: readonly WebhookEvent[]) =>
  `exists (select 1 from webhook_delivery p
            where p.call_id = ${callId} and p.webhook_id = ${webhookId}
              and p.event_type in (${events.map((event) => `'${event}'`).join(', ')}) and p.status = 'pending')`;
/**
 * Whether the call's call.started job is still to run. The job is found by its key alone and its
 * state read after: with the state in the WHERE, the planner may walk the index of all unfinished
 * jobs instead (it did, three times per fan-out, with a backlog queued since the last ANALYZE).
 */
export const preCallFanOutPendingSql = (callId: string) =>
  `coalesce((select done_at is null and failed_at is null from job
              where dedupe_key = 'call.started:' || ${callId}::text), false)`;

/**
 * Whether the call's post-call fan-out is still to run: its call.completed job unfinished, and
 * the webhooks step not recorded as done (an attempt where another step failed records it).
 */
const postCallFanOutPendingSql = (callId: string) =>
  `(coalesce((select done_at is null and failed_at is null from job
               where dedupe_key = '${COMPLETED_JOB}:' || ${callId}::text), false)
    and not exists (select 1 from call_completion_step s
                     where s.call_id = ${callId} and s.step_name = '${WEBHOOKS_STEP}'))`;

/**
 * What a delivery of the call to the webhook for `event` (SQL expressions) waits for, as an SQL
 * expression: 'delivery' while a delivery of an earlier event of the call to the same webhook is
 * pending (call.started before call.completed, both before call.updated), 'fan-out' while the
 * fan-out of an earlier event is still to run, else null. Read by loadDelivery and, for the
 * deliveries it creates, by fanOut.
 */
const waitingForSql = (event: string, callId: string, webhookId: string) =>
  `case ${event}
     when 'call.completed' then
       case when ${deliveryPendingSql(callId, webhookId, ['call.started'])} then 'delivery'
            when ${preCallFanOutPendingSql(callId)} then 'fan-out' end
     when 'call.updated' then
       case when ${deliveryPendingSql(callId, webhookId, ['call.started', 'call.completed'])} then 'delivery'
            when ${preCallFanOutPendingSql(callId)} or ${postCallFanOutPendingSql(callId)} then 'fan-out' end
     when 'call.analyzed' then
       case when ${deliveryPendingSql(callId, webhookId, ['call.started', 'call.completed'])} then 'delivery'
            when ${preCallFanOutPendingSql(callId)} or ${postCallFanOutPendingSql(callId)} then 'fan-out' end
   end`;

/**
 * Lets the call's post-call deliveries that wait for nothing any more go now ($1 the call, $2
 * the time): those whose pre-call fan-out has run and whose pre-call delivery to the same
 * webhook has ended (waitingForSql), each job found by its key alone (see
 * preCallFanOutPendingSql; the key is unique, and the LIMIT keeps the planner from merging the
 * sub-select into the join).
 *
 * It runs as a statement of its own after the pre-call side's change has committed, never in
 * the statement that makes the change: a post-call delivery that looked while the pre-call side
 * was still pending, and deferred itself, may have been created after that statement's snapshot,
 * which would not see it; it then waited the whole POST_CALL_WAIT_MS. A statement that starts
 * after the commit sees every delivery that looked before it, and a delivery that looks after
 * it sees the change.
 */
export const RELEASE_READY_SQL = `update job set run_at = $2
   where job_id = any(array(
       select j.job_id from webhook_delivery d
         cross join lateral (select job_id, done_at, failed_at from job
                              where dedupe_key = 'webhook.deliver:' || d.delivery_id limit 1) j
        where d.call_id = $1::bigint and d.event_type = 'call.completed' and d.status = 'pending'
          and j.done_at is null and j.failed_at is null
          and (${waitingForSql("'call.completed'", '$1::bigint', 'd.webhook_id')}) is null))`;

const releaseReady = (db: Db, callId: number, now: Date) =>
  db.query(RELEASE_READY_SQL, [callId, now], { prepare: 'webhook_release_ready' });

/**
 * The fan-out statement (see fanOut): $1 the call, $2 the event, $3 give_up_at, $4 now, $5-$7
 * the claim of the jobs that run at once (attempts, locked_until, claimed_by), and with `finish`
 * $8 the job it marks done.
 */
export function fanOutSql({ finish }: { finish: boolean }): string {
  const ctes = [
    TARGETS_CTES,
    // the record as the API shows it, only for a call with a target
    `record as (
       select to_jsonb(r) as payload
         from (${callRecordsSql(
           `select ${RECORD_CALL_COLUMNS}, 1 as n from call c
             where c.call_id = $1 and exists (select 1 from targets)`,
           'c.n',
         )}) r)`,
    `created as (
       insert into webhook_delivery (event_id, webhook_id, call_id, event_type, payload, give_up_at, created_at)
       select gen_random_uuid(), t.webhook_id, $1::bigint, $2::text, r.payload, $3::timestamptz, $4::timestamptz
         from targets t cross join record r
        order by t.webhook_id
       on conflict (call_id, webhook_id, event_type) do nothing
       returning delivery_id, event_id, webhook_id, payload, created_at, give_up_at)`,
    // the same test as loadDelivery's waiting_for, on the rows as they were before this statement
    // (materialized: queued reads is_ready three times, and would run the test each time)
    `ready as materialized (
       select delivery_id,
              (${waitingForSql('$2::text', '$1::bigint', 'created.webhook_id')}) is null as is_ready
         from created)`,
    `queued as (${insertJobsSql(
      `select 'webhook.deliver', jsonb_build_object('deliveryId', delivery_id),
              'webhook.deliver:' || delivery_id, ${DELIVERY_PRIORITY},
              case when is_ready then $5::integer else 0 end,
              case when is_ready then $6::timestamptz end,
              case when is_ready then $7::text end
         from ready`,
      {
        columns: ['priority', 'attempts', 'locked_until', 'claimed_by'],
        returning: 'job_id, kind, payload, attempts, priority, locked_until, xmin::text as version',
      },
    )})`,
  ];
  if (finish) ctes.push(`finished as (${markJobDoneSql('$8::bigint', '$4')})`);
  // the delivery's columns as loadDelivery reads them, so the first run sends the same bytes as a retry
  return `with ${ctes.join(',\n')}
  select q.job_id, q.kind, q.payload, q.attempts, q.priority, q.version, c.delivery_id, c.event_id::text as event_id,
         c.payload as record, c.created_at, c.give_up_at,
         t.webhook_id, t.target_url, t.method, t.format, t.webhook_status, t.signing_secret
    from queued q join created c on c.delivery_id = (q.payload->>'deliveryId')::bigint
         join targets t on t.webhook_id = c.webhook_id
   where q.locked_until is not null`;
}

/** One attempt to send a delivery, and with `end`, the delivery's end and its job. */
interface AttemptRecord {
  deliveryId: number;
  at: Date;
  statusCode?: number | undefined;
  latencyMs: number;
  error?: string | undefined;
  excerpt?: string | undefined;
  end?: { status: 'succeeded' | 'failed'; jobId: number } | undefined;
}

/** The most attempts recorded in one statement. */
const ATTEMPT_BATCH_MAX = 100;

/**
 * Records attempts ($1-$8: arrays of the delivery, time, status code, latency, error, response
 * excerpt, end status or null, job to mark done or null): the attempt rows in order, each
 * delivery's attempt count and end, and the jobs of the attempts that end marked done.
 */
const RECORD_ATTEMPTS_CTES = `a as (
   select * from unnest($1::bigint[], $2::timestamptz[], $3::integer[], $4::integer[], $5::text[], $6::text[],
                        $7::text[], $8::bigint[])
          with ordinality as a(delivery_id, attempted_at, status_code, latency_ms, error, excerpt, end_status, job_id, n)),
 attempt as (
   insert into webhook_attempt (delivery_id, attempted_at, status_code, latency_ms, error, response_excerpt)
   select delivery_id, attempted_at, status_code, latency_ms, error, excerpt from a order by n),
 counted as (
   update webhook_delivery d
      set attempts = d.attempts + e.attempts,
          status = case when d.status = 'pending' and e.end_status is not null then e.end_status else d.status end,
          completed_at = case when d.status = 'pending' and e.end_status is not null then e.ended_at
                              else d.completed_at end
     from (select delivery_id, count(*)::integer as attempts, max(end_status) as end_status,
                  max(attempted_at) filter (where end_status is not null) as ended_at
             from a group by delivery_id) e
    where d.delivery_id = e.delivery_id),
 finished as (${markJobDoneSql('a.job_id', 'a.attempted_at', 'a')})`;
const RECORD_ATTEMPTS_SQL = `with ${RECORD_ATTEMPTS_CTES} select 1`;

/** The fan-out's two shapes: marking its job done (call.started, call.completed as the last step) or not. */
const FAN_OUT_SQL = {
  done: fanOutSql({ finish: true }),
  plain: fanOutSql({ finish: false }),
};

/** Records a delivery's attempts; see createAttemptRecorder. */
type RecordAttempt = (
  delivery: DeliveryRow,
  attempt: Omit<AttemptRecord, 'deliveryId' | 'at' | 'end'>,
  end?: AttemptRecord['end'],
) => Promise<void>;

/**
 * Records attempts, many in one statement (createGroupCommit): the attempt rows, each
 * delivery's attempt count and, for an attempt with an `end`, the delivery's end and its job
 * marked done. A process that dies before the batch is written sends those deliveries again
 * after the lease, under the same event id, as it would if it died just after sending. A batch
 * that fails is written again attempt by attempt, so one that cannot be written fails alone.
 * A pre-call delivery that ends then lets the call's waiting post-call delivery to the same
 * webhook go, in a statement of its own after the record (RELEASE_READY_SQL says why); a process
 * that dies in between leaves that delivery to look again after POST_CALL_WAIT_MS.
 */
function createAttemptRecorder(db: Db, clock: Clock): RecordAttempt {
  const recordAttempts = createGroupCommit<AttemptRecord, void>({
    max: ATTEMPT_BATCH_MAX,
    retryAlone: true,
    run: async (batch) => {
      await db.query(
        RECORD_ATTEMPTS_SQL,
        [
          batch.map((a) => a.deliveryId),
          batch.map((a) => a.at),
          batch.map((a) => a.statusCode ?? null),
          batch.map((a) => a.latencyMs),
          batch.map((a) => a.error ?? null),
          batch.map((a) => a.excerpt ?? null),
          batch.map((a) => a.end?.status ?? null),
          batch.map((a) => a.end?.jobId ?? null),
        ],
        { prepare: 'webhook_attempts' },
      );
      return batch.map(() => undefined);
    },
  });

  return async (delivery, attempt, end) => {
    const at = clock.now();
    await recordAttempts({ ...attempt, deliveryId: delivery.delivery_id, at, end });
    if (end && delivery.event_type === 'call.started' && delivery.call_id !== null)
      await releaseReady(db, delivery.call_id, at);
  };
}

/**
 * The delivery with its webhook, and what a post-call delivery waits for: the call's pre-call
 * fan-out not run yet, or its pre-call delivery to the same webhook still pending (both by
 * unique indexes); a call.updated delivery waits for the call's post-call side the same way
 * (waitingForSql). It looks again after POST_CALL_WAIT_MS, or sooner when the pre-call side
 * finishes and releases a post-call delivery (releaseWaitingSql).
 */
async function loadDelivery(db: Db, deliveryId: number): Promise<DeliveryRow | undefined> {
  const { rows } = await db.query<DeliveryRow>(
    `select d.delivery_id, d.event_id::text as event_id, d.webhook_id, d.call_id, d.event_type, d.status,
            d.payload, d.created_at, d.give_up_at, w.target_url, w.method, w.format, w.webhook_status,
            w.signing_secret,
            case when d.call_id is not null and d.status = 'pending' then
              ${waitingForSql('d.event_type', 'd.call_id', 'd.webhook_id')}
            end as waiting_for
       from webhook_delivery d join webhook w on w.webhook_id = d.webhook_id
      where d.delivery_id = $1`,
    [deliveryId],
    { prepare: 'webhook_delivery_load' },
  );
  return rows[0];
}

/** Sends a delivery's event once: the attempt to record (a 2xx answer, or why not). */
async function attemptDelivery(
  delivery: DeliveryRow,
  options: Pick<WebhookDeliveryOptions, 'clock' | 'timeoutMs' | 'allowPrivateTargets'>,
): Promise<Omit<AttemptRecord, 'deliveryId' | 'at' | 'end'>> {
  const event = {
    event: delivery.event_type,
    event_id: delivery.event_id,
    occurred_at: delivery.created_at.toISOString(),
    webhook_id: delivery.webhook_id,
    data: delivery.payload,
  };
  const started = performance.now();
  try {
    const response = await sendWebhookEvent(delivery, event, {
      now: options.clock.now(),
      timeoutMs: options.timeoutMs,
      allowPrivate: options.allowPrivateTargets,
    });
    const ok = response.status >= 200 && response.status <= 299;
    return {
      statusCode: response.status,
      latencyMs: Math.round(performance.now() - started),
      excerpt: storableText(response.body, 1000),
      error: ok ? undefined : `target answered HTTP ${response.status}`,
    };
  } catch (caught) {
    return {
      latencyMs: Math.round(performance.now() - started),
      error: storableText(caught instanceof Error ? caught.message : String(caught), 2000),
    };
  }
}

/**
 * The call events' side of webhook delivery: fans a call's event out into its deliveries
 * (createCallFanOut) and runs each delivery's job (`deliver`), recording every attempt. Events
 * that are not about a call are registered by webhook-keyed-events.ts.
 */
export function registerWebhookDelivery(options: WebhookDeliveryOptions): void {
  const { db, clock, jobs, callLifecycle } = options;
  const recordAttempt = createAttemptRecorder(db, clock);
  const { fanOut, takeCreated } = createCallFanOut(options);

  async function deliver(
    payload: { deliveryId: number },
    ctx: JobContext,
  ): Promise<JobDeferral | JobMarkedDone | undefined> {
    const delivery = takeCreated(payload.deliveryId) ?? (await loadDelivery(db, payload.deliveryId));
    if (delivery?.status !== 'pending') return undefined;
    // A pending pre-call delivery releases this one when it finishes; a pre-call fan-out still
    // queued releases it when it has run (or creates the pre-call delivery it then waits for).
    if (delivery.waiting_for) {
      const waitMs = delivery.waiting_for === 'delivery' ? POST_CALL_WAIT_MS : FAN_OUT_WAIT_MS;
      return { retryAt: new Date(clock.now().getTime() + waitMs) };
    }
    if (delivery.webhook_status !== 'active') {
      await recordAttempt(
        delivery,
        { latencyMs: 0, error: 'webhook is inactive' },
        { status: 'failed', jobId: ctx.jobId },
      );
      return { markedDone: true };
    }
    const attempt = await attemptDelivery(delivery, options);
    if (!attempt.error || clock.now() >= delivery.give_up_at) {
      await recordAttempt(delivery, attempt, {
        status: attempt.error ? 'failed' : 'succeeded',
        jobId: ctx.jobId,
      });
      return { markedDone: true };
    }
    await recordAttempt(delivery, attempt);
    // The queue retries with back-off; the delivery row holds the reason.
    throw new Error(attempt.error);
  }

  jobs.register(
    'call.started',
    (payload: { callId: number }, ctx) => fanOut(payload.callId, 'call.started', { jobId: ctx.jobId }),
    { maxAttempts: 25 },
  );
  // After a call's analysis (src/modules/indicators/analysis.ts): the record with its scores.
  jobs.register(
    ANALYZED_JOB,
    (payload: { callId: number }, ctx) => fanOut(payload.callId, 'call.analyzed', { jobId: ctx.jobId }),
    { maxAttempts: 25 },
  );
  // The retry window, not an attempt count, decides when a delivery gives up.
  jobs.register('webhook.deliver', deliver, { maxAttempts: 10_000, backoffMs: exponentialBackoffMs });
  // As the last step, the fan-out marks the call.completed (or call.updated) job done in its own
  // statement.
  callLifecycle.registerCompletionStep(
    WEBHOOKS_STEP,
    COMPLETION_STEP_ORDER.webhooks,
    (callId, ctx) => fanOut(callId, ctx.event, ctx.last ? { jobId: ctx.jobId } : undefined),
    { onUpdate: true },
  );
}

/**
 * Creates the call's deliveries for the event and their jobs, in one statement; a second run
 * adds nothing. The statement finds the targets (TARGETS_CTES), builds the call record once
 * when there is any (the payload every retry sends), and writes the deliveries and their jobs;
 * with no target it writes nothing. The jobs of the deliveries that need not wait (a post-call
 * delivery waits for the call's pre-call side, see loadDelivery) are inserted claimed by this
 * runner and run at once (`jobs.claimedNow`/`runClaimed`), with no claim and no NOTIFY. With
 * `finish`, the statement also marks the job done: the call.started job, or the call.completed
 * job when the webhooks step runs last. The pre-call fan-out then lets the call's waiting
 * post-call deliveries to the webhooks it did not target go at once (RELEASE_READY_SQL, after
 * the statement), so they wait for nothing that will not come.
 *
 * The deliveries it just created are kept by id until their first run takes them
 * (`takeCreated`): that run needs no read. A retry, or a run elsewhere, reads the row.
 */
function createCallFanOut({ db, clock, jobs, retryHours }: WebhookDeliveryOptions) {
  const retryMs = retryHours * 3_600_000;
  const created = new Map<number, DeliveryRow>();

  async function fanOut(
    callId: number,
    event: WebhookEvent,
    finish?: { jobId: number },
  ): Promise<JobMarkedDone | undefined> {
    const now = clock.now();
    const claim = jobs.claimedNow();
    const shape = finish ? 'done' : 'plain';
    const { rows: claimed } = await db.query<
      ClaimedJob &
        WebhookTarget &
        Pick<DeliveryRow, 'delivery_id' | 'event_id' | 'created_at' | 'give_up_at'> & { record: unknown }
    >(
      FAN_OUT_SQL[shape],
      [
        callId,
        event,
        new Date(now.getTime() + retryMs),
        now,
        claim.attempts,
        claim.lockedUntil,
        claim.claimedBy,
        ...(finish ? [finish.jobId] : []),
      ],
      { prepare: `webhook_fan_out_${shape}` },
    );
    // Their first run sends what was just written, without reading it back.
    for (const { record, job_id, kind, payload, attempts, priority, version, ...delivery } of claimed)
      created.set(delivery.delivery_id, {
        ...delivery,
        call_id: callId,
        event_type: event,
        status: 'pending',
        payload: record,
        waiting_for: null,
      });
    jobs.runClaimed(claimed);
    // its job is done now: the post-call deliveries to the webhooks it did not target wait for nothing
    if (event === 'call.started' && finish) await releaseReady(db, callId, now);
    return finish ? { markedDone: true } : undefined;
  }

  const takeCreated = (deliveryId: number): DeliveryRow | undefined => {
    const delivery = created.get(deliveryId);
    created.delete(deliveryId);
    return delivery;
  };

  return { fanOut, takeCreated };
}
