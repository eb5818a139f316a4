import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  InsightCreate,
  InsightEnvelope,
  InsightListEnvelope,
  InsightListQuery,
  InsightReportEnvelope,
  InsightReportQuery,
} from './insights.schemas.js';
import type { InsightsService } from './insights.service.js';

const tags = ['Insight'];

export const insightRoutes: FastifyPluginAsyncTypebox<{ insights: InsightsService }> = async (
  app,
  { insights },
) => {
  app.post(
    '/insight',
    {
      schema: {
        tags,
        summary: 'Create Insight',
        operationId: 'createInsight',
        description:
          'Saves a question over the calls of a group in your scope (yours by default): what was said (`query`, as in Search Call Transcripts) among the calls a call-log `filter` keeps, reported per `interval` (day, week or month).',
        body: InsightCreate,
        response: { 200: InsightEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'insight' },
    },
    async (request) => success(await insights.create(principalOf(request), request.body)),
  );

  app.get(
    '/insight',
    {
      schema: {
        tags,
        summary: 'List Insights',
        operationId: 'listInsights',
        description: 'The insights of your group and the groups below it.',
        querystring: InsightListQuery,
        response: { 200: InsightListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await insights.list(principalOf(request), request.query)),
  );

  app.get(
    '/insight/report',
    {
      schema: {
        tags,
        summary: 'Get Insight Report',
        operationId: 'getInsightReport',
        description:
          "The insight over `from`-`to` (dates in `timezone`; by default the last 30 days, 12 weeks or year): per period the transcribed calls of its group's subtree that pass its filter, those where its query was said and their share, and the newest matching calls.",
        querystring: InsightReportQuery,
        response: { 200: InsightReportEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await insights.report(principalOf(request), request.query)),
  );
};
