import { createTwilioRest, type TwilioAnswer, twilioError } from './twilio-rest.js';

/**
 * Twilio's Messages REST API (2010-04-01), or anything that speaks it at TWILIO_API_BASE_URL
 * (SignalWire's and Telnyx's compatibility APIs do): create a message, and list the messages
 * between two numbers (to find out whether a send whose answer was lost reached the carrier).
 * Authentication is HTTP Basic with the account sid and the auth token.
 */

export interface MessagesApiOptions {
  baseUrl: string;
  accountSid?: string | undefined;
  authToken: string;
  timeoutMs: number;
  /** why nothing can be sent while `accountSid` is unset (the settings to give) */
  notConfigured?: string;
}

/** A Message resource as the API returns it (the fields we read). */
export interface CarrierMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  status: string;
  date_created: string | null;
  error_code: number | null;
  error_message: string | null;
}

export interface NewCarrierMessage {
  to: string;
  from: string;
  body: string;
  mediaUrls: readonly string[];
  statusCallback?: string;
}

/** Why a send failed: `isPermanent` when sending again cannot help (the API refused the request). */
export class MessagesApiError extends Error {
  constructor(
    message: string,
    readonly isPermanent: boolean,
    readonly errorCode: number | null = null,
  ) {
    super(message);
    this.name = 'MessagesApiError';
  }
}

export const MESSAGES_NOT_CONFIGURED = 'SMS is not configured (TWILIO_ACCOUNT_SID)';

export function createMessagesApi({
  baseUrl,
  accountSid,
  authToken,
  timeoutMs,
  notConfigured = MESSAGES_NOT_CONFIGURED,
}: MessagesApiOptions) {
  const request = accountSid ? createTwilioRest({ baseUrl, accountSid, authToken, timeoutMs }) : undefined;

  async function call(method: 'GET' | 'POST', path: string, form?: URLSearchParams): Promise<TwilioAnswer> {
    // permanent: no request leaves without an account, so failing the text cannot lose one the
    // carrier has (a restart without it would only ever retry in vain)
    if (!request) throw new MessagesApiError(notConfigured, true);
    return request(method, path, form).catch((error: Error) => {
      // the request may or may not have reached the carrier
      throw new MessagesApiError(`Messages API unreachable: ${error.message}`, false);
    });
  }

  return {
    isConfigured: Boolean(accountSid),

    /** Creates (sends) one message; resolves to the resource the API created. */
    async create(message: NewCarrierMessage): Promise<CarrierMessage> {
      const form = new URLSearchParams({ To: message.to, From: message.from, Body: message.body });
      for (const url of message.mediaUrls) form.append('MediaUrl', url);
      if (message.statusCallback) form.append('StatusCallback', message.statusCallback);
      const { status, json } = await call('POST', '/Messages.json', form);
      if (status >= 200 && status < 300 && typeof (json as CarrierMessage | undefined)?.sid === 'string')
        return json as CarrierMessage;
      const { code, message: reason } = twilioError(json);
      const detail = reason ? `: ${reason}` : '';
      // 4xx: the API looked at the request and refused it (bad number, unsubscribed recipient ...);
      // 429 and 5xx may pass later
      const isPermanent = status >= 400 && status < 500 && status !== 429;
      throw new MessagesApiError(`Messages API answered ${status}${detail}`, isPermanent, code);
    },

    /** The newest messages from `from` to `to` (one page, newest first). */
    async list(filter: { to: string; from: string }, pageSize = 100): Promise<CarrierMessage[]> {
      const query = new URLSearchParams({ To: filter.to, From: filter.from, PageSize: String(pageSize) });
      const { status, json } = await call('GET', `/Messages.json?${query}`);
      const messages = (json as { messages?: unknown } | undefined)?.messages;
      if (status !== 200 || !Array.isArray(messages))
        throw new MessagesApiError(`Messages API answered ${status} to a list`, false);
      return messages as CarrierMessage[];
    },
  };
}

export type MessagesApi = ReturnType<typeof createMessagesApi>;
