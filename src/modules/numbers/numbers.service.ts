import type { Db, Queryable } from '../../db/index.js';
import { invalidInput } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { toNanp10 } from '../../lib/phone.js';
import type { Principal } from '../auth/principal.js';
import {
  applyEntriesOwnTransactions,
  applyEntry,
  type EntryResult,
  entryErrorMessage,
} from '../shared/entries.js';
import { type ListQuery, toPage } from '../shared/list.js';
import type { PlanLimits } from '../subscriptions/subscriptions.service.js';
import type { NumberProvisioning } from './number-provisioning.js';
import {
  createNumbersRepo,
  type InventoryRow,
  numberFilterFields,
  type ReservedRow,
  reservedFilterFields,
} from './numbers.repo.js';
import type {
  AvailableNumber,
  BackupEntry,
  NumberSearchQuery,
  ReleaseEntry,
  ReservedNumber,
  ReserveEntry,
} from './numbers.schemas.js';

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

/** `801555*` -> /^801555\d*$/: the search pattern as a test of a carrier's offer. */
const patternTest = (pattern: string) => new RegExp(`^${pattern.replace(/\*+/g, '\\d*')}$`);

export function createNumbersService({
  db,
  clock,
  provisioning,
  limits,
}: {
  db: Db;
  clock: Clock;
  provisioning: NumberProvisioning;
  limits?: PlanLimits;
}) {
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

  async function searchInventory(query: NumberSearchQuery): Promise<AvailableNumber[]> {
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
  }

  return {
    /**
     * Available inventory, then what the carrier account offers (when one is configured). The
     * inventory belongs to no group yet, so every caller sees the same numbers.
     */
    async search(_principal: Principal, query: NumberSearchQuery): Promise<AvailableNumber[]> {
      const from = query.from ?? (provisioning.isConfigured ? 'all' : 'inventory');
      if (from !== 'inventory' && !provisioning.isConfigured) {
        throw invalidInput('No carrier account is configured: search the inventory');
      }
      const inventory = from === 'carrier' || query.toll_free ? [] : await searchInventory(query);
      if (from === 'inventory' || inventory.length >= query.limit || query.offset > 0) return inventory;
      const offers = await provisioning.offers({
        areaCode: query.npa,
        nxx: query.nxx,
        region: query.state?.toUpperCase(),
        contains: query.pattern?.replace(/\*/g, '') || undefined,
        like: query.pattern === undefined ? undefined : patternTest(query.pattern),
        tollFree: query.toll_free,
        limit: query.limit - inventory.length,
      });
      return [...inventory, ...offers];
    },

    /** Reserves each number for the caller's group; `data` is the phone_number_id. */
    async reserve(principal: Principal, entries: readonly ReserveEntry[]): Promise<EntryResult[]> {
      const results: EntryResult[] = [];
      for (const [index, entry] of entries.entries()) {
        // A number the inventory does not hold is bought from the carrier first, outside the
        // reservation's transaction (the carrier's answer can take seconds).
        const number = toNanp10(entry.number);
        if (number !== undefined && provisioning.isConfigured && !(await repo.findStatus(number))) {
          try {
            // the plan's limit before buying: a number the plan refuses is not bought
            await limits?.check(db, principal.groupId, 'numbers');
            await provisioning.buy(number);
          } catch (error) {
            results.push({ result: 'error', data: entryErrorMessage(error), entry_count: index + 1 });
            continue;
          }
        }
        results.push(await applyEntry(db, entry, index + 1, (tx, e) => reserveEntry(tx, principal, e)));
      }
      return results;
    },

    /** Releases each reserved number (to the carrier or the inventory); `data` is the phone_number_id. */
    release(principal: Principal, entries: readonly ReleaseEntry[]): Promise<EntryResult[]> {
      return applyEntriesOwnTransactions(entries, (entry) => provisioning.release(principal, entry));
    },

    /** Sets or clears each tracking number's backup; `data` is the phone_number_id. */
    setBackup(principal: Principal, entries: readonly BackupEntry[]): Promise<EntryResult[]> {
      return applyEntriesOwnTransactions(entries, (entry) => provisioning.setBackup(principal, entry));
    },

    async listReserved(principal: Principal, query: ListQuery): Promise<ReservedNumber[]> {
      const rows: ReservedRow[] = await repo.listReserved(
        principal.groupId,
        toPage(query, reservedFilterFields, 3),
      );
      return rows.map((row) => ({
        ...toWire(row),
        phone_number_id: row.phone_number_id,
        backup_number: row.backup_number === null ? null : Number(row.backup_number),
        group_id: row.group_id,
        reserved_by: row.reserved_by,
        reserved_at: row.reserved_at,
      }));
    },
  };
}

export type NumbersService = ReturnType<typeof createNumbersService>;
