import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * V2 shows NANP numbers as 10 digits. Accepts "8015550123", 8015550123, "+1 (801) 555-0123" and
 * returns the 10-digit form, or undefined when it is not a valid NANP number.
 */
export function toNanp10(input: string | number): string | undefined {
  const text = String(input).trim();
  const digits = text.replace(/\D/g, '');
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  if (!/^[2-9]\d{2}[2-9]\d{6}$/.test(national)) return undefined;
  const parsed = parsePhoneNumberFromString(`+1${national}`);
  return parsed?.isPossible() ? national : undefined;
}

/** E.164 (+1XXXXXXXXXX) for a valid 10-digit NANP number. */
export const toE164 = (nanp10: string): string => `+1${nanp10}`;
