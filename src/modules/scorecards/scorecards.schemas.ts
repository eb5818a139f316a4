import { Type } from '@sinclair/typebox';
import { Envelope, ListQuery, MAX_ID, StringEnum } from '../../http/schemas.js';

const CriterionSchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z0-9_]{1,40}$',
      description: 'unique in the scorecard; answers name it',
    }),
    label: Type.String({ minLength: 1, maxLength: 255 }),
    type: StringEnum(['yes_no', 'scale', 'points'], { description: 'yes/no, 1-5, or 0 to max_points' }),
    weight: Type.Number({ minimum: 0.01, maximum: 100 }),
    max_points: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'for points' })),
    indicator_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_ID,
        description: 'pre-filled from this indicator score when not answered',
      }),
    ),
  },
  { additionalProperties: false },
);

const SectionSchema = Type.Object(
  {
    section_name: Type.String({ minLength: 1, maxLength: 255 }),
    criteria: Type.Array(CriterionSchema, { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);

export const ScorecardCreate = Type.Object(
  {
    group_id: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'default: your group' }),
    ),
    scorecard_name: Type.String({ minLength: 1, maxLength: 255 }),
    sections: Type.Array(SectionSchema, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);

export const ScorecardDuplicate = Type.Object(
  {
    scorecard_id: Type.Integer({ minimum: 1, maximum: MAX_ID }),
    scorecard_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  { additionalProperties: false },
);

export const Scorecard = Type.Object({
  scorecard_id: Type.Integer(),
  group_id: Type.Integer(),
  scorecard_name: Type.String(),
  sections: Type.Array(SectionSchema),
  scorecard_status: Type.String(),
  created_by: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.String(),
});

export const ScorecardEnvelope = Envelope(Scorecard);
export const ScorecardListEnvelope = Envelope(Type.Array(Scorecard));
export const ScorecardListQuery = ListQuery;
export const ScorecardIdQuery = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_ID }) });

export const CallScoreBody = Type.Object(
  {
    call_id: Type.Integer({ minimum: 1, maximum: MAX_ID }),
    scorecard_id: Type.Integer({ minimum: 1, maximum: MAX_ID }),
    call_title: Type.Optional(Type.String({ maxLength: 255 })),
    answers: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[a-z0-9_]{1,40}$' }),
        Type.Union([Type.Boolean(), Type.Number()]),
        {
          description: 'by criterion key: true/false, 1-5 or points',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ScoredCall = Type.Object({
  call_id: Type.Integer(),
  scorecard_id: Type.Integer(),
  call_title: Type.String(),
  answers: Type.Record(Type.String(), Type.Union([Type.Boolean(), Type.Number()])),
  prefilled: Type.Array(Type.String(), { description: 'criteria filled from indicator scores' }),
  score: Type.Number({ description: '0-100' }),
  scored_by: Type.Union([Type.Integer(), Type.Null()]),
  scored_at: Type.String(),
});

export const ScoredCallEnvelope = Envelope(ScoredCall);
export const CallScoresQuery = Type.Object({ call_id: Type.Integer({ minimum: 1, maximum: MAX_ID }) });

export const CallScoresEnvelope = Envelope(
  Type.Array(
    Type.Composite([
      ScoredCall,
      Type.Object({ scorecard_name: Type.String({ description: "the scorecard's name now" }) }),
    ]),
  ),
);

export const ScoredCallsReportQuery = Type.Object({
  scorecard_id: Type.Integer({ minimum: 1, maximum: MAX_ID }),
  group_by: Type.Optional(StringEnum(['agent', 'flow', 'date'], { description: 'agent by default' })),
  timezone: Type.Optional(Type.String({ maxLength: 64 })),
});

export const ScoredCallsReportEnvelope = Envelope(
  Type.Object({
    groups: Type.Array(
      Type.Object({
        key: Type.Union([Type.String(), Type.Null()], {
          description: 'the agent (ring-to number or assignee), the call flow id or the day (YYYY-MM-DD)',
        }),
        calls: Type.Integer(),
        average_score: Type.Number(),
      }),
    ),
    overall: Type.Object({ calls: Type.Integer(), average_score: Type.Number() }),
    scored_calls: Type.Array(
      Type.Object({
        call_id: Type.Integer(),
        call_title: Type.String(),
        score: Type.Number(),
        agent: Type.Union([Type.String(), Type.Null()]),
        call_flow_id: Type.Union([Type.Integer(), Type.Null()]),
        call_started: Type.String(),
        scored_at: Type.String(),
      }),
    ),
  }),
);
