import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { IdQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import {
  LeasedNumbersEnvelope,
  PoolUsageEnvelope,
  PoolUsageHistoryEnvelope,
  SnippetEnvelope,
  SnippetQuery,
  UsageHistoryQuery,
} from './dni.schemas.js';
import type { DniService } from './dni.service.js';

/** The authenticated /v2 side of DNI: the site snippet of a group and the usage of a number pool. */
export const dniRoutes: FastifyPluginAsyncTypebox<{ dni: DniService }> = async (app, { dni }) => {
  app.get(
    '/group/dnisnippet',
    {
      schema: {
        tags: ['Group'],
        summary: 'Get DNI Snippet',
        operationId: 'getDniSnippet',
        description:
          "The HTML to paste into every page of the group's website: it loads dni.js from this server with the group's DNI code. `data` holds one object keyed by the group id.",
        querystring: SnippetQuery,
        response: { 200: SnippetEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await dni.snippet(principalOf(request), request.query.id)),
  );

  app.get(
    '/numberpool/usage',
    {
      schema: {
        tags: ['Call Flow'],
        summary: 'Get Number Pool Usage',
        operationId: 'getNumberPoolUsage',
        description:
          'How many numbers of a DNI pool are leased, cooling down and free now, the peak demand of the last 7 days (numbers needed at once, each lease until its cooldown ended), leases handed out while the pool was exhausted, and a suggested pool size (peak plus 25%).',
        querystring: IdQuery('The id of the number pool'),
        response: { 200: PoolUsageEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await dni.poolUsage(principalOf(request), request.query.id)),
  );

  app.get(
    '/numberpool/usagehistory',
    {
      schema: {
        tags: ['Call Flow'],
        summary: 'Get Number Pool Usage History',
        operationId: 'getNumberPoolUsageHistory',
        description:
          "A DNI pool's usage over the last `days`, from the samples taken every POOL_SAMPLE_MINUTES (kept POOL_HISTORY_DAYS): per point the numbers in the pool, leased, live and shared visitors (the most at one sample) and the leases started (summed); at most 720 points, longer periods in longer buckets. With the period's shared-lease rate: leases that shared their number because the pool was exhausted, over all leases started.",
        querystring: UsageHistoryQuery,
        response: { 200: PoolUsageHistoryEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) =>
      success(await dni.poolUsageHistory(principalOf(request), request.query.id, request.query.days)),
  );

  app.get(
    '/numberpool/leases',
    {
      schema: {
        tags: ['Call Flow'],
        summary: 'List Leased Pool Numbers',
        operationId: 'listNumberPoolLeases',
        description:
          'The numbers of a DNI pool that website visitors hold now, longest held first: since when, until when without a heartbeat, how many visitors share each, and the landing page and referrer of the visit that has held it longest.',
        querystring: IdQuery('The id of the number pool'),
        response: { 200: LeasedNumbersEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await dni.poolLeases(principalOf(request), request.query.id)),
  );
};
