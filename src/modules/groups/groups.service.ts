import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { toNanp10 } from '../../lib/phone.js';
import type { Principal } from '../auth/principal.js';
import { requireAdmin } from '../shared/access.js';
import { applyEntries } from '../shared/entries.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { createGroupsRepo, type GroupRow, type GroupValues, groupFilterFields } from './groups.repo.js';
import type { GroupEntry, GroupWithUsers } from './groups.schemas.js';

/** The code a group's DNI snippet carries; random so it cannot be guessed from the id. */
export const newDniCode = () => randomBytes(8).toString('hex');

export function createGroupsService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createGroupsRepo(db);

  async function withUsers(groups: GroupRow[]): Promise<GroupWithUsers[]> {
    const users = await repo.usersOf(groups.map((g) => g.group_id));
    return groups.map((group) => ({ ...group, users: users.filter((u) => u.group_id === group.group_id) }));
  }

  async function saveEntry(tx: Queryable, principal: Principal, entry: GroupEntry): Promise<number> {
    const txRepo = createGroupsRepo(tx);
    const phone = entry.phone_number === undefined ? null : toNanp10(entry.phone_number);
    if (phone === undefined)
      throw invalidInput(`phone_number ${entry.phone_number} is not a valid 10-digit number`);
    if (entry.industry_id !== undefined && !(await txRepo.industryExists(entry.industry_id))) {
      throw invalidInput(`industry_id ${entry.industry_id} does not exist`);
    }
    const values: GroupValues = {
      group_ext_id: entry.group_ext_id ?? null,
      group_name: entry.group_name,
      group_status: entry.group_status ?? 'active',
      address: entry.address ?? null,
      city: entry.city ?? null,
      state: entry.state ?? null,
      zip: entry.zip ?? null,
      phone_number: phone,
      industry_id: entry.industry_id ?? null,
    };

    if (entry.group_id) {
      const existing = await txRepo.findInScope(principal.groupId, entry.group_id);
      if (!existing) throw invalidInput(`group_id ${entry.group_id} is not a group you can access`);
      if (entry.group_parent_id !== undefined && entry.group_parent_id !== existing.group_parent_id) {
        throw invalidInput(
          'group_parent_id cannot be changed; create the group under its new parent instead',
        );
      }
      if (entry.billing_id !== undefined && entry.billing_id !== existing.billing_id) {
        throw invalidInput(`billing_id must be ${existing.billing_id}, the billing account of the group`);
      }
      await txRepo.update(existing.group_id, values, clock.now());
      return existing.group_id;
    }

    const parentId = entry.group_parent_id ?? principal.groupId;
    const parent = await txRepo.findInScope(principal.groupId, parentId);
    if (!parent) throw invalidInput(`group_parent_id ${parentId} is not a group you can access`);
    if (entry.billing_id !== undefined && entry.billing_id !== parent.billing_id) {
      throw invalidInput(`billing_id must be ${parent.billing_id}, the billing account of the parent group`);
    }
    return txRepo.insert(parent.group_id, values, newDniCode());
  }

  return {
    async get(principal: Principal, groupId: number): Promise<GroupWithUsers> {
      const group = await repo.findInScope(principal.groupId, groupId);
      if (!group) throw notFound();
      const [withUserList] = await withUsers([group]);
      return withUserList as GroupWithUsers;
    },

    list(principal: Principal, query: ListQuery): Promise<GroupRow[]> {
      return repo.list(principal.groupId, toPage(query, groupFilterFields, 3));
    },

    async listWithUsers(principal: Principal, query: ListQuery): Promise<GroupWithUsers[]> {
      return withUsers(await repo.list(principal.groupId, toPage(query, groupFilterFields, 3)));
    },

    /** Groups visible to another user in the caller's scope: that user's group and below. */
    listBelow(scopeGroupId: number, query: ListQuery): Promise<GroupRow[]> {
      return repo.list(scopeGroupId, toPage(query, groupFilterFields, 3));
    },

    save(principal: Principal, entries: readonly GroupEntry[]) {
      requireAdmin(principal);
      return applyEntries(db, entries, (tx, entry) => saveEntry(tx, principal, entry));
    },
  };
}

export type GroupsService = ReturnType<typeof createGroupsService>;
