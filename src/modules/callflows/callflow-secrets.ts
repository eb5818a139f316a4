import { createHmac } from 'node:crypto';
import type { Queryable } from '../../db/index.js';
import { safeEqual } from '../../lib/secrets.js';

/** What an outbound PIN reads as in replies: it lets a caller dial out on the account. */
const PIN_MASK = '********';

/**
 * An outbound PIN is stored as `hmac-sha256:<hex>`: HMAC-SHA256 of its digits under the server's
 * PIN key, never as the digits. A 4-to-8-digit PIN falls to a search of its hash in a blink, so the
 * hash is keyed: whoever reads a flow document (a backup, an export, the version history) without
 * the key learns nothing. Migration 0027 generated the key and hashed the PINs stored before.
 */
const PIN_HASH_PREFIX = 'hmac-sha256:';

/** The server's PIN key, kept in app_setting (base64) since migration 0027. */
export async function loadOutboundPinKey(db: Queryable): Promise<Buffer> {
  const { rows } = await db.query<{ value: string }>(
    "select value from app_setting where key = 'outbound_pin_key'",
  );
  const value = rows[0]?.value;
  if (!value) throw new Error('the outbound PIN key is missing: run the migrations');
  return Buffer.from(value, 'base64');
}

/**
 * Loads the PIN key on first use, once: it never changes. Inside a transaction pass it (`q`): on
 * PGlite a query on the database itself would wait for that transaction to end.
 */
export function createOutboundPinKey(db: Queryable): (q?: Queryable) => Promise<Buffer> {
  let key: Promise<Buffer> | undefined;
  return (q = db) => {
    key ??= loadOutboundPinKey(q).catch((error: unknown) => {
      key = undefined;
      throw error;
    });
    return key;
  };
}

export const hashOutboundPin = (key: Buffer, pin: string): string =>
  `${PIN_HASH_PREFIX}${createHmac('sha256', key).update(pin).digest('hex')}`;

/** Whether keyed-in digits are the PIN stored as `storedHash`, compared in constant time. */
export const isOutboundPin = (key: Buffer, storedHash: string, entered: string): boolean =>
  storedHash.startsWith(PIN_HASH_PREFIX) && safeEqual(hashOutboundPin(key, entered), storedHash);

/** The document as stored: a posted outbound PIN (digits, as validated) as its keyed hash. */
export function withHashedPin(document: Record<string, unknown>, key: Buffer): Record<string, unknown> {
  const outbound = document.outboundData as { pin?: unknown } | undefined;
  if (!outbound || typeof outbound !== 'object' || typeof outbound.pin !== 'string') return document;
  return { ...document, outboundData: { ...outbound, pin: hashOutboundPin(key, outbound.pin) } };
}

/** Replies never carry an outbound PIN, nor its hash. */
export function withoutSecrets(document: Record<string, unknown>): Record<string, unknown> {
  const outbound = document.outboundData;
  if (!outbound || typeof outbound !== 'object' || !('pin' in outbound)) return document;
  return { ...document, outboundData: { ...outbound, pin: PIN_MASK } };
}
