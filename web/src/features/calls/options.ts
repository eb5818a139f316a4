import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { CallFlowSummary, Campaign, Tag } from '../../api/types';

/** What the call log's filters offer: the campaigns, call flows and tags of the user's scope. */
const LIST_LIMIT = 1000;

/** V2 lists answer an empty result as a message ("No data found"), not as []. */
const asList = <T>(data: T[] | string): T[] => (Array.isArray(data) ? data : []);

export const campaignsQuery = queryOptions({
  queryKey: ['campaigns', 'list'],
  queryFn: async () => asList(await api.get<Campaign[] | string>('/v2/campaign/list', { limit: LIST_LIMIT })),
  staleTime: 5 * 60_000,
});

export const callFlowsQuery = queryOptions({
  queryKey: ['callflows', 'list'],
  queryFn: async () =>
    asList(await api.get<CallFlowSummary[] | string>('/v2/callflow/list', { limit: LIST_LIMIT })),
  staleTime: 5 * 60_000,
});

export const tagsQuery = queryOptions({
  queryKey: ['tags', 'list'],
  queryFn: async () => asList(await api.get<Tag[] | string>('/v2/tag', { limit: LIST_LIMIT })),
  staleTime: 60_000,
});
