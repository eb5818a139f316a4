import { describe, expect, it } from 'vitest';
import { isConflict, retryOnConflict } from '../../src/db/conflicts.js';

const conflict = (code: string) => Object.assign(new Error(`conflict ${code}`), { code });

describe('retryOnConflict', () => {
  it('runs a statement chosen as a deadlock victim or failing serialisation again until it succeeds', async () => {
    const errors = [conflict('40P01'), conflict('40001')];
    let runs = 0;
    const result = await retryOnConflict(async () => {
      runs++;
      const error = errors.shift();
      if (error) throw error;
      return 'set';
    });
    expect(result).toBe('set');
    expect(runs).toBe(3);
  });

  it('throws any other error at once, and the last conflict after its tries', async () => {
    let runs = 0;
    await expect(
      retryOnConflict(async () => {
        runs++;
        throw conflict('23505');
      }),
    ).rejects.toThrow('conflict 23505');
    expect(runs).toBe(1);

    runs = 0;
    await expect(
      retryOnConflict(async () => {
        runs++;
        throw conflict('40P01');
      }, 3),
    ).rejects.toThrow('conflict 40P01');
    expect(runs).toBe(3);
  });

  it('tells a conflict from other errors and from values that are not errors', () => {
    expect(isConflict(conflict('40P01'))).toBe(true);
    expect(isConflict(conflict('40001'))).toBe(true);
    expect(isConflict(conflict('57014'))).toBe(false);
    expect(isConflict(new Error('no code'))).toBe(false);
    expect(isConflict(null)).toBe(false);
    expect(isConflict(undefined)).toBe(false);
  });
});
