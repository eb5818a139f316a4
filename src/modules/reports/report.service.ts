import { DateTime } from 'luxon';
import type { Db } from '../../db/index.js';
import { invalidInput } from '../../errors.js';
import { compileFilter } from '../../http/filter.js';
import type { Principal } from '../auth/principal.js';
import {
  BREAKDOWN_DIMENSIONS,
  type BreakdownDimension,
  type BreakdownRow,
  createCallReportsRepo,
  type HeatmapCell,
  type SeriesInterval,
  type SeriesRow,
  type SummaryRow,
} from '../calls/call-reports.repo.js';
import { reportScope } from '../calls/call-reports.service.js';
import { callFilterFields } from '../calls/calls.repo.js';
import { checkTimezone } from '../calls/calls.service.js';
import type { GroupLogoService } from '../groups/group-logo.service.js';
import { createGroupsRepo } from '../groups/groups.repo.js';
import type { ReportFormat } from './report.schemas.js';
import { renderReport } from './report-render.js';
import { createReportRollupRepo, ROLLUP_DIMENSIONS, type RollupDimension } from './report-rollup.repo.js';
import {
  createReportSectionsRepo,
  type ScoreRow,
  type TextFigures,
  type TextSeriesRow,
} from './report-sections.repo.js';

/**
 * Call reports (our design for V2's User › List Reports): one document per group subtree, date
 * range and zone, with totals, a time series, breakdowns and an hour × weekday heatmap. Every
 * figure comes from the console's report statements (call-reports.repo.ts), so a report, the
 * dashboard and groupActivity count the same calls the same way.
 */

/** What a report covers: the wire names, as the query string and a saved report spell them. */
export interface ReportDefinition {
  group_id?: number | undefined;
  /** first day, `YYYY-MM-DD` in `timezone` */
  start_date: string;
  /** last day (included), `YYYY-MM-DD` in `timezone` */
  end_date: string;
  timezone?: string | undefined;
  interval?: SeriesInterval | undefined;
  /** breakdown dimensions, comma-separated; all when absent */
  dimensions?: string | undefined;
  /** more conditions, in List Calls' filter syntax */
  filter?: string | undefined;
  /** most rows per breakdown */
  limit?: number | undefined;
}

export interface ReportTotals extends SummaryRow {
  /** answered / calls, 0 when there are no calls */
  answered_rate: number;
  average_answer_seconds: number;
  average_talk_seconds: number;
}

export interface ReportDocument {
  group_id: number;
  group_name: string;
  start_date: string;
  end_date: string;
  timezone: string;
  interval: SeriesInterval;
  totals: ReportTotals;
  series: SeriesRow[];
  breakdowns: { dimension: BreakdownDimension; rows: BreakdownRow[] }[];
  heatmap: HeatmapCell[];
  /** indicator and scorecard scores of the report's calls: in total, per call flow, per agent */
  scores: ScoreRow[];
  /** the subtree's texts over the range (the call filter does not apply to them) */
  texts: { totals: TextFigures; series: TextSeriesRow[] };
}

/** The longest range a report covers, and the longest an hourly series covers. */
const MAX_RANGE_DAYS = 731;
const MAX_HOURLY_RANGE_DAYS = 93;
const DEFAULT_BREAKDOWN_ROWS = 25;

const ratio = (part: number, whole: number, digits = 4) =>
  whole === 0 ? 0 : Math.round((part / whole) * 10 ** digits) / 10 ** digits;

/** The dimensions a definition asks for, checked; every dimension when it names none. */
export function parseDimensions(dimensions: string | undefined): BreakdownDimension[] {
  if (dimensions === undefined || dimensions.trim() === '') return [...BREAKDOWN_DIMENSIONS];
  const names = dimensions.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(BREAKDOWN_DIMENSIONS as readonly string[]).includes(name));
  if (unknown !== undefined)
    throw invalidInput(`Invalid dimension: ${unknown.slice(0, 64)}. Use ${BREAKDOWN_DIMENSIONS.join(', ')}`);
  return [...new Set(names)] as BreakdownDimension[];
}

/** The range checked: real days, in order, not too long for the interval. */
export function checkRange(startDate: string, endDate: string, interval: SeriesInterval) {
  const start = DateTime.fromISO(startDate, { zone: 'UTC' });
  const end = DateTime.fromISO(endDate, { zone: 'UTC' });
  if (!start.isValid) throw invalidInput(`Invalid start_date: ${startDate}`);
  if (!end.isValid) throw invalidInput(`Invalid end_date: ${endDate}`);
  const days = end.diff(start, 'days').days + 1;
  if (days < 1) throw invalidInput('end_date must not be before start_date');
  if (days > MAX_RANGE_DAYS) throw invalidInput(`A report covers at most ${MAX_RANGE_DAYS} days`);
  if (interval === 'hour' && days > MAX_HOURLY_RANGE_DAYS)
    throw invalidInput(`An hourly report covers at most ${MAX_HOURLY_RANGE_DAYS} days`);
}

/**
 * Checks a definition's parts that its schema cannot: the range, the zone, the dimensions and the
 * filter's rules (compiled once and dropped), so a saved report is refused as a request would be.
 */
export function checkDefinition(definition: ReportDefinition) {
  const timezone = checkTimezone(definition.timezone);
  checkRange(definition.start_date, definition.end_date, definition.interval ?? 'day');
  parseDimensions(definition.dimensions);
  compileFilter(rangeFilter(definition), callFilterFields, 1, { timezone });
}

/** The List Calls filter of a definition: its range (whole days in its zone) and its own conditions. */
export const rangeFilter = (definition: Pick<ReportDefinition, 'start_date' | 'end_date' | 'filter'>) =>
  [
    `call_started>=${definition.start_date}`,
    `call_started<=${definition.end_date}`,
    ...(definition.filter ? [definition.filter] : []),
  ].join(',');

/** The range's instants in the zone: [first day 00:00, the day after the last 00:00). */
export function rangeInstants(
  definition: Pick<ReportDefinition, 'start_date' | 'end_date'>,
  timezone: string,
) {
  const from = DateTime.fromISO(definition.start_date, { zone: timezone });
  const to = DateTime.fromISO(definition.end_date, { zone: timezone }).plus({ days: 1 });
  return { from, to };
}

/**
 * Whether the roll-up can answer a report: no filter (it keeps no call fields but group, campaign
 * and hour), and the zone's offset a whole number of hours on every day of the range (every local
 * day, week and month is then a set of whole UTC hours; not so in India or Newfoundland).
 */
export function rollupAnswers(definition: ReportDefinition, timezone: string): boolean {
  if (definition.filter !== undefined && definition.filter.trim() !== '') return false;
  const { from, to } = rangeInstants(definition, timezone);
  for (let day = from; day <= to; day = day.plus({ days: 1 }))
    if (day.offset % 60 !== 0 || day.endOf('day').offset % 60 !== 0) return false;
  return true;
}

export function createReportService({
  db,
  logos,
}: {
  db: Db;
  /** the group's brand logo (its own or its nearest ancestor's), drawn in the PDF */
  logos?: Pick<GroupLogoService, 'imageFor'> | undefined;
}) {
  const repo = createCallReportsRepo(db);
  const sections = createReportSectionsRepo(db);
  const rollup = createReportRollupRepo(db);
  const groups = createGroupsRepo(db);

  /** The report of a definition over the caller's scope. */
  async function build(principal: Principal, definition: ReportDefinition): Promise<ReportDocument> {
    checkDefinition(definition);
    const scope = await reportScope(db, principal, definition.group_id);
    return buildForScope(scope, definition);
  }

  /** The report of a definition over the subtree of `scope` (a schedule's group). */
  async function buildForScope(scope: number, definition: ReportDefinition): Promise<ReportDocument> {
    checkDefinition(definition);
    const timezone = checkTimezone(definition.timezone);
    const interval = definition.interval ?? 'day';
    const dimensions = parseDimensions(definition.dimensions);
    const filterText = rangeFilter(definition);
    // each statement numbers its fixed parameters first, the filter's after them
    const filterAfter = (fixed: number) =>
      compileFilter(filterText, callFilterFields, fixed + 1, { timezone });
    const limit = definition.limit ?? DEFAULT_BREAKDOWN_ROWS;

    const { from, to } = rangeInstants(definition, timezone);
    const instants = [from.toJSDate(), to.toJSDate()] as const;
    const fromRollup = rollupAnswers(definition, timezone);
    // The statements are independent: on PostgreSQL they run side by side on the pool (a report
    // waits for its slowest statement, not for their sum); PGlite runs them one after another.
    const [summary, series, breakdowns, heatmap, group, scores, texts] = await Promise.all([
      fromRollup ? rollup.summary(scope, ...instants) : repo.summary(scope, filterAfter(1)),
      fromRollup
        ? rollup.series(scope, ...instants, interval, timezone)
        : repo.series(scope, filterAfter(3), interval, timezone),
      Promise.all(
        dimensions.map(async (dimension) => ({
          dimension,
          rows:
            fromRollup && dimension in ROLLUP_DIMENSIONS
              ? await rollup.breakdown(scope, ...instants, dimension as RollupDimension, limit)
              : await repo.breakdown(scope, filterAfter(2), dimension, limit),
        })),
      ),
      fromRollup
        ? rollup.heatmap(scope, ...instants, timezone)
        : repo.heatmap(scope, filterAfter(2), timezone),
      groups.findInScope(scope, scope),
      sections.scores(scope, filterAfter(1)),
      sections.texts(scope, ...instants, interval, timezone),
    ]);

    return {
      group_id: scope,
      group_name: group?.group_name ?? '',
      start_date: definition.start_date,
      end_date: definition.end_date,
      timezone,
      interval,
      totals: {
        ...summary,
        answered_rate: ratio(summary.answered, summary.calls),
        average_answer_seconds: ratio(summary.answer_seconds, summary.answered, 1),
        average_talk_seconds: ratio(summary.talk_seconds, summary.answered, 1),
      },
      series,
      breakdowns,
      heatmap,
      scores,
      texts,
    };
  }

  /** Only the totals of a definition over the subtree of `scope` (a previous period's, to compare). */
  async function totalsForScope(scope: number, definition: ReportDefinition): Promise<SummaryRow> {
    const timezone = checkTimezone(definition.timezone);
    return repo.summary(scope, compileFilter(rangeFilter(definition), callFilterFields, 2, { timezone }));
  }

  /** The report as a file; the PDF carries the group's logo when one is set. */
  async function render(report: ReportDocument, format: ReportFormat): Promise<Buffer> {
    const logo = format === 'pdf' ? await logos?.imageFor(report.group_id) : undefined;
    return renderReport(report, format, { logo });
  }

  return { build, buildForScope, totalsForScope, render };
}

export type ReportService = ReturnType<typeof createReportService>;
