import { isTransactionConflict } from '../errors.js';

/** A statement rolled back because of other transactions (errors.ts sorts the SQLSTATEs). */
export const isConflict = isTransactionConflict;

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
