import type { Queryable } from '../../db/index.js';
import { inScope } from '../shared/sql.js';
import type { SlotCustomSource } from './callflow-customsources.schemas.js';

export interface CustomSourceFlow {
  call_flow_id: number;
  group_id: number;
  call_flow_status: string;
  /** the flow group's path: the ids of the groups above it and the group itself */
  group_path: number[];
}

export interface SlotRow extends SlotCustomSource {
  slot: number;
}

export interface CustomSourceRef {
  custom_source_id: number;
  group_id: number;
  custom_source_active: boolean;
}

export function createCallFlowCustomSourcesRepo(db: Queryable) {
  return {
    async findFlowInScope(scopeGroupId: number, callFlowId: number): Promise<CustomSourceFlow | undefined> {
      const { rows } = await db.query<CustomSourceFlow>(
        `select f.call_flow_id, f.group_id, f.call_flow_status, g.path as group_path
           from call_flow f join org_group g on g.group_id = f.group_id
          where f.call_flow_id = $2 and ${inScope('f.group_id', '$1')}`,
        [scopeGroupId, callFlowId],
      );
      return rows[0];
    },

    async slots(callFlowId: number): Promise<SlotRow[]> {
      const { rows } = await db.query<SlotRow>(
        `select l.slot::integer as slot, c.custom_source_id, c.custom_source_name, c.group_id as org_unit_id
           from call_flow_custom_source l join custom_source c on c.custom_source_id = l.custom_source_id
          where l.call_flow_id = $1 order by l.slot`,
        [callFlowId],
      );
      return rows;
    },

    /** Share-locked, so a concurrent delete of one of them waits until this write is done. */
    async customSourcesForShare(ids: readonly number[]): Promise<CustomSourceRef[]> {
      const { rows } = await db.query<CustomSourceRef>(
        `select custom_source_id, group_id, custom_source_active from custom_source
          where custom_source_id = any($1::integer[]) for share`,
        [ids],
      );
      return rows;
    },

    async assign(
      callFlowId: number,
      slots: readonly number[],
      customSourceIds: readonly number[],
      now: Date,
    ) {
      await db.query(
        `insert into call_flow_custom_source (call_flow_id, slot, custom_source_id, assigned_at)
         select $1, t.slot, t.custom_source_id, $4
           from unnest($2::smallint[], $3::integer[]) as t(slot, custom_source_id)
         on conflict (call_flow_id, slot)
         do update set custom_source_id = excluded.custom_source_id, assigned_at = excluded.assigned_at`,
        [callFlowId, slots, customSourceIds, now],
      );
    },

    async unassign(callFlowId: number, slots: readonly number[]): Promise<void> {
      await db.query(
        'delete from call_flow_custom_source where call_flow_id = $1 and slot = any($2::smallint[])',
        [callFlowId, slots],
      );
    },
  };
}
