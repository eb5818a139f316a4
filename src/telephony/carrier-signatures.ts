import { createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify } from 'node:crypto';

/**
 * The webhook signatures of SignalWire and Telnyx (Twilio's is checked by the `twilio` package).
 *
 * SignalWire (X-SignalWire-Signature) signs with the project's signing key (spaces made before
 * signing keys existed sign with the API token). Its LaML webhooks use Twilio's scheme:
 * base64(HMAC-SHA1(key, URL + each form field's name and value, sorted by name)), and SignalWire's
 * SDKs accept the URL with or without the scheme's default port. Its JSON webhooks (RELAY, SWML)
 * sign hex(HMAC-SHA1(key, URL + raw body)); both are accepted, as SignalWire's SDKs do.
 *
 * Telnyx (telnyx-signature-ed25519, telnyx-timestamp) signs `${timestamp}|${raw body}` with
 * Ed25519; the account's public key verifies it, and a timestamp outside the tolerance is refused
 * so a captured request cannot be replayed later.
 */

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** The URL as signed, and with the default port added or removed (SignalWire's SDKs try both). */
function urlVariants(url: string): string[] {
  const match = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!match) return [url];
  const [, scheme = '', authority = '', rest = ''] = match;
  const standard = scheme.toLowerCase() === 'https' ? '443' : '80';
  const port = /:(\d+)$/.exec(authority)?.[1];
  if (port === undefined) return [url, `${scheme}://${authority}:${standard}${rest}`];
  if (port === standard) return [url, `${scheme}://${authority.slice(0, -port.length - 1)}${rest}`];
  return [url];
}

/** Form fields sorted by name (stable, so repeated names keep their order), names and values joined. */
const sortedFields = (fields: readonly (readonly [string, string])[]): string =>
  [...fields]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name, value]) => name + value)
    .join('');

/** The LaML signature SignalWire sends for `fields` posted to `url` (Twilio's scheme). */
export const signalWireLamlSignature = (
  key: string,
  url: string,
  fields: readonly (readonly [string, string])[],
): string =>
  createHmac('sha1', key)
    .update(url + sortedFields(fields), 'utf8')
    .digest('base64');

/** The signature SignalWire sends for a JSON body posted to `url`. */
export const signalWireJsonSignature = (key: string, url: string, rawBody: string): string =>
  createHmac('sha1', key)
    .update(url + rawBody, 'utf8')
    .digest('hex');

/**
 * Whether X-SignalWire-Signature `signature` vouches for the request to `url` with the parsed form
 * `fields` and the raw body, under any of `keys` (signing key, API token).
 */
export function isSignalWireSignatureValid(
  keys: readonly string[],
  signature: string,
  url: string,
  fields: readonly (readonly [string, string])[],
  rawBody: string,
): boolean {
  if (signature === '') return false;
  for (const key of keys) {
    if (sameText(signalWireJsonSignature(key, url, rawBody), signature)) return true;
    for (const variant of urlVariants(url)) {
      if (sameText(signalWireLamlSignature(key, variant, fields), signature)) return true;
    }
  }
  return false;
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo: the 32-byte raw key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The Ed25519 key Telnyx publishes (base64 of the 32 raw bytes), or a PEM public key; throws
 * on anything else, so a wrong TELNYX_PUBLIC_KEY stops the server at start.
 */
export function telnyxPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const key = createPublicKey(trimmed);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('TELNYX_PUBLIC_KEY is not an Ed25519 key');
    return key;
  }
  const raw = Buffer.from(trimmed, 'base64');
  if (raw.length !== 32) throw new Error('TELNYX_PUBLIC_KEY must be the base64 of a 32-byte Ed25519 key');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Whether `signature` (base64) is the Ed25519 signature of `message` under `key`. */
export function isEd25519SignatureValid(key: KeyObject, message: Buffer, signature: string): boolean {
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== 64) return false;
  try {
    return verify(null, message, key, bytes);
  } catch {
    return false;
  }
}

export type TelnyxVerdict = 'valid' | 'invalid' | 'stale';

/**
 * Telnyx's check: the signature over `${timestamp}|${rawBody}`, then the timestamp (Unix seconds)
 * within `toleranceSeconds` of `nowSeconds`, either way.
 */
export function checkTelnyxSignature(
  key: KeyObject,
  signature: string,
  timestamp: string,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds: number,
): TelnyxVerdict {
  if (!/^\d{1,12}$/.test(timestamp)) return 'invalid';
  if (!isEd25519SignatureValid(key, Buffer.from(`${timestamp}|${rawBody}`, 'utf8'), signature)) {
    return 'invalid';
  }
  return Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds ? 'stale' : 'valid';
}
