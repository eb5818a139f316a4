import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { IdQuery, ListQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import { nestedResults } from '../shared/entries.js';
import {
  GroupEntries,
  GroupEnvelope,
  GroupListEnvelope,
  GroupUsersListEnvelope,
  NestedEntryResults,
} from './groups.schemas.js';
import type { GroupsService } from './groups.service.js';

const tags = ['Group'];

export const groupRoutes: FastifyPluginAsyncTypebox<{ groups: GroupsService }> = async (app, { groups }) => {
  app.get(
    '/group',
    {
      schema: {
        tags,
        summary: 'Get Group by ID',
        operationId: 'getGroup',
        querystring: IdQuery('The id of the group'),
        response: { 200: GroupEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await groups.get(principalOf(request), request.query.id)),
  );

  app.get(
    '/group/list',
    {
      schema: {
        tags,
        summary: 'List Groups',
        operationId: 'listGroups',
        description: "The caller's group and every group below it.",
        querystring: ListQuery,
        response: { 200: GroupListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await groups.list(principalOf(request), request.query)),
  );

  app.post(
    '/group',
    {
      schema: {
        tags,
        summary: 'Create Group',
        operationId: 'createGroup',
        description: 'Creates groups (or updates them when `group_id` is given); one result per entry.',
        body: GroupEntries,
        response: { 200: NestedEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'group' },
    },
    async (request) => nestedResults(await groups.save(principalOf(request), request.body)),
  );

  app.get(
    '/group/user',
    {
      schema: {
        tags,
        summary: 'List Groups With Users',
        operationId: 'listGroupsWithUsers',
        querystring: ListQuery,
        response: { 200: GroupUsersListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await groups.listWithUsers(principalOf(request), request.query)),
  );
};
