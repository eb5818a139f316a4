import type { Db } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import { compileFilter, type FilterFields } from '../../http/filter.js';
import type { Clock } from '../../lib/clock.js';
import { toNanp10 } from '../../lib/phone.js';
import type { Principal } from '../auth/principal.js';
import { UNAUTHORIZED_CAMPAIGN } from '../campaigns/campaigns.service.js';
import { applyEntries } from '../shared/entries.js';
import { type ListQuery, toPage } from '../shared/list.js';
import {
  callFlowFilterFields,
  createCallFlowListsRepo,
  type FlowNumberRow,
  type FlowSelection,
  type FlowSummaryRow,
  recordingFilterFields,
} from './callflow-lists.repo.js';
import type { CallFlowCounts, CallFlowNumber, PoolNumberRemoval } from './callflow-lists.schemas.js';
import { withoutSecrets } from './callflow-secrets.js';

/** A `filter` that names call_flow_status asks for deleted flows too (`call_flow_status=deleted`). */
const filtersOnStatus = (filter: string | undefined) =>
  (filter ?? '').split(',').some((rule) => /^call_flow_status(>=|<=|!=|=)/.test(rule.trim()));

/** Deleted flows stay out of lists unless the filter names call_flow_status. */
const listed = (query: ListQuery, campaignId?: number): FlowSelection => ({
  statuses: filtersOnStatus(query.filter) ? 'all' : 'live',
  campaignId,
});

/** Fixed parameters of every list query: scope, limit, offset, campaign. */
const FIXED_PARAMS = 4;
const page = (query: ListQuery, fields: FilterFields = callFlowFilterFields) =>
  toPage(query, fields, FIXED_PARAMS);

/** V2's number item: npa, nxx and ocn are slices of the 10 digits (ocn as an integer). */
const toNumberItem = (row: FlowNumberRow): CallFlowNumber => ({
  phone_number_id: row.phone_number_id,
  phone_number: row.number,
  rate_center: row.rate_center,
  npa: row.number.slice(0, 3),
  nxx: row.number.slice(3, 6),
  ocn: Number(row.number.slice(6)),
});

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

export function createCallFlowListsService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createCallFlowListsRepo(db);

  async function withNumbers<Row extends FlowSummaryRow>(rows: Row[]) {
    const numbers = groupBy(await repo.numbersOf(rows.map((r) => r.call_flow_id)), (n) => n.call_flow_id);
    return rows.map((row) => ({ ...row, number: (numbers.get(row.call_flow_id) ?? []).map(toNumberItem) }));
  }

  return {
    list(principal: Principal, query: ListQuery) {
      return repo.list(principal.groupId, page(query), listed(query));
    },

    async listByCampaign(principal: Principal, campaignId: number, query: ListQuery) {
      if (!(await repo.campaignInScope(principal.groupId, campaignId))) throw notFound(UNAUTHORIZED_CAMPAIGN);
      return repo.list(principal.groupId, page(query), listed(query, campaignId));
    },

    listDeleted(principal: Principal, query: ListQuery) {
      return repo.list(principal.groupId, page(query), { statuses: 'deleted' });
    },

    /** Each row with its route document; the tracking number is the summary's (see List With Numbers). */
    async listWithRoutes(principal: Principal, query: ListQuery) {
      const rows = await repo.listWithDocument(principal.groupId, page(query), listed(query));
      return rows.map(({ document, ...summary }) => {
        const { number: _number, number_pool: _pool, ...route } = document;
        return { ...withoutSecrets(route), ...summary };
      });
    },

    async listWithLocation(principal: Principal, query: ListQuery) {
      const rows = await repo.listGeo(principal.groupId, page(query), listed(query));
      const locations = groupBy(
        await repo.locationsOf(
          principal.groupId,
          rows.map((r) => r.call_flow_id),
        ),
        (l) => l.call_flow_id,
      );
      return rows.map((row) => ({
        ...row,
        location: (locations.get(row.call_flow_id) ?? []).map(({ call_flow_id: _, ...location }) => location),
      }));
    },

    async listWithNumbers(principal: Principal, query: ListQuery) {
      return withNumbers(await repo.list(principal.groupId, page(query), listed(query)));
    },

    /** Flows that would record a call starting now (`clock`): those with a passed record_until are left out. */
    listWithRecording(principal: Principal, query: ListQuery) {
      const recordingPage = toPage(query, recordingFilterFields, FIXED_PARAMS + 1);
      return repo.listRecording(principal.groupId, recordingPage, clock.now());
    },

    /** Call actions arrive with issue 5; until then every flow has none. */
    async listWithActions(principal: Principal, query: ListQuery) {
      const rows = await repo.list(principal.groupId, page(query), listed(query));
      return rows.map((row) => ({ ...row, actions: [] }));
    },

    async listWithDni(principal: Principal, query: ListQuery) {
      return withNumbers(await repo.listPools(principal.groupId, page(query), listed(query)));
    },

    /**
     * `by_status` counts every status, deleted included; `total` and `by_routable_type` count the
     * flows List Call Flows would show for the same filter.
     */
    async count(principal: Principal, filter: string | undefined): Promise<CallFlowCounts> {
      const rows = await repo.countByStatusAndType(
        principal.groupId,
        compileFilter(filter, callFlowFilterFields, 2),
      );
      const withDeleted = filtersOnStatus(filter);
      const counts: CallFlowCounts = {
        total: 0,
        by_status: { active: 0, inactive: 0, suspended: 0, deleted: 0 },
        by_routable_type: {},
      };
      for (const row of rows) {
        const status = row.call_flow_status as keyof CallFlowCounts['by_status'];
        counts.by_status[status] += row.count;
        if (status === 'deleted' && !withDeleted) continue;
        counts.total += row.count;
        counts.by_routable_type[row.routable_type] =
          (counts.by_routable_type[row.routable_type] ?? 0) + row.count;
      }
      return counts;
    },

    /**
     * Soft-deletes all the given flows or none, as DELETE /v2/campaign does: status `deleted`, a new
     * version, the tracking number kept by its group as reserved, pool numbers back in the inventory.
     */
    async remove(principal: Principal, callFlowIds: readonly number[]): Promise<number[]> {
      const ids = [...new Set(callFlowIds)];
      return db.transaction(async (tx) => {
        const txRepo = createCallFlowListsRepo(tx);
        const now = clock.now();
        const deleted = await txRepo.softDelete(principal.groupId, ids, now);
        const deletedIds = new Set(deleted.map((flow) => flow.call_flow_id));
        const refused = ids.filter((id) => !deletedIds.has(id));
        if (refused.length > 0) {
          const message = `Call Flow(s) not permissible for deletion : ${refused.join(', ')}`;
          throw invalidInput(message, { err: [message] });
        }
        await txRepo.insertCurrentVersions(ids, now, principal.userId);
        await txRepo.releaseTrackingNumbers(deleted.flatMap((flow) => flow.phone_number_id ?? []));
        await txRepo.emptyPools(deleted.flatMap((flow) => flow.pool_id ?? []));
        return ids;
      });
    },

    /** Each entry in its own transaction: the number goes back to the inventory, the pool shrinks by one. */
    removePoolNumbers(principal: Principal, entries: readonly PoolNumberRemoval[]) {
      return applyEntries(db, entries, async (tx, entry) => {
        const txRepo = createCallFlowListsRepo(tx);
        const number = toNanp10(entry.phone_number);
        if (!number)
          throw invalidInput(`phone_number ${entry.phone_number} is not a valid 10-digit phone number`);
        const flow = await txRepo.findPoolFlow(principal.groupId, entry.call_flow_id);
        if (!flow || flow.call_flow_status === 'deleted') {
          throw invalidInput(`call_flow_id ${entry.call_flow_id} is not a call flow you can access`);
        }
        if (flow.pool_id === null)
          throw invalidInput(`call_flow_id ${flow.call_flow_id} does not use a number pool`);
        const phoneNumberId = await txRepo.detachPoolNumber(flow.pool_id, number);
        if (phoneNumberId === undefined) {
          throw invalidInput(
            `phone_number ${number} is not in the number pool of call_flow_id ${flow.call_flow_id}`,
          );
        }
        // Throwing here rolls the detach back.
        if (!(await txRepo.shrinkPool(flow.pool_id))) {
          throw invalidInput(
            `phone_number ${number} is the last number of the pool; a pool keeps at least one`,
          );
        }
        await txRepo.touchFlow(flow.call_flow_id, clock.now());
        return phoneNumberId;
      });
    },
  };
}

export type CallFlowListsService = ReturnType<typeof createCallFlowListsService>;
