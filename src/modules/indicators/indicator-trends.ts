import { DateTime } from 'luxon';
import type { Db, Queryable } from '../../db/index.js';
import { invalidInput } from '../../errors.js';
import type { Principal } from '../auth/principal.js';
import { reportScope } from '../calls/call-reports.service.js';
import { checkTimezone } from '../calls/calls.service.js';
import { BUILTIN_INDICATORS } from './builtins.js';

/**
 * Indicator trends (our design, docs/compatibility.md): per indicator, how many of the analysed
 * calls of a group subtree scored it at `threshold` or more, per day or week of a range, and over
 * the range against the range of the same length just before it. The dashboard draws them.
 */

export const TREND_INTERVALS = ['day', 'week'] as const;
export type TrendInterval = (typeof TREND_INTERVALS)[number];

/** "Scored it": the score the dashboard and the call log's `indicator_id` filter count from. */
export const SCORED_THRESHOLD = 50;
const MAX_RANGE_DAYS = 731;

export interface TrendsQuery {
  group_id?: number | undefined;
  start_date: string;
  end_date: string;
  timezone?: string | undefined;
  interval?: TrendInterval | undefined;
  threshold?: number | undefined;
}

interface CountRow {
  period: string;
  /** 0 for the row of all analysed calls */
  indicator_id: number;
  indicator_name: string | null;
  calls: number;
}

const share = (part: number, whole: number) =>
  whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;

/** The range checked and read as instants in the zone: [start, end + 1 day). */
function readRange(startDate: string, endDate: string, zone: string) {
  const start = DateTime.fromISO(startDate, { zone });
  const end = DateTime.fromISO(endDate, { zone });
  if (!start.isValid) throw invalidInput(`Invalid start_date: ${startDate}`);
  if (!end.isValid) throw invalidInput(`Invalid end_date: ${endDate}`);
  const days = Math.round(end.diff(start, 'days').days) + 1;
  if (days < 1) throw invalidInput('end_date must not be before start_date');
  if (days > MAX_RANGE_DAYS) throw invalidInput(`A report covers at most ${MAX_RANGE_DAYS} days`);
  return { start, end, days };
}

/** Every period of the range, so quiet ones show as zero: days, or weeks from Monday. */
function periodsOf(start: DateTime, end: DateTime, interval: TrendInterval): string[] {
  const periods: string[] = [];
  const step = interval === 'week' ? { weeks: 1 } : { days: 1 };
  for (let at = interval === 'week' ? start.startOf('week') : start; at <= end; at = at.plus(step))
    periods.push(at.toISODate() as string);
  return periods;
}

/**
 * Analysed live calls of the subtree of $1 started in [$2, $3), counted per period ($4 `day` or
 * `week` in zone $5; one period '' when $4 is null): all of them (indicator 0) and per indicator
 * those scoring $6 or more.
 */
async function counts(
  db: Queryable,
  scope: number,
  from: Date,
  to: Date,
  interval: TrendInterval | null,
  zone: string,
  threshold: number,
): Promise<CountRow[]> {
  const { rows } = await db.query<CountRow>(
    `with k as (
       select c.call_id,
              case when $4::text is null then ''
                   else to_char(date_trunc($4::text, c.started_at at time zone $5::text), 'YYYY-MM-DD') end as period
         from call c
         join org_group g on g.group_id = c.group_id
         join call_analysis ca on ca.call_id = c.call_id
        where g.path @> array[$1::integer] and c.archived_at is null
          and c.started_at >= $2::timestamptz and c.started_at < $3::timestamptz)
     select k.period, 0 as indicator_id, null::text as indicator_name, count(*)::integer as calls
       from k group by k.period
     union all
     select k.period, s.indicator_id, max(s.indicator_name), count(*)::integer
       from k join call_indicator_score s on s.call_id = k.call_id
      where s.score >= $6::integer
      group by k.period, s.indicator_id`,
    [scope, from, to, interval, zone, threshold],
  );
  return rows;
}

/** The active indicators a user of the scope sees beside the built-in ones: above it and below it. */
async function groupIndicators(db: Queryable, scope: number) {
  const { rows } = await db.query<{ indicator_id: number; indicator_name: string }>(
    `select i.indicator_id, i.indicator_name from indicator i
      where i.indicator_status = 'active'
        and (i.group_id in (select g.group_id from org_group g where g.path @> array[$1::integer])
             or i.group_id = any((select g.path from org_group g where g.group_id = $1)::integer[]))
      order by i.indicator_id`,
    [scope],
  );
  return rows;
}

export async function indicatorTrends(db: Db, principal: Principal, query: TrendsQuery) {
  const timezone = checkTimezone(query.timezone);
  const interval = query.interval ?? 'day';
  const threshold = query.threshold ?? SCORED_THRESHOLD;
  const { start, end, days } = readRange(query.start_date, query.end_date, timezone);
  const scope = await reportScope(db, principal, query.group_id);
  const previousStart = start.minus({ days });
  const previousEnd = start.minus({ days: 1 });

  const current = await counts(
    db,
    scope,
    start.toJSDate(),
    end.plus({ days: 1 }).toJSDate(),
    interval,
    timezone,
    threshold,
  );
  const previous = await counts(
    db,
    scope,
    previousStart.toJSDate(),
    start.toJSDate(),
    null,
    timezone,
    threshold,
  );

  const names = new Map<number, string>(BUILTIN_INDICATORS.map((i) => [i.indicator_id, i.indicator_name]));
  for (const row of await groupIndicators(db, scope)) names.set(row.indicator_id, row.indicator_name);
  for (const row of [...current, ...previous])
    if (row.indicator_id !== 0 && !names.has(row.indicator_id))
      names.set(row.indicator_id, row.indicator_name ?? '');

  const count = (rows: CountRow[], indicatorId: number, period?: string) =>
    rows
      .filter((row) => row.indicator_id === indicatorId && (period === undefined || row.period === period))
      .reduce((sum, row) => sum + row.calls, 0);
  const periods = periodsOf(start, end, interval);
  const analyzed = count(current, 0);
  const previousAnalyzed = count(previous, 0);

  return {
    group_id: scope,
    start_date: query.start_date,
    end_date: query.end_date,
    previous_start_date: previousStart.toISODate() as string,
    previous_end_date: previousEnd.toISODate() as string,
    timezone,
    interval,
    threshold,
    analyzed,
    previous_analyzed: previousAnalyzed,
    indicators: [...names.entries()]
      .sort(([a], [b]) => a - b)
      .map(([indicatorId, name]) => {
        const scored = count(current, indicatorId);
        const previousScored = count(previous, indicatorId);
        return {
          indicator_id: indicatorId,
          indicator_name: name,
          is_builtin: indicatorId < 1000,
          scored,
          share: share(scored, analyzed),
          previous_scored: previousScored,
          previous_share: share(previousScored, previousAnalyzed),
          periods: periods.map((period) => {
            const all = count(current, 0, period);
            const hits = count(current, indicatorId, period);
            return { period_start: period, analyzed: all, scored: hits, share: share(hits, all) };
          }),
        };
      }),
  };
}
