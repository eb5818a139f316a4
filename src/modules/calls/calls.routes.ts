import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import { MAX_CALL_AUDIO_BYTES, type UploadParts, uploadError } from './call-upload.js';
import {
  AddTagsBody,
  ArchiveBody,
  CallDetailListEnvelope,
  CallDetailQuery,
  CallIdQuery,
  CallIdsEnvelope,
  CallIndicatorListEnvelope,
  CallListEnvelope,
  CallListQuery,
  CallRecordEnvelope,
  CallTagsEnvelope,
  CallTranscriptionDetailListEnvelope,
  CallTranscriptionListEnvelope,
  CallUploadParts,
  CallValueBody,
  CommentBody,
  MessageEnvelope,
  MetricsListEnvelope,
  MetricsQuery,
  MoveBody,
  RecordingQuery,
  RemoveTagsBody,
  TranscriptSearchListEnvelope,
  TranscriptSearchQuery,
} from './calls.schemas.js';
import type { CallsService } from './calls.service.js';

const tags = ['Call'];
/** Reads the fields and files of a multipart upload. */
async function readUpload(request: FastifyRequest): Promise<UploadParts> {
  if (!request.isMultipart())
    throw uploadError('The request must be multipart/form-data with the audio in the field "file"');
  const parts: UploadParts = { fields: {}, files: [] };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        parts.files.push({ field: part.fieldname, fileName: part.filename, data });
      } else {
        parts.fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'FST_FILES_LIMIT') throw uploadError('Please upload one mp3/wav file in the field "file"');
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw uploadError(`The file is larger than ${MAX_CALL_AUDIO_BYTES / 1024 / 1024} MB`);
    throw error;
  }
  return parts;
}

export const callRoutes: FastifyPluginAsyncTypebox<{ calls: CallsService }> = async (app, { calls }) => {
  const list = (
    url: string,
    summary: string,
    operationId: string,
    description: string,
    kind: Parameters<CallsService['list']>[2],
  ) =>
    app.get(
      url,
      {
        schema: {
          tags,
          summary,
          operationId,
          description,
          querystring: CallListQuery,
          response: { 200: CallListEnvelope, ...v2ErrorResponses },
        },
      },
      async (request) => success(await calls.list(principalOf(request), request.query, kind)),
    );

  app.get(
    '/call',
    {
      schema: {
        tags,
        summary: 'Get Call Record by ID',
        operationId: 'getCall',
        description: 'The call with its tags, custom sources, comments and attribution.',
        querystring: CallIdQuery,
        response: { 200: CallRecordEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await calls.get(principalOf(request), request.query.id)),
  );

  list(
    '/call/list',
    'List Calls',
    'listCalls',
    'Calls of your group and the groups below it, newest first; archived calls are left out. Dates in `filter` are read in `timezone`.',
    'calls',
  );
  list(
    '/call/tag',
    'List Calls With Tags',
    'listCallsWithTags',
    'Calls that have at least one tag, with their tags.',
    'tagged',
  );
  list(
    '/call/customsource',
    'List Calls With Custom Sources',
    'listCallsWithCustomSources',
    "Calls whose tracking number's flow has custom sources (or that were uploaded with them).",
    'custom sources',
  );
  list(
    '/call/dni',
    'List Calls With DNI',
    'listCallsWithDni',
    'Calls attributed to a website visit (number pools), with `attribution`.',
    'dni',
  );

  const details = (
    url: string,
    summary: string,
    operationId: string,
    description: string,
    kind: 'calls' | 'archived',
  ) =>
    app.get(
      url,
      {
        schema: {
          tags,
          summary,
          operationId,
          description,
          querystring: CallDetailQuery,
          response: { 200: CallDetailListEnvelope, ...v2ErrorResponses },
        },
      },
      async (request) => success(await calls.details(principalOf(request), request.query, kind)),
    );
  details(
    '/call/detail',
    'List Call Details',
    'listCallDetails',
    'Call records; `recordURL=true` adds the recording link as `recordURL`. Filter also on `external_id` (the group external id).',
    'calls',
  );
  details(
    '/call/archive',
    'List Archived Call Details',
    'listArchivedCallDetails',
    'Archived calls, as List Call Details shows them.',
    'archived',
  );

  app.get(
    '/call/transcription',
    {
      schema: {
        tags,
        summary: 'List Calls With Transcription',
        operationId: 'listCallsWithTranscription',
        description: 'Recorded calls with their transcription status (`null` until one is made).',
        querystring: CallListQuery,
        response: { 200: CallTranscriptionListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await calls.withTranscription(principalOf(request), request.query)),
  );

  app.get(
    '/call/transcription/detail',
    {
      schema: {
        tags,
        summary: 'List Calls With Transcription Details',
        operationId: 'listCallsWithTranscriptionDetails',
        description: 'As List Calls With Transcription, with the transcript text and its segments.',
        querystring: CallListQuery,
        response: { 200: CallTranscriptionDetailListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await calls.withTranscriptionDetails(principalOf(request), request.query)),
  );

  app.get(
    '/call/transcription/search',
    {
      schema: {
        tags,
        summary: 'Search Call Transcripts',
        operationId: 'searchCallTranscripts',
        description:
          'The calls in your scope whose transcript matches `query` (words, "a phrase", or, -word; English word forms), with the call-log `filter`, newest first; each with its best fragments (`headline`) and the utterances that match (`matches`), hits highlighted.',
        querystring: TranscriptSearchQuery,
        response: { 200: TranscriptSearchListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await calls.searchTranscripts(principalOf(request), request.query)),
  );

  app.get(
    '/call/indicator',
    {
      schema: {
        tags,
        summary: 'List Calls With Indicator Scores',
        operationId: 'listCallsWithIndicatorScores',
        description: 'Calls with `indicator_scores` (empty until conversation analytics exist).',
        querystring: CallListQuery,
        response: { 200: CallIndicatorListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await calls.withIndicatorScores(principalOf(request), request.query)),
  );

  app.get(
    '/call/groupActivity',
    {
      schema: {
        tags,
        summary: 'List Call Metrics by Group',
        operationId: 'listCallMetricsByGroup',
        description:
          'Calls, unique callers, answered, billable minutes, durations and call value per group (and per `secondary`), over the calls the filter keeps; dates read in `timezone`.',
        querystring: MetricsQuery,
        response: { 200: MetricsListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await calls.metrics(principalOf(request), request.query, false)),
  );

  app.get(
    '/call/groupActivity/detail',
    {
      schema: {
        tags,
        summary: 'List Call Metrics Details by Group',
        operationId: 'listCallMetricsDetailsByGroup',
        description:
          'The metrics of List Call Metrics by Group per group and per day (`date`, in `timezone`).',
        querystring: MetricsQuery,
        response: { 200: MetricsListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await calls.metrics(principalOf(request), request.query, true)),
  );

  app.post(
    '/call/tag',
    {
      schema: {
        tags,
        summary: 'Add Tags To Call',
        operationId: 'addTagsToCall',
        description:
          "Tags the call by name; a name the call's group (or a group above it) does not have yet is created in the call's group. `data` is the call's tags.",
        body: AddTagsBody,
        response: { 200: CallTagsEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'tag' },
    },
    async (request) =>
      success(await calls.addTags(principalOf(request), request.body.call_id, request.body.tag_name)),
  );

  app.delete(
    '/call/tag',
    {
      schema: {
        tags,
        summary: 'Remove Tags From Call',
        operationId: 'removeCallTags',
        description:
          'Takes tags off a call (our design: V2 only added them); the tags themselves stay. `data` is the call’s tags.',
        body: RemoveTagsBody,
        response: { 200: CallTagsEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'tag' },
    },
    async (request) =>
      success(await calls.removeTags(principalOf(request), request.body.call_id, request.body.tag_id)),
  );

  app.put(
    '/call/value',
    {
      schema: {
        tags,
        summary: 'Set Call Value',
        operationId: 'setCallValue',
        description:
          'Sets or clears the value of a call (our design), as the `set_call_value` call action does.',
        body: CallValueBody,
        response: { 200: CallRecordEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callvalue' },
    },
    async (request) =>
      success(await calls.setValue(principalOf(request), request.body.call_id, request.body.call_value)),
  );

  app.post(
    '/call/comment',
    {
      schema: {
        tags,
        summary: 'Add Comment To Call',
        operationId: 'addCommentToCall',
        description: 'Adds comments to calls; all or nothing.',
        body: CommentBody,
        response: { 200: MessageEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'comments' },
    },
    async (request) => success(await calls.addComments(principalOf(request), request.body)),
  );

  app.post(
    '/call/move',
    {
      schema: {
        tags,
        summary: 'Move Call To Group',
        operationId: 'moveCallToGroup',
        description: 'Moves calls to another group of your scope; all or nothing. `data` is the calls moved.',
        body: MoveBody,
        response: { 200: CallIdsEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callmove' },
    },
    async (request) =>
      success(await calls.move(principalOf(request), request.body.call_id, request.body.group_id)),
  );

  app.post(
    '/call/archive',
    {
      schema: {
        tags,
        summary: 'Archive Calls',
        operationId: 'archiveCalls',
        description: 'Archives calls (or restores them with `archived: false`); all or nothing.',
        body: ArchiveBody,
        response: { 200: CallIdsEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'callarchive' },
    },
    async (request) =>
      success(await calls.archive(principalOf(request), request.body.call_id, request.body.archived ?? true)),
  );

  app.get(
    '/call/recording',
    {
      schema: {
        tags,
        summary: 'Download Call Recording',
        operationId: 'downloadCallRecording',
        description:
          'The recording of a call as Switchboard stores it (its `recording_url`): an uploaded recording, or the carrier recording copied after the call. `voicemail=true` gives the voicemail (its `voicemail_url`).',
        querystring: RecordingQuery,
        response: {
          200: {
            description: 'the audio file',
            content: {
              'audio/mpeg': { schema: { type: 'string', format: 'binary' } },
              'audio/wav': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...v2ErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const recording = await calls.openRecording(
        principalOf(request),
        request.query.id,
        request.query.voicemail ?? false,
      );
      return reply
        .type(recording.contentType)
        .header('content-length', recording.size)
        .send(recording.stream);
    },
  );

  // Encapsulated: only the upload route accepts multipart bodies.
  await app.register(async (uploads) => {
    await uploads.register(multipart, {
      limits: { files: 1, fileSize: MAX_CALL_AUDIO_BYTES, fields: 40, parts: 41 },
      throwFileSizeLimit: true,
    });
    uploads.post(
      '/call/upload',
      {
        schema: {
          tags,
          summary: 'Upload Call Audio',
          operationId: 'uploadCallAudio',
          description:
            'multipart/form-data: the recording in `file` (mp3 or wav) and the call in fields (`tracking_number`, `caller_id` required; `ring_to`, `disposition`, `call_date`, `timezone`, `duration`, `group_id` or `group_ext_id`, `channel_id`, `campaign_id`, caller data, `custom_source_type_1..5`, `is_outbound`, `swap_channels`, `tag_name`). Answers the new call record.',
          consumes: ['multipart/form-data'],
          multipartBody: CallUploadParts,
          response: { 200: CallRecordEnvelope, ...v2ErrorResponses },
        },
      },
      async (request) => success(await calls.upload(principalOf(request), await readUpload(request))),
    );
  });
};
