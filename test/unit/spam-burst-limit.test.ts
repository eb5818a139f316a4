import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SPAM_THRESHOLD,
  effectiveSpamThreshold,
  isSpam,
  MIN_SPAM_THRESHOLD,
  spamBurstLimit,
  spamScore,
  spamSettingsReason,
} from '../../src/routing/spam.js';

const verstats = fc.constantFrom(
  undefined,
  'TN-Validation-Passed-A',
  'TN-Validation-Passed-B',
  'TN-Validation-Passed-C',
  'TN-Validation-Failed-A',
  'No-TN-Validation',
);

describe('spamBurstLimit', () => {
  it('is the fewest recent calls at which the filter calls a caller spam, for any count', () => {
    fc.assert(
      fc.property(
        verstats,
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 1000 }),
        (v, t, n) => {
          const limit = spamBurstLimit(v, t);
          expect(isSpam({ stirVerstat: v, recentCalls: n }, t)).toBe(limit !== undefined && n >= limit);
        },
      ),
    );
  });

  it('knows the burst steps', () => {
    expect(spamBurstLimit('TN-Validation-Passed-B', 60)).toBe(5);
    expect(spamBurstLimit('TN-Validation-Passed-B', 40)).toBe(3);
    expect(spamBurstLimit('TN-Validation-Failed-A', 80)).toBe(0);
    expect(spamBurstLimit('TN-Validation-Passed-B', 61)).toBeUndefined();
  });

  // Changed by issue 16: attestation A used to be spam from a burst of calls (40 at 5 calls).
  it('never finds a caller with attestation A spam, at any threshold or burst', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 1000 }), (t, n) => {
        expect(isSpam({ stirVerstat: 'TN-Validation-Passed-A', recentCalls: n }, t)).toBe(false);
        expect(spamBurstLimit('TN-Validation-Passed-A', t)).toBeUndefined();
      }),
    );
  });
});

describe('spam threshold rules', () => {
  it.each([
    [undefined, DEFAULT_SPAM_THRESHOLD],
    [null, DEFAULT_SPAM_THRESHOLD],
    [0, DEFAULT_SPAM_THRESHOLD],
    [55, 55],
  ])('applies %s as %s', (stored, applied) => {
    expect(effectiveSpamThreshold(stored)).toBe(applied);
  });

  it('refuses, when the filter is on, a threshold every caller without attestation A reaches', () => {
    const unsigned = spamScore({ stirVerstat: undefined, recentCalls: 0 });
    expect(MIN_SPAM_THRESHOLD).toBe(unsigned + 1);
    expect(spamSettingsReason({ spam_filter_enabled: true, spam_threshold: unsigned })).toMatch(
      /^spam_threshold 20 would reject every caller without full \(A\) attestation; use 21 to 100/,
    );
    expect(
      spamSettingsReason({ spam_filter_enabled: true, spam_threshold: MIN_SPAM_THRESHOLD }),
    ).toBeUndefined();
    expect(spamSettingsReason({ spam_filter_enabled: true, spam_threshold: 0 })).toBeUndefined();
    expect(spamSettingsReason({ spam_filter_enabled: false, spam_threshold: 5 })).toBeUndefined();
  });
});
