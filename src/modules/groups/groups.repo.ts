import type { Queryable } from '../../db/index.js';
import { type FilterFields, whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { isoTime } from '../shared/sql.js';

export interface GroupRow {
  group_id: number;
  group_ext_id: string | null;
  group_name: string;
  group_parent_id: number | null;
  top_group_id: number;
  group_status: string;
  billing_id: number;
  address: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  phone_number: string | null;
  industry_id: number | null;
  industry_name: string | null;
  group_created: string;
  group_modified: string | null;
}

export interface GroupUserRow {
  ct_user_id: number;
  user_ext_id: string | null;
  user_email: string;
  first_name: string;
  last_name: string;
  user_title: string | null;
  role_id: number;
  user_status: string;
  group_id: number;
}

export interface GroupValues {
  group_ext_id: string | null;
  group_name: string;
  group_status: string;
  address: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  phone_number: string | null;
  industry_id: number | null;
}

export const groupFilterFields: FilterFields = {
  group_id: { column: 'g.group_id', type: 'integer' },
  group_ext_id: { column: 'g.group_ext_id', type: 'string' },
  group_name: { column: 'g.group_name', type: 'string' },
  group_parent_id: { column: 'g.group_parent_id', type: 'integer' },
  top_group_id: { column: 'g.top_group_id', type: 'integer' },
  billing_id: { column: 'g.top_group_id', type: 'integer' },
  group_status: { column: 'g.group_status', type: 'string' },
  city: { column: 'g.city', type: 'string' },
  state: { column: 'g.state', type: 'string' },
  zip: { column: 'g.zip', type: 'string' },
  industry_id: { column: 'g.industry_id', type: 'integer' },
  group_created: { column: 'g.group_created', type: 'date' },
  group_modified: { column: 'g.group_modified', type: 'date' },
};

const GROUP_COLUMNS = `
  g.group_id, g.group_ext_id, g.group_name, g.group_parent_id, g.top_group_id, g.group_status,
  g.top_group_id as billing_id, g.address, g.city, g.state, g.zip, g.phone_number,
  g.industry_id, i.industry_name,
  ${isoTime('g.group_created')} as group_created, ${isoTime('g.group_modified')} as group_modified`;

const FROM_GROUPS = 'org_group g left join industry i on i.industry_id = g.industry_id';

const VALUE_COLUMNS = [
  'group_ext_id',
  'group_name',
  'group_status',
  'address',
  'city',
  'state',
  'zip',
  'phone_number',
  'industry_id',
] as const;

export function createGroupsRepo(db: Queryable) {
  return {
    /** The group when it lies in the scope of `scopeGroupId`, else undefined. */
    async findInScope(scopeGroupId: number, groupId: number): Promise<GroupRow | undefined> {
      const { rows } = await db.query<GroupRow>(
        `select ${GROUP_COLUMNS} from ${FROM_GROUPS}
          where g.group_id = $2 and g.path @> array[$1::integer]`,
        [scopeGroupId, groupId],
      );
      return rows[0];
    },

    /** Groups in the scope of `scopeGroupId`, ordered by id; filter params start at $4. */
    async list(scopeGroupId: number, page: ListPage): Promise<GroupRow[]> {
      const { rows } = await db.query<GroupRow>(
        `select ${GROUP_COLUMNS} from ${FROM_GROUPS}
          where g.path @> array[$1::integer] and ${whereClause(page.filter.conditions)}
          order by g.group_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    async usersOf(groupIds: readonly number[]): Promise<GroupUserRow[]> {
      if (groupIds.length === 0) return [];
      const { rows } = await db.query<GroupUserRow>(
        `select ct_user_id, user_ext_id, user_email, first_name, last_name, user_title, role_id::integer as role_id,
                user_status, group_id
           from app_user where group_id = any($1::integer[]) order by ct_user_id`,
        [groupIds],
      );
      return rows;
    },

    async industryExists(industryId: number): Promise<boolean> {
      const { rowCount } = await db.query('select 1 from industry where industry_id = $1', [industryId]);
      return rowCount > 0;
    },

    async insert(parentId: number | null, values: GroupValues, dniCode: string): Promise<number> {
      const { rows } = await db.query<{ group_id: number }>(
        `insert into org_group (group_parent_id, dni_code, ${VALUE_COLUMNS.join(', ')})
         values ($1, $2, ${VALUE_COLUMNS.map((_, i) => `$${i + 3}`).join(', ')})
         returning group_id`,
        [parentId, dniCode, ...VALUE_COLUMNS.map((column) => values[column])],
      );
      return (rows[0] as { group_id: number }).group_id;
    },

    async update(groupId: number, values: GroupValues, now: Date): Promise<void> {
      await db.query(
        `update org_group set ${VALUE_COLUMNS.map((column, i) => `${column} = $${i + 3}`).join(', ')},
                group_modified = $2
          where group_id = $1`,
        [groupId, now, ...VALUE_COLUMNS.map((column) => values[column])],
      );
    },
  };
}

export type GroupsRepo = ReturnType<typeof createGroupsRepo>;
