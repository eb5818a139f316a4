import type { Queryable } from '../../db/index.js';
import { type FilterFields, whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';

export interface TagRow {
  tag_id: number;
  tag_name: string;
  tag_active: boolean;
  org_unit_id: number;
  created_by: number | null;
  tag_created: string;
}

export const tagFilterFields: FilterFields = {
  tag_id: { column: 't.tag_id', type: 'integer' },
  tag_name: { column: 't.tag_name', type: 'string' },
  tag_active: { column: 't.tag_active', type: 'boolean' },
  org_unit_id: { column: 't.group_id', type: 'integer' },
  tag_created: { column: 't.tag_created', type: 'date' },
};

const COLUMNS = `t.tag_id, t.tag_name, t.tag_active, t.group_id as org_unit_id, t.created_by,
  ${isoTime('t.tag_created')} as tag_created`;

export function createTagsRepo(db: Queryable) {
  return {
    /** Tags of the caller's group and below; deleted ones only when `withInactive`. */
    async list(scopeGroupId: number, page: ListPage, withInactive: boolean): Promise<TagRow[]> {
      const { rows } = await db.query<TagRow>(
        `select ${COLUMNS} from tag t
          where ${inScope('t.group_id', '$1')} and ($4::boolean or t.tag_active)
            and ${whereClause(page.filter.conditions)}
          order by t.tag_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, withInactive, ...page.filter.params],
      );
      return rows;
    },

    /** The tags with these ids, in id order (any group: the caller checked the scope). */
    async findByIds(tagIds: readonly number[]): Promise<TagRow[]> {
      const { rows } = await db.query<TagRow>(
        `select ${COLUMNS} from tag t where t.tag_id = any($1::integer[]) order by t.tag_id`,
        [tagIds],
      );
      return rows;
    },

    /** Soft-deletes the live tags among `tagIds` in the caller's scope; returns those deleted. */
    async deactivate(scopeGroupId: number, tagIds: readonly number[], now: Date): Promise<number[]> {
      const { rows } = await db.query<{ tag_id: number }>(
        `update tag t set tag_active = false, deleted_at = $3
          where t.tag_id = any($2::integer[]) and t.tag_active and ${inScope('t.group_id', '$1')}
          returning t.tag_id`,
        [scopeGroupId, tagIds, now],
      );
      return rows.map((row) => row.tag_id);
    },

    /**
     * The live tag of each name visible to the group (its own or the nearest group above it that
     * has one, whatever the case), creating the missing ones in the group itself.
     */
    async resolve(
      groupId: number,
      names: readonly string[],
      userId: number | null,
      now: Date,
    ): Promise<number[]> {
      await db.query(
        `insert into tag (group_id, tag_name, created_by, tag_created)
         select $1, n.name, $3, $4 from unnest($2::text[]) as n(name)
          where not exists (
            select 1 from tag t join org_group g on g.group_id = $1
             where t.tag_active and lower(t.tag_name) = lower(n.name) and t.group_id = any(g.path))
         on conflict (group_id, lower(tag_name)) where tag_active do nothing`,
        [groupId, names, userId, now],
      );
      const { rows } = await db.query<{ tag_id: number }>(
        `select distinct on (lower(n.name)) t.tag_id
           from unnest($2::text[]) as n(name)
           join org_group g on g.group_id = $1
           join tag t on t.tag_active and lower(t.tag_name) = lower(n.name) and t.group_id = any(g.path)
          order by lower(n.name), array_position(g.path, t.group_id) desc`,
        [groupId, names],
      );
      return rows.map((row) => row.tag_id);
    },

    /** Tags the call; a tag it already has keeps its first date. */
    async tagCall(
      callId: number,
      tagIds: readonly number[],
      userId: number | null,
      now: Date,
    ): Promise<void> {
      await db.query(
        `insert into call_tag (call_id, tag_id, ct_user_id, call_tag_created)
         select $1, id, $3, $4 from unnest($2::integer[]) as t(id)
         on conflict (call_id, tag_id) do nothing`,
        [callId, tagIds, userId, now],
      );
    },
  };
}
