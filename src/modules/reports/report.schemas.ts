import { Type } from '@sinclair/typebox';
import { Envelope, ListQuery, MAX_ID, StringEnum } from '../../http/schemas.js';
import { BREAKDOWN_DIMENSIONS, SERIES_INTERVALS } from '../calls/call-reports.repo.js';
import { BreakdownRows, SeriesRows, Summary } from '../calls/call-reports.schemas.js';
import { SCORE_BREAKDOWNS } from './report-sections.repo.js';

const TextFigures = Type.Object({
  texts: Type.Integer({ description: 'texts received and sent' }),
  inbound: Type.Integer(),
  outbound: Type.Integer(),
  delivered: Type.Integer({ description: 'outbound texts the carrier reported delivered' }),
  failed: Type.Integer({ description: 'outbound texts that failed or were not delivered' }),
  conversations: Type.Integer({ description: 'conversations with a text in the range or bucket' }),
});

export const REPORT_FORMATS = ['csv', 'xlsx', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const Day = (description: string) =>
  Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: `${description}, YYYY-MM-DD` });

/** A report's definition, as the query string of Get Call Report and a saved report spell it. */
export const ReportDefinitionFields = {
  group_id: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_ID,
      description:
        'report on this group and the groups below it (a group of your scope); default your own group',
    }),
  ),
  start_date: Day('first day of the range in `timezone`'),
  end_date: Day('last day of the range (included) in `timezone`'),
  timezone: Type.Optional(
    Type.String({
      maxLength: 64,
      description:
        'IANA zone (or a V2 US name such as Eastern) the days and buckets are read in; UTC when absent',
    }),
  ),
  interval: Type.Optional(
    StringEnum(SERIES_INTERVALS, {
      description: 'time-series bucket; day by default (hour: at most 93 days)',
    }),
  ),
  dimensions: Type.Optional(
    Type.String({
      maxLength: 512,
      description: `comma-separated breakdowns, all when absent: ${BREAKDOWN_DIMENSIONS.join(', ')}`,
    }),
  ),
  filter: ListQuery.properties.filter,
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 1000,
      description: 'most rows per breakdown (default 25), most calls first',
    }),
  ),
};

export const ReportQuery = Type.Object(ReportDefinitionFields, { additionalProperties: false });

export const DownloadQuery = Type.Object(
  {
    ...ReportDefinitionFields,
    format: StringEnum(REPORT_FORMATS, {
      description:
        'csv (one table of every section), xlsx (a sheet per section, typed cells) or pdf (charts and tables)',
    }),
  },
  { additionalProperties: false },
);

export const ReportDocument = Type.Object({
  group_id: Type.Integer(),
  group_name: Type.String(),
  start_date: Type.String(),
  end_date: Type.String(),
  timezone: Type.String({ description: 'the IANA zone the report was read in' }),
  interval: StringEnum(SERIES_INTERVALS),
  totals: Type.Object({
    ...Summary.properties,
    answered_rate: Type.Number({ description: 'answered / calls (0 to 1), 0 without calls' }),
    average_answer_seconds: Type.Number({ description: 'start to answer, mean over the answered calls' }),
    average_talk_seconds: Type.Number({ description: 'answer to hang-up, mean over the answered calls' }),
  }),
  series: SeriesRows,
  breakdowns: Type.Array(
    Type.Object({
      dimension: StringEnum(BREAKDOWN_DIMENSIONS),
      rows: BreakdownRows,
    }),
  ),
  heatmap: Type.Array(
    Type.Object({
      weekday: Type.Integer({ description: '1 Monday ... 7 Sunday, in `timezone`' }),
      hour: Type.Integer({ description: '0-23, in `timezone`' }),
      calls: Type.Integer(),
      answered: Type.Integer(),
    }),
    { description: 'calls per hour of the day and day of the week; cells without calls left out' },
  ),
  scores: Type.Array(
    Type.Object({
      source: StringEnum(['indicator', 'scorecard'] as const, {
        description: 'an indicator score (call intelligence, 0-100) or a scorecard score (0-100)',
      }),
      source_id: Type.Integer({ description: 'the indicator_id or scorecard_id' }),
      source_name: Type.String(),
      breakdown: StringEnum(SCORE_BREAKDOWNS, {
        description: 'total: all the scored calls; call_flow or agent: per call flow or per agent',
      }),
      key: Type.Union([Type.String(), Type.Null()], {
        description:
          'the call_flow_id, or the agent (the call’s assigned_to, else its ring-to number); null on the total row (and for calls without one)',
      }),
      label: Type.Union([Type.String(), Type.Null()], { description: 'the call flow’s name, or the agent' }),
      calls: Type.Integer({ description: 'the calls of the report scored on it' }),
      average_score: Type.Number({ description: 'mean score, two decimals' }),
    }),
    {
      description:
        'indicator and scorecard scores of the report’s calls (the same range and filter): per indicator and scorecard, its total row, then per call flow and per agent, most calls first',
    },
  ),
  texts: Type.Object(
    {
      totals: TextFigures,
      series: Type.Array(Type.Object({ bucket: Type.String(), ...TextFigures.properties })),
    },
    {
      description:
        'the texts of `group_id` and the groups below it written in the range (whole days in `timezone`), in total and per `interval`; `filter` applies to calls only',
    },
  ),
});

export const ReportEnvelope = Envelope(ReportDocument);
