import { Type } from '@sinclair/typebox';
import { Envelope, ListQuery, MAX_ID, StringEnum } from '../../http/schemas.js';

const Phrases = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  minItems: 1,
  maxItems: 200,
  description: 'said as whole words, any case, punctuation ignored',
});

export const PhraseSignalSchema = Type.Object(
  {
    phrases: Phrases,
    speaker: Type.Optional(
      StringEnum(['caller', 'agent', 'any'], { description: 'who must say it (any by default)' }),
    ),
    weight: Type.Integer({ minimum: -100, maximum: 100, description: 'added to the score when it holds' }),
    within_first_seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 86_400,
        description: 'only in an utterance that starts this early',
      }),
    ),
    near: Type.Optional(
      Type.Object(
        {
          phrases: Phrases,
          within_words: Type.Integer({ minimum: 1, maximum: 50 }),
        },
        {
          additionalProperties: false,
          description: 'and one of these said this close, in the same utterance',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const FieldSignalSchema = Type.Object(
  {
    field: StringEnum(['duration', 'disposition', 'repeat_call', 'agent_spoke', 'caller_spoke']),
    operator: StringEnum(['=', '!=', '>=', '<=', 'in']),
    value: Type.Union([
      Type.String({ maxLength: 100 }),
      Type.Number(),
      Type.Boolean(),
      Type.Array(Type.Union([Type.String({ maxLength: 100 }), Type.Number()]), { maxItems: 50 }),
    ]),
    weight: Type.Integer({ minimum: -100, maximum: 100 }),
  },
  { additionalProperties: false },
);

const Signals = Type.Array(Type.Union([PhraseSignalSchema, FieldSignalSchema]), {
  minItems: 1,
  maxItems: 50,
  description:
    'phrase signals and call-field signals; the score is the sum of the weights of those that hold, 0-100',
});

const Name = Type.String({ minLength: 1, maxLength: 255 });
const Description = Type.String({ maxLength: 1024 });

export const IndicatorCreate = Type.Object(
  {
    group_id: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'default: your group' }),
    ),
    indicator_name: Name,
    description: Type.Optional(Description),
    signals: Signals,
  },
  { additionalProperties: false },
);

export const IndicatorUpdate = Type.Object(
  {
    indicator_id: Type.Integer({ minimum: 1, maximum: MAX_ID }),
    indicator_name: Type.Optional(Name),
    description: Type.Optional(Description),
    signals: Type.Optional(Signals),
    indicator_status: Type.Optional(StringEnum(['active', 'inactive'])),
  },
  { additionalProperties: false },
);

export const Indicator = Type.Object({
  indicator_id: Type.Integer(),
  group_id: Type.Union([Type.Integer(), Type.Null()], { description: 'null for a built-in indicator' }),
  indicator_name: Type.String(),
  description: Type.String(),
  is_builtin: Type.Boolean(),
  indicator_status: Type.String(),
  signals: Type.Array(Type.Union([PhraseSignalSchema, FieldSignalSchema])),
});

export const IndicatorQuery = ListQuery;
export const IndicatorListEnvelope = Envelope(Type.Array(Indicator));
export const IndicatorEnvelope = Envelope(Indicator);

const Day = (description: string) =>
  Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: `${description}, YYYY-MM-DD` });

export const TrendsQuery = Type.Object(
  {
    group_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_ID,
        description: 'this group and the groups below it (a group of your scope); default your own group',
      }),
    ),
    start_date: Day('first day of the range in `timezone`'),
    end_date: Day('last day of the range (included) in `timezone`'),
    timezone: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'IANA zone (or a V2 US name) the days are read in; UTC when absent',
      }),
    ),
    interval: Type.Optional(
      StringEnum(['day', 'week'], { description: 'day (default) or week (from Monday)' }),
    ),
    threshold: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        description: 'a call counts for an indicator when it scored this or more (default 50)',
      }),
    ),
  },
  { additionalProperties: false },
);

const TrendPeriod = Type.Object({
  period_start: Type.String({ description: 'first day of the period, YYYY-MM-DD in `timezone`' }),
  analyzed: Type.Integer({ description: 'analysed calls started in the period' }),
  scored: Type.Integer({ description: 'of those, the calls scoring the threshold or more' }),
  share: Type.Number({ description: 'scored / analyzed, 0-1 (4 decimals), 0 without calls' }),
});

const IndicatorTrend = Type.Object({
  indicator_id: Type.Integer(),
  indicator_name: Type.String(),
  is_builtin: Type.Boolean(),
  scored: Type.Integer({ description: 'analysed calls of the range scoring the threshold or more' }),
  share: Type.Number({ description: 'scored / analyzed over the range' }),
  previous_scored: Type.Integer({ description: 'the same over the previous period' }),
  previous_share: Type.Number(),
  periods: Type.Array(TrendPeriod, { description: 'every period of the range, empty ones as 0' }),
});

export const TrendsEnvelope = Envelope(
  Type.Object({
    group_id: Type.Integer(),
    start_date: Type.String(),
    end_date: Type.String(),
    previous_start_date: Type.String({ description: 'the range of the same length just before' }),
    previous_end_date: Type.String(),
    timezone: Type.String(),
    interval: Type.String(),
    threshold: Type.Integer(),
    analyzed: Type.Integer({ description: 'analysed live calls of the subtree started in the range' }),
    previous_analyzed: Type.Integer(),
    indicators: Type.Array(IndicatorTrend, {
      description:
        'the built-in indicators, the active ones of your groups and any other that scored calls, by id',
    }),
  }),
);
