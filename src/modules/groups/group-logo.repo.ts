import type { Queryable } from '../../db/index.js';
import { isoTime } from '../shared/sql.js';

export interface LogoRow {
  /** the group the logo belongs to (the group asked for, or the nearest ancestor with a logo) */
  group_id: number;
  storage_key: string;
  content_type: 'image/png' | 'image/jpeg';
  bytes: number;
  updated_at: string;
}

const LOGO_COLUMNS = `l.group_id, l.storage_key, l.content_type, l.bytes, ${isoTime('l.updated_at')} as updated_at`;

export function createGroupLogoRepo(db: Queryable) {
  return {
    /** The logo of `groupId`, or of its nearest ancestor that has one. */
    async effective(groupId: number): Promise<LogoRow | undefined> {
      const { rows } = await db.query<LogoRow>(
        `select ${LOGO_COLUMNS}
           from org_group g join group_logo l on l.group_id = any (g.path)
          where g.group_id = $1
          order by array_position(g.path, l.group_id) desc
          limit 1`,
        [groupId],
      );
      return rows[0];
    },

    /** Stores the logo of `groupId`; answers the storage key it replaced, if any. */
    async upsert(row: Omit<LogoRow, 'updated_at'>, now: Date): Promise<string | undefined> {
      const { rows } = await db.query<{ previous_key: string | null }>(
        `with previous as (select storage_key from group_logo where group_id = $1 for update)
         insert into group_logo as l (group_id, storage_key, content_type, bytes, updated_at)
         values ($1, $2, $3, $4, $5)
         on conflict (group_id) do update
           set storage_key = excluded.storage_key, content_type = excluded.content_type,
               bytes = excluded.bytes, updated_at = excluded.updated_at
         returning (select storage_key from previous) as previous_key`,
        [row.group_id, row.storage_key, row.content_type, row.bytes, now],
      );
      return rows[0]?.previous_key ?? undefined;
    },

    /** Removes the group's own logo; answers its storage key, or undefined when it had none. */
    async remove(groupId: number): Promise<string | undefined> {
      const { rows } = await db.query<{ storage_key: string }>(
        'delete from group_logo where group_id = $1 returning storage_key',
        [groupId],
      );
      return rows[0]?.storage_key;
    },
  };
}
