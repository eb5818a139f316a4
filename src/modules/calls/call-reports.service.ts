import type { Db } from '../../db/index.js';
import { invalidInput } from '../../errors.js';
import { compileFilter } from '../../http/filter.js';
import type { Principal } from '../auth/principal.js';
import {
  type BreakdownDimension,
  createCallReportsRepo,
  type ExportCursor,
  type ExportRow,
  type SeriesInterval,
} from './call-reports.repo.js';
import { callFilterFields, createCallsRepo } from './calls.repo.js';
import { checkTimezone } from './calls.service.js';

export interface ReportQuery {
  group_id?: number | undefined;
  filter?: string | undefined;
  timezone?: string | undefined;
}

/**
 * The group whose subtree a console request reads: `group_id` when given (a group of the caller's
 * scope), else the caller's own group.
 */
export async function reportScope(
  db: Db,
  principal: Principal,
  groupId: number | undefined,
): Promise<number> {
  if (groupId === undefined) return principal.groupId;
  if (!(await createCallsRepo(db).groupInScope(principal.groupId, groupId)))
    throw invalidInput(`group_id ${groupId} is not a group you can access`);
  return groupId;
}

/** Rows per statement of the CSV export. */
const EXPORT_PAGE_ROWS = 2000;

/** The CSV export's columns, in order: the row field and its header. */
export const EXPORT_COLUMNS: readonly { key: keyof ExportRow; header: string }[] = [
  { key: 'call_id', header: 'Call ID' },
  { key: 'call_started', header: 'Started' },
  { key: 'caller_id', header: 'Caller' },
  { key: 'caller_name', header: 'Caller name' },
  { key: 'caller_city', header: 'Caller city' },
  { key: 'caller_state', header: 'Caller state' },
  { key: 'tracking_number', header: 'Tracking number' },
  { key: 'call_flow_name', header: 'Call flow' },
  { key: 'campaign_name', header: 'Campaign' },
  { key: 'channel', header: 'Channel' },
  { key: 'group_name', header: 'Group' },
  { key: 'disposition', header: 'Disposition' },
  { key: 'duration', header: 'Duration (s)' },
  { key: 'talk_seconds', header: 'Talk time (s)' },
  { key: 'repeat_call', header: 'Repeat caller' },
  { key: 'key_path', header: 'Keys pressed' },
  { key: 'ring_to', header: 'Answered by' },
  { key: 'tags', header: 'Tags' },
  { key: 'call_value', header: 'Value' },
  { key: 'utm_source', header: 'UTM source' },
  { key: 'landing_page', header: 'Landing page' },
  { key: 'referrer', header: 'Referrer' },
  { key: 'recording_url', header: 'Recording' },
];

export function createCallReportsService({ db }: { db: Db }) {
  const repo = createCallReportsRepo(db);
  /** The filter compiled for a statement whose fixed parameters are `fixed`; dates read in the zone. */
  const filterOf = (query: ReportQuery, fixed: number) =>
    compileFilter(query.filter, callFilterFields, fixed + 1, { timezone: checkTimezone(query.timezone) });

  return {
    async summary(principal: Principal, query: ReportQuery) {
      const filter = filterOf(query, 1);
      return repo.summary(await reportScope(db, principal, query.group_id), filter);
    },

    async series(principal: Principal, query: ReportQuery & { interval?: SeriesInterval | undefined }) {
      const filter = filterOf(query, 3);
      return repo.series(
        await reportScope(db, principal, query.group_id),
        filter,
        query.interval ?? 'day',
        checkTimezone(query.timezone),
      );
    },

    async breakdown(
      principal: Principal,
      query: ReportQuery & { by: BreakdownDimension; limit?: number | undefined },
    ) {
      const filter = filterOf(query, 2);
      return repo.breakdown(
        await reportScope(db, principal, query.group_id),
        filter,
        query.by,
        query.limit ?? 10,
      );
    },

    /**
     * The calls of the filter for the CSV export: how many (read first, so the console can show
     * progress), and the rows, read page by page (keyset) as the response is written.
     */
    async export(principal: Principal, query: ReportQuery) {
      const timezone = checkTimezone(query.timezone);
      const scope = await reportScope(db, principal, query.group_id);
      const filter = filterOf(query, 5);
      const { calls: total } = await repo.summary(scope, filterOf(query, 1));
      async function* rows(): AsyncGenerator<ExportRow> {
        let cursor: ExportCursor | undefined;
        for (;;) {
          const page = await repo.exportPage(scope, filter, timezone, EXPORT_PAGE_ROWS, cursor);
          yield* page;
          const last = page.at(-1);
          if (page.length < EXPORT_PAGE_ROWS || !last) return;
          cursor = { startedAt: last.started_at, callId: last.call_id };
        }
      }
      return { total, rows: rows() };
    },
  };
}

export type CallReportsService = ReturnType<typeof createCallReportsService>;
