import nodemailer, { type Transporter } from 'nodemailer';

/**
 * Outgoing e-mail over SMTP (nodemailer). `SMTP_URL` unset means e-mail is switched off: every
 * send fails with a MailError the caller turns into an honest outcome, never a crash.
 */

export interface MailAttachment {
  filename: string;
  content: string | Buffer;
  contentType: string;
}

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  attachments?: MailAttachment[];
}

/** What the SMTP server said, in nodemailer's words (V2's `POST /v2/email/calldata` answers this). */
export interface SendResult {
  accepted: string[];
  rejected: string[];
  response: string;
  envelope: { from: string; to: string[] };
  messageId: string;
}

export interface MailLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export class MailError extends Error {
  constructor(
    message: string,
    /** true when SMTP_URL is unset, false when a configured server refused or failed */
    readonly isNotConfigured: boolean,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

export const MAIL_NOT_CONFIGURED = 'E-mail is not configured (SMTP_URL is unset)';

export interface MailerOptions {
  smtpUrl?: string | undefined;
  from: string;
  timeoutMs?: number;
  logger?: MailLogger | undefined;
}

const silent: MailLogger = { info: () => {}, warn: () => {} };

/** The server part of an SMTP URL without credentials, for logs. */
function describeServer(smtpUrl: string): string {
  try {
    const url = new URL(smtpUrl);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(unparseable SMTP_URL)';
  }
}

/** An address list as nodemailer reports it: strings or `{address}` objects. */
const addresses = (list: unknown): string[] =>
  Array.isArray(list)
    ? list.map((item) =>
        typeof item === 'string' ? item : String((item as { address?: unknown }).address ?? ''),
      )
    : [];

export function createMailer({ smtpUrl, from, timeoutMs = 15_000, logger = silent }: MailerOptions) {
  const transport: Transporter | undefined = smtpUrl
    ? nodemailer.createTransport({
        url: smtpUrl,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      })
    : undefined;
  const server = smtpUrl ? describeServer(smtpUrl) : 'none';

  return {
    isConfigured: transport !== undefined,
    from,

    /** Sends one message; throws MailError when e-mail is off or the server fails. */
    async send(message: MailMessage): Promise<SendResult> {
      if (!transport) {
        logger.warn({ to: message.to, subject: message.subject }, `e-mail not sent: ${MAIL_NOT_CONFIGURED}`);
        throw new MailError(MAIL_NOT_CONFIGURED, true);
      }
      try {
        const info = await transport.sendMail({ from, ...message });
        const result: SendResult = {
          accepted: addresses(info.accepted),
          rejected: addresses(info.rejected),
          response: String(info.response ?? ''),
          envelope: {
            from: String(info.envelope?.from ?? from),
            to: addresses(info.envelope?.to),
          },
          messageId: String(info.messageId ?? ''),
        };
        logger.info({ to: result.accepted, messageId: result.messageId, server }, 'e-mail sent');
        return result;
      } catch (error) {
        // nodemailer's messages name the server and the SMTP reply, never the credentials.
        const reason = error instanceof Error ? error.message : String(error);
        logger.warn({ err: error, to: message.to, server }, 'e-mail not sent');
        throw new MailError(`E-mail could not be sent: ${reason}`, false);
      }
    },

    close(): void {
      transport?.close();
    },
  };
}

export type Mailer = ReturnType<typeof createMailer>;
