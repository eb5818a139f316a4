import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principalOf } from '../../http/authenticate.js';
import { Envelope, MAX_ID, PhoneInput, StringEnum, success, v2ErrorResponses } from '../../http/schemas.js';
import type { SimulateService } from './simulate.service.js';

const SimulateBody = Type.Object(
  {
    call_flow_id: Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'The call flow to run' }),
    from: Type.Optional(PhoneInput('the caller (default 2125550100)')),
    press: Type.Optional(
      Type.Array(Type.String({ pattern: '^[0-9*#]{0,16}$' }), {
        maxItems: 50,
        description:
          'keys at successive prompts: one key at a menu, several for a ZIP code, a PIN or a number to dial; "" = no input',
      }),
    ),
    at: Type.Optional(
      Type.String({ format: 'date-time', description: 'when the call happens (default now)' }),
    ),
    answer: Type.Optional(
      Type.String({ description: '"first" (default), "none", or the 10-digit number that answers' }),
    ),
    from_state: Type.Optional(Type.String({ maxLength: 2 })),
    from_zip: Type.Optional(Type.String({ pattern: '^[0-9]{5}$' })),
  },
  { additionalProperties: false },
);

const PathStep = Type.Object({
  kind: StringEnum([
    'hear',
    'press',
    'silence',
    'ring',
    'answered',
    'no-answer',
    'whisper',
    'voicemail',
    'hangup',
  ]),
  detail: Type.String(),
});

export const simulateRoutes: FastifyPluginAsyncTypebox<{ simulate: SimulateService }> = async (
  app,
  { simulate },
) => {
  app.post(
    '/callflow/simulate',
    {
      schema: {
        tags: ['Call Flow'],
        summary: 'Simulate a Call (dry run)',
        operationId: 'simulateCall',
        description:
          'Runs the call flow as the routing runtime would for the given caller, keys, time and answering leg, and returns the path; no call is created and no number is dialled.',
        body: SimulateBody,
        response: {
          200: Envelope(
            Type.Object({
              steps: Type.Array(PathStep),
              keyPath: Type.String(),
              trail: Type.Array(Type.String()),
              outcome: Type.String(),
            }),
          ),
          ...v2ErrorResponses,
        },
      },
      config: { v2BodyName: 'simulate', isReadOnly: true },
    },
    async (request) => success(await simulate.simulate(principalOf(request), request.body)),
  );
};
