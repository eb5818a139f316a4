import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { formatImportSummary, parseInventoryRow } from '../../src/modules/numbers/numbers.import.js';
import { toLikePattern } from '../../src/modules/numbers/numbers.service.js';

describe('toLikePattern', () => {
  it.each([
    ['801555*', '801555%'],
    ['*1234', '%1234'],
    ['*555*', '%555%'],
    ['80**55', '80%55'],
    ['8015550100', '8015550100'],
    ['*', '%'],
  ])('turns %s into %s', (pattern, like) => {
    expect(toLikePattern(pattern)).toBe(like);
  });

  it('refuses more than 10 digits', () => {
    try {
      toLikePattern('80155501001*');
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.message).toBe('pattern 80155501001* has more than 10 digits');
    }
  });
});

describe('parseInventoryRow', () => {
  const row = { number: '8015550100', rate_center: 'Salt Lake City', state: 'ut', ocn: 'ab12' };

  it('normalises a good row: 10-digit number, upper-case names', () => {
    expect(parseInventoryRow(row)).toEqual({
      ok: true,
      value: { number: '8015550100', rate_center: 'SALT LAKE CITY', state: 'UT', ocn: 'AB12' },
    });
  });

  it('accepts formatted and +1 numbers, and an empty ocn', () => {
    expect(parseInventoryRow({ ...row, number: '+1 (801) 555-0100', ocn: '' })).toMatchObject({
      ok: true,
      value: { number: '8015550100', ocn: '' },
    });
  });

  it('accepts Canadian provinces and US territories', () => {
    expect(parseInventoryRow({ ...row, state: 'ON' }).ok).toBe(true);
    expect(parseInventoryRow({ ...row, state: 'PR' }).ok).toBe(true);
  });

  it.each([
    ['a short number', { number: '801555' }, 'number "801555" is not a valid 10-digit number'],
    ['an N11 exchange', { number: '8011110100' }, 'number "8011110100" is not a valid 10-digit number'],
    ['a missing number', { number: undefined }, 'number "" is not a valid 10-digit number'],
    ['an empty rate center', { rate_center: ' ' }, 'rate_center is empty'],
    ['a long rate center', { rate_center: 'X'.repeat(65) }, 'rate_center is longer than 64 characters'],
    ['an unknown state', { state: 'XX' }, 'state "XX" is not a US state, US territory or Canadian province'],
    ['a bad ocn', { ocn: 'A-1' }, 'ocn "A-1" must be up to 8 letters or digits'],
  ])('rejects %s', (_, change, reason) => {
    expect(parseInventoryRow({ ...row, ...change })).toEqual({ ok: false, reason });
  });
});

describe('formatImportSummary', () => {
  it('prints the counts, then each invalid row with its line', () => {
    expect(
      formatImportSummary({
        rows: 5,
        inserted: 2,
        duplicates: 1,
        invalid: [
          { line: 3, reason: 'rate_center is empty' },
          { line: 6, reason: 'state "XX" is not a US state, US territory or Canadian province' },
        ],
      }),
    ).toBe(
      [
        '2 imported, 1 duplicates skipped, 2 invalid (5 rows read)',
        '  line 3: rate_center is empty',
        '  line 6: state "XX" is not a US state, US territory or Canadian province',
        '',
      ].join('\n'),
    );
  });
});
