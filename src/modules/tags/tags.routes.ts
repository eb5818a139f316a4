import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  TagCreate,
  TagCreateEnvelope,
  TagDelete,
  TagDeleteEnvelope,
  TagListEnvelope,
  TagQuery,
} from './tags.schemas.js';
import type { TagsService } from './tags.service.js';

const tags = ['Tag'];

export const tagRoutes: FastifyPluginAsyncTypebox<{ tagsService: TagsService }> = async (
  app,
  { tagsService },
) => {
  app.get(
    '/tag',
    {
      schema: {
        tags,
        summary: 'List Tags',
        operationId: 'listTags',
        description:
          'Live tags of your group and the groups below it (deleted ones when the filter names `tag_active`); "No data found" when none match.',
        querystring: TagQuery,
        response: { 200: TagListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await tagsService.list(principalOf(request), request.query)),
  );

  app.post(
    '/tag',
    {
      schema: {
        tags,
        summary: 'Create Tags',
        operationId: 'createTags',
        description:
          "Creates tags in a group of your scope (default: yours), all or nothing; a name the group already sees, its own or a group's above it, whatever the case, is reused. `data` = the tags.",
        body: TagCreate,
        response: { 200: TagCreateEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'tag' },
    },
    async (request) =>
      success(await tagsService.create(principalOf(request), request.body.tag_name, request.body.group_id)),
  );

  app.delete(
    '/tag',
    {
      schema: {
        tags,
        summary: 'Delete Tags',
        operationId: 'deleteTags',
        description: 'Soft-deletes the tags; all or nothing.',
        body: TagDelete,
        response: { 200: TagDeleteEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'tag' },
    },
    async (request) => success(await tagsService.remove(principalOf(request), request.body.tag_id)),
  );
};
