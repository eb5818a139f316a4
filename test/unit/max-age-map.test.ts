import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createMaxAgeMap } from '../../src/lib/max-age-map.js';

describe('createMaxAgeMap', () => {
  it('answers a stored value until it is older than maxAgeMs', async () => {
    const memory = createMaxAgeMap<string, number>({ maxAgeMs: 30 });
    memory.set('a', 1);
    expect(memory.get('a')).toBe(1);
    await sleep(40);
    expect(memory.get('a')).toBeUndefined();
    expect(memory.size).toBe(0);
  });

  it('drops the answer of a load that started before a clear', () => {
    const memory = createMaxAgeMap<string, number>({ maxAgeMs: 60_000 });
    const before = memory.epoch();
    memory.clear(); // a NOTIFY arrived while the load ran
    memory.set('a', 1, before);
    expect(memory.get('a')).toBeUndefined();
    memory.set('a', 2, memory.epoch());
    expect(memory.get('a')).toBe(2);
  });

  it('forgets only the entries deleteWhere picks, and voids loads in flight', () => {
    const memory = createMaxAgeMap<string, { user: number }>({ maxAgeMs: 60_000 });
    memory.set('t1', { user: 1 });
    memory.set('t2', { user: 2 });
    const before = memory.epoch();
    memory.deleteWhere((value) => value.user === 1);
    expect(memory.get('t1')).toBeUndefined();
    expect(memory.get('t2')).toEqual({ user: 2 });
    memory.set('t3', { user: 3 }, before);
    expect(memory.get('t3')).toBeUndefined();
  });

  it('keeps at most maxEntries, letting the oldest go', () => {
    const memory = createMaxAgeMap<string, number>({ maxAgeMs: 60_000, maxEntries: 2 });
    memory.set('a', 1);
    memory.set('b', 2);
    memory.set('b', 3); // a key already kept takes no room
    expect(memory.get('a')).toBe(1);
    memory.set('c', 4);
    expect(memory.get('a')).toBeUndefined();
    expect([memory.get('b'), memory.get('c'), memory.size]).toEqual([3, 4, 2]);
  });
});
