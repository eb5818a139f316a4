import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { applyEntries } from '../shared/entries.js';
import { createCallFlowDniRepo } from './callflow-dni.repo.js';
import {
  DniMessages,
  dniEntryReason,
  precedenceOf,
  referrerTypeOf,
  toLikePattern,
} from './callflow-dni.rules.js';
import { type DniEntry, type DniEntryResult, TTL_MIN_MINUTES } from './callflow-dni.schemas.js';

export function createCallFlowDniService({ db, clock }: { db: Db; clock: Clock }) {
  /** Flow first, then group, as V2 checks them; a missing flow answers like a foreign one. */
  async function saveEntry(tx: Queryable, principal: Principal, entry: DniEntry): Promise<number> {
    const repo = createCallFlowDniRepo(tx);
    const flow = await repo.findFlowInScope(principal.groupId, entry.call_flow_id);
    if (!flow || flow.call_flow_status === 'deleted') {
      throw invalidInput(DniMessages.noFlowAccess(entry.call_flow_id));
    }
    if (!(await repo.isGroupInScope(principal.groupId, entry.group_id))) {
      throw invalidInput(DniMessages.noGroupAccess(entry.group_id));
    }
    if (flow.group_id !== entry.group_id) throw invalidInput(DniMessages.groupMismatch);
    const reason = dniEntryReason(entry, flow.pool_id === null ? 'number' : 'pool');
    if (reason) throw invalidInput(reason);

    const referrerType = referrerTypeOf(entry.referrer, entry.referrer_type);
    await repo.upsert(
      {
        call_flow_id: flow.call_flow_id,
        dni_type: entry.dni_type,
        dni_element: entry.dni_element,
        destination_url: entry.destination_url,
        referrer: entry.referrer,
        referrer_type: referrerType,
        custom_cookie: entry.custom_cookie ?? '',
        dni_code: entry.dni_code ?? null,
        // V2 accepts a TTL on source and url settings and drops it; only a pool's visitors expire.
        ttl_minutes: entry.dni_type === 'session' ? (entry.TTL ?? null) : null,
        destination_like: toLikePattern(entry.destination_url),
        referrer_like: toLikePattern(entry.referrer),
        precedence: precedenceOf(entry.destination_url, entry.referrer, referrerType),
      },
      clock.now(),
    );
    await repo.copyTtlToPool(flow.call_flow_id);
    return flow.call_flow_id;
  }

  return {
    /**
     * Saves each entry in its own transaction (one setting per flow; a new one replaces it). A few
     * checks refuse the whole request, as V2 does: no entry, a class with spaces, a pool TTL under
     * 15 minutes. The outer result stays `success` when entries fail, as in V2.
     */
    async save(principal: Principal, entries: readonly DniEntry[]): Promise<DniEntryResult[]> {
      if (entries.length === 0) throw invalidInput(DniMessages.empty);
      const spaced = entries.find((entry) => entry.dni_element !== '' && /\s/.test(entry.dni_element));
      if (spaced) throw invalidInput(DniMessages.elementHasSpaces(spaced.dni_element));
      const shortTtl = (entry: DniEntry) =>
        entry.dni_type === 'session' && entry.TTL !== undefined && entry.TTL < TTL_MIN_MINUTES;
      if (entries.some(shortTtl)) throw invalidInput(DniMessages.ttlRequired);

      const results = await applyEntries(db, entries, (tx, entry) => saveEntry(tx, principal, entry));
      return results.map(({ result, data, entry_count }) =>
        result === 'success' ? { result, entry_count } : { result, data: String(data), entry_count },
      );
    },

    /**
     * The setting of a flow in the caller's groups, as POST /v2/callflow/dni takes it (so the
     * console can edit it); errors as for the flow's classes.
     */
    async setting(principal: Principal, callFlowId: number): Promise<DniEntry> {
      if (callFlowId <= 0) throw notFound(DniMessages.noSetting(callFlowId));
      const repo = createCallFlowDniRepo(db);
      const flow = await repo.flowVisibility(principal.groupId, callFlowId);
      if (!flow) throw notFound(DniMessages.noSetting(callFlowId));
      if (!flow.in_scope) throw notFound(DniMessages.noClassAccess(callFlowId));
      const row = await repo.setting(callFlowId);
      if (!row) throw notFound(DniMessages.noSetting(callFlowId));
      const { ttl_minutes: ttl, referrer_type: referrerType, ...entry } = row;
      return {
        ...entry,
        ...(referrerType === null ? {} : { referrer_type: referrerType }),
        ...(ttl === null ? {} : { TTL: ttl }),
      };
    },

    /**
     * The DNI classes of a flow in the caller's groups (a flow has one setting, so one class). As
     * in V2, a flow that does not exist has no setting, and one of another account is no access.
     */
    async classes(principal: Principal, callFlowId: number): Promise<{ classes: string[] }> {
      if (callFlowId <= 0) throw notFound(DniMessages.noSetting(callFlowId));
      const repo = createCallFlowDniRepo(db);
      const flow = await repo.flowVisibility(principal.groupId, callFlowId);
      if (!flow) throw notFound(DniMessages.noSetting(callFlowId));
      if (!flow.in_scope) throw notFound(DniMessages.noClassAccess(callFlowId));
      const classes = await repo.classes(callFlowId);
      if (classes.length === 0) throw notFound(DniMessages.noSetting(callFlowId));
      return { classes };
    },
  };
}

export type CallFlowDniService = ReturnType<typeof createCallFlowDniService>;
