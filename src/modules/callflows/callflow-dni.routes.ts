import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { Envelope, IdQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import { DniClassesEnvelope, DniEntries, DniEntry, DniResults } from './callflow-dni.schemas.js';
import type { CallFlowDniService } from './callflow-dni.service.js';

const tags = ['Call Flow'];

export const callFlowDniRoutes: FastifyPluginAsyncTypebox<{ callFlowDni: CallFlowDniService }> = async (
  app,
  { callFlowDni },
) => {
  app.post(
    '/callflow/dni',
    {
      schema: {
        tags,
        summary: 'Create Call Flow DNI Settings',
        operationId: 'createCallFlowDniSettings',
        description:
          'Sets the DNI settings of call flows: one setting per flow, a new one replaces it. Each entry is applied in its own transaction; `data` has one `{result, entry_count}` per entry, with the reason in `data` when it failed.',
        body: DniEntries,
        response: { 200: DniResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'dni' },
    },
    async (request) => success(await callFlowDni.save(principalOf(request), request.body)),
  );

  app.get(
    '/callflow/dniclass',
    {
      schema: {
        tags,
        summary: 'List DNI Classes With Call Flow',
        operationId: 'listDniClassesWithCallFlow',
        description: 'The HTML classes whose numbers the call flow swaps.',
        querystring: IdQuery('The id of the call flow'),
        response: { 200: DniClassesEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowDni.classes(principalOf(request), request.query.id)),
  );

  app.get(
    '/callflow/dnisetting',
    {
      schema: {
        tags,
        summary: 'Get Call Flow DNI Setting',
        operationId: 'getCallFlowDniSetting',
        description:
          "The call flow's DNI setting in the shape Create Call Flow DNI Settings takes: what the console's builder edits. No setting, or a flow that does not exist: 404 as for List DNI Classes With Call Flow.",
        querystring: IdQuery('The id of the call flow'),
        response: { 200: Envelope(DniEntry), ...v2ErrorResponses },
      },
    },
    async (request) => success(await callFlowDni.setting(principalOf(request), request.query.id)),
  );
};
