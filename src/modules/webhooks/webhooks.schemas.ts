import { type Static, Type } from '@sinclair/typebox';
import {
  Envelope,
  ListQuery,
  MAX_ID,
  NullableInteger,
  NullableString,
  StringEnum,
} from '../../http/schemas.js';

const GroupId = Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'the owning group (org unit)' });
const Status = StringEnum(['active', 'inactive'], { description: 'an inactive webhook receives nothing' });
const Method = StringEnum(['POST', 'PUT', 'GET', 'post', 'put', 'get'], {
  description: 'HTTP method used to call the target; GET sends the data as a query string',
});
const Format = StringEnum(['json', 'xml', 'form', 'JSON', 'XML', 'FORM'], {
  description: 'payload format: JSON (default), XML or application/x-www-form-urlencoded',
});
/** The call events: a webhook created without `events` gets these. */
export const CALL_EVENTS = ['call.started', 'call.completed', 'call.updated', 'call.analyzed'] as const;
export const WEBHOOK_EVENTS = [...CALL_EVENTS, 'sms.received', 'sms.status', 'usage.alert'] as const;
const Events = Type.Array(StringEnum(WEBHOOK_EVENTS), {
  minItems: 1,
  uniqueItems: true,
  description:
    "call.started (pre-call), call.completed (post-call), call.updated (a completed call changed by a late carrier result) and call.analyzed (transcript and indicator scores ready), all four by default; sms.received (a text came in) and sms.status (a text sent reached queued, sent, delivered, undelivered or failed) and usage.alert (a plan's meter reached 80 % or 100 % of its limit) when asked for",
});
const Name = Type.String({ minLength: 1, maxLength: 255, description: 'webhook name' });
const Endpoint = Type.String({ minLength: 1, maxLength: 2048, description: 'target URL (http or https)' });
const Description = Type.String({ maxLength: 1024 });

export const WebhookListQuery = Type.Composite([
  Type.Object({
    ouId: Type.Integer({ description: 'the group whose webhooks to list' }),
    include_below: Type.Optional(
      Type.Boolean({ description: 'also the webhooks of the groups below it (our addition; default false)' }),
    ),
  }),
  ListQuery,
]);

export const WebhookCreate = Type.Object(
  {
    org_unit_id: GroupId,
    webhook_status: Type.Optional(Status),
    webhook_Name: Name,
    description: Type.Optional(Description),
    webhook_Endpoint: Endpoint,
    method: Type.Optional(Method),
    format: Type.Optional(Format),
    events: Type.Optional(Events),
  },
  { additionalProperties: false },
);
export type WebhookCreate = Static<typeof WebhookCreate>;

export const WebhookUpdate = Type.Object(
  {
    webhook_id: Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'the webhook to change' }),
    org_unit_id: Type.Optional(GroupId),
    webhook_status: Type.Optional(Status),
    webhook_Name: Type.Optional(Name),
    description: Type.Optional(Description),
    webhook_Endpoint: Type.Optional(Endpoint),
    method: Type.Optional(Method),
    format: Type.Optional(Format),
    events: Type.Optional(Events),
  },
  { additionalProperties: false },
);
export type WebhookUpdate = Static<typeof WebhookUpdate>;

export const Webhook = Type.Object({
  webhook_id: Type.Integer(),
  webhook_name: Type.String(),
  target_url: Type.String(),
  org_unit_id: Type.Integer(),
  webhook_status: Type.String(),
  description: Type.String(),
  method: Type.String(),
  format: Type.String(),
  events: Type.Array(Type.String()),
  created_at: Type.String(),
  updated_at: NullableString(),
});

export const WebhookListEnvelope = Envelope(Type.Array(Webhook));
export const WebhookCreateEnvelope = Envelope(
  Type.Object({
    insertId: Type.Integer({ description: 'the new webhook id' }),
    signing_secret: Type.String({
      description: 'HMAC-SHA256 key of X-Switchboard-Signature; shown here once and never again',
    }),
  }),
);
export const WebhookUpdateEnvelope = Envelope(Type.Object({ affectedRows: Type.Integer() }));

export const DeliveryListQuery = Type.Composite([
  Type.Object({
    webhook_id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ID })),
    call_id: Type.Optional(Type.Integer({ minimum: 1 })),
  }),
  ListQuery,
]);

export const WebhookAttempt = Type.Object({
  attempt_id: Type.Integer(),
  attempted_at: Type.String(),
  status_code: NullableInteger(),
  latency_ms: Type.Integer(),
  error: NullableString(),
  response_excerpt: NullableString(),
});

export const WebhookDelivery = Type.Object({
  delivery_id: Type.Integer(),
  event_id: Type.String(),
  webhook_id: Type.Integer(),
  webhook_name: Type.String({ description: 'the name of the webhook (our addition)' }),
  call_id: NullableInteger(),
  event_type: Type.String({
    description:
      'call.started, call.completed, call.updated, call.analyzed, sms.received, sms.status, or webhook.test (a test event)',
  }),
  status: Type.String({ description: 'pending, succeeded or failed' }),
  attempts: Type.Integer(),
  created_at: Type.String(),
  completed_at: NullableString(),
  give_up_at: Type.String(),
  attempt_log: Type.Array(WebhookAttempt),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const DeliveryListEnvelope = Envelope(Type.Array(WebhookDelivery));

export const Redeliver = Type.Object(
  { delivery_id: Type.Integer({ minimum: 1, description: 'the delivery to send again' }) },
  { additionalProperties: false },
);
export const WebhookTest = Type.Object(
  {
    webhook_id: Type.Integer({
      minimum: 1,
      maximum: MAX_ID,
      description: 'the webhook to send a test event to',
    }),
  },
  { additionalProperties: false },
);

export const RedeliverEnvelope = Envelope(
  Type.Object({ delivery_id: Type.Integer(), event_id: Type.String(), status: Type.Literal('pending') }),
);
