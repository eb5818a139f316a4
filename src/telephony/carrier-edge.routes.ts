import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { problemResponse } from '../http/schemas.js';
import { JsonTooDeepError, MAX_JSON_DEPTH, nestsDeeperThan } from '../http/text-guard.js';
import type { SmsService } from '../modules/sms/sms.service.js';
import { legQueryOf, StepQuery, signedUrl } from './callback-urls.js';
import {
  type CarrierIds,
  type CarrierName,
  carrierFormsOf,
  messagingFormsOf,
  SIGNALWIRE_MESSAGE_STATUSES,
} from './carrier-params.js';
import { lamlStatus } from './carrier-texts.js';
import type { CallbackKind, CarrierParams, TelephonyService } from './telephony.service.js';
import { TelnyxMessagingEvent, telnyxInbound, telnyxProgress } from './telnyx-messaging.js';

/**
 * The carrier edge of SignalWire (LaML) and Telnyx (TeXML): the routes Twilio's edge has
 * (twilio.routes.ts), answered by the same engine with the same TwiML, behind each carrier's own
 * signature check and with its ids. The raw body is kept for the check (Telnyx signs the bytes);
 * Telnyx may post JSON as well as forms, whose values are read as strings.
 */

/** A webhook as its signature check sees it. */
export interface SignedWebhook {
  /** the public URL the carrier posted to (PUBLIC_BASE_URL + path and query) */
  url: string;
  headers: FastifyRequest['headers'];
  /** the form fields in the order sent (none for a JSON body) */
  fields: [string, string][];
  rawBody: string;
}

/** Undefined when the request is the carrier's; otherwise why not, for the 403. */
export type WebhookCheck = (webhook: SignedWebhook) => string | undefined;

export interface CarrierEdgeOptions {
  carrier: Exclude<CarrierName, 'twilio'>;
  /** the tag of the routes in the API document */
  tag: string;
  telephony: TelephonyService;
  /** texts: the number's messaging URL (/sms) and the progress of texts sent (/sms/status) */
  sms?: SmsService | undefined;
  /**
   * how texts are posted: `laml` (Twilio's forms, answered with <Message>: SignalWire) or
   * `telnyx` (Telnyx's JSON messaging events, whose answer Telnyx ignores)
   */
  messaging?: 'laml' | 'telnyx';
  publicBaseUrl: string;
  ids: CarrierIds;
  check: WebhookCheck;
  /** the header the check reads, for the 403's description */
  signatureHeader: string;
  /** the carrier's fields under Twilio's names, where its dialect differs */
  normalize?: (params: CarrierParams) => CarrierParams;
  /** whether JSON bodies are taken (Telnyx), besides forms */
  acceptsJson?: boolean;
}

interface RawBodies {
  raw: string;
  fields: [string, string][];
}

/** A JSON webhook body's top-level fields as strings (numbers and booleans as written). */
function jsonFields(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError('INVALID_INPUT', 'The webhook body must be a JSON object');
  }
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed)) {
    fields[name] = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  }
  return fields;
}

/** Form fields as an object; a name sent twice keeps both values (and fails the schema). */
function formObject(fields: readonly [string, string][]): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  for (const [name, value] of fields) {
    const before = body[name];
    body[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
  }
  return body;
}

export const carrierEdgeRoutes: FastifyPluginAsyncTypebox<CarrierEdgeOptions> = async (app, options) => {
  const { carrier, telephony, sms, publicBaseUrl, check, normalize = (params) => params } = options;
  const raw = new WeakMap<FastifyRequest, RawBodies>();

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (request, body, done) => {
      const text = body as string;
      const fields = [...new URLSearchParams(text)];
      raw.set(request, { raw: text, fields });
      done(null, formObject(fields));
    },
  );
  if (options.acceptsJson) {
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = body as string;
      // refused before it is parsed, as every JSON body is (text-guard.ts): what reads it after
      // (the NUL check, the schemas) walks it recursively
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return done(new JsonTooDeepError(), undefined);
      raw.set(request, { raw: text, fields: [] });
      try {
        done(null, jsonFields(text));
      } catch (error) {
        done(error instanceof AppError ? error : new AppError('INVALID_INPUT', 'The body is not valid JSON'));
      }
    });
  }

  app.addHook('preValidation', async (request: FastifyRequest) => {
    const body = raw.get(request) ?? { raw: '', fields: [] };
    const refusal = check({
      url: signedUrl(publicBaseUrl, request.url),
      headers: request.headers,
      fields: body.fields,
      rawBody: body.raw,
    });
    if (refusal !== undefined) throw new AppError('FORBIDDEN', refusal);
  });

  const Xml = { description: 'TwiML', content: { 'text/xml': { schema: Type.String() } } };
  const BadSignature = problemResponse(`Invalid, missing or stale ${options.signatureHeader}`);
  const webhook = {
    tags: [options.tag],
    security: [],
    consumes: options.acceptsJson
      ? ['application/x-www-form-urlencoded', 'application/json']
      : ['application/x-www-form-urlencoded'],
  };
  const forms = carrierFormsOf(options.ids);
  const LegQuery = legQueryOf(options.ids.callSid);
  const xml = (reply: FastifyReply, twiml: string) => reply.type('text/xml').send(twiml);
  const params = (request: FastifyRequest) => normalize(request.body as CarrierParams);
  const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
  const SmsStatusQuery = Type.Object({
    m: Type.Optional(Type.Integer({ minimum: 1, description: 'the message the callback is about' })),
  });

  app.post(
    '/voice',
    {
      schema: {
        ...webhook,
        summary: 'Inbound call (the number’s voice URL)',
        operationId: `${carrier}VoiceWebhook`,
        body: forms.voice,
        response: { 200: Xml, 403: BadSignature },
      },
    },
    async (request, reply) => xml(reply, await telephony.voice(params(request))),
  );

  for (const kind of ['gather', 'dial', 'record'] as const satisfies readonly CallbackKind[]) {
    const verb = kind === 'gather' ? 'Gather' : kind === 'dial' ? 'Dial' : 'Record';
    app.post(
      `/${kind}`,
      {
        schema: {
          ...webhook,
          summary: `Result of <${verb}>`,
          operationId: `${carrier}${verb}Webhook`,
          querystring: StepQuery,
          body: forms[kind],
          response: { 200: Xml, 403: BadSignature },
        },
      },
      async (request, reply) => xml(reply, await telephony.callback(kind, request.query.s, params(request))),
    );
  }

  app.post(
    '/whisper',
    {
      schema: {
        ...webhook,
        summary: 'Whisper and "press 1 to accept", run on the answering leg only (<Number url>)',
        operationId: `${carrier}WhisperWebhook`,
        querystring: LegQuery,
        body: forms.whisper,
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
        operationId: `${carrier}ScreenWebhook`,
        querystring: LegQuery,
        body: forms.screen,
        response: { 200: Xml, 403: BadSignature },
      },
    },
    async (request, reply) =>
      xml(reply, await telephony.screen(request.query.c, request.query.s, params(request))),
  );

  app.post(
    '/status',
    {
      schema: {
        ...webhook,
        summary: 'Call progress and the end of the call (the status callback)',
        operationId: `${carrier}StatusWebhook`,
        body: forms.status,
        response: { 200: Xml, 403: BadSignature },
      },
    },
    async (request, reply) => {
      await telephony.status(params(request));
      return xml(reply, EMPTY);
    },
  );

  if (sms && options.messaging === 'telnyx') {
    const edge = { carrier, repliesInResponse: false } as const;
    const handle = async (event: TelnyxMessagingEvent, messageId: number | undefined) => {
      const { event_type: type, payload } = event.data;
      if (type === 'message.received') await sms.receive(telnyxInbound(payload), edge);
      else if (type === 'message.sent' || type === 'message.finalized')
        await sms.status(telnyxProgress(type, payload), messageId, carrier);
    };
    const Acknowledged = Type.Null({ description: 'taken (Telnyx reads only the status)' });
    app.post(
      '/sms',
      {
        schema: {
          ...webhook,
          consumes: ['application/json'],
          summary: 'Messaging events (the messaging profile’s webhook URL)',
          description:
            'message.received is recorded once per message id in the conversation of texter and number; STOP, START and HELP are answered through the Messaging API. message.sent and message.finalized update a text sent.',
          operationId: `${carrier}SmsWebhook`,
          body: TelnyxMessagingEvent,
          response: { 204: Acknowledged, 403: BadSignature },
        },
      },
      async (request, reply) => {
        await handle(request.body, undefined);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/sms/status',
      {
        schema: {
          ...webhook,
          consumes: ['application/json'],
          summary: 'Progress of a text sent (its webhook_url): message.sent, message.finalized',
          operationId: `${carrier}SmsStatusWebhook`,
          querystring: SmsStatusQuery,
          body: TelnyxMessagingEvent,
          response: { 204: Acknowledged, 403: BadSignature },
        },
      },
      async (request, reply) => {
        await handle(request.body, request.query.m);
        return reply.code(204).send(null);
      },
    );
  } else if (sms) {
    const forms = messagingFormsOf(options.ids, SIGNALWIRE_MESSAGE_STATUSES);
    const edge = { carrier, repliesInResponse: true } as const;
    app.post(
      '/sms',
      {
        schema: {
          ...webhook,
          summary: 'Inbound text (the number’s messaging URL)',
          description:
            'Recorded once per MessageSid in the conversation of texter and number; STOP, START and HELP are answered with <Message>.',
          operationId: `${carrier}SmsWebhook`,
          body: forms.incoming,
          response: { 200: Xml, 403: BadSignature },
        },
      },
      async (request, reply) => xml(reply, await sms.receive(request.body as CarrierParams, edge)),
    );
    app.post(
      '/sms/status',
      {
        schema: {
          ...webhook,
          summary: 'Progress of a text sent (its StatusCallback)',
          operationId: `${carrier}SmsStatusWebhook`,
          querystring: SmsStatusQuery,
          body: forms.status,
          response: { 200: Xml, 403: BadSignature },
        },
      },
      async (request, reply) => {
        const params = request.body as CarrierParams;
        await sms.status(
          { ...params, MessageStatus: lamlStatus(params.MessageStatus ?? '') },
          request.query.m,
          carrier,
        );
        return xml(reply, EMPTY);
      },
    );
  }
};
