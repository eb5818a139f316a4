import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  AffectedEnvelope,
  RunListEnvelope,
  RunListQuery,
  SavedReportCreate,
  SavedReportDelete,
  SavedReportEnvelope,
  SavedReportListEnvelope,
  SavedReportListQuery,
  SavedReportUpdate,
  ScheduleCreate,
  ScheduleDelete,
  ScheduleEnvelope,
  ScheduleListEnvelope,
  ScheduleListQuery,
  ScheduleUpdate,
} from './saved-reports.schemas.js';
import type { SavedReportsService } from './saved-reports.service.js';

const tags = ['Report'];

/** Saved reports (V2's User › List Reports) and scheduled reports (Misc › List Scheduled Reports). */
export const savedReportRoutes: FastifyPluginAsyncTypebox<{ saved: SavedReportsService }> = async (
  app,
  { saved },
) => {
  app.get(
    '/report',
    {
      schema: {
        tags,
        summary: 'List Reports',
        operationId: 'listReports',
        description:
          'Saved call reports of your group (or of `group_id`) and the groups below it: a definition of Get Call Report without its dates. Filter fields: report_id, report_name, group_id (that group only).',
        querystring: SavedReportListQuery,
        response: { 200: SavedReportListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await saved.listReports(principalOf(request), request.query)),
  );

  app.post(
    '/report',
    {
      schema: {
        tags,
        summary: 'Create Report',
        operationId: 'createReport',
        description: 'Saves a report definition; it is checked as Get Call Report checks its query.',
        body: SavedReportCreate,
        response: { 200: SavedReportEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'report' },
    },
    async (request) => success(await saved.createReport(principalOf(request), request.body)),
  );

  app.put(
    '/report',
    {
      schema: {
        tags,
        summary: 'Update Report',
        operationId: 'updateReport',
        description: 'Changes the fields given for report `report_id`; the others keep their values.',
        body: SavedReportUpdate,
        response: { 200: SavedReportEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'report' },
    },
    async (request) => success(await saved.updateReport(principalOf(request), request.body)),
  );

  app.delete(
    '/report',
    {
      schema: {
        tags,
        summary: 'Delete Report',
        operationId: 'deleteReport',
        description: 'Deletes the saved report and its schedules (their run history stays).',
        body: SavedReportDelete,
        response: { 200: AffectedEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'report' },
    },
    async (request) => success(await saved.deleteReport(principalOf(request), request.body.report_id)),
  );

  app.get(
    '/report/schedule',
    {
      schema: {
        tags,
        summary: 'List Scheduled Reports',
        operationId: 'listScheduledReports',
        description:
          'Schedules that e-mail a saved report every day, week or month, with the next period they send; those of your group (or of `group_id`) and the groups below it. Filter fields: schedule_id, report_id, group_id (that group only), frequency, schedule_status.',
        querystring: ScheduleListQuery,
        response: { 200: ScheduleListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await saved.listSchedules(principalOf(request), request.query)),
  );

  app.post(
    '/report/schedule',
    {
      schema: {
        tags,
        summary: 'Create Scheduled Report',
        operationId: 'createScheduledReport',
        description:
          'E-mails saved report `report_id` to `recipients` after each day, week (Monday to Sunday) or month, at `send_time` in `timezone`, with the `formats` attached (PDF by default) and a summary in the body: calls, answered rate and the change against the previous period. Each period is sent once.',
        body: ScheduleCreate,
        response: { 200: ScheduleEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'schedule' },
    },
    async (request) => success(await saved.createSchedule(principalOf(request), request.body)),
  );

  app.put(
    '/report/schedule',
    {
      schema: {
        tags,
        summary: 'Update Scheduled Report',
        operationId: 'updateScheduledReport',
        description:
          'Changes the fields given for schedule `schedule_id`; `schedule_status` inactive pauses it (the periods passed meanwhile are not sent).',
        body: ScheduleUpdate,
        response: { 200: ScheduleEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'schedule' },
    },
    async (request) => success(await saved.updateSchedule(principalOf(request), request.body)),
  );

  app.delete(
    '/report/schedule',
    {
      schema: {
        tags,
        summary: 'Delete Scheduled Report',
        operationId: 'deleteScheduledReport',
        description: 'Stops the schedule; its run history stays.',
        body: ScheduleDelete,
        response: { 200: AffectedEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'schedule' },
    },
    async (request) => success(await saved.deleteSchedule(principalOf(request), request.body.schedule_id)),
  );

  app.get(
    '/report/schedule/run',
    {
      schema: {
        tags,
        summary: 'List Scheduled Report Runs',
        operationId: 'listScheduledReportRuns',
        description:
          'The history of the schedules of your scope: one row per period, pending (not sent yet, or being tried again), sent or failed (with the reason), newest period first. Filter fields: run_id, schedule_id, run_status, period_start.',
        querystring: RunListQuery,
        response: { 200: RunListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await saved.listRuns(principalOf(request), request.query)),
  );
};
