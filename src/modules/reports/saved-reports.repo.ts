import type { Queryable } from '../../db/index.js';
import type { FilterFields } from '../../http/filter.js';
import { whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';

/** Saved reports, their schedules and the schedules' runs (migration 0060): the only SQL on them. */

/** A saved report's definition: Get Call Report's fields without the dates. */
export interface SavedDefinition {
  timezone?: string | undefined;
  interval?: 'hour' | 'day' | 'week' | 'month' | undefined;
  dimensions?: string | undefined;
  filter?: string | undefined;
  limit?: number | undefined;
}

export interface SavedReportRow {
  report_id: number;
  report_name: string;
  group_id: number;
  definition: SavedDefinition;
  report_created: string;
  report_modified: string | null;
}

export interface ScheduleRow {
  schedule_id: number;
  report_id: number;
  group_id: number;
  frequency: 'daily' | 'weekly' | 'monthly';
  send_time: string;
  timezone: string;
  recipients: string[];
  formats: ('csv' | 'xlsx' | 'pdf')[];
  schedule_status: 'active' | 'inactive';
  schedule_created: string;
  schedule_modified: string | null;
}

export interface RunRow {
  run_id: number;
  schedule_id: number;
  period_start: string;
  period_end: string;
  due_at: string;
  run_status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  summary: RunSummary | null;
  run_created: string;
  run_finished: string | null;
}

/** What a sent run's e-mail said. */
export interface RunSummary {
  calls: number;
  answered: number;
  answered_rate: number;
  previous_calls: number;
}

export const savedReportFilterFields: FilterFields = {
  report_id: { column: 'r.report_id', type: 'integer' },
  report_name: { column: 'r.report_name', type: 'string' },
  group_id: { column: 'r.group_id', type: 'integer' },
};

export const scheduleFilterFields: FilterFields = {
  schedule_id: { column: 's.schedule_id', type: 'integer' },
  report_id: { column: 's.report_id', type: 'integer' },
  group_id: { column: 's.group_id', type: 'integer' },
  frequency: { column: 's.frequency', type: 'string' },
  schedule_status: { column: 's.schedule_status', type: 'string' },
};

export const runFilterFields: FilterFields = {
  run_id: { column: 'u.run_id', type: 'integer' },
  schedule_id: { column: 'u.schedule_id', type: 'integer' },
  run_status: { column: 'u.run_status', type: 'string' },
  period_start: { column: 'u.period_start', type: 'date' },
};

const REPORT_COLUMNS = `r.report_id, r.report_name, r.group_id, r.definition,
  ${isoTime('r.report_created')} as report_created,
  case when r.report_modified is null then null else ${isoTime('r.report_modified')} end as report_modified`;

const SCHEDULE_COLUMNS = `s.schedule_id, s.report_id, s.group_id, s.frequency, s.send_time, s.timezone,
  s.recipients, s.formats, s.schedule_status,
  ${isoTime('s.schedule_created')} as schedule_created,
  case when s.schedule_modified is null then null else ${isoTime('s.schedule_modified')} end as schedule_modified`;

const RUN_COLUMNS = `u.run_id::integer as run_id, u.schedule_id, to_char(u.period_start, 'YYYY-MM-DD') as period_start,
  to_char(u.period_end, 'YYYY-MM-DD') as period_end, ${isoTime('u.due_at')} as due_at, u.run_status, u.attempts,
  u.last_error, u.summary, ${isoTime('u.run_created')} as run_created,
  case when u.run_finished is null then null else ${isoTime('u.run_finished')} end as run_finished`;

export function createSavedReportsRepo(db: Queryable) {
  return {
    async listReports(scopeGroupId: number, page: ListPage): Promise<SavedReportRow[]> {
      const { rows } = await db.query<SavedReportRow>(
        `select ${REPORT_COLUMNS} from saved_report r
          where r.report_status = 'active' and ${inScope('r.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by r.report_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    /** A report of the scope; with scope null, any report that is not deleted (the job's read). */
    async findReport(scopeGroupId: number | null, reportId: number): Promise<SavedReportRow | undefined> {
      const { rows } = await db.query<SavedReportRow>(
        `select ${REPORT_COLUMNS} from saved_report r
          where r.report_id = $2 and r.report_status = 'active'
            and ($1::integer is null or ${inScope('r.group_id', '$1')})`,
        [scopeGroupId, reportId],
      );
      return rows[0];
    },

    async insertReport(
      values: { group_id: number; report_name: string; definition: SavedDefinition },
      userId: number,
      now: Date,
    ): Promise<number> {
      const { rows } = await db.query<{ report_id: number }>(
        `insert into saved_report (group_id, report_name, definition, created_by, report_created)
         values ($1, $2, $3, $4, $5) returning report_id`,
        [values.group_id, values.report_name, JSON.stringify(values.definition), userId, now],
      );
      return (rows[0] as { report_id: number }).report_id;
    },

    async updateReport(
      reportId: number,
      values: { group_id: number; report_name: string; definition: SavedDefinition },
      now: Date,
    ): Promise<void> {
      await db.query(
        `update saved_report set group_id = $2, report_name = $3, definition = $4, report_modified = $5
          where report_id = $1`,
        [reportId, values.group_id, values.report_name, JSON.stringify(values.definition), now],
      );
    },

    /** Deletes the report (soft); answers how many it deleted (0 or 1). */
    async deleteReport(scopeGroupId: number, reportId: number, now: Date): Promise<number> {
      const { rowCount } = await db.query(
        `update saved_report r set report_status = 'deleted', report_modified = $3
          where r.report_id = $2 and r.report_status = 'active' and ${inScope('r.group_id', '$1')}`,
        [scopeGroupId, reportId, now],
      );
      return rowCount ?? 0;
    },

    /** Deletes (soft) the schedules of a report. */
    async deleteSchedulesOf(reportId: number, now: Date): Promise<void> {
      await db.query(
        `update report_schedule set schedule_status = 'deleted', schedule_modified = $2
          where report_id = $1 and schedule_status <> 'deleted'`,
        [reportId, now],
      );
    },

    async listSchedules(scopeGroupId: number, page: ListPage): Promise<ScheduleRow[]> {
      const { rows } = await db.query<ScheduleRow>(
        `select ${SCHEDULE_COLUMNS} from report_schedule s
          where s.schedule_status <> 'deleted' and ${inScope('s.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by s.schedule_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    /** A schedule of the scope; with scope null, any schedule that is not deleted (the job's read). */
    async findSchedule(scopeGroupId: number | null, scheduleId: number): Promise<ScheduleRow | undefined> {
      const { rows } = await db.query<ScheduleRow>(
        `select ${SCHEDULE_COLUMNS} from report_schedule s
          where s.schedule_id = $2 and s.schedule_status <> 'deleted'
            and ($1::integer is null or ${inScope('s.group_id', '$1')})`,
        [scopeGroupId, scheduleId],
      );
      return rows[0];
    },

    async insertSchedule(
      values: Omit<ScheduleRow, 'schedule_id' | 'schedule_created' | 'schedule_modified'>,
      userId: number,
      now: Date,
    ): Promise<number> {
      const { rows } = await db.query<{ schedule_id: number }>(
        `insert into report_schedule (report_id, group_id, frequency, send_time, timezone, recipients, formats,
                                      schedule_status, created_by, schedule_created)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning schedule_id`,
        [
          values.report_id,
          values.group_id,
          values.frequency,
          values.send_time,
          values.timezone,
          values.recipients,
          values.formats,
          values.schedule_status,
          userId,
          now,
        ],
      );
      return (rows[0] as { schedule_id: number }).schedule_id;
    },

    async updateSchedule(
      scheduleId: number,
      values: Omit<ScheduleRow, 'schedule_id' | 'schedule_created' | 'schedule_modified'>,
      now: Date,
    ): Promise<void> {
      await db.query(
        `update report_schedule set report_id = $2, group_id = $3, frequency = $4, send_time = $5, timezone = $6,
                recipients = $7, formats = $8, schedule_status = $9, schedule_modified = $10
          where schedule_id = $1`,
        [
          scheduleId,
          values.report_id,
          values.group_id,
          values.frequency,
          values.send_time,
          values.timezone,
          values.recipients,
          values.formats,
          values.schedule_status,
          now,
        ],
      );
    },

    async deleteSchedule(scopeGroupId: number, scheduleId: number, now: Date): Promise<number> {
      const { rowCount } = await db.query(
        `update report_schedule s set schedule_status = 'deleted', schedule_modified = $3
          where s.schedule_id = $2 and s.schedule_status <> 'deleted' and ${inScope('s.group_id', '$1')}`,
        [scopeGroupId, scheduleId, now],
      );
      return rowCount ?? 0;
    },

    async listRuns(scopeGroupId: number, page: ListPage): Promise<RunRow[]> {
      const { rows } = await db.query<RunRow>(
        `select ${RUN_COLUMNS} from report_run u join report_schedule s on s.schedule_id = u.schedule_id
          where ${inScope('s.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by u.period_start desc, u.run_id desc limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    /**
     * The run of a schedule's period, made if it is not there yet: the unique (schedule, period)
     * makes it one row however many processes get here.
     */
    async claimRun(
      scheduleId: number,
      period: { start: string; end: string; dueAt: Date },
      now: Date,
    ): Promise<RunRow> {
      await db.query(
        `insert into report_run (schedule_id, period_start, period_end, due_at, run_created)
         values ($1, $2, $3, $4, $5) on conflict (schedule_id, period_start) do nothing`,
        [scheduleId, period.start, period.end, period.dueAt, now],
      );
      const { rows } = await db.query<RunRow>(
        `select ${RUN_COLUMNS} from report_run u where u.schedule_id = $1 and u.period_start = $2`,
        [scheduleId, period.start],
      );
      return rows[0] as RunRow;
    },

    /**
     * Marks a pending run sent (or failed); answers false when it was no longer pending, so a run
     * is finished once.
     */
    async finishRun(
      runId: number,
      outcome: { status: 'sent' | 'failed'; error: string | null; summary: RunSummary | null },
      now: Date,
    ): Promise<boolean> {
      const { rowCount } = await db.query(
        `update report_run set run_status = $2, last_error = $3, summary = $4, run_finished = $5,
                attempts = attempts + 1
          where run_id = $1 and run_status = 'pending'`,
        [runId, outcome.status, outcome.error, JSON.stringify(outcome.summary), now],
      );
      return (rowCount ?? 0) > 0;
    },

    async recordAttempt(runId: number, error: string): Promise<void> {
      await db.query(
        `update report_run set attempts = attempts + 1, last_error = $2 where run_id = $1 and run_status = 'pending'`,
        [runId, error],
      );
    },

    /** Active schedules (their chains are started again at start-up, a no-op when they run). */
    async activeSchedules(): Promise<ScheduleRow[]> {
      const { rows } = await db.query<ScheduleRow>(
        `select ${SCHEDULE_COLUMNS} from report_schedule s where s.schedule_status = 'active' order by s.schedule_id`,
      );
      return rows;
    },
  };
}

export type SavedReportsRepo = ReturnType<typeof createSavedReportsRepo>;
