import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principalOf } from '../../http/authenticate.js';
import { IdQuery, ListQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import { GroupListEnvelope, NestedEntryResults } from '../groups/groups.schemas.js';
import { nestedResults } from '../shared/entries.js';
import { PermissionsEnvelope, PermissionsUpdates, UserEntries, UserUpdates } from './users.schemas.js';
import type { UsersService } from './users.service.js';

export const userRoutes: FastifyPluginAsyncTypebox<{ users: UsersService }> = async (app, { users }) => {
  app.post(
    '/group/user',
    {
      schema: {
        tags: ['Group'],
        summary: 'Create User in Group',
        operationId: 'createGroupUser',
        description:
          'Admin only. Creates users in groups you can access; one result per entry (`data` = ct_user_id).',
        body: UserEntries,
        response: { 200: NestedEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'user' },
    },
    async (request) => nestedResults(await users.create(principalOf(request), request.body)),
  );

  app.put(
    '/group/user',
    {
      schema: {
        tags: ['Group'],
        summary: 'Update Group User',
        operationId: 'updateGroupUser',
        description: 'Admin only. Changes the given fields of each user; one result per entry.',
        body: UserUpdates,
        response: { 200: NestedEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'user' },
    },
    async (request) => nestedResults(await users.update(principalOf(request), request.body)),
  );

  app.get(
    '/user/permissions',
    {
      schema: {
        tags: ['User Permissions'],
        summary: 'Get User Permissions',
        operationId: 'getUserPermissions',
        querystring: IdQuery('The ct_user_id of the user'),
        response: { 200: PermissionsEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await users.getPermissions(principalOf(request), request.query.id)),
  );

  app.put(
    '/user/permissions',
    {
      schema: {
        tags: ['User Permissions'],
        summary: 'Update User Permissions',
        operationId: 'updateUserPermissions',
        description: 'Admin only. Sets role and audio access; one result per entry.',
        body: PermissionsUpdates,
        response: { 200: NestedEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'permissions' },
    },
    async (request) => nestedResults(await users.updatePermissions(principalOf(request), request.body)),
  );

  app.get(
    '/user/allowedgroups',
    {
      schema: {
        tags: ['User Permissions'],
        summary: 'List Allowed Groups',
        operationId: 'listAllowedGroups',
        description: "The groups a user may access: the user's group and every group below it.",
        querystring: Type.Composite([IdQuery('The ct_user_id of the user'), ListQuery]),
        response: { 200: GroupListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) =>
      success(await users.allowedGroups(principalOf(request), request.query.id, request.query)),
  );
};
