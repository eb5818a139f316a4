import type { Static } from '@sinclair/typebox';
import type { Db, Queryable } from '../../db/index.js';
import { notFound } from '../../errors.js';
import { enqueueOrReschedule } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { reportScope } from '../calls/call-reports.service.js';
import { checkTimezone } from '../calls/calls.service.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { checkDefinition } from './report.service.js';
import { firstPeriod, type ScheduleTiming } from './report-periods.js';
import {
  createSavedReportsRepo,
  runFilterFields,
  type SavedDefinition,
  type SavedReportRow,
  type ScheduleRow,
  savedReportFilterFields,
  scheduleFilterFields,
} from './saved-reports.repo.js';
import type {
  SavedReportCreate,
  SavedReportUpdate,
  ScheduleCreate,
  ScheduleUpdate,
} from './saved-reports.schemas.js';

export const REPORT_NOT_FOUND = 'Report does not exist.';
export const SCHEDULE_NOT_FOUND = 'Scheduled report does not exist.';

/** The job that sends one period of a schedule (scheduled-reports.job.ts). */
export const SCHEDULED_REPORT_JOB = 'report.scheduled';

/**
 * Queues the job of a schedule's period at its send time: one job per period (its dedupe key),
 * moved when a change of the schedule moves the send time.
 */
export async function enqueuePeriod(
  q: Queryable,
  scheduleId: number,
  period: { start: string; dueAt: Date },
) {
  await enqueueOrReschedule(q, {
    kind: SCHEDULED_REPORT_JOB,
    payload: { schedule_id: scheduleId, period_start: period.start },
    runAt: period.dueAt,
    dedupeKey: `${SCHEDULED_REPORT_JOB}:${scheduleId}:${period.start}`,
  });
}

export const timingOf = (
  schedule: Pick<ScheduleRow, 'frequency' | 'send_time' | 'timezone'>,
): ScheduleTiming => ({
  frequency: schedule.frequency,
  sendTime: schedule.send_time,
  timezone: schedule.timezone,
});

/** A saved report on the wire: its definition's fields with their defaults. */
const savedReportOut = (row: SavedReportRow) => ({
  report_id: row.report_id,
  report_name: row.report_name,
  group_id: row.group_id,
  timezone: row.definition.timezone ?? 'UTC',
  interval: row.definition.interval ?? 'day',
  dimensions: row.definition.dimensions ?? null,
  filter: row.definition.filter ?? null,
  limit: row.definition.limit ?? 25,
  report_created: row.report_created,
  report_modified: row.report_modified,
});

/** A definition checked as Get Call Report would check it (over a sample day); the zone resolved. */
function checkedDefinition(definition: SavedDefinition): SavedDefinition {
  checkDefinition({ ...definition, start_date: '2026-01-01', end_date: '2026-01-01' });
  const out: SavedDefinition = { timezone: checkTimezone(definition.timezone) };
  if (definition.interval !== undefined) out.interval = definition.interval;
  if (definition.dimensions !== undefined && definition.dimensions.trim() !== '')
    out.dimensions = definition.dimensions;
  if (definition.filter !== undefined && definition.filter.trim() !== '') out.filter = definition.filter;
  if (definition.limit !== undefined) out.limit = definition.limit;
  return out;
}

export function createSavedReportsService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createSavedReportsRepo(db);

  async function requireReport(q: Queryable, principal: Principal, reportId: number) {
    const report = await createSavedReportsRepo(q).findReport(principal.groupId, reportId);
    if (!report) throw notFound(REPORT_NOT_FOUND);
    return report;
  }

  /** What a schedule shows beside its row: when it next sends, and which period. */
  const scheduleOut = (row: ScheduleRow) => {
    if (row.schedule_status !== 'active') return { ...row, next_period_start: null, next_send_at: null };
    const next = upcomingPeriod(row);
    return { ...row, next_period_start: next.start, next_send_at: next.dueAt.toISOString() };
  };

  /** The next period a schedule sends, as of now. */
  const upcomingPeriod = (row: ScheduleRow) => firstPeriod(timingOf(row), clock.now());

  function scheduleValues(
    current: Omit<ScheduleRow, 'schedule_id' | 'schedule_created' | 'schedule_modified'>,
  ): Omit<ScheduleRow, 'schedule_id' | 'schedule_created' | 'schedule_modified'> {
    return { ...current, timezone: checkTimezone(current.timezone), formats: [...new Set(current.formats)] };
  }

  return {
    async listReports(principal: Principal, query: ListQuery & { group_id?: number | undefined }) {
      const scope = await reportScope(db, principal, query.group_id);
      const rows = await repo.listReports(scope, toPage(query, savedReportFilterFields, 3));
      return rows.map(savedReportOut);
    },

    async findReport(principal: Principal, reportId: number) {
      return savedReportOut(await requireReport(db, principal, reportId));
    },

    async createReport(principal: Principal, body: Static<typeof SavedReportCreate>) {
      const { report_name, group_id, ...definition } = body;
      const groupId = await reportScope(db, principal, group_id);
      const values = { group_id: groupId, report_name, definition: checkedDefinition(definition) };
      const reportId = await repo.insertReport(values, principal.userId, clock.now());
      return savedReportOut(await requireReport(db, principal, reportId));
    },

    async updateReport(principal: Principal, body: Static<typeof SavedReportUpdate>) {
      return db.transaction(async (tx) => {
        const current = await requireReport(tx, principal, body.report_id);
        const { report_id, report_name, group_id, ...changes } = body;
        const definition = { ...current.definition };
        for (const [key, value] of Object.entries(changes))
          if (value !== undefined) (definition as Record<string, unknown>)[key] = value;
        const groupId =
          group_id === undefined ? current.group_id : await reportScope(db, principal, group_id);
        await createSavedReportsRepo(tx).updateReport(
          report_id,
          {
            group_id: groupId,
            report_name: report_name ?? current.report_name,
            definition: checkedDefinition(definition),
          },
          clock.now(),
        );
        return savedReportOut(await requireReport(tx, principal, report_id));
      });
    },

    async deleteReport(principal: Principal, reportId: number) {
      return db.transaction(async (tx) => {
        const txRepo = createSavedReportsRepo(tx);
        const affectedRows = await txRepo.deleteReport(principal.groupId, reportId, clock.now());
        if (affectedRows === 0) throw notFound(REPORT_NOT_FOUND);
        await txRepo.deleteSchedulesOf(reportId, clock.now());
        return { affectedRows };
      });
    },

    async listSchedules(principal: Principal, query: ListQuery & { group_id?: number | undefined }) {
      const scope = await reportScope(db, principal, query.group_id);
      const rows = await repo.listSchedules(scope, toPage(query, scheduleFilterFields, 3));
      return rows.map(scheduleOut);
    },

    /** Saves a schedule and enqueues its first period, in one transaction. */
    async createSchedule(principal: Principal, body: Static<typeof ScheduleCreate>) {
      return db.transaction(async (tx) => {
        const report = await requireReport(tx, principal, body.report_id);
        const values = scheduleValues({
          report_id: report.report_id,
          group_id: report.group_id,
          frequency: body.frequency,
          send_time: body.send_time,
          timezone: body.timezone,
          recipients: body.recipients,
          formats: body.formats ?? ['pdf'],
          schedule_status: body.schedule_status ?? 'active',
        });
        const txRepo = createSavedReportsRepo(tx);
        const scheduleId = await txRepo.insertSchedule(values, principal.userId, clock.now());
        const schedule = (await txRepo.findSchedule(null, scheduleId)) as ScheduleRow;
        if (schedule.schedule_status === 'active')
          await enqueuePeriod(tx, scheduleId, upcomingPeriod(schedule));
        return scheduleOut(schedule);
      });
    },

    /**
     * Changes the given fields. The upcoming period's job moves to the new send time; a job of a
     * period queued under the old timing finds the schedule changed and sends nothing twice (a
     * period runs once, whatever enqueued it).
     */
    async updateSchedule(principal: Principal, body: Static<typeof ScheduleUpdate>) {
      return db.transaction(async (tx) => {
        const txRepo = createSavedReportsRepo(tx);
        const current = await txRepo.findSchedule(principal.groupId, body.schedule_id);
        if (!current) throw notFound(SCHEDULE_NOT_FOUND);
        const report =
          body.report_id === undefined ? undefined : await requireReport(tx, principal, body.report_id);
        const values = scheduleValues({
          report_id: report?.report_id ?? current.report_id,
          group_id: report?.group_id ?? current.group_id,
          frequency: body.frequency ?? current.frequency,
          send_time: body.send_time ?? current.send_time,
          timezone: body.timezone ?? current.timezone,
          recipients: body.recipients ?? current.recipients,
          formats: body.formats ?? current.formats,
          schedule_status: body.schedule_status ?? current.schedule_status,
        });
        await txRepo.updateSchedule(current.schedule_id, values, clock.now());
        const schedule = (await txRepo.findSchedule(null, current.schedule_id)) as ScheduleRow;
        if (schedule.schedule_status === 'active')
          await enqueuePeriod(tx, schedule.schedule_id, upcomingPeriod(schedule));
        return scheduleOut(schedule);
      });
    },

    async deleteSchedule(principal: Principal, scheduleId: number) {
      const affectedRows = await repo.deleteSchedule(principal.groupId, scheduleId, clock.now());
      if (affectedRows === 0) throw notFound(SCHEDULE_NOT_FOUND);
      return { affectedRows };
    },

    async listRuns(principal: Principal, query: ListQuery) {
      return repo.listRuns(principal.groupId, toPage(query, runFilterFields, 3));
    },
  };
}

export type SavedReportsService = ReturnType<typeof createSavedReportsService>;
