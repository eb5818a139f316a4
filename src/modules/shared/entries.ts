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
    results.push(await applyEntry(db, entry, index + 1, apply, databaseMessages));
  }
  return results;
}

/** One entry of `applyEntries`, in its own transaction, answered as its V2 result. */
export function applyEntry<T>(
  db: Db,
  entry: T,
  entry_count: number,
  apply: (tx: Queryable, entry: T) => Promise<number | string>,
  databaseMessages: Partial<Record<string, string>> = {},
): Promise<EntryResult> {
  return entryResult(entry_count, () => db.transaction((tx) => apply(tx, entry)), databaseMessages);
}

/**
 * As `applyEntries`, for entries that open their own transactions: one that calls another
 * service between its statements (a carrier) must not hold a transaction while it waits.
 */
export async function applyEntriesOwnTransactions<T>(
  entries: readonly T[],
  apply: (entry: T) => Promise<number | string>,
): Promise<EntryResult[]> {
  const results: EntryResult[] = [];
  for (const [index, entry] of entries.entries())
    results.push(await entryResult(index + 1, () => apply(entry)));
  return results;
}

/** An entry's V2 result: `data` what `run` answers, or the reason it failed. */
async function entryResult(
  entry_count: number,
  run: () => Promise<number | string>,
  databaseMessages: Partial<Record<string, string>> = {},
): Promise<EntryResult> {
  try {
    return { result: 'success', data: await run(), entry_count };
  } catch (error) {
    return { result: 'error', data: entryErrorMessage(error, databaseMessages), entry_count };
  }
}

/** The reason a failed entry gives in `data`; rethrows what is not the entry's fault (a bug). */
export function entryErrorMessage(error: unknown, databaseMessages: Partial<Record<string, string>> = {}) {
  const appError = error instanceof AppError ? error : fromDatabaseError(error, databaseMessages);
  if (appError.status >= 500) throw error;
  return appError.message;
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
