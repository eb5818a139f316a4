import { sendOutbound } from '../../lib/outbound-url.js';

/**
 * SMS alerts through Twilio's Messages REST API (or anything that speaks it, at
 * TWILIO_API_BASE_URL). Without an account sid and a sender number SMS is switched off.
 */

export const SMS_NOT_CONFIGURED = 'SMS is not configured';

export class SmsError extends Error {
  constructor(
    message: string,
    readonly isNotConfigured: boolean,
  ) {
    super(message);
    this.name = 'SmsError';
  }
}

export interface SmsOptions {
  baseUrl: string;
  accountSid?: string | undefined;
  authToken: string;
  from?: string | undefined;
  timeoutMs: number;
}

/** A 10-digit NANP number as E.164; anything else as given. */
const e164 = (number: string) => (/^\d{10}$/.test(number) ? `+1${number}` : number);

export function createSmsSender({ baseUrl, accountSid, authToken, from, timeoutMs }: SmsOptions) {
  const isConfigured = Boolean(accountSid && from);
  return {
    isConfigured,

    /** Sends one text; resolves to the message sid the API gave it. */
    async send(to: string, body: string): Promise<string> {
      if (!accountSid || !from) throw new SmsError(SMS_NOT_CONFIGURED, true);
      const url = `${baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
      const response = await sendOutbound(url, {
        body: new URLSearchParams({ To: e164(to), From: e164(from), Body: body }).toString(),
        contentType: 'application/x-www-form-urlencoded',
        headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
        timeoutMs,
        // The API base URL is the operator's own configuration, not a user's target.
        allowPrivate: true,
      }).catch((error: Error) => {
        throw new SmsError(`SMS API unreachable: ${error.message}`, false);
      });
      if (response.status < 200 || response.status >= 300) {
        let detail = '';
        try {
          detail = String((JSON.parse(response.body) as { message?: unknown }).message ?? '');
        } catch {}
        throw new SmsError(`SMS API answered ${response.status}${detail ? `: ${detail}` : ''}`, false);
      }
      try {
        return String((JSON.parse(response.body) as { sid?: unknown }).sid ?? '');
      } catch {
        return '';
      }
    },
  };
}

export type SmsSender = ReturnType<typeof createSmsSender>;
