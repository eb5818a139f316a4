import { Type } from '@sinclair/typebox';
import { Envelope, ListQuery, MAX_ID, NullableString, StringEnum, Timestamp } from '../../http/schemas.js';
import { SERIES_INTERVALS } from '../calls/call-reports.repo.js';
import { REPORT_FORMATS, ReportDefinitionFields } from './report.schemas.js';
import { FREQUENCIES } from './report-periods.js';

const Id = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_ID, description });

const ReportName = Type.String({ minLength: 1, maxLength: 200, description: 'the report’s name' });

/** A saved report's definition: Get Call Report's fields without the dates. */
const DefinitionFields = {
  timezone: ReportDefinitionFields.timezone,
  interval: ReportDefinitionFields.interval,
  dimensions: ReportDefinitionFields.dimensions,
  filter: Type.Optional(
    Type.String({ maxLength: 2000, description: 'more conditions, as List Calls’ filter' }),
  ),
  limit: ReportDefinitionFields.limit,
};

export const SavedReportCreate = Type.Object(
  {
    report_name: ReportName,
    group_id: Type.Optional(
      Id('the group whose subtree the report reads (a group of your scope); default yours'),
    ),
    ...DefinitionFields,
  },
  { additionalProperties: false },
);

export const SavedReportUpdate = Type.Object(
  {
    report_id: Id('the saved report'),
    report_name: Type.Optional(ReportName),
    group_id: Type.Optional(Id('the group whose subtree the report reads')),
    ...DefinitionFields,
  },
  { additionalProperties: false },
);

export const SavedReportDelete = Type.Object(
  { report_id: Id('the saved report') },
  { additionalProperties: false },
);

export const SavedReport = Type.Object({
  report_id: Type.Integer(),
  report_name: Type.String(),
  group_id: Type.Integer(),
  timezone: Type.String(),
  interval: StringEnum(SERIES_INTERVALS),
  dimensions: NullableString({ description: 'null: every breakdown' }),
  filter: NullableString(),
  limit: Type.Integer(),
  report_created: Timestamp,
  report_modified: NullableString({ description: 'ISO 8601 timestamp' }),
});

export const SavedReportEnvelope = Envelope(SavedReport);
export const SavedReportListEnvelope = Envelope(Type.Array(SavedReport));
export const AffectedEnvelope = Envelope(Type.Object({ affectedRows: Type.Integer() }));

const SendTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'local time of day it is sent, HH:MM in `timezone`',
});
const Recipients = Type.Array(Type.String({ format: 'email', maxLength: 254 }), {
  minItems: 1,
  maxItems: 50,
  description: 'e-mail addresses',
});
const Formats = Type.Array(StringEnum(REPORT_FORMATS), {
  maxItems: 3,
  uniqueItems: true,
  description: 'the files attached (none: the summary in the body only)',
});
const Frequency = StringEnum(FREQUENCIES, {
  description:
    'daily: the day before; weekly: the week (Monday to Sunday) before, sent on Monday; monthly: the month before, sent on the 1st',
});
const ScheduleTimezone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'the recipients’ IANA zone (or a V2 US name): when it is sent and the days the report covers',
});
const ScheduleStatus = StringEnum(['active', 'inactive'] as const);

export const ScheduleCreate = Type.Object(
  {
    report_id: Id('the saved report to send'),
    frequency: Frequency,
    send_time: SendTime,
    timezone: ScheduleTimezone,
    recipients: Recipients,
    formats: Type.Optional(Formats),
    schedule_status: Type.Optional(ScheduleStatus),
  },
  { additionalProperties: false },
);

export const ScheduleUpdate = Type.Object(
  {
    schedule_id: Id('the schedule'),
    report_id: Type.Optional(Id('the saved report to send')),
    frequency: Type.Optional(Frequency),
    send_time: Type.Optional(SendTime),
    timezone: Type.Optional(ScheduleTimezone),
    recipients: Type.Optional(Recipients),
    formats: Type.Optional(Formats),
    schedule_status: Type.Optional(ScheduleStatus),
  },
  { additionalProperties: false },
);

export const ScheduleDelete = Type.Object(
  { schedule_id: Id('the schedule') },
  { additionalProperties: false },
);

export const Schedule = Type.Object({
  schedule_id: Type.Integer(),
  report_id: Type.Integer(),
  group_id: Type.Integer(),
  frequency: StringEnum(FREQUENCIES),
  send_time: Type.String(),
  timezone: Type.String(),
  recipients: Type.Array(Type.String()),
  formats: Type.Array(StringEnum(REPORT_FORMATS)),
  schedule_status: ScheduleStatus,
  next_period_start: NullableString({
    description: 'the first day of the next period to send; null when inactive',
  }),
  next_send_at: NullableString({ description: 'ISO 8601 timestamp of the next send; null when inactive' }),
  schedule_created: Timestamp,
  schedule_modified: NullableString({ description: 'ISO 8601 timestamp' }),
});

export const ScheduleEnvelope = Envelope(Schedule);
export const ScheduleListEnvelope = Envelope(Type.Array(Schedule));

export const Run = Type.Object({
  run_id: Type.Integer(),
  schedule_id: Type.Integer(),
  period_start: Type.String(),
  period_end: Type.String(),
  due_at: Timestamp,
  run_status: StringEnum(['pending', 'sent', 'failed'] as const, {
    description: 'pending: not sent yet (or being retried); sent; failed: every attempt failed',
  }),
  attempts: Type.Integer(),
  last_error: NullableString(),
  summary: Type.Union([
    Type.Object({
      calls: Type.Integer(),
      answered: Type.Integer(),
      answered_rate: Type.Number(),
      previous_calls: Type.Integer(),
    }),
    Type.Null(),
  ]),
  run_created: Timestamp,
  run_finished: NullableString({ description: 'ISO 8601 timestamp' }),
});

export const RunListEnvelope = Envelope(Type.Array(Run));

/** The console lists what belongs to the group it shows: `group_id`, a group of the caller's scope. */
const SubtreeOf = (what: string) =>
  Type.Object({
    group_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_ID,
        description: `only the ${what} of this group and the groups below it (a group of your scope; default your own group)`,
      }),
    ),
  });
export const SavedReportListQuery = Type.Composite([SubtreeOf('reports'), ListQuery]);
export const ScheduleListQuery = Type.Composite([SubtreeOf('schedules'), ListQuery]);
export const RunListQuery = ListQuery;
