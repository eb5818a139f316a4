import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  ActionOutcomesEnvelope,
  ActionOutcomesQuery,
  BareEntryResults,
  CallActionDelete,
  CallActionDeleteEnvelope,
  CallActionEnvelope,
  CallActionListEnvelope,
  CallActionListQuery,
  CallActionLogEnvelope,
  CallActionQuery,
  CallActionUpdate,
  CallLogQuery,
  NewCallActions,
} from './callactions.schemas.js';
import type { CallActionsService } from './callactions.service.js';

const tags = ['Call Action'];

export const callActionRoutes: FastifyPluginAsyncTypebox<{ callActions: CallActionsService }> = async (
  app,
  { callActions },
) => {
  app.post(
    '/callaction',
    {
      schema: {
        tags,
        summary: 'Create Call Actions',
        operationId: 'createCallActions',
        description:
          'Post-call rules: when a call completes and its rules hold, the action runs once. Give call_flow_id to attach an action to a flow, or group_id (default: your group) for a group default, inherited by the flows of the groups below that have no actions of their own. Each entry in its own transaction; one result per entry with the new action_id.',
        body: NewCallActions,
        response: { 200: BareEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callaction' },
    },
    async (request) => callActions.create(principalOf(request), request.body),
  );

  app.put(
    '/callaction',
    {
      schema: {
        tags,
        summary: 'Update Call Action',
        operationId: 'updateCallAction',
        description:
          'Changes the fields given; rules, when given, replace the whole list. The call flow or group an action belongs to does not change.',
        body: CallActionUpdate,
        response: { 200: CallActionEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callaction' },
    },
    async (request) => success(await callActions.update(principalOf(request), request.body)),
  );

  app.get(
    '/callaction',
    {
      schema: {
        tags,
        summary: 'Get Call Action by ID',
        operationId: 'getCallAction',
        querystring: CallActionQuery,
        response: { 200: CallActionEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await callActions.get(principalOf(request), request.query.id)),
  );

  app.get(
    '/callaction/list',
    {
      schema: {
        tags,
        summary: 'List Call Actions',
        operationId: 'listCallActions',
        description: 'The actions of your groups (flow actions and group defaults), deleted ones left out.',
        querystring: CallActionListQuery,
        response: { 200: CallActionListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await callActions.list(principalOf(request), request.query)),
  );

  app.delete(
    '/callaction',
    {
      schema: {
        tags,
        summary: 'Delete Call Actions',
        operationId: 'deleteCallActions',
        description: 'Soft delete, all or nothing; the execution log keeps the action.',
        body: CallActionDelete,
        response: { 200: CallActionDeleteEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callaction' },
    },
    async (request) => success(await callActions.remove(principalOf(request), request.body.action_id)),
  );

  app.get(
    '/callaction/outcomes',
    {
      schema: {
        tags,
        summary: 'List Outcomes of a Call Action',
        operationId: 'listCallActionOutcomes',
        description:
          'What one action did on its latest calls, newest first: succeeded, failed, skipped, not matched or running, with the outcome text. A missing or out-of-scope action -> 404 `No record found`.',
        querystring: ActionOutcomesQuery,
        response: { 200: ActionOutcomesEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) =>
      success(await callActions.outcomes(principalOf(request), request.query.id, request.query.limit ?? 20)),
  );

  app.get(
    '/callaction/log',
    {
      schema: {
        tags,
        summary: 'List Call Action Results for a Call',
        operationId: 'listCallActionResults',
        description:
          "What each call action did for the call (succeeded, failed, skipped, not matched) and the flow's e-mail notification.",
        querystring: CallLogQuery,
        response: { 200: CallActionLogEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await callActions.log(principalOf(request), request.query.id)),
  );
};
