import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principalOf } from '../../http/authenticate.js';
import { Envelope, IdQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import type { MultilevelIvrFlow } from '../../routing/flow-document.js';
import { BareEntryResults, CallFlowDocument, MultilevelIvrFlows } from './callflows.schemas.js';
import type { CallFlowsService } from './callflows.service.js';

const tags = ['Call Flow'];

const Version = Type.Object({
  version: Type.Integer(),
  document: Type.Object({}, { additionalProperties: true }),
  saved_at: Type.String(),
  saved_by: Type.Union([Type.Integer(), Type.Null()]),
});

export const callFlowRoutes: FastifyPluginAsyncTypebox<{ callFlows: CallFlowsService }> = async (
  app,
  { callFlows },
) => {
  app.post(
    '/callflow/multilevelivr',
    {
      schema: {
        tags,
        summary: 'Create Call Flows With Multilevel IVR',
        operationId: 'createMultilevelIvrCallFlows',
        description:
          'Creates (call_flow_id 0 or absent) or replaces call flows whose route is a multi-level IVR. Each entry is applied in its own transaction; the reply has one result per entry, in order, with the call_flow_id as a string.',
        body: MultilevelIvrFlows,
        response: { 200: BareEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callflow' },
    },
    async (request) => callFlows.saveMultilevelIvr(principalOf(request), request.body as MultilevelIvrFlow[]),
  );

  app.get(
    '/callflow',
    {
      schema: {
        tags,
        summary: 'Get Call Flow by ID',
        operationId: 'getCallFlow',
        querystring: IdQuery('The id of the call flow'),
        response: { 200: Envelope(CallFlowDocument), ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlows.get(principalOf(request), request.query.id)),
  );

  app.get(
    '/callflow/history',
    {
      schema: {
        tags,
        summary: 'List Call Flow Versions',
        operationId: 'listCallFlowVersions',
        description: 'Every saved version of a call flow, oldest first, as it was stored.',
        querystring: IdQuery('The id of the call flow'),
        response: { 200: Envelope(Type.Array(Version)), ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlows.history(principalOf(request), request.query.id)),
  );
};
