import type { Db } from '../../db/index.js';
import { invalidInput } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { type BlacklistRow, blacklistFilterFields, createBlacklistRepo } from './blacklist.repo.js';

export function createBlacklistService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createBlacklistRepo(db);
  return {
    /** V2 answers an empty result with the string "No record found.", not an empty list. */
    async list(principal: Principal, query: ListQuery): Promise<BlacklistRow[] | 'No record found.'> {
      const rows = await repo.list(principal.groupId, toPage(query, blacklistFilterFields, 3));
      return rows.length === 0 ? 'No record found.' : rows;
    },

    add(principal: Principal, number: number): Promise<BlacklistRow> {
      return repo.add(principal.groupId, number, principal.userId, clock.now());
    },

    /**
     * All or nothing: any number that is not blacklisted where the caller may lift it (its group
     * and below) fails the request.
     */
    remove(principal: Principal, numbers: readonly number[]): Promise<number[]> {
      const wanted = [...new Set(numbers)];
      return db.transaction(async (tx) => {
        const deleted = new Set(await createBlacklistRepo(tx).remove(principal.groupId, wanted));
        const missing = wanted.filter((number) => !deleted.has(number));
        if (missing.length > 0)
          throw invalidInput('Invalid number(s)', { err: [`Invalid number(s) : ${missing.join(', ')}`] });
        return wanted;
      });
    },
  };
}

export type BlacklistService = ReturnType<typeof createBlacklistService>;
