import { createMaxAgeMap } from '../../lib/max-age-map.js';
import type { Principal } from './principal.js';

/**
 * How long a verified access token is trusted without asking the database. Changes made through
 * this process evict at once; changes from other processes arrive by NOTIFY (`access_revoked`),
 * and this age limit bounds the delay when a notification is lost with the LISTEN connection.
 */
export const TOKEN_CACHE_MAX_AGE_MS = 5_000;
export const TOKEN_CACHE_MAX_ENTRIES = 10_000;

/**
 * Verified access tokens by hash, per process (a max-age map). Eviction bumps its epoch so that
 * a look-up that started before it (and may have read the old row) is not cached after it.
 */
export function createTokenCache({
  maxAgeMs = TOKEN_CACHE_MAX_AGE_MS,
  maxEntries = TOKEN_CACHE_MAX_ENTRIES,
}: {
  maxAgeMs?: number;
  maxEntries?: number;
} = {}) {
  /** each token's principal and its own expiry, on the injected clock: never accepted past it */
  const byHash = createMaxAgeMap<string, { principal: Principal; expiresAtMs: number }>({
    maxAgeMs,
    maxEntries,
  });

  return {
    /** The cached principal, or undefined when absent, too old or the token has expired. */
    get(tokenHash: string, nowMs: number): Principal | undefined {
      const entry = byHash.get(tokenHash);
      if (entry && nowMs >= entry.expiresAtMs) {
        byHash.delete(tokenHash);
        return undefined;
      }
      return entry?.principal;
    },

    /** The epoch to pass to `set` once the database has answered. */
    epoch: () => byHash.epoch(),

    set(tokenHash: string, principal: Principal, expiresAtMs: number, startedAtEpoch: number): void {
      byHash.set(tokenHash, { principal, expiresAtMs }, startedAtEpoch);
    },

    /** Forgets every token of a user (deactivated, moved, role changed, tokens revoked). */
    forgetUser(userId: number): void {
      byHash.deleteWhere((entry) => entry.principal.userId === userId);
    },

    clear(): void {
      byHash.clear();
    },

    get size(): number {
      return byHash.size;
    },
  };
}

export type TokenCache = ReturnType<typeof createTokenCache>;
