import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { CallFlowSummary, Campaign, Tag } from '../../api/types';

/** What the call log's filters offer: the campaigns, call flows and tags of the user's scope. */
const LIST_LIMIT = 1000;

export const campaignsQuery = queryOptions({
  queryKey: ['campaigns', 'list'],
  queryFn: () => api.get<Campaign[]>('/v2/campaign/list', { limit: LIST_LIMIT }),
  staleTime: 5 * 60_000,
});

export const callFlowsQuery = queryOptions({
  queryKey: ['callflows', 'list'],
  queryFn: () => api.get<CallFlowSummary[]>('/v2/callflow/list', { limit: LIST_LIMIT }),
  staleTime: 5 * 60_000,
});

export const tagsQuery = queryOptions({
  queryKey: ['tags', 'list'],
  queryFn: () => api.get<Tag[]>('/v2/tag', { limit: LIST_LIMIT }),
  staleTime: 60_000,
});
