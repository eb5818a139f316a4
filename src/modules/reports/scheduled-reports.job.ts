import type { JobContext, JobQueue } from '../../jobs/queue.js';
import { MailError, type Mailer } from '../../mail/mailer.js';
import type { SummaryRow } from '../calls/call-reports.repo.js';
import type { ReportDocument, ReportService } from './report.service.js';
import { nextPeriod, type Period, periodStarting, previousPeriod } from './report-periods.js';
import { REPORT_MEDIA_TYPES, reportFileName } from './report-render.js';
import { createSavedReportsRepo, type ScheduleRow } from './saved-reports.repo.js';
import { enqueuePeriod, SCHEDULED_REPORT_JOB, timingOf } from './saved-reports.service.js';

/**
 * Sends scheduled reports. One job per schedule and period, due at the period's send time; each
 * run first queues the next period (so a failure never ends the chain, and after downtime every
 * missed period runs once, oldest first), then claims the period's report_run row. The row is
 * unique per (schedule, period) and is finished once, so a period is e-mailed once across every
 * process. A failed send is tried again with back-off; after the last attempt the run is marked
 * failed with the reason, and logged.
 */
export const REPORT_SEND_ATTEMPTS = 4;
/** 1, 2, 4 minutes between attempts */
const RETRY_BASE_MS = 60_000;

export interface ScheduledReportPayload {
  schedule_id: number;
  period_start: string;
}

interface Logger {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

const FREQUENCY_WORD = { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly' } as const;
const PERIOD_WORD = { daily: 'day', weekly: 'week', monthly: 'month' } as const;

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The e-mail's summary: calls, answered rate and the change against the previous period. */
export function summaryText(schedule: ScheduleRow, report: ReportDocument, previous: SummaryRow): string {
  const t = report.totals;
  const change = t.calls - previous.calls;
  const sign = change > 0 ? '+' : '';
  const relative = previous.calls === 0 ? '' : `, ${sign}${percent(change / previous.calls)}`;
  const lines = [
    `${FREQUENCY_WORD[schedule.frequency]} call report for ${report.group_name}`,
    `${report.start_date} to ${report.end_date} (${report.timezone})`,
    '',
    `Calls: ${t.calls} (${sign}${change}${relative} against the previous ${PERIOD_WORD[schedule.frequency]}: ${previous.calls})`,
    `Answered: ${t.answered} (${percent(t.answered_rate)})`,
    `Missed: ${t.missed}, voicemails: ${t.voicemails}`,
    `First-time callers: ${t.first_time}, repeat: ${t.repeat_calls}`,
    `Average answer time: ${t.average_answer_seconds} s, average talk time: ${t.average_talk_seconds} s`,
  ];
  if (schedule.formats.length > 0) lines.push('', `Attached: ${schedule.formats.join(', ').toUpperCase()}`);
  return `${lines.join('\n')}\n`;
}

export function registerScheduledReports({
  jobs,
  mailer,
  reports,
  logger,
}: {
  jobs: JobQueue;
  mailer: Mailer;
  reports: ReportService;
  logger: Logger;
}) {
  async function send(schedule: ScheduleRow, period: Period, ctx: JobContext) {
    const repo = createSavedReportsRepo(ctx.db);
    const saved = await repo.findReport(null, schedule.report_id);
    if (!saved) throw new Error('the saved report was deleted');
    const definition = {
      ...saved.definition,
      timezone: schedule.timezone,
      start_date: period.start,
      end_date: period.end,
    };
    const report = await reports.buildForScope(saved.group_id, definition);
    const before = previousPeriod(timingOf(schedule), period);
    const previous = await reports.totalsForScope(saved.group_id, {
      ...definition,
      start_date: before.start,
      end_date: before.end,
    });
    const attachments = [];
    for (const format of schedule.formats)
      attachments.push({
        filename: reportFileName(report, format),
        content: await reports.render(report, format),
        contentType: REPORT_MEDIA_TYPES[format],
      });
    await mailer.send({
      to: schedule.recipients,
      subject: `${FREQUENCY_WORD[schedule.frequency]} call report: ${saved.report_name} (${period.start} to ${period.end})`,
      text: summaryText(schedule, report, previous),
      attachments,
    });
    return {
      calls: report.totals.calls,
      answered: report.totals.answered,
      answered_rate: report.totals.answered_rate,
      previous_calls: previous.calls,
    };
  }

  jobs.register(
    SCHEDULED_REPORT_JOB,
    async (payload: ScheduledReportPayload, ctx) => {
      const repo = createSavedReportsRepo(ctx.db);
      const schedule = await repo.findSchedule(null, payload.schedule_id);
      if (schedule?.schedule_status !== 'active') return;
      const timing = timingOf(schedule);
      const period = periodStarting(timing, payload.period_start);
      // queued under an older timing (daily, then weekly): not one of this schedule's periods now
      if (period.start !== payload.period_start) return;
      // queued under an earlier send time: wait for the current one
      if (period.dueAt.getTime() > ctx.clock.now().getTime()) return { retryAt: period.dueAt };
      await enqueuePeriod(ctx.db, schedule.schedule_id, nextPeriod(timing, period));

      const run = await repo.claimRun(schedule.schedule_id, period, ctx.clock.now());
      if (run.run_status !== 'pending') return;
      try {
        const summary = await send(schedule, period, ctx);
        await repo.finishRun(run.run_id, { status: 'sent', error: null, summary }, ctx.clock.now());
        logger.info({ scheduleId: schedule.schedule_id, period: period.start }, 'scheduled report sent');
      } catch (error) {
        const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
        const isLast =
          ctx.attempt >= REPORT_SEND_ATTEMPTS || (error instanceof MailError && error.isNotConfigured);
        if (!isLast) {
          await repo.recordAttempt(run.run_id, message);
          throw error;
        }
        await repo.finishRun(
          run.run_id,
          { status: 'failed', error: message, summary: null },
          ctx.clock.now(),
        );
        logger.error(
          { scheduleId: schedule.schedule_id, period: period.start, attempts: ctx.attempt, error: message },
          'scheduled report not sent',
        );
      }
      return undefined;
    },
    {
      maxAttempts: REPORT_SEND_ATTEMPTS,
      backoffMs: (attempt) => RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1),
    },
  );
}
