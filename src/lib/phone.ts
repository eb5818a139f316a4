/** A NANP number: area code and exchange each start with 2-9 (the numbering plan's rule). */
const NANP10 = /^[2-9]\d{2}[2-9]\d{6}$/;

/**
 * V2 shows NANP numbers as 10 digits. Accepts "8015550123", 8015550123, "+1 (801) 555-0123" and
 * returns the 10-digit form, or undefined when it is not a valid NANP number.
 *
 * The numbering plan's pattern is the whole check: libphonenumber calls every 10-digit number
 * of that form with +1 possible (`test/unit/phone.test.ts` holds it to that), and its parse cost
 * about 7% of the carrier webhook's CPU, once for the caller and once for the tracking number.
 */
export function toNanp10(input: string | number): string | undefined {
  const digits = String(input).replace(/\D/g, '');
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  return NANP10.test(national) ? national : undefined;
}

/** E.164 (+1XXXXXXXXXX) for a valid 10-digit NANP number. */
export const toE164 = (nanp10: string): string => `+1${nanp10}`;
