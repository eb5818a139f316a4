import { type TObject, type TProperties, Type } from '@sinclair/typebox';
import { StringEnum } from '../http/schemas.js';

/**
 * What each carrier webhook must carry: the parameters Twilio documents for it, in their
 * documented forms (spec/telephony-twiml.md 4.2). The signature alone cannot vouch for a request:
 * Twilio signs names and values concatenated without delimiters, so a signed form can be re-split
 * at other `&`/`=` boundaries and keep its signature. Requiring every documented parameter in its
 * exact form leaves such a re-split nothing to pass as; fields carriers add stay accepted.
 */

/** The carriers whose webhooks Switchboard answers, each under /telephony/<name>. */
export type CarrierName = 'twilio' | 'signalwire' | 'telnyx';

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

/**
 * How a carrier spells its ids: Twilio's CallSid is CA and 32 hex digits, SignalWire's a UUID,
 * Telnyx's `v3:` and a base64url token; SignalWire's and Telnyx's AccountSid is a UUID.
 */
export interface CarrierIds {
  callSid: string;
  accountSid: string;
  messageSid: string;
}

export const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const MESSAGE_SID = '^(SM|MM)[0-9a-f]{32}$';
export const TWILIO_IDS: CarrierIds = { callSid: CALL_SID, accountSid: ACCOUNT_SID, messageSid: MESSAGE_SID };
export const SIGNALWIRE_IDS: CarrierIds = { callSid: UUID, accountSid: UUID, messageSid: UUID };
export const TELNYX_IDS: CarrierIds = {
  callSid: '^v3:[A-Za-z0-9_-]{1,200}$',
  accountSid: UUID,
  messageSid: UUID,
};

const idDescriptions = (ids: CarrierIds) =>
  ids === TWILIO_IDS
    ? { call: 'CA and 32 hex digits', account: 'AC and 32 hex digits', message: 'SM or MM and 32 hex digits' }
    : {
        call: 'the call’s id at the carrier',
        account: 'the carrier account',
        message: 'the message’s id at the carrier',
      };

/** The form of each webhook, by the path it is posted to, with a carrier's ids. */
export function carrierFormsOf(ids: CarrierIds) {
  const described = idDescriptions(ids);
  /** Sent with every request about a call. */
  const everyRequest = {
    CallSid: Type.String({ pattern: ids.callSid, description: described.call }),
    AccountSid: Type.String({ pattern: ids.accountSid, description: described.account }),
    From: Type.String({ description: 'the caller (E.164, or a word such as anonymous)' }),
    To: Type.String({ description: 'the number called' }),
    CallStatus: StringEnum(CALL_STATUSES),
  };
  const form = (properties: TProperties): TObject =>
    Type.Object({ ...everyRequest, ...properties }, { additionalProperties: true });
  return {
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
}

/** The form of each webhook, by the path it is posted to (Twilio's ids). */
export const CarrierForms = carrierFormsOf(TWILIO_IDS);

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

/** SignalWire's LaML adds `initiated` (between queued and sent). */
export const SIGNALWIRE_MESSAGE_STATUSES = [...MESSAGE_STATUSES, 'initiated'] as const;

/** The forms of the messaging webhooks, with a carrier's ids. */
export function messagingFormsOf(ids: CarrierIds, statuses: readonly string[] = MESSAGE_STATUSES) {
  const described = idDescriptions(ids);
  const messageForm = (properties: TProperties): TObject =>
    Type.Object(
      {
        MessageSid: Type.String({ pattern: ids.messageSid, description: described.message }),
        AccountSid: Type.String({ pattern: ids.accountSid, description: described.account }),
        From: Type.String({ description: 'the sender (E.164)' }),
        To: Type.String({ description: 'the recipient (E.164)' }),
        ...properties,
      },
      { additionalProperties: true },
    );
  return {
    /** a text to a tracking number (the number's messaging URL) */
    incoming: messageForm({
      Body: Type.String({ description: 'the text, empty for a picture alone' }),
      NumMedia: Type.Optional(Type.String({ pattern: '^[0-9]{1,2}$' })),
    }),
    /** a sent message's progress (the StatusCallback given when it was created) */
    status: messageForm({
      MessageStatus: StringEnum(statuses),
      ErrorCode: Type.Optional(Type.String({ pattern: '^[0-9]{0,6}$' })),
    }),
  } as const;
}

/** The forms of the messaging webhooks (Twilio's ids). */
export const MessagingForms = messagingFormsOf(TWILIO_IDS);
