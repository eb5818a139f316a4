import type { Db } from '../db/index.js';
import { generateSecret } from '../lib/secrets.js';

/**
 * The key carrier webhooks are signed with: TWILIO_AUTH_TOKEN when set, else one generated on
 * first start and kept in the database (it must be readable to compute HMACs, so it is not
 * hashed). There is no unsigned mode.
 */
export async function carrierAuthToken(
  db: Db,
  configured: string | undefined,
): Promise<{ token: string; generated: boolean }> {
  if (configured) return { token: configured, generated: false };
  const inserted = await db.query<{ value: string }>(
    `insert into app_setting (key, value) values ('twilio_auth_token', $1)
     on conflict (key) do nothing returning value`,
    [generateSecret(24)],
  );
  if (inserted.rows[0]) return { token: inserted.rows[0].value, generated: true };
  const { rows } = await db.query<{ value: string }>(
    "select value from app_setting where key = 'twilio_auth_token'",
  );
  return { token: (rows[0] as { value: string }).value, generated: false };
}
