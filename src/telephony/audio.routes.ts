import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Db } from '../db/index.js';
import { AppError } from '../errors.js';
import { problemResponse } from '../http/schemas.js';
import type { ObjectStore } from '../lib/object-store.js';
import { AUDIO_CONTENT_TYPES, type AudioFormat } from '../modules/misc/audio-format.js';

/**
 * The signature in an audio URL: HMAC-SHA256 of the reference under the carrier's auth token.
 * Carriers fetch `<Play>` URLs with a plain GET (no X-Twilio-Signature), so the URL itself is the
 * credential: only URLs Switchboard put in its own TwiML open a file.
 */
export function audioSignature(authToken: string, reference: string): string {
  return createHmac('sha256', authToken).update(`audio:${reference}`).digest('base64url').slice(0, 32);
}

/** The public URL a carrier plays an uploaded prompt or whisper from. */
export function audioUrl(publicBaseUrl: string, authToken: string, reference: string): string {
  return `${publicBaseUrl}/telephony/audio/${encodeURIComponent(reference)}?sig=${audioSignature(authToken, reference)}`;
}

/** Plain JSON Schema, not TypeBox: the reply is a stream, which no TypeBox type describes. */
const AudioBytes = { type: 'string', format: 'binary' };

export interface AudioRoutesOptions {
  db: Db;
  store: ObjectStore;
  authToken: string;
}

/** Uploaded prompt and whisper audio, served to carriers for `<Play>`. */
export const audioRoutes: FastifyPluginAsyncTypebox<AudioRoutesOptions> = async (
  app,
  { db, store, authToken },
) => {
  app.get(
    '/:reference',
    {
      schema: {
        tags: ['Telephony (Twilio dialect)'],
        summary: 'Audio a carrier plays (<Play>); the URL is signed by Switchboard',
        operationId: 'getCarrierAudio',
        security: [],
        params: Type.Object({ reference: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object({ sig: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: {
          200: {
            description: 'the audio file',
            content: Object.fromEntries(
              Object.values(AUDIO_CONTENT_TYPES).map((type) => [type, { schema: AudioBytes }]),
            ),
          },
          403: problemResponse('the signature does not match the reference'),
          404: problemResponse('no such audio file'),
        },
      },
    },
    async (request, reply) => {
      const { reference } = request.params;
      const expected = Buffer.from(audioSignature(authToken, reference));
      const given = Buffer.from(request.query.sig);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new AppError('FORBIDDEN', 'Invalid audio signature');
      }
      const { rows } = await db.query<{ storage_path: string; format: AudioFormat; size_bytes: number }>(
        'select storage_path, format, size_bytes from audio_file where reference_id = $1',
        [reference],
      );
      const row = rows[0];
      if (!row) throw new AppError('NOT_FOUND', 'No record found.');
      const stored = await store.open(row.storage_path);
      if (!stored) throw new AppError('NOT_FOUND', 'The audio file is missing from storage');
      return reply
        .type(AUDIO_CONTENT_TYPES[row.format])
        .header('content-length', row.size_bytes)
        .header('cache-control', 'private, max-age=3600')
        .send(stored.stream);
    },
  );
};
