import { Type } from '@sinclair/typebox';
import { CallSid } from './carrier-params.js';
import type { CallbackUrls } from './twiml.js';

/**
 * The carrier's callback URLs, both ways: what the TwiML names (`callbackUrlsFor`) and what the
 * webhook routes read back (the query schemas, the URL the carrier signed). Each URL carries the
 * step it answers (`s`), for idempotency; an answering leg's also the caller's CallSid (`c`).
 */

/** Where the carrier webhooks are mounted, below PUBLIC_BASE_URL. */
export const TWILIO_WEBHOOK_PREFIX = '/telephony/twilio';
/** SignalWire's LaML webhooks, and Telnyx's TeXML webhooks. */
export const SIGNALWIRE_WEBHOOK_PREFIX = '/telephony/signalwire';
export const TELNYX_WEBHOOK_PREFIX = '/telephony/telnyx';

/** The query of `/gather`, `/dial` and `/record`. */
export const StepQuery = Type.Object({
  s: Type.Integer({ minimum: 0, description: 'the step the TwiML was rendered for' }),
});

/** The query of `/whisper` and `/screen`, run on an answering leg. */
export const LegQuery = Type.Object({
  s: Type.Integer({ minimum: 0, description: 'the step whose <Dial> rang this leg' }),
  c: Type.String({ ...CallSid, description: 'the caller’s CallSid' }),
});

/** `LegQuery` for a carrier whose CallSid has another form (`pattern`). */
export const legQueryOf = (pattern: string) =>
  Type.Object({
    s: Type.Integer({ minimum: 0, description: 'the step whose <Dial> rang this leg' }),
    c: Type.String({ pattern, description: 'the caller’s CallSid' }),
  });

/** The URLs a number is pointed at: its voice URL, its status callback and its messaging URL. */
export function numberWebhookUrls(
  publicBaseUrl: string,
  prefix = TWILIO_WEBHOOK_PREFIX,
): {
  voiceUrl: string;
  statusUrl: string;
  smsUrl: string;
} {
  const base = `${publicBaseUrl}${prefix}`;
  return { voiceUrl: `${base}/voice`, statusUrl: `${base}/status`, smsUrl: `${base}/sms` };
}

/** The status callback of a text sent from the message `messageId` (Telnyx: its webhook_url). */
export const smsStatusUrl = (
  publicBaseUrl: string,
  messageId: number | string,
  prefix = TWILIO_WEBHOOK_PREFIX,
): string => `${publicBaseUrl}${prefix}/sms/status?m=${messageId}`;

/** The URLs the TwiML of a call (its CallSid) names at a step. */
export function callbackUrlsFor(
  publicBaseUrl: string,
  audioUrl: (reference: string) => string,
  prefix = TWILIO_WEBHOOK_PREFIX,
): (step: number, callSid: string) => CallbackUrls {
  const base = `${publicBaseUrl}${prefix}`;
  return (step, callSid) => {
    const leg = `s=${step}&c=${encodeURIComponent(callSid)}`;
    return {
      gather: `${base}/gather?s=${step}`,
      dial: `${base}/dial?s=${step}`,
      record: `${base}/record?s=${step}`,
      whisper: `${base}/whisper?${leg}`,
      screen: `${base}/screen?${leg}`,
      audio: audioUrl,
    };
  };
}

/** The URL a carrier signed: the public base, then the path and query it posted to. */
export const signedUrl = (publicBaseUrl: string, requestUrl: string): string =>
  `${publicBaseUrl}${requestUrl}`;
