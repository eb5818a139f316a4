import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  IndicatorCreate,
  IndicatorEnvelope,
  IndicatorListEnvelope,
  IndicatorQuery,
  IndicatorUpdate,
  TrendsEnvelope,
  TrendsQuery,
} from './indicators.schemas.js';
import type { IndicatorsService } from './indicators.service.js';
import type { Signal } from './scoring.js';

const tags = ['Indicator'];

export const indicatorRoutes: FastifyPluginAsyncTypebox<{ indicators: IndicatorsService }> = async (
  app,
  { indicators },
) => {
  app.get(
    '/indicator',
    {
      schema: {
        tags,
        summary: 'List Indicators',
        operationId: 'listIndicators',
        description:
          'The built-in indicators (ids 1-7, on the first unfiltered page) and the indicators of your group, the groups above it (inherited) and below it.',
        querystring: IndicatorQuery,
        response: { 200: IndicatorListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await indicators.list(principalOf(request), request.query)),
  );

  app.get(
    '/indicator/trends',
    {
      schema: {
        tags,
        summary: 'List Indicator Trends',
        operationId: 'listIndicatorTrends',
        description:
          'Per indicator, the analysed calls of `group_id` and the groups below it that scored `threshold` (50) or more, per day or week of `start_date`..`end_date` in `timezone`, and over the range against the range of the same length before it.',
        querystring: TrendsQuery,
        response: { 200: TrendsEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await indicators.trends(principalOf(request), request.query)),
  );

  app.post(
    '/indicator',
    {
      schema: {
        tags,
        summary: 'Create Indicator',
        operationId: 'createIndicator',
        description:
          'An indicator of a group in your scope (yours by default), inherited by the groups below it; it scores calls analysed from now on.',
        body: IndicatorCreate,
        response: { 200: IndicatorEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'indicator' },
    },
    async (request) =>
      success(
        await indicators.create(principalOf(request), {
          ...request.body,
          signals: request.body.signals as Signal[],
        }),
      ),
  );

  app.put(
    '/indicator',
    {
      schema: {
        tags,
        summary: 'Update Indicator',
        operationId: 'updateIndicator',
        description:
          'Changes the name, description, signals (phrase lists, weights) or status of an indicator of your group or below; built-in ones cannot be changed.',
        body: IndicatorUpdate,
        response: { 200: IndicatorEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'indicator' },
    },
    async (request) =>
      success(
        await indicators.update(principalOf(request), {
          ...request.body,
          signals: request.body.signals as Signal[] | undefined,
        }),
      ),
  );
};
