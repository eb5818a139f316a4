import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { toNanp10 } from '../../lib/phone.js';
import type { Principal } from '../auth/principal.js';
import { createGroupsRepo } from '../groups/groups.repo.js';
import { type BranchRow, createMiscRepo, type LocationRow } from '../misc/misc.repo.js';
import { claimAvailable } from '../numbers/numbers.repo.js';
import { applyEntries } from '../shared/entries.js';
import { isWebhookInScope } from '../webhooks/webhooks.service.js';
import {
  type CallFlowEntry,
  type OutboundFlowEntry,
  ROUTE_TYPES,
  type RouteKey,
} from './callflow-create.schemas.js';
import { createCallFlowsRepo, type FlowRef, type StoredFlowRow } from './callflows.repo.js';
import type { MultilevelIvrFlow } from './callflows.schemas.js';
import {
  callFlowLocationIds,
  callFlowReason,
  isHangupTarget,
  isUnset,
  locationIds,
  multilevelIvrReason,
} from './callflows.validate.js';

export interface CallFlowServiceDeps {
  db: Db;
  clock: Clock;
}

/** "Other: Other" in the channel catalogue (migration 0002): a new flow sent without channel_id. */
const DEFAULT_CHANNEL_ID = 35;

/** 1 ring = 6 seconds; V2's default ring time is 3 rings. */
const RING_SECONDS = 6;
const DEFAULT_RINGS = 3;

/** What an outbound PIN reads as in replies: it lets callers dial out on the account. */
const PIN_MASK = '********';

/** V2's stored geo strategy for each route_by. */
const GEO_STRATEGIES: Readonly<Record<string, string>> = {
  'Claimed State': 'claimedState',
  'Claimed Zip': 'Claimed',
  'Area Code Proximity': 'Npa',
  'Zip Code Proximity': 'Zipcode',
};

const DUPLICATE_NUMBER = { '23505': 'phone_number is already used by another call flow' };

/** The fields of a posted flow that saving reads; entries of both create endpoints fit it. */
interface FlowCore {
  call_flow_id?: number | undefined;
  group_id: number;
  campaign_id: number;
  channel_id?: number | undefined;
  call_flow_name: string;
  call_flow_status?: string | undefined;
  webhook_enabled?: boolean | undefined;
  webhook_id?: number | undefined;
  postcall_ivr_enabled?: boolean | undefined;
  postcall_ivr_id?: number | undefined;
  number?: MultilevelIvrFlow['number'];
  number_pool?: MultilevelIvrFlow['number_pool'];
}

type Numbers = Pick<FlowCore, 'group_id' | 'number' | 'number_pool'>;

interface FlowSave {
  /** as stored and answered, e.g. `IvrRoute2` */
  routableType: string;
  /** the checked entry: stored as the flow's document, less the fields the server sets */
  flow: FlowCore;
  locationIds: readonly number[];
}

/** Replies never carry an outbound PIN; the stored document keeps it for the call engine. */
function withoutSecrets(document: Record<string, unknown>): Record<string, unknown> {
  const outbound = document.outboundData;
  if (!outbound || typeof outbound !== 'object') return document;
  return { ...document, outboundData: { ...outbound, pin: PIN_MASK } };
}

function ringDelaySeconds(document: Record<string, unknown>): number {
  if (Number(document.ring_delay) > 0) return Number(document.ring_delay);
  const rings = Number(document.voicemail_rings) > 0 ? Number(document.voicemail_rings) : DEFAULT_RINGS;
  return rings * RING_SECONDS;
}

/** V2's call-flow fields, taken from the document or given V2's defaults where it is silent. */
function v2Fields(routableType: string, document: Record<string, unknown>) {
  const ringTo = document.default_ringto;
  const message = document.message;
  return {
    default_ringto: isHangupTarget(ringTo)
      ? 'hangup'
      : isUnset(ringTo)
        ? null
        : (toNanp10(ringTo as string | number) ?? String(ringTo)),
    ring_delay: ringDelaySeconds(document),
    message: message ?? null,
    message_enabled:
      typeof document.message_enabled === 'boolean'
        ? document.message_enabled
        : typeof message === 'string' && message.trim() !== '',
    whisper_enabled: document.whisper_enabled ?? false,
    whisper_message: document.whisper_message ?? null,
    play_disclaimer: document.play_disclaimer ?? 'never',
    voicemail_enabled: document.voicemail_enabled ?? routableType === 'VoicemailRoute',
    record_until: document.record_until ?? null,
    repeat_interval: document.repeat_interval ?? null,
    call_value: document.call_value ?? null,
    email_to_notify: document.email_to_notify ?? null,
    spam_filter_enabled: document.spam_filter_enabled ?? false,
    spam_threshold: document.spam_threshold ?? null,
    webhook_enabled: document.webhook_enabled ?? false,
    postcall_ivr_enabled: document.postcall_ivr_enabled ?? false,
    postcall_ivr_id: document.postcall_ivr_id ?? null,
  };
}

/** A geo flow's `geo_route` in V2's terms and its `location`, with the location's branches. */
function geoFields(route: Record<string, unknown>, location: LocationRow | undefined, branches: BranchRow[]) {
  return {
    geo_route: {
      ...route,
      strategy: GEO_STRATEGIES[String(route.route_by)] ?? route.route_by,
      radius: isUnset(route.proximity_limit) ? null : String(route.proximity_limit),
      play_branding: route.play_branding ?? false,
      allow_manual_entry: route.allow_manual_entry ?? false,
      options: location
        ? branches.map((branch) => ({
            geo_target_did: branch.target_did,
            group_id: location.group_id,
            branch_name: branch.branch_name,
            address: branch.address,
            city: branch.city,
            state: branch.state,
            zip: branch.zip,
            latitude: branch.latitude,
            longitude: branch.longitude,
            claimed_states: branch.claimed_states,
            claimed_zips: branch.claimed_zips,
            geo_created_at: location.location_created,
            geo_updated_at: location.location_modified,
          }))
        : [],
    },
    location: location
      ? [
          {
            location_id: location.location_id,
            org_unit_id: location.group_id,
            location_name: location.location_name,
            location_created: location.location_created,
            location_modified: location.location_modified,
            location_active: location.location_active,
          },
        ]
      : [],
  };
}

export function createCallFlowsService({ db, clock }: CallFlowServiceDeps) {
  /** The tracking number or pool for a flow, taken from the inventory in the same transaction. */
  async function provisionNumbers(
    tx: Queryable,
    principal: Principal,
    flow: Numbers,
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

  /**
   * The one save path of every create endpoint: scope checks, the tracking number or pool, the
   * flow row and its version, in the caller's transaction. Returns the call_flow_id.
   */
  async function saveFlow(
    tx: Queryable,
    principal: Principal,
    { routableType, flow, locationIds }: FlowSave,
  ): Promise<number> {
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
    const channelId = flow.channel_id ?? existing?.channel_id ?? DEFAULT_CHANNEL_ID;
    if (!(await repo.channelExists(channelId))) throw invalidInput(`channel_id ${channelId} does not exist`);
    if (flow.webhook_enabled && !(await isWebhookInScope(tx, principal.groupId, flow.webhook_id ?? 0))) {
      throw invalidInput(`webhook_id ${flow.webhook_id ?? 0} is not a webhook you can access`);
    }
    if (flow.postcall_ivr_enabled) {
      // Post-call IVRs have no endpoint yet, so no id can name one.
      throw invalidInput(
        `postcall_ivr_id ${flow.postcall_ivr_id ?? 0} is not a post-call IVR you can access`,
      );
    }
    const missing = await repo.missingLocations(principal.groupId, [...new Set(locationIds)]);
    if (missing.length > 0) throw invalidInput(`location_id ${missing[0]} is not a location you can access`);

    // An update that names neither a number nor a pool keeps the flow's own, as last posted.
    const keeps = existing !== undefined && isUnset(flow.number) && isUnset(flow.number_pool);
    const wanted: Numbers = !keeps
      ? flow
      : existing.pool_id
        ? { group_id: flow.group_id, number_pool: { pool_id: existing.pool_id } }
        : { group_id: flow.group_id, number: { phone_number_id: existing.phone_number_id ?? 0 } };
    const numbers = await provisionNumbers(tx, principal, wanted, existing);
    const {
      call_flow_id: _id,
      created_at: _created,
      updated_at: _updated,
      call_flow_created: _flowCreated,
      ...posted
    } = flow as FlowCore & Record<string, unknown>;
    const document = keeps
      ? { ...posted, number: existing.document.number, number_pool: existing.document.number_pool }
      : posted;
    const values = {
      group_id: flow.group_id,
      campaign_id: flow.campaign_id,
      channel_id: channelId,
      call_flow_name: flow.call_flow_name,
      call_flow_status: flow.call_flow_status ?? 'active',
      routable_type: routableType,
      ...numbers,
      webhook_id: null,
      document: JSON.stringify(document),
    };
    const now = clock.now();
    const callFlowId = existing ? existing.call_flow_id : await repo.insertFlow(values, now);
    const version = existing ? await repo.replaceFlow(existing.call_flow_id, values, now) : 1;
    await repo.insertVersion(callFlowId, version, values.document, now, principal.userId);
    return callFlowId;
  }

  async function saveMultilevelIvr(tx: Queryable, principal: Principal, flow: MultilevelIvrFlow) {
    const reason = multilevelIvrReason(flow);
    if (reason) throw invalidInput(reason);
    return saveFlow(tx, principal, { routableType: 'IvrRoute2', flow, locationIds: locationIds(flow.ivrs) });
  }

  async function saveCallFlow(tx: Queryable, principal: Principal, entry: CallFlowEntry): Promise<number> {
    const reason = callFlowReason(entry);
    if (reason) throw invalidInput(reason);
    const key = entry.routable_type as RouteKey;
    const callFlowId = await saveFlow(tx, principal, {
      routableType: ROUTE_TYPES[key],
      flow: key === 'hangup' ? { ...entry, default_ringto: 'hangup' } : entry,
      locationIds: callFlowLocationIds(entry),
    });
    // Checked once the flow holds its own number, which may be the caller id it names.
    const callerId = isUnset(entry.outboundData?.callerid)
      ? undefined
      : toNanp10(entry.outboundData?.callerid as string | number);
    if (callerId && !(await createCallFlowsRepo(tx).isNumberHeld(principal.groupId, callerId))) {
      throw invalidInput(`outboundData.callerid ${callerId} is not a tracking number you can access`);
    }
    return callFlowId;
  }

  function toV2(
    row: StoredFlowRow,
    poolNumbers: { phone_number_id: number; number: string; rate_center: string }[],
    geo: ReturnType<typeof geoFields> | undefined,
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
    const document = withoutSecrets(row.document);
    return {
      ...document,
      ...v2Fields(row.routable_type, document),
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
      ...geo,
    };
  }

  /** A geo flow's location and branches, as far as the caller may see them. */
  async function geoOf(principal: Principal, route: Record<string, unknown>) {
    const misc = createMiscRepo(db);
    const location = isUnset(route.location_id)
      ? undefined
      : await misc.findLocationInScope(principal.groupId, Number(route.location_id));
    return geoFields(route, location, location ? await misc.branchesOf([location.location_id]) : []);
  }

  return {
    async saveMultilevelIvr(principal: Principal, entries: readonly MultilevelIvrFlow[]) {
      const results = await applyEntries(
        db,
        entries,
        (tx, flow) => saveMultilevelIvr(tx, principal, flow),
        DUPLICATE_NUMBER,
      );
      return results.map((r) => ({ ...r, data: String(r.data) }));
    },

    /** POST /v2/callflow: flows of any route type; `data` of each result is the call_flow_id. */
    async save(principal: Principal, entries: readonly CallFlowEntry[]) {
      return applyEntries(db, entries, (tx, entry) => saveCallFlow(tx, principal, entry), DUPLICATE_NUMBER);
    },

    /** POST /v2/callflow/outbound: the same, every entry an outbound route. */
    async saveOutbound(principal: Principal, entries: readonly OutboundFlowEntry[]) {
      return applyEntries(
        db,
        entries,
        (tx, entry) => saveCallFlow(tx, principal, { ...entry, routable_type: 'outbound' }),
        DUPLICATE_NUMBER,
      );
    },

    async get(principal: Principal, callFlowId: number) {
      const repo = createCallFlowsRepo(db);
      const row = await repo.findStored(principal.groupId, callFlowId);
      if (!row) throw notFound();
      const geoRoute = row.routable_type === 'GeoRoute' ? row.document.geo_route : undefined;
      return toV2(
        row,
        row.pool_id ? await repo.poolNumbers(row.pool_id) : [],
        geoRoute && typeof geoRoute === 'object'
          ? await geoOf(principal, geoRoute as Record<string, unknown>)
          : undefined,
      );
    },

    async history(principal: Principal, callFlowId: number) {
      const repo = createCallFlowsRepo(db);
      if (!(await repo.findInScope(principal.groupId, callFlowId))) throw notFound();
      const versions = await repo.versions(callFlowId);
      return versions.map((version) => ({ ...version, document: withoutSecrets(version.document) }));
    },
  };
}

export type CallFlowsService = ReturnType<typeof createCallFlowsService>;
