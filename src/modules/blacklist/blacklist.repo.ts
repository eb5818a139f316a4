import type { Queryable } from '../../db/index.js';
import { type FilterFields, whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';

export interface BlacklistRow {
  ou_id: number;
  number: number;
  created_by: number | null;
  created_at: string;
}

export const blacklistFilterFields: FilterFields = {
  ou_id: { column: 'b.group_id', type: 'integer' },
  number: { column: 'b.number', type: 'number' },
  created_by: { column: 'b.created_by', type: 'integer' },
  created_at: { column: 'b.created_at', type: 'date' },
};

const COLUMNS = `b.group_id as ou_id, b.number, b.created_by, ${isoTime('b.created_at')} as created_at`;

export function createBlacklistRepo(db: Queryable) {
  return {
    async list(scopeGroupId: number, page: ListPage): Promise<BlacklistRow[]> {
      const { rows } = await db.query<BlacklistRow>(
        `select ${COLUMNS} from blacklisted_number b
          where ${inScope('b.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by b.blacklist_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    /** Adds the number for the group; adding it again changes nothing. */
    async add(groupId: number, number: number, userId: number, now: Date): Promise<BlacklistRow> {
      const { rows } = await db.query<BlacklistRow>(
        `with inserted as (
           insert into blacklisted_number (group_id, number, created_by, created_at) values ($1, $2, $3, $4)
           on conflict (number, group_id) do nothing
           returning *)
         select ${COLUMNS} from inserted b
         union all
         select ${COLUMNS} from blacklisted_number b where b.group_id = $1 and b.number = $2
         limit 1`,
        [groupId, number, userId, now],
      );
      return rows[0] as BlacklistRow;
    },

    /**
     * Deletes the numbers wherever the caller may: its own group and the groups below it. An entry
     * of a group above protects that group's other branches too, so only that group (or one
     * above it) lifts it. Returns what was deleted.
     */
    async remove(scopeGroupId: number, numbers: readonly number[]): Promise<number[]> {
      const { rows } = await db.query<{ number: number }>(
        `delete from blacklisted_number b
          where b.number = any($2::bigint[]) and ${inScope('b.group_id', '$1')}
          returning b.number`,
        [scopeGroupId, numbers],
      );
      return rows.map((row) => row.number);
    },
  };
}
