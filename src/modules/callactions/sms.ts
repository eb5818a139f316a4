/**
 * SMS alerts of call actions through the Messages API client the texts use. Without an account
 * sid and a sender number SMS alerts are switched off.
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

/** The Messages API client (telephony/twilio-messages.ts), as far as alerts use it. */
export interface MessagesClient {
  isConfigured: boolean;
  create(message: {
    to: string;
    from: string;
    body: string;
    mediaUrls: readonly string[];
  }): Promise<{ sid: string }>;
}

export interface SmsOptions {
  messages: MessagesClient;
  from?: string | undefined;
}

/** A 10-digit NANP number as E.164; anything else as given. */
const e164 = (number: string) => (/^\d{10}$/.test(number) ? `+1${number}` : number);

export function createSmsSender({ messages, from }: SmsOptions) {
  return {
    isConfigured: messages.isConfigured && Boolean(from),

    /** Sends one text; resolves to the message sid the API gave it. */
    async send(to: string, body: string): Promise<string> {
      if (!messages.isConfigured || !from) throw new SmsError(SMS_NOT_CONFIGURED, true);
      try {
        const created = await messages.create({ to: e164(to), from: e164(from), body, mediaUrls: [] });
        return created.sid;
      } catch (error) {
        throw new SmsError((error as Error).message, false);
      }
    },
  };
}

export type SmsSender = ReturnType<typeof createSmsSender>;
