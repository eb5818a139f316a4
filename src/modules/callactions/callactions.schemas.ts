import { type Static, Type } from '@sinclair/typebox';
import {
  EntryResult,
  Envelope,
  ListQuery,
  MAX_ID,
  NullableInteger,
  NullableString,
  StringEnum,
} from '../../http/schemas.js';
import { CALL_FIELD_NAMES, JOIN_TYPES, OPERATORS } from './rules.js';

export const ACTIONS = [
  'email_alert',
  'sms_alert',
  'tag_call',
  'webhook',
  'post_detail',
  'move_to_group',
  'set_call_value',
] as const;
export type ActionKind = (typeof ACTIONS)[number];

const Id = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_ID, description });

export const RuleSchema = Type.Object(
  {
    data_field: Type.Optional(StringEnum(CALL_FIELD_NAMES, { description: 'the call field tested' })),
    indicator_id: Type.Optional(Id('the indicator whose score is tested (instead of data_field)')),
    operator: StringEnum(OPERATORS),
    comparator: Type.Unsafe<string | number | boolean>({
      type: ['string', 'number', 'boolean'],
      description: 'the value compared with; `%` at either end of a text is ignored',
    }),
    join_type: Type.Optional(StringEnum(JOIN_TYPES, { description: 'joins this rule to the next' })),
    rule_order: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    grouping: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1000,
        description: 'adjacent rules with one grouping are parenthesised',
      }),
    ),
  },
  { additionalProperties: false },
);

const Rules = Type.Array(RuleSchema, { maxItems: 50 });

const actionFields = {
  action_order: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'run order, 1 first' })),
  action: StringEnum(ACTIONS),
  action_target: Type.String({
    minLength: 1,
    maxLength: 1024,
    description:
      'email_alert: e-mails, comma-separated; sms_alert: 10-digit numbers, comma-separated; tag_call: tag names, comma-separated; webhook and post_detail: an http(s) URL; move_to_group: a group id; set_call_value: an amount',
  }),
  post_process: Type.Optional(
    Type.Boolean({ description: 'true: evaluate when conversation analytics finish, not at hangup' }),
  ),
  action_status: Type.Optional(StringEnum(['active', 'inactive'] as const)),
  rules: Type.Optional(Rules),
};

export const NewCallAction = Type.Object(
  {
    call_flow_id: Type.Optional(Id('the call flow the action belongs to')),
    group_id: Type.Optional(Id('without call_flow_id: the group whose default action it is')),
    ...actionFields,
  },
  { additionalProperties: false },
);
export type NewCallAction = Static<typeof NewCallAction>;

export const NewCallActions = Type.Array(NewCallAction, { minItems: 1, maxItems: 100 });

export const CallActionUpdate = Type.Object(
  {
    action_id: Id('the action to change'),
    action_order: actionFields.action_order,
    action: Type.Optional(actionFields.action),
    action_target: Type.Optional(actionFields.action_target),
    post_process: actionFields.post_process,
    action_status: actionFields.action_status,
    rules: actionFields.rules,
  },
  { additionalProperties: false },
);
export type CallActionUpdate = Static<typeof CallActionUpdate>;

export const CallActionDelete = Type.Object(
  { action_id: Type.Array(Id('an action'), { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);

export const CallAction = Type.Object({
  action_id: Type.Integer(),
  call_flow_id: NullableInteger(),
  group_id: Type.Integer(),
  is_default: Type.Boolean({ description: 'a group default (no call flow)' }),
  action_order: Type.Integer(),
  action: Type.String(),
  action_target: Type.String(),
  post_process: Type.Boolean(),
  action_status: Type.String(),
  rules: Type.Array(Type.Unknown()),
  created_by: NullableInteger(),
  created_at: Type.String(),
  updated_at: NullableString(),
});

export const CallActionQuery = Type.Object({
  id: Type.Integer({ minimum: -MAX_ID, maximum: MAX_ID, description: 'action_id' }),
});
export const CallActionListQuery = ListQuery;
export const CallLogQuery = Type.Object({
  id: Type.Integer({ minimum: -MAX_ID, maximum: MAX_ID, description: 'call_id' }),
});

export const BareEntryResults = Type.Array(EntryResult);
export const CallActionEnvelope = Envelope(CallAction);
export const CallActionListEnvelope = Envelope(Type.Array(CallAction));
export const CallActionDeleteEnvelope = Envelope(Type.Array(Type.Integer()));

export const ActionLogEntry = Type.Object({
  action_id: Type.Integer(),
  action: Type.String(),
  action_target: Type.String(),
  status: Type.String({ description: 'succeeded, failed, skipped, not matched, or running' }),
  outcome: Type.String(),
  attempts: Type.Integer(),
  created_at: Type.String(),
  finished_at: NullableString(),
});

export const ActionOutcomesQuery = Type.Object({
  id: Type.Integer({ minimum: -MAX_ID, maximum: MAX_ID, description: 'action_id' }),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 200, default: 20, description: 'at most this many calls' }),
  ),
});

export const ActionOutcome = Type.Object({
  call_id: Type.Integer(),
  status: Type.String({ description: 'succeeded, failed, skipped, not matched, or running' }),
  outcome: Type.String(),
  attempts: Type.Integer(),
  created_at: Type.String(),
  finished_at: NullableString(),
});

export const ActionOutcomesEnvelope = Envelope(Type.Array(ActionOutcome));

export const NotificationLogEntry = Type.Object({
  kind: Type.String({ description: 'email_to_notify' }),
  status: Type.String(),
  recipients: Type.String(),
  outcome: Type.String(),
  attempts: Type.Integer(),
  created_at: Type.String(),
  finished_at: NullableString(),
});

export const CallActionLogEnvelope = Envelope(
  Type.Object({
    call_id: Type.Integer(),
    actions: Type.Array(ActionLogEntry),
    notifications: Type.Array(NotificationLogEntry),
  }),
);
