import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  ClientUsageDownloadQuery,
  ClientUsageEnvelope,
  SubscriptionEnvelope,
  SubscriptionQuery,
  SubscriptionSet,
} from './subscriptions.schemas.js';
import type { SubscriptionsService } from './subscriptions.service.js';
import { renderUsage, USAGE_MEDIA_TYPES, usageFileName } from './usage-render.js';

const tags = ['Misc'];

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
          'An Admin of a group above sets the plan of `group_id` (and the groups below it): its name and limits; a limit left out is no limit. Reserving a number, adding a user or uploading a call past a limit is then refused with "Plan limit reached: ..."; live calls are never refused.',
        body: SubscriptionSet,
        response: { 200: SubscriptionEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'subscription' },
    },
    async (request) => success(await subscriptions.set(principalOf(request), request.body)),
  );

  app.get(
    '/misc/subscription/clients',
    {
      schema: {
        tags,
        summary: 'Get Client Usage',
        operationId: 'getClientUsage',
        description:
          'What each client of `group_id` (each group right below it, with the groups below that) used in `period`, against the plan that covers it: what an agency invoices from.',
        querystring: SubscriptionQuery,
        response: { 200: ClientUsageEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => {
      const { group, period, clients } = await subscriptions.clients(principalOf(request), request.query);
      return success({ group_id: group.group_id, group_name: group.group_name, period, clients });
    },
  );

  app.get(
    '/misc/subscription/clients/download',
    {
      schema: {
        tags,
        summary: 'Download Client Usage',
        operationId: 'downloadClientUsage',
        description: 'Get Client Usage as a file: `csv` or `xlsx`, a row per client.',
        querystring: ClientUsageDownloadQuery,
        response: {
          200: {
            description: 'the usage file',
            content: {
              [USAGE_MEDIA_TYPES.csv]: { schema: { type: 'string' } },
              [USAGE_MEDIA_TYPES.xlsx]: { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...v2ErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const { format, ...query } = request.query;
      const { group, period, clients } = await subscriptions.clients(principalOf(request), query);
      return reply
        .type(USAGE_MEDIA_TYPES[format])
        .header(
          'content-disposition',
          `attachment; filename="${usageFileName(group.group_name, period, format)}"`,
        )
        .header('cache-control', 'no-store')
        .send(await renderUsage(clients, format));
    },
  );
};
