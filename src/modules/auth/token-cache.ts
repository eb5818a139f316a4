import type { Principal } from './principal.js';

/**
 * How long a verified access token is trusted without asking the database. Changes made through
 * this process evict at once; changes from other processes arrive by NOTIFY (`access_revoked`),
 * and this age limit bounds the delay when a notification is lost with the LISTEN connection.
 */
export const TOKEN_CACHE_MAX_AGE_MS = 5_000;
export const TOKEN_CACHE_MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  /** the token's own expiry, on the injected clock: never accepted past it */
  expiresAtMs: number;
  /** when it was verified, on the monotonic clock: the cache's age limit */
  verifiedAt: number;
}

/**
 * Verified access tokens by hash, per process. Eviction bumps an epoch so that a look-up that
 * started before it (and may have read the old row) is not cached after it.
 */
export function createTokenCache({
  maxAgeMs = TOKEN_CACHE_MAX_AGE_MS,
  maxEntries = TOKEN_CACHE_MAX_ENTRIES,
}: {
  maxAgeMs?: number;
  maxEntries?: number;
} = {}) {
  const byHash = new Map<string, Entry>();
  let epoch = 0;

  return {
    /** The cached principal, or undefined when absent, too old or the token has expired. */
    get(tokenHash: string, nowMs: number): Principal | undefined {
      const entry = byHash.get(tokenHash);
      if (!entry) return undefined;
      if (nowMs >= entry.expiresAtMs || performance.now() - entry.verifiedAt >= maxAgeMs) {
        byHash.delete(tokenHash);
        return undefined;
      }
      return entry.principal;
    },

    /** The epoch to pass to `set` once the database has answered. */
    epoch: () => epoch,

    set(tokenHash: string, principal: Principal, expiresAtMs: number, startedAtEpoch: number): void {
      if (startedAtEpoch !== epoch) return;
      if (byHash.size >= maxEntries && !byHash.has(tokenHash)) {
        const oldest = byHash.keys().next();
        if (!oldest.done) byHash.delete(oldest.value);
      }
      byHash.set(tokenHash, { principal, expiresAtMs, verifiedAt: performance.now() });
    },

    /** Forgets every token of a user (deactivated, moved, role changed, tokens revoked). */
    forgetUser(userId: number): void {
      epoch += 1;
      for (const [hash, entry] of byHash) if (entry.principal.userId === userId) byHash.delete(hash);
    },

    clear(): void {
      epoch += 1;
      byHash.clear();
    },

    get size(): number {
      return byHash.size;
    },
  };
}

export type TokenCache = ReturnType<typeof createTokenCache>;
