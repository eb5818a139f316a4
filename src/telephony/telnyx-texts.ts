import type { CarrierTexts, OutboundText } from './carrier-texts.js';
import { MessagesApiError } from './twilio-messages.js';

/**
 * Texts through Telnyx's Messaging API v2: `POST /v2/messages` (JSON: from, to, text, media_urls,
 * webhook_url; Bearer API key) answers the message with its id and `to[].status`; its progress
 * comes as `message.sent` and `message.finalized` events to the message's webhook_url.
 *
 * Telnyx has no list of sent messages to look in when an answer was lost (GET /v2/messages/{id}
 * needs the id). Each send therefore carries an Idempotency-Key made of the message and the time
 * its send was claimed, and a retry sends the same bytes with the same key: Telnyx answers a
 * repeated key with the first message instead of sending again (its API keeps keys 24 hours).
 * Past that window a lost answer cannot be cleared up, so the text is failed rather than risk a
 * second copy; the webhook naming the message (its URL carries the message id) usually settles it
 * long before.
 */

export interface TelnyxTextsOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  timeoutMs: number;
  /** the webhook_url of a message: its message.sent and message.finalized events */
  webhookUrl: (messageId: number) => string;
}

/** Telnyx keeps an Idempotency-Key 24 hours; a retry later than this is not made. */
export const TELNYX_IDEMPOTENCY_WINDOW_MS = 23 * 3600_000;

export const TELNYX_LOST_ANSWER =
  'Telnyx’s answer to the send was lost over 23 hours ago and can no longer be checked; not sent again';

/**
 * A recipient's status at Telnyx in Switchboard's words: `sending` is still queued there,
 * `delivery_failed` is a carrier's refusal (undelivered), `sending_failed`, `expired` and
 * `cancelled` never left Telnyx (failed), and `delivery_unconfirmed` stays sent (no receipt came).
 */
export function telnyxStatus(status: string): string {
  switch (status) {
    case 'queued':
    case 'sending':
    case 'scheduled':
      return 'queued';
    case 'sent':
    case 'delivery_unconfirmed':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'delivery_failed':
      return 'undelivered';
    case 'sending_failed':
    case 'expired':
    case 'cancelled':
    case 'canceled':
      return 'failed';
    default:
      return status;
  }
}

/** The first of Telnyx's `errors` as a number and a sentence. */
export function telnyxError(json: unknown): { code: number | null; message: string | null } {
  const first = (json as { errors?: { code?: unknown; title?: unknown; detail?: unknown }[] } | undefined)
    ?.errors?.[0];
  const code = Number.parseInt(String(first?.code ?? ''), 10);
  const text = [first?.title, first?.detail].filter((part) => typeof part === 'string' && part !== '');
  return { code: Number.isNaN(code) ? null : code, message: text.length > 0 ? text.join(': ') : null };
}

/** The request body, the same bytes on every attempt of one send (Telnyx compares them). */
function bodyOf(text: OutboundText, webhookUrl: string): string {
  return JSON.stringify({
    from: text.from,
    to: text.to,
    ...(text.body !== '' ? { text: text.body } : {}),
    ...(text.mediaUrls.length > 0 ? { media_urls: text.mediaUrls } : {}),
    webhook_url: webhookUrl,
    use_profile_webhooks: false,
  });
}

export function createTelnyxTexts({
  baseUrl,
  apiKey,
  timeoutMs,
  webhookUrl,
}: TelnyxTextsOptions): CarrierTexts {
  const root = baseUrl.replace(/\/+$/, '');
  return {
    carrier: 'telnyx',
    isConfigured: Boolean(apiKey),
    settings: 'TELNYX_API_KEY',

    async send(text) {
      // permanent: no request leaves without a key, so failing the text cannot lose one Telnyx has
      if (!apiKey) throw new MessagesApiError('SMS is not configured (TELNYX_API_KEY)', true);
      let response: Response;
      try {
        response = await fetch(`${root}/messages`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${apiKey}`,
            accept: 'application/json',
            'content-type': 'application/json',
            'user-agent': 'Switchboard',
            'idempotency-key': `switchboard-sms-${text.messageId}-${text.startedAt.getTime()}`,
          },
          body: bodyOf(text, webhookUrl(text.messageId)),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // the request may or may not have reached Telnyx
        throw new MessagesApiError(`Telnyx Messaging API unreachable: ${(error as Error).message}`, false);
      }
      const raw = await response.text();
      let json: unknown;
      try {
        json = raw ? JSON.parse(raw) : undefined;
      } catch {
        json = undefined;
      }
      const data = (json as { data?: { id?: unknown; to?: { status?: unknown }[] } } | undefined)?.data;
      if (response.ok && typeof data?.id === 'string') {
        const status = data.to?.[0]?.status;
        return { sid: data.id, status: telnyxStatus(typeof status === 'string' ? status : 'queued') };
      }
      const { code, message } = telnyxError(json);
      // 4xx: Telnyx looked at the request and refused it; 429, 409 (the same key still in flight)
      // and 5xx may pass later
      const isPermanent =
        response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 409;
      throw new MessagesApiError(
        `Telnyx Messaging API answered ${response.status}${message ? `: ${message}` : ''}`,
        isPermanent,
        code,
      );
    },

    async findSent(text, _isKnown, now) {
      if (now.getTime() - text.startedAt.getTime() > TELNYX_IDEMPOTENCY_WINDOW_MS) {
        throw new MessagesApiError(TELNYX_LOST_ANSWER, true);
      }
      // sending again with the same key and bytes answers the first message if Telnyx has it
      return undefined;
    },
  };
}
