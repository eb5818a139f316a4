import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principalOf } from '../../http/authenticate.js';
import {
  Envelope,
  IdQuery,
  ListQuery,
  MAX_ID,
  NullableInteger,
  PhoneInput,
  StringEnum,
  success,
  v2ErrorResponses,
} from '../../http/schemas.js';
import type { createBroadcastsService } from './broadcasts.js';

const tags = ['SMS Broadcast'];
const Id = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_ID, description });

export const Broadcast = Type.Object({
  broadcast_id: Type.Integer(),
  group_id: Type.Integer(),
  broadcast_name: Type.String(),
  template: Type.String(),
  sender_numbers: Type.Array(Type.String()),
  pool_id: NullableInteger({ description: 'the DNI pool whose numbers send, when one was given' }),
  list_ids: Type.Array(Type.Integer()),
  send_at: Type.String(),
  status: StringEnum(['scheduled', 'paused', 'canceled', 'done']),
  created_at: Type.String(),
  recipients: Type.Integer({ description: 'distinct numbers of the lists' }),
  pending: Type.Integer({ description: 'not yet due (quiet hours, send_at) or not yet reached' }),
  queued: Type.Integer({ description: 'handed to the send queue' }),
  skipped: Type.Integer({ description: 'opted out, or the broadcast was canceled' }),
  sent: Type.Integer(),
  delivered: Type.Integer(),
  failed: Type.Integer(),
  segments: Type.Integer({ description: 'SMS segments of the template as written (merge fields change it)' }),
  encoding: StringEnum(['GSM-7', 'UCS-2']),
  total_segments: Type.Integer({ description: 'segments of every rendered text not skipped' }),
  segment_price: Type.Number({ description: 'US dollars per segment (the group’s SMS settings)' }),
  estimated_cost: Type.Number({ description: 'total_segments x segment_price, in US dollars' }),
});

const Encoding = StringEnum(['GSM-7', 'UCS-2']);

export const BroadcastEstimate = Type.Object({
  group_id: Type.Integer(),
  recipients: Type.Integer({ description: 'distinct numbers of the lists that may be texted' }),
  opted_out: Type.Integer({ description: 'numbers of the lists left out: they replied STOP' }),
  total_segments: Type.Integer({ description: 'segments of every rendered text' }),
  segments: Type.Integer({ description: 'segments of the template as written' }),
  encoding: Encoding,
  segment_price: Type.Number({ description: 'US dollars per segment (the group’s SMS settings)' }),
  estimated_cost: Type.Number({ description: 'total_segments x segment_price, in US dollars' }),
  samples: Type.Array(
    Type.Object({
      phone_number: Type.String(),
      body: Type.String(),
      segments: Type.Integer(),
      encoding: Encoding,
    }),
    { description: 'the first texts as they will be sent (up to 3)' },
  ),
});

const Template = Type.String({
  minLength: 1,
  maxLength: 1600,
  description:
    'the text; {first_name}, {last_name}, {phone_number} and custom fields ({store}) are filled per contact',
});
const ListIds = Type.Array(Id('a contact list of the group'), {
  minItems: 1,
  maxItems: 50,
  uniqueItems: true,
});

const EstimateBody = Type.Object(
  { group_id: Id('the group sending'), template: Template, list_ids: ListIds },
  { additionalProperties: false },
);

const BroadcastCreate = Type.Object(
  {
    group_id: Id('the group sending'),
    broadcast_name: Type.String({ minLength: 1, maxLength: 255 }),
    template: Template,
    list_ids: ListIds,
    sender_numbers: Type.Optional(
      Type.Array(PhoneInput('a tracking number of the group'), {
        minItems: 1,
        maxItems: 500,
        description: 'the numbers that send, in turn; or pool_id',
      }),
    ),
    pool_id: Type.Optional(Id('a DNI number pool of a flow of the group: its numbers send, in turn')),
    send_at: Type.Optional(
      Type.String({ format: 'date-time', description: 'when to start (ISO 8601); now when absent' }),
    ),
  },
  { additionalProperties: false },
);

const BroadcastAction = Type.Object(
  { broadcast_id: Id('the broadcast'), action: StringEnum(['pause', 'resume', 'cancel']) },
  { additionalProperties: false },
);

export const broadcastRoutes: FastifyPluginAsyncTypebox<{
  broadcasts: ReturnType<typeof createBroadcastsService>;
}> = async (app, { broadcasts }) => {
  app.get(
    '/smsbroadcast/list',
    {
      schema: {
        tags,
        summary: 'List Broadcasts',
        operationId: 'listBroadcasts',
        querystring: ListQuery,
        response: { 200: Envelope(Type.Array(Broadcast)), ...v2ErrorResponses },
      },
    },
    async (request) => success(await broadcasts.list(principalOf(request), request.query)),
  );
  app.get(
    '/smsbroadcast',
    {
      schema: {
        tags,
        summary: 'Get Broadcast',
        operationId: 'getBroadcast',
        description: 'The broadcast with its progress counts, segment count and encoding.',
        querystring: IdQuery('the broadcast_id'),
        response: { 200: Envelope(Broadcast), ...v2ErrorResponses },
      },
    },
    async (request) => success(await broadcasts.get(principalOf(request), request.query.id)),
  );
  app.post(
    '/smsbroadcast',
    {
      schema: {
        tags,
        summary: 'Create Broadcast',
        operationId: 'createBroadcast',
        description:
          'Sends the template to the lists’ contacts (a number on several lists once), from the sender numbers in turn, at `send_at` or now, each recipient outside the group’s quiet hours in their own time zone (the contact’s, else their area code’s), each sender number at most the group’s messages_per_second; people who opted out are skipped.',
        body: BroadcastCreate,
        response: { 200: Envelope(Broadcast), ...v2ErrorResponses },
      },
      config: { v2BodyName: 'broadcast' },
    },
    async (request) => success(await broadcasts.create(principalOf(request), request.body)),
  );
  app.post(
    '/smsbroadcast/estimate',
    {
      schema: {
        tags,
        summary: 'Estimate Broadcast',
        operationId: 'estimateBroadcast',
        description:
          'What a broadcast of `template` to the lists would send and cost, before it is created: the texts rendered per contact, their segments (GSM-7: 160 characters, 153 per part; else UCS-2: 70, 67 per part), people who opted out left out, times the group’s segment price. Nothing is written.',
        body: EstimateBody,
        response: { 200: Envelope(BroadcastEstimate), ...v2ErrorResponses },
      },
      config: { v2BodyName: 'estimate' },
    },
    async (request) => success(await broadcasts.estimate(principalOf(request), request.body)),
  );
  app.put(
    '/smsbroadcast/status',
    {
      schema: {
        tags,
        summary: 'Pause, Resume or Cancel Broadcast',
        operationId: 'updateBroadcastStatus',
        body: BroadcastAction,
        response: { 200: Envelope(Broadcast), ...v2ErrorResponses },
      },
      config: { v2BodyName: 'broadcast' },
    },
    async (request) =>
      success(await broadcasts.act(principalOf(request), request.body.broadcast_id, request.body.action)),
  );
};
