import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../../http/authenticate.js';
import { ListQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import {
  AudioFileListEnvelope,
  AudioIdParams,
  audioUploadParts,
  ChannelListEnvelope,
  EntryResults,
  GeoLocationListEnvelope,
  GeoLocationQuery,
  LocationEntries,
  LocationListEnvelope,
  RateCenterListEnvelope,
} from './misc.schemas.js';
import {
  type AudioType,
  MAX_AUDIO_BYTES,
  MAX_AUDIO_FILES,
  type MiscService,
  notMultipart,
  tooManyAudioFiles,
  type UploadedFile,
} from './misc.service.js';

const tags = ['Misc'];

/** Reads every file part of a multipart upload (V2 sends `file`, or `file_0` ... `file_14`). */
async function readUploadedFiles(request: FastifyRequest): Promise<UploadedFile[]> {
  if (!request.isMultipart()) throw notMultipart();
  const files: UploadedFile[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') files.push({ fileName: part.filename, data: await part.toBuffer() });
    }
  } catch (error) {
    // The parser stops at the limit, so a 16th file surfaces here, not in the service.
    if ((error as { code?: unknown }).code === 'FST_FILES_LIMIT') throw tooManyAudioFiles();
    throw error;
  }
  return files;
}

export const miscRoutes: FastifyPluginAsyncTypebox<{ misc: MiscService }> = async (app, { misc }) => {
  app.get(
    '/misc/channel',
    {
      schema: {
        tags,
        summary: 'List Channels',
        operationId: 'listChannels',
        description: 'The ad-source catalogue; a call flow names one by channel_id.',
        querystring: ListQuery,
        response: { 200: ChannelListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await misc.listChannels(principalOf(request), request.query)),
  );

  app.get(
    '/misc/ratecenter',
    {
      schema: {
        tags,
        summary: 'List Rate Centers',
        operationId: 'listRateCenters',
        description:
          'Rate centers of the number inventory by area code and state, with how many numbers are free.',
        querystring: ListQuery,
        response: { 200: RateCenterListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await misc.listRateCenters(principalOf(request), request.query)),
  );

  app.get(
    '/misc/geolocation',
    {
      schema: {
        tags,
        summary: 'List Geo Locations',
        operationId: 'listGeoLocations',
        description:
          'City, state, coordinates and time zone of ZIP codes and area codes; unknown ones are left out.',
        querystring: GeoLocationQuery,
        response: { 200: GeoLocationListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(misc.geolocations(principalOf(request), request.query)),
  );

  app.get(
    '/misc/location',
    {
      schema: {
        tags,
        summary: 'List Locations',
        operationId: 'listLocations',
        description: 'Geo-routing locations of your groups, each with its branches.',
        querystring: ListQuery,
        response: { 200: LocationListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await misc.listLocations(principalOf(request), request.query)),
  );

  app.post(
    '/misc/location',
    {
      schema: {
        tags,
        summary: 'Add Locations',
        operationId: 'addLocations',
        description:
          'Creates locations (or replaces one, branches included, when `location_id` is given); one result per entry (`data` = location_id).',
        body: LocationEntries,
        response: { 200: EntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'location' },
    },
    async (request) => misc.saveLocations(principalOf(request), request.body),
  );

  app.get(
    '/misc/getaudiolist',
    {
      schema: {
        tags,
        summary: 'List Audio Files',
        operationId: 'listAudioFiles',
        description: 'Uploaded prompt and whisper audio of your groups, newest first.',
        querystring: ListQuery,
        response: { 200: AudioFileListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await misc.listAudio(principalOf(request), request.query)),
  );

  // Encapsulated: only the two upload routes accept multipart bodies.
  await app.register(async (uploads) => {
    await uploads.register(multipart, {
      limits: { files: MAX_AUDIO_FILES, fileSize: MAX_AUDIO_BYTES, fields: 50, parts: 100 },
    });
    const uploadRoute = (type: AudioType, summary: string, operationId: string) =>
      uploads.post(
        `/misc/upload/${type}`,
        {
          schema: {
            tags,
            summary,
            operationId,
            description: `multipart/form-data with the audio in \`file\` (or \`file_0\` ... \`file_${MAX_AUDIO_FILES - 1}\`): mp3 or wav, at most ${MAX_AUDIO_FILES} files of ${MAX_AUDIO_BYTES / 1024 / 1024} MB each. Returns the stored files.`,
            consumes: ['multipart/form-data'],
            multipartBody: audioUploadParts(MAX_AUDIO_FILES),
            response: { 200: AudioFileListEnvelope, ...v2ErrorResponses },
          },
        },
        async (request) =>
          success(await misc.uploadAudio(principalOf(request), type, await readUploadedFiles(request))),
      );
    uploadRoute('prompt', 'Upload Prompt Audio', 'uploadPromptAudio');
    uploadRoute('whisper', 'Upload Whisper Audio', 'uploadWhisperAudio');
  });

  app.get(
    '/misc/audio/:id',
    {
      schema: {
        tags,
        summary: 'Download Audio File',
        operationId: 'downloadAudioFile',
        description: 'The bytes of an uploaded audio file (the recordURL of List Audio Files).',
        params: AudioIdParams,
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
      const audio = await misc.openAudio(principalOf(request), request.params.id);
      return reply
        .type(audio.contentType)
        .header('content-length', audio.size)
        .header('content-disposition', `inline; filename="${audio.fileName}"`)
        .send(audio.stream);
    },
  );
};
