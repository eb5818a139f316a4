import type { Db } from '../../db/index.js';
import { AppError, invalidInput, notFound } from '../../errors.js';
import { MAX_ID } from '../../http/schemas.js';
import { MailError, type Mailer, type SendResult } from '../../mail/mailer.js';
import type { Principal } from '../auth/principal.js';
import { loadCallRecords } from '../calls/call-record.js';
import { inScope } from '../shared/sql.js';
import { type CallDataFormat, parseEmailList, renderCallData } from './call-data.js';

export interface CallDataRequest {
  email: string;
  call_id: string | number;
  return_type?: string | undefined;
}

/** A mail failure as the caller's reply: e-mail switched off or the SMTP server failing is a 503. */
export function mailFailure(error: unknown): never {
  if (error instanceof MailError) throw new AppError('UNAVAILABLE', error.message, { cause: error });
  throw error;
}

export function createEmailService({ db, mailer }: { db: Db; mailer: Mailer }) {
  return {
    /** Sends the call's record to the given addresses; answers with what the SMTP server said. */
    async sendCallData(principal: Principal, body: CallDataRequest): Promise<SendResult> {
      const rawId = String(body.call_id).trim();
      if (rawId === '') throw invalidInput('No call ID provided to retrieve records for.');
      if (!/^\d+$/.test(rawId) || Number(rawId) < 1 || Number(rawId) > MAX_ID)
        throw invalidInput('Invalid call ID provided.');
      const callId = Number(rawId);
      const to = parseEmailList(body.email);
      if (!to) throw invalidInput('Please provide a valid email address.');
      const format = (body.return_type ?? 'json').trim().toLowerCase();
      if (format !== 'json' && format !== 'xml') throw invalidInput("return_type must be 'json' or 'xml'.");

      const { rowCount } = await db.query(
        `select 1 from call c where c.call_id = $1 and ${inScope('c.group_id', '$2')}`,
        [callId, principal.groupId],
      );
      const [record] = rowCount > 0 ? await loadCallRecords(db, [callId]) : [];
      if (!record) throw notFound('No record found');

      const data = renderCallData(record, format as CallDataFormat);
      return mailer
        .send({
          to,
          subject: `Call data for call ${callId}`,
          text: data.text,
          attachments: [data.attachment],
        })
        .catch(mailFailure);
    },
  };
}

export type EmailService = ReturnType<typeof createEmailService>;
