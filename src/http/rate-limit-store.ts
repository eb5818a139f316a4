import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Queryable } from '../db/index.js';
import type { Clock } from '../lib/clock.js';
import { createGroupCommit } from '../lib/group-commit.js';
import { sha256 } from '../lib/secrets.js';

/**
 * @fastify/rate-limit's counters in the database (`rate_limit_counter`, migration 0028) instead of
 * each process's memory, so N processes allow the limit once, not N times. A fixed window per key:
 * the first request opens it for `timeWindow` ms, each request of the window adds one.
 *
 * Requests are counted in batches (createGroupCommit): one upsert adds every request that arrived
 * while the previous one ran, per key, and each request gets its own place in its key's count, in
 * the order the requests arrived. So a busy address costs one statement per batch, not per
 * request, and a client's requests pass the limit in the order they came.
 * $1 keys, $2 now, $3 each key's window in ms.
 */
const COUNT_SQL = `
with asked as (
  select key, max(window_ms) as window_ms, count(*)::integer as n
    from unnest($1::text[], $3::integer[]) as t(key, window_ms)
   group by key)
insert into rate_limit_counter as c (key, hits, window_ends_at)
select key, n, $2::timestamptz + window_ms * interval '1 millisecond' from asked
on conflict (key) do update
   set hits = case when c.window_ends_at <= $2 then excluded.hits else c.hits + excluded.hits end,
       window_ends_at = case when c.window_ends_at <= $2 then excluded.window_ends_at else c.window_ends_at end
returning key, hits, window_ends_at`;

const MAX_COUNTS_PER_STATEMENT = 1000;

/** The hourly job that deletes spent counters and forgotten login failures (app.ts). */
export const THROTTLE_RETENTION_JOB = 'throttle.retention';

interface Count {
  current: number;
  /** ms until the window ends */
  ttl: number;
}

/** The store class the plugin instantiates (`new Store(options)`, then `child()` per route). */
export function createRateLimitStore(db: Queryable, clock: Clock): FastifyRateLimitStoreCtor {
  const count = createGroupCommit<{ key: string; timeWindowMs: number }, Count>({
    max: MAX_COUNTS_PER_STATEMENT,
    async run(asked) {
      const now = clock.now();
      const { rows } = await db.query<{ key: string; hits: number; window_ends_at: Date }>(COUNT_SQL, [
        asked.map((item) => item.key),
        now,
        asked.map((item) => item.timeWindowMs),
      ]);
      const counted = new Map(rows.map((row) => [row.key, row]));
      const askedOf = new Map<string, number>();
      for (const { key } of asked) askedOf.set(key, (askedOf.get(key) ?? 0) + 1);
      const placed = new Map<string, number>();
      return asked.map(({ key }) => {
        const row = counted.get(key) as { hits: number; window_ends_at: Date };
        const before = placed.get(key) ?? 0;
        placed.set(key, before + 1);
        return {
          current: row.hits - (askedOf.get(key) as number) + before + 1,
          ttl: Math.max(0, row.window_ends_at.getTime() - now.getTime()),
        };
      });
    },
  });

  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    /** the route a child counts for (`POST /oauth/token `); the root store counts for no route */
    private readonly route: string;

    constructor(_options: unknown, route = '') {
      this.route = route;
    }

    incr(key: string, callback: (error: Error | null, result?: Count) => void, timeWindowMs = 60_000): void {
      // hashed: a client address from a trusted X-Forwarded-For can be any text, of any length
      count({ key: sha256(`${this.route}${key}`), timeWindowMs }).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }

    child(options: unknown): FastifyRateLimitStore {
      const route = (options as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo;
      return new DatabaseRateLimitStore(
        options,
        `${String(route?.method ?? '')} ${String(route?.url ?? '')} `,
      );
    }
  }
  return DatabaseRateLimitStore;
}

/** Deletes the counters whose window ended before `before`. */
export async function pruneRateLimitCounters(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query('delete from rate_limit_counter where window_ends_at < $1', [before]);
  return rowCount;
}
