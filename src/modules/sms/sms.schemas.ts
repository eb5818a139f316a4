import { Type } from '@sinclair/typebox';
import {
  Envelope,
  IdQuery,
  ListQuery,
  MAX_ID,
  NullableInteger,
  NullableString,
  PhoneInput,
  StringEnum,
} from '../../http/schemas.js';

const Id = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_ID, description });

export const SendSms = Type.Object(
  {
    tracking_number: PhoneInput('the tracking number the text is sent from (one of your groups’ flows)'),
    to_number: PhoneInput('the 10-digit number the text goes to'),
    message: Type.String({
      maxLength: 1600,
      description: 'the text; may be empty when media_urls are given',
    }),
    media_urls: Type.Optional(
      Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 10, description: 'pictures to send (MMS)' }),
    ),
    idempotency_key: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description: 'a second request with the same key answers the first message and sends nothing',
      }),
    ),
  },
  { additionalProperties: false },
);

const Attribution = Type.Union([
  Type.Object(
    {
      confidence: Type.String(),
      visitor_id: NullableString(),
      visit_id: NullableInteger(),
      landing_page: NullableString(),
      referrer: NullableString(),
      search_words: NullableString(),
      utm_source: NullableString(),
      utm_medium: NullableString(),
      utm_campaign: NullableString(),
      utm_term: NullableString(),
      utm_content: NullableString(),
      gclid: NullableString(),
      custom_params: Type.Record(Type.String(), Type.Unknown()),
    },
    { description: 'the website visit holding the pool number when the text came in (DNI)' },
  ),
  Type.Null(),
]);

export const SmsMessage = Type.Object({
  message_id: Type.Integer(),
  conversation_id: Type.Integer(),
  group_id: Type.Integer(),
  direction: StringEnum(['inbound', 'outbound']),
  purpose: StringEnum(['message', 'auto_reply', 'forward', 'keyword_reply', 'broadcast'], {
    description:
      'message: a person’s text or a reply sent through Send SMS; auto_reply and forward: the flow’s; keyword_reply: the answer to STOP, START or HELP',
  }),
  tracking_number: Type.String(),
  contact_number: Type.String(),
  from_number: Type.String(),
  to_number: Type.String(),
  body: Type.String(),
  media_urls: Type.Array(Type.String()),
  status: Type.String({
    description:
      'inbound: received; outbound: accepted, sending, queued, sent, delivered, undelivered or failed (as the carrier reports)',
  }),
  error_code: NullableInteger({ description: 'the carrier’s error code (undelivered, failed)' }),
  error_message: NullableString(),
  carrier_message_sid: NullableString(),
  carrier: NullableString({
    description:
      'twilio, signalwire or telnyx: the edge an inbound text came through, the carrier an outbound one was handed to (null before its send)',
  }),
  call_flow_id: NullableInteger(),
  campaign_id: NullableInteger(),
  channel_id: NullableInteger(),
  is_repeat: Type.Boolean({ description: 'the texter texted or called this number before' }),
  created_by: NullableInteger(),
  created_at: Type.String(),
  updated_at: NullableString(),
  attribution: Attribution,
});

export const SmsConversation = Type.Object({
  conversation_id: Type.Integer(),
  group_id: Type.Integer(),
  tracking_number: Type.String(),
  contact_number: Type.String({ description: 'the person texting with the tracking number' }),
  call_flow_id: NullableInteger(),
  campaign_id: NullableInteger(),
  channel_id: NullableInteger(),
  message_count: Type.Integer(),
  unread_count: Type.Integer({ description: 'inbound texts since the conversation was last marked read' }),
  last_direction: StringEnum(['inbound', 'outbound']),
  last_body: Type.String(),
  last_message_at: Type.String(),
  created_at: Type.String(),
  opted_out: Type.Boolean({ description: 'the person replied STOP: nothing can be sent to them' }),
});

export const SmsOptOut = Type.Object({
  group_id: Type.Integer(),
  contact_number: Type.String(),
  opted_out: Type.Boolean({ description: 'false once the person replied START, UNSTOP or YES' }),
  keyword: Type.String({ description: 'the keyword of the last change' }),
  tracking_number: NullableString({ description: 'the number the keyword was texted to' }),
  opted_out_at: NullableString(),
  changed_at: Type.String(),
});

export const SmsSettings = Type.Object({
  group_id: Type.Integer(),
  help_text: NullableString({ description: 'the answer to HELP; null: a default naming the group' }),
  quiet_start: Type.String({ description: 'local time broadcasts stop (HH:MM)' }),
  quiet_end: Type.String({ description: 'local time broadcasts may start again (HH:MM)' }),
  messages_per_second: Type.Number({ description: 'broadcast messages per second per sender number' }),
  segment_price: Type.Number({
    description: 'US dollars per SMS segment, for the cost estimate of broadcasts (default 0.0079)',
  }),
});

const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, 24-hour' });

export const SmsSettingsUpdate = Type.Object(
  {
    group_id: Id('the group whose settings these are'),
    help_text: Type.Optional(
      Type.String({ maxLength: 320, description: 'the answer to HELP; empty: the default naming the group' }),
    ),
    quiet_start: Type.Optional(HHMM),
    quiet_end: Type.Optional(HHMM),
    messages_per_second: Type.Optional(Type.Number({ minimum: 0.01, maximum: 100 })),
    segment_price: Type.Optional(
      Type.Number({ minimum: 0, maximum: 10, description: 'US dollars per SMS segment (up to 5 decimals)' }),
    ),
  },
  { additionalProperties: false },
);

export const ConversationRead = Type.Object(
  { conversation_id: Id('the conversation to mark read') },
  { additionalProperties: false },
);

export const SmsListQuery = ListQuery;
export const SmsConversationListQuery = Type.Composite([
  ListQuery,
  Type.Object({
    group_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'only this group and the groups below it (a group of your scope); default: your group',
      }),
    ),
  }),
]);
export const ConversationMessagesQuery = Type.Composite([IdQuery('the conversation'), ListQuery]);
export const SettingsQuery = IdQuery('the group');

export const SmsMessageEnvelope = Envelope(SmsMessage);
export const SmsMessageListEnvelope = Envelope(Type.Array(SmsMessage));
export const SmsConversationEnvelope = Envelope(SmsConversation);
export const SmsConversationListEnvelope = Envelope(Type.Array(SmsConversation));
export const SmsOptOutListEnvelope = Envelope(Type.Array(SmsOptOut));
export const SmsSettingsEnvelope = Envelope(SmsSettings);
