import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import { DownloadQuery, ReportEnvelope, ReportQuery } from './report.schemas.js';
import type { ReportService } from './report.service.js';
import { REPORT_MEDIA_TYPES, reportFileName } from './report-render.js';

const tags = ['Report'];

/** Call reports over a date range (our design for V2's List Reports): JSON and files. */
export const reportRoutes: FastifyPluginAsyncTypebox<{ reports: ReportService }> = async (
  app,
  { reports },
) => {
  app.get(
    '/report/call',
    {
      schema: {
        tags,
        summary: 'Get Call Report',
        operationId: 'getCallReport',
        description:
          'The calls of `group_id` and the groups below it from `start_date` to `end_date` (whole days in `timezone`, the range `call_started>=start_date,call_started<=end_date` of groupActivity): totals, a time series per `interval`, breakdowns per `dimensions` and calls per hour and weekday.',
        querystring: ReportQuery,
        response: { 200: ReportEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await reports.build(principalOf(request), request.query)),
  );

  app.get(
    '/report/call/download',
    {
      schema: {
        tags,
        summary: 'Download Call Report',
        operationId: 'downloadCallReport',
        description:
          'Get Call Report as a file: `csv` (one table: section, key, label and the figures), `xlsx` (a sheet per section, numbers and dates as typed cells) or `pdf` (branded with the group’s name and logo — its own or its nearest ancestor’s, see Get Group Logo — a chart of the series, the heatmap and a table per breakdown).',
        querystring: DownloadQuery,
        response: {
          200: {
            description: 'the report file',
            content: {
              [REPORT_MEDIA_TYPES.csv]: { schema: { type: 'string' } },
              [REPORT_MEDIA_TYPES.xlsx]: { schema: { type: 'string', format: 'binary' } },
              [REPORT_MEDIA_TYPES.pdf]: { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...v2ErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const { format, ...definition } = request.query;
      const report = await reports.build(principalOf(request), definition);
      const file = await reports.render(report, format);
      return reply
        .type(REPORT_MEDIA_TYPES[format])
        .header('content-disposition', `attachment; filename="${reportFileName(report, format)}"`)
        .header('cache-control', 'no-store')
        .send(file);
    },
  );
};
