import type { Db } from '../db/index.js';
import { toNanp10 } from '../lib/phone.js';
import { audioReferencesOf, withUnplayableAudioSilenced } from '../modules/callflows/callflow-audio.js';
import { createOutboundPinKey, isOutboundPin } from '../modules/callflows/callflow-secrets.js';
import { ivrOptionsOf } from '../modules/callflows/callflows.validate.js';
import { createMiscRepo } from '../modules/misc/misc.repo.js';
import type { IvrOption } from '../routing/flow-document.js';
import type { Program } from '../routing/program.js';
import { type Branch, compileFlowProgram, type StoredFlowDocument } from '../routing/program.js';
import { effectiveSpamThreshold } from '../routing/spam.js';

/** What the runtime needs to route calls to one tracking number, compiled once. */
export interface LiveFlow {
  callFlowId: number;
  version: number;
  groupId: number;
  campaignId: number;
  channelId: number;
  callValue: number | null;
  repeatIntervalHours: number;
  spamFilterEnabled: boolean;
  spamThreshold: number;
  webhookEnabled: boolean;
  /** the answering party sees the tracking number as caller id (V2's `dnis_as_cid`) */
  dnisAsCid: boolean;
  /** what the flow does with texts (`sms_enabled`, `sms_feature`) */
  sms: { isEnabled: boolean; forwardTo: string | undefined; autoReply: string | undefined };
  program: Program;
}

/** A live flow as reached through one tracking number. */
export interface NumberFlow extends LiveFlow {
  /** the number belongs to the flow's pool (dynamic number insertion), not its fixed number */
  viaPool: boolean;
  /**
   * The version of the `call_flow` row this was compiled from (`xmin`): any write to the row
   * changes it, as any write sends `call_flow_changed`. The inbound call's own statement compares
   * it (flowChangedSql), so a call never runs a flow older than the last save that returned.
   */
  rowVersion: string;
}

/**
 * Whether the flow `flowIdExpr` was written since `rowVersionExpr` (NumberFlow.rowVersion) was
 * read; false when no version is given (nothing to check).
 */
export const flowChangedSql = (flowIdExpr: string, rowVersionExpr: string) =>
  `(${rowVersionExpr} is not null and (select f.xmin::text from call_flow f where f.call_flow_id = ${flowIdExpr}) is distinct from ${rowVersionExpr})`;

interface FlowVersionRow {
  call_flow_id: number;
  version: number;
  call_flow_status: string;
  group_id: number;
  campaign_id: number;
  channel_id: number;
  routable_type: string;
  document: StoredFlowDocument;
  /** the flow's tracking number, when it has one (not a pool) */
  tracking_number: string | null;
  /** forNumber only: the number was reached through the flow's pool */
  via_pool?: boolean;
  /** forNumber only: the call_flow row's version (xmin) */
  row_version?: string;
}

interface BranchRow {
  location_id: number;
  target_did: string;
  latitude: number | null;
  longitude: number | null;
  claimed_states: string[];
  claimed_zips: string[];
}

function geoLocationIds(document: StoredFlowDocument): number[] {
  const ids: number[] = document.geo_route?.location_id ? [Number(document.geo_route.location_id)] : [];
  const walk = (options: readonly IvrOption[]) => {
    for (const option of options) {
      if (option.action === 'geo' && option.geoData?.location_id)
        ids.push(Number(option.geoData.location_id));
      if (option.ivrData) walk(option.ivrData);
    }
  };
  walk(document.ivrs ?? []);
  return [...new Set(ids)];
}

/**
 * How long a number's compiled flow is trusted without a NOTIFY: a safety net for geo-location
 * edits, which send none (a flow change is caught by the inbound call's statement anyway).
 */
export const FLOW_CACHE_MAX_AGE_MS = 60_000;

interface NumberEntry {
  flow: Promise<NumberFlow | undefined>;
  /** the flow the number resolved to; undefined: still loading */
  callFlowId?: number;
  loadedAt: number;
}

/**
 * Compiled flows by tracking number and by (flow, version). The webhook path reads the database
 * only on a miss: one query for the flow, one for its geo branches. A change to a flow, from any
 * process, arrives as a NOTIFY carrying its id (a trigger on call_flow) and evicts the numbers
 * that flow answers and loads in flight (they may have read the flow before the change); the rest
 * stay warm, so a burst of flow edits does not send every call back to the database. A NOTIFY
 * arrives a few milliseconds after the commit, so a call that comes in meanwhile could still find
 * the old flow here: the inbound call's statement checks the row version it was compiled from
 * (`rowVersion`), and the call evicts the number and starts again when the flow changed. A number
 * without a flow is not remembered (a flow may take it at any moment; such calls are rare). The
 * versioned programs never change, so calls in progress keep the version they started with.
 */
export function createFlowCache(db: Db) {
  const byNumber = new Map<string, NumberEntry>();
  /** call_flow_id -> the numbers cached as answered by it */
  const numbersOfFlow = new Map<number, Set<string>>();
  /** numbers still loading */
  const unsettled = new Set<string>();
  const byVersion = new Map<string, Promise<LiveFlow | undefined>>();
  const pinKey = createOutboundPinKey(db);

  const forget = (number: string) => {
    const entry = byNumber.get(number);
    if (entry?.callFlowId) numbersOfFlow.get(entry.callFlowId)?.delete(number);
    byNumber.delete(number);
    unsettled.delete(number);
  };

  const onFlowChanged = (payload: string) => {
    const callFlowId = Number.parseInt(payload, 10);
    if (!Number.isInteger(callFlowId)) {
      byNumber.clear();
      numbersOfFlow.clear();
      unsettled.clear();
      return;
    }
    for (const number of numbersOfFlow.get(callFlowId) ?? []) byNumber.delete(number);
    numbersOfFlow.delete(callFlowId);
    for (const number of unsettled) byNumber.delete(number);
    unsettled.clear();
  };

  /**
   * A stored flow plays audio of its own group and below only (the save refuses other
   * references); one that got in anyhow is silenced, never served.
   */
  async function withPlayableAudio(row: FlowVersionRow): Promise<StoredFlowDocument> {
    const references = audioReferencesOf(row.document);
    if (references.length === 0) return row.document;
    const playable = await createMiscRepo(db).audioReferencesInScope(row.group_id, references);
    return withUnplayableAudioSilenced(row.document, new Set(playable));
  }

  async function compile(row: FlowVersionRow): Promise<LiveFlow | undefined> {
    const stored = await withPlayableAudio(row);
    // Single-level IVRs from POST /v2/callflow are stored as posted; run them as menus too.
    const document: StoredFlowDocument = { ...stored, ivrs: ivrOptionsOf(stored) };
    const locationIds = geoLocationIds(document);
    const locations = new Map<number, Branch[]>();
    if (locationIds.length > 0) {
      const { rows } = await db.query<BranchRow>(
        `select b.location_id, b.target_did, b.latitude, b.longitude, b.claimed_states, b.claimed_zips
           from geo_location_branch b join geo_location l on l.location_id = b.location_id
          where b.location_id = any($1::integer[]) and l.location_active
          order by b.location_id, b.position`,
        [locationIds],
      );
      for (const branch of rows) {
        locations.set(branch.location_id, [
          ...(locations.get(branch.location_id) ?? []),
          {
            targetDid: branch.target_did,
            latitude: branch.latitude,
            longitude: branch.longitude,
            claimedStates: branch.claimed_states,
            claimedZips: branch.claimed_zips,
          },
        ]);
      }
    }
    const key = row.routable_type === 'OutboundRoute' ? await pinKey() : undefined;
    const program = compileFlowProgram({
      isOutboundPin: (storedPin, entered) => key !== undefined && isOutboundPin(key, storedPin, entered),
      callFlowId: row.call_flow_id,
      version: row.version,
      status: row.call_flow_status,
      routableType: row.routable_type,
      trackingNumber: row.tracking_number ?? undefined,
      document,
      locations,
    });
    if (!program) return undefined;
    return {
      callFlowId: row.call_flow_id,
      version: row.version,
      groupId: row.group_id,
      campaignId: row.campaign_id,
      channelId: row.channel_id,
      callValue: document.call_value ?? null,
      repeatIntervalHours: document.repeat_interval ?? 0,
      spamFilterEnabled: document.spam_filter_enabled ?? false,
      spamThreshold: effectiveSpamThreshold(document.spam_threshold),
      webhookEnabled: document.webhook_enabled ?? false,
      dnisAsCid: document.dnis_as_cid ?? false,
      sms: {
        isEnabled: document.sms_enabled ?? false,
        forwardTo: toNanp10(document.sms_feature?.forward_to ?? ''),
        autoReply: document.sms_feature?.auto_reply?.trim() || undefined,
      },
      program,
    };
  }

  async function loadNumber(trackingNumber: string): Promise<NumberFlow | undefined> {
    const { rows } = await db.query<FlowVersionRow>(
      `select f.call_flow_id, f.version, f.call_flow_status, f.group_id, f.campaign_id, f.channel_id,
              f.routable_type, f.document, t.number as tracking_number,
              f.phone_number_id is distinct from p.phone_number_id as via_pool, f.xmin::text as row_version
         from phone_number p
         join call_flow f on (f.phone_number_id = p.phone_number_id or f.pool_id = p.pool_id)
         left join phone_number t on t.phone_number_id = f.phone_number_id
        where p.number = $1 and f.call_flow_status <> 'deleted'
        limit 1`,
      [trackingNumber],
    );
    const row = rows[0];
    if (!row) return undefined;
    const live = await compile(row);
    if (!live) return undefined;
    byVersion.set(`${live.callFlowId}:${live.version}`, Promise.resolve(live));
    return { ...live, viaPool: row.via_pool === true, rowVersion: row.row_version ?? '' };
  }

  const remember = <T>(
    map: Map<string, Promise<T | undefined>>,
    key: string,
    load: () => Promise<T | undefined>,
  ) => {
    const cached = map.get(key);
    if (cached) return cached;
    const loading = load();
    map.set(key, loading);
    loading.catch(() => map.delete(key));
    return loading;
  };

  return {
    /** Starts listening for flow changes; resolves to a stop function. */
    async start(): Promise<() => Promise<void>> {
      return db.listen('call_flow_changed', onFlowChanged);
    },

    /** Forgets a number's flow: the next call reads it again (its flow changed: flowChangedSql). */
    evict(trackingNumber: string): void {
      forget(trackingNumber);
    },

    /** The live flow answering calls to a 10-digit tracking number, or undefined. */
    forNumber(trackingNumber: string): Promise<NumberFlow | undefined> {
      const cached = byNumber.get(trackingNumber);
      if (cached && (cached.callFlowId === undefined || Date.now() - cached.loadedAt < FLOW_CACHE_MAX_AGE_MS))
        return cached.flow;
      forget(trackingNumber);
      const entry: NumberEntry = { flow: loadNumber(trackingNumber), loadedAt: Date.now() };
      byNumber.set(trackingNumber, entry);
      unsettled.add(trackingNumber);
      entry.flow.then(
        (flow) => {
          if (byNumber.get(trackingNumber) !== entry) return; // evicted while loading
          if (!flow) {
            forget(trackingNumber);
            return;
          }
          entry.callFlowId = flow.callFlowId;
          unsettled.delete(trackingNumber);
          const numbers = numbersOfFlow.get(flow.callFlowId) ?? new Set<string>();
          numbers.add(trackingNumber);
          numbersOfFlow.set(flow.callFlowId, numbers);
        },
        () => {
          if (byNumber.get(trackingNumber) === entry) forget(trackingNumber);
        },
      );
      return entry.flow;
    },

    /** A flow as it is now, compiled afresh (dry runs); undefined when it cannot route. */
    async current(callFlowId: number): Promise<LiveFlow | undefined> {
      const { rows } = await db.query<FlowVersionRow>(
        `select f.call_flow_id, f.version, f.call_flow_status, f.group_id, f.campaign_id, f.channel_id,
                f.routable_type, f.document, t.number as tracking_number
           from call_flow f left join phone_number t on t.phone_number_id = f.phone_number_id
          where f.call_flow_id = $1`,
        [callFlowId],
      );
      return rows[0] ? compile(rows[0]) : undefined;
    },

    /** The flow as it was at a version: what a call in progress keeps using. */
    atVersion(callFlowId: number, version: number): Promise<LiveFlow | undefined> {
      return remember(byVersion, `${callFlowId}:${version}`, async () => {
        const { rows } = await db.query<FlowVersionRow>(
          `select f.call_flow_id, v.version, f.call_flow_status, f.group_id, f.campaign_id, f.channel_id,
                  f.routable_type, v.document, t.number as tracking_number
             from call_flow_version v join call_flow f on f.call_flow_id = v.call_flow_id
             left join phone_number t on t.phone_number_id = f.phone_number_id
            where v.call_flow_id = $1 and v.version = $2`,
          [callFlowId, version],
        );
        return rows[0] ? compile({ ...rows[0], call_flow_status: 'active' }) : undefined;
      });
    },
  };
}

export type FlowCache = ReturnType<typeof createFlowCache>;
