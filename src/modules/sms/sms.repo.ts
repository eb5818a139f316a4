import type { Static } from '@sinclair/typebox';
import type { Queryable } from '../../db/index.js';
import { type FilterFields, whereClause } from '../../http/filter.js';
import type { CarrierName } from '../../telephony/carrier-params.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';
import type { SmsConversation, SmsMessage, SmsOptOut } from './sms.schemas.js';

/** The only SQL on the text tables (migration 0050). */

export type Direction = 'inbound' | 'outbound';
export type Purpose = 'message' | 'auto_reply' | 'forward' | 'keyword_reply' | 'broadcast';

/** An outbound message's states in the order they happen; a callback never moves one back. */
export const OUTBOUND_STATUS_RANK: Record<string, number> = {
  accepted: 0,
  sending: 1,
  queued: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
};

export interface NewMessage {
  conversation_id: number;
  group_id: number;
  direction: Direction;
  purpose: Purpose;
  carrier_message_sid: string | null;
  idempotency_key: string | null;
  from_number: string;
  to_number: string;
  body: string;
  media_urls: string[];
  status: string;
  call_flow_id: number | null;
  campaign_id: number | null;
  channel_id: number | null;
  created_by: number | null;
  created_at: Date;
  /** the carrier an inbound text came through; an outbound one's is fixed when its send is claimed */
  carrier?: CarrierName | null;
}

/** An outbound text to queue with its send slot (queueOutboundTexts). */
export interface QueuedText {
  group_id: number;
  call_flow_id: number | null;
  campaign_id: number | null;
  channel_id: number | null;
  purpose: Purpose;
  idempotency_key: string;
  from_number: string;
  to_number: string;
  body: string;
  /** the sender number's spacing between texts */
  interval_ms: number;
}

export type MessageRow = Static<typeof SmsMessage>;

export type ConversationRow = Static<typeof SmsConversation>;

export type OptOutRow = Static<typeof SmsOptOut>;

export interface GroupSmsSettings {
  group_id: number;
  group_name: string;
  help_text: string | null;
  quiet_start: string;
  quiet_end: string;
  messages_per_second: number;
  segment_price: number;
}

/** The send a job claimed: the message, and whether its recipient may be texted. */
export interface ClaimedSend {
  message_id: number;
  group_id: number;
  purpose: Purpose;
  send_slot_at: Date | null;
  status: string;
  from_number: string;
  to_number: string;
  body: string;
  media_urls: string[];
  carrier_message_sid: string | null;
  send_started_at: Date | null;
  opted_out: boolean;
  /** the carrier the send went to, else the sender number's; null: neither is known */
  carrier: CarrierName | null;
}

export const conversationFilterFields: FilterFields = {
  conversation_id: { column: 'c.conversation_id', type: 'integer' },
  group_id: { column: 'c.group_id', type: 'integer' },
  tracking_number: { column: 'c.tracking_number', type: 'string' },
  contact_number: { column: 'c.contact_number', type: 'string' },
  call_flow_id: { column: 'c.call_flow_id', type: 'integer' },
  campaign_id: { column: 'c.campaign_id', type: 'integer' },
  channel_id: { column: 'c.channel_id', type: 'integer' },
  unread_count: { column: 'c.unread_count', type: 'integer' },
  message_count: { column: 'c.message_count', type: 'integer' },
  last_direction: { column: 'c.last_direction', type: 'string' },
  last_message_at: { column: 'c.last_message_at', type: 'date' },
  created_at: { column: 'c.created_at', type: 'date' },
};

export const messageFilterFields: FilterFields = {
  message_id: { column: 'm.message_id', type: 'integer' },
  direction: { column: 'm.direction', type: 'string' },
  purpose: { column: 'm.purpose', type: 'string' },
  status: { column: 'm.status', type: 'string' },
  from_number: { column: 'm.from_number', type: 'string' },
  to_number: { column: 'm.to_number', type: 'string' },
  error_code: { column: 'm.error_code', type: 'integer' },
  created_at: { column: 'm.created_at', type: 'date' },
};

export const optOutFilterFields: FilterFields = {
  group_id: { column: 'o.group_id', type: 'integer' },
  contact_number: { column: 'o.contact_number', type: 'string' },
  opted_out: { column: 'o.opted_out', type: 'boolean' },
  keyword: { column: 'o.keyword', type: 'string' },
  tracking_number: { column: 'o.tracking_number', type: 'string' },
  opted_out_at: { column: 'o.opted_out_at', type: 'date' },
  changed_at: { column: 'o.changed_at', type: 'date' },
};

const CONVERSATION_COLUMNS = `c.conversation_id, c.group_id, c.tracking_number, c.contact_number, c.call_flow_id,
  c.campaign_id, c.channel_id, c.message_count, c.unread_count, c.last_direction, c.last_body,
  ${isoTime('c.last_message_at')} as last_message_at, ${isoTime('c.created_at')} as created_at,
  coalesce((select o.opted_out from sms_opt_out o
             where o.group_id = c.group_id and o.contact_number = c.contact_number), false) as opted_out`;

const MESSAGE_COLUMNS = `m.message_id, m.conversation_id, m.group_id, m.direction, m.purpose,
  c.tracking_number, c.contact_number, m.from_number, m.to_number, m.body, m.media_urls, m.status,
  m.error_code, m.error_message, m.carrier_message_sid, m.carrier, m.call_flow_id, m.campaign_id, m.channel_id,
  m.is_repeat, m.created_by, ${isoTime('m.created_at')} as created_at,
  ${isoTime('m.updated_at')} as updated_at,
  (select jsonb_build_object('confidence', a.confidence, 'visitor_id', a.visitor_id, 'visit_id', a.visit_id,
            'landing_page', a.landing_page, 'referrer', a.referrer, 'search_words', a.search_words,
            'utm_source', a.utm_source, 'utm_medium', a.utm_medium, 'utm_campaign', a.utm_campaign,
            'utm_term', a.utm_term, 'utm_content', a.utm_content, 'gclid', a.gclid,
            'custom_params', a.custom_params)
     from sms_attribution a where a.message_id = m.message_id) as attribution`;

const OPT_OUT_COLUMNS = `o.group_id, o.contact_number, o.opted_out, o.keyword, o.tracking_number,
  ${isoTime('o.opted_out_at')} as opted_out_at, ${isoTime('o.changed_at')} as changed_at`;

export function createSmsRepo(db: Queryable) {
  return {
    /** An inbound text already recorded (a carrier retry): the answer it was given. */
    async inboundBySid(sid: string): Promise<{ message_id: number; reply_twiml: string | null } | undefined> {
      const { rows } = await db.query<{ message_id: number; reply_twiml: string | null }>(
        'select message_id, reply_twiml from sms_message where carrier_message_sid = $1',
        [sid],
      );
      return rows[0];
    },

    /**
     * The conversation of a texter and a tracking number in a group, created on its first
     * message; counts the message (an inbound one as unread) and remembers it as the last.
     */
    async touchConversation(conversation: {
      group_id: number;
      tracking_number: string;
      contact_number: string;
      call_flow_id: number | null;
      campaign_id: number | null;
      channel_id: number | null;
      direction: Direction;
      body: string;
      at: Date;
    }): Promise<number> {
      const { rows } = await db.query<{ conversation_id: number }>(
        `insert into sms_conversation as c (group_id, tracking_number, contact_number, call_flow_id, campaign_id,
                channel_id, created_at, last_message_at, last_direction, last_body, message_count, unread_count)
         values ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, 1, case when $8 = 'inbound' then 1 else 0 end)
         on conflict (group_id, tracking_number, contact_number) do update
           set last_message_at = greatest(c.last_message_at, excluded.last_message_at),
               last_direction = excluded.last_direction, last_body = excluded.last_body,
               message_count = c.message_count + 1,
               unread_count = c.unread_count + excluded.unread_count,
               call_flow_id = coalesce(excluded.call_flow_id, c.call_flow_id),
               campaign_id = coalesce(excluded.campaign_id, c.campaign_id),
               channel_id = coalesce(excluded.channel_id, c.channel_id)
         returning conversation_id`,
        [
          conversation.group_id,
          conversation.tracking_number,
          conversation.contact_number,
          conversation.call_flow_id,
          conversation.campaign_id,
          conversation.channel_id,
          conversation.at,
          conversation.direction,
          conversation.body.slice(0, 160),
        ],
      );
      return (rows[0] as { conversation_id: number }).conversation_id;
    },

    /**
     * Inserts a message; undefined when its MessageSid or idempotency key is already recorded.
     * An inbound one is a repeat when its texter texted or called the number before (within
     * `repeatHours` when the flow sets them).
     */
    async insertMessage(message: NewMessage, repeatHours = 0): Promise<number | undefined> {
      const { rows } = await db.query<{ message_id: number }>(
        `insert into sms_message (conversation_id, group_id, direction, purpose, carrier_message_sid, idempotency_key,
                from_number, to_number, body, media_urls, status, call_flow_id, campaign_id, channel_id,
                created_by, created_at, updated_at, carrier, is_repeat)
         select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $15, $16, $16, $18,
                $3 = 'inbound' and (
                  exists (select 1 from sms_message p
                           where p.conversation_id = $1 and p.direction = 'inbound'
                             and ($17::integer = 0 or p.created_at >= $16::timestamptz - make_interval(hours => $17::integer)))
                  or exists (select 1 from call k
                              where k.caller_number = $7 and k.tracking_number = $8
                                and ($17::integer = 0 or k.started_at >= $16::timestamptz - make_interval(hours => $17::integer))))
         on conflict do nothing
         returning message_id`,
        [
          message.conversation_id,
          message.group_id,
          message.direction,
          message.purpose,
          message.carrier_message_sid,
          message.idempotency_key,
          message.from_number,
          message.to_number,
          message.body,
          JSON.stringify(message.media_urls),
          message.status,
          message.call_flow_id,
          message.campaign_id,
          message.channel_id,
          message.created_by,
          message.created_at,
          repeatHours,
          message.carrier ?? null,
        ],
      );
      return rows[0]?.message_id;
    },

    async saveReply(messageId: number, twiml: string): Promise<void> {
      await db.query('update sms_message set reply_twiml = $2 where message_id = $1', [messageId, twiml]);
    },

    /** Whether the conversation got an auto-reply since `since`. */
    async hasAutoReplySince(conversationId: number, since: Date): Promise<boolean> {
      const { rows } = await db.query(
        `select 1 from sms_message
          where conversation_id = $1 and purpose = 'auto_reply' and created_at >= $2 limit 1`,
        [conversationId, since],
      );
      return rows.length > 0;
    },

    async isOptedOut(groupId: number, contactNumber: string): Promise<boolean> {
      const { rows } = await db.query<{ opted_out: boolean }>(
        'select opted_out from sms_opt_out where group_id = $1 and contact_number = $2',
        [groupId, contactNumber],
      );
      return rows[0]?.opted_out ?? false;
    },

    /** Records a texter's keyword: out (STOP ...) or back in (START ...). */
    async setOptOut(change: {
      group_id: number;
      contact_number: string;
      opted_out: boolean;
      keyword: string;
      tracking_number: string;
      at: Date;
    }): Promise<void> {
      await db.query(
        `insert into sms_opt_out as o (group_id, contact_number, opted_out, keyword, tracking_number, opted_out_at, changed_at)
         values ($1, $2, $3, $4, $5, case when $3 then $6::timestamptz end, $6)
         on conflict (group_id, contact_number) do update
           set opted_out = excluded.opted_out, keyword = excluded.keyword,
               tracking_number = excluded.tracking_number,
               opted_out_at = case when excluded.opted_out then excluded.opted_out_at else o.opted_out_at end,
               changed_at = excluded.changed_at`,
        [
          change.group_id,
          change.contact_number,
          change.opted_out,
          change.keyword,
          change.tracking_number,
          change.at,
        ],
      );
    },

    async groupInScope(scopeGroupId: number, groupId: number): Promise<boolean> {
      const { rows } = await db.query(
        `select 1 from org_group g where g.group_id = $2 and ${inScope('g.group_id', '$1')}`,
        [scopeGroupId, groupId],
      );
      return rows.length > 0;
    },

    /** A group's settings, with the defaults for a group that has none; undefined: no such group. */
    async settings(groupId: number): Promise<GroupSmsSettings | undefined> {
      const { rows } = await db.query<GroupSmsSettings>(
        `select g.group_id, g.group_name, s.help_text, coalesce(s.quiet_start, '21:00') as quiet_start,
                coalesce(s.quiet_end, '08:00') as quiet_end,
                coalesce(s.messages_per_second, 1)::float8 as messages_per_second,
                coalesce(s.segment_price, 0.0079)::float8 as segment_price
           from org_group g left join sms_group_setting s on s.group_id = g.group_id
          where g.group_id = $1`,
        [groupId],
      );
      return rows[0];
    },

    async saveSettings(
      groupId: number,
      settings: {
        help_text: string | null;
        quiet_start: string;
        quiet_end: string;
        messages_per_second: number;
        segment_price: number;
      },
      at: Date,
    ): Promise<void> {
      await db.query(
        `insert into sms_group_setting (group_id, help_text, quiet_start, quiet_end, messages_per_second, segment_price,
                                        updated_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (group_id) do update
           set help_text = excluded.help_text, quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
               messages_per_second = excluded.messages_per_second, segment_price = excluded.segment_price,
               updated_at = excluded.updated_at`,
        [
          groupId,
          settings.help_text,
          settings.quiet_start,
          settings.quiet_end,
          settings.messages_per_second,
          settings.segment_price,
          at,
        ],
      );
    },

    /**
     * The flow a tracking number of the caller's scope texts from: its group, campaign, channel.
     */
    async senderNumber(
      scopeGroupId: number,
      trackingNumber: string,
    ): Promise<
      | {
          group_id: number;
          call_flow_id: number;
          campaign_id: number;
          channel_id: number;
          carrier: CarrierName | null;
        }
      | undefined
    > {
      const { rows } = await db.query<{
        group_id: number;
        call_flow_id: number;
        campaign_id: number;
        channel_id: number;
        carrier: CarrierName | null;
      }>(
        `select f.group_id, f.call_flow_id, f.campaign_id, f.channel_id, p.carrier
           from phone_number p
           join call_flow f on (f.phone_number_id = p.phone_number_id or f.pool_id = p.pool_id)
          where p.number = $2 and f.call_flow_status <> 'deleted' and ${inScope('f.group_id', '$1')}
          limit 1`,
        [scopeGroupId, trackingNumber],
      );
      return rows[0];
    },

    async messageByKey(key: string): Promise<number | undefined> {
      const { rows } = await db.query<{ message_id: number }>(
        'select message_id from sms_message where idempotency_key = $1',
        [key],
      );
      return rows[0]?.message_id;
    },

    async message(scopeGroupId: number, messageId: number): Promise<MessageRow | undefined> {
      const { rows } = await db.query<MessageRow>(
        `select ${MESSAGE_COLUMNS} from sms_message m join sms_conversation c on c.conversation_id = m.conversation_id
          where m.message_id = $2 and ${inScope('m.group_id', '$1')}`,
        [scopeGroupId, messageId],
      );
      return rows[0];
    },

    async conversation(scopeGroupId: number, conversationId: number): Promise<ConversationRow | undefined> {
      const { rows } = await db.query<ConversationRow>(
        `select ${CONVERSATION_COLUMNS} from sms_conversation c
          where c.conversation_id = $2 and ${inScope('c.group_id', '$1')}`,
        [scopeGroupId, conversationId],
      );
      return rows[0];
    },

    /** Conversations of the caller's scope, the most recent message first. */
    async conversations(scopeGroupId: number, page: ListPage): Promise<ConversationRow[]> {
      const { rows } = await db.query<ConversationRow>(
        `select ${CONVERSATION_COLUMNS} from sms_conversation c
          where ${inScope('c.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by c.last_message_at desc, c.conversation_id desc limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    /** A conversation's messages, newest first. */
    async messages(conversationId: number, page: ListPage): Promise<MessageRow[]> {
      const { rows } = await db.query<MessageRow>(
        `select ${MESSAGE_COLUMNS} from sms_message m join sms_conversation c on c.conversation_id = m.conversation_id
          where m.conversation_id = $1 and ${whereClause(page.filter.conditions)}
          order by m.created_at desc, m.message_id desc limit $2 offset $3`,
        [conversationId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    async markRead(conversationId: number): Promise<void> {
      await db.query('update sms_conversation set unread_count = 0 where conversation_id = $1', [
        conversationId,
      ]);
    },

    async optOuts(scopeGroupId: number, page: ListPage): Promise<OptOutRow[]> {
      const { rows } = await db.query<OptOutRow>(
        `select ${OPT_OUT_COLUMNS} from sms_opt_out o
          where ${inScope('o.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by o.changed_at desc, o.group_id, o.contact_number limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    /**
     * Claims a message's send: locks it and reads whether its recipient opted out of its group,
     * in the caller's transaction (the one that marks it sending): an opt-out committed before
     * the claim stops the send; one after it comes after the send, as it would on the phone.
     */
    async lockSend(messageId: number): Promise<ClaimedSend | undefined> {
      const { rows } = await db.query<ClaimedSend>(
        `select m.message_id, m.group_id, m.purpose, m.send_slot_at, m.status, m.from_number, m.to_number, m.body, m.media_urls, m.carrier_message_sid,
                m.send_started_at,
                coalesce(m.carrier, (select p.carrier from phone_number p where p.number = m.from_number)) as carrier,
                coalesce((select o.opted_out from sms_opt_out o
                           where o.group_id = m.group_id and o.contact_number = m.to_number), false)
                  as opted_out
           from sms_message m where m.message_id = $1 and m.direction = 'outbound'
           for update of m`,
        [messageId],
      );
      return rows[0];
    },

    /**
     * Queues outbound broadcast texts in three statements, whatever their number: their
     * conversations touched (a contact texted twice in one call counts twice), the messages
     * inserted (`accepted`; one already recorded under its idempotency key is left alone), and
     * each sender number's next slots reserved, `intervalMs` apart in the order given, after the
     * number's last reserved slot (or now), as reserveSlot does one at a time. Answers the new
     * message of each idempotency key.
     */
    async queueOutboundTexts(texts: readonly QueuedText[], now: Date): Promise<Map<string, number>> {
      const queued = new Map<string, number>();
      if (texts.length === 0) return queued;
      const { rows: conversations } = await db.query<{
        conversation_id: number;
        tracking_number: string;
        contact_number: string;
        group_id: number;
      }>(
        `insert into sms_conversation as c (group_id, tracking_number, contact_number, call_flow_id, campaign_id,
                channel_id, created_at, last_message_at, last_direction, last_body, message_count, unread_count)
         select group_id, tracking_number, contact_number, (array_agg(call_flow_id order by ord))[1],
                (array_agg(campaign_id order by ord))[1], (array_agg(channel_id order by ord))[1], $8, $8,
                'outbound', left((array_agg(body order by ord desc))[1], 160), count(*), 0
           from unnest($1::integer[], $2::text[], $3::text[], $4::integer[], $5::integer[], $6::integer[], $7::text[])
                with ordinality as t(group_id, tracking_number, contact_number, call_flow_id, campaign_id, channel_id, body, ord)
          group by group_id, tracking_number, contact_number
         on conflict (group_id, tracking_number, contact_number) do update
           set last_message_at = greatest(c.last_message_at, excluded.last_message_at),
               last_direction = excluded.last_direction, last_body = excluded.last_body,
               message_count = c.message_count + excluded.message_count,
               call_flow_id = coalesce(excluded.call_flow_id, c.call_flow_id),
               campaign_id = coalesce(excluded.campaign_id, c.campaign_id),
               channel_id = coalesce(excluded.channel_id, c.channel_id)
         returning conversation_id, group_id, tracking_number, contact_number`,
        [
          texts.map((t) => t.group_id),
          texts.map((t) => t.from_number),
          texts.map((t) => t.to_number),
          texts.map((t) => t.call_flow_id),
          texts.map((t) => t.campaign_id),
          texts.map((t) => t.channel_id),
          texts.map((t) => t.body),
          now,
        ],
      );
      const conversationKey = (groupId: number, tracking: string, contact: string) =>
        `${groupId} ${tracking} ${contact}`;
      const conversationOf = new Map(
        conversations.map((row) => [
          conversationKey(row.group_id, row.tracking_number, row.contact_number),
          row.conversation_id,
        ]),
      );
      const { rows: inserted } = await db.query<{ message_id: number; idempotency_key: string }>(
        `insert into sms_message (conversation_id, group_id, direction, purpose, idempotency_key, from_number, to_number,
                body, media_urls, status, call_flow_id, campaign_id, channel_id, created_at, updated_at, is_repeat)
         select conversation_id, group_id, 'outbound', purpose, idempotency_key, from_number, to_number, body, '[]'::jsonb,
                'accepted', call_flow_id, campaign_id, channel_id, $11, $11, false
           from unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::integer[], $9::integer[], $10::integer[])
                as t(conversation_id, group_id, purpose, idempotency_key, from_number, to_number, body, call_flow_id,
                     campaign_id, channel_id)
         on conflict do nothing
         returning message_id, idempotency_key`,
        [
          texts.map((t) => conversationOf.get(conversationKey(t.group_id, t.from_number, t.to_number))),
          texts.map((t) => t.group_id),
          texts.map((t) => t.purpose),
          texts.map((t) => t.idempotency_key),
          texts.map((t) => t.from_number),
          texts.map((t) => t.to_number),
          texts.map((t) => t.body),
          texts.map((t) => t.call_flow_id),
          texts.map((t) => t.campaign_id),
          texts.map((t) => t.channel_id),
          now,
        ],
      );
      for (const row of inserted) queued.set(row.idempotency_key, row.message_id);
      const slotted = texts.filter((t) => queued.has(t.idempotency_key));
      if (slotted.length === 0) return queued;
      // each number's slots: its last one moves on by n intervals; the i-th text of n takes
      // (last or now) + i intervals, that is the new last - (n - i) intervals
      await db.query(
        `with texts as (
           select message_id, sender, interval_ms,
                  row_number() over (partition by sender order by ord) - 1 as position
             from unnest($1::bigint[], $2::text[], $3::float8[]) with ordinality as t(message_id, sender, interval_ms, ord)),
         wanted as (
           select sender, count(*) as n, max(interval_ms) as interval_ms from texts group by sender),
         reserved as (
           insert into sms_sender_slot as s (sender_number, next_slot_at)
           select sender, $4::timestamptz + make_interval(secs => n * interval_ms / 1000) from wanted
           on conflict (sender_number) do update
             set next_slot_at = greatest(s.next_slot_at, $4::timestamptz) + (excluded.next_slot_at - $4::timestamptz)
           returning sender_number, next_slot_at)
         update sms_message m
            set send_slot_at = r.next_slot_at - make_interval(secs => (w.n - t.position) * w.interval_ms / 1000)
           from texts t join wanted w on w.sender = t.sender join reserved r on r.sender_number = t.sender
          where m.message_id = t.message_id`,
        [
          slotted.map((t) => queued.get(t.idempotency_key)),
          slotted.map((t) => t.from_number),
          slotted.map((t) => t.interval_ms),
          now,
        ],
      );
      return queued;
    },

    /**
     * Reserves the next send slot of a sender number, `intervalMs` after the one before (or
     * now), and remembers it on the message; answers the slot.
     */
    async reserveSlot(messageId: number, sender: string, now: Date, intervalMs: number): Promise<Date> {
      const { rows } = await db.query<{ slot: Date }>(
        `with reserved as (
           insert into sms_sender_slot as s (sender_number, next_slot_at)
           values ($2, $3::timestamptz + make_interval(secs => $4::float8 / 1000))
           on conflict (sender_number) do update
             set next_slot_at = greatest(s.next_slot_at, $3::timestamptz) + make_interval(secs => $4::float8 / 1000)
           returning next_slot_at - make_interval(secs => $4::float8 / 1000) as slot)
         update sms_message set send_slot_at = (select slot from reserved) where message_id = $1
         returning send_slot_at as slot`,
        [messageId, sender, now, intervalMs],
      );
      return (rows[0] as { slot: Date }).slot;
    },

    async markSending(messageId: number, at: Date, carrier: CarrierName): Promise<void> {
      await db.query(
        `update sms_message set status = 'sending', send_started_at = $2, updated_at = $2, carrier = $3
          where message_id = $1`,
        [messageId, at, carrier],
      );
    },

    /**
     * A text to `number` came through `carrier`'s edge: that is where the number's texts are now
     * (set once, changed only when they move).
     */
    async noteNumberCarrier(number: string, carrier: CarrierName): Promise<void> {
      await db.query(
        'update phone_number set carrier = $2 where number = $1 and carrier is distinct from $2',
        [number, carrier],
      );
    },

    /** The carrier took the message: its sid and status (never moving a status back). */
    /** Stores the carrier's sid and status; answers the message's status after the change. */
    async markHandedOver(
      messageId: number,
      sid: string,
      status: string,
      at: Date,
    ): Promise<string | undefined> {
      const { rows } = await db.query<{ status: string }>(
        `update sms_message
            set carrier_message_sid = $2, updated_at = $4,
                status = case when ${rankSql('status')} < ${rankSql('$3::text')} then $3 else status end
          where message_id = $1
          returning status`,
        [messageId, sid, status, at],
      );
      return rows[0]?.status;
    },

    /**
     * The due broadcast texts of a broadcast, the earliest slot of each sender number, locked for
     * their send (skipping texts another run holds), with what the send must know and the rate
     * of the group they are attributed to.
     */
    async lockDueBroadcastSends(
      broadcastId: number,
      now: Date,
    ): Promise<(ClaimedSend & { messages_per_second: number })[]> {
      const { rows } = await db.query<ClaimedSend & { messages_per_second: number }>(
        `with due as (
           select distinct on (m.from_number) m.message_id
             from sms_message m
            where m.status = 'accepted' and m.purpose = 'broadcast' and m.send_slot_at <= $2
              and m.idempotency_key like 'broadcast:' || $1::text || ':%'
            order by m.from_number, m.send_slot_at)
         select m.message_id, m.group_id, m.purpose, m.send_slot_at, m.status, m.from_number, m.to_number,
                m.body, m.media_urls, m.carrier_message_sid, m.send_started_at,
                coalesce(m.carrier, (select p.carrier from phone_number p where p.number = m.from_number)) as carrier,
                coalesce((select o.opted_out from sms_opt_out o
                           where o.group_id = m.group_id and o.contact_number = m.to_number), false)
                  as opted_out,
                coalesce((select s.messages_per_second from sms_group_setting s where s.group_id = m.group_id), 1)::float8
                  as messages_per_second
           from sms_message m
          where m.message_id in (select message_id from due) and m.status = 'accepted'
          for update of m skip locked`,
        [broadcastId, now],
      );
      return rows;
    },

    /** Many texts claimed for their send at once, each with the carrier it goes to. */
    async markManySending(
      sends: readonly { messageId: number; carrier: CarrierName }[],
      at: Date,
    ): Promise<void> {
      if (sends.length === 0) return;
      await db.query(
        `update sms_message m set status = 'sending', send_started_at = $3, updated_at = $3, carrier = u.carrier
           from unnest($1::bigint[], $2::text[]) as u(message_id, carrier)
          where m.message_id = u.message_id`,
        [sends.map((send) => send.messageId), sends.map((send) => send.carrier), at],
      );
    },

    /** markHandedOver for many texts in one statement; answers the statuses stored. */
    async markManyHandedOver(
      handed: readonly { messageId: number; sid: string; status: string }[],
      at: Date,
    ): Promise<{ message_id: number; status: string }[]> {
      if (handed.length === 0) return [];
      const { rows } = await db.query<{ message_id: number; status: string }>(
        `update sms_message m
            set carrier_message_sid = u.sid, updated_at = $4,
                status = case when ${rankSql('m.status')} < ${rankSql('u.status')} then u.status else m.status end
           from unnest($1::bigint[], $2::text[], $3::text[]) as u(message_id, sid, status)
          where m.message_id = u.message_id
          returning m.message_id::integer as message_id, m.status`,
        [handed.map((h) => h.messageId), handed.map((h) => h.sid), handed.map((h) => h.status), at],
      );
      return rows;
    },

    /** markFailed for many texts in one statement. */
    async markManyFailed(
      failures: readonly { messageId: number; errorCode: number | null; errorMessage: string }[],
      at: Date,
    ): Promise<void> {
      if (failures.length === 0) return;
      await db.query(
        `update sms_message m set status = 'failed', error_code = u.error_code, error_message = u.error_message,
                updated_at = $4
           from unnest($1::bigint[], $2::integer[], $3::text[]) as u(message_id, error_code, error_message)
          where m.message_id = u.message_id`,
        [
          failures.map((f) => f.messageId),
          failures.map((f) => f.errorCode),
          failures.map((f) => f.errorMessage.slice(0, 500)),
          at,
        ],
      );
    },

    async markFailed(
      messageId: number,
      failure: { errorCode: number | null; errorMessage: string },
      at: Date,
    ): Promise<void> {
      await db.query(
        `update sms_message set status = 'failed', error_code = $2, error_message = $3, updated_at = $4
          where message_id = $1`,
        [messageId, failure.errorCode, failure.errorMessage.slice(0, 500), at],
      );
    },

    /** The sids of messages already recorded, of those given. */
    async knownSids(sids: readonly string[]): Promise<Set<string>> {
      const { rows } = await db.query<{ carrier_message_sid: string }>(
        'select carrier_message_sid from sms_message where carrier_message_sid = any($1::text[])',
        [sids],
      );
      return new Set(rows.map((row) => row.carrier_message_sid));
    },

    /**
     * A carrier status callback: the message with this sid (or, when its send's answer was lost,
     * the message the callback URL names, which then learns its sid) takes the status unless it
     * is already further on.
     */
    async applyStatus(update: {
      sid: string;
      messageId: number | undefined;
      status: string;
      errorCode: number | null;
      at: Date;
      /** the edge the callback came through: a message sent through another carrier is not its to change */
      carrier: CarrierName;
    }): Promise<{ message_id: number; status: string } | undefined> {
      const { rows } = await db.query<{ message_id: number; status: string }>(
        `update sms_message
            set carrier_message_sid = $1,
                status = case when ${rankSql('status')} <= ${rankSql('$3::text')} then $3 else status end,
                error_code = case when ${rankSql('status')} <= ${rankSql('$3::text')} then coalesce($4, error_code)
                                  else error_code end,
                updated_at = $5
          where direction = 'outbound' and (carrier is null or carrier = $6)
            and (carrier_message_sid = $1 or (carrier_message_sid is null and message_id = $2))
          returning message_id, status`,
        [update.sid, update.messageId ?? null, update.status, update.errorCode, update.at, update.carrier],
      );
      return rows[0];
    },
  };
}

/** The rank of a status expression (OUTBOUND_STATUS_RANK), in SQL. */
function rankSql(expression: string): string {
  const cases = Object.entries(OUTBOUND_STATUS_RANK)
    .map(([status, rank]) => `when '${status}' then ${rank}`)
    .join(' ');
  return `(case ${expression} ${cases} else -1 end)`;
}

export type SmsRepo = ReturnType<typeof createSmsRepo>;
