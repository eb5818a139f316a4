import { createHmac } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import { type OutboundResponse, sendOutbound } from '../../lib/outbound-url.js';

/**
 * What a webhook request looks like on the wire, for deliveries (webhook-delivery.ts) and call
 * actions that post to a configured webhook (callaction-runner.ts):
 *   X-Switchboard-Event:     the event's name
 *   X-Switchboard-Event-Id:  a UUID, the same on every retry and redelivery (de-duplicate on it)
 *   X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 * where <body> is the request body (for GET: the whole query string as sent, without "?"). The
 * event is sent as JSON, XML or a form; a GET carries it in its query string, as a form.
 */

export const SIGNATURE_HEADER = 'x-switchboard-signature';
export const EVENT_ID_HEADER = 'x-switchboard-event-id';
export const EVENT_HEADER = 'x-switchboard-event';

/** The signature header value for a body sent at `timestampSeconds`. */
export function signatureHeader(secret: string, timestampSeconds: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}

const xml = new XMLBuilder({ format: false, suppressEmptyNode: true });

/** Top-level scalars as they are; nested values (tags, attribution ...) as JSON text. */
function flatten(event: Record<string, unknown>): URLSearchParams {
  const form = new URLSearchParams();
  const put = (key: string, value: unknown) => {
    if (value === null || value === undefined) form.append(key, '');
    else if (typeof value === 'object') form.append(key, JSON.stringify(value));
    else form.append(key, String(value));
  };
  for (const [key, value] of Object.entries(event)) {
    if (key === 'data' && value && typeof value === 'object') {
      for (const [field, inner] of Object.entries(value)) put(field, inner);
    } else put(key, value);
  }
  return form;
}

/** The body (or query) and content type of one event in the webhook's format. */
export function renderEvent(
  format: string,
  event: Record<string, unknown>,
): { body: string; contentType: string } {
  if (format === 'xml')
    return {
      body: `<?xml version="1.0" encoding="UTF-8"?>${xml.build({ webhook_event: event })}`,
      contentType: 'application/xml',
    };
  if (format === 'form')
    return { body: flatten(event).toString(), contentType: 'application/x-www-form-urlencoded' };
  return { body: JSON.stringify(event), contentType: 'application/json' };
}

/** Where and how a webhook wants its events. */
export interface WebhookWireTarget {
  target_url: string;
  method: string;
  format: string;
  signing_secret: string;
}

/**
 * Sends one event to a webhook, rendered in its format and signed with its secret at `now`:
 * the target's answer, or the error of a request that got none (timeout, refused address).
 */
export function sendWebhookEvent(
  target: WebhookWireTarget,
  event: { event: string; event_id: string } & Record<string, unknown>,
  options: { now: Date; timeoutMs: number; allowPrivate: boolean },
): Promise<OutboundResponse> {
  const isGet = target.method === 'GET';
  const { body, contentType } = renderEvent(isGet ? 'form' : target.format, event);
  const url = isGet ? withQuery(target.target_url, body) : target.target_url;
  const signed = isGet ? new URL(url).search.slice(1) : body;
  return sendOutbound(url, {
    method: target.method,
    body: isGet ? '' : body,
    contentType,
    headers: {
      [EVENT_HEADER]: event.event,
      [EVENT_ID_HEADER]: event.event_id,
      [SIGNATURE_HEADER]: signatureHeader(
        target.signing_secret,
        Math.floor(options.now.getTime() / 1000),
        signed,
      ),
    },
    timeoutMs: options.timeoutMs,
    allowPrivate: options.allowPrivate,
  });
}

function withQuery(target: string, query: string): string {
  const url = new URL(target);
  url.search = url.search ? `${url.search.slice(1)}&${query}` : query;
  return url.toString();
}
