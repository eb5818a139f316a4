import type { Queryable } from '../../db/index.js';
import { enqueue, insertJobsSql } from '../../jobs/queue.js';

/**
 * The webhook events of texts: `sms.received` (an inbound text was recorded) and `sms.status` (an
 * outbound text reached a carrier status: queued, sent, delivered, undelivered, failed). Each is
 * enqueued as an `sms.event` job in the transaction that made the change (sms.status only when a
 * webhook wants it); the webhooks module fans it out to the webhooks that want it
 * (webhook-delivery.ts). The dedupe key makes a repeated change (a carrier retrying its callback)
 * one event.
 */
export const SMS_EVENT_JOB = 'sms.event';

export type SmsEvent = 'sms.received' | 'sms.status';

export interface SmsEventPayload {
  messageId: number;
  event: SmsEvent;
  /** sms.status: the status the text reached */
  status?: string;
}

/** Outbound statuses that are events; `accepted` and `sending` are our own steps before the carrier. */
const EVENT_STATUSES = new Set(['queued', 'sent', 'delivered', 'undelivered', 'failed']);

export async function enqueueSmsReceived(q: Queryable, messageId: number): Promise<void> {
  await enqueue(q, {
    kind: SMS_EVENT_JOB,
    payload: { messageId, event: 'sms.received' } satisfies SmsEventPayload,
    dedupeKey: `sms.received:${messageId}`,
  });
}

export function enqueueSmsStatus(q: Queryable, messageId: number, status: string): Promise<void> {
  return enqueueSmsStatuses(q, [{ messageId, status }]);
}

/**
 * The sms.status events of texts whose group has a webhook that wants them (active, in the
 * group or a group above it, with sms.status among its events), as the fan-out tests it: most
 * groups have none, and a broadcast's texts would each add a job that finds nothing to do.
 */
const ENQUEUE_STATUSES_SQL = insertJobsSql(
  `select '${SMS_EVENT_JOB}', jsonb_build_object('messageId', u.message_id, 'event', 'sms.status', 'status', u.status),
          'sms.status:' || u.message_id || ':' || u.status
     from unnest($1::bigint[], $2::text[]) as u(message_id, status)
     join sms_message m on m.message_id = u.message_id
    where exists (select 1 from org_group g join webhook w on w.group_id = any(g.path)
                   where g.group_id = m.group_id and w.webhook_status = 'active' and 'sms.status' = any(w.events))`,
);

/** The sms.status events of many texts, in one statement (see ENQUEUE_STATUSES_SQL). */
export async function enqueueSmsStatuses(
  q: Queryable,
  changes: readonly { messageId: number; status: string }[],
): Promise<void> {
  const events = changes.filter((change) => EVENT_STATUSES.has(change.status));
  if (events.length === 0) return;
  await q.query(ENQUEUE_STATUSES_SQL, [events.map((e) => e.messageId), events.map((e) => e.status)], {
    prepare: 'sms_status_events',
  });
}
