import type { Queryable } from '../../db/index.js';
import { inScope, isoTime } from '../shared/sql.js';

export interface FlowRef {
  call_flow_id: number;
  group_id: number;
  channel_id: number;
  phone_number_id: number | null;
  pool_id: number | null;
  version: number;
  call_flow_status: string;
  document: Record<string, unknown>;
}

export interface FlowValues {
  group_id: number;
  campaign_id: number;
  channel_id: number;
  call_flow_name: string;
  call_flow_status: string;
  routable_type: string;
  phone_number_id: number | null;
  pool_id: number | null;
  webhook_id: number | null;
  document: unknown;
}

/** A new flow on one named tracking number, as the batch statement writes it. */
export interface NumberedFlow
  extends Pick<
    FlowValues,
    'group_id' | 'campaign_id' | 'channel_id' | 'call_flow_name' | 'call_flow_status' | 'routable_type'
  > {
  /** the entry's place in its request, to match the answer to it */
  ord: number;
  /** the number as 10 digits, or null to name the number by `phone_number_id` */
  number: string | null;
  phone_number_id: number | null;
  document: Record<string, unknown>;
}

/** What the request-wide check found among the ids its entries name (each list: those usable). */
export interface ScopeFacts {
  groups: number[];
  campaigns: number[];
  channels: number[];
  locations: number[];
  /** each named audio reference that exists, with the path (top group down) of its file's group */
  audio: Record<string, number[]>;
}

export interface PoolValues {
  group_id: number;
  pool_name: string;
  keep_alive_minutes: number;
  number_quantity: number;
  npa: string | null;
  nxx: string | null;
}

export interface StoredFlowRow {
  call_flow_id: number;
  group_id: number;
  campaign_id: number;
  channel_id: number;
  call_flow_name: string;
  call_flow_status: string;
  routable_type: string;
  version: number;
  document: Record<string, unknown>;
  call_flow_created: string;
  updated_at: string | null;
  channel_category: string;
  channel_sub_category: string;
  dnis: string | null;
  phone_number_id: number | null;
  rate_center: string | null;
  pool_id: number | null;
  /** the pool as it is now (a removed number shrinks it; a DNI TTL sets its keep-alive) */
  pool: Pick<PoolValues, 'pool_name' | 'keep_alive_minutes' | 'number_quantity'> | null;
}

const FLOW_COLUMNS = [
  'group_id',
  'campaign_id',
  'channel_id',
  'call_flow_name',
  'call_flow_status',
  'routable_type',
  'phone_number_id',
  'pool_id',
  'webhook_id',
  'document',
] as const;

export function createCallFlowsRepo(db: Queryable) {
  return {
    async findInScope(scopeGroupId: number, callFlowId: number): Promise<FlowRef | undefined> {
      const { rows } = await db.query<FlowRef>(
        `select call_flow_id, group_id, channel_id, phone_number_id, pool_id, version, call_flow_status, document
           from call_flow where call_flow_id = $2 and ${inScope('group_id', '$1')}`,
        [scopeGroupId, callFlowId],
      );
      return rows[0];
    },

    async isCampaignUsable(scopeGroupId: number, campaignId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from campaign where campaign_id = $2 and campaign_status <> 'deleted' and ${inScope('group_id', '$1')}`,
        [scopeGroupId, campaignId],
      );
      return rowCount > 0;
    },

    async channelExists(channelId: number): Promise<boolean> {
      const { rowCount } = await db.query('select 1 from channel where channel_id = $1', [channelId]);
      return rowCount > 0;
    },

    /**
     * The groups, campaigns, channels and locations a save may use, among the ids the entries of a
     * request name, and where the audio files they name belong: one statement for the whole request.
     */
    async scopeFacts(
      scopeGroupId: number,
      ids: {
        groups: number[];
        campaigns: number[];
        channels: number[];
        locations: number[];
        audio: string[];
      },
    ): Promise<ScopeFacts> {
      const { rows } = await db.query<ScopeFacts>(
        `select array(select g.group_id from org_group g
                       where g.group_id = any($2::integer[]) and g.path @> array[$1::integer]) as groups,
                array(select campaign_id from campaign
                       where campaign_id = any($3::integer[]) and campaign_status <> 'deleted'
                         and ${inScope('group_id', '$1')}) as campaigns,
                array(select channel_id from channel where channel_id = any($4::integer[])) as channels,
                array(select location_id from geo_location
                       where location_id = any($5::integer[]) and ${inScope('group_id', '$1')}) as locations,
                (select coalesce(jsonb_object_agg(a.reference_id, g.path), '{}'::jsonb)
                   from audio_file a join org_group g on g.group_id = a.group_id
                  where a.reference_id = any($6::text[])) as audio`,
        [scopeGroupId, ids.groups, ids.campaigns, ids.channels, ids.locations, ids.audio],
      );
      return rows[0] as ScopeFacts;
    },

    /**
     * Creates flows that each name one tracking number, in one statement: claims every number
     * that is available or reserved in the caller's scope (rows locked in id order, then
     * re-checked, so of two concurrent claims one wins), gives a number named by several flows to
     * the first of them, and writes each flow and its version 1. Answers the flows written, by
     * `ord`; a flow left out did not get its number.
     */
    async createOnNumbers(
      scopeGroupId: number,
      flows: readonly NumberedFlow[],
      now: Date,
      userId: number,
    ): Promise<{ ord: number; call_flow_id: number }[]> {
      const { rows } = await db.query<{ ord: number; call_flow_id: number }>(
        `with posted as (
           select * from jsonb_to_recordset($1::jsonb) as t(
             ord integer, number text, phone_number_id integer, group_id integer, campaign_id integer,
             channel_id integer, call_flow_name text, call_flow_status text, routable_type text, document jsonb)
         ), claimable as (
           select p.phone_number_id, p.number from phone_number p
            where (p.number in (select number from posted where number is not null)
                   or p.phone_number_id in (select phone_number_id from posted where number is null))
              and p.pool_id is null
              and (p.status = 'available' or (p.status = 'reserved' and ${inScope('p.group_id', '$2')}))
            order by p.phone_number_id
              for update of p
         ), named as (
           select c.phone_number_id, f.ord from posted f join claimable c on c.number = f.number
           union all
           select c.phone_number_id, f.ord from posted f join claimable c on c.phone_number_id = f.phone_number_id
            where f.number is null
         ), chosen as (
           select n.phone_number_id, f.ord, f.group_id, f.campaign_id, f.channel_id, f.call_flow_name,
                  f.call_flow_status, f.routable_type, f.document
             from (select distinct on (phone_number_id) phone_number_id, ord from named order by phone_number_id, ord) n
             join posted f on f.ord = n.ord
         ), claimed as (
           update phone_number p set status = 'assigned', group_id = c.group_id, reserved_by = null, reserved_at = null
             from chosen c where p.phone_number_id = c.phone_number_id
         ), written as (
           insert into call_flow (${FLOW_COLUMNS.join(', ')}, call_flow_created)
           select group_id, campaign_id, channel_id, call_flow_name, call_flow_status, routable_type,
                  phone_number_id, null, null, document, $3
             from chosen order by ord
           returning call_flow_id, phone_number_id, document
         ), versions as (
           insert into call_flow_version (call_flow_id, version, document, saved_at, saved_by)
           select call_flow_id, 1, document, $3, $4 from written
         )
         select c.ord, w.call_flow_id from written w join chosen c on c.phone_number_id = w.phone_number_id`,
        [JSON.stringify(flows), scopeGroupId, now, userId],
      );
      return rows;
    },

    /** The ids among `locationIds` that are not locations in scope. */
    async missingLocations(scopeGroupId: number, locationIds: readonly number[]): Promise<number[]> {
      if (locationIds.length === 0) return [];
      const { rows } = await db.query<{ location_id: number }>(
        `select location_id from geo_location where location_id = any($2::integer[]) and ${inScope('group_id', '$1')}`,
        [scopeGroupId, locationIds],
      );
      const found = new Set(rows.map((row) => row.location_id));
      return locationIds.filter((id) => !found.has(id));
    },

    /**
     * Assigns a tracking number to `groupId`: one that is available, reserved in the caller's scope,
     * or already this flow's. Of two concurrent claims one wins (the row lock, then the re-check).
     */
    async claimTrackingNumber(options: {
      scopeGroupId: number;
      groupId: number;
      number: string | null;
      phoneNumberId: number | null;
      currentPhoneNumberId: number | null;
    }): Promise<number | undefined> {
      const { rows } = await db.query<{ phone_number_id: number }>(
        `update phone_number p set status = 'assigned', group_id = $3, reserved_by = null, reserved_at = null
          where ($1::text is null or p.number = $1) and ($2::integer is null or p.phone_number_id = $2)
            and p.pool_id is null
            and (p.status = 'available'
                 or (p.status = 'reserved' and ${inScope('p.group_id', '$4')})
                 or p.phone_number_id = $5)
          returning p.phone_number_id`,
        [
          options.number,
          options.phoneNumberId,
          options.groupId,
          options.scopeGroupId,
          options.currentPhoneNumberId,
        ],
      );
      return rows[0]?.phone_number_id;
    },

    /** True when `number` is in the inventory, assigned to or reserved by a group in scope. */
    async isNumberHeld(scopeGroupId: number, number: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from phone_number
          where number = $2 and status in ('assigned', 'reserved') and ${inScope('group_id', '$1')}`,
        [scopeGroupId, number],
      );
      return rowCount > 0;
    },

    /** Keeps a number the flow no longer uses with its group, as reserved. */
    async releaseTrackingNumber(phoneNumberId: number): Promise<void> {
      await db.query(
        `update phone_number set status = 'reserved' where phone_number_id = $1 and status = 'assigned'`,
        [phoneNumberId],
      );
    },

    async insertPool(pool: PoolValues, now: Date): Promise<number> {
      const { rows } = await db.query<{ pool_id: number }>(
        `insert into number_pool (group_id, pool_name, keep_alive_minutes, number_quantity, npa, nxx, created_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning pool_id`,
        [
          pool.group_id,
          pool.pool_name,
          pool.keep_alive_minutes,
          pool.number_quantity,
          pool.npa,
          pool.nxx,
          now,
        ],
      );
      return (rows[0] as { pool_id: number }).pool_id;
    },

    async findPoolInScope(
      scopeGroupId: number,
      poolId: number,
    ): Promise<(PoolValues & { pool_id: number }) | undefined> {
      const { rows } = await db.query<PoolValues & { pool_id: number }>(
        `select pool_id, group_id, pool_name, keep_alive_minutes, number_quantity, npa, nxx
           from number_pool where pool_id = $2 and ${inScope('group_id', '$1')}`,
        [scopeGroupId, poolId],
      );
      return rows[0];
    },

    async updatePool(
      poolId: number,
      changes: Pick<PoolValues, 'pool_name' | 'keep_alive_minutes'>,
    ): Promise<void> {
      await db.query('update number_pool set pool_name = $2, keep_alive_minutes = $3 where pool_id = $1', [
        poolId,
        changes.pool_name,
        changes.keep_alive_minutes,
      ]);
    },

    /**
     * Deletes a pool whose numbers have left it, with its leases, unless a flow still names it (a
     * deleted flow keeps its emptied pool).
     */
    async deletePool(poolId: number): Promise<void> {
      await db.query(
        'delete from number_pool where pool_id = $1 and not exists (select 1 from call_flow where pool_id = $1)',
        [poolId],
      );
    },

    async attachToPool(poolId: number, numbers: readonly string[]): Promise<void> {
      await db.query('update phone_number set pool_id = $1 where number = any($2::text[])', [
        poolId,
        numbers,
      ]);
    },

    async poolOwner(poolId: number): Promise<number | undefined> {
      const { rows } = await db.query<{ call_flow_id: number }>(
        `select call_flow_id from call_flow where pool_id = $1 and call_flow_status <> 'deleted'`,
        [poolId],
      );
      return rows[0]?.call_flow_id;
    },

    async insertFlow(values: FlowValues, now: Date): Promise<number> {
      const { rows } = await db.query<{ call_flow_id: number }>(
        `insert into call_flow (${FLOW_COLUMNS.join(', ')}, call_flow_created)
         values (${FLOW_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}, $${FLOW_COLUMNS.length + 1})
         returning call_flow_id`,
        [...FLOW_COLUMNS.map((column) => values[column]), now],
      );
      return (rows[0] as { call_flow_id: number }).call_flow_id;
    },

    /** Replaces the whole flow and bumps its version; returns the new version. */
    async replaceFlow(callFlowId: number, values: FlowValues, now: Date): Promise<number> {
      const { rows } = await db.query<{ version: number }>(
        `update call_flow set ${FLOW_COLUMNS.map((column, i) => `${column} = $${i + 3}`).join(', ')},
                version = version + 1, updated_at = $2
          where call_flow_id = $1 returning version`,
        [callFlowId, now, ...FLOW_COLUMNS.map((column) => values[column])],
      );
      return (rows[0] as { version: number }).version;
    },

    async insertVersion(callFlowId: number, version: number, document: unknown, now: Date, userId: number) {
      await db.query(
        `insert into call_flow_version (call_flow_id, version, document, saved_at, saved_by)
         values ($1, $2, $3, $4, $5)`,
        [callFlowId, version, document, now, userId],
      );
    },

    async findStored(scopeGroupId: number, callFlowId: number): Promise<StoredFlowRow | undefined> {
      const { rows } = await db.query<StoredFlowRow>(
        `select f.call_flow_id, f.group_id, f.campaign_id, f.channel_id, f.call_flow_name, f.call_flow_status,
                f.routable_type, f.version, f.document, f.phone_number_id, f.pool_id,
                ${isoTime('f.call_flow_created')} as call_flow_created, ${isoTime('f.updated_at')} as updated_at,
                c.category as channel_category, c.sub_category as channel_sub_category,
                p.number as dnis, p.rate_center,
                case when np.pool_id is not null then
                  json_build_object('pool_name', np.pool_name, 'keep_alive_minutes', np.keep_alive_minutes,
                                    'number_quantity', np.number_quantity) end as pool
           from call_flow f
           join channel c on c.channel_id = f.channel_id
           left join phone_number p on p.phone_number_id = f.phone_number_id
           left join number_pool np on np.pool_id = f.pool_id
          where f.call_flow_id = $2 and ${inScope('f.group_id', '$1')}`,
        [scopeGroupId, callFlowId],
      );
      return rows[0];
    },

    async poolNumbers(
      poolId: number,
    ): Promise<{ phone_number_id: number; number: string; rate_center: string }[]> {
      const { rows } = await db.query<{ phone_number_id: number; number: string; rate_center: string }>(
        'select phone_number_id, number, rate_center from phone_number where pool_id = $1 order by number',
        [poolId],
      );
      return rows;
    },

    async versions(
      callFlowId: number,
    ): Promise<
      { version: number; document: Record<string, unknown>; saved_at: string; saved_by: number | null }[]
    > {
      const { rows } = await db.query<{
        version: number;
        document: Record<string, unknown>;
        saved_at: string;
        saved_by: number | null;
      }>(
        `select version, document, ${isoTime('saved_at')} as saved_at, saved_by
           from call_flow_version where call_flow_id = $1 order by version`,
        [callFlowId],
      );
      return rows;
    },
  };
}
