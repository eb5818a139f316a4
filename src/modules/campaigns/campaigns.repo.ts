import type { Queryable } from '../../db/index.js';
import { type FilterFields, whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';
import type { Campaign, CampaignRoute, CampaignStatus } from './campaigns.schemas.js';

export type CampaignRow = Campaign;

export interface CampaignUserRow {
  campaign_id: number;
  ct_user_id: number;
  first_name: string;
  last_name: string;
  user_email: string;
  user_ext_id: string | null;
  user_title: string | null;
  role_id: number;
  user_status: string;
  group_id: number;
}

export type CampaignRouteRow = CampaignRoute & { campaign_id: number };

export interface CampaignValues {
  campaign_name: string;
  campaign_ext_id: string;
  campaign_status: CampaignStatus;
  campaign_start_date: Date;
  campaign_end_date: Date | null;
  campaign_owner_user_id: number;
  group_id: number;
}

export const campaignFilterFields: FilterFields = {
  campaign_id: { column: 'c.campaign_id', type: 'integer' },
  campaign_name: { column: 'c.campaign_name', type: 'string' },
  campaign_ext_id: { column: 'c.campaign_ext_id', type: 'string' },
  campaign_status: { column: 'c.campaign_status', type: 'string' },
  campaign_start_date: { column: 'c.campaign_start_date', type: 'date' },
  campaign_end_date: { column: 'c.campaign_end_date', type: 'date' },
  campaign_created: { column: 'c.campaign_created', type: 'date' },
  campaign_modified: { column: 'c.campaign_modified', type: 'date' },
  campaign_owner_user_id: { column: 'c.campaign_owner_user_id', type: 'integer' },
  group_id: { column: 'c.group_id', type: 'integer' },
};

const CAMPAIGN_COLUMNS = `
  c.campaign_id, c.campaign_name, c.campaign_ext_id, c.campaign_status,
  ${isoTime('c.campaign_start_date')} as campaign_start_date,
  ${isoTime('c.campaign_end_date')} as campaign_end_date,
  ${isoTime('c.campaign_created')} as campaign_created,
  ${isoTime('c.campaign_modified')} as campaign_modified,
  c.campaign_owner_user_id, o.first_name as owner_fname, o.last_name as owner_lname, c.group_id`;

const FROM_CAMPAIGNS = 'campaign c join app_user o on o.ct_user_id = c.campaign_owner_user_id';

const VALUE_COLUMNS = [
  'campaign_name',
  'campaign_ext_id',
  'campaign_status',
  'campaign_start_date',
  'campaign_end_date',
  'campaign_owner_user_id',
  'group_id',
] as const;

export function createCampaignsRepo(db: Queryable) {
  return {
    /**
     * The campaign when its group lies in the scope of `scopeGroupId`, else undefined.
     */
    async findInScope(scopeGroupId: number, campaignId: number): Promise<CampaignRow | undefined> {
      const { rows } = await db.query<CampaignRow>(
        `select ${CAMPAIGN_COLUMNS} from ${FROM_CAMPAIGNS}
          where c.campaign_id = $2 and ${inScope('c.group_id', '$1')}`,
        [scopeGroupId, campaignId],
      );
      return rows[0];
    },

    /**
     * Campaigns in the scope of `scopeGroupId`, ordered by id; filter params start at $4.
     * Deleted campaigns are left out unless `withDeleted`.
     */
    async list(scopeGroupId: number, page: ListPage, withDeleted: boolean): Promise<CampaignRow[]> {
      const conditions = [
        inScope('c.group_id', '$1'),
        ...(withDeleted ? [] : ["c.campaign_status <> 'deleted'"]),
        ...page.filter.conditions,
      ];
      const { rows } = await db.query<CampaignRow>(
        `select ${CAMPAIGN_COLUMNS} from ${FROM_CAMPAIGNS}
          where ${whereClause(conditions)}
          order by c.campaign_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    async usersOf(campaignIds: readonly number[]): Promise<CampaignUserRow[]> {
      if (campaignIds.length === 0) return [];
      const { rows } = await db.query<CampaignUserRow>(
        `select cu.campaign_id, u.ct_user_id, u.first_name, u.last_name, u.user_email, u.user_ext_id,
                u.user_title, u.role_id::integer as role_id, u.user_status, u.group_id
           from campaign_user cu join app_user u on u.ct_user_id = cu.ct_user_id
          where cu.campaign_id = any($1::integer[])
          order by cu.campaign_id, u.ct_user_id`,
        [campaignIds],
      );
      return rows;
    },

    /** The call flows of the given campaigns. */
    async routesOf(campaignIds: readonly number[]): Promise<CampaignRouteRow[]> {
      if (campaignIds.length === 0) return [];
      const { rows } = await db.query<CampaignRouteRow>(
        `select f.campaign_id, f.call_flow_id, f.routable_type as route_type, f.call_flow_name,
                ${isoTime('f.call_flow_created')} as call_flow_created, ${isoTime('f.updated_at')} as call_flow_modified,
                f.call_flow_status, (f.document ->> 'repeat_interval')::numeric as repeat_interval,
                (f.document ->> 'call_value')::numeric as call_value
           from call_flow f
          where f.campaign_id = any($1::integer[]) and f.call_flow_status <> 'deleted'
          order by f.call_flow_id`,
        [campaignIds],
      );
      return rows;
    },

    /** True when the user's group is the caller's group (`scopeGroupId`) or below it. */
    async userInScope(scopeGroupId: number, userId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from app_user u where u.ct_user_id = $2 and ${inScope('u.group_id', '$1')}`,
        [scopeGroupId, userId],
      );
      return rowCount > 0;
    },

    /** True when the user can see `groupId`: the user's own group is that group or above it. */
    async userSeesGroup(userId: number, groupId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from app_user u join org_group g on g.path @> array[u.group_id]
          where u.ct_user_id = $1 and g.group_id = $2`,
        [userId, groupId],
      );
      return rowCount > 0;
    },

    async insert(values: CampaignValues, now: Date): Promise<number> {
      const { rows } = await db.query<{ campaign_id: number }>(
        `insert into campaign (campaign_created, ${VALUE_COLUMNS.join(', ')})
         values ($1, ${VALUE_COLUMNS.map((_, i) => `$${i + 2}`).join(', ')})
         returning campaign_id`,
        [now, ...VALUE_COLUMNS.map((column) => values[column])],
      );
      return (rows[0] as { campaign_id: number }).campaign_id;
    },

    async update(campaignId: number, values: CampaignValues, now: Date): Promise<void> {
      await db.query(
        `update campaign set ${VALUE_COLUMNS.map((column, i) => `${column} = $${i + 3}`).join(', ')},
                campaign_modified = $2
          where campaign_id = $1`,
        [campaignId, now, ...VALUE_COLUMNS.map((column) => values[column])],
      );
    },

    /** Attaches users; ones already attached are left as they are. */
    async addUsers(campaignId: number, userIds: readonly number[]): Promise<void> {
      if (userIds.length === 0) return;
      await db.query(
        `insert into campaign_user (campaign_id, ct_user_id)
         select $1, unnest($2::integer[])
         on conflict (campaign_id, ct_user_id) do nothing`,
        [campaignId, userIds],
      );
    },

    /**
     * Marks the in-scope, not yet deleted campaigns among `campaignIds` deleted; returns their ids.
     * One statement, so a caller inside a transaction can compare and roll back.
     */
    async softDelete(scopeGroupId: number, campaignIds: readonly number[], now: Date): Promise<number[]> {
      const { rows } = await db.query<{ campaign_id: number }>(
        `update campaign c set campaign_status = 'deleted', campaign_modified = $3
          where c.campaign_id = any($2::integer[]) and c.campaign_status <> 'deleted'
            and ${inScope('c.group_id', '$1')}
          returning c.campaign_id`,
        [scopeGroupId, campaignIds, now],
      );
      return rows.map((row) => row.campaign_id);
    },
  };
}

export type CampaignsRepo = ReturnType<typeof createCampaignsRepo>;
