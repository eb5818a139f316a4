import { type TObject, type TProperties, Type } from '@sinclair/typebox';
import { StringEnum } from '../http/schemas.js';

/**
 * What each carrier webhook must carry: the parameters Twilio documents for it, in their
 * documented forms (spec/telephony-twiml.md 4.2). The signature alone cannot vouch for a request:
 * Twilio signs names and values concatenated without delimiters, so a signed form can be re-split
 * at other `&`/`=` boundaries and keep its signature. Requiring every documented parameter in its
 * exact form leaves such a re-split nothing to pass as; fields carriers add stay accepted.
 */

export const CALL_SID = '^CA[0-9a-f]{32}$';
const ACCOUNT_SID = '^AC[0-9a-f]{32}$';

export const CALL_STATUSES = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
] as const;
export const DIAL_CALL_STATUSES = [
  'completed',
  'answered',
  'busy',
  'no-answer',
  'failed',
  'canceled',
] as const;

export const CallSid = Type.String({ pattern: CALL_SID, description: 'CA and 32 hex digits' });

/** Sent with every request about a call. */
const everyRequest = {
  CallSid,
  AccountSid: Type.String({ pattern: ACCOUNT_SID, description: 'AC and 32 hex digits' }),
  From: Type.String({ description: 'the caller (E.164, or a word such as anonymous)' }),
  To: Type.String({ description: 'the number called' }),
  CallStatus: StringEnum(CALL_STATUSES),
};

const form = (properties: TProperties): TObject =>
  Type.Object({ ...everyRequest, ...properties }, { additionalProperties: true });

/** The form of each webhook, by the path it is posted to. */
export const CarrierForms = {
  /** a new inbound call (the number's voice URL) */
  voice: form({
    StirVerstat: Type.Optional(Type.String()),
    FromState: Type.Optional(Type.String()),
    FromZip: Type.Optional(Type.String()),
    FromCity: Type.Optional(Type.String()),
  }),
  /** after <Gather>: the keys, empty or absent on a timeout */
  gather: form({ Digits: Type.Optional(Type.String()) }),
  /** after <Dial> */
  dial: form({
    DialCallStatus: StringEnum(DIAL_CALL_STATUSES),
    RecordingUrl: Type.Optional(Type.String()),
  }),
  /** after <Record> */
  record: form({ RecordingUrl: Type.String({ minLength: 1 }) }),
  /** on the answering leg (<Number url>): that leg's own CallSid */
  whisper: form({ Called: Type.Optional(Type.String()) }),
  /** the answering leg's key press */
  screen: form({ Digits: Type.Optional(Type.String()), Called: Type.Optional(Type.String()) }),
  /** status callbacks */
  status: form({ CallDuration: Type.Optional(Type.String({ pattern: '^[0-9]+$' })) }),
} as const;

export const MESSAGE_SID = '^(SM|MM)[0-9a-f]{32}$';
export const MESSAGE_STATUSES = [
  'accepted',
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'read',
  'canceled',
  'receiving',
  'received',
] as const;

const messageForm = (properties: TProperties): TObject =>
  Type.Object(
    {
      MessageSid: Type.String({ pattern: MESSAGE_SID, description: 'SM or MM and 32 hex digits' }),
      AccountSid: everyRequest.AccountSid,
      From: Type.String({ description: 'the sender (E.164)' }),
      To: Type.String({ description: 'the recipient (E.164)' }),
      ...properties,
    },
    { additionalProperties: true },
  );

/** The forms of the messaging webhooks. */
export const MessagingForms = {
  /** a text to a tracking number (the number's messaging URL) */
  incoming: messageForm({
    Body: Type.String({ description: 'the text, empty for a picture alone' }),
    NumMedia: Type.Optional(Type.String({ pattern: '^[0-9]{1,2}$' })),
  }),
  /** a sent message's progress (the StatusCallback given when it was created) */
  status: messageForm({
    MessageStatus: StringEnum(MESSAGE_STATUSES),
    ErrorCode: Type.Optional(Type.String({ pattern: '^[0-9]{0,6}$' })),
  }),
} as const;
