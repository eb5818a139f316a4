import type { Db } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { type CustomSourceFlow, createCallFlowCustomSourcesRepo } from './callflow-customsources.repo.js';
import {
  type CallFlowCustomSourceSlots,
  type CallFlowCustomSourcesDelete,
  type CallFlowCustomSourcesEntry,
  SLOT_KEYS,
  type SlotKey,
  slotKey,
  slotOf,
} from './callflow-customsources.schemas.js';

/** V2's strings for these endpoints, letter for letter (QA suite). */
export const CallFlowCustomSourceMessages = {
  added: 'Successfully added custom sources to the call flow',
  deleted: 'Successfully deleted Custom Source to the call flow.',
  invalidCallFlow: 'Please provide valid call flow id',
  noPermission: (callFlowId: number) => `You don't have permission to access call_flow_id ${callFlowId}`,
  invalidSlotKeys:
    "Please provide valid custom_source_type, Valid parameters are 'custom_source_type_1', 'custom_source_type_2', 'custom_source_type_3', 'custom_source_type_4' and 'custom_source_type_5'",
  noSlot: 'There must be at least one custom_source_type',
  invalidCustomSource: (id: number) => `invalid customSourceId ${id}`,
  noCustomSourceAccess: (id: number) => `You are not authorized to access ${id} custom source`,
  notAssigned: (keys: readonly string[], callFlowId: number) =>
    `You are trying to delete non existing values ${keys.map((key) => `'${key}'`).join(',')} of call_flow_id = ${callFlowId}`,
} as const;

const ALLOWED_KEYS = new Set<string>(['call_flow_id', ...SLOT_KEYS]);

export function createCallFlowCustomSourcesService({ db, clock }: { db: Db; clock: Clock }) {
  /**
   * The flow an entry names. Ids <= 0 and deleted flows are "not valid"; a missing flow and one
   * outside the caller's groups get the same permission answer, so nothing leaks.
   */
  async function writableFlow(
    repo: ReturnType<typeof createCallFlowCustomSourcesRepo>,
    principal: Principal,
    callFlowId: number,
    fail: (reason: string) => Error,
  ): Promise<CustomSourceFlow> {
    if (callFlowId <= 0) throw fail(CallFlowCustomSourceMessages.invalidCallFlow);
    const flow = await repo.findFlowInScope(principal.groupId, callFlowId);
    if (!flow) throw fail(CallFlowCustomSourceMessages.noPermission(callFlowId));
    if (flow.call_flow_status === 'deleted') throw fail(CallFlowCustomSourceMessages.invalidCallFlow);
    return flow;
  }

  return {
    async get(principal: Principal, callFlowId: number): Promise<CallFlowCustomSourceSlots> {
      const repo = createCallFlowCustomSourcesRepo(db);
      if (!(await repo.findFlowInScope(principal.groupId, callFlowId))) throw notFound();
      const slots: CallFlowCustomSourceSlots = {};
      for (const { slot, ...customSource } of await repo.slots(callFlowId))
        slots[slotKey(slot)] = customSource;
      return slots;
    },

    /**
     * Sets the given slots of each flow (others keep their custom source); all entries or none. A
     * slot takes a live custom source of the flow's group or of a group above it.
     */
    async add(principal: Principal, entries: readonly CallFlowCustomSourcesEntry[]): Promise<string> {
      return db.transaction(async (tx) => {
        const repo = createCallFlowCustomSourcesRepo(tx);
        for (const entry of entries) {
          if (Object.keys(entry).some((key) => !ALLOWED_KEYS.has(key))) {
            throw invalidInput(CallFlowCustomSourceMessages.invalidSlotKeys);
          }
          const wanted = SLOT_KEYS.flatMap((key) =>
            entry[key] === undefined ? [] : [{ slot: slotOf(key), id: entry[key] as number }],
          );
          if (wanted.length === 0) throw invalidInput(CallFlowCustomSourceMessages.noSlot);
          const flow = await writableFlow(repo, principal, entry.call_flow_id, (reason) =>
            invalidInput(reason),
          );

          const ids = [...new Set(wanted.map((w) => w.id))];
          const found = new Map(
            (await repo.customSourcesForShare(ids)).map((cs) => [cs.custom_source_id, cs]),
          );
          const reasons = ids.flatMap((id) => {
            const customSource = found.get(id);
            const isUsable = customSource !== undefined && flow.group_path.includes(customSource.group_id);
            if (id <= 0 || (isUsable && !customSource.custom_source_active)) {
              return [CallFlowCustomSourceMessages.invalidCustomSource(id)];
            }
            return isUsable ? [] : [CallFlowCustomSourceMessages.noCustomSourceAccess(id)];
          });
          if (reasons.length > 0) throw invalidInput(reasons[0] as string, { err: reasons });

          await repo.assign(
            flow.call_flow_id,
            wanted.map((w) => w.slot),
            wanted.map((w) => w.id),
            clock.now(),
          );
        }
        return CallFlowCustomSourceMessages.added;
      });
    },

    /** Empties the given slots of each flow; all entries or none. V2 puts the reason in `data`. */
    async remove(principal: Principal, entries: CallFlowCustomSourcesDelete): Promise<string> {
      const fail = (reason: string) => invalidInput(reason, { err: 'error', data: reason });
      return db.transaction(async (tx) => {
        const repo = createCallFlowCustomSourcesRepo(tx);
        for (const entry of entries) {
          const flow = await writableFlow(repo, principal, entry.call_flow_id, fail);
          const assigned = new Set((await repo.slots(flow.call_flow_id)).map((row) => row.slot));
          const keys = [...new Set<SlotKey>(entry.type)];
          const missing = keys.filter((key) => !assigned.has(slotOf(key)));
          if (missing.length > 0)
            throw fail(CallFlowCustomSourceMessages.notAssigned(missing, flow.call_flow_id));
          await repo.unassign(flow.call_flow_id, keys.map(slotOf));
        }
        return CallFlowCustomSourceMessages.deleted;
      });
    },
  };
}

export type CallFlowCustomSourcesService = ReturnType<typeof createCallFlowCustomSourcesService>;
