import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/index.js';
import { exponentialBackoffMs, insertJobsSql, type JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import type { CarrierName } from '../../telephony/carrier-params.js';
import type { CarrierTexts, HandedOver } from '../../telephony/carrier-texts.js';
import { MessagesApiError } from '../../telephony/twilio-messages.js';
import { type ClaimedSend, createSmsRepo } from '../sms/sms.repo.js';
import { SMS_SEND_JOB } from '../sms/sms.service.js';
import { enqueueSmsStatuses } from '../sms/sms-events.js';
import { isBlocked, OPTED_OUT_AT_SEND, outboundText } from '../sms/sms-send.js';

/**
 * Broadcast texts go out in batches, from their broadcast's job (broadcasts.ts), instead of one
 * send job each: a batch is the due text of each sender number (its slot has come, and this
 * process sent the number's last text at least one interval ago), claimed in one transaction,
 * handed to the carrier in parallel, and recorded in one transaction with their `sms.status`
 * events. Statements per text drop from about twenty to a handful.
 *
 * Exactly once, as for one-off texts: the claim marks the texts `sending` and, in the same
 * transaction, adds one take-over job for the batch, due only once its requests have surely
 * ended (OUTBOUND_HTTP_TIMEOUT_MS and a margin). Recording the answers marks it done; a process
 * that dies in between leaves it, and it hands each text still `sending` to the text's own send
 * job (sms-send.ts), which asks the carrier for the text before sending it again. A request that
 * failed for a reason that may pass (no answer, 5xx, 429) hands the text to its own send job at
 * once, with that job's back-off; a refusal fails the text. (One job per batch, not one per text:
 * the job rows were a good part of a broadcast's cost.)
 */

/** How long after its request's timeout a text's own send job may take it over. */
const TAKE_OVER_MARGIN_MS = 10_000;
/** Senders remembered per process past which those idle for a minute are forgotten. */
const REMEMBERED_SENDERS = 10_000;

/** The job that hands a batch's texts to their own send jobs when the batch's answers were not recorded. */
export const BROADCAST_TAKE_OVER_JOB = 'sms.broadcast.takeover';

/** A batch's take-over job ($1 its texts, $2 when it is due, $3 its key: takeOverKey). */
const TAKE_OVER_JOB_SQL = insertJobsSql(
  `select '${BROADCAST_TAKE_OVER_JOB}', jsonb_build_object('messageIds', $1::bigint[]), $3::text, $2::timestamptz`,
  { columns: ['run_at'] },
);
/** The key of a batch's take-over job, named by its first text (a text is in one batch). */
const takeOverKey = (messageIds: readonly number[]) => `${BROADCAST_TAKE_OVER_JOB}:${messageIds[0]}`;

/** Each text's own send job (sms-send.ts), due at $2, for the texts of $1 still `sending` without a carrier id. */
const SEND_JOBS_SQL = insertJobsSql(
  `select '${SMS_SEND_JOB}', jsonb_build_object('messageId', m.message_id), '${SMS_SEND_JOB}:' || m.message_id,
          $2::timestamptz
     from sms_message m
    where m.message_id = any($1::bigint[]) and m.status = 'sending' and m.carrier_message_sid is null`,
  { columns: ['run_at'] },
);

export interface BroadcastSenderOptions {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  textsFor: (carrier: CarrierName) => CarrierTexts;
  defaultCarrier: CarrierName;
  /** OUTBOUND_HTTP_TIMEOUT_MS: the longest a carrier request lasts */
  requestTimeoutMs: number;
  logger?: FastifyBaseLogger | undefined;
}

type Send = ClaimedSend & { carrier: CarrierName };
type Outcome = { send: Send; handed: HandedOver } | { send: Send; error: unknown };

export function createBroadcastSender({
  db,
  clock,
  jobs,
  textsFor,
  defaultCarrier,
  requestTimeoutMs,
  logger,
}: BroadcastSenderOptions) {
  /** When this process last handed each sender number's text over (clock ms). */
  const lastSentAt = new Map<string, number>();

  function remember(sender: string, at: number): void {
    if (lastSentAt.size >= REMEMBERED_SENDERS) {
      for (const [number, sentAt] of lastSentAt) if (at - sentAt > 60_000) lastSentAt.delete(number);
    }
    lastSentAt.set(sender, at);
  }

  /** The due texts of one batch, claimed; and when the next one held back by spacing is free. */
  const claim = (broadcastId: number, now: Date) =>
    db.transaction(async (tx) => {
      const repo = createSmsRepo(tx);
      const due = await repo.lockDueBroadcastSends(broadcastId, now);
      const blocked = due.filter(isBlocked);
      const ready: Send[] = [];
      let freeAt: number | undefined;
      for (const send of due) {
        if (isBlocked(send)) continue;
        const free =
          (lastSentAt.get(send.from_number) ?? Number.NEGATIVE_INFINITY) + 1000 / send.messages_per_second;
        if (free > now.getTime()) {
          freeAt = Math.min(freeAt ?? free, free);
          continue;
        }
        ready.push({ ...send, carrier: send.carrier ?? defaultCarrier });
      }
      await repo.markManyFailed(
        blocked.map((send) => ({
          messageId: send.message_id,
          errorCode: null,
          errorMessage: OPTED_OUT_AT_SEND,
        })),
        now,
      );
      await enqueueSmsStatuses(
        tx,
        blocked.map((send) => ({ messageId: send.message_id, status: 'failed' })),
      );
      if (ready.length > 0) {
        await repo.markManySending(
          ready.map((send) => ({ messageId: send.message_id, carrier: send.carrier })),
          now,
        );
        const messageIds = ready.map((send) => send.message_id);
        await tx.query(TAKE_OVER_JOB_SQL, [
          messageIds,
          new Date(now.getTime() + requestTimeoutMs + TAKE_OVER_MARGIN_MS),
          takeOverKey(messageIds),
        ]);
      }
      return { ready, settled: blocked.length, freeAt };
    });

  /** The carrier's answers, in one transaction; the texts left to their own send job get it now. */
  const record = (outcomes: readonly Outcome[]) =>
    db.transaction(async (tx) => {
      const now = clock.now();
      const repo = createSmsRepo(tx);
      const handed: { messageId: number; sid: string; status: string }[] = [];
      const refused: { messageId: number; errorCode: number | null; errorMessage: string }[] = [];
      const retried: number[] = [];
      for (const outcome of outcomes) {
        const messageId = outcome.send.message_id;
        if ('handed' in outcome) handed.push({ messageId, ...outcome.handed });
        else if (outcome.error instanceof MessagesApiError && outcome.error.isPermanent)
          refused.push({
            messageId,
            errorCode: outcome.error.errorCode,
            errorMessage: outcome.error.message,
          });
        else {
          retried.push(messageId);
          logger?.warn(
            { err: outcome.error, messageId },
            'broadcast text not handed over; its send job retries it',
          );
        }
      }
      const stored = await repo.markManyHandedOver(handed, now);
      await repo.markManyFailed(refused, now);
      await enqueueSmsStatuses(tx, [
        ...stored.map((row) => ({ messageId: row.message_id, status: row.status })),
        ...refused.map((failure) => ({ messageId: failure.messageId, status: 'failed' })),
      ]);
      if (retried.length > 0)
        await tx.query(SEND_JOBS_SQL, [retried, new Date(now.getTime() + exponentialBackoffMs(1))]);
      await tx.query(
        `update job set done_at = $2, locked_until = null
          where dedupe_key = $1 and done_at is null and failed_at is null`,
        [takeOverKey(outcomes.map((outcome) => outcome.send.message_id)), now],
      );
    });

  // A batch whose answers were not recorded (the process died, or the record failed): each text
  // still `sending` goes to its own send job, which asks the carrier before it sends again.
  jobs.register(BROADCAST_TAKE_OVER_JOB, async ({ messageIds }: { messageIds: number[] }) => {
    await db.query(SEND_JOBS_SQL, [messageIds, clock.now()]);
  });

  return {
    /**
     * Sends one batch of the broadcast's due texts; answers how many were settled (handed over,
     * refused or blocked) or passed on, and when a text held back by its number's spacing is free.
     */
    async sendDue(broadcastId: number): Promise<{ sent: number; freeAt: Date | undefined }> {
      const now = clock.now();
      const { ready, settled, freeAt } = await claim(broadcastId, now);
      for (const send of ready) remember(send.from_number, now.getTime());
      const outcomes = await Promise.all(
        ready.map(async (send): Promise<Outcome> => {
          try {
            return { send, handed: await textsFor(send.carrier).send(outboundText(send, now)) };
          } catch (error) {
            return { send, error };
          }
        }),
      );
      if (outcomes.length > 0) await record(outcomes);
      return { sent: ready.length + settled, freeAt: freeAt === undefined ? undefined : new Date(freeAt) };
    },
  };
}

export type BroadcastSender = ReturnType<typeof createBroadcastSender>;
