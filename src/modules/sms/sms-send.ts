import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/index.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { toE164 } from '../../lib/phone.js';
import type { CarrierName } from '../../telephony/carrier-params.js';
import type { CarrierTexts, OutboundText } from '../../telephony/carrier-texts.js';
import { MessagesApiError } from '../../telephony/twilio-messages.js';
import { type ClaimedSend, createSmsRepo } from './sms.repo.js';
import { SMS_SEND_JOB } from './sms.service.js';
import { enqueueSmsStatus } from './sms-events.js';
/**
 * Hands one outbound message to the carrier, exactly once, across crashes and lost answers:
 *
 * 1. In one transaction the job locks the message, reads whether its recipient opted out (then
 *    the message fails and nothing is sent), and marks it `sending` with the time, before any
 *    request leaves.
 *    The carrier is fixed then too: the sender number's (phone_number.carrier), else CARRIER.
 * 2. It creates the message at that carrier, with a status callback URL naming the message, and
 *    records the id the carrier gave it.
 * 3. A run that finds the message already `sending` (the process died, or the answer was lost,
 *    between 1 and 2) does not know whether the carrier has it. It asks the same carrier
 *    (CarrierTexts.findSent: Twilio's and SignalWire's list of messages between the two numbers
 *    since the send began, less those already recorded; Telnyx's answer to the same request with
 *    the same Idempotency-Key) and adopts its copy instead of sending again. Meanwhile a status
 *    callback may already have told us (its URL carries the message id).
 *
 * A keyword's answer (STOP's confirmation) goes to the person who just opted out: it alone is
 * sent regardless, as carriers expect. A request the carrier refused (4xx) fails the message with the carrier's error code; anything
 * else (no answer, 5xx, 429) is retried with back-off, through step 3.
 */

export const OPTED_OUT_AT_SEND = 'recipient opted out before the message was sent';

const e164 = (number: string) => (/^\d{10}$/.test(number) ? toE164(number) : number);

export interface SmsSendOptions {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  /** each carrier's way of sending a text */
  textsFor: (carrier: CarrierName) => CarrierTexts;
  /** the carrier of a number whose carrier is not known (CARRIER) */
  defaultCarrier: CarrierName;
  logger?: FastifyBaseLogger;
}

/** Whether the recipient's opt-out stops this message (a keyword's answer is sent regardless). */
export const isBlocked = (send: ClaimedSend) => send.opted_out && send.purpose !== 'keyword_reply';

export const outboundText = (send: ClaimedSend, startedAt: Date): OutboundText => ({
  messageId: send.message_id,
  to: e164(send.to_number),
  from: e164(send.from_number),
  body: send.body,
  mediaUrls: send.media_urls,
  startedAt,
});

export function registerSmsSend({ db, clock, jobs, textsFor, defaultCarrier, logger }: SmsSendOptions) {
  /** The carrier took the text: its sid and status, and the status event, in one transaction. */
  const handedOver = (messageId: number, sid: string, status: string) =>
    db.transaction(async (tx) => {
      const stored = await createSmsRepo(tx).markHandedOver(messageId, sid, status, clock.now());
      if (stored) await enqueueSmsStatus(tx, messageId, stored);
    });
  const failed = (messageId: number, failure: { errorCode: number | null; errorMessage: string }) =>
    db.transaction(async (tx) => {
      await createSmsRepo(tx).markFailed(messageId, failure, clock.now());
      await enqueueSmsStatus(tx, messageId, 'failed');
    });

  jobs.register(
    SMS_SEND_JOB,
    async ({ messageId }: { messageId: number }) => {
      const claimed = await db.transaction(async (tx) => {
        const repo = createSmsRepo(tx);
        const send = await repo.lockSend(messageId);
        if (!send || send.carrier_message_sid || (send.status !== 'accepted' && send.status !== 'sending'))
          return undefined;
        if (send.status === 'accepted') {
          if (isBlocked(send)) {
            await repo.markFailed(
              messageId,
              { errorCode: null, errorMessage: OPTED_OUT_AT_SEND },
              clock.now(),
            );
            await enqueueSmsStatus(tx, messageId, 'failed');
            return undefined;
          }
          const now = clock.now();
          // A broadcast text waits for its sender number's next slot (the group's messages_per_second).
          if (send.purpose === 'broadcast') {
            let slot = send.send_slot_at;
            if (!slot) {
              const rate = (await repo.settings(send.group_id))?.messages_per_second ?? 1;
              slot = await repo.reserveSlot(messageId, send.from_number, now, 1000 / rate);
            }
            if (slot.getTime() > now.getTime()) return { deferUntil: slot };
          }
          const carrier = send.carrier ?? defaultCarrier;
          await repo.markSending(messageId, now, carrier);
          return { send: { ...send, send_started_at: now, carrier }, isRetry: false };
        }
        return { send, isRetry: true };
      });
      if (!claimed) return;
      if ('deferUntil' in claimed) return { retryAt: claimed.deferUntil };
      const { send, isRetry } = claimed;
      const texts = textsFor(send.carrier ?? defaultCarrier);
      const text = outboundText(send, send.send_started_at ?? clock.now());
      try {
        if (isRetry) {
          const found = await texts.findSent(text, (sids) => createSmsRepo(db).knownSids(sids), clock.now());
          if (found) {
            logger?.info({ messageId, sid: found.sid }, 'sms send found at the carrier; not sent again');
            await handedOver(messageId, found.sid, found.status);
            return;
          }
          if (isBlocked(send)) {
            await failed(messageId, { errorCode: null, errorMessage: OPTED_OUT_AT_SEND });
            return;
          }
        }
        const created = await texts.send(text);
        await handedOver(messageId, created.sid, created.status);
      } catch (error) {
        if (!(error instanceof MessagesApiError) || !error.isPermanent) throw error;
        await failed(messageId, { errorCode: error.errorCode, errorMessage: error.message });
      }
    },
    { maxAttempts: 12 },
  );
}
