import type { Queryable } from '../../db/index.js';
import { type CompiledFilter, type FilterFields, whereClause } from '../../http/filter.js';
import { RECORD_UNTIL_DATE, RECORD_UNTIL_DATE_TIME } from '../../routing/recording.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';

/** The columns every call-flow list row has. */
export interface FlowSummaryRow {
  call_flow_id: number;
  call_flow_name: string;
  group_id: number;
  campaign_id: number;
  channel_id: number;
  channel: string;
  channel_category: string;
  channel_sub_category: string;
  call_flow_status: string;
  routable_type: string;
  dnis: string | null;
  phone_number_id: number | null;
  pool_id: number | null;
  version: number;
  repeat_interval: number | null;
  call_value: number | null;
  call_flow_created: string;
  created_at: string;
  updated_at: string | null;
}

export type FlowDocumentRow = FlowSummaryRow & { document: Record<string, unknown> };

export interface FlowRecordingRow extends FlowSummaryRow {
  postcall_ivr_enabled: boolean;
  postcall_ivr_id: number | null;
  record_until: string | null;
}

export interface PoolSettings {
  pool_id: number;
  pool_name: string;
  keep_alive_minutes: number;
  number_quantity: number;
  npa: string | null;
  nxx: string | null;
  created_at: string;
}

export type FlowPoolRow = FlowSummaryRow & { number_pool: PoolSettings };

export interface FlowNumberRow {
  call_flow_id: number;
  phone_number_id: number;
  number: string;
  rate_center: string;
}

export interface FlowLocationRow {
  call_flow_id: number;
  location_id: number;
  org_unit_id: number;
  location_name: string;
  location_created: string;
  location_modified: string | null;
  location_active: boolean;
}

export interface StatusTypeCount {
  call_flow_status: string;
  routable_type: string;
  count: number;
}

export interface DeletedFlowRef {
  call_flow_id: number;
  phone_number_id: number | null;
  pool_id: number | null;
}

export interface PoolFlowRef {
  call_flow_id: number;
  call_flow_status: string;
  pool_id: number | null;
}

/** Which flows a list shows, beyond the caller's scope and the filter. */
export interface FlowSelection {
  statuses: 'live' | 'deleted' | 'all';
  campaignId?: number | undefined;
}

export const callFlowFilterFields: FilterFields = {
  call_flow_id: { column: 'f.call_flow_id', type: 'integer' },
  call_flow_name: { column: 'f.call_flow_name', type: 'string' },
  group_id: { column: 'f.group_id', type: 'integer' },
  campaign_id: { column: 'f.campaign_id', type: 'integer' },
  channel_id: { column: 'f.channel_id', type: 'integer' },
  call_flow_status: { column: 'f.call_flow_status', type: 'string' },
  routable_type: { column: 'f.routable_type', type: 'string' },
  dnis: { column: 'p.number', type: 'string' },
  pool_id: { column: 'f.pool_id', type: 'integer' },
  call_flow_created: { column: 'f.call_flow_created', type: 'date' },
  updated_at: { column: 'f.updated_at', type: 'date' },
};

/** The fields V2's QA suite filters GET /v2/callflow/recording on, and no others. */
export const recordingFilterFields: FilterFields = {
  call_flow_id: callFlowFilterFields.call_flow_id as FilterFields[string],
  call_flow_name: callFlowFilterFields.call_flow_name as FilterFields[string],
  group_id: callFlowFilterFields.group_id as FilterFields[string],
};

/** A document value of the given JSON type, else null: documents are validated, but never trusted to 500. */
const documentValue = (field: string, jsonType: 'number' | 'string', cast: string) =>
  `case when jsonb_typeof(f.document -> '${field}') = '${jsonType}' then (f.document ->> '${field}')::${cast} end`;

const SUMMARY_COLUMNS = `
  f.call_flow_id, f.call_flow_name, f.group_id, f.campaign_id, f.channel_id,
  c.category || ': ' || c.sub_category as channel, c.category as channel_category,
  c.sub_category as channel_sub_category, f.call_flow_status, f.routable_type, p.number as dnis,
  f.phone_number_id, f.pool_id, f.version,
  ${documentValue('repeat_interval', 'number', 'numeric')} as repeat_interval,
  ${documentValue('call_value', 'number', 'numeric')} as call_value,
  ${isoTime('f.call_flow_created')} as call_flow_created, ${isoTime('f.call_flow_created')} as created_at,
  ${isoTime('f.updated_at')} as updated_at`;

const FROM_FLOWS = `call_flow f
  join channel c on c.channel_id = f.channel_id
  left join phone_number p on p.phone_number_id = f.phone_number_id`;

/**
 * `record_until` as an instant, by the rule of routing/recording.ts (a date runs to the end of that
 * day in UTC); null when absent or not in one of its forms, which the runtime ignores too.
 */
const RECORD_UNTIL = `(case
  when f.document ->> 'record_until' ~ '${RECORD_UNTIL_DATE.source}'
    then ((f.document ->> 'record_until')::date + 1)::timestamp at time zone 'UTC'
  when f.document ->> 'record_until' ~ '${RECORD_UNTIL_DATE_TIME.source}'
    then (f.document ->> 'record_until')::timestamptz
end)`;

/**
 * jsonpath over a stored route document, at any depth (strict: lax mode would visit array items
 * twice); `silent` so an odd document never fails a list. A flow records a call starting at $5
 * when `record_enabled` is true on the flow or on any option and no `record_until` has passed, or
 * when its `record_until` is still ahead. A geo option (multi-level `action`, single-level
 * `route_type`) names its location in `geoData`; a GeoRoute in `geo_route`.
 */
const RECORDS_AT_$5 = `(${RECORD_UNTIL} > $5::timestamptz or (${RECORD_UNTIL} is null
  and jsonb_path_exists(f.document, 'strict $.** ? (@.record_enabled == true)', '{}', true)))`;
const LOCATION_ID = (at: string) => `${at}.location_id.type() == "number" && ${at}.location_id > 0`;
const GEO_OPTION_LOCATIONS = `'strict $.** ? ((@.action == "geo" || @.route_type == "geo" || @.route_type == "Geo") && ${LOCATION_ID('@.geoData')}).geoData.location_id'`;
const GEO_ROUTE_LOCATION = `'strict $.geo_route ? (${LOCATION_ID('@')}).location_id'`;
const ROUTES_BY_GEO = `(f.routable_type = 'GeoRoute' or jsonb_path_exists(f.document, ${GEO_OPTION_LOCATIONS}, '{}', true))`;

const STATUS_CONDITION: Record<FlowSelection['statuses'], string[]> = {
  live: ["f.call_flow_status <> 'deleted'"],
  deleted: ["f.call_flow_status = 'deleted'"],
  all: [],
};

export function createCallFlowListsRepo(db: Queryable) {
  /**
   * One page of flows in the scope of $1, ordered by id: $2 limit, $3 offset, $4 the campaign
   * (null for any), then `fixed` ($5 ...); filter params follow.
   */
  async function selectFlows<Row>(
    columns: string,
    scopeGroupId: number,
    page: ListPage,
    selection: FlowSelection,
    only: string[] = [],
    extraJoin = '',
    fixed: unknown[] = [],
  ): Promise<Row[]> {
    const conditions = [
      inScope('f.group_id', '$1'),
      '($4::integer is null or f.campaign_id = $4)',
      ...STATUS_CONDITION[selection.statuses],
      ...only,
      ...page.filter.conditions,
    ];
    const { rows } = await db.query<Row>(
      `select ${columns} from ${FROM_FLOWS} ${extraJoin}
        where ${whereClause(conditions)}
        order by f.call_flow_id limit $2 offset $3`,
      [scopeGroupId, page.limit, page.offset, selection.campaignId ?? null, ...fixed, ...page.filter.params],
    );
    return rows;
  }

  return {
    list(scopeGroupId: number, page: ListPage, selection: FlowSelection): Promise<FlowSummaryRow[]> {
      return selectFlows(SUMMARY_COLUMNS, scopeGroupId, page, selection);
    },

    listWithDocument(
      scopeGroupId: number,
      page: ListPage,
      selection: FlowSelection,
    ): Promise<FlowDocumentRow[]> {
      return selectFlows(`${SUMMARY_COLUMNS}, f.document`, scopeGroupId, page, selection);
    },

    /** GeoRoute flows, and flows with a geo option somewhere in their route. */
    listGeo(scopeGroupId: number, page: ListPage, selection: FlowSelection): Promise<FlowSummaryRow[]> {
      return selectFlows(SUMMARY_COLUMNS, scopeGroupId, page, selection, [ROUTES_BY_GEO]);
    },

    /**
     * Live flows that record calls starting `at`: on the flow, on any option of their route, or
     * until a date still ahead. `page`'s filter params start at $6.
     */
    listRecording(scopeGroupId: number, page: ListPage, at: Date): Promise<FlowRecordingRow[]> {
      return selectFlows(
        `${SUMMARY_COLUMNS},
         coalesce(f.document -> 'postcall_ivr_enabled' = 'true'::jsonb, false) as postcall_ivr_enabled,
         ${documentValue('postcall_ivr_id', 'number', 'numeric')} as postcall_ivr_id,
         ${documentValue('record_until', 'string', 'text')} as record_until`,
        scopeGroupId,
        page,
        { statuses: 'live' },
        [RECORDS_AT_$5],
        '',
        [at.toISOString()],
      );
    },

    /** Flows on a number pool, with the pool's settings. */
    listPools(scopeGroupId: number, page: ListPage, selection: FlowSelection): Promise<FlowPoolRow[]> {
      return selectFlows(
        `${SUMMARY_COLUMNS},
         json_build_object('pool_id', np.pool_id, 'pool_name', np.pool_name,
           'keep_alive_minutes', np.keep_alive_minutes, 'number_quantity', np.number_quantity,
           'npa', np.npa, 'nxx', np.nxx, 'created_at', ${isoTime('np.created_at')}) as number_pool`,
        scopeGroupId,
        page,
        selection,
        [],
        'join number_pool np on np.pool_id = f.pool_id',
      );
    },

    /** The tracking number or the pool numbers of each flow, lowest number first. */
    async numbersOf(callFlowIds: readonly number[]): Promise<FlowNumberRow[]> {
      if (callFlowIds.length === 0) return [];
      const { rows } = await db.query<FlowNumberRow>(
        `select f.call_flow_id, p.phone_number_id, p.number, p.rate_center
           from call_flow f join phone_number p on p.phone_number_id = f.phone_number_id
          where f.call_flow_id = any($1::integer[])
         union all
         select f.call_flow_id, p.phone_number_id, p.number, p.rate_center
           from call_flow f join phone_number p on p.pool_id = f.pool_id
          where f.call_flow_id = any($1::integer[])
         order by call_flow_id, number`,
        [callFlowIds],
      );
      return rows;
    },

    /** The locations the geo options of each flow name, when they lie in the scope of $2. */
    async locationsOf(scopeGroupId: number, callFlowIds: readonly number[]): Promise<FlowLocationRow[]> {
      if (callFlowIds.length === 0) return [];
      const { rows } = await db.query<FlowLocationRow>(
        `select distinct f.call_flow_id, l.location_id, l.group_id as org_unit_id, l.location_name,
                ${isoTime('l.location_created')} as location_created,
                ${isoTime('l.location_modified')} as location_modified, l.location_active
           from call_flow f
          cross join lateral (
                select jsonb_path_query(f.document, ${GEO_OPTION_LOCATIONS}, '{}', true)
                union all
                select jsonb_path_query(f.document, ${GEO_ROUTE_LOCATION}, '{}', true) where f.routable_type = 'GeoRoute'
               ) as ref(location_id)
           join geo_location l on l.location_id = (ref.location_id)::numeric
          where f.call_flow_id = any($1::integer[]) and ${inScope('l.group_id', '$2')}
          order by f.call_flow_id, l.location_id`,
        [callFlowIds, scopeGroupId],
      );
      return rows;
    },

    /** Flows in the scope of $1 per status and route type; filter params start at $2. */
    async countByStatusAndType(scopeGroupId: number, filter: CompiledFilter): Promise<StatusTypeCount[]> {
      const { rows } = await db.query<StatusTypeCount>(
        `select f.call_flow_status, f.routable_type, count(*)::integer as count
           from ${FROM_FLOWS}
          where ${whereClause([inScope('f.group_id', '$1'), ...filter.conditions])}
          group by f.call_flow_status, f.routable_type`,
        [scopeGroupId, ...filter.params],
      );
      return rows;
    },

    async campaignInScope(scopeGroupId: number, campaignId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from campaign where campaign_id = $2 and ${inScope('group_id', '$1')}`,
        [scopeGroupId, campaignId],
      );
      return rowCount > 0;
    },

    /**
     * Marks the in-scope, not yet deleted flows among `callFlowIds` deleted and bumps their version;
     * the stored document says `deleted` too, so the version row explains the state.
     */
    async softDelete(
      scopeGroupId: number,
      callFlowIds: readonly number[],
      now: Date,
    ): Promise<DeletedFlowRef[]> {
      const { rows } = await db.query<DeletedFlowRef>(
        `update call_flow f set call_flow_status = 'deleted', version = f.version + 1, updated_at = $3,
                document = f.document || '{"call_flow_status": "deleted"}'::jsonb
          where f.call_flow_id = any($2::integer[]) and f.call_flow_status <> 'deleted'
            and ${inScope('f.group_id', '$1')}
          returning f.call_flow_id, f.phone_number_id, f.pool_id`,
        [scopeGroupId, callFlowIds, now],
      );
      return rows;
    },

    /** Saves the current version of each flow, as every save does. */
    async insertCurrentVersions(callFlowIds: readonly number[], now: Date, userId: number): Promise<void> {
      await db.query(
        `insert into call_flow_version (call_flow_id, version, document, saved_at, saved_by)
         select call_flow_id, version, document, $2, $3 from call_flow where call_flow_id = any($1::integer[])`,
        [callFlowIds, now, userId],
      );
    },

    /** Keeps the numbers with their groups, as reserved, for a later flow. */
    async releaseTrackingNumbers(phoneNumberIds: readonly number[]): Promise<void> {
      if (phoneNumberIds.length === 0) return;
      await db.query(
        `update phone_number set status = 'reserved'
          where phone_number_id = any($1::integer[]) and status = 'assigned'`,
        [phoneNumberIds],
      );
    },

    /** Returns every number of the pools to the shared inventory. */
    async emptyPools(poolIds: readonly number[]): Promise<void> {
      if (poolIds.length === 0) return;
      await db.query(
        `update phone_number
            set status = 'available', pool_id = null, group_id = null, reserved_by = null, reserved_at = null
          where pool_id = any($1::integer[])`,
        [poolIds],
      );
    },

    /** Marks the flow changed; the call_flow trigger tells every process to drop its cached routing. */
    async touchFlow(callFlowId: number, now: Date): Promise<void> {
      await db.query('update call_flow set updated_at = $2 where call_flow_id = $1', [callFlowId, now]);
    },

    async findPoolFlow(scopeGroupId: number, callFlowId: number): Promise<PoolFlowRef | undefined> {
      const { rows } = await db.query<PoolFlowRef>(
        `select call_flow_id, call_flow_status, pool_id from call_flow
          where call_flow_id = $2 and ${inScope('group_id', '$1')}`,
        [scopeGroupId, callFlowId],
      );
      return rows[0];
    },

    /**
     * Takes one off the pool's size unless it is the last number. The row lock serialises
     * concurrent removals from one pool, so two of them cannot both take the last two numbers.
     */
    async shrinkPool(poolId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        'update number_pool set number_quantity = number_quantity - 1 where pool_id = $1 and number_quantity > 1',
        [poolId],
      );
      return rowCount > 0;
    },

    /** Moves a number out of the pool back to the shared inventory; undefined when it is not in the pool. */
    async detachPoolNumber(poolId: number, number: string): Promise<number | undefined> {
      const { rows } = await db.query<{ phone_number_id: number }>(
        `update phone_number
            set status = 'available', pool_id = null, group_id = null, reserved_by = null, reserved_at = null
          where pool_id = $1 and number = $2
          returning phone_number_id`,
        [poolId, number],
      );
      return rows[0]?.phone_number_id;
    },
  };
}

export type CallFlowListsRepo = ReturnType<typeof createCallFlowListsRepo>;
