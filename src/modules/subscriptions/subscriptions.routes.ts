import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principalOf } from '../../http/authenticate.js';
import {
  Envelope,
  MAX_ID,
  NullableInteger,
  NullableNumber,
  NullableString,
  success,
  v2ErrorResponses,
} from '../../http/schemas.js';
import { LIMITED_METERS } from './subscriptions.repo.js';
import type { SubscriptionsService } from './subscriptions.service.js';

const tags = ['Misc'];

const GroupId = Type.Integer({ minimum: 1, maximum: MAX_ID });

const SubscriptionQuery = Type.Object(
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

const SubscriptionSet = Type.Object(
  {
    group_id: { ...GroupId, description: 'a group below yours' },
    plan_name: Type.String({ minLength: 1, maxLength: 100 }),
    ...limitFields,
  },
  { additionalProperties: false },
);

const perMeter = <T extends () => ReturnType<typeof NullableInteger>>(make: T) =>
  Type.Object(Object.fromEntries(LIMITED_METERS.map((meter) => [meter, make()])));

const Subscription = Type.Object({
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
  used_percent: perMeter(
    () => NullableNumber({ description: 'usage against the limit; null: no limit' }) as never,
  ),
});

const SubscriptionEnvelope = Envelope(Subscription);

/** Plans and usage per group (our design for V2's Misc › Get Subscription). */
export const subscriptionRoutes: FastifyPluginAsyncTypebox<{ subscriptions: SubscriptionsService }> = async (
  app,
  { subscriptions },
) => {
  app.get(
    '/misc/subscription',
    {
      schema: {
        tags,
        summary: 'Get Subscription',
        operationId: 'getSubscription',
        description:
          'The plan that covers `group_id` and what its subtree used in `period`: numbers held, inbound and outbound minutes (each call rounded up to the minute), texts and segments, transcription minutes and active users, against the plan’s limits.',
        querystring: SubscriptionQuery,
        response: { 200: SubscriptionEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await subscriptions.get(principalOf(request), request.query)),
  );

  app.put(
    '/misc/subscription',
    {
      schema: {
        tags,
        summary: 'Set Subscription',
        operationId: 'setSubscription',
        description:
          'An Admin of a group above sets the plan of `group_id` (and the groups below it): its name and limits; a limit left out is no limit. Reserving a number or adding a user past a limit is then refused with "Plan limit reached: ..."; calls are never refused.',
        body: SubscriptionSet,
        response: { 200: SubscriptionEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'subscription' },
    },
    async (request) => success(await subscriptions.set(principalOf(request), request.body)),
  );
};
