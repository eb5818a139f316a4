import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import { CallDataEmail, CallDataEmailEnvelope } from './email.schemas.js';
import type { EmailService } from './email.service.js';

export const emailRoutes: FastifyPluginAsyncTypebox<{ email: EmailService }> = async (app, { email }) => {
  app.post(
    '/email/calldata',
    {
      schema: {
        tags: ['Email'],
        summary: 'Send Call Data Email',
        operationId: 'sendCallDataEmail',
        description:
          "E-mails a call's record (JSON, or XML with return_type 'xml') to the given addresses and answers with the SMTP server's reply. 503 when e-mail is not configured or the server fails.",
        body: CallDataEmail,
        response: { 200: CallDataEmailEnvelope, ...v2ErrorResponses },
      },
      // Sends mail but changes nothing, so ReadOnly users may call it.
      config: { v2BodyName: 'calldata', isReadOnly: true },
    },
    async (request) => success(await email.sendCallData(principalOf(request), request.body)),
  );
};
