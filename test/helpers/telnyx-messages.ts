import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server speaking Telnyx's Messaging API v2 on the wire, as its reference documents it:
 * `POST /messages` (Bearer API key; JSON from, to, text, media_urls, webhook_url,
 * use_profile_webhooks) answers 200 `{data: message}` with `to[].status` `queued`; errors are
 * Telnyx's `{errors: [{code, title, detail}]}`. An `Idempotency-Key` is honoured as Telnyx's API
 * documents it: a repeated key with the same bytes answers the first success again without
 * sending, with other bytes 422; only successes are kept. `event(...)` builds the messaging
 * events Telnyx posts (message.received, message.sent, message.finalized) for the test to sign.
 */

export interface TelnyxFakeMessage {
  id: string;
  from: string;
  to: string;
  text: string;
  media_urls: string[];
  webhook_url: string | null;
  status: string;
  received_at: string;
}

export interface TelnyxFaultPlan {
  /** answer every send with this error */
  refuse?: { status: number; code: string; title: string; detail?: string };
  /** take the next N sends (the message exists) and cut the connection without answering */
  dropAnswers?: number;
  /** answer the next N sends with a 503 before taking them */
  unavailable?: number;
}

export interface TelnyxEventOptions {
  /** the message's id at Telnyx (new by default) */
  id?: string;
  from: string;
  to: string;
  text?: string;
  media?: string[];
  /** the recipient's status (outbound events) */
  status?: string;
  errors?: { code: string; title: string; detail?: string }[];
  occurredAt?: Date;
}

/** A Telnyx messaging event, as posted to a webhook URL. */
export function telnyxEvent(eventType: string, options: TelnyxEventOptions) {
  const inbound = eventType === 'message.received';
  return {
    data: {
      record_type: 'event',
      id: randomUUID(),
      event_type: eventType,
      occurred_at: (options.occurredAt ?? new Date()).toISOString(),
      payload: {
        record_type: 'message',
        direction: inbound ? 'inbound' : 'outbound',
        id: options.id ?? randomUUID(),
        type: options.media && options.media.length > 0 ? 'MMS' : 'SMS',
        messaging_profile_id: '400017d2-2e7d-4a25-9fc0-0bba0bf7a3a1',
        organization_id: 'b448f9cc-a842-4784-98e9-03c1a5872950',
        from: { phone_number: options.from, carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' },
        to: [
          {
            phone_number: options.to,
            status: options.status ?? (inbound ? 'webhook_delivered' : 'queued'),
            carrier: 'TELNYX LLC',
            line_type: 'VoIP',
          },
        ],
        cc: [],
        text: options.text ?? '',
        media: (options.media ?? []).map((url) => ({
          url,
          content_type: 'image/jpeg',
          sha256: null,
          size: 1024,
        })),
        encoding: 'GSM-7',
        parts: 1,
        tags: [],
        errors: options.errors ?? [],
        received_at: (options.occurredAt ?? new Date()).toISOString(),
      },
    },
    meta: { attempt: 1, delivered_to: 'https://switchboard.example/telephony/telnyx/sms' },
  };
}

export async function startTelnyxMessagesApi(apiKey: string) {
  const messages: TelnyxFakeMessage[] = [];
  const sends: { body: Record<string, unknown>; key: string | undefined }[] = [];
  const faults: TelnyxFaultPlan = {};
  const keys = new Map<string, { raw: string; answer: string }>();

  const error = (res: http.ServerResponse, status: number, code: string, title: string, detail = '') => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code, title, detail }] }));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${apiKey}`)
        return error(res, 401, '10009', 'Authentication failed', 'The API key is not valid');
      if (req.method !== 'POST' || req.url !== '/messages')
        return error(res, 404, '10005', 'Resource not found');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return error(res, 400, '10015', 'Bad Request', 'The request body is not valid JSON');
      }
      const key =
        typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
      sends.push({ body, key });
      if (key !== undefined) {
        const earlier = keys.get(key);
        if (earlier && earlier.raw !== raw)
          return error(
            res,
            422,
            '10015',
            'Idempotency key reused',
            'The body differs from the first request',
          );
        if (earlier) {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(earlier.answer);
        }
      }
      if (faults.unavailable && faults.unavailable > 0) {
        faults.unavailable -= 1;
        return error(res, 503, '10011', 'Service unavailable');
      }
      if (faults.refuse)
        return error(
          res,
          faults.refuse.status,
          faults.refuse.code,
          faults.refuse.title,
          faults.refuse.detail,
        );
      const to = typeof body.to === 'string' ? body.to : '';
      const from = typeof body.from === 'string' ? body.from : '';
      if (!/^\+[1-9]\d{6,14}$/.test(to))
        return error(res, 422, '40310', "Invalid 'to' address", `${to} is not a valid phone number`);
      const mediaUrls = Array.isArray(body.media_urls) ? (body.media_urls as string[]) : [];
      if (!body.text && mediaUrls.length === 0)
        return error(res, 422, '40005', 'Invalid message body', 'text or media_urls is required');
      const message: TelnyxFakeMessage = {
        id: randomUUID(),
        from,
        to,
        text: typeof body.text === 'string' ? body.text : '',
        media_urls: mediaUrls,
        webhook_url: typeof body.webhook_url === 'string' ? body.webhook_url : null,
        status: 'queued',
        received_at: new Date().toISOString(),
      };
      messages.push(message);
      const answer = JSON.stringify({
        data: {
          record_type: 'message',
          direction: 'outbound',
          id: message.id,
          type: mediaUrls.length > 0 ? 'MMS' : 'SMS',
          messaging_profile_id: '400017d2-2e7d-4a25-9fc0-0bba0bf7a3a1',
          from: { phone_number: from, carrier: 'TELNYX LLC', line_type: 'VoIP' },
          to: [{ phone_number: to, status: 'queued', carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' }],
          cc: [],
          text: message.text,
          media: mediaUrls.map((url) => ({ url, content_type: null, sha256: null, size: null })),
          webhook_url: message.webhook_url,
          webhook_failover_url: null,
          encoding: 'GSM-7',
          parts: 1,
          tags: [],
          cost: null,
          received_at: message.received_at,
          sent_at: null,
          completed_at: null,
          valid_until: null,
          errors: [],
        },
      });
      if (key !== undefined) keys.set(key, { raw, answer });
      if (faults.dropAnswers && faults.dropAnswers > 0) {
        faults.dropAnswers -= 1;
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    messages,
    /** every send request, including refused, dropped and replayed ones */
    sends,
    faults,
    /**
     * The event Telnyx posts to a message's webhook_url as it progresses (message.sent,
     * message.finalized with the recipient's status and errors); `post` signs and delivers it.
     */
    async progress(
      id: string,
      eventType: 'message.sent' | 'message.finalized',
      status: string,
      post: (url: string, rawBody: string) => Promise<number>,
      errors?: { code: string; title: string; detail?: string }[],
    ): Promise<number> {
      const message = messages.find((m) => m.id === id);
      if (!message?.webhook_url) throw new Error(`no message ${id} with a webhook_url`);
      message.status = status;
      const event = telnyxEvent(eventType, {
        id,
        from: message.from,
        to: message.to,
        text: message.text,
        status,
        ...(errors ? { errors } : {}),
      });
      return post(message.webhook_url, JSON.stringify(event));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type TelnyxMessagesApi = Awaited<ReturnType<typeof startTelnyxMessagesApi>>;
