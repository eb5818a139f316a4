import type { Db, Queryable } from '../../db/index.js';
import { AppError, fromDatabaseError } from '../../errors.js';

/** One element of V2's per-entry reply: `{result, data, entry_count}`. */
export interface EntryResult {
  result: 'success' | 'error';
  data: number | string;
  entry_count: number;
}

/**
 * Applies each entry of a bulk write in its own transaction: a bad entry leaves nothing behind
 * and does not stop the others. Business errors become `result:"error"` entries with the reason
 * in `data`; anything unexpected still fails the request (it is a bug, not bad input).
 */
export async function applyEntries<T>(
  db: Db,
  entries: readonly T[],
  apply: (tx: Queryable, entry: T) => Promise<number | string>,
  databaseMessages: Partial<Record<string, string>> = {},
): Promise<EntryResult[]> {
  const results: EntryResult[] = [];
  for (const [index, entry] of entries.entries()) {
    const entry_count = index + 1;
    try {
      const data = await db.transaction((tx) => apply(tx, entry));
      results.push({ result: 'success', data, entry_count });
    } catch (error) {
      const appError = error instanceof AppError ? error : fromDatabaseError(error, databaseMessages);
      if (appError.status >= 500) throw error;
      results.push({ result: 'error', data: appError.message, entry_count });
    }
  }
  return results;
}

/** V2's nested reply (POST /v2/group): the per-entry results inside an envelope. */
export function nestedResults(results: EntryResult[]) {
  const failed = results.filter((r) => r.result === 'error').length;
  return {
    result: failed === 0 ? ('success' as const) : ('error' as const),
    err: failed === 0 ? null : `${failed} of ${results.length} entries failed`,
    data: results,
  };
}
