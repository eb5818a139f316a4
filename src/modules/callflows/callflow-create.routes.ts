import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { v2ErrorResponses } from '../../http/schemas.js';
import { NestedEntryResults } from '../groups/groups.schemas.js';
import { nestedResults } from '../shared/entries.js';
import { CallFlowEntries, OutboundFlowEntries } from './callflow-create.schemas.js';
import type { CallFlowsService } from './callflows.service.js';

const tags = ['Call Flow'];

export const callFlowCreateRoutes: FastifyPluginAsyncTypebox<{ callFlows: CallFlowsService }> = async (
  app,
  { callFlows },
) => {
  app.post(
    '/callflow',
    {
      schema: {
        tags,
        summary: 'Create Call Flows (also update)',
        operationId: 'createCallFlows',
        description:
          'Creates call flows (call_flow_id 0 or absent) or replaces them (call_flow_id of a flow), for every route type: `routable_type` is simple, ivr, geo, percentage, schedule, outbound, voicemail or hangup. Each entry is applied in its own transaction; `data` holds one result per entry, in order, with the call_flow_id or the reason it failed.',
        body: CallFlowEntries,
        response: { 200: NestedEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callflow' },
    },
    async (request) => nestedResults(await callFlows.save(principalOf(request), request.body)),
  );

  app.post(
    '/callflow/outbound',
    {
      schema: {
        tags,
        summary: 'Create Call Flow Outbound',
        operationId: 'createOutboundCallFlow',
        description:
          'POST /v2/callflow for outbound routes: callers who key in `outboundData.pin` dial out, shown as `outboundData.callerid` (the dialled tracking number when left out). The PIN is never returned.',
        body: OutboundFlowEntries,
        response: { 200: NestedEntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callflow' },
    },
    async (request) => nestedResults(await callFlows.saveOutbound(principalOf(request), request.body)),
  );
};
