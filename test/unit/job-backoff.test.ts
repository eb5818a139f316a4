import { describe, expect, it } from 'vitest';
import { exponentialBackoffMs } from '../../src/jobs/queue.js';

describe('exponentialBackoffMs', () => {
  it('doubles from one second and caps at one hour, half fixed and half jitter', () => {
    const lowest = (attempt: number) => exponentialBackoffMs(attempt, () => 0);
    const highest = (attempt: number) => exponentialBackoffMs(attempt, () => 1);
    expect([1, 2, 3, 4, 5].map(highest)).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect([1, 2, 3, 4, 5].map(lowest)).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(highest(13)).toBe(3_600_000);
    expect(highest(200)).toBe(3_600_000);
    expect(lowest(200)).toBe(1_800_000);
  });

  it('retries a failing delivery for more than 24 hours within about 40 attempts', () => {
    let elapsed = 0;
    let attempts = 0;
    while (elapsed < 24 * 3_600_000) elapsed += exponentialBackoffMs(++attempts, () => 0.5);
    expect(attempts).toBeLessThan(45);
  });
});
