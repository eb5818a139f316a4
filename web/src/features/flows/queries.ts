import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { BreakdownRow, CallFlowSummary, ScopeGroup } from '../../api/types';
import { addDays, todayIn } from '../../lib/format';

/** V2 lists answer an empty result as a message ("No data found"), not as []. */
const asList = <T>(data: T[] | string): T[] => (Array.isArray(data) ? data : []);
const LIST_LIMIT = 1000;

export const flowKeys = {
  all: ['callflows'] as const,
  document: (callFlowId: number) => ['callflows', 'document', callFlowId] as const,
  history: (callFlowId: number) => ['callflows', 'history', callFlowId] as const,
};

/** The flows of the user's scope, live ones or deleted ones (`call_flow_status=deleted`). */
export const flowListQuery = (deleted: boolean) =>
  queryOptions({
    queryKey: ['callflows', 'list', deleted ? 'deleted' : 'live'],
    queryFn: async () =>
      asList(
        await api.get<CallFlowSummary[] | string>('/v2/callflow/list', {
          limit: LIST_LIMIT,
          ...(deleted ? { filter: 'call_flow_status=deleted' } : {}),
        }),
      ),
  });

/** Calls per flow over the last 7 days (today included) in the group's zone. */
export const flowCallCountsQuery = (groupId: number, timeZone: string) =>
  queryOptions({
    queryKey: ['calls', 'by-flow', groupId, timeZone],
    queryFn: async () => {
      const today = todayIn(timeZone);
      const rows = await api.get<BreakdownRow[]>('/v2/call/breakdown', {
        group_id: groupId,
        timezone: timeZone,
        by: 'call_flow',
        limit: 100,
        filter: `call_started>=${addDays(today, -6)},call_started<=${today}`,
      });
      return new Map(rows.map((row) => [Number(row.key), row.calls]));
    },
    staleTime: 60_000,
  });

/** The group and every group below it, from the user's scope list. */
export function subtreeOf(groups: readonly ScopeGroup[], groupId: number): Set<number> {
  const ids = new Set([groupId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const group of groups)
      if (group.group_parent_id !== null && ids.has(group.group_parent_id) && !ids.has(group.group_id)) {
        ids.add(group.group_id);
        grew = true;
      }
  }
  return ids;
}

/** A flow as GET /v2/callflow answers it: the stored document and V2's computed fields. */
export type FlowRecord = Record<string, unknown> & {
  call_flow_id: number;
  call_flow_name: string;
  call_flow_status: string;
  routable_type: string;
  version: number;
  group_id: number;
  campaign_id: number;
};

export interface FlowVersion {
  version: number;
  document: Record<string, unknown>;
  saved_at: string;
  saved_by: number | null;
}

export const flowQuery = (callFlowId: number) =>
  queryOptions({
    queryKey: flowKeys.document(callFlowId),
    queryFn: () => api.get<FlowRecord>('/v2/callflow', { id: callFlowId }),
  });

export const historyQuery = (callFlowId: number) =>
  queryOptions({
    queryKey: flowKeys.history(callFlowId),
    queryFn: () => api.get<FlowVersion[]>('/v2/callflow/history', { id: callFlowId }),
  });

/** One entry's result of a bulk save: the flow's id, or the reason it was refused. */
export interface EntryResult {
  result: 'success' | 'error';
  data: unknown;
}

/** The route type's save endpoint; a multi-level IVR has its own, every other type POST /v2/callflow. */
export const saveEndpoint = (routeKey: string) =>
  routeKey === 'multilevelivr' ? '/v2/callflow/multilevelivr' : '/v2/callflow';

export class EntryError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'EntryError';
  }
}

/** Saves one flow document; resolves to its call_flow_id, or throws the API's per-entry reason. */
export async function saveDocument(routeKey: string, document: Record<string, unknown>): Promise<number> {
  const [entry] = await api.post<EntryResult[]>(saveEndpoint(routeKey), [document]);
  if (!entry) throw new EntryError('The server answered no result');
  if (entry.result === 'error') throw new EntryError(String(entry.data));
  return Number(entry.data);
}

export function useFlowMutations() {
  const queryClient = useQueryClient();
  // a flow takes a tracking number when saved and gives it back when deleted
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: flowKeys.all }),
      queryClient.invalidateQueries({ queryKey: ['numbers'] }),
    ]);
  return {
    remove: useMutation({
      mutationFn: (callFlowId: number) => api.delete<unknown>('/v2/callflow', { call_flow_id: [callFlowId] }),
      onSuccess: refresh,
    }),
    save: useMutation({
      mutationFn: ({ routeKey, document }: { routeKey: string; document: Record<string, unknown> }) =>
        saveDocument(routeKey, document),
      onSuccess: refresh,
    }),
  };
}
