import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { callKeys } from '../calls/queries';
import type {
  Answer,
  CallScore,
  IndicatorTrends,
  Scorecard,
  ScoredCall,
  SearchHit,
  TranscribedCall,
} from './types';

export const intelKeys = {
  transcript: (callId: number) => [...callKeys.detail(callId), 'transcript'] as const,
  hits: (callId: number, query: string) => [...callKeys.detail(callId), 'hits', query] as const,
  scores: (callId: number) => [...callKeys.detail(callId), 'scorecards'] as const,
  scorecards: ['scorecards'] as const,
  search: ['transcript-search'] as const,
};

/** The call's transcript (status, utterances); `null` when the call has none (not recorded). */
export const transcriptQuery = (callId: number) =>
  queryOptions({
    queryKey: intelKeys.transcript(callId),
    queryFn: async ({ signal }) => {
      const rows = await api.get<TranscribedCall[]>(
        '/v2/call/transcription/detail',
        { filter: `call_id=${callId}`, limit: 1 },
        signal,
      );
      return rows[0]?.transcription ?? null;
    },
    // a transcript on its way is looked at again until it is done, failed or skipped
    refetchInterval: (query) => (query.state.data?.transcript_status === 'pending' ? 5000 : false),
  });

/** Where `query` is said in one call: its matching utterances, hits marked by the server. */
export const callHitsQuery = (callId: number, query: string) =>
  queryOptions({
    queryKey: intelKeys.hits(callId, query),
    queryFn: async ({ signal }) => {
      const rows = await api.get<SearchHit[]>(
        '/v2/call/transcription/search',
        { query, filter: `call_id=${callId}`, limit: 1 },
        signal,
      );
      return rows[0]?.matches ?? [];
    },
    enabled: query.trim() !== '',
    placeholderData: keepPreviousData,
  });

export const scorecardsQuery = queryOptions({
  queryKey: intelKeys.scorecards,
  queryFn: ({ signal }) =>
    api.get<Scorecard[]>('/v2/scorecard', { limit: 100, filter: 'scorecard_status=active' }, signal),
});

export const callScoresQuery = (callId: number) =>
  queryOptions({
    queryKey: intelKeys.scores(callId),
    queryFn: ({ signal }) => api.get<CallScore[]>('/v2/scorecard/call', { call_id: callId }, signal),
  });

export function useScoreCall(callId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { scorecard_id: number; call_title: string; answers: Record<string, Answer> }) =>
      api.post<ScoredCall>('/v2/scorecard/call', { call_id: callId, ...body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: intelKeys.scores(callId) }),
  });
}

export interface SearchScope {
  groupId: number;
  query: string;
  filter: string;
  timeZone: string;
}

export const SEARCH_PAGE_SIZE = 20;

/** A page of the calls where the query was said, newest first. */
export const searchQuery = (scope: SearchScope, page: number) =>
  queryOptions({
    queryKey: [...intelKeys.search, scope, page],
    queryFn: ({ signal }) =>
      api.get<SearchHit[]>(
        '/v2/call/transcription/search',
        {
          group_id: scope.groupId,
          query: scope.query,
          filter: scope.filter,
          timezone: scope.timeZone,
          // one more than shown: is there a next page
          limit: SEARCH_PAGE_SIZE + 1,
          offset: page * SEARCH_PAGE_SIZE,
        },
        signal,
      ),
    enabled: scope.query.trim() !== '',
    placeholderData: keepPreviousData,
  });

/** Per indicator, the share of the subtree's analysed calls that scored it, per day or week. */
export const indicatorTrendsQuery = (params: {
  groupId: number;
  from: string;
  to: string;
  timeZone: string;
  interval: 'day' | 'week';
}) =>
  queryOptions({
    queryKey: [...callKeys.all, 'indicator-trends', params],
    queryFn: ({ signal }) =>
      api.get<IndicatorTrends>(
        '/v2/indicator/trends',
        {
          group_id: params.groupId,
          start_date: params.from,
          end_date: params.to,
          timezone: params.timeZone,
          interval: params.interval,
        },
        signal,
      ),
    placeholderData: keepPreviousData,
  });
