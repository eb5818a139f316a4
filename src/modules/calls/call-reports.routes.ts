import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  BreakdownEnvelope,
  BreakdownQuery,
  ReportQuery,
  SeriesEnvelope,
  SeriesQuery,
  SummaryEnvelope,
} from './call-reports.schemas.js';
import { type CallReportsService, EXPORT_COLUMNS } from './call-reports.service.js';

/** The header that tells how many rows the export has, before the first one arrives. */
export const EXPORT_TOTAL_HEADER = 'x-total-count';

const tags = ['Call'];
/** The console dashboard's figures (our design): the same calls and filter as List Calls. */
export const callReportRoutes: FastifyPluginAsyncTypebox<{ reports: CallReportsService }> = async (
  app,
  { reports },
) => {
  app.get(
    '/call/summary',
    {
      schema: {
        tags,
        summary: 'Get Call Summary',
        operationId: 'getCallSummary',
        description:
          'Totals over the live calls of `group_id` and the groups below it that pass `filter` (the fields of List Calls): calls, answered, missed, voicemails, first-time and repeat callers, talk time, value.',
        querystring: ReportQuery,
        response: { 200: SummaryEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await reports.summary(principalOf(request), request.query)),
  );

  app.get(
    '/call/timeseries',
    {
      schema: {
        tags,
        summary: 'List Calls Over Time',
        operationId: 'listCallTimeSeries',
        description: 'The figures of Get Call Summary per hour, day or week in `timezone`.',
        querystring: SeriesQuery,
        response: { 200: SeriesEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await reports.series(principalOf(request), request.query)),
  );

  app.get(
    '/call/breakdown',
    {
      schema: {
        tags,
        summary: 'List Call Breakdown',
        operationId: 'listCallBreakdown',
        description:
          'The figures of Get Call Summary per campaign, channel, tracking number, call flow, group, DNI landing page, referrer, UTM source, key path or disposition; each `key` filters List Calls by the field of that name.',
        querystring: BreakdownQuery,
        response: { 200: BreakdownEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await reports.breakdown(principalOf(request), request.query)),
  );

  app.get(
    '/call/export',
    {
      schema: {
        tags,
        summary: 'Export Calls as CSV',
        operationId: 'exportCalls',
        description: `The calls of List Calls (\`group_id\` and below, \`filter\`, times in \`timezone\`) as a CSV file, newest first, streamed: any number of rows. \`${EXPORT_TOTAL_HEADER}\` tells how many rows follow, for a progress bar.`,
        querystring: ReportQuery,
        response: {
          200: {
            description: 'the CSV file',
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
          ...v2ErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const { total, rows } = await reports.export(principalOf(request), request.query);
      const csv = Readable.from(rows).pipe(
        stringify({
          header: true,
          columns: EXPORT_COLUMNS.map(({ key, header }) => ({ key, header })),
          cast: { boolean: (value) => (value ? 'yes' : 'no') },
        }),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="calls.csv"')
        .header('cache-control', 'no-store')
        .header(EXPORT_TOTAL_HEADER, String(total))
        .send(csv);
    },
  );
};
