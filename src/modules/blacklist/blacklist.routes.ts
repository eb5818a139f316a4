import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  BlacklistAddEnvelope,
  BlacklistDelete,
  BlacklistDeleteEnvelope,
  BlacklistEntry,
  BlacklistListEnvelope,
  BlacklistQuery,
} from './blacklist.schemas.js';
import type { BlacklistService } from './blacklist.service.js';

const tags = ['Blacklist'];

export const blacklistRoutes: FastifyPluginAsyncTypebox<{ blacklist: BlacklistService }> = async (
  app,
  { blacklist },
) => {
  app.get(
    '/blacklistednumber',
    {
      schema: {
        tags,
        summary: 'List Blacklisted Numbers',
        operationId: 'listBlacklistedNumbers',
        description:
          'Numbers blacklisted for your group and the groups below it; "No record found." when none match.',
        querystring: BlacklistQuery,
        response: { 200: BlacklistListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await blacklist.list(principalOf(request), request.query)),
  );

  app.post(
    '/blacklistednumber',
    {
      schema: {
        tags,
        summary: 'Add Number To Blacklist',
        operationId: 'addNumberToBlacklist',
        description:
          'Blocks the caller on every call flow of your group and the groups below it, from the next call on.',
        body: BlacklistEntry,
        response: { 200: BlacklistAddEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'blacklistednumber' },
    },
    async (request) => success(await blacklist.add(principalOf(request), request.body.number)),
  );

  app.delete(
    '/blacklistednumber',
    {
      schema: {
        tags,
        summary: 'Delete Blacklisted Numbers',
        operationId: 'deleteBlacklistedNumbers',
        description:
          "Lifts the numbers for your group and the groups below it (an entry made above your group stays: it protects that group's other branches too); all or nothing.",
        body: BlacklistDelete,
        response: { 200: BlacklistDeleteEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'blacklistednumber' },
    },
    async (request) => success(await blacklist.remove(principalOf(request), request.body.number)),
  );
};
