import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

/**
 * A local server speaking Twilio's Messages API (or SignalWire's LaML copy of it, under
 * `prefix` with UUID sids and callbacks signed with its signing key) (2010-04-01) on the wire: HTTP Basic auth with
 * the account sid and auth token; `POST /2010-04-01/Accounts/{sid}/Messages.json` (form: To, From,
 * Body, MediaUrl..., StatusCallback) answers 201 with the Message resource (JSON, RFC 2822
 * dates, status `queued`); `GET` the same path lists messages newest first, filtered by To and
 * From, in Twilio's page envelope. Errors are Twilio's JSON error body (`code`, `message`,
 * `more_info`, `status`). `deliver(sid, status, errorCode?)` posts the signed status callback
 * Twilio would post to the message's StatusCallback URL.
 */

export interface FakeMessage {
  sid: string;
  account_sid: string;
  to: string;
  from: string;
  body: string;
  status: string;
  num_media: string;
  num_segments: string;
  direction: 'outbound-api';
  api_version: '2010-04-01';
  date_created: string;
  date_updated: string;
  date_sent: string | null;
  error_code: number | null;
  error_message: string | null;
  price: null;
  price_unit: 'USD';
  messaging_service_sid: null;
  uri: string;
  subresource_uris: { media: string };
  /** not part of the resource: what the request carried */
  media_urls: string[];
  status_callback: string | null;
}

export interface TwilioFaultPlan {
  /** answer every create with this error (status, Twilio error code, message) */
  refuse?: { status: number; code: number; message: string };
  /**
   * take the next N creates (the message exists, as at Twilio) and then cut the connection
   * without answering: the sender cannot know it was taken
   */
  dropAnswers?: number;
  /** answer the next N creates with a 503 before taking them */
  unavailable?: number;
  /** take every create (the message exists) but hold its answer until `release()` */
  hold?: boolean;
}

const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');

export interface MessagesApiOptions {
  accountSid: string;
  authToken: string;
  /** SignalWire's LaML REST API lives under `/api/laml` of the space */
  prefix?: string;
  /** the carrier's message ids (SignalWire: UUIDs) */
  sidOf?: () => string;
  /** the key status callbacks are signed with (SignalWire: the signing key, not the API token) */
  signingKey?: string;
}

export async function startTwilioMessagesApi(options: MessagesApiOptions) {
  const messages: FakeMessage[] = [];
  const creates: { form: URLSearchParams; at: Date }[] = [];
  const faults: TwilioFaultPlan = {};
  const held: (() => void)[] = [];
  const resource = `${options.prefix ?? ''}/2010-04-01/Accounts/${options.accountSid}/Messages.json`;
  const expectedAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;

  const error = (res: http.ServerResponse, status: number, code: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }),
    );
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.headers.authorization !== expectedAuth)
        return error(res, 401, 20003, 'Authentication Error - invalid username');
      if (url.pathname !== resource) return error(res, 404, 20404, 'The requested resource was not found');
      if (req.method === 'GET') {
        const to = url.searchParams.get('To');
        const from = url.searchParams.get('From');
        const pageSize = Number(url.searchParams.get('PageSize') ?? '50');
        const page = messages
          .filter((m) => (!to || m.to === to) && (!from || m.from === from))
          .reverse()
          .slice(0, pageSize)
          .map(({ media_urls: _m, status_callback: _s, ...rest }) => rest);
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            messages: page,
            end: page.length - 1,
            first_page_uri: `${resource}?PageSize=${pageSize}&Page=0`,
            next_page_uri: null,
            page: 0,
            page_size: pageSize,
            previous_page_uri: null,
            start: 0,
            uri: `${resource}?PageSize=${pageSize}&Page=0`,
          }),
        );
      }
      if (req.method !== 'POST') return error(res, 405, 20004, 'Method not allowed');
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      creates.push({ form, at: new Date() });
      if (faults.unavailable && faults.unavailable > 0) {
        faults.unavailable -= 1;
        return error(res, 503, 20503, 'Service unavailable');
      }
      if (faults.refuse) return error(res, faults.refuse.status, faults.refuse.code, faults.refuse.message);
      const to = form.get('To') ?? '';
      const from = form.get('From') ?? '';
      if (!/^\+[1-9]\d{6,14}$/.test(to))
        return error(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
      if (!form.get('Body') && form.getAll('MediaUrl').length === 0)
        return error(res, 400, 21602, 'Message body is required.');
      const now = new Date();
      const sid = options.sidOf ? options.sidOf() : `SM${randomBytes(16).toString('hex')}`;
      const message: FakeMessage = {
        sid,
        account_sid: options.accountSid,
        to,
        from,
        body: form.get('Body') ?? '',
        status: 'queued',
        num_media: String(form.getAll('MediaUrl').length),
        num_segments: '1',
        direction: 'outbound-api',
        api_version: '2010-04-01',
        date_created: rfc2822(now),
        date_updated: rfc2822(now),
        date_sent: null,
        error_code: null,
        error_message: null,
        price: null,
        price_unit: 'USD',
        messaging_service_sid: null,
        uri: `${resource.replace('.json', '')}/${sid}.json`,
        subresource_uris: { media: `${resource.replace('.json', '')}/${sid}/Media.json` },
        media_urls: form.getAll('MediaUrl'),
        status_callback: form.get('StatusCallback'),
      };
      messages.push(message);
      if (faults.dropAnswers && faults.dropAnswers > 0) {
        faults.dropAnswers -= 1;
        req.socket.destroy();
        return;
      }
      const { media_urls: _m, status_callback: _s, ...wire } = message;
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify(wire));
      };
      if (faults.hold) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    messages,
    /** every create request, including refused and dropped ones */
    creates,
    faults,
    /** answers the held creates and stops holding */
    release() {
      faults.hold = false;
      for (const answer of held.splice(0)) answer();
    },
    /**
     * The status callback Twilio posts for a message, signed with the auth token over its
     * StatusCallback URL; `post` delivers it (app.inject or real HTTP) and returns its status.
     */
    async deliver(
      sid: string,
      status: string,
      post: (url: string, form: Record<string, string>, signature: string) => Promise<number>,
      errorCode?: number,
    ): Promise<number> {
      const message = messages.find((m) => m.sid === sid);
      if (!message?.status_callback) throw new Error(`no message ${sid} with a status callback`);
      message.status = status;
      if (errorCode !== undefined) message.error_code = errorCode;
      const form: Record<string, string> = {
        MessageSid: sid,
        SmsSid: sid,
        AccountSid: options.accountSid,
        From: message.from,
        To: message.to,
        MessageStatus: status,
        SmsStatus: status,
        ApiVersion: '2010-04-01',
        ...(errorCode !== undefined ? { ErrorCode: String(errorCode) } : {}),
      };
      const signature = twilio.getExpectedTwilioSignature(
        options.signingKey ?? options.authToken,
        message.status_callback,
        form,
      );
      return post(message.status_callback, form, signature);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type TwilioMessagesApi = Awaited<ReturnType<typeof startTwilioMessagesApi>>;

/** A MessageSid in Twilio's form (SM and 32 hex digits). */
export const testMessageSid = () => `SM${randomBytes(16).toString('hex')}`;
