import { Type } from '@sinclair/typebox';
import { Envelope, ListQuery, MAX_ID, StringEnum } from '../../http/schemas.js';

export const InsightCreate = Type.Object(
  {
    group_id: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'default: your group' }),
    ),
    insight_name: Type.String({ minLength: 1, maxLength: 255 }),
    query: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'what was said, as in Search Call Transcripts: words, "a phrase", or, -word',
    }),
    filter: Type.Optional(
      Type.String({
        maxLength: 2000,
        description: 'a call-log filter (field<op>value,...) the calls must pass',
      }),
    ),
    interval: Type.Optional(
      StringEnum(['day', 'week', 'month'], { description: 'report periods (week by default)' }),
    ),
  },
  { additionalProperties: false },
);

export const Insight = Type.Object({
  insight_id: Type.Integer(),
  group_id: Type.Integer(),
  insight_name: Type.String(),
  query: Type.String(),
  filter: Type.String(),
  interval: Type.String(),
  insight_status: Type.String(),
  created_by: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.String(),
});

export const InsightEnvelope = Envelope(Insight);
export const InsightListEnvelope = Envelope(Type.Array(Insight));
export const InsightListQuery = ListQuery;

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD in `timezone`' });

export const InsightReportQuery = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'the insight' }),
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  timezone: Type.Optional(
    Type.String({ maxLength: 64, description: 'IANA or V2 US zone name; UTC by default' }),
  ),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'matching calls listed' }),
});

export const InsightReportEnvelope = Envelope(
  Type.Object({
    insight: Insight,
    from: Type.String(),
    to: Type.String(),
    periods: Type.Array(
      Type.Object({
        period_start: Type.String({ description: 'YYYY-MM-DD, the first day of the period in `timezone`' }),
        calls: Type.Integer({ description: 'transcribed calls passing the filter' }),
        matching: Type.Integer({ description: 'of those, the calls where the query was said' }),
        share: Type.Number({ description: 'matching / calls, 0-1 (0 when there were no calls)' }),
      }),
    ),
    total: Type.Object({ calls: Type.Integer(), matching: Type.Integer(), share: Type.Number() }),
    matching_calls: Type.Array(
      Type.Object({
        call_id: Type.Integer(),
        group_id: Type.Integer(),
        call_started: Type.String(),
        headline: Type.String({ description: 'HTML-escaped, hits in <mark>' }),
      }),
      { description: 'the newest matching calls of the range, up to `limit`' },
    ),
  }),
);
