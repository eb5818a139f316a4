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
