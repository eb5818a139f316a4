import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type {
  ActionOutcome,
  BlacklistedNumber,
  CallAction,
  CustomSource,
  GroupWithUsers,
  Permissions,
  Tag,
} from '../../api/types';

/** V2 lists answer an empty result as a message ("No record found.", "No data found"), not as []. */
const asList = <T>(data: T[] | string): T[] => (Array.isArray(data) ? data : []);
const LIST_LIMIT = 1000;

/** Users arrive inside their groups (GET /v2/group/user): every group of the scope with its users. */
export const groupUsersQuery = queryOptions({
  queryKey: ['people', 'users'],
  queryFn: () => api.get<GroupWithUsers[]>('/v2/group/user', { limit: LIST_LIMIT }),
});

export const permissionsQuery = (userId: number) =>
  queryOptions({
    queryKey: ['people', 'permissions', userId],
    queryFn: () => api.get<Permissions>('/v2/user/permissions', { id: userId }),
  });

export const blacklistQuery = queryOptions({
  queryKey: ['people', 'blacklist'],
  queryFn: async () =>
    asList(await api.get<BlacklistedNumber[] | string>('/v2/blacklistednumber', { limit: LIST_LIMIT })),
});

export const customSourcesQuery = (groupId: number) =>
  queryOptions({
    queryKey: ['people', 'customsources', groupId],
    queryFn: () => api.get<CustomSource[]>('/v2/customsource', { ouId: groupId, limit: LIST_LIMIT }),
  });

export const tagsQuery = queryOptions({
  queryKey: ['people', 'tags'],
  queryFn: async () => asList(await api.get<Tag[] | string>('/v2/tag', { limit: LIST_LIMIT })),
});

export const callActionsQuery = queryOptions({
  queryKey: ['people', 'callactions'],
  queryFn: () => api.get<CallAction[]>('/v2/callaction/list', { limit: LIST_LIMIT }),
});

export const actionOutcomesQuery = (actionId: number) =>
  queryOptions({
    queryKey: ['people', 'callactions', 'outcomes', actionId],
    queryFn: () => api.get<ActionOutcome[]>('/v2/callaction/outcomes', { id: actionId, limit: 10 }),
  });

/** The fields of Create User in Group (POST /v2/group/user). */
export interface NewUser {
  group_id: number;
  user_email: string;
  password: string;
  first_name: string;
  last_name: string;
  user_title?: string;
  role_id: 1 | 2 | 3;
  access_audio: boolean;
}

/** The fields of Update Group User (PUT /v2/group/user): only those that change. */
export interface UserChange {
  ct_user_id: number;
  group_id?: number;
  user_email?: string;
  password?: string;
  first_name?: string;
  last_name?: string;
  user_title?: string;
  role_id?: 1 | 2 | 3;
  user_status?: 'active' | 'inactive';
}

export function useUserMutations() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['people'] });
  return {
    create: useMutation({
      mutationFn: (user: NewUser) => api.post<unknown>('/v2/group/user', [user]),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: async ({ change, accessAudio }: { change: UserChange; accessAudio?: boolean }) => {
        if (Object.keys(change).length > 1) await api.put<unknown>('/v2/group/user', [change]);
        if (accessAudio !== undefined)
          await api.put<unknown>('/v2/user/permissions', [
            { ct_user_id: change.ct_user_id, access_audio: accessAudio },
          ]);
      },
      onSuccess: refresh,
    }),
  };
}

export function useBlacklistMutations() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['people', 'blacklist'] });
  return {
    add: useMutation({
      mutationFn: (number: number) => api.post<BlacklistedNumber>('/v2/blacklistednumber', { number }),
      onSuccess: refresh,
    }),
    remove: useMutation({
      mutationFn: (numbers: number[]) => api.delete<number[]>('/v2/blacklistednumber', { number: numbers }),
      onSuccess: refresh,
    }),
    refresh,
  };
}

export function useSourceMutations() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['people'] });
  return {
    createSource: useMutation({
      mutationFn: (source: { custom_source_name: string; org_unit_id: number }) =>
        api.post<string>('/v2/customsource', [source]),
      onSuccess: refresh,
    }),
    deleteSource: useMutation({
      mutationFn: (id: number) => api.delete<string>('/v2/customsource', { custom_sources: [id] }),
      onSuccess: refresh,
    }),
    createTags: useMutation({
      mutationFn: (tag: { tag_name: string[]; group_id: number }) => api.post<Tag[]>('/v2/tag', tag),
      onSuccess: refresh,
    }),
    deleteTag: useMutation({
      mutationFn: (id: number) => api.delete<number[]>('/v2/tag', { tag_id: [id] }),
      onSuccess: refresh,
    }),
  };
}

/** The fields of a call action the form edits (Create Call Actions / Update Call Action). */
export interface CallActionFields {
  action: CallAction['action'];
  action_target: string;
  action_order?: number;
  post_process: boolean;
  action_status: 'active' | 'inactive';
  rules: unknown[];
}

export const indicatorsQuery = queryOptions({
  queryKey: ['people', 'indicators'],
  queryFn: () =>
    api.get<{ indicator_id: number; indicator_name: string; indicator_status: string }[]>('/v2/indicator', {
      limit: LIST_LIMIT,
    }),
  staleTime: 5 * 60_000,
});

export function useCallActionMutations() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['people', 'callactions'] });
  return {
    create: useMutation({
      mutationFn: async (action: CallActionFields & { call_flow_id?: number; group_id?: number }) => {
        const [entry] = await api.post<{ result: string; data: number | string }[]>('/v2/callaction', [
          action,
        ]);
        if (entry?.result !== 'success') throw new Error(String(entry?.data ?? 'Not saved'));
        return Number(entry.data);
      },
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: (change: CallActionFields & { action_id: number }) =>
        api.put<CallAction>('/v2/callaction', change),
      onSuccess: refresh,
    }),
    remove: useMutation({
      mutationFn: (actionId: number) => api.delete<number[]>('/v2/callaction', { action_id: [actionId] }),
      onSuccess: refresh,
    }),
  };
}
