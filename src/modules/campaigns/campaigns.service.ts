import { DateTime } from 'luxon';
import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { createGroupsRepo } from '../groups/groups.repo.js';
import { applyEntries } from '../shared/entries.js';
import { type ListQuery, toPage } from '../shared/list.js';
import {
  type CampaignRow,
  type CampaignValues,
  campaignFilterFields,
  createCampaignsRepo,
} from './campaigns.repo.js';
import type {
  CampaignEntry,
  CampaignUserEntry,
  CampaignWithRoutes,
  CampaignWithUsers,
} from './campaigns.schemas.js';

/** V2's answer for a campaign that is missing or outside the caller's groups (the same on purpose). */
export const UNAUTHORIZED_CAMPAIGN = 'User is unauthorized to view the requested campaign';

/** V2 returns a non-null `password` with each campaign user; we never return the hash. */
export const PASSWORD_PLACEHOLDER = '********';

/** A `filter` that names campaign_status asks for deleted campaigns too (`campaign_status=deleted`). */
const filtersOnStatus = (filter: string | undefined) =>
  (filter ?? '').split(',').some((rule) => /^campaign_status(>=|<=|!=|=)/.test(rule.trim()));

/** The body's RFC 3339 date-time as a Date; the schema has checked its shape already. */
function toDate(value: string, field: string): Date {
  const parsed = DateTime.fromISO(value.replace(' ', 'T').toUpperCase(), { setZone: true });
  if (!parsed.isValid) throw invalidInput(`${field} ${value} is not a valid date-time`);
  // Both engines must store it: keep to four-digit years in UTC.
  const year = parsed.toUTC().year;
  if (year < 1000 || year > 9999)
    throw invalidInput(`${field} ${value} is out of range (years 1000 to 9999)`);
  return parsed.toJSDate();
}

export function createCampaignsService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createCampaignsRepo(db);

  async function withUsers(campaigns: CampaignRow[]): Promise<CampaignWithUsers[]> {
    const users = await repo.usersOf(campaigns.map((c) => c.campaign_id));
    return campaigns.map((campaign) => ({
      ...campaign,
      users: users
        .filter((u) => u.campaign_id === campaign.campaign_id)
        .map(({ campaign_id: _, ...user }) => ({ ...user, password: PASSWORD_PLACEHOLDER })),
    }));
  }

  async function withRoutes(campaigns: CampaignRow[]): Promise<CampaignWithRoutes[]> {
    const routes = await repo.routesOf(campaigns.map((c) => c.campaign_id));
    return campaigns.map((campaign) => ({
      ...campaign,
      campaign_routes: routes
        .filter((r) => r.campaign_id === campaign.campaign_id)
        .map(({ campaign_id: _, ...route }) => route),
    }));
  }

  /** An owner or member must be a user the caller can access, and must be able to see the campaign. */
  async function requireMember(
    tx: Queryable,
    principal: Principal,
    field: string,
    userId: number,
    groupId: number,
  ): Promise<void> {
    const txRepo = createCampaignsRepo(tx);
    if (!(await txRepo.userInScope(principal.groupId, userId))) {
      throw invalidInput(`${field} ${userId} is not a user you can access`);
    }
    if (!(await txRepo.userSeesGroup(userId, groupId))) {
      throw invalidInput(`${field} ${userId} cannot access group_id ${groupId}`);
    }
  }

  async function saveEntry(tx: Queryable, principal: Principal, entry: CampaignEntry): Promise<number> {
    const txRepo = createCampaignsRepo(tx);
    const existing = entry.campaign_id
      ? await txRepo.findInScope(principal.groupId, entry.campaign_id)
      : undefined;
    if (entry.campaign_id && !existing) throw invalidInput(UNAUTHORIZED_CAMPAIGN);
    if (!(await createGroupsRepo(tx).findInScope(principal.groupId, entry.group_id))) {
      throw invalidInput(`group_id ${entry.group_id} is not a group you can access`);
    }
    await requireMember(
      tx,
      principal,
      'campaign_owner_user_id',
      entry.campaign_owner_user_id,
      entry.group_id,
    );
    const userIds = [...new Set(entry.campaign_users ?? [])];
    for (const userId of userIds)
      await requireMember(tx, principal, 'campaign_users', userId, entry.group_id);

    // On update, optional fields left out keep their current values.
    const startDate = toDate(entry.campaign_start_date, 'campaign_start_date');
    const endDate =
      entry.campaign_end_date === undefined
        ? existing?.campaign_end_date
          ? new Date(existing.campaign_end_date)
          : null
        : entry.campaign_end_date === null
          ? null
          : toDate(entry.campaign_end_date, 'campaign_end_date');
    if (endDate && endDate < startDate) {
      throw invalidInput('campaign_end_date must not be before campaign_start_date');
    }
    const values: CampaignValues = {
      campaign_name: entry.campaign_name,
      campaign_ext_id: entry.campaign_ext_id ?? existing?.campaign_ext_id ?? '',
      campaign_status: entry.campaign_status ?? existing?.campaign_status ?? 'active',
      campaign_start_date: startDate,
      campaign_end_date: endDate,
      campaign_owner_user_id: entry.campaign_owner_user_id,
      group_id: entry.group_id,
    };

    let campaignId: number;
    if (existing) {
      campaignId = existing.campaign_id;
      await txRepo.update(campaignId, values, clock.now());
    } else {
      campaignId = await txRepo.insert(values, clock.now());
    }
    await txRepo.addUsers(campaignId, userIds);
    return campaignId;
  }

  function page(query: ListQuery) {
    return toPage(query, campaignFilterFields, 3);
  }

  return {
    async get(principal: Principal, campaignId: number): Promise<CampaignRow> {
      const campaign = await repo.findInScope(principal.groupId, campaignId);
      if (!campaign) throw notFound(UNAUTHORIZED_CAMPAIGN);
      return campaign;
    },

    list(principal: Principal, query: ListQuery): Promise<CampaignRow[]> {
      return repo.list(principal.groupId, page(query), filtersOnStatus(query.filter));
    },

    async listWithUsers(principal: Principal, query: ListQuery): Promise<CampaignWithUsers[]> {
      return withUsers(await repo.list(principal.groupId, page(query), filtersOnStatus(query.filter)));
    },

    async listWithRoutes(principal: Principal, query: ListQuery): Promise<CampaignWithRoutes[]> {
      return withRoutes(await repo.list(principal.groupId, page(query), filtersOnStatus(query.filter)));
    },

    save(principal: Principal, entries: readonly CampaignEntry[]) {
      return applyEntries(db, entries, (tx, entry) => saveEntry(tx, principal, entry));
    },

    addUsers(principal: Principal, entries: readonly CampaignUserEntry[]) {
      return applyEntries(db, entries, async (tx, entry) => {
        const txRepo = createCampaignsRepo(tx);
        const campaign = await txRepo.findInScope(principal.groupId, entry.campaign_id);
        if (!campaign) throw invalidInput(UNAUTHORIZED_CAMPAIGN);
        if (campaign.campaign_status === 'deleted') {
          throw invalidInput(`campaign_id ${campaign.campaign_id} is deleted`);
        }
        await requireMember(tx, principal, 'ct_user_id', entry.ct_user_id, campaign.group_id);
        await txRepo.addUsers(campaign.campaign_id, [entry.ct_user_id]);
        return campaign.campaign_id;
      });
    },

    /**
     * Soft-deletes all the given campaigns or none: any id that is missing, outside the caller's
     * groups or already deleted refuses the whole request, as V2's DELETE /v2/tag does.
     */
    async remove(principal: Principal, campaignIds: readonly number[]): Promise<number[]> {
      const ids = [...new Set(campaignIds)];
      return db.transaction(async (tx) => {
        const deleted = await createCampaignsRepo(tx).softDelete(principal.groupId, ids, clock.now());
        const refused = ids.filter((id) => !deleted.includes(id));
        if (refused.length > 0) {
          const message = `Campaign(s) not permissible for deletion : ${refused.join(', ')}`;
          throw invalidInput(message, { err: [message] });
        }
        return ids;
      });
    },
  };
}

export type CampaignsService = ReturnType<typeof createCampaignsService>;
