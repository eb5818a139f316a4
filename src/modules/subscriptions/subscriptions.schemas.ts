import { Type } from '@sinclair/typebox';
import {
  Envelope,
  MAX_ID,
  NullableInteger,
  NullableNumber,
  NullableString,
  StringEnum,
} from '../../http/schemas.js';
import { LIMITED_METERS } from './subscriptions.repo.js';
import { USAGE_FORMATS } from './usage-render.js';

/** The shapes of Get/Set Subscription and Get Client Usage (the console reads them too). */

const GroupId = Type.Integer({ minimum: 1, maximum: MAX_ID });

export const SubscriptionQuery = Type.Object(
  {
    group_id: Type.Optional({ ...GroupId, description: 'a group of your scope; default your own' }),
    period: Type.Optional(
      Type.String({
        pattern: '^[0-9]{4}-[0-9]{2}$',
        description: 'the calendar month (UTC), YYYY-MM; default this month',
      }),
    ),
  },
  { additionalProperties: false },
);

const limitFields = Object.fromEntries(
  LIMITED_METERS.map((meter) => [
    `max_${meter}`,
    Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_ID,
        description: `limit of ${meter.replace('_', ' ')}; absent: no limit`,
      }),
    ),
  ]),
);

export const SubscriptionSet = Type.Object(
  {
    group_id: { ...GroupId, description: 'a group below yours' },
    plan_name: Type.String({ minLength: 1, maxLength: 100 }),
    ...limitFields,
  },
  { additionalProperties: false },
);

const perMeter = <T extends () => ReturnType<typeof NullableInteger>>(make: T) =>
  Type.Object(Object.fromEntries(LIMITED_METERS.map((meter) => [meter, make()])));

export const Subscription = Type.Object({
  group_id: Type.Integer(),
  group_name: Type.String(),
  plan_name: NullableString({
    description: 'the plan that covers the group (its own or a group’s above); null: none',
  }),
  plan_group_id: NullableInteger({ description: 'the group whose plan it is' }),
  period: Type.String({ description: 'YYYY-MM' }),
  period_start: Type.String(),
  period_end: Type.String(),
  usage: Type.Object({
    numbers: Type.Integer({ description: 'numbers held now (reserved or assigned)' }),
    inbound_minutes: Type.Integer({ description: 'each call rounded up to the minute' }),
    outbound_minutes: Type.Integer(),
    inbound_calls: Type.Integer(),
    outbound_calls: Type.Integer(),
    texts: Type.Integer(),
    segments: Type.Integer(),
    transcription_minutes: Type.Integer(),
    users: Type.Integer({ description: 'active users now' }),
  }),
  limits: perMeter(() => NullableInteger({ description: 'null: no limit' })),
  over_limit: Type.Array(StringEnum(LIMITED_METERS), {
    description: 'the meters at or past their limit in the period (none without limits)',
  }),
  used_percent: perMeter(
    () => NullableNumber({ description: 'usage against the limit; null: no limit' }) as never,
  ),
});

export const SubscriptionEnvelope = Envelope(Subscription);

export const ClientUsage = Type.Object({
  group_id: Type.Integer({ description: 'the group asked about' }),
  group_name: Type.String(),
  period: Type.String({ description: 'YYYY-MM' }),
  clients: Type.Array(Subscription, {
    description: 'each group right below it, its subtree counted, by name',
  }),
});

export const ClientUsageDownloadQuery = Type.Object(
  {
    ...SubscriptionQuery.properties,
    format: StringEnum(USAGE_FORMATS, {
      description: 'csv or xlsx (typed cells): a row per client, its usage then its limits',
    }),
  },
  { additionalProperties: false },
);

export const ClientUsageEnvelope = Envelope(ClientUsage);
