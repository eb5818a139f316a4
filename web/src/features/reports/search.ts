import { parseCallSearch } from '../calls/search';
import type { Interval } from './queries';

/** The report page's URL: a shared link opens the same report. */
export interface ReportsSearch {
  group?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  tz?: string | undefined;
  interval?: Interval | undefined;
  type?: string | undefined;
  report?: number | undefined;
}

const INTERVALS: readonly string[] = ['hour', 'day', 'week', 'month'];

const positive = (value: unknown) => {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? number : undefined;
};

const defined = <T extends object>(search: T): T =>
  Object.fromEntries(Object.entries(search).filter(([, value]) => value !== undefined)) as T;

export function parseReportsSearch(raw: Record<string, unknown>): ReportsSearch {
  const { group, from, to } = parseCallSearch(raw);
  return defined({
    group,
    from,
    to,
    tz: typeof raw.tz === 'string' && raw.tz.length <= 64 ? raw.tz : undefined,
    interval: INTERVALS.includes(String(raw.interval)) ? (raw.interval as Interval) : undefined,
    type: typeof raw.type === 'string' ? raw.type : undefined,
    report: positive(raw.report),
  });
}

/** The schedules page: the group, and the schedule whose runs are shown. */
export interface SchedulesSearch {
  group?: number | undefined;
  schedule?: number | undefined;
}

export const parseSchedulesSearch = (raw: Record<string, unknown>): SchedulesSearch =>
  defined({ group: parseCallSearch(raw).group, schedule: positive(raw.schedule) });

/** The usage page: the group and the month (YYYY-MM). */
export interface UsageSearch {
  group?: number | undefined;
  period?: string | undefined;
}

export const parseUsageSearch = (raw: Record<string, unknown>): UsageSearch =>
  defined({
    group: parseCallSearch(raw).group,
    period: typeof raw.period === 'string' && /^\d{4}-\d{2}$/.test(raw.period) ? raw.period : undefined,
  });
