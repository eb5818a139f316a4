import { type Db, INT4_MAX } from '../../db/index.js';
import { invalidInput, isAppError, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { createCustomSourcesRepo, customSourceFilterFields, type GroupRef } from './customsources.repo.js';
import type { CustomSource, CustomSourceEntry } from './customsources.schemas.js';

/** V2's strings for these endpoints, letter for letter (QA suite). */
export const CustomSourceMessages = {
  created: (ids: readonly number[]) => `Successfully created custom_sources [${ids.join(', ')}]`,
  deleted: 'Successfully deleted the Custom Source.',
  noGroupAccess: "You don't have permission to access this group.",
  repeatedNames: 'Repeated custom source names are not allowed',
  emptyName: 'custom_source_name should not be empty',
  cannotCreateIn: (groupId: number) => `You are not authorized to create custom sources in group. ${groupId}`,
  nameTaken: (name: string) => `'${name}' This custom_source is already exist.`,
  repeatedIds: 'Repeated custom_source_id not allowed',
  cannotManage: (id: number) => `You are not authorized to manage this custom_source_id ${id}`,
  alreadyDeleted: (id: number) => `custom_source_id ${id} is already deleted`,
  invalidFilterValue: (field: string) => `Please Provide valid ${field}`,
} as const;

/**
 * V2 answers these endpoints' errors as `{"err":"error","data":<reason>}`; `data` is a list of
 * reasons (one per refused entry) where V2 sends one.
 */
const refused = (reason: string | string[]) =>
  invalidInput(Array.isArray(reason) ? (reason[0] ?? 'error') : reason, { err: 'error', data: reason });

const INTEGER_RULE = /^(custom_source_id|org_unit_id)(>=|<=|!=|=)(.+)$/s;

/**
 * V2 names the integer field whose filter value is not an integer; other rules fail as usual.
 * `null` is no value and matches nothing (see compileFilter).
 */
function checkIntegerFilterValues(filter: string | undefined): void {
  for (const rule of (filter ?? '').split(',')) {
    const match = INTEGER_RULE.exec(rule.trim());
    if (!match) continue;
    const [, field = '', , raw = ''] = match;
    const value = raw.trim();
    if (value === '' || value.toLowerCase() === 'null') continue;
    if (!/^-?\d{1,10}$/.test(value) || Math.abs(Number(value)) > INT4_MAX) {
      throw invalidInput(CustomSourceMessages.invalidFilterValue(field));
    }
  }
}

export function createCustomSourcesService({ db, clock }: { db: Db; clock: Clock }) {
  function page(query: ListQuery) {
    checkIntegerFilterValues(query.filter);
    try {
      return toPage(query, customSourceFilterFields, 3);
    } catch (error) {
      if (isAppError(error) && error.status === 400) throw refused(error.message);
      throw error;
    }
  }

  return {
    /** Custom sources of the group's line: the groups above it (inherited), itself, those below. */
    async list(principal: Principal, query: ListQuery & { ouId: number }): Promise<CustomSource[]> {
      const repo = createCustomSourcesRepo(db);
      const group = await repo.findGroupInScope(principal.groupId, query.ouId);
      if (!group) {
        throw notFound(CustomSourceMessages.noGroupAccess, {
          err: 'error',
          data: CustomSourceMessages.noGroupAccess,
        });
      }
      return repo.listInLine(group.group_id, page(query));
    },

    /**
     * Creates all the entries or none. A name may be used once in a group's line (above, itself,
     * below), whatever its case; concurrent writers in one account take turns on an advisory lock.
     */
    async create(principal: Principal, entries: readonly CustomSourceEntry[]): Promise<string> {
      const names = entries.map((entry) => entry.custom_source_name.trim());
      const keys = names.filter((name) => name !== '').map((name) => name.toLowerCase());
      if (new Set(keys).size !== keys.length) throw refused(CustomSourceMessages.repeatedNames);

      return db.transaction(async (tx) => {
        const repo = createCustomSourcesRepo(tx);
        const groups: (GroupRef | undefined)[] = [];
        for (const [index, entry] of entries.entries()) {
          groups.push(
            names[index] === ''
              ? undefined
              : await repo.findGroupInScope(principal.groupId, entry.org_unit_id),
          );
        }
        const accounts = [...new Set(groups.flatMap((group) => (group ? [group.top_group_id] : [])))];
        for (const topGroupId of accounts.sort((a, b) => a - b)) await repo.lockAccount(topGroupId);

        const reasons: string[] = [];
        for (const [index, entry] of entries.entries()) {
          const name = names[index] as string;
          const group = groups[index];
          if (name === '') reasons.push(CustomSourceMessages.emptyName);
          else if (!group) reasons.push(CustomSourceMessages.cannotCreateIn(entry.org_unit_id));
          else if (await repo.isNameUsedInLine(group.group_id, name)) {
            reasons.push(CustomSourceMessages.nameTaken(name));
          }
        }
        if (reasons.length > 0) throw refused(reasons);

        const now = clock.now();
        const ids: number[] = [];
        for (const [index, name] of names.entries()) {
          ids.push(await repo.insert((groups[index] as GroupRef).group_id, name, now, principal.userId));
        }
        return CustomSourceMessages.created(ids);
      });
    },

    /** Soft-deletes all the given custom sources or none, and takes them off every call flow. */
    async remove(principal: Principal, ids: readonly number[]): Promise<string> {
      if (new Set(ids).size !== ids.length) throw refused(CustomSourceMessages.repeatedIds);
      return db.transaction(async (tx) => {
        const repo = createCustomSourcesRepo(tx);
        const found = new Map(
          (await repo.findForUpdate(principal.groupId, ids)).map((row) => [row.custom_source_id, row]),
        );
        const reasons = ids.flatMap((id) => {
          const row = found.get(id);
          // Missing and out-of-scope ids get the same answer, so nothing leaks.
          if (!row?.is_manageable) return [CustomSourceMessages.cannotManage(id)];
          if (!row.custom_source_active) return [CustomSourceMessages.alreadyDeleted(id)];
          return [];
        });
        if (reasons.length > 0) throw invalidInput(reasons[0] as string, { err: reasons });
        await repo.softDelete(ids, clock.now());
        await repo.unlinkFromCallFlows(ids);
        return CustomSourceMessages.deleted;
      });
    },
  };
}

export type CustomSourcesService = ReturnType<typeof createCustomSourcesService>;
