import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  DeliveryListEnvelope,
  DeliveryListQuery,
  Redeliver,
  RedeliverEnvelope,
  WebhookCreate,
  WebhookCreateEnvelope,
  WebhookListEnvelope,
  WebhookListQuery,
  WebhookTest,
  WebhookUpdate,
  WebhookUpdateEnvelope,
} from './webhooks.schemas.js';
import type { WebhooksService } from './webhooks.service.js';

const tags = ['Webhook'];

export const webhookRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhooksService }> = async (
  app,
  { webhooks },
) => {
  app.get(
    '/webhook',
    {
      schema: {
        tags,
        summary: 'List Webhooks',
        operationId: 'listWebhooks',
        description:
          'The webhooks of group `ouId` (camelCase, as V2 spells it); the group must be in your scope.',
        querystring: WebhookListQuery,
        response: { 200: WebhookListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await webhooks.list(principalOf(request), request.query)),
  );

  app.post(
    '/webhook',
    {
      schema: {
        tags,
        summary: 'Create Webhook',
        operationId: 'createWebhook',
        description:
          'Creates a webhook for group `org_unit_id`; groups below it inherit it. Answers `data.insertId` and the `signing_secret` of X-Switchboard-Signature, which is shown only here.',
        body: WebhookCreate,
        response: { 200: WebhookCreateEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'webhook' },
    },
    async (request) => success(await webhooks.create(principalOf(request), request.body)),
  );

  app.put(
    '/webhook',
    {
      schema: {
        tags,
        summary: 'Update Webhook',
        operationId: 'updateWebhook',
        description: 'Changes the fields given for webhook `webhook_id`; the others keep their values.',
        body: WebhookUpdate,
        response: { 200: WebhookUpdateEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'webhook' },
    },
    async (request) => success(await webhooks.update(principalOf(request), request.body)),
  );

  app.get(
    '/webhook/delivery',
    {
      schema: {
        tags,
        summary: 'List Webhook Deliveries',
        operationId: 'listWebhookDeliveries',
        description:
          'Deliveries of a webhook (`webhook_id`) or of a call (`call_id`), newest first, each with every attempt (time, status code, latency, error, response excerpt).',
        querystring: DeliveryListQuery,
        response: { 200: DeliveryListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await webhooks.deliveries(principalOf(request), request.query)),
  );

  app.post(
    '/webhook/redeliver',
    {
      schema: {
        tags,
        summary: 'Redeliver Webhook Event',
        operationId: 'redeliverWebhookEvent',
        description:
          'Sends a succeeded or failed delivery again, under the same event id, with a fresh retry window.',
        body: Redeliver,
        response: { 200: RedeliverEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'delivery' },
    },
    async (request) => success(await webhooks.redeliver(principalOf(request), request.body.delivery_id)),
  );

  app.post(
    '/webhook/test',
    {
      schema: {
        tags,
        summary: 'Send Test Event',
        operationId: 'sendWebhookTestEvent',
        description:
          'Sends a `webhook.test` event (an example call record, signed like every delivery) to the webhook at once (our design). It is tried once; the delivery log shows the answer.',
        body: WebhookTest,
        response: { 200: RedeliverEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'webhook' },
    },
    async (request) => success(await webhooks.sendTest(principalOf(request), request.body.webhook_id)),
  );
};
