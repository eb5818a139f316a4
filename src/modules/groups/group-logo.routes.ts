import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import { LogoEnvelope, LogoQuery, LogoRemovedEnvelope, LogoUploadParts } from './group-logo.schemas.js';
import {
  type GroupLogoService,
  type LogoUpload,
  logoUploadError,
  MAX_LOGO_BYTES,
  NO_FILE,
  NOT_MULTIPART,
  TOO_LARGE,
} from './group-logo.service.js';

const tags = ['Group'];

/** Reads `group_id` and the files in `file` of a multipart upload. */
async function readLogoUpload(request: FastifyRequest): Promise<LogoUpload> {
  if (!request.isMultipart()) throw logoUploadError(NOT_MULTIPART);
  const upload: LogoUpload = { files: [] };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.fieldname === 'file') upload.files.push(data);
      } else if (part.fieldname === 'group_id') upload.groupId = String(part.value);
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw logoUploadError(TOO_LARGE);
    if (code === 'FST_FILES_LIMIT') throw logoUploadError(NO_FILE);
    throw error;
  }
  return upload;
}

/** A group's brand logo (our design): upload, metadata, the image, remove. */
export const groupLogoRoutes: FastifyPluginAsyncTypebox<{ logos: GroupLogoService }> = async (
  app,
  { logos },
) => {
  app.get(
    '/group/logo',
    {
      schema: {
        tags,
        summary: 'Get Group Logo',
        operationId: 'getGroupLogo',
        description:
          'The logo that brands the reports of `group_id`: its own, or its nearest ancestor’s (`inherited`).',
        querystring: LogoQuery,
        response: { 200: LogoEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await logos.get(principalOf(request), request.query.group_id)),
  );

  app.get(
    '/group/logo/file',
    {
      schema: {
        tags,
        summary: 'Download Group Logo',
        operationId: 'downloadGroupLogo',
        description: 'The image of Get Group Logo, with its content type.',
        querystring: LogoQuery,
        response: {
          200: {
            description: 'the image',
            content: {
              'image/png': { schema: { type: 'string', format: 'binary' } },
              'image/jpeg': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...v2ErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const logo = await logos.open(principalOf(request), request.query.group_id);
      return reply
        .type(logo.contentType)
        .header('content-length', logo.size)
        .header('cache-control', 'no-store')
        .send(logo.stream);
    },
  );

  app.delete(
    '/group/logo',
    {
      schema: {
        tags,
        summary: 'Delete Group Logo',
        operationId: 'deleteGroupLogo',
        description: 'Removes the group’s own logo; its reports then use its nearest ancestor’s, if any.',
        querystring: LogoQuery,
        response: { 200: LogoRemovedEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await logos.remove(principalOf(request), request.query.group_id)),
  );

  // Encapsulated: only the upload route accepts multipart bodies.
  await app.register(async (uploads) => {
    await uploads.register(multipart, {
      limits: { files: 1, fileSize: MAX_LOGO_BYTES, fields: 5, parts: 6 },
      throwFileSizeLimit: true,
    });
    uploads.post(
      '/group/logo',
      {
        schema: {
          tags,
          summary: 'Upload Group Logo',
          operationId: 'uploadGroupLogo',
          description: `multipart/form-data: the image in \`file\` (PNG or JPEG, recognised by its bytes, at most ${MAX_LOGO_BYTES / 1024} kB) and optionally \`group_id\` (the caller’s group when absent). Replaces the group’s logo.`,
          consumes: ['multipart/form-data'],
          multipartBody: LogoUploadParts,
          response: { 200: LogoEnvelope, ...v2ErrorResponses },
        },
      },
      async (request) => success(await logos.upload(principalOf(request), await readLogoUpload(request))),
    );
  });
};
