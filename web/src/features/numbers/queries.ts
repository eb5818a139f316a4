import type { Static } from '@sinclair/typebox';
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { LeasedNumber, PoolUsage, PoolUsageHistory } from '../../../../src/modules/dni/dni.schemas.js';
import type { AvailableNumber } from '../../../../src/modules/numbers/numbers.schemas.js';
import { api } from '../../api/client';

export type Available = Static<typeof AvailableNumber>;
export type Usage = Static<typeof PoolUsage>;
export type UsageHistory = Static<typeof PoolUsageHistory>;
export type Leased = Static<typeof LeasedNumber>;

export interface NumberSearch {
  npa?: string | undefined;
  nxx?: string | undefined;
  pattern?: string | undefined;
}

/** Numbers of the inventory nobody has reserved, matching the search (V2 answers none as a message). */
export const availableQuery = (search: NumberSearch) =>
  queryOptions({
    queryKey: ['numbers', 'available', search],
    queryFn: async () => {
      const data = await api.get<Available[] | string>('/v2/number/search', { ...search, limit: 25 });
      return Array.isArray(data) ? data : [];
    },
  });

export const poolUsageQuery = (poolId: number) =>
  queryOptions({
    queryKey: ['numbers', 'pool', poolId],
    queryFn: () => api.get<Usage>('/v2/numberpool/usage', { id: poolId }),
    refetchInterval: 30_000,
  });

/** The pool's samples of the last `days` (GET /v2/numberpool/usagehistory). */
export const poolHistoryQuery = (poolId: number, days: number) =>
  queryOptions({
    queryKey: ['numbers', 'pool', poolId, 'history', days],
    queryFn: () => api.get<UsageHistory>('/v2/numberpool/usagehistory', { id: poolId, days }),
    refetchInterval: 60_000,
  });

/** The pool's numbers visitors hold now (GET /v2/numberpool/leases). */
export const poolLeasesQuery = (poolId: number) =>
  queryOptions({
    queryKey: ['numbers', 'pool', poolId, 'leases'],
    queryFn: () => api.get<Leased[]>('/v2/numberpool/leases', { id: poolId }),
    refetchInterval: 30_000,
  });

export const snippetQuery = (groupId: number) =>
  queryOptions({
    queryKey: ['numbers', 'snippet', groupId],
    queryFn: async () => {
      const [entry] = await api.get<Record<string, string>[]>('/v2/group/dnisnippet', { id: groupId });
      return entry?.[String(groupId)] ?? '';
    },
    staleTime: Number.POSITIVE_INFINITY,
  });

export function useReserve() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (number: number) => {
      const [entry] = await api.post<{ result: string; data: unknown }[]>('/v2/number/reserve', [
        { number: String(number) },
      ]);
      if (entry?.result === 'error') throw new Error(String(entry.data));
      return entry;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['numbers'] }),
  });
}

/**
 * Release Phone Number: without `confirm` the API changes nothing and says what releasing would do
 * (the entry's reason); with `confirm: true` it releases.
 */
export async function releasePreview(number: string): Promise<string> {
  try {
    const reply = await api.post<{ data: { result: string; data: unknown }[] }>('/v2/number/release', [
      { number },
    ]);
    return String(reply.data?.[0]?.data ?? '');
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function useRelease() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (number: string) => api.post<unknown>('/v2/number/release', [{ number, confirm: true }]),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['numbers'] }),
  });
}
