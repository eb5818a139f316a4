import type { Db } from '../../db/index.js';
import type { Clock } from '../../lib/clock.js';
import { storableText } from '../../lib/text.js';
import { MAIL_NOT_CONFIGURED, MailError, type Mailer, type MailLogger } from '../../mail/mailer.js';
import { loadCallRecords } from '../calls/call-record.js';
import { parseEmailList, renderCallSummary } from './call-data.js';

export type NotificationStatus = 'succeeded' | 'failed' | 'skipped';

export interface NotificationOutcome {
  status: NotificationStatus;
  recipients: string;
  outcome: string;
}

/** The outcome with e-mail off (SMTP_URL unset), as `mailer.send` would have it. */
const SKIPPED = { status: 'skipped', outcome: `not sent: ${MAIL_NOT_CONFIGURED}` } as const;

/**
 * Who to tell about the call ($1): the `email_to_notify` of its flow as it was when the call came
 * in, trimmed; no row for a blocked call. The flow is read by sub-selects, not joins: see
 * TARGETS_CTES in webhook-delivery.ts.
 */
const RECIPIENTS_SQL = `select regexp_replace(coalesce(
            (select v.document from call_flow_version v
              where v.call_flow_id = c.call_flow_id and v.version = c.call_flow_version),
            (select f.document from call_flow f where f.call_flow_id = c.call_flow_id)) ->> 'email_to_notify',
          '^\\s+|\\s+$', '', 'g') as recipients
     from call c
    where c.call_id = $1 and c.disposition <> 'BLOCKED'`;

/** Whether the call ($1) is to be summed up by e-mail: the completion step's `when` condition. */
export const CALL_NOTIFY_WANTED_SQL = `exists (select 1 from (${RECIPIENTS_SQL}) w where w.recipients <> '')`;

/**
 * Who to tell and the claim, in one statement: no row when nobody is to be told or the e-mail was
 * done already. With e-mail off ($3, $4 given), a new row is written as skipped at once (its
 * outcome known without the call's record), unless a recipient is not an address.
 */
export const CALL_NOTIFY_CLAIM_SQL = `with wanted as (${RECIPIENTS_SQL})
 insert into call_notification (call_id, kind, status, recipients, created_at, outcome, finished_at)
 select $1, 'email_to_notify', coalesce($3::text, 'running'), recipients, $2::timestamptz, coalesce($4::text, ''),
        case when $3::text is not null then $2::timestamptz end
   from wanted where recipients <> ''
 on conflict (call_id, kind) do update set attempts = call_notification.attempts + 1
  where call_notification.status = 'running'
 returning recipients, status`;

/**
 * The call summary e-mail a flow's `email_to_notify` asks for, sent once per call: a row in
 * call_notification is claimed first and holds the outcome after. A claim left 'running' by a
 * crash is tried again.
 */
export function createCallSummaryNotifier({
  db,
  clock,
  mailer,
  logger,
}: {
  db: Db;
  clock: Clock;
  mailer: Mailer;
  logger?: MailLogger | undefined;
}) {
  return {
    /**
     * Undefined when the call's flow (as it was when the call came in) notifies nobody, when the
     * call was blocked (a spam burst must not flood the inbox), or when it was done already.
     */
    async sendCallSummary(callId: number): Promise<NotificationOutcome | undefined> {
      const { rows } = await db.query<{ recipients: string; status: string }>(
        CALL_NOTIFY_CLAIM_SQL,
        [
          callId,
          clock.now(),
          mailer.isConfigured ? null : SKIPPED.status,
          mailer.isConfigured ? null : SKIPPED.outcome,
        ],
        { prepare: 'call_notify_claim' },
      );
      const wanted = rows[0]?.recipients;
      if (wanted === undefined) return undefined;
      const recipients = parseEmailList(wanted);
      if (rows[0]?.status === SKIPPED.status && recipients) {
        logger?.info({ callId, status: SKIPPED.status }, 'call summary e-mail');
        return { ...SKIPPED, recipients: wanted };
      }

      const outcome = await (async (): Promise<NotificationOutcome> => {
        if (!recipients)
          return {
            status: 'failed',
            recipients: wanted,
            outcome: 'not sent: a recipient is not an e-mail address',
          };
        const record = (await loadCallRecords(db, [callId]))[0];
        if (!record) return { status: 'failed', recipients: wanted, outcome: 'not sent: the call is gone' };
        const summary = renderCallSummary(record, 'Call summary');
        try {
          const info = await mailer.send({ to: recipients, subject: summary.subject, text: summary.text });
          return {
            status: 'succeeded',
            recipients: wanted,
            outcome: `sent to ${info.accepted.join(', ')}: ${info.response}`,
          };
        } catch (error) {
          if (!(error instanceof MailError)) throw error;
          return {
            status: error.isNotConfigured ? 'skipped' : 'failed',
            recipients: wanted,
            outcome: `not sent: ${error.message}`,
          };
        }
      })();
      await db.query(
        `update call_notification set status = $2, outcome = $3, finished_at = $4
          where call_id = $1 and kind = 'email_to_notify'`,
        [callId, outcome.status, storableText(outcome.outcome, 2000), clock.now()],
        { prepare: 'call_notify_finish' },
      );
      logger?.info({ callId, status: outcome.status }, 'call summary e-mail');
      return outcome;
    },
  };
}

export type CallSummaryNotifier = ReturnType<typeof createCallSummaryNotifier>;
