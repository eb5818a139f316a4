import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  passesLuhn,
  REDACTED_BANK,
  REDACTED_CARD,
  REDACTED_SSN,
  redact,
} from '../../src/modules/transcripts/redaction.js';

/** Words with no digit in them and none that is spoken as a digit. */
const WORDS = [
  'please',
  'my',
  'number',
  'is',
  'thanks',
  'the',
  'card',
  'yes',
  'okay',
  'sure',
  'for',
  'a',
  'roof',
];
const words = fc.array(fc.constantFrom(...WORDS), { maxLength: 8 }).map((list) => list.join(' '));

/** A number of `length` digits whose last digit makes it pass the Luhn check. */
const luhnNumber = (length: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length - 1, maxLength: length - 1 }).map((digits) => {
    const body = digits.join('');
    for (let check = 0; check <= 9; check++) if (passesLuhn(body + check)) return body + check;
    throw new Error('unreachable');
  });

const SPOKEN = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** The digits as a speaker (or a transcriber) might write them: grouped, separated, or spoken. */
const written = (digits: string) =>
  fc.oneof(
    fc.constant(digits),
    fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.constantFrom(' ', '-', '.', ', ', ' - '))
      .map(([size, separator]) => digits.match(new RegExp(`.{1,${size}}`, 'g'))?.join(separator) ?? digits),
    fc.constant([...digits].map((digit) => SPOKEN[Number(digit)]).join(' ')),
  );

const withoutDigits = (text: string) => !/\d/.test(text);

/**
 * The digits said as people say them: each digit spoken ("oh" or "zero" for 0), a digit said two
 * or three times in a row as "double four" / "triple seven" (or "double 4"), and short fillers
 * ("um", "uh", "er", "hmm") with commas between some of them.
 */
const spokenNaturally = (digits: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: digits.length, maxLength: digits.length }),
      fc.array(fc.constantFrom(' ', ' ', ', ', ', um, ', ' uh ', ' er, ', ' hmm ', '... umm ', ' - '), {
        minLength: digits.length,
        maxLength: digits.length,
      }),
      fc.array(fc.constantFrom('word', 'digit'), { minLength: digits.length, maxLength: digits.length }),
    )
    .map(([compress, gaps, forms]) => {
      const parts: string[] = [];
      let i = 0;
      while (i < digits.length) {
        const digit = digits[i] as string;
        let times = 1;
        while (times < 3 && digits[i + times] === digit) times++;
        const word = digit === '0' && compress[i] ? 'oh' : (SPOKEN[Number(digit)] as string);
        if (times > 1 && compress[i]) {
          parts.push(`${times === 2 ? 'double' : 'triple'} ${forms[i] === 'digit' ? digit : word}`);
          i += times;
        } else {
          parts.push(word);
          i += 1;
        }
      }
      return parts.map((part, index) => (index === 0 ? part : `${gaps[index]}${part}`)).join('');
    });

describe('redaction of transcripts', () => {
  it('passes the Luhn check of known card numbers and fails a changed digit', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('5500005555555559')).toBe(true);
    expect(passesLuhn('378282246310005')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
  });

  it('redacts every Luhn-valid 13-19 digit number however it is written', () => {
    fc.assert(
      fc.property(
        words,
        fc.integer({ min: 13, max: 19 }).chain((length) => luhnNumber(length).chain(written)),
        words,
        (before, card, after) => {
          const out = redact(`${before} ${card} ${after}`);
          expect(out).toContain(REDACTED_CARD);
          expect(withoutDigits(out)).toBe(true);
          for (const word of SPOKEN) expect(out).not.toMatch(new RegExp(`\\b${word}\\b`));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('redacts a card number said with "double"/"triple", "oh" for zero and fillers between the digits', () => {
    fc.assert(
      fc.property(
        words,
        fc.integer({ min: 13, max: 19 }).chain((length) => luhnNumber(length).chain(spokenNaturally)),
        words,
        (before, card, after) => {
          const out = redact(`${before} ${card}. ${after}`);
          expect(out).toBe(`${before} ${REDACTED_CARD}. ${after}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('redacts an SSN or a bank number said with "double"/"triple" and fillers', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/).chain(spokenNaturally), (ssn) => {
        expect(redact(`my social security number is ${ssn}.`)).toBe(
          `my social security number is ${REDACTED_SSN}.`,
        );
      }),
    );
    fc.assert(
      fc.property(
        fc
          .integer({ min: 6, max: 12 })
          .chain((length) => fc.stringMatching(new RegExp(`^[1-9]\\d{${length - 1}}$`)))
          .chain(spokenNaturally),
        (number) => {
          expect(redact(`the account number is ${number}. thanks`)).toBe(
            `the account number is ${REDACTED_BANK}. thanks`,
          );
        },
      ),
    );
  });

  it('reads "double four", "triple seven", "oh" and fillers as digits of one number', () => {
    expect(redact('four one one one, um, one one one one, uh, one one one one, one one one one')).toBe(
      REDACTED_CARD,
    );
    expect(redact('it is four triple one, double one double one, er, triple one one, triple one 1')).toBe(
      `it is ${REDACTED_CARD}`,
    );
    expect(redact('my social is one two three, um, four five, six seven eight nine')).toBe(
      `my social is ${REDACTED_SSN}`,
    );
    expect(redact('routing number oh two one, oh oh oh double oh two one')).toBe(
      `routing number ${REDACTED_BANK}`,
    );
    // too few digits, or no number: kept as said
    expect(redact('James Bond, double oh seven, um, licensed')).toBe(
      'James Bond, double oh seven, um, licensed',
    );
    expect(redact('I double checked, um, the triple play offer')).toBe(
      'I double checked, um, the triple play offer',
    );
    expect(redact('room four oh one, um, then two')).toBe('room four oh one, um, then two');
  });

  it('redacts a social security number written 3-2-4, or any 9 digits after "social security"', () => {
    const nineDigits = fc.stringMatching(/^\d{9}$/);
    fc.assert(
      fc.property(words, nineDigits, fc.constantFrom('-', ' '), words, (before, ssn, separator, after) => {
        const shaped = `${ssn.slice(0, 3)}${separator}${ssn.slice(3, 5)}${separator}${ssn.slice(5)}`;
        expect(redact(`${before} ${shaped} ${after}`)).toBe(`${before} ${REDACTED_SSN} ${after}`);
      }),
    );
    fc.assert(
      fc.property(nineDigits.chain(written), (ssn) => {
        const out = redact(`my social security number is ${ssn}.`);
        // a 9-digit number is never a card number, so it is the SSN rule that took it
        expect(out).toBe(`my social security number is ${REDACTED_SSN}.`);
      }),
    );
  });

  it('redacts 6-17 digits said after a bank word', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('account', 'routing', 'checking account', 'savings', 'bank account'),
        fc
          .integer({ min: 6, max: 12 })
          .chain((length) => fc.stringMatching(new RegExp(`^[1-9]\\d{${length - 1}}$`))),
        (word, number) => {
          fc.pre(!(number.length >= 13 && passesLuhn(number)));
          const out = redact(`the ${word} number is ${number} thanks`);
          expect(out).toBe(`the ${word} number is ${REDACTED_BANK} thanks`);
        },
      ),
    );
  });

  it('keeps text with no long digit run, phone numbers, prices and dates as they are', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        fc.pre(
          !/\d{6}/.test(text.replace(/[^\d]/g, '')) &&
            !/\b(zero|oh|one|two|three|four|five|six|seven|eight|nine)\b/i.test(text),
        );
        expect(redact(text)).toBe(text);
      }),
    );
    for (const text of [
      'Call me back at 480-555-0199 please.',
      'It costs $1,250.00 for the whole roof.',
      'Come on 12/25/2026 at 10:30.',
      'The ZIP is 85004.',
      'No one wants two of them.',
    ])
      expect(redact(text)).toBe(text);
  });

  it('is idempotent: a redacted transcript stays as it is', () => {
    fc.assert(
      fc.property(words, luhnNumber(16).chain(written), words, (before, card, after) => {
        const once = redact(`${before} ${card} ${after}`);
        expect(redact(once)).toBe(once);
      }),
    );
  });

  it('redacts a card number beside other numbers in one utterance', () => {
    expect(redact('call 4805550199 about card 4111 1111 1111 1111 today')).toBe(
      `call 4805550199 about card ${REDACTED_CARD} today`,
    );
    expect(redact('it is 4111-1111-1111-1111, expiry 12/28')).toBe(`it is ${REDACTED_CARD}, expiry 12/28`);
  });

  it('keeps a 13-19 digit number that fails the Luhn check when no bank word is before it', () => {
    fc.assert(
      fc.property(
        words,
        fc.integer({ min: 13, max: 19 }).chain((length) => fc.stringMatching(new RegExp(`^\\d{${length}}$`))),
        (before, number) => {
          // no stretch of 13 or more of its digits passes the check (a shorter card inside a longer run would)
          for (let from = 0; from < number.length; from++)
            for (let to = from + 13; to <= number.length; to++) fc.pre(!passesLuhn(number.slice(from, to)));
          fc.pre(!/(social|security|ssn|account|routing|bank|checking|savings|iban)/i.test(before));
          const text = `${before} ${number}`.trim();
          // 9 digits written 3-2-4 are an SSN; a bare run of 13+ is not
          expect(redact(text)).toBe(text);
        },
      ),
    );
    expect(redact('4111 1111 1111 1112')).toBe('4111 1111 1111 1112');
  });

  it('reads spoken digits in any case, hyphenated or with commas, and separators such as slashes', () => {
    expect(redact('Four One One One, one one one one, one one one one, one one one one.')).toBe(
      `${REDACTED_CARD}.`,
    );
    expect(redact('Four-one-one-one one-one-one-one one-one-one-one one-one-one-one')).toBe(REDACTED_CARD);
    expect(redact('4111/1111/1111/1111')).toBe(REDACTED_CARD);
    expect(redact('four one one one 1111 one one one one 1111')).toBe(REDACTED_CARD);
    expect(redact('account number four five six seven eight nine')).toBe(`account number ${REDACTED_BANK}`);
    expect(redact('social is one two three four five six seven eight nine')).toBe(
      `social is ${REDACTED_SSN}`,
    );
  });

  it('redacts the card and keeps the digits said after it (an expiry, a security code) outside the number', () => {
    expect(redact('card 4111 1111 1111 1111 expires 12 28')).toBe(`card ${REDACTED_CARD} expires 12 28`);
    expect(redact('card 4111 1111 1111 1111 12 28')).toBe(`card ${REDACTED_CARD} 12 28`);
    expect(redact('the card is 4111 1111 1111 1111 and the code is 123')).toBe(
      `the card is ${REDACTED_CARD} and the code is 123`,
    );
  });

  it('redacts utterance by utterance: a card number split over two utterances is kept (the documented limit)', () => {
    // each half is too short to be a card on its own; docs/analytics.md says so
    expect(['my card is 4111 1111', '1111 1111'].map(redact)).toEqual(['my card is 4111 1111', '1111 1111']);
    // a part long enough on its own is redacted where it is
    const [first] = ['my card is 4111 1111 1111 1111', 'thanks'].map(redact);
    expect(first).toBe(`my card is ${REDACTED_CARD}`);
  });
});
