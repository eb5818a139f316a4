import type { Queryable } from '../../db/index.js';
import { inScope } from '../shared/sql.js';
import { segmentsOf } from '../smsbroadcast/broadcasts.js';
import type { TextUsage } from '../subscriptions/subscriptions.service.js';

/**
 * The texts a subtree used in [from, to), as plans count them: every text received, and every
 * text sent that reached the carrier (not one refused before it left), with its SMS segments.
 */
export async function smsTextUsage(q: Queryable, groupId: number, from: Date, to: Date): Promise<TextUsage> {
  const { rows } = await q.query<{ body: string; texts: number }>(
    `select m.body, count(*)::integer as texts from sms_message m
      where ${inScope('m.group_id', '$1')} and m.created_at >= $2 and m.created_at < $3
        and (m.direction = 'inbound' or m.status in ('sending', 'queued', 'sent', 'delivered', 'undelivered'))
      group by m.body`,
    [groupId, from, to],
  );
  return rows.reduce(
    (usage, row) => ({
      texts: usage.texts + row.texts,
      segments: usage.segments + row.texts * segmentsOf(row.body).segments,
    }),
    { texts: 0, segments: 0 },
  );
}

/**
 * The texts of a subtree written in [from, to) and not yet handed to the carrier (`accepted`):
 * a plan's limit counts them too, so texts sent in a burst cannot pass it before the first is sent.
 */
export async function smsTextsInFlight(q: Queryable, groupId: number, from: Date, to: Date): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `select count(*)::integer as n from sms_message m
      where ${inScope('m.group_id', '$1')} and m.created_at >= $2 and m.created_at < $3
        and m.direction = 'outbound' and m.status = 'accepted'`,
    [groupId, from, to],
  );
  return rows[0]?.n ?? 0;
}
