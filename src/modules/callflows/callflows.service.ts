import { type Db, INT4_MAX, type Queryable } from '../../db/index.js';
import { invalidInput, isEntryError, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { batchOrAlone } from '../../lib/group-commit.js';
import { toNanp10 } from '../../lib/phone.js';
import type { MultilevelIvrFlow } from '../../routing/flow-document.js';
import { firstTargetRing } from '../../routing/program.js';
import type { Principal } from '../auth/principal.js';
import { createGroupsRepo } from '../groups/groups.repo.js';
import { type BranchRow, createMiscRepo, type LocationRow } from '../misc/misc.repo.js';
import { claimAvailable } from '../numbers/numbers.repo.js';
import { applyEntry, type EntryResult } from '../shared/entries.js';
import { isWebhookInScope } from '../webhooks/webhooks.service.js';
import { audioReferencesOf } from './callflow-audio.js';
import {
  type CallFlowEntry,
  type OutboundFlowEntry,
  ROUTE_TYPES,
  type RouteKey,
} from './callflow-create.schemas.js';
import { createCallFlowDniRepo } from './callflow-dni.repo.js';
import { createCallFlowListsRepo } from './callflow-lists.repo.js';
import { createOutboundPinKey, withHashedPin, withoutSecrets } from './callflow-secrets.js';
import {
  createCallFlowsRepo,
  type FlowRef,
  type NumberedFlow,
  type ScopeFacts,
  type StoredFlowRow,
} from './callflows.repo.js';
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
  /** the `file://` references it plays */
  audioReferences: readonly string[];
}

/**
 * How one entry of a create request is saved. `batch`: a new flow on one named number, with no
 * webhook or post-call IVR to check, written with the other such entries of the request by one
 * statement after one request-wide scope check; `single`: everything else (updates, pools, ...),
 * in a transaction of its own as `saveFlow` does it.
 */
type Plan =
  | { kind: 'invalid'; reason: string }
  | { kind: 'batch'; save: FlowSave; number: string | null; phoneNumberId: number | null }
  | { kind: 'single' };

const isInt4 = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= -INT4_MAX - 1 && value <= INT4_MAX;

/** The number a flow names, as `provisionNumbers` reads it: 10 digits, else the inventory id. */
function namedNumber(number: NonNullable<FlowCore['number']>) {
  const digits = isUnset(number.phone_number) ? null : (toNanp10(number.phone_number as string) ?? null);
  const id = isUnset(number.phone_number_id) ? null : Number(number.phone_number_id);
  return { number: digits, phoneNumberId: digits === null ? id : null };
}

/** The reasons a flow's references are refused, the same for an entry saved alone or in a batch. */
const REASONS = {
  unavailable: (number: string | null, phoneNumberId: number | null) =>
    `phone_number ${number ?? `id ${phoneNumberId}`} is not available: it is unknown, or used by another call flow`,
  group: (id: number) => `group_id ${id} is not a group you can access`,
  campaign: (id: number) => `campaign_id ${id} is not a campaign you can access`,
  channel: (id: number) => `channel_id ${id} does not exist`,
  location: (id: number) => `location_id ${id} is not a location you can access`,
  audio: (reference: string, groupId: number) =>
    `file://${reference} is not an audio file of group_id ${groupId} or a group below it`,
};

/** The plan of a checked entry: `batch` when it is a plain create on one named number. */
function planOf(save: FlowSave): Plan {
  const { flow } = save;
  if (flow.call_flow_id || !flow.number || flow.webhook_enabled || flow.postcall_ivr_enabled) {
    return { kind: 'single' };
  }
  const { number, phoneNumberId } = namedNumber(flow.number);
  const ids = [flow.group_id, flow.campaign_id, flow.channel_id ?? DEFAULT_CHANNEL_ID, ...save.locationIds];
  if ((number === null && !isInt4(phoneNumberId)) || !ids.every(isInt4)) return { kind: 'single' };
  return { kind: 'batch', save, number, phoneNumberId };
}

/** The first reason `saveFlow` would give for the scope of a batch entry, from the request's facts. */
function scopeReason(
  facts: ScopeFacts,
  { flow, locationIds, audioReferences }: FlowSave,
): string | undefined {
  if (!facts.groups.includes(flow.group_id)) return REASONS.group(flow.group_id);
  if (!facts.campaigns.includes(flow.campaign_id)) return REASONS.campaign(flow.campaign_id);
  const channelId = flow.channel_id ?? DEFAULT_CHANNEL_ID;
  if (!facts.channels.includes(channelId)) return REASONS.channel(channelId);
  const missing = locationIds.find((id) => !facts.locations.includes(id));
  if (missing !== undefined) return REASONS.location(missing);
  const foreign = audioReferences.find((reference) => !facts.audio[reference]?.includes(flow.group_id));
  return foreign === undefined ? undefined : REASONS.audio(foreign, flow.group_id);
}

/** The flow as stored: the posted entry less the fields the server sets, its PIN hashed. */
function postedDocument(flow: FlowCore, pinKey: Buffer): Record<string, unknown> {
  const {
    call_flow_id: _id,
    created_at: _created,
    updated_at: _updated,
    call_flow_created: _flowCreated,
    ...posted
  } = flow as FlowCore & Record<string, unknown>;
  return withHashedPin(posted, pinKey);
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
    ring_delay: firstTargetRing(document).seconds,
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
  const pinKey = createOutboundPinKey(db);

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
      const { number, phoneNumberId } = namedNumber(flow.number);
      const claimed = await repo.claimTrackingNumber({
        scopeGroupId: principal.groupId,
        groupId: flow.group_id,
        number,
        phoneNumberId,
        currentPhoneNumberId: existing?.phone_number_id ?? null,
      });
      if (claimed === undefined) throw invalidInput(REASONS.unavailable(number, phoneNumberId));
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
   * Lets go of what an updated flow no longer uses, once the flow row points elsewhere: a tracking
   * number stays with its group as reserved; a pool gives its numbers back to the shared inventory
   * (as deleting the flow does) and is deleted, so no pool is left that no flow uses.
   */
  async function releaseLeftNumbers(
    tx: Queryable,
    existing: FlowRef,
    kept: { phone_number_id: number | null; pool_id: number | null },
  ): Promise<void> {
    const repo = createCallFlowsRepo(tx);
    if (existing.phone_number_id && existing.phone_number_id !== kept.phone_number_id) {
      await repo.releaseTrackingNumber(existing.phone_number_id);
    }
    if (existing.pool_id && existing.pool_id !== kept.pool_id) {
      await createCallFlowListsRepo(tx).emptyPools([existing.pool_id]);
      await repo.deletePool(existing.pool_id);
    }
  }

  /**
   * The one save path of every create endpoint: scope checks, the tracking number or pool, the
   * flow row and its version, in the caller's transaction. Returns the call_flow_id.
   */
  async function saveFlow(
    tx: Queryable,
    principal: Principal,
    { routableType, flow, locationIds, audioReferences }: FlowSave,
  ): Promise<number> {
    const repo = createCallFlowsRepo(tx);
    const existing = flow.call_flow_id
      ? await repo.findInScope(principal.groupId, flow.call_flow_id)
      : undefined;
    if (flow.call_flow_id && (!existing || existing.call_flow_status === 'deleted')) {
      throw invalidInput(`call_flow_id ${flow.call_flow_id} is not a call flow you can access`);
    }
    if (!(await createGroupsRepo(tx).findInScope(principal.groupId, flow.group_id))) {
      throw invalidInput(REASONS.group(flow.group_id));
    }
    if (!(await repo.isCampaignUsable(principal.groupId, flow.campaign_id))) {
      throw invalidInput(REASONS.campaign(flow.campaign_id));
    }
    const channelId = flow.channel_id ?? existing?.channel_id ?? DEFAULT_CHANNEL_ID;
    if (!(await repo.channelExists(channelId))) throw invalidInput(REASONS.channel(channelId));
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
    if (missing[0] !== undefined) throw invalidInput(REASONS.location(missing[0]));
    const playable = await createMiscRepo(tx).audioReferencesInScope(flow.group_id, audioReferences);
    const foreign = audioReferences.find((reference) => !playable.includes(reference));
    if (foreign !== undefined) throw invalidInput(REASONS.audio(foreign, flow.group_id));

    // An update that names neither a number nor a pool keeps the flow's own, as last posted.
    const keeps = existing !== undefined && isUnset(flow.number) && isUnset(flow.number_pool);
    const wanted: Numbers = !keeps
      ? flow
      : existing.pool_id
        ? { group_id: flow.group_id, number_pool: { pool_id: existing.pool_id } }
        : { group_id: flow.group_id, number: { phone_number_id: existing.phone_number_id ?? 0 } };
    const numbers = await provisionNumbers(tx, principal, wanted, existing);
    const posted = postedDocument(flow, await pinKey(tx));
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
    if (existing) {
      await releaseLeftNumbers(tx, existing, numbers);
      // A session DNI setting's TTL stays the pool's keep-alive, whatever the flow posts.
      if (numbers.pool_id !== null) await createCallFlowDniRepo(tx).copyTtlToPool(callFlowId);
    }
    return callFlowId;
  }

  function multilevelIvrSave(flow: MultilevelIvrFlow): FlowSave {
    return {
      routableType: 'IvrRoute2',
      flow,
      locationIds: locationIds(flow.ivrs),
      audioReferences: audioReferencesOf(flow),
    };
  }

  async function saveMultilevelIvr(tx: Queryable, principal: Principal, flow: MultilevelIvrFlow) {
    const reason = multilevelIvrReason(flow);
    if (reason) throw invalidInput(reason);
    return saveFlow(tx, principal, multilevelIvrSave(flow));
  }

  function multilevelIvrPlan(flow: MultilevelIvrFlow): Plan {
    const reason = multilevelIvrReason(flow);
    return reason ? { kind: 'invalid', reason } : planOf(multilevelIvrSave(flow));
  }

  function callFlowSave(entry: CallFlowEntry): FlowSave {
    const key = entry.routable_type as RouteKey;
    return {
      routableType: ROUTE_TYPES[key],
      flow: key === 'hangup' ? { ...entry, default_ringto: 'hangup' } : entry,
      locationIds: callFlowLocationIds(entry),
      audioReferences: audioReferencesOf(entry),
    };
  }

  /** Flows naming an outbound caller id are checked after the save: those go alone. */
  function callFlowPlan(entry: CallFlowEntry): Plan {
    const reason = callFlowReason(entry);
    if (reason) return { kind: 'invalid', reason };
    if (!isUnset(entry.outboundData?.callerid)) return { kind: 'single' };
    return planOf(callFlowSave(entry));
  }

  async function saveCallFlow(tx: Queryable, principal: Principal, entry: CallFlowEntry): Promise<number> {
    const reason = callFlowReason(entry);
    if (reason) throw invalidInput(reason);
    const callFlowId = await saveFlow(tx, principal, callFlowSave(entry));
    // Checked once the flow holds its own number, which may be the caller id it names.
    const callerId = isUnset(entry.outboundData?.callerid)
      ? undefined
      : toNanp10(entry.outboundData?.callerid as string | number);
    if (callerId && !(await createCallFlowsRepo(tx).isNumberHeld(principal.groupId, callerId))) {
      throw invalidInput(`outboundData.callerid ${callerId} is not a tracking number you can access`);
    }
    return callFlowId;
  }

  /** One request-wide look-up of what the batched entries name (groups, campaigns, numbers ...). */
  function scopeFactsOf(principal: Principal, plans: readonly Plan[]): Promise<ScopeFacts> | undefined {
    const batched = plans.flatMap((plan) => (plan.kind === 'batch' ? [plan.save] : []));
    if (batched.length === 0) return undefined;
    return createCallFlowsRepo(db).scopeFacts(principal.groupId, {
      groups: [...new Set(batched.map((save) => save.flow.group_id))],
      campaigns: [...new Set(batched.map((save) => save.flow.campaign_id))],
      channels: [...new Set(batched.map((save) => save.flow.channel_id ?? DEFAULT_CHANNEL_ID))],
      locations: [...new Set(batched.flatMap((save) => save.locationIds))],
      audio: [...new Set(batched.flatMap((save) => save.audioReferences))],
    });
  }

  type BatchedEntry = { index: number; plan: Extract<Plan, { kind: 'batch' }> };

  /**
   * Writes a run of batched entries in one statement: each entry's answer, an error for a number
   * another flow took meanwhile. An entry's own error (isEntryError) fails the whole statement.
   */
  async function writeRun(principal: Principal, run: readonly BatchedEntry[]): Promise<EntryResult[]> {
    const key = await pinKey();
    const rows = await createCallFlowsRepo(db).createOnNumbers(
      principal.groupId,
      run.map(
        ({ index, plan: { save, number, phoneNumberId } }): NumberedFlow => ({
          ord: index,
          number,
          phone_number_id: phoneNumberId,
          group_id: save.flow.group_id,
          campaign_id: save.flow.campaign_id,
          channel_id: save.flow.channel_id ?? DEFAULT_CHANNEL_ID,
          call_flow_name: save.flow.call_flow_name,
          call_flow_status: save.flow.call_flow_status ?? 'active',
          routable_type: save.routableType,
          document: postedDocument(save.flow, key),
        }),
      ),
      clock.now(),
      principal.userId,
    );
    const written = new Map(rows.map((row) => [row.ord, row.call_flow_id]));
    return run.map(({ index, plan }): EntryResult => {
      const callFlowId = written.get(index);
      return callFlowId === undefined
        ? {
            result: 'error',
            data: REASONS.unavailable(plan.number, plan.phoneNumberId),
            entry_count: index + 1,
          }
        : { result: 'success', data: callFlowId, entry_count: index + 1 };
    });
  }

  /**
   * Saves the entries of one create request with the answers `applyEntries` gives, entry by
   * entry: entries the batch statement can write are checked against one request-wide look-up
   * and written together (one statement for each run of them between entries that go alone, so
   * effects keep the order of the entries); the others go through `single`, each in its own
   * transaction. A run whose statement fails on an entry's error is written again entry by entry
   * (batchOrAlone), so that entry fails alone.
   */
  async function saveEntries<T>(
    principal: Principal,
    entries: readonly T[],
    planFor: (entry: T) => Plan,
    single: (tx: Queryable, entry: T) => Promise<number>,
  ): Promise<EntryResult[]> {
    const plans = entries.map(planFor);
    const facts = await scopeFactsOf(principal, plans);
    const results: EntryResult[] = [];
    const alone = (index: number) => applyEntry(db, entries[index] as T, index + 1, single, DUPLICATE_NUMBER);
    let run: BatchedEntry[] = [];
    const flush = async () => {
      const pending = run;
      run = [];
      if (pending.length === 0) return;
      const settled = await batchOrAlone(
        pending,
        (batch) => writeRun(principal, batch),
        ({ index }) => alone(index),
        { aloneAfter: isEntryError, inOrder: true },
      );
      for (const [n, outcome] of settled.entries()) {
        if (outcome.status === 'rejected') throw outcome.reason;
        results[(pending[n] as BatchedEntry).index] = outcome.value;
      }
    };
    for (const [index, plan] of plans.entries()) {
      if (plan.kind === 'invalid') {
        results[index] = { result: 'error', data: plan.reason, entry_count: index + 1 };
      } else if (plan.kind === 'single') {
        await flush();
        results[index] = await alone(index);
      } else {
        const reason = scopeReason(facts as ScopeFacts, plan.save);
        if (reason) results[index] = { result: 'error', data: reason, entry_count: index + 1 };
        else run.push({ index, plan });
      }
    }
    await flush();
    return results;
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
      // the pool as it is now: a removed number shrinks it, a DNI session TTL is its keep-alive
      ...(row.pool_id
        ? { number_pool: { ...(document.number_pool as object), pool_id: row.pool_id, ...row.pool } }
        : {}),
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
      const results = await saveEntries(principal, entries, multilevelIvrPlan, (tx, flow) =>
        saveMultilevelIvr(tx, principal, flow),
      );
      return results.map((r) => ({ ...r, data: String(r.data) }));
    },

    /** POST /v2/callflow: flows of any route type; `data` of each result is the call_flow_id. */
    async save(principal: Principal, entries: readonly CallFlowEntry[]) {
      return saveEntries(principal, entries, callFlowPlan, (tx, entry) => saveCallFlow(tx, principal, entry));
    },

    /** POST /v2/callflow/outbound: the same, every entry an outbound route. */
    async saveOutbound(principal: Principal, entries: readonly OutboundFlowEntry[]) {
      const flows = entries.map((entry): CallFlowEntry => ({ ...entry, routable_type: 'outbound' }));
      return saveEntries(principal, flows, callFlowPlan, (tx, entry) => saveCallFlow(tx, principal, entry));
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
