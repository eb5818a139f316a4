import type { Db } from '../../db/index.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { createSmsRepo } from '../sms/sms.repo.js';
import { SMS_EVENT_JOB, type SmsEventPayload } from '../sms/sms-events.js';
import { type AlertKey, createSubscriptionsRepo } from '../subscriptions/subscriptions.repo.js';
import { USAGE_ALERT_EVENT_JOB, usageAlertEventKey } from '../subscriptions/usage-alerts.job.js';
import { enqueueDelivery, type WebhookEvent } from './webhook-delivery.js';

/**
 * Webhook events that are not about a call: a text's (sms.received, sms.status) and a usage
 * alert. Each fans out into one delivery per active webhook of the event's group or a group above
 * it that wants the event; the deliveries are then run like a call's (webhook-delivery.ts).
 */
export interface KeyedWebhookEventsOptions {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  retryHours: number;
}

export function registerKeyedWebhookEvents({ db, clock, jobs, retryHours }: KeyedWebhookEventsOptions): void {
  const retryMs = retryHours * 3_600_000;

  /**
   * The deliveries of one event and their jobs, in one transaction. The event key makes a second
   * run add nothing.
   */
  async function fanOutKeyed(event: {
    type: WebhookEvent;
    key: string;
    groupId: number;
    payload: unknown;
    smsMessageId: number | null;
  }): Promise<void> {
    const now = clock.now();
    await db.transaction(async (tx) => {
      const { rows: created } = await tx.query<{ delivery_id: number }>(
        `insert into webhook_delivery (event_id, webhook_id, sms_message_id, event_key, event_type, payload,
                                       give_up_at, created_at)
         select gen_random_uuid(), w.webhook_id, $1, $2, $3, $4::jsonb, $5, $6
           from org_group g join webhook w on w.group_id = any(g.path)
          where g.group_id = $7 and w.webhook_status = 'active' and $3::text = any(w.events)
          order by w.webhook_id
         on conflict (webhook_id, event_key) where event_key is not null do nothing
         returning delivery_id`,
        [
          event.smsMessageId,
          event.key,
          event.type,
          JSON.stringify(event.payload),
          new Date(now.getTime() + retryMs),
          now,
          event.groupId,
        ],
      );
      for (const { delivery_id } of created) await enqueueDelivery(tx, delivery_id);
    });
  }

  /**
   * A text's event (sms-events.ts), carrying the message as Get SMS Message shows it (for
   * sms.status, with the status the event is about).
   */
  async function fanOutSms({ messageId, event, status }: SmsEventPayload): Promise<void> {
    // most texts' groups have no webhook that wants the event: then the text is not even read
    const { rows: owner } = await db.query<{ group_id: number; wanted: boolean }>(
      `select m.group_id,
              exists (select 1 from org_group g join webhook w on w.group_id = any(g.path)
                       where g.group_id = m.group_id and w.webhook_status = 'active' and $2::text = any(w.events))
                as wanted
         from sms_message m where m.message_id = $1`,
      [messageId, event],
    );
    const groupId = owner[0]?.group_id;
    if (groupId === undefined || !owner[0]?.wanted) return;
    const message = await createSmsRepo(db).message(groupId, messageId);
    if (!message) return;
    await fanOutKeyed({
      type: event,
      key: event === 'sms.status' ? `${event}:${messageId}:${status}` : `${event}:${messageId}`,
      groupId,
      payload: event === 'sms.status' && status ? { ...message, status } : message,
      smsMessageId: messageId,
    });
  }

  /**
   * A usage alert (usage-alerts.job.ts): the plan, the meter, the threshold reached and the usage
   * and limit when it was raised, to the webhooks of the plan's group and the groups above it.
   */
  async function fanOutUsageAlert(key: AlertKey): Promise<void> {
    const repo = createSubscriptionsRepo(db);
    const alert = await repo.findAlert(key);
    if (!alert) return;
    const plan = await repo.find(key.group_id);
    const { rows } = await db.query<{ group_name: string }>(
      'select group_name from org_group where group_id = $1',
      [key.group_id],
    );
    await fanOutKeyed({
      type: 'usage.alert',
      key: usageAlertEventKey(key),
      groupId: key.group_id,
      payload: {
        group_id: alert.group_id,
        group_name: rows[0]?.group_name ?? null,
        plan_name: plan?.plan_name ?? null,
        period: alert.period.slice(0, 7),
        meter: alert.meter,
        threshold: alert.threshold,
        used: alert.used,
        limit: alert.limit,
      },
      smsMessageId: null,
    });
  }

  jobs.register(SMS_EVENT_JOB, (payload: SmsEventPayload) => fanOutSms(payload), { maxAttempts: 25 });
  jobs.register(USAGE_ALERT_EVENT_JOB, (key: AlertKey) => fanOutUsageAlert(key), { maxAttempts: 25 });
}
