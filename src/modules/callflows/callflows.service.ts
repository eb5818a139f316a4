import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { toNanp10 } from '../../lib/phone.js';
import type { Principal } from '../auth/principal.js';
import { createGroupsRepo } from '../groups/groups.repo.js';
import { claimAvailable } from '../numbers/numbers.repo.js';
import { applyEntries } from '../shared/entries.js';
import { createCallFlowsRepo, type FlowRef, type StoredFlowRow } from './callflows.repo.js';
import type { MultilevelIvrFlow } from './callflows.schemas.js';
import { isUnset, locationIds, multilevelIvrReason } from './callflows.validate.js';

export interface CallFlowServiceDeps {
  db: Db;
  clock: Clock;
}

export function createCallFlowsService({ db, clock }: CallFlowServiceDeps) {
  /** The tracking number or pool for a flow, taken from the inventory in the same transaction. */
  async function provisionNumbers(
    tx: Queryable,
    principal: Principal,
    flow: MultilevelIvrFlow,
    existing: FlowRef | undefined,
  ): Promise<{ phone_number_id: number | null; pool_id: number | null }> {
    const repo = createCallFlowsRepo(tx);
    const now = clock.now();
    if (flow.number) {
      const number = isUnset(flow.number.phone_number)
        ? null
        : (toNanp10(flow.number.phone_number as string) ?? null);
      const phoneNumberId = isUnset(flow.number.phone_number_id) ? null : Number(flow.number.phone_number_id);
      const claimed = await repo.claimTrackingNumber({
        scopeGroupId: principal.groupId,
        groupId: flow.group_id,
        number,
        phoneNumberId: number === null ? phoneNumberId : null,
        currentPhoneNumberId: existing?.phone_number_id ?? null,
      });
      if (claimed === undefined) {
        throw invalidInput(
          `phone_number ${number ?? `id ${phoneNumberId}`} is not available: it is unknown, or used by another call flow`,
        );
      }
      if (existing?.phone_number_id && existing.phone_number_id !== claimed) {
        await repo.releaseTrackingNumber(existing.phone_number_id);
      }
      return { phone_number_id: claimed, pool_id: null };
    }

    const pool = flow.number_pool ?? {};
    if (!isUnset(pool.pool_id)) {
      const found = await repo.findPoolInScope(principal.groupId, Number(pool.pool_id));
      if (!found) throw invalidInput(`pool_id ${pool.pool_id} is not a number pool you can access`);
      const owner = await repo.poolOwner(found.pool_id);
      if (owner !== undefined && owner !== existing?.call_flow_id) {
        throw invalidInput(`pool_id ${pool.pool_id} is used by call flow ${owner}`);
      }
      await repo.updatePool(found.pool_id, {
        pool_name: pool.pool_name?.trim() || found.pool_name,
        keep_alive_minutes: pool.keep_alive_minutes ?? found.keep_alive_minutes,
      });
      return { phone_number_id: null, pool_id: found.pool_id };
    }

    const quantity = pool.number_quantity ?? 1;
    const npa = isUnset(pool.npa) ? null : String(pool.npa);
    const nxx = isUnset(pool.nxx) ? null : String(pool.nxx);
    const poolId = await repo.insertPool(
      {
        group_id: flow.group_id,
        pool_name: pool.pool_name?.trim() ?? '',
        keep_alive_minutes: pool.keep_alive_minutes ?? 60,
        number_quantity: quantity,
        npa,
        nxx,
      },
      now,
    );
    const numbers = await claimAvailable(tx, {
      groupId: flow.group_id,
      npa: npa ?? undefined,
      nxx: nxx ?? undefined,
      quantity,
    });
    if (numbers.length < quantity) {
      const where = [npa && `npa ${npa}`, nxx && `nxx ${nxx}`].filter(Boolean).join(' and ');
      throw invalidInput(
        `Only ${numbers.length} numbers are available${where ? ` for ${where}` : ''}; number_quantity asks for ${quantity}`,
      );
    }
    await repo.attachToPool(poolId, numbers);
    return { phone_number_id: null, pool_id: poolId };
  }

  async function saveMultilevelIvr(
    tx: Queryable,
    principal: Principal,
    flow: MultilevelIvrFlow,
  ): Promise<string> {
    const reason = multilevelIvrReason(flow);
    if (reason) throw invalidInput(reason);
    const repo = createCallFlowsRepo(tx);

    const existing = flow.call_flow_id
      ? await repo.findInScope(principal.groupId, flow.call_flow_id)
      : undefined;
    if (flow.call_flow_id && (!existing || existing.call_flow_status === 'deleted')) {
      throw invalidInput(`call_flow_id ${flow.call_flow_id} is not a call flow you can access`);
    }
    if (!(await createGroupsRepo(tx).findInScope(principal.groupId, flow.group_id))) {
      throw invalidInput(`group_id ${flow.group_id} is not a group you can access`);
    }
    if (!(await repo.isCampaignUsable(principal.groupId, flow.campaign_id))) {
      throw invalidInput(`campaign_id ${flow.campaign_id} is not a campaign you can access`);
    }
    if (!(await repo.channelExists(flow.channel_id)))
      throw invalidInput(`channel_id ${flow.channel_id} does not exist`);
    if (flow.webhook_enabled) {
      // Webhooks are stored from issue 5 on; until then no webhook id can be valid.
      throw invalidInput(`webhook_id ${flow.webhook_id ?? 0} is not a webhook you can access`);
    }
    const missing = await repo.missingLocations(principal.groupId, [...new Set(locationIds(flow.ivrs))]);
    if (missing.length > 0) throw invalidInput(`location_id ${missing[0]} is not a location you can access`);

    const numbers = await provisionNumbers(tx, principal, flow, existing);
    const { call_flow_id: _ignored, ...document } = flow;
    const values = {
      group_id: flow.group_id,
      campaign_id: flow.campaign_id,
      channel_id: flow.channel_id,
      call_flow_name: flow.call_flow_name,
      call_flow_status: flow.call_flow_status ?? 'active',
      routable_type: 'IvrRoute2',
      ...numbers,
      webhook_id: null,
      document: JSON.stringify(document),
    };
    const now = clock.now();
    const callFlowId = existing ? existing.call_flow_id : await repo.insertFlow(values, now);
    const version = existing ? await repo.replaceFlow(existing.call_flow_id, values, now) : 1;
    await repo.insertVersion(callFlowId, version, values.document, now, principal.userId);
    return String(callFlowId);
  }

  function toV2(
    row: StoredFlowRow,
    poolNumbers: { phone_number_id: number; number: string; rate_center: string }[],
  ) {
    const numberRows = row.dnis
      ? [
          {
            phone_number_id: row.phone_number_id as number,
            number: row.dnis,
            rate_center: row.rate_center ?? '',
          },
        ]
      : poolNumbers;
    const document = row.document as Record<string, unknown>;
    return {
      ...document,
      call_flow_id: row.call_flow_id,
      call_flow_name: row.call_flow_name,
      call_flow_status: row.call_flow_status,
      group_id: row.group_id,
      campaign_id: row.campaign_id,
      channel_id: row.channel_id,
      channel: `${row.channel_category}: ${row.channel_sub_category}`,
      channel_category: row.channel_category,
      channel_sub_category: row.channel_sub_category,
      routable_type: row.routable_type,
      dnis: row.dnis,
      message_enabled: typeof document.message === 'string' && document.message.trim() !== '',
      version: row.version,
      call_flow_created: row.call_flow_created,
      created_at: row.call_flow_created,
      updated_at: row.updated_at,
      // V2 answers `number` as a list with inventory details; the posted fields stay in each element.
      number: numberRows.map((n) => ({
        phone_number_id: n.phone_number_id,
        phone_number:
          document.number && row.dnis
            ? ((document.number as { phone_number?: unknown }).phone_number ?? n.number)
            : n.number,
        rate_center: n.rate_center,
        npa: n.number.slice(0, 3),
        nxx: n.number.slice(3, 6),
        ocn: Number(n.number.slice(6)),
      })),
      ...(row.pool_id ? { number_pool: { ...(document.number_pool as object), pool_id: row.pool_id } } : {}),
    };
  }

  return {
    async saveMultilevelIvr(principal: Principal, entries: readonly MultilevelIvrFlow[]) {
      const results = await applyEntries(db, entries, (tx, flow) => saveMultilevelIvr(tx, principal, flow), {
        '23505': 'phone_number is already used by another call flow',
      });
      return results.map((r) => ({ ...r, data: String(r.data) }));
    },

    async get(principal: Principal, callFlowId: number) {
      const repo = createCallFlowsRepo(db);
      const row = await repo.findStored(principal.groupId, callFlowId);
      if (!row) throw notFound();
      return toV2(row, row.pool_id ? await repo.poolNumbers(row.pool_id) : []);
    },

    async history(principal: Principal, callFlowId: number) {
      const repo = createCallFlowsRepo(db);
      if (!(await repo.findInScope(principal.groupId, callFlowId))) throw notFound();
      return repo.versions(callFlowId);
    },
  };
}

export type CallFlowsService = ReturnType<typeof createCallFlowsService>;
