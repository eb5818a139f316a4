import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { toE164, toNanp10 } from '../../src/lib/phone.js';

const digit = (from: number) => fc.integer({ min: from, max: 9 }).map(String);
/** any 10 digits, the numbering plan's shape or not */
const tenDigits = fc.array(digit(0), { minLength: 10, maxLength: 10 }).map((d) => d.join(''));
/** 10 digits in the numbering plan's shape: NXX-NXX-XXXX */
const nanpShaped = fc
  .tuple(digit(2), digit(0), digit(0), digit(2), fc.array(digit(0), { minLength: 6, maxLength: 6 }))
  .map(([a, b, c, d, rest]) => `${a}${b}${c}${d}${rest.join('')}`);

describe('toNanp10', () => {
  it('accepts the ways V2 clients write a number', () => {
    for (const input of [
      '8015550123',
      8015550123,
      '+18015550123',
      '18015550123',
      '+1 (801) 555-0123',
      ' 801.555.0123 ',
    ])
      expect(toNanp10(input)).toBe('8015550123');
  });

  it('refuses what is not a NANP number', () => {
    for (const input of [
      '',
      'anonymous',
      '+442079460000',
      '0015550123',
      '8011550123',
      '801555012',
      '280155501234',
    ])
      expect(toNanp10(input)).toBeUndefined();
  });

  it('needs no more than the pattern: libphonenumber calls every number of that shape possible', () => {
    fc.assert(
      fc.property(nanpShaped, (digits) => {
        expect(parsePhoneNumberFromString(`+1${digits}`)?.isPossible()).toBe(true);
        expect(toNanp10(`+1${digits}`)).toBe(digits);
      }),
      { numRuns: 5_000 },
    );
  });

  it('refuses every 10 digits whose area code or exchange starts with 0 or 1', () => {
    fc.assert(
      fc.property(tenDigits, (digits) => {
        expect(toNanp10(digits)).toBe(/^[2-9]\d{2}[2-9]/.test(digits) ? digits : undefined);
      }),
      { numRuns: 5_000 },
    );
  });

  it('writes E.164', () => {
    expect(toE164('8015550123')).toBe('+18015550123');
  });
});
