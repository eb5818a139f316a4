import type { Queryable } from '../../db/index.js';
import type { FilterFields } from '../../http/filter.js';
import { whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope } from '../shared/sql.js';
import type { Signal } from './scoring.js';

export interface IndicatorRow {
  indicator_id: number;
  group_id: number;
  indicator_name: string;
  description: string;
  indicator_status: string;
  signals: Signal[];
}

export const indicatorFilterFields: FilterFields = {
  indicator_id: { column: 'i.indicator_id', type: 'integer' },
  group_id: { column: 'i.group_id', type: 'integer' },
  indicator_name: { column: 'i.indicator_name', type: 'string' },
  indicator_status: { column: 'i.indicator_status', type: 'string' },
};

const COLUMNS = `i.indicator_id, i.group_id, i.indicator_name, i.description, i.indicator_status,
  i.definition->'signals' as signals`;

export function createIndicatorsRepo(db: Queryable) {
  return {
    /**
     * The groups' own indicators a user of `scopeGroupId` sees: those of the groups above it
     * (inherited) and of its subtree, by id.
     */
    async list(scopeGroupId: number, page: ListPage): Promise<IndicatorRow[]> {
      const { rows } = await db.query<IndicatorRow>(
        `select ${COLUMNS} from indicator i
          where (${inScope('i.group_id', '$1')}
                 or i.group_id = any((select g.path from org_group g where g.group_id = $1)::integer[]))
            and ${whereClause(page.filter.conditions)}
          order by i.indicator_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    async insert(
      values: { group_id: number; indicator_name: string; description: string; signals: Signal[] },
      userId: number,
      now: Date,
    ): Promise<IndicatorRow> {
      const { rows } = await db.query<IndicatorRow>(
        `insert into indicator as i (group_id, indicator_name, description, definition, created_by, created_at)
         values ($1, $2, $3, jsonb_build_object('signals', $4::jsonb), $5, $6)
         returning ${COLUMNS}`,
        [
          values.group_id,
          values.indicator_name,
          values.description,
          JSON.stringify(values.signals),
          userId,
          now,
        ],
      );
      return rows[0] as IndicatorRow;
    },

    /** Changes an indicator of the caller's subtree; undefined when there is none such. */
    async update(
      scopeGroupId: number,
      id: number,
      change: {
        indicator_name?: string;
        description?: string;
        signals?: Signal[];
        indicator_status?: string;
      },
      now: Date,
    ): Promise<IndicatorRow | undefined> {
      const { rows } = await db.query<IndicatorRow>(
        `update indicator i
            set indicator_name = coalesce($3, i.indicator_name),
                description = coalesce($4, i.description),
                definition = case when $5::jsonb is null then i.definition
                                  else jsonb_build_object('signals', $5::jsonb) end,
                indicator_status = coalesce($6, i.indicator_status),
                updated_at = $7
          where i.indicator_id = $2 and ${inScope('i.group_id', '$1')}
          returning ${COLUMNS}`,
        [
          scopeGroupId,
          id,
          change.indicator_name ?? null,
          change.description ?? null,
          change.signals === undefined ? null : JSON.stringify(change.signals),
          change.indicator_status ?? null,
          now,
        ],
      );
      return rows[0];
    },

    async groupInScope(scopeGroupId: number, groupId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from org_group g where g.group_id = $2 and ${inScope('g.group_id', '$1')}`,
        [scopeGroupId, groupId],
      );
      return rowCount > 0;
    },
  };
}
