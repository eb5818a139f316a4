import type { Db, Queryable } from '../../db/index.js';
import { invalidInput } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { toNanp10 } from '../../lib/phone.js';
import type { Principal } from '../auth/principal.js';
import { applyEntries, type EntryResult } from '../shared/entries.js';
import { type ListQuery, toPage } from '../shared/list.js';
import type { PlanLimits } from '../subscriptions/subscriptions.service.js';
import {
  createNumbersRepo,
  type InventoryRow,
  numberFilterFields,
  type ReservedRow,
  reservedFilterFields,
} from './numbers.repo.js';
import type { AvailableNumber, NumberSearchQuery, ReservedNumber, ReserveEntry } from './numbers.schemas.js';

/** `801555*` -> `801555%`: the pattern only holds digits and `*`, so nothing needs escaping. */
export function toLikePattern(pattern: string): string {
  const digits = pattern.replace(/\*/g, '').length;
  if (digits > 10) throw invalidInput(`pattern ${pattern} has more than 10 digits`);
  return pattern.replace(/\*+/g, '%');
}

const toWire = (row: InventoryRow): AvailableNumber => ({
  phone_number_id: row.phone_number_id,
  number: Number(row.number),
  npa: row.npa,
  nxx: row.nxx,
  rate_center: row.rate_center,
  state: row.state,
  ocn: row.ocn,
  source: row.source,
});

export function createNumbersService({ db, clock, limits }: { db: Db; clock: Clock; limits?: PlanLimits }) {
  const repo = createNumbersRepo(db);

  async function reserveEntry(tx: Queryable, principal: Principal, entry: ReserveEntry): Promise<number> {
    const number = toNanp10(entry.number);
    if (number === undefined) throw invalidInput(`number ${entry.number} is not a valid 10-digit number`);
    // the plan's number limit (subscriptions): refused before the number is taken
    await limits?.check(tx, principal.groupId, 'numbers');
    const txRepo = createNumbersRepo(tx);
    const reserved = await txRepo.reserve({
      number,
      source: entry.source ?? null,
      groupId: principal.groupId,
      userId: principal.userId,
      now: clock.now(),
    });
    if (reserved !== undefined) return reserved;

    // Lost: say why, without revealing who holds the number.
    const current = await txRepo.findStatus(number);
    if (!current) throw invalidInput(`Number ${number} is not in the inventory`);
    if (current.status === 'available' && entry.source !== undefined && current.source !== entry.source) {
      throw invalidInput(`Number ${number} is not offered by source ${entry.source}`);
    }
    throw invalidInput(`Number ${number} is not available`);
  }

  return {
    /** Available inventory. It belongs to no group yet, so every caller sees the same numbers. */
    async search(_principal: Principal, query: NumberSearchQuery): Promise<AvailableNumber[]> {
      const rows = await repo.searchAvailable(
        {
          npa: query.npa,
          nxx: query.nxx,
          state: query.state?.toUpperCase(),
          rateCenter: query.rate_center?.trim(),
          likePattern: query.pattern === undefined ? undefined : toLikePattern(query.pattern),
        },
        toPage(query, numberFilterFields, 7),
      );
      return rows.map(toWire);
    },

    /** Reserves each number for the caller's group; `data` is the phone_number_id. */
    reserve(principal: Principal, entries: readonly ReserveEntry[]): Promise<EntryResult[]> {
      return applyEntries(db, entries, (tx, entry) => reserveEntry(tx, principal, entry));
    },

    async listReserved(principal: Principal, query: ListQuery): Promise<ReservedNumber[]> {
      const rows: ReservedRow[] = await repo.listReserved(
        principal.groupId,
        toPage(query, reservedFilterFields, 3),
      );
      return rows.map((row) => ({
        ...toWire(row),
        group_id: row.group_id,
        reserved_by: row.reserved_by,
        reserved_at: row.reserved_at,
      }));
    },
  };
}

export type NumbersService = ReturnType<typeof createNumbersService>;
