import type { Db } from '../../db/index.js';
import { registerHourlyJob } from '../../jobs/hourly.js';
import { enqueue, type JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import type { Mailer } from '../../mail/mailer.js';
import {
  type AlertKey,
  createSubscriptionsRepo,
  LIMITED_METERS,
  type UsageAlert,
} from './subscriptions.repo.js';
import type { SubscriptionsService } from './subscriptions.service.js';

/**
 * Usage alerts: once an hour (one process per hour, registerHourlyJob), every plan's meters are
 * read for the month; a meter at 80 % or 100 % of its limit is recorded in usage_alert, whose key
 * lets each (group, month, meter, threshold) alert once across every process, and its e-mail and
 * its `usage.alert` webhook event are queued in the same transaction. The e-mail job retries on its own; a sent alert is marked so a
 * retry after a send never sends it twice.
 */
export const USAGE_ALERTS_JOB = 'usage.alerts';
export const USAGE_ALERT_MAIL_JOB = 'usage.alert.mail';
/** The `usage.alert` webhook event's fan-out, run by the webhooks module (webhook-delivery.ts). */
export const USAGE_ALERT_EVENT_JOB = 'usage.alert.event';

/** The webhook event's key: one event per group, month, meter and threshold. */
export const usageAlertEventKey = (key: AlertKey) =>
  `usage.alert:${key.group_id}:${key.period}:${key.meter}:${key.threshold}`;
export const ALERT_THRESHOLDS = [80, 100] as const;

const NOUNS: Record<AlertKey['meter'], string> = {
  numbers: 'numbers',
  inbound_minutes: 'inbound minutes',
  outbound_minutes: 'outbound minutes',
  texts: 'texts',
  transcription_minutes: 'transcription minutes',
  users: 'active users',
};

interface Logger {
  info(object: object, message: string): void;
}

/** The alerts a reading crosses: each limited meter at or past each threshold. */
export function crossedThresholds(
  groupId: number,
  period: string,
  usage: Record<AlertKey['meter'], number>,
  limits: Record<AlertKey['meter'], number | null>,
): UsageAlert[] {
  const alerts: UsageAlert[] = [];
  for (const meter of LIMITED_METERS) {
    const limit = limits[meter];
    if (limit === null || limit === 0) continue;
    for (const threshold of ALERT_THRESHOLDS)
      if (usage[meter] * 100 >= limit * threshold)
        alerts.push({ group_id: groupId, period, meter, threshold, used: usage[meter], limit });
  }
  return alerts;
}

export function registerUsageAlerts({
  db,
  clock,
  jobs,
  mailer,
  subscriptions,
  logger,
}: {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  mailer: Mailer;
  subscriptions: Pick<SubscriptionsService, 'current'>;
  logger: Logger;
}) {
  /** Reads every plan's meters and records (and queues the e-mail of) each new alert. */
  async function check(): Promise<number> {
    let recorded = 0;
    for (const groupId of await createSubscriptionsRepo(db).planGroups()) {
      const reading = await subscriptions.current(groupId);
      // a plan inherited from a group above is that group's alert, not this one's
      if (!reading || reading.plan_group_id !== groupId) continue;
      const alerts = crossedThresholds(
        groupId,
        reading.period_start,
        reading.usage,
        reading.limits as Record<AlertKey['meter'], number | null>,
      );
      for (const alert of alerts)
        await db.transaction(async (tx) => {
          if (!(await createSubscriptionsRepo(tx).recordAlert(alert, clock.now()))) return;
          recorded += 1;
          const key: AlertKey = {
            group_id: alert.group_id,
            period: alert.period,
            meter: alert.meter,
            threshold: alert.threshold,
          };
          await enqueue(tx, { kind: USAGE_ALERT_MAIL_JOB, payload: key });
          await enqueue(tx, {
            kind: USAGE_ALERT_EVENT_JOB,
            payload: key,
            dedupeKey: usageAlertEventKey(key),
          });
        });
    }
    return recorded;
  }

  const hourly = registerHourlyJob({
    db,
    clock,
    jobs,
    kind: USAGE_ALERTS_JOB,
    run: async () => {
      const recorded = await check();
      if (recorded > 0) logger.info({ alerts: recorded }, 'usage alerts recorded');
      return true;
    },
  });

  jobs.register(
    USAGE_ALERT_MAIL_JOB,
    async (key: AlertKey, ctx) => {
      const repo = createSubscriptionsRepo(ctx.db);
      const alert = await repo.findAlert(key);
      if (!alert || alert.sent) return;
      const recipients = await repo.alertRecipients(key.group_id);
      const plan = await repo.find(key.group_id);
      const reading = await subscriptions.current(key.group_id);
      if (recipients.length > 0) {
        const month = alert.period.slice(0, 7);
        const reached =
          alert.threshold === 100 ? 'reached its limit' : `is at ${alert.threshold} % of its limit`;
        await mailer.send({
          to: recipients,
          subject: `Usage alert: ${reading?.group_name ?? `group ${key.group_id}`} ${reached} of ${NOUNS[key.meter]}`,
          text: [
            `${reading?.group_name ?? `Group ${key.group_id}`} (plan ${plan?.plan_name ?? 'removed'}) ${reached} of ${NOUNS[key.meter]} in ${month}.`,
            '',
            `Used: ${alert.used} of ${alert.limit} ${NOUNS[key.meter]} when the alert was raised.`,
            alert.threshold === 100
              ? 'Actions that count against this limit are now refused; calls in progress are never dropped.'
              : 'At 100 % the actions that count against this limit are refused.',
            '',
          ].join('\n'),
        });
      }
      await repo.markAlertSent(key, ctx.clock.now());
    },
    { maxAttempts: 5 },
  );

  return { check, scheduleNext: hourly.scheduleNext };
}
