import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  ActiveFlowListEnvelope,
  CallListEnvelope,
  GroupActiveFlowQuery,
  GroupCallLogQuery,
} from './calls.schemas.js';
import type { CallsService } from './calls.service.js';

const tags = ['Group'];

/** The Group endpoints that read calls and call flows. */
export const groupCallRoutes: FastifyPluginAsyncTypebox<{ calls: CallsService }> = async (app, { calls }) => {
  app.get(
    '/group/calllog',
    {
      schema: {
        tags,
        summary: 'List Group Call Logs',
        operationId: 'listGroupCallLogs',
        description:
          'Calls of the group `id` and the groups below it, newest first, as List Calls shows them; a group outside your scope -> "No record found".',
        querystring: GroupCallLogQuery,
        response: { 200: CallListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await calls.groupCallLog(principalOf(request), request.query)),
  );

  app.get(
    '/group/activecallflow',
    {
      schema: {
        tags,
        summary: 'List Active Call Flows',
        operationId: 'listActiveCallFlows',
        description:
          'Active call flows of the group `id` and the groups below it, with their calls in progress and latest call.',
        querystring: GroupActiveFlowQuery,
        response: { 200: ActiveFlowListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await calls.activeFlows(principalOf(request), request.query)),
  );
};
