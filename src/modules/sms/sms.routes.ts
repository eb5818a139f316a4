import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify/sync';
import { principalOf } from '../../http/authenticate.js';
import { IdQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import {
  ConversationMessagesQuery,
  ConversationRead,
  SendSms,
  SettingsQuery,
  SmsConversationEnvelope,
  SmsConversationListEnvelope,
  SmsConversationListQuery,
  SmsListQuery,
  SmsMessageEnvelope,
  SmsMessageListEnvelope,
  SmsOptOutListEnvelope,
  SmsSettingsEnvelope,
  SmsSettingsUpdate,
} from './sms.schemas.js';
import type { SmsService } from './sms.service.js';
import type { SmsSettingsService } from './sms-settings.service.js';

const tags = ['SMS'];

/** The most opt-outs one export holds. */
const EXPORT_MAX_ROWS = 100_000;

export const smsRoutes: FastifyPluginAsyncTypebox<{ sms: SmsService; settings: SmsSettingsService }> = async (
  app,
  { sms, settings },
) => {
  app.post(
    '/sms/send',
    {
      schema: {
        tags,
        summary: 'Send SMS',
        operationId: 'sendSms',
        description:
          'Sends a text from a tracking number of your groups to a person, through the carrier, from the job queue: the answer is the message as accepted (`status` accepted); its progress arrives from the carrier. A person who replied STOP to the number’s group gets nothing (a 400 says so). With `idempotency_key`, a repeat answers the first message.',
        body: SendSms,
        response: { 200: SmsMessageEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'sms' },
    },
    async (request) => success(await sms.send(principalOf(request), request.body)),
  );

  app.get(
    '/sms/message',
    {
      schema: {
        tags,
        summary: 'Get SMS Message',
        operationId: 'getSmsMessage',
        description: 'One text of your groups, with its status and the carrier’s error code.',
        querystring: IdQuery('the message_id'),
        response: { 200: SmsMessageEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await sms.message(principalOf(request), request.query.id)),
  );

  app.get(
    '/sms/conversation/list',
    {
      schema: {
        tags,
        summary: 'List SMS Conversations',
        operationId: 'listSmsConversations',
        description:
          'Conversations (one person and one tracking number) of your groups, the latest message first, with their unread counts; `group_id` keeps one group and those below it; filter by `tracking_number`, `contact_number`, `unread_count>=1` ...',
        querystring: SmsConversationListQuery,
        response: { 200: SmsConversationListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await sms.conversations(principalOf(request), request.query)),
  );

  app.get(
    '/sms/conversation',
    {
      schema: {
        tags,
        summary: 'Get SMS Conversation',
        operationId: 'getSmsConversation',
        querystring: IdQuery('the conversation_id'),
        response: { 200: SmsConversationEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await sms.conversation(principalOf(request), request.query.id)),
  );

  app.get(
    '/sms/conversation/message',
    {
      schema: {
        tags,
        summary: 'List SMS Conversation Messages',
        operationId: 'listSmsConversationMessages',
        description: 'The texts of conversation `id`, both ways, newest first.',
        querystring: ConversationMessagesQuery,
        response: { 200: SmsMessageListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await sms.messages(principalOf(request), request.query.id, request.query)),
  );

  app.put(
    '/sms/conversation/read',
    {
      schema: {
        tags,
        summary: 'Mark SMS Conversation Read',
        operationId: 'markSmsConversationRead',
        body: ConversationRead,
        response: { 200: SmsConversationEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'conversation' },
    },
    async (request) => success(await sms.markRead(principalOf(request), request.body.conversation_id)),
  );

  app.get(
    '/sms/optout/list',
    {
      schema: {
        tags,
        summary: 'List SMS Opt-Outs',
        operationId: 'listSmsOptOuts',
        description:
          'People who texted STOP (or START again) to a number of your groups, the latest change first; `filter=opted_out=true` for those who may not be texted.',
        querystring: SmsListQuery,
        response: { 200: SmsOptOutListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await sms.optOuts(principalOf(request), request.query)),
  );

  app.get(
    '/sms/optout/export',
    {
      schema: {
        tags,
        summary: 'Export SMS Opt-Outs as CSV',
        operationId: 'exportSmsOptOuts',
        description: `The opt-outs of List SMS Opt-Outs (\`filter\` applies; \`limit\` and \`offset\` are ignored, up to ${EXPORT_MAX_ROWS} rows) as a CSV file.`,
        querystring: SmsListQuery,
        response: {
          200: { description: 'the CSV file', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...v2ErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const rows = await sms.optOuts(principalOf(request), {
        ...request.query,
        limit: EXPORT_MAX_ROWS,
        offset: 0,
      });
      const csv = stringify(rows, {
        header: true,
        columns: [
          'group_id',
          'contact_number',
          'opted_out',
          'keyword',
          'tracking_number',
          'opted_out_at',
          'changed_at',
        ],
        cast: { boolean: (value) => (value ? 'true' : 'false') },
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="sms-opt-outs.csv"')
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );

  app.get(
    '/sms/settings',
    {
      schema: {
        tags,
        summary: 'Get SMS Settings',
        operationId: 'getSmsSettings',
        description: 'The HELP answer, quiet hours and broadcast rate of group `id` (defaults until set).',
        querystring: SettingsQuery,
        response: { 200: SmsSettingsEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await settings.get(principalOf(request), request.query.id)),
  );

  app.put(
    '/sms/settings',
    {
      schema: {
        tags,
        summary: 'Update SMS Settings',
        operationId: 'updateSmsSettings',
        description: 'Changes the fields given for group `group_id`; the others keep their values.',
        body: SmsSettingsUpdate,
        response: { 200: SmsSettingsEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'settings' },
    },
    async (request) => success(await settings.update(principalOf(request), request.body)),
  );
};
