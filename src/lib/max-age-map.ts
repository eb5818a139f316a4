/**
 * A process's memory of values read from the database, by key: each is trusted for `maxAgeMs`
 * after it was stored (on the monotonic clock), at most `maxEntries` are kept (past that the
 * oldest goes), and a change announced by NOTIFY empties it (`clear`) or the entries it concerns
 * (`deleteWhere`). The age limit bounds how long a change can go unseen when its notification is
 * lost with the LISTEN connection.
 *
 * A load that started before a change may have read the old row: pass `set` the `epoch()` read
 * before the load, and its answer is dropped when a change came in meanwhile.
 *
 *   const epoch = memory.epoch();
 *   const value = await load(key);
 *   memory.set(key, value, epoch);
 */
export interface MaxAgeMapOptions {
  maxAgeMs: number;
  maxEntries?: number;
}

export function createMaxAgeMap<K, V>({ maxAgeMs, maxEntries = Number.POSITIVE_INFINITY }: MaxAgeMapOptions) {
  const entries = new Map<K, { value: V; storedAt: number }>();
  let epoch = 0;

  return {
    /** The value, or undefined when absent or older than maxAgeMs. */
    get(key: K): V | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (performance.now() - entry.storedAt >= maxAgeMs) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },

    /** The epoch to pass to `set` once the load has answered. */
    epoch: (): number => epoch,

    /** Stores a value, unless something was cleared since `startedAtEpoch`. */
    set(key: K, value: V, startedAtEpoch = epoch): void {
      if (startedAtEpoch !== epoch) return;
      if (entries.size >= maxEntries && !entries.has(key)) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, { value, storedAt: performance.now() });
    },

    delete(key: K): void {
      entries.delete(key);
    },

    /** Forgets the entries that `concerned` picks, and voids the loads in flight. */
    deleteWhere(concerned: (value: V, key: K) => boolean): void {
      epoch += 1;
      for (const [key, entry] of entries) if (concerned(entry.value, key)) entries.delete(key);
    },

    /** Forgets everything, and voids the loads in flight. */
    clear(): void {
      epoch += 1;
      entries.clear();
    },

    get size(): number {
      return entries.size;
    },
  };
}

export type MaxAgeMap<K, V> = ReturnType<typeof createMaxAgeMap<K, V>>;
