import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { ListQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import { NestedEntryResults } from '../groups/groups.schemas.js';
import { nestedResults } from '../shared/entries.js';
import {
  AvailableNumberListEnvelope,
  NumberSearchQuery,
  ReservedNumberListEnvelope,
  ReserveEntries,
} from './numbers.schemas.js';
import type { NumbersService } from './numbers.service.js';

const tags = ['Number'];

export const numberRoutes: FastifyPluginAsyncTypebox<{ numbers: NumbersService }> = async (
  app,
  { numbers },
) => {
  app.get(
    '/number/search',
    {
      schema: {
        tags,
        summary: 'Search Phone Numbers',
        operationId: 'searchPhoneNumbers',
        description:
          'Available numbers in the inventory, lowest first. Criteria combine with AND; an empty result is `data: []`.',
        querystring: NumberSearchQuery,
        response: { 200: AvailableNumberListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await numbers.search(principalOf(request), request.query)),
  );

  app.post(
    '/number/reserve',
    {
      schema: {
        tags,
        summary: 'Reserve Phone Number',
        operationId: 'reservePhoneNumber',
        description:
          "Reserves each number for the caller's group, if it is still available; one result per entry (`data` = phone_number_id, or the reason it failed).",
        body: ReserveEntries,
        response: { 200: NestedEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'number' },
    },
    async (request) => nestedResults(await numbers.reserve(principalOf(request), request.body)),
  );

  app.get(
    '/number/reserved',
    {
      schema: {
        tags,
        summary: 'Search Reserved Numbers',
        operationId: 'searchReservedNumbers',
        description: "Numbers reserved by the caller's group or any group below it.",
        querystring: ListQuery,
        response: { 200: ReservedNumberListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await numbers.listReserved(principalOf(request), request.query)),
  );
};
