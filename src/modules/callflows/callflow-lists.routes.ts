import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principalOf } from '../../http/authenticate.js';
import { Envelope, ListQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import { nestedResults } from '../shared/entries.js';
import {
  CallFlowCounts,
  CallFlowDelete,
  CallFlowWithActions,
  CallFlowWithDni,
  CallFlowWithLocation,
  CallFlowWithNumbers,
  CallFlowWithRecording,
  CallFlowWithRoute,
  CampaignFlowsQuery,
  CountQuery,
  DeletedCallFlowsEnvelope,
  NestedEntryResults,
  PoolNumberRemovals,
  SummaryListEnvelope,
} from './callflow-lists.schemas.js';
import type { CallFlowListsService } from './callflow-lists.service.js';

const tags = ['Call Flow'];

const LIST_NOTE =
  "Call flows of the caller's group and every group below it, by id; deleted ones only when the filter names call_flow_status.";

export const callFlowListRoutes: FastifyPluginAsyncTypebox<{ callFlowLists: CallFlowListsService }> = async (
  app,
  { callFlowLists },
) => {
  app.delete(
    '/callflow',
    {
      schema: {
        tags,
        summary: 'Delete Call Flow',
        operationId: 'deleteCallFlow',
        description:
          'Soft delete, all or nothing: the flows get status `deleted` and a new version, stop routing and leave the lists (see List Deleted Call Flows); their tracking numbers stay with their groups as reserved and pool numbers return to the inventory.',
        body: CallFlowDelete,
        response: { 200: DeletedCallFlowsEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callflow' },
    },
    async (request) => success(await callFlowLists.remove(principalOf(request), request.body.call_flow_id)),
  );

  app.get(
    '/callflow/list',
    {
      schema: {
        tags,
        summary: 'List Call Flows',
        operationId: 'listCallFlows',
        description: LIST_NOTE,
        querystring: ListQuery,
        response: { 200: SummaryListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowLists.list(principalOf(request), request.query)),
  );

  app.get(
    '/callflow/campaign',
    {
      schema: {
        tags,
        summary: 'List Call Flows by Campaign',
        operationId: 'listCallFlowsByCampaign',
        description: `The call flows of one campaign. ${LIST_NOTE}`,
        querystring: CampaignFlowsQuery,
        response: { 200: SummaryListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => {
      const { id, ...query } = request.query;
      return success(await callFlowLists.listByCampaign(principalOf(request), id, query));
    },
  );

  app.get(
    '/callflow/deleted',
    {
      schema: {
        tags,
        summary: 'List Deleted Call Flows',
        operationId: 'listDeletedCallFlows',
        querystring: ListQuery,
        response: { 200: SummaryListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowLists.listDeleted(principalOf(request), request.query)),
  );

  app.get(
    '/callflow/route',
    {
      schema: {
        tags,
        summary: 'List Call Flows With Routes',
        operationId: 'listCallFlowsWithRoutes',
        description: `Each row carries its stored route document (message, ivrs with their ivrData, geoData and scheduleRoute). ${LIST_NOTE}`,
        querystring: ListQuery,
        response: { 200: Envelope(Type.Array(CallFlowWithRoute)), ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowLists.listWithRoutes(principalOf(request), request.query)),
  );

  app.get(
    '/callflow/location',
    {
      schema: {
        tags,
        summary: 'List Call Flows With Location',
        operationId: 'listCallFlowsWithLocation',
        description: `GeoRoute flows and flows with a geo option, each with the locations it routes to (those in the caller's groups). ${LIST_NOTE}`,
        querystring: ListQuery,
        response: { 200: Envelope(Type.Array(CallFlowWithLocation)), ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowLists.listWithLocation(principalOf(request), request.query)),
  );

  app.get(
    '/callflow/number',
    {
      schema: {
        tags,
        summary: 'List Call Flows With Numbers',
        operationId: 'listCallFlowsWithNumbers',
        description: `Each flow with its tracking number, or every number of its pool. ${LIST_NOTE}`,
        querystring: ListQuery,
        response: { 200: Envelope(Type.Array(CallFlowWithNumbers)), ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowLists.listWithNumbers(principalOf(request), request.query)),
  );

  app.get(
    '/callflow/recording',
    {
      schema: {
        tags,
        summary: 'List Call Flows With Recording',
        operationId: 'listCallFlowsWithRecording',
        description:
          'Live flows that record a call starting now: `record_enabled` true on the flow or on any option at any depth (unless a `record_until` has passed), or a `record_until` still ahead. Filter fields: call_flow_id, call_flow_name, group_id.',
        querystring: ListQuery,
        response: { 200: Envelope(Type.Array(CallFlowWithRecording)), ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowLists.listWithRecording(principalOf(request), request.query)),
  );

  app.get(
    '/callflow/action',
    {
      schema: {
        tags,
        summary: 'List Call Flows With Actions',
        operationId: 'listCallFlowsWithActions',
        description: `Each flow with its call actions (none until call actions exist). ${LIST_NOTE}`,
        querystring: ListQuery,
        response: { 200: Envelope(Type.Array(CallFlowWithActions)), ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowLists.listWithActions(principalOf(request), request.query)),
  );

  app.get(
    '/callflow/dni',
    {
      schema: {
        tags,
        summary: 'List Call Flows With DNI',
        operationId: 'listCallFlowsWithDni',
        description: `Flows on a number pool, with the pool settings and its numbers. ${LIST_NOTE}`,
        querystring: ListQuery,
        response: { 200: Envelope(Type.Array(CallFlowWithDni)), ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowLists.listWithDni(principalOf(request), request.query)),
  );

  app.get(
    '/callflow/count',
    {
      schema: {
        tags,
        summary: 'List Call Flows With Count',
        operationId: 'listCallFlowsWithCount',
        description:
          "Counts of the caller's call flows: per status (deleted included), and in total and per route type for the flows List Call Flows would show with the same filter.",
        querystring: CountQuery,
        response: { 200: Envelope(CallFlowCounts), ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowLists.count(principalOf(request), request.query.filter)),
  );

  app.delete(
    '/callflow/pool/number',
    {
      schema: {
        tags,
        summary: 'Remove Number From Route Pool',
        operationId: 'removeNumberFromRoutePool',
        description:
          "Takes numbers out of call flows' pools, back to the inventory as available; a pool keeps at least one number. One result per entry, each in its own transaction; `data` is the phone_number_id.",
        body: PoolNumberRemovals,
        response: { 200: NestedEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callflowpoolnumber' },
    },
    async (request) =>
      nestedResults(await callFlowLists.removePoolNumbers(principalOf(request), request.body)),
  );
};
