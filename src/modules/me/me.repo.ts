import type { Queryable } from '../../db/index.js';
import type { RoleId } from '../auth/principal.js';
import { inScope } from '../shared/sql.js';

export interface ProfileRow {
  ct_user_id: number;
  user_email: string;
  first_name: string;
  last_name: string;
  role_id: RoleId;
  access_audio: boolean;
  group_id: number;
  group_name: string;
  /** the remembered group, when it is still in the user's scope */
  console_group_id: number | null;
}

export interface ScopeGroupRow {
  group_id: number;
  group_name: string;
  group_parent_id: number | null;
  group_status: string;
  zip: string | null;
  state: string | null;
  path: number[];
}

/** The most groups the group switcher lists. */
export const MAX_SCOPE_GROUPS = 10_000;

export function createMeRepo(db: Queryable) {
  return {
    async profile(userId: number): Promise<ProfileRow | undefined> {
      const { rows } = await db.query<ProfileRow>(
        `select u.ct_user_id, u.user_email, u.first_name, u.last_name, u.role_id, u.access_audio,
                u.group_id, g.group_name,
                (select p.console_group_id from user_preference p join org_group pg on pg.group_id = p.console_group_id
                  where p.ct_user_id = u.ct_user_id and pg.path @> array[u.group_id]) as console_group_id
           from app_user u join org_group g on g.group_id = u.group_id
          where u.ct_user_id = $1`,
        [userId],
      );
      return rows[0];
    },

    /** The groups of the scope, each after its parent (ordered by path). */
    async groupsInScope(scopeGroupId: number): Promise<ScopeGroupRow[]> {
      const { rows } = await db.query<ScopeGroupRow>(
        `select g.group_id, g.group_name, g.group_parent_id, g.group_status, g.zip, g.state, g.path
           from org_group g where g.path @> array[$1::integer]
          order by g.path limit ${MAX_SCOPE_GROUPS}`,
        [scopeGroupId],
      );
      return rows;
    },

    /** The group and the groups above it, top first (for the time zone of a group without an address). */
    async groupWithAncestors(scopeGroupId: number, groupId: number): Promise<ScopeGroupRow[]> {
      const { rows } = await db.query<ScopeGroupRow>(
        `select a.group_id, a.group_name, a.group_parent_id, a.group_status, a.zip, a.state, a.path
           from org_group g join org_group a on a.group_id = any(g.path)
          where g.group_id = $2 and ${inScope('g.group_id', '$1')}
          order by array_length(a.path, 1)`,
        [scopeGroupId, groupId],
      );
      return rows;
    },

    async saveConsoleGroup(userId: number, groupId: number | null, now: Date): Promise<void> {
      await db.query(
        `insert into user_preference (ct_user_id, console_group_id, updated_at) values ($1, $2, $3)
         on conflict (ct_user_id) do update set console_group_id = excluded.console_group_id,
                                               updated_at = excluded.updated_at`,
        [userId, groupId, now],
      );
    },
  };
}
