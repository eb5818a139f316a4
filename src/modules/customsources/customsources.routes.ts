import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  CustomSourceDelete,
  CustomSourceEntries,
  CustomSourceListEnvelope,
  CustomSourceQuery,
  MessageEnvelope,
} from './customsources.schemas.js';
import type { CustomSourcesService } from './customsources.service.js';

const tags = ['Custom Source'];

export const customSourceRoutes: FastifyPluginAsyncTypebox<{ customSources: CustomSourcesService }> = async (
  app,
  { customSources },
) => {
  app.get(
    '/customsource',
    {
      schema: {
        tags,
        summary: 'Get Custom Sources by Group',
        operationId: 'getCustomSourcesByGroup',
        description:
          'The live custom sources of the group `ouId`, of the groups above it (inherited) and of those below it, by id. Filter fields: `custom_source_id`, `custom_source_name`, `org_unit_id`.',
        querystring: CustomSourceQuery,
        response: { 200: CustomSourceListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await customSources.list(principalOf(request), request.query)),
  );

  app.post(
    '/customsource',
    {
      schema: {
        tags,
        summary: 'Create Custom Source',
        operationId: 'createCustomSource',
        description:
          'Creates all the entries or none. `data` names the new ids: "Successfully created custom_sources [77, 78]".',
        body: CustomSourceEntries,
        response: { 200: MessageEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'customSource' },
    },
    async (request) => success(await customSources.create(principalOf(request), request.body)),
  );

  app.delete(
    '/customsource',
    {
      schema: {
        tags,
        summary: 'Delete Custom Source',
        operationId: 'deleteCustomSource',
        description:
          'Soft-deletes all the given custom sources or none; they leave every call flow. Only custom sources of your group or a group below it.',
        body: CustomSourceDelete,
        response: { 200: MessageEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'customSource' },
    },
    async (request) => success(await customSources.remove(principalOf(request), request.body.custom_sources)),
  );
};
