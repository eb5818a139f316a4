/**
 * PostgreSQL's errors for a statement rolled back because of other transactions, not because of
 * anything wrong with it: it chose the statement as a deadlock victim (40P01), or a serialisable
 * transaction could not be ordered (40001). The same statement run again succeeds.
 */
const CONFLICT_CODES = new Set(['40P01', '40001']);

export function isConflict(error: unknown): boolean {
  return CONFLICT_CODES.has((error as { code?: unknown } | null)?.code as string);
}

/**
 * Runs `statement` again when it failed with a conflict (isConflict), up to `tries` times in all;
 * other errors, and the last conflict, are thrown. Only for a statement that may run twice.
 */
export async function retryOnConflict<T>(statement: () => Promise<T>, tries = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if (attempt >= tries || !isConflict(error)) throw error;
    }
  }
}
