import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { IdQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import {
  CallFlowCustomSourceSlotsEnvelope,
  CallFlowCustomSourcesDelete,
  CallFlowCustomSourcesEntries,
  CallFlowCustomSourcesMessageEnvelope,
} from './callflow-customsources.schemas.js';
import type { CallFlowCustomSourcesService } from './callflow-customsources.service.js';

const tags = ['Call Flow'];

export const callFlowCustomSourceRoutes: FastifyPluginAsyncTypebox<{
  callFlowCustomSources: CallFlowCustomSourcesService;
}> = async (app, { callFlowCustomSources }) => {
  app.get(
    '/callflow/customsources',
    {
      schema: {
        tags,
        summary: 'List Call Flow Custom Sources',
        operationId: 'listCallFlowCustomSources',
        description:
          'The custom source in each used slot, keyed `custom_source_type_1` .. `_5`; `{}` when none.',
        querystring: IdQuery('The id of the call flow'),
        response: { 200: CallFlowCustomSourceSlotsEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowCustomSources.get(principalOf(request), request.query.id)),
  );

  app.post(
    '/callflow/customsources',
    {
      schema: {
        tags,
        summary: 'Create Call Flow Custom Source',
        operationId: 'createCallFlowCustomSource',
        description:
          'Puts custom sources in the given slots of each call flow (other slots keep theirs); all entries or none.',
        body: CallFlowCustomSourcesEntries,
        response: { 200: CallFlowCustomSourcesMessageEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callflowcustomsources' },
    },
    async (request) => success(await callFlowCustomSources.add(principalOf(request), request.body)),
  );

  app.delete(
    '/callflow/customsources',
    {
      schema: {
        tags,
        summary: 'Delete Call Flow Custom Source',
        operationId: 'deleteCallFlowCustomSource',
        description: 'Empties the given slots of each call flow; all entries or none.',
        body: CallFlowCustomSourcesDelete,
        response: { 200: CallFlowCustomSourcesMessageEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'CallflowCustomSourceDelete' },
    },
    async (request) => success(await callFlowCustomSources.remove(principalOf(request), request.body)),
  );
};
