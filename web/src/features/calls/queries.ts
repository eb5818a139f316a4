import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import type {
  BreakdownDimension,
  BreakdownRow,
  CallRecord,
  CallSummary,
  SeriesBucket,
} from '../../api/types';

/** What every call report and list is read for: a group's subtree, a V2 filter, a time zone. */
export interface CallScope {
  groupId: number;
  filter: string;
  timeZone: string;
}

const scopeParams = ({ groupId, filter, timeZone }: CallScope) => ({
  group_id: groupId,
  filter,
  timezone: timeZone,
});

export const callKeys = {
  all: ['calls'] as const,
  detail: (callId: number) => ['calls', 'detail', callId] as const,
};

export const summaryQuery = (scope: CallScope) =>
  queryOptions({
    queryKey: [...callKeys.all, 'summary', scope],
    queryFn: ({ signal }) => api.get<CallSummary>('/v2/call/summary', scopeParams(scope), signal),
    placeholderData: keepPreviousData,
  });

export const seriesQuery = (scope: CallScope, interval: 'hour' | 'day' | 'week') =>
  queryOptions({
    queryKey: [...callKeys.all, 'series', scope, interval],
    queryFn: ({ signal }) =>
      api.get<SeriesBucket[]>('/v2/call/timeseries', { ...scopeParams(scope), interval }, signal),
    placeholderData: keepPreviousData,
  });

export const breakdownQuery = (scope: CallScope, by: BreakdownDimension, limit = 8) =>
  queryOptions({
    queryKey: [...callKeys.all, 'breakdown', scope, by, limit],
    queryFn: ({ signal }) =>
      api.get<BreakdownRow[]>('/v2/call/breakdown', { ...scopeParams(scope), by, limit }, signal),
    placeholderData: keepPreviousData,
  });

/** One page of the call log, newest first (V2's List Group Call Logs: the group and below). */
export const callPageQuery = (scope: CallScope, page: number, pageSize: number) =>
  queryOptions({
    queryKey: [...callKeys.all, 'page', scope, page, pageSize],
    queryFn: ({ signal }) =>
      api.get<CallRecord[]>(
        '/v2/group/calllog',
        {
          id: scope.groupId,
          filter: scope.filter,
          timezone: scope.timeZone,
          limit: pageSize,
          offset: page * pageSize,
        },
        signal,
      ),
    placeholderData: keepPreviousData,
  });

export const callQuery = (callId: number) =>
  queryOptions({
    queryKey: callKeys.detail(callId),
    queryFn: ({ signal }) => api.get<CallRecord>('/v2/call', { id: callId }, signal),
  });
