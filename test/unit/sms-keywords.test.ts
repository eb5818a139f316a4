import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HELP_KEYWORDS,
  keywordOf,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
} from '../../src/modules/sms/sms-keywords.js';

const ALL = [...OPT_OUT_KEYWORDS, ...OPT_IN_KEYWORDS, ...HELP_KEYWORDS];
/** White space a phone may put around a word: spaces, tabs, new lines, no-break and wide spaces. */
const space = fc.array(fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u3000', '\u2003'), {
  maxLength: 4,
});
/** The word in any mix of cases. */
const anyCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

describe('keywordOf', () => {
  it('reads every keyword in any case with any surrounding white space', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL).chain((word) => fc.tuple(fc.constant(word), anyCase(word), space, space)),
        ([word, cased, before, after]) => {
          const kind = (OPT_OUT_KEYWORDS as readonly string[]).includes(word)
            ? 'opt_out'
            : (OPT_IN_KEYWORDS as readonly string[]).includes(word)
              ? 'opt_in'
              : 'help';
          expect(keywordOf(before.join('') + cased + after.join(''))).toEqual({ kind, keyword: word });
        },
      ),
    );
  });

  it('reads a keyword with anything else in the message as a message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL),
        fc.string({ minLength: 1 }).filter((extra) => /[^\s]/u.test(extra)),
        fc.boolean(),
        (word, extra, before) => {
          const body = before ? `${extra} ${word}` : `${word} ${extra}`;
          expect(keywordOf(body)).toBeUndefined();
        },
      ),
    );
  });

  it('never reads a message that is not exactly a keyword as one', () => {
    fc.assert(
      fc.property(fc.string(), (body) => {
        const result = keywordOf(body);
        if (result) expect(body.trim().toUpperCase()).toBe(result.keyword);
      }),
    );
  });

  it('does not read look-alike letters that upper-case into a keyword', () => {
    // 'ſ' (long s) upper-cases to 'S', 'ı' (dotless i) to 'I'
    expect(keywordOf('ſtop')).toBeUndefined();
    expect(keywordOf('quıt')).toBeUndefined();
    expect(keywordOf('STOP!')).toBeUndefined();
    expect(keywordOf('S T O P')).toBeUndefined();
    expect(keywordOf('')).toBeUndefined();
  });
});
