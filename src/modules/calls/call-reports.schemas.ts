import { Type } from '@sinclair/typebox';
import { Envelope, ListQuery, MAX_ID, StringEnum } from '../../http/schemas.js';
import { BREAKDOWN_DIMENSIONS, SERIES_INTERVALS } from './call-reports.repo.js';

const ScopeGroup = Type.Optional(
  Type.Integer({
    minimum: 1,
    maximum: MAX_ID,
    description:
      'report on this group and the groups below it (a group of your scope); default your own group',
  }),
);
const Timezone = Type.Optional(
  Type.String({
    maxLength: 64,
    description:
      'IANA time zone (e.g. America/New_York) that dates in `filter` and buckets are read in; UTC when absent',
  }),
);

export const ReportQuery = Type.Object({
  group_id: ScopeGroup,
  filter: ListQuery.properties.filter,
  timezone: Timezone,
});

export const SeriesQuery = Type.Object({
  ...ReportQuery.properties,
  interval: Type.Optional(StringEnum(SERIES_INTERVALS, { description: 'bucket size; day by default' })),
});

export const BreakdownQuery = Type.Object({
  ...ReportQuery.properties,
  by: StringEnum(BREAKDOWN_DIMENSIONS, {
    description:
      'campaign, channel, tracking_number, call_flow, group, landing_page (without its query), referrer (its host), utm_source, utm_medium, utm_source_medium (`source / medium`), key_path, ring_to (the number that answered) or disposition',
  }),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, description: 'most rows (default 10), most calls first' }),
  ),
});

/** The figures every report row has (the report module's rows too). */
export const Figures = {
  calls: Type.Integer(),
  answered: Type.Integer(),
  missed: Type.Integer({
    description: 'ended calls that were not answered, not a voicemail and not blocked',
  }),
  voicemails: Type.Integer(),
  blocked: Type.Integer({ description: 'refused by the blacklist or the spam filter' }),
  first_time: Type.Integer({
    description: 'calls from a caller not heard within the flow’s repeat interval',
  }),
  repeat_calls: Type.Integer(),
  talk_seconds: Type.Integer({ description: 'answered to hang-up, over the answered calls' }),
  answer_seconds: Type.Integer({
    description: 'start to answer, over the answered calls (divide by `answered` for the average)',
  }),
  call_value: Type.Number(),
};

export const Summary = Type.Object({
  ...Figures,
  unique_callers: Type.Integer(),
  total_duration: Type.Integer({ description: 'seconds, as groupActivity counts them' }),
  billable_minutes: Type.Integer({
    description: 'each call’s duration rounded up to the minute, as groupActivity counts them',
  }),
  in_progress: Type.Integer(),
});

export const SummaryEnvelope = Envelope(Summary);

export const SeriesRows = Type.Array(
  Type.Object({
    bucket: Type.String({
      description: 'start of the hour, day, week (Monday) or month in `timezone`: YYYY-MM-DDTHH:mm',
    }),
    ...Figures,
  }),
  { description: 'buckets with calls, in order; a bucket without calls is left out' },
);

export const SeriesEnvelope = Envelope(SeriesRows);

export const BreakdownRows = Type.Array(
  Type.Object({
    key: Type.Union([Type.String(), Type.Null()], {
      description:
        'the value to filter the call list by (the field of the same name, `campaign_id` for campaign ...); null: calls without one',
    }),
    label: Type.Union([Type.String(), Type.Null()]),
    ...Figures,
  }),
);

export const BreakdownEnvelope = Envelope(BreakdownRows);
