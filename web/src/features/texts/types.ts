/**
 * The shapes the texts pages read, from the server's own route schemas (type-only imports).
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type {
  SmsConversation,
  SmsMessage,
  SmsOptOut,
  SmsSettings,
} from '../../../../src/modules/sms/sms.schemas.js';
import type {
  BroadcastEstimate,
  Broadcast as BroadcastSchema,
} from '../../../../src/modules/smsbroadcast/broadcasts.routes.js';
import type {
  ContactImportEnvelope,
  ContactList as ContactListSchema,
  Contact as ContactSchema,
} from '../../../../src/modules/smsbroadcast/contacts.schemas.js';

export type Conversation = Static<typeof SmsConversation>;
export type Message = Static<typeof SmsMessage>;
export type OptOut = Static<typeof SmsOptOut>;
export type TextSettings = Static<typeof SmsSettings>;
export type Broadcast = Static<typeof BroadcastSchema>;
export type Estimate = Static<typeof BroadcastEstimate>;
export type ContactList = Static<typeof ContactListSchema>;
export type Contact = Static<typeof ContactSchema>;
type DataOf<T extends TSchema> = Static<T> extends { data: infer D } ? D : never;
export type ImportResult = DataOf<typeof ContactImportEnvelope>;
