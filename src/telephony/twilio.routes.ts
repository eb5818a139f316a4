import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { AppError } from '../errors.js';
import { problemResponse } from '../http/schemas.js';
import type { SmsService } from '../modules/sms/sms.service.js';
import { LegQuery, StepQuery, signedUrl } from './callback-urls.js';
import { CarrierForms, MessagingForms } from './carrier-params.js';
import type { CallbackKind, CarrierParams, TelephonyService } from './telephony.service.js';

const Xml = { description: 'TwiML', content: { 'text/xml': { schema: Type.String() } } };
const BadSignature = problemResponse('Invalid or missing X-Twilio-Signature');
/**
 * For the document: the signature is a carrier's credential (no bearer token), and carriers post
 * form fields only.
 */
const webhook = {
  tags: ['Telephony (Twilio dialect)'],
  security: [],
  consumes: ['application/x-www-form-urlencoded'],
};

export interface TwilioRoutesOptions {
  telephony: TelephonyService;
  /** texts to the tracking numbers and the progress of texts sent */
  sms: SmsService;
  authToken: string;
  publicBaseUrl: string;
}

/**
 * The carrier edge. Every request must carry a valid X-Twilio-Signature computed over the public
 * URL (PUBLIC_BASE_URL + path and query, so it holds behind a proxy) and the form fields;
 * anything else gets 403 and changes nothing.
 */
export const twilioRoutes: FastifyPluginAsyncTypebox<TwilioRoutesOptions> = async (
  app,
  { telephony, sms, authToken, publicBaseUrl },
) => {
  // Carriers post forms. A JSON body would be signed as if it were one (the check reads its
  // fields), so nothing else is parsed here: any other type is a 415.
  app.removeAllContentTypeParsers();
  await app.register(formbody);

  app.addHook('preValidation', async (request: FastifyRequest) => {
    const signature = request.headers['x-twilio-signature'];
    const params = (request.body ?? {}) as Record<string, string>;
    const url = signedUrl(publicBaseUrl, request.url);
    if (typeof signature !== 'string' || !twilio.validateRequest(authToken, signature, url, params)) {
      throw new AppError('FORBIDDEN', 'Invalid or missing X-Twilio-Signature');
    }
  });

  const xml = (reply: FastifyReply, twiml: string) => reply.type('text/xml').send(twiml);

  app.post(
    '/voice',
    {
      schema: {
        ...webhook,
        summary: 'Inbound call (the number’s voice URL)',
        operationId: 'twilioVoiceWebhook',
        body: CarrierForms.voice,
        response: { 200: Xml, 403: BadSignature },
      },
    },
    async (request, reply) => xml(reply, await telephony.voice(request.body as CarrierParams)),
  );

  for (const kind of ['gather', 'dial', 'record'] as const satisfies readonly CallbackKind[]) {
    const verb = kind === 'gather' ? 'Gather' : kind === 'dial' ? 'Dial' : 'Record';
    app.post(
      `/${kind}`,
      {
        schema: {
          ...webhook,
          summary: `Result of <${verb}>`,
          operationId: `twilio${verb}Webhook`,
          querystring: StepQuery,
          body: CarrierForms[kind],
          response: { 200: Xml, 403: BadSignature },
        },
      },
      async (request, reply) =>
        xml(reply, await telephony.callback(kind, request.query.s, request.body as CarrierParams)),
    );
  }

  app.post(
    '/whisper',
    {
      schema: {
        ...webhook,
        summary: 'Whisper and "press 1 to accept", run on the answering leg only (<Number url>)',
        operationId: 'twilioWhisperWebhook',
        querystring: LegQuery,
        body: CarrierForms.whisper,
        response: { 200: Xml, 403: BadSignature },
      },
    },
    async (request, reply) => xml(reply, await telephony.whisper(request.query.c, request.query.s)),
  );

  app.post(
    '/screen',
    {
      schema: {
        ...webhook,
        summary: 'The answering party’s key press on a screened leg: 1 accepts the call',
        operationId: 'twilioScreenWebhook',
        querystring: LegQuery,
        body: CarrierForms.screen,
        response: { 200: Xml, 403: BadSignature },
      },
    },
    async (request, reply) =>
      xml(reply, await telephony.screen(request.query.c, request.query.s, request.body as CarrierParams)),
  );

  app.post(
    '/status',
    {
      schema: {
        ...webhook,
        summary: 'Call progress and the end of the call (the number’s status callback)',
        operationId: 'twilioStatusWebhook',
        body: CarrierForms.status,
        response: { 200: Xml, 403: BadSignature },
      },
    },
    async (request, reply) => {
      await telephony.status(request.body as CarrierParams);
      return xml(reply, '<?xml version="1.0" encoding="UTF-8"?><Response/>');
    },
  );

  app.post(
    '/sms',
    {
      schema: {
        ...webhook,
        summary: 'Inbound text (the number’s messaging URL)',
        description:
          'Recorded once per MessageSid in the conversation of texter and number; STOP, START and HELP are answered with <Message>.',
        operationId: 'twilioSmsWebhook',
        body: MessagingForms.incoming,
        response: { 200: Xml, 403: BadSignature },
      },
    },
    async (request, reply) => xml(reply, await sms.receive(request.body as CarrierParams)),
  );

  app.post(
    '/sms/status',
    {
      schema: {
        ...webhook,
        summary: 'Progress of a text sent (its StatusCallback)',
        operationId: 'twilioSmsStatusWebhook',
        querystring: Type.Object({
          m: Type.Optional(Type.Integer({ minimum: 1, description: 'the message the callback is about' })),
        }),
        body: MessagingForms.status,
        response: { 200: Xml, 403: BadSignature },
      },
    },
    async (request, reply) => {
      await sms.status(request.body as CarrierParams, request.query.m);
      return xml(reply, '<?xml version="1.0" encoding="UTF-8"?><Response/>');
    },
  );
};
