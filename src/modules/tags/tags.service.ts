import { type Db, INT4_MAX, type Queryable } from '../../db/index.js';
import { invalidInput } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { createGroupsRepo } from '../groups/groups.repo.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { createTagsRepo, type TagRow, tagFilterFields } from './tags.repo.js';

export const NO_DATA = 'No data found';

/** Tag names as stored: trimmed, each name once whatever its case. */
export function normaliseTagNames(names: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') throw invalidInput('tag_name cannot be blank');
    if (name.length > 255)
      throw invalidInput(`tag_name is longer than 255 characters: ${name.slice(0, 40)}...`);
    if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
  }
  return [...seen.values()];
}

/**
 * Tags a call by name, reusing the live tag the call's group sees (its own or one above it) and
 * creating missing ones in the call's group. Idempotent: a tag the call has stays as it was.
 * Call actions (`tag_call`) and Upload Call Audio use it; `userId` is null for automatic tagging.
 * Returns false when there is no such call or it belongs to no group.
 */
export async function addTagsToCall(
  q: Queryable,
  callId: number,
  tagNames: readonly string[],
  userId: number | null,
  now: Date,
): Promise<boolean> {
  // Blank names are skipped here (a call action's comma list may hold one); the API refuses them first.
  const names = normaliseTagNames(tagNames.filter((name) => name.trim() !== ''));
  const { rows } = await q.query<{ group_id: number | null }>(
    'select group_id from call where call_id = $1',
    [callId],
  );
  const groupId = rows[0]?.group_id;
  if (groupId === undefined || groupId === null) return false;
  if (names.length === 0) return true;
  const repo = createTagsRepo(q);
  await repo.tagCall(callId, await repo.resolve(groupId, names, userId, now), userId, now);
  return true;
}

/**
 * V2's GET /v2/tag answers `tag_id=null` and no match with the string "No data found", a blank
 * value with "Please provide valid data." and any other non-id with "Please provide valid data"
 * (no dot). Those quirks are checked here, before the shared filter grammar.
 */
function tagIdQuirk(filter: string | undefined): 'no data' | undefined {
  for (const rule of (filter ?? '').split(',')) {
    const match = /^\s*tag_id\s*(>=|<=|!=|=)(.*)$/s.exec(rule);
    if (!match) continue;
    const value = (match[2] ?? '').trim();
    if (value === '') throw invalidInput('Please provide valid data.');
    if (value.toLowerCase() === 'null') return 'no data';
    if (!/^\d{1,10}$/.test(value) || Number(value) > INT4_MAX)
      throw invalidInput('Please provide valid data');
  }
  return undefined;
}

export function createTagsService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createTagsRepo(db);
  return {
    async list(principal: Principal, query: ListQuery): Promise<TagRow[] | typeof NO_DATA> {
      if (tagIdQuirk(query.filter) === 'no data') return NO_DATA;
      const withInactive = /(^|,)\s*tag_active\s*(!=|=)/.test(query.filter ?? '');
      const rows = await repo.list(principal.groupId, toPage(query, tagFilterFields, 4), withInactive);
      return rows.length === 0 ? NO_DATA : rows;
    },

    /**
     * Creates tags in a group of the caller's scope (default: the caller's own), all or nothing;
     * a name the group already sees (its own tag or one above it, any case) is reused, as when a
     * call is tagged. Answers the tags, in id order.
     */
    create(principal: Principal, names: readonly string[], groupId = principal.groupId): Promise<TagRow[]> {
      const wanted = normaliseTagNames(names);
      return db.transaction(async (tx) => {
        if (!(await createGroupsRepo(tx).findInScope(principal.groupId, groupId)))
          throw invalidInput(`group_id ${groupId} is not a group you can access`);
        const repo = createTagsRepo(tx);
        return repo.findByIds(await repo.resolve(groupId, wanted, principal.userId, clock.now()));
      });
    },

    /** All or nothing: a tag outside the caller's groups, missing or already deleted fails the request. */
    remove(principal: Principal, tagIds: readonly number[]): Promise<number[]> {
      const wanted = [...new Set(tagIds)];
      return db.transaction(async (tx) => {
        const deleted = new Set(await createTagsRepo(tx).deactivate(principal.groupId, wanted, clock.now()));
        const refused = wanted.filter((id) => !deleted.has(id));
        if (refused.length > 0)
          throw invalidInput('Tag(s) not permissible for deletion', {
            err: [`Tag(s) not permissible for deletion : ${refused.join(', ')}`],
          });
        return wanted;
      });
    },
  };
}

export type TagsService = ReturnType<typeof createTagsService>;
