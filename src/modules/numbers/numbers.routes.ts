import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { ListQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import { NestedEntryResults } from '../groups/groups.schemas.js';
import { nestedResults } from '../shared/entries.js';
import {
  AvailableNumberListEnvelope,
  BackupEntries,
  NumberSearchQuery,
  ReleaseEntries,
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
          'Available numbers in the inventory, lowest first, then (with a carrier account configured) the numbers the carrier offers, with `phone_number_id` null: reserving one buys it. Criteria combine with AND; an empty result is `data: []`.',
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
          "Reserves each number for the caller's group, if it is still available; one result per entry (`data` = phone_number_id, or the reason it failed). With a carrier account configured, a number the inventory does not hold is bought from the carrier with its webhooks pointing at this server.",
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

  app.post(
    '/number/release',
    {
      schema: {
        tags,
        summary: 'Release Phone Number',
        operationId: 'releasePhoneNumber',
        description:
          "Our extension. Gives each reserved number of the caller's subtree back: one bought from the carrier to the carrier, for good; any other to the inventory. A number in a live call flow is refused, and nothing happens without `confirm: true`. One result per entry (`data` = phone_number_id, or the reason).",
        body: ReleaseEntries,
        response: { 200: NestedEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'number' },
    },
    async (request) => nestedResults(await numbers.release(principalOf(request), request.body)),
  );

  app.put(
    '/number/backup',
    {
      schema: {
        tags,
        summary: 'Set Backup Number',
        operationId: 'setBackupNumbers',
        description:
          'Our extension. The number the carrier rings when this server cannot be reached or answers an error (the fail-safe); for a number bought from the carrier, its fallback URL is set at the carrier at once. `backup_number: null` clears it. One result per entry.',
        body: BackupEntries,
        response: { 200: NestedEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'number' },
    },
    async (request) => nestedResults(await numbers.setBackup(principalOf(request), request.body)),
  );
};
