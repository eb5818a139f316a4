import type { Db, Queryable } from '../../db/index.js';
import { AppError, invalidInput, notFound } from '../../errors.js';
import { enqueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { toNanp10 } from '../../lib/phone.js';
import type { CarrierName } from '../../telephony/carrier-params.js';
import type { CarrierTexts } from '../../telephony/carrier-texts.js';
import type { FlowCache } from '../../telephony/flow-cache.js';
import { messagingTwiml } from '../../telephony/twiml.js';
import type { Principal } from '../auth/principal.js';
import { type ListQuery, toPage } from '../shared/list.js';
import type { PlanLimits } from '../subscriptions/subscriptions.service.js';
import {
  type ConversationRow,
  conversationFilterFields,
  createSmsRepo,
  type MessageRow,
  messageFilterFields,
  type NewMessage,
  type OptOutRow,
  optOutFilterFields,
  type Purpose,
} from './sms.repo.js';
import { enqueueSmsReceived, enqueueSmsStatus } from './sms-events.js';
import { keywordOf } from './sms-keywords.js';

/** The job that hands one outbound message to the carrier (sms-send.ts). */
export const SMS_SEND_JOB = 'sms.send';

/** An auto-reply goes to a conversation at most once in this window. */
const AUTO_REPLY_WINDOW_MS = 24 * 3600_000;

/** Form fields the carrier posts with a text; names are Twilio's. */
export type MessagingParams = Record<string, string | undefined>;

/** The most media a message carries (Twilio's limit). */
const MAX_MEDIA = 10;

export interface SmsServiceDeps {
  db: Db;
  clock: Clock;
  flows: FlowCache;
  /** joins a text to a pool number to the website visit holding it (DNI) */
  attributeText: (tx: Queryable, messageId: number, trackingNumber: string, at: Date) => Promise<void>;
  /** each carrier's way of sending texts, and whether it is configured */
  textsFor: (carrier: CarrierName) => CarrierTexts;
  /** the carrier of a number whose carrier is not known (CARRIER) */
  defaultCarrier: CarrierName;
  /** the plan's texts limit: Send SMS past it is refused */
  limits?: PlanLimits | undefined;
}

/** How an inbound text reached us, and how its keyword answer goes back. */
export interface InboundEdge {
  carrier: CarrierName;
  /**
   * true: the answer is the webhook's TwiML/LaML <Message> (Twilio, SignalWire); false: the
   * carrier ignores the webhook's body (Telnyx), so the answer is sent through the send queue
   */
  repliesInResponse: boolean;
}

const TWILIO_EDGE: InboundEdge = { carrier: 'twilio', repliesInResponse: true };

export const OPTED_OUT_ERROR = (number: string) =>
  `${number} has opted out of texts from this group (replied STOP); nothing was sent`;
export const SMS_NOT_CONFIGURED = 'SMS sending is not configured on this server (TWILIO_ACCOUNT_SID)';
const notConfigured = (texts: CarrierTexts) =>
  texts.carrier === 'twilio'
    ? SMS_NOT_CONFIGURED
    : `SMS sending through ${texts.carrier} is not configured on this server (${texts.settings})`;

/** A number as stored: 10 digits for NANP, else as the carrier gave it. */
const storedNumber = (raw: string) => toNanp10(raw) ?? raw.trim();

const defaultHelp = (groupName: string) =>
  `${groupName}: reply STOP to stop texts, START to get them again. Msg & data rates may apply.`;
const optOutReply = (groupName: string) =>
  `${groupName}: you are unsubscribed and will get no more texts from us. Reply START to resubscribe.`;
const optInReply = (groupName: string) =>
  `${groupName}: you are subscribed again. Reply STOP to unsubscribe, HELP for help.`;

/** Thrown inside the inbound transaction when a retry of the webhook recorded the text first. */
class AlreadyRecorded extends Error {}

function mediaOf(params: MessagingParams): string[] {
  const count = Math.min(MAX_MEDIA, Number.parseInt(params.NumMedia ?? '0', 10) || 0);
  const urls: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const url = params[`MediaUrl${i}`];
    if (url) urls.push(url);
  }
  return urls;
}

export interface SendSmsInput {
  tracking_number: string | number;
  to_number: string | number;
  message: string;
  media_urls?: string[] | undefined;
  idempotency_key?: string | undefined;
}

export function createSmsService({
  db,
  clock,
  flows,
  attributeText,
  textsFor,
  defaultCarrier,
  limits,
}: SmsServiceDeps) {
  const repo = createSmsRepo(db);

  /** An outbound message written and its send enqueued, in the caller's transaction. */
  async function queueOutbound(
    tx: Queryable,
    message: Omit<NewMessage, 'direction' | 'status' | 'carrier_message_sid'>,
  ): Promise<number | undefined> {
    const messageId = await createSmsRepo(tx).insertMessage({
      ...message,
      direction: 'outbound',
      status: 'accepted',
      carrier_message_sid: null,
    });
    if (messageId !== undefined)
      await enqueue(tx, {
        kind: SMS_SEND_JOB,
        payload: { messageId },
        dedupeKey: `${SMS_SEND_JOB}:${messageId}`,
      });
    return messageId;
  }

  return {
    /**
     * An inbound text (the number's messaging webhook): recorded once per MessageSid in the
     * conversation of texter and number, attributed like a call; a keyword changes the texter's
     * consent and is answered in the TwiML; the flow may forward the text and auto-reply (both
     * through the send queue, which checks opt-outs). A retry gets the first answer again. The
     * same for every carrier; `edge` says which one and how the keyword answer goes back.
     */
    async receive(params: MessagingParams, edge: InboundEdge = TWILIO_EDGE): Promise<string> {
      const sid = params.MessageSid ?? '';
      const earlier = await repo.inboundBySid(sid);
      if (earlier) return earlier.reply_twiml ?? messagingTwiml();
      const tracking = storedNumber(params.To ?? '');
      const from = storedNumber(params.From ?? '');
      const body = params.Body ?? '';
      const flow = await flows.forNumber(tracking);
      // A number without a live flow belongs to no group: there is nobody to record the text for.
      if (!flow) return messagingTwiml();
      const now = clock.now();
      const keyword = keywordOf(body);
      const attribution = {
        group_id: flow.groupId,
        call_flow_id: flow.callFlowId,
        campaign_id: flow.campaignId,
        channel_id: flow.channelId,
      };
      try {
        return await db.transaction(async (tx) => {
          const smsRepo = createSmsRepo(tx);
          const conversationId = await smsRepo.touchConversation({
            ...attribution,
            tracking_number: tracking,
            contact_number: from,
            direction: 'inbound',
            body,
            at: now,
          });
          const messageId = await smsRepo.insertMessage(
            {
              ...attribution,
              conversation_id: conversationId,
              direction: 'inbound',
              purpose: 'message',
              carrier_message_sid: sid,
              idempotency_key: null,
              from_number: from,
              to_number: tracking,
              body,
              media_urls: mediaOf(params),
              status: 'received',
              created_by: null,
              created_at: now,
              carrier: edge.carrier,
            },
            flow.repeatIntervalHours,
          );
          if (messageId === undefined) throw new AlreadyRecorded();
          // answers from this number go back through the carrier its texts come through
          await smsRepo.noteNumberCarrier(tracking, edge.carrier);
          await enqueueSmsReceived(tx, messageId);
          if (flow.viaPool) await attributeText(tx, messageId, tracking, now);

          let reply: string | undefined;
          if (keyword) {
            const settings = await smsRepo.settings(flow.groupId);
            const name = settings?.group_name ?? 'Switchboard';
            if (keyword.kind === 'help') reply = settings?.help_text || defaultHelp(name);
            else {
              const optedOut = keyword.kind === 'opt_out';
              await smsRepo.setOptOut({
                group_id: flow.groupId,
                contact_number: from,
                opted_out: optedOut,
                keyword: keyword.keyword,
                tracking_number: tracking,
                at: now,
              });
              reply = optedOut ? optOutReply(name) : optInReply(name);
            }
            const answer = {
              ...attribution,
              conversation_id: conversationId,
              purpose: 'keyword_reply' as const,
              idempotency_key: null,
              from_number: tracking,
              to_number: from,
              body: reply,
              media_urls: [],
              created_by: null,
              created_at: now,
            };
            // The answer goes back in the webhook's TwiML, or through the send queue where the
            // carrier ignores the webhook's answer; either way it is recorded in the conversation.
            if (edge.repliesInResponse)
              await smsRepo.insertMessage({
                ...answer,
                direction: 'outbound',
                carrier_message_sid: null,
                status: 'queued',
                carrier: edge.carrier,
              });
            else await queueOutbound(tx, answer);
          } else if (flow.sms.isEnabled) {
            await answerText(tx, {
              ...attribution,
              conversationId,
              tracking,
              from,
              body,
              params,
              now,
              flow,
              edge,
            });
          }
          const twiml = messagingTwiml(edge.repliesInResponse ? reply : undefined);
          await smsRepo.saveReply(messageId, twiml);
          return twiml;
        });
      } catch (error) {
        if (!(error instanceof AlreadyRecorded)) throw error;
        return (await repo.inboundBySid(sid))?.reply_twiml ?? messagingTwiml();
      }
    },

    /**
     * A carrier status callback for an outbound message (`messageId` from its callback URL), in
     * Twilio's names and Switchboard's statuses (the edge maps its carrier's).
     */
    async status(
      params: MessagingParams,
      messageId: number | undefined,
      carrier: CarrierName = 'twilio',
    ): Promise<void> {
      const errorCode = Number.parseInt(params.ErrorCode ?? '', 10);
      await db.transaction(async (tx) => {
        const updated = await createSmsRepo(tx).applyStatus({
          sid: params.MessageSid ?? '',
          messageId,
          status: params.MessageStatus ?? '',
          errorCode: Number.isNaN(errorCode) ? null : errorCode,
          at: clock.now(),
          carrier,
        });
        if (updated) await enqueueSmsStatus(tx, updated.message_id, updated.status);
      });
    },

    /**
     * Send SMS: from a tracking number of the caller's groups to a person who has not opted out
     * of that number's group. The message is written and its send queued in one transaction;
     * the job hands it to the carrier. A repeated idempotency key answers the first message.
     */
    async send(principal: Principal, input: SendSmsInput): Promise<MessageRow> {
      const tracking = toNanp10(input.tracking_number);
      if (!tracking)
        throw invalidInput(`tracking_number ${input.tracking_number} is not a valid 10-digit phone number`);
      const to = toNanp10(input.to_number);
      if (!to) throw invalidInput(`to_number ${input.to_number} is not a valid 10-digit phone number`);
      const body = input.message;
      const media = input.media_urls ?? [];
      if (body.trim() === '' && media.length === 0) throw invalidInput('message is required');
      const badMedia = media.find((url) => !/^https?:\/\/\S+$/i.test(url));
      if (badMedia !== undefined) throw invalidInput(`media_urls ${badMedia} is not an http or https URL`);
      const key = input.idempotency_key ? `${principal.groupId}:${input.idempotency_key}` : null;
      if (key) {
        const sent = await repo.messageByKey(key);
        if (sent !== undefined) return (await repo.message(principal.groupId, sent)) as MessageRow;
      }
      const sender = await repo.senderNumber(principal.groupId, tracking);
      if (!sender) throw invalidInput(`tracking_number ${tracking} is not a tracking number of your groups`);
      const texts = textsFor(sender.carrier ?? defaultCarrier);
      if (!texts.isConfigured) throw invalidInput(notConfigured(texts));
      const { carrier: _carrier, ...attribution } = sender;
      const messageId = await db.transaction(async (tx) => {
        const smsRepo = createSmsRepo(tx);
        if (await smsRepo.isOptedOut(sender.group_id, to)) throw invalidInput(OPTED_OUT_ERROR(to));
        const now = clock.now();
        await limits?.check(tx, sender.group_id, 'texts', 1, now);
        const conversationId = await smsRepo.touchConversation({
          ...attribution,
          tracking_number: tracking,
          contact_number: to,
          direction: 'outbound',
          body,
          at: now,
        });
        return queueOutbound(tx, {
          ...attribution,
          conversation_id: conversationId,
          purpose: 'message',
          idempotency_key: key,
          from_number: tracking,
          to_number: to,
          body,
          media_urls: media,
          created_by: principal.userId,
          created_at: now,
        });
      });
      // undefined: the same key committed meanwhile (this transaction's insert did nothing)
      const id = messageId ?? (key ? await repo.messageByKey(key) : undefined);
      const row = id === undefined ? undefined : await repo.message(principal.groupId, id);
      if (!row) throw new AppError('CONFLICT', 'The message was not recorded; send it again');
      return row;
    },

    /** Conversations of the caller's scope, or of `group_id`'s subtree (a group of that scope). */
    async conversations(
      principal: Principal,
      query: ListQuery & { group_id?: number | undefined },
    ): Promise<ConversationRow[]> {
      const page = toPage(query, conversationFilterFields, 3);
      if (query.group_id === undefined) return repo.conversations(principal.groupId, page);
      if (!(await repo.groupInScope(principal.groupId, query.group_id)))
        throw invalidInput(`group_id ${query.group_id} is not a group you can access`);
      return repo.conversations(query.group_id, page);
    },

    async conversation(principal: Principal, conversationId: number): Promise<ConversationRow> {
      const row = await repo.conversation(principal.groupId, conversationId);
      if (!row) throw notFound('No conversation found');
      return row;
    },

    async messages(principal: Principal, conversationId: number, query: ListQuery): Promise<MessageRow[]> {
      const conversation = await repo.conversation(principal.groupId, conversationId);
      if (!conversation) throw notFound('No conversation found');
      return repo.messages(conversationId, toPage(query, messageFilterFields, 3));
    },

    async message(principal: Principal, messageId: number): Promise<MessageRow> {
      const row = await repo.message(principal.groupId, messageId);
      if (!row) throw notFound('No message found');
      return row;
    },

    async markRead(principal: Principal, conversationId: number): Promise<ConversationRow> {
      const conversation = await repo.conversation(principal.groupId, conversationId);
      if (!conversation) throw notFound('No conversation found');
      await repo.markRead(conversationId);
      return { ...conversation, unread_count: 0 };
    },

    async optOuts(principal: Principal, query: ListQuery): Promise<OptOutRow[]> {
      return repo.optOuts(principal.groupId, toPage(query, optOutFilterFields, 3));
    },
  };

  /** A text the flow answers: forwarded to its destination, and an auto-reply once a day. */
  async function answerText(
    tx: Queryable,
    text: {
      group_id: number;
      call_flow_id: number;
      campaign_id: number;
      channel_id: number;
      conversationId: number;
      tracking: string;
      from: string;
      body: string;
      params: MessagingParams;
      now: Date;
      flow: NonNullable<Awaited<ReturnType<FlowCache['forNumber']>>>;
      edge: InboundEdge;
    },
  ): Promise<void> {
    // without the carrier's API nothing could be sent; the text is still recorded
    if (!textsFor(text.edge.carrier).isConfigured) return;
    const smsRepo = createSmsRepo(tx);
    const common = {
      group_id: text.group_id,
      call_flow_id: text.call_flow_id,
      campaign_id: text.campaign_id,
      channel_id: text.channel_id,
      conversation_id: text.conversationId,
      idempotency_key: null,
      from_number: text.tracking,
      created_by: null,
      created_at: text.now,
    };
    const outbound = (purpose: Purpose, to: string, body: string, media: string[]) =>
      queueOutbound(tx, { ...common, purpose, to_number: to, body, media_urls: media });
    const { forwardTo, autoReply } = text.flow.sms;
    if (forwardTo && forwardTo !== text.from)
      await outbound('forward', forwardTo, `Text from ${text.from}: ${text.body}`, mediaOf(text.params));
    if (
      autoReply &&
      !(await smsRepo.isOptedOut(text.group_id, text.from)) &&
      !(await smsRepo.hasAutoReplySince(
        text.conversationId,
        new Date(text.now.getTime() - AUTO_REPLY_WINDOW_MS),
      ))
    ) {
      await smsRepo.touchConversation({
        group_id: text.group_id,
        call_flow_id: text.call_flow_id,
        campaign_id: text.campaign_id,
        channel_id: text.channel_id,
        tracking_number: text.tracking,
        contact_number: text.from,
        direction: 'outbound',
        body: autoReply,
        at: text.now,
      });
      await outbound('auto_reply', text.from, autoReply, []);
    }
  }
}

export type SmsService = ReturnType<typeof createSmsService>;
