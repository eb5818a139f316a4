import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spamBurstLimit, spamScore } from '../../src/routing/spam.js';

const verstats = fc.constantFrom(
  undefined,
  'TN-Validation-Passed-A',
  'TN-Validation-Passed-B',
  'TN-Validation-Passed-C',
  'TN-Validation-Failed-A',
  'No-TN-Validation',
);

describe('spamBurstLimit', () => {
  it('is the fewest recent calls at which spamScore reaches the threshold, for any count', () => {
    fc.assert(
      fc.property(
        verstats,
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 1000 }),
        (v, t, n) => {
          const limit = spamBurstLimit(v, t);
          const isSpam = spamScore({ stirVerstat: v, recentCalls: n }) >= t;
          expect(isSpam).toBe(limit !== undefined && n >= limit);
        },
      ),
    );
  });

  it('knows the burst steps', () => {
    expect(spamBurstLimit('TN-Validation-Passed-A', 40)).toBe(5);
    expect(spamBurstLimit('TN-Validation-Passed-A', 20)).toBe(3);
    expect(spamBurstLimit('TN-Validation-Failed-A', 80)).toBe(0);
    expect(spamBurstLimit('TN-Validation-Passed-A', 41)).toBeUndefined();
  });
});
