import type { Db } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { type Principal, Roles, roleNames } from '../auth/principal.js';
import { groupTimeZones } from '../groups/group-time-zone.js';
import { createMeRepo } from './me.repo.js';
import type { Me, ScopeGroup } from './me.schemas.js';

/** Who is calling, what they may do, and what the console remembers for them. */
export function createMeService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createMeRepo(db);

  return {
    async me(principal: Principal, csrfToken: string | null): Promise<Me> {
      const profile = await repo.profile(principal.userId);
      if (!profile) throw notFound();
      return {
        ct_user_id: profile.ct_user_id,
        user_email: profile.user_email,
        first_name: profile.first_name,
        last_name: profile.last_name,
        role_id: profile.role_id,
        role_name: roleNames[profile.role_id],
        can_edit: profile.role_id !== Roles.READ_ONLY,
        can_manage_users: profile.role_id === Roles.ADMIN,
        access_audio: profile.access_audio,
        group_id: profile.group_id,
        group_name: profile.group_name,
        console_group_id: profile.console_group_id ?? profile.group_id,
        csrf_token: csrfToken,
      };
    },

    /** Every group the caller can see, parents first, with its depth and time zone. */
    async groups(principal: Principal): Promise<ScopeGroup[]> {
      const [ownAndAbove, rows] = await Promise.all([
        repo.groupWithAncestors(principal.groupId, principal.groupId),
        repo.groupsInScope(principal.groupId),
      ]);
      // the own group's zone may come from the groups above it, outside the scope
      const zones = groupTimeZones([...ownAndAbove.slice(0, -1), ...rows]);
      const topDepth = rows[0]?.path.length ?? 1;
      return rows.map((row) => ({
        group_id: row.group_id,
        group_name: row.group_name,
        group_parent_id: row.group_parent_id,
        group_status: row.group_status,
        depth: row.path.length - topDepth,
        time_zone: zones.get(row.group_id) ?? 'UTC',
      }));
    },

    async saveConsoleGroup(principal: Principal, groupId: number | null): Promise<void> {
      if (groupId !== null && (await repo.groupWithAncestors(principal.groupId, groupId)).length === 0)
        throw invalidInput(`console_group_id ${groupId} is not a group you can access`);
      await repo.saveConsoleGroup(principal.userId, groupId, clock.now());
    },
  };
}

export type MeService = ReturnType<typeof createMeService>;
