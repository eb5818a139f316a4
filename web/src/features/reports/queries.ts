import type { Static, TSchema } from '@sinclair/typebox';
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { LogoEnvelope } from '../../../../src/modules/groups/group-logo.schemas.js';
import type { ReportEnvelope } from '../../../../src/modules/reports/report.schemas.js';
import type {
  Run as RunSchema,
  SavedReport as SavedReportSchema,
  Schedule as ScheduleSchema,
} from '../../../../src/modules/reports/saved-reports.schemas.js';
import type {
  ClientUsageEnvelope,
  SubscriptionEnvelope,
} from '../../../../src/modules/subscriptions/subscriptions.schemas.js';
import { ApiError, api, withQuery } from '../../api/client';

type DataOf<T extends TSchema> = Static<T> extends { data: infer D } ? D : never;

export type Report = DataOf<typeof ReportEnvelope>;
export type SavedReport = Static<typeof SavedReportSchema>;
export type Schedule = Static<typeof ScheduleSchema>;
export type Run = Static<typeof RunSchema>;
export type Subscription = DataOf<typeof SubscriptionEnvelope>;
export type ClientUsage = DataOf<typeof ClientUsageEnvelope>;
export type Interval = Report['interval'];
export type Dimension = Report['breakdowns'][number]['dimension'];
export type Logo = DataOf<typeof LogoEnvelope>;
export type FileFormat = 'csv' | 'xlsx' | 'pdf';

/** What the report page shows: Get Call Report's query string. */
export interface ReportDefinition {
  group_id: number;
  start_date: string;
  end_date: string;
  timezone: string;
  interval: Interval;
  /** breakdowns, comma-separated */
  dimensions: string;
}

const params = (definition: ReportDefinition) => ({ ...definition });

export const reportQuery = (definition: ReportDefinition) =>
  queryOptions({
    queryKey: ['reports', 'report', definition],
    queryFn: ({ signal }) => api.get<Report>('/v2/report/call', params(definition), signal),
    placeholderData: (previous) => previous,
  });

/** The file's URL: the browser downloads it with the session cookie, as any link. */
export const downloadUrl = (definition: ReportDefinition, format: FileFormat) =>
  withQuery('/v2/report/call/download', { ...params(definition), format });

/** Saved reports: every one of the user's scope, or those of a group and the groups below it. */
export const savedReportsQuery = (groupId?: number) =>
  queryOptions({
    queryKey: ['reports', 'saved', groupId ?? 'all'],
    queryFn: () => api.get<SavedReport[]>('/v2/report', { limit: 1000, group_id: groupId }),
  });

/** The schedules of a group and the groups below it (the group the page shows). */
export const schedulesQuery = (groupId: number) =>
  queryOptions({
    queryKey: ['reports', 'schedules', groupId],
    queryFn: () => api.get<Schedule[]>('/v2/report/schedule', { limit: 1000, group_id: groupId }),
  });

export const runsQuery = (scheduleId: number) =>
  queryOptions({
    queryKey: ['reports', 'runs', scheduleId],
    queryFn: () =>
      api.get<Run[]>('/v2/report/schedule/run', { filter: `schedule_id=${scheduleId}`, limit: 100 }),
  });

export const subscriptionQuery = (groupId: number, period: string) =>
  queryOptions({
    queryKey: ['usage', 'subscription', groupId, period],
    queryFn: () => api.get<Subscription>('/v2/misc/subscription', { group_id: groupId, period }),
  });

export const clientUsageQuery = (groupId: number, period: string) =>
  queryOptions({
    queryKey: ['usage', 'clients', groupId, period],
    queryFn: () => api.get<ClientUsage>('/v2/misc/subscription/clients', { group_id: groupId, period }),
  });

export const clientUsageDownloadUrl = (groupId: number, period: string, format: 'csv' | 'xlsx') =>
  withQuery('/v2/misc/subscription/clients/download', { group_id: groupId, period, format });

export interface SavedReportBody {
  report_name: string;
  group_id: number;
  timezone: string;
  interval: Interval;
  dimensions?: string | undefined;
}

export function useSaveReport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SavedReportBody & { report_id?: number | undefined }) =>
      body.report_id === undefined
        ? api.post<SavedReport>('/v2/report', body)
        : api.put<SavedReport>('/v2/report', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['reports', 'saved'] }),
  });
}

export interface ScheduleBody {
  schedule_id?: number | undefined;
  report_id: number;
  frequency: Schedule['frequency'];
  send_time: string;
  timezone: string;
  recipients: string[];
  formats: Schedule['formats'];
  schedule_status: Schedule['schedule_status'];
}

export function useScheduleMutations() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['reports', 'schedules'] });
  return {
    save: useMutation({
      mutationFn: ({ schedule_id, ...body }: ScheduleBody) =>
        schedule_id === undefined
          ? api.post<Schedule>('/v2/report/schedule', body)
          : api.put<Schedule>('/v2/report/schedule', { schedule_id, ...body }),
      onSuccess: refresh,
    }),
    remove: useMutation({
      mutationFn: (scheduleId: number) => api.delete('/v2/report/schedule', { schedule_id: scheduleId }),
      onSuccess: refresh,
    }),
  };
}

/** The logo that brands a group's reports (its own or its nearest ancestor's); null when none. */
export const logoQuery = (groupId: number) =>
  queryOptions({
    queryKey: ['reports', 'logo', groupId],
    queryFn: async () => {
      try {
        return await api.get<Logo>('/v2/group/logo', { group_id: groupId });
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });

/** The image's URL; `version` (its upload time) makes a new image load afresh. */
export const logoFileUrl = (groupId: number, version: string) =>
  withQuery('/v2/group/logo/file', { group_id: groupId, v: version });

export function useLogoMutations(groupId: number) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['reports', 'logo'] });
  return {
    upload: useMutation({
      mutationFn: (file: File) => {
        const form = new FormData();
        form.append('group_id', String(groupId));
        form.append('file', file);
        return api.upload<Logo>('/v2/group/logo', form);
      },
      onSuccess: refresh,
    }),
    remove: useMutation({
      mutationFn: () => api.delete(withQuery('/v2/group/logo', { group_id: groupId })),
      onSuccess: refresh,
    }),
  };
}
