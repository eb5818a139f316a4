import type { Queryable } from '../../db/index.js';
import { type CompiledFilter, type FilterFields, whereClause } from '../../http/filter.js';
import type { CustomSource } from './customsources.schemas.js';

export const customSourceFilterFields: FilterFields = {
  custom_source_id: { column: 'c.custom_source_id', type: 'integer' },
  custom_source_name: { column: 'c.custom_source_name', type: 'string' },
  org_unit_id: { column: 'c.group_id', type: 'integer' },
};

export interface ListPage {
  limit: number;
  offset: number;
  filter: CompiledFilter;
}

export interface GroupRef {
  group_id: number;
  top_group_id: number;
}

export interface CustomSourceState {
  custom_source_id: number;
  group_id: number;
  custom_source_active: boolean;
  is_manageable: boolean;
}

/** Live custom sources of group `$n`'s line: the groups above it, the group itself and those below. */
const IN_LINE_OF = (param: string) =>
  `c.custom_source_active and (g.path @> array[${param}::integer]
     or exists (select 1 from org_group l where l.group_id = ${param} and c.group_id = any(l.path)))`;

/** An arbitrary constant: writers of custom sources in one account serialise on (this, top group). */
const CUSTOM_SOURCE_LOCK = 7_140_801;

export function createCustomSourcesRepo(db: Queryable) {
  return {
    async findGroupInScope(scopeGroupId: number, groupId: number): Promise<GroupRef | undefined> {
      const { rows } = await db.query<GroupRef>(
        'select group_id, top_group_id from org_group where group_id = $2 and path @> array[$1::integer]',
        [scopeGroupId, groupId],
      );
      return rows[0];
    },

    /** The custom sources of `groupId`'s line, by id; filter params start at $4. */
    async listInLine(groupId: number, page: ListPage): Promise<CustomSource[]> {
      const { rows } = await db.query<CustomSource>(
        `select c.custom_source_id, c.custom_source_name, c.group_id as org_unit_id
           from custom_source c join org_group g on g.group_id = c.group_id
          where ${IN_LINE_OF('$1')} and ${whereClause(page.filter.conditions)}
          order by c.custom_source_id limit $2 offset $3`,
        [groupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    /** Waits for other writers of custom sources in the account whose top group is given. */
    async lockAccount(topGroupId: number): Promise<void> {
      await db.query('select pg_advisory_xact_lock($1::integer, $2::integer)', [
        CUSTOM_SOURCE_LOCK,
        topGroupId,
      ]);
    },

    async isNameUsedInLine(groupId: number, name: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from custom_source c join org_group g on g.group_id = c.group_id
          where ${IN_LINE_OF('$1')} and lower(c.custom_source_name) = lower($2)`,
        [groupId, name],
      );
      return rowCount > 0;
    },

    async insert(groupId: number, name: string, now: Date, userId: number): Promise<number> {
      const { rows } = await db.query<{ custom_source_id: number }>(
        `insert into custom_source (group_id, custom_source_name, created_at, created_by)
         values ($1, $2, $3, $4) returning custom_source_id`,
        [groupId, name, now, userId],
      );
      return (rows[0] as { custom_source_id: number }).custom_source_id;
    },

    /** The given custom sources, locked; manageable = owned by the caller's group or one below it. */
    async findForUpdate(scopeGroupId: number, ids: readonly number[]): Promise<CustomSourceState[]> {
      const { rows } = await db.query<CustomSourceState>(
        `select c.custom_source_id, c.group_id, c.custom_source_active,
                g.path @> array[$1::integer] as is_manageable
           from custom_source c join org_group g on g.group_id = c.group_id
          where c.custom_source_id = any($2::integer[])
          for update of c`,
        [scopeGroupId, ids],
      );
      return rows;
    },

    async softDelete(ids: readonly number[], now: Date): Promise<void> {
      await db.query(
        `update custom_source set custom_source_active = false, deleted_at = $2
          where custom_source_id = any($1::integer[])`,
        [ids, now],
      );
    },

    async unlinkFromCallFlows(ids: readonly number[]): Promise<void> {
      await db.query('delete from call_flow_custom_source where custom_source_id = any($1::integer[])', [
        ids,
      ]);
    },
  };
}

export type CustomSourcesRepo = ReturnType<typeof createCustomSourcesRepo>;
