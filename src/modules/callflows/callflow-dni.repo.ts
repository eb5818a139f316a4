import type { Queryable } from '../../db/index.js';
import { inScope } from '../shared/sql.js';
import type { DniType } from './callflow-dni.schemas.js';

export interface DniFlow {
  call_flow_id: number;
  group_id: number;
  call_flow_status: string;
  pool_id: number | null;
}

export interface DniSettingValues {
  call_flow_id: number;
  dni_type: DniType;
  dni_element: string;
  destination_url: string;
  referrer: string;
  referrer_type: string | null;
  custom_cookie: string;
  dni_code: string | null;
  ttl_minutes: number | null;
  destination_like: string;
  referrer_like: string;
  precedence: number;
}

export interface DniEntryRow {
  group_id: number;
  call_flow_id: number;
  dni_type: DniType;
  dni_element: string;
  destination_url: string;
  referrer: string;
  referrer_type: string | null;
  custom_cookie: string;
  ttl_minutes: number | null;
}

/** A web visit as the snippet reports it: hosts in any case, the traffic type when known. */
export interface DniVisit {
  host: string;
  referrerHost: string;
  referrerType: 'paid' | 'organic' | null;
}

const VALUE_COLUMNS = [
  'call_flow_id',
  'dni_type',
  'dni_element',
  'destination_url',
  'referrer',
  'referrer_type',
  'custom_cookie',
  'dni_code',
  'ttl_minutes',
  'destination_like',
  'referrer_like',
  'precedence',
] as const;

export function createCallFlowDniRepo(db: Queryable) {
  return {
    async findFlowInScope(scopeGroupId: number, callFlowId: number): Promise<DniFlow | undefined> {
      const { rows } = await db.query<DniFlow>(
        `select call_flow_id, group_id, call_flow_status, pool_id
           from call_flow where call_flow_id = $2 and ${inScope('group_id', '$1')}`,
        [scopeGroupId, callFlowId],
      );
      return rows[0];
    },

    /** Whether the flow exists at all and whether it is in the caller's groups; undefined when it does not exist. */
    async flowVisibility(
      scopeGroupId: number,
      callFlowId: number,
    ): Promise<{ in_scope: boolean } | undefined> {
      const { rows } = await db.query<{ in_scope: boolean }>(
        `select ${inScope('group_id', '$1')} as in_scope from call_flow where call_flow_id = $2`,
        [scopeGroupId, callFlowId],
      );
      return rows[0];
    },

    async isGroupInScope(scopeGroupId: number, groupId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        'select 1 from org_group where group_id = $2 and path @> array[$1::integer]',
        [scopeGroupId, groupId],
      );
      return rowCount > 0;
    },

    /** Creates the flow's setting or replaces it whole. */
    async upsert(values: DniSettingValues, now: Date): Promise<void> {
      const updates = VALUE_COLUMNS.filter((column) => column !== 'call_flow_id')
        .map((column) => `${column} = excluded.${column}`)
        .join(', ');
      await db.query(
        `insert into dni_setting (${VALUE_COLUMNS.join(', ')}, created_at)
         values (${VALUE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}, $${VALUE_COLUMNS.length + 1})
         on conflict (call_flow_id) do update set ${updates}, updated_at = excluded.created_at`,
        [...VALUE_COLUMNS.map((column) => values[column]), now],
      );
    },

    /**
     * Makes the pool of the flow keep its visitors as long as the flow's session setting says
     * (V2 copies the setting's TTL into the pool's keep-alive); nothing without a pool or a TTL.
     */
    async copyTtlToPool(callFlowId: number): Promise<void> {
      await db.query(
        `update number_pool np set keep_alive_minutes = d.ttl_minutes
           from call_flow f join dni_setting d on d.call_flow_id = f.call_flow_id
          where f.call_flow_id = $1 and np.pool_id = f.pool_id
            and d.ttl_minutes is not null and np.keep_alive_minutes <> d.ttl_minutes`,
        [callFlowId],
      );
    },

    /** The flow's setting in the shape POST /v2/callflow/dni takes, with the flow's group. */
    async setting(callFlowId: number): Promise<DniEntryRow | undefined> {
      const { rows } = await db.query<DniEntryRow>(
        `select f.group_id, d.call_flow_id, d.dni_type, d.dni_element, d.destination_url, d.referrer,
                d.referrer_type, d.custom_cookie, d.ttl_minutes
           from dni_setting d join call_flow f on f.call_flow_id = d.call_flow_id
          where d.call_flow_id = $1`,
        [callFlowId],
      );
      return rows[0];
    },

    async classes(callFlowId: number): Promise<string[]> {
      const { rows } = await db.query<{ dni_element: string }>(
        'select distinct dni_element from dni_setting where call_flow_id = $1 order by dni_element',
        [callFlowId],
      );
      return rows.map((row) => row.dni_element);
    },

    /**
     * The active flow of `groupId` or a group below it whose setting fits the visit best, in one
     * indexed query (call_flow_group_idx, then dni_setting's key); most specific rule first.
     */
    async findBestMatch(
      groupId: number,
      visit: DniVisit,
    ): Promise<{ call_flow_id: number; dni_type: DniType; dni_element: string } | undefined> {
      const { rows } = await db.query<{ call_flow_id: number; dni_type: DniType; dni_element: string }>(
        `select d.call_flow_id, d.dni_type, d.dni_element
           from call_flow f join dni_setting d on d.call_flow_id = f.call_flow_id
          where ${inScope('f.group_id', '$1')} and f.call_flow_status = 'active'
            and lower($2::text) like d.destination_like and lower($3::text) like d.referrer_like
            and (d.referrer_type is null or d.referrer_type = $4::text)
          order by d.precedence, d.call_flow_id
          limit 1`,
        [groupId, visit.host, visit.referrerHost, visit.referrerType],
      );
      return rows[0];
    },
  };
}
