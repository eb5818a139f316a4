import type { Queryable } from '../../db/index.js';
import { enqueue, insertJobsSql } from '../../jobs/queue.js';

/**
 * The webhook events of texts: `sms.received` (an inbound text was recorded) and `sms.status` (an
 * outbound text reached a carrier status: queued, sent, delivered, undelivered, failed). Each is
 * enqueued as an `sms.event` job in the transaction that made the change; the webhooks module fans
 * it out to the webhooks that want it (webhook-delivery.ts). The dedupe key makes a repeated
 * change (a carrier retrying its callback) one event.
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

export async function enqueueSmsStatus(q: Queryable, messageId: number, status: string): Promise<void> {
  if (!EVENT_STATUSES.has(status)) return;
  await enqueue(q, {
    kind: SMS_EVENT_JOB,
    payload: { messageId, event: 'sms.status', status } satisfies SmsEventPayload,
    dedupeKey: `sms.status:${messageId}:${status}`,
  });
}

const ENQUEUE_STATUSES_SQL = insertJobsSql(
  `select '${SMS_EVENT_JOB}', jsonb_build_object('messageId', u.message_id, 'event', 'sms.status', 'status', u.status),
          'sms.status:' || u.message_id || ':' || u.status
     from unnest($1::bigint[], $2::text[]) as u(message_id, status)`,
);

/** enqueueSmsStatus for many texts in one statement. */
export async function enqueueSmsStatuses(
  q: Queryable,
  changes: readonly { messageId: number; status: string }[],
): Promise<void> {
  const events = changes.filter((change) => EVENT_STATUSES.has(change.status));
  if (events.length === 0) return;
  await q.query(ENQUEUE_STATUSES_SQL, [events.map((e) => e.messageId), events.map((e) => e.status)]);
}
