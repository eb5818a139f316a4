import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { hashPassword } from '../../lib/secrets.js';
import { createAuthRepo } from '../auth/auth.repo.js';
import { isRoleId, type Principal, Roles, roleNames } from '../auth/principal.js';
import { createGroupsRepo } from '../groups/groups.repo.js';
import type { GroupsService } from '../groups/groups.service.js';
import { requireAdmin } from '../shared/access.js';
import { applyEntries } from '../shared/entries.js';
import type { ListQuery } from '../shared/list.js';
import type { PlanLimits } from '../subscriptions/subscriptions.service.js';
import { createUsersRepo, type UserChanges, type UserRow } from './users.repo.js';
import type { Permissions, PermissionsUpdate, UserEntry, UserUpdate } from './users.schemas.js';

const EMAIL_TAKEN = { '23505': 'user_email is already in use' };

export function createUsersService({
  db,
  clock,
  groups,
  onUserChanged,
  limits,
}: {
  db: Db;
  clock: Clock;
  groups: GroupsService;
  /** the plan's user limit (subscriptions), checked when an active user is added */
  limits?: PlanLimits;
  /** after a change of users' status, group or role is committed (the auth token cache) */
  onUserChanged?: (userId: number) => void;
}) {
  const changed = (entries: readonly { ct_user_id: number }[]) => () => {
    for (const entry of entries) onUserChanged?.(entry.ct_user_id);
  };

  const repo = createUsersRepo(db);

  async function requireGroupInScope(tx: Queryable, principal: Principal, groupId: number): Promise<void> {
    const group = await createGroupsRepo(tx).findInScope(principal.groupId, groupId);
    if (!group) throw invalidInput(`group_id ${groupId} is not a group you can access`);
  }

  async function requireUserInScope(tx: Queryable, principal: Principal, userId: number): Promise<UserRow> {
    const user = await createUsersRepo(tx).findInScope(principal.groupId, userId);
    if (!user) throw invalidInput(`ct_user_id ${userId} is not a user you can access`);
    return user;
  }

  /** An admin may not lower their own role: it would lock the account out of user management. */
  function guardSelfDemotion(principal: Principal, userId: number, roleId: number | undefined) {
    if (userId === principal.userId && roleId !== undefined && roleId !== principal.roleId) {
      throw invalidInput('You cannot change your own role');
    }
  }

  function toPermissions(user: UserRow): Permissions {
    const roleId = isRoleId(user.role_id) ? user.role_id : Roles.READ_ONLY;
    return {
      ct_user_id: user.ct_user_id,
      group_id: user.group_id,
      role_id: roleId,
      role_name: roleNames[roleId],
      access_audio: user.access_audio,
      can_edit: roleId !== Roles.READ_ONLY,
      can_manage_users: roleId === Roles.ADMIN,
    };
  }

  return {
    create(principal: Principal, entries: readonly UserEntry[]) {
      requireAdmin(principal);
      return applyEntries(
        db,
        entries,
        async (tx, entry) => {
          await requireGroupInScope(tx, principal, entry.group_id);
          if ((entry.user_status ?? 'active') === 'active') await limits?.check(tx, entry.group_id, 'users');
          return createUsersRepo(tx).insert({
            group_id: entry.group_id,
            user_email: entry.user_email,
            password_hash: await hashPassword(entry.password),
            first_name: entry.first_name,
            last_name: entry.last_name,
            user_title: entry.user_title ?? null,
            user_ext_id: entry.user_ext_id ?? null,
            role_id: entry.role_id,
            user_status: entry.user_status ?? 'active',
            access_audio: entry.access_audio ?? true,
          });
        },
        EMAIL_TAKEN,
      );
    },

    update(principal: Principal, entries: readonly UserUpdate[]) {
      requireAdmin(principal);
      return applyEntries(
        db,
        entries,
        async (tx, entry) => {
          await requireUserInScope(tx, principal, entry.ct_user_id);
          guardSelfDemotion(principal, entry.ct_user_id, entry.role_id);
          if (entry.ct_user_id === principal.userId && entry.user_status === 'inactive') {
            throw invalidInput('You cannot deactivate your own user');
          }
          if (entry.group_id !== undefined) await requireGroupInScope(tx, principal, entry.group_id);
          const changes: UserChanges = {
            group_id: entry.group_id,
            user_email: entry.user_email,
            password_hash: entry.password === undefined ? undefined : await hashPassword(entry.password),
            first_name: entry.first_name,
            last_name: entry.last_name,
            user_title: entry.user_title,
            user_ext_id: entry.user_ext_id,
            role_id: entry.role_id,
            user_status: entry.user_status,
          };
          await createUsersRepo(tx).update(entry.ct_user_id, changes, clock.now());
          // A deactivated user's sessions end: no refresh token of theirs works again.
          if (entry.user_status === 'inactive') await createAuthRepo(tx).revokeUser(entry.ct_user_id);
          return entry.ct_user_id;
        },
        EMAIL_TAKEN,
      ).finally(changed(entries));
    },

    async getPermissions(principal: Principal, userId: number): Promise<Permissions> {
      const user = await repo.findInScope(principal.groupId, userId);
      if (!user) throw notFound();
      return toPermissions(user);
    },

    updatePermissions(principal: Principal, entries: readonly PermissionsUpdate[]) {
      requireAdmin(principal);
      return applyEntries(db, entries, async (tx, entry) => {
        await requireUserInScope(tx, principal, entry.ct_user_id);
        guardSelfDemotion(principal, entry.ct_user_id, entry.role_id);
        await createUsersRepo(tx).update(
          entry.ct_user_id,
          { role_id: entry.role_id, access_audio: entry.access_audio },
          clock.now(),
        );
        return entry.ct_user_id;
      }).finally(changed(entries));
    },

    /** The groups a user may access: its own group and every group below it. */
    async allowedGroups(principal: Principal, userId: number, query: ListQuery) {
      const user = await repo.findInScope(principal.groupId, userId);
      if (!user) throw notFound();
      return groups.listBelow(user.group_id, query);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
