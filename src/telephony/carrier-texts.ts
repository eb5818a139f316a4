import type { Config } from '../config.js';
import { SIGNALWIRE_WEBHOOK_PREFIX, smsStatusUrl, TELNYX_WEBHOOK_PREFIX } from './callback-urls.js';
import type { CarrierName } from './carrier-params.js';
import { createTelnyxTexts } from './telnyx-texts.js';
import { createMessagesApi, type MessagesApi } from './twilio-messages.js';

/**
 * Sending a text through a number's carrier, the same way for each: the send job (modules/sms/
 * sms-send.ts) hands one message over and, when an earlier answer was lost, asks for the carrier's
 * copy before sending again. Twilio and SignalWire speak the same Messages API (SignalWire's LaML
 * REST API under the space URL), so one adapter serves both; Telnyx has its own (telnyx-texts.ts).
 * Statuses come back in Switchboard's words (queued, sent, delivered, undelivered, failed).
 */

export interface OutboundText {
  messageId: number;
  /** E.164 */
  to: string;
  from: string;
  body: string;
  mediaUrls: readonly string[];
  /** when this send was claimed: the first request was made after it */
  startedAt: Date;
}

export interface HandedOver {
  sid: string;
  status: string;
}

export interface CarrierTexts {
  carrier: CarrierName;
  isConfigured: boolean;
  /** the settings that configure it, named in the error when they are not set */
  settings: string;
  /** Hands the text over; rejects with MessagesApiError (isPermanent: sending again cannot help). */
  send(text: OutboundText): Promise<HandedOver>;
  /**
   * A send whose answer was lost: the carrier's copy, if it has one (then it is adopted, not sent
   * again); undefined when it has none and `send` may be called again. `isKnown` filters out ids
   * other messages already hold.
   */
  findSent(
    text: OutboundText,
    isKnown: (sids: string[]) => Promise<Set<string>>,
    now: Date,
  ): Promise<HandedOver | undefined>;
}

/** How far the carrier's clock may be behind ours when matching a message. */
const CLOCK_SLACK_MS = 5 * 60_000;

/** SignalWire's LaML has `initiated` between queued and sent; the rest are Twilio's words. */
export const lamlStatus = (status: string): string => (status === 'initiated' ? 'queued' : status);

/** Twilio's or SignalWire's Messages API as a carrier of texts. */
export function lamlTexts(
  carrier: 'twilio' | 'signalwire',
  api: MessagesApi,
  options: { settings: string; statusCallbackUrl: (messageId: number) => string },
): CarrierTexts {
  return {
    carrier,
    isConfigured: api.isConfigured,
    settings: options.settings,
    async send(text) {
      const created = await api.create({
        to: text.to,
        from: text.from,
        body: text.body,
        mediaUrls: text.mediaUrls,
        statusCallback: options.statusCallbackUrl(text.messageId),
      });
      return { sid: created.sid, status: lamlStatus(created.status) };
    },
    /** The messages between the two numbers since the send began, less those recorded; one with the same body is it. */
    async findSent(text, isKnown) {
      const since = text.startedAt.getTime() - CLOCK_SLACK_MS;
      const candidates = (await api.list({ to: text.to, from: text.from })).filter(
        (message) => message.body === text.body && Date.parse(message.date_created ?? '') >= since,
      );
      if (candidates.length === 0) return undefined;
      const known = await isKnown(candidates.map((message) => message.sid));
      // the oldest not yet claimed by another message (the list is newest first)
      const found = candidates.filter((message) => !known.has(message.sid)).at(-1);
      return found ? { sid: found.sid, status: lamlStatus(found.status) } : undefined;
    },
  };
}

const SIGNALWIRE_SETTINGS = 'SIGNALWIRE_SPACE_URL, SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN';

/**
 * Every carrier's texts as configured: Twilio's Messages API (`twilio`, shared with the SMS alerts
 * of call actions), SignalWire's under `<space>/api/laml` with the project id and API token, and
 * Telnyx's Messaging API with its API key. Each names its own edge as the status callback.
 */
export function carrierTexts(config: Config, twilioApi: MessagesApi): Record<CarrierName, CarrierTexts> {
  const base = config.PUBLIC_BASE_URL;
  const { SIGNALWIRE_SPACE_URL: space, SIGNALWIRE_PROJECT_ID: project, SIGNALWIRE_API_TOKEN: token } = config;
  return {
    twilio: lamlTexts('twilio', twilioApi, {
      settings: 'TWILIO_ACCOUNT_SID',
      statusCallbackUrl: (messageId) => smsStatusUrl(base, messageId),
    }),
    signalwire: lamlTexts(
      'signalwire',
      createMessagesApi({
        baseUrl: space ? `${space.replace(/\/+$/, '')}/api/laml` : 'http://signalwire.invalid',
        accountSid: space && token ? project : undefined,
        authToken: token ?? '',
        timeoutMs: config.OUTBOUND_HTTP_TIMEOUT_MS,
        notConfigured: `SMS is not configured (${SIGNALWIRE_SETTINGS})`,
      }),
      {
        settings: SIGNALWIRE_SETTINGS,
        statusCallbackUrl: (messageId) => smsStatusUrl(base, messageId, SIGNALWIRE_WEBHOOK_PREFIX),
      },
    ),
    telnyx: createTelnyxTexts({
      baseUrl: config.TELNYX_API_BASE_URL,
      apiKey: config.TELNYX_API_KEY,
      timeoutMs: config.OUTBOUND_HTTP_TIMEOUT_MS,
      webhookUrl: (messageId) => smsStatusUrl(base, messageId, TELNYX_WEBHOOK_PREFIX),
    }),
  };
}
