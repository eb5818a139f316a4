import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** How many answers `toNanp10` keeps before it starts over. */
const NANP_MEMO_LIMIT = 10_000;
const nanpMemo = new Map<string, string | undefined>();

/**
 * V2 shows NANP numbers as 10 digits. Accepts "8015550123", 8015550123, "+1 (801) 555-0123" and
 * returns the 10-digit form, or undefined when it is not a valid NANP number. Answers are
 * remembered (they depend on the text only): flows name the same targets over and over, and
 * libphonenumber's parse was the costliest step of checking a flow (about 0.2 ms of 0.25 ms).
 */
export function toNanp10(input: string | number): string | undefined {
  const key = String(input);
  if (nanpMemo.has(key)) return nanpMemo.get(key);
  const value = parseNanp10(key);
  if (nanpMemo.size >= NANP_MEMO_LIMIT) nanpMemo.clear();
  nanpMemo.set(key, value);
  return value;
}

function parseNanp10(input: string): string | undefined {
  const text = input.trim();
  const digits = text.replace(/\D/g, '');
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  if (!/^[2-9]\d{2}[2-9]\d{6}$/.test(national)) return undefined;
  const parsed = parsePhoneNumberFromString(`+1${national}`);
  return parsed?.isPossible() ? national : undefined;
}

/** E.164 (+1XXXXXXXXXX) for a valid 10-digit NANP number. */
export const toE164 = (nanp10: string): string => `+1${nanp10}`;
