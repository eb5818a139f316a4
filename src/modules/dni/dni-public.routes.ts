import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { problemResponse } from '../../http/schemas.js';
import { JsonTooDeepError, MAX_JSON_DEPTH, nestsDeeperThan } from '../../http/text-guard.js';
import { AssignBody, AssignResponse, ReleaseBody } from './dni.schemas.js';
import type { DniService } from './dni.service.js';

/** The browser script, kept at the repository root like migrations/, so dist/ finds it too. */
export const DNI_SCRIPT_PATH = fileURLToPath(new URL('../../../public/dni.js', import.meta.url));

export interface DniPublicRoutesOptions {
  dni: DniService;
  /** number and release requests per client IP per minute */
  rateLimitPerMinute: number;
}

const tags = ['DNI (public)'];
const BODY_LIMIT_BYTES = 16 * 1024;
/** dni.js posts JSON as text/plain (no CORS preflight); application/json works too. */
const BODY_TYPES = ['application/json', 'text/plain'];

/**
 * What any website calls, without a token: dni.js, and the number endpoint it posts to, keyed
 * by the group's DNI code. CORS is open (`*`, no credentials): the visitor id lives on the
 * customer's site and travels in the body. The script posts text/plain JSON, which needs no
 * preflight; application/json and the preflight work too.
 */
export const dniPublicRoutes: FastifyPluginAsyncTypebox<DniPublicRoutesOptions> = async (
  app,
  { dni, rateLimitPerMinute },
) => {
  const script = await readFile(DNI_SCRIPT_PATH, 'utf8');
  const etag = `"${createHash('sha256').update(script).digest('base64url').slice(0, 27)}"`;

  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
    if (nestsDeeperThan(body as string, MAX_JSON_DEPTH)) return done(new JsonTooDeepError(), undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('the body must be JSON'), { statusCode: 400 }), undefined);
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });

  const preflight = {
    schema: { hide: true },
    config: { rateLimit: { max: rateLimitPerMinute, timeWindow: 60_000 } },
  };
  const answerPreflight = async (_request: unknown, reply: FastifyReply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '86400')
      .send();
  app.options('/dni/v1/number', preflight, answerPreflight);
  app.options('/dni/v1/release', preflight, answerPreflight);

  app.get(
    '/dni.js',
    {
      schema: {
        tags,
        summary: 'The DNI script',
        operationId: 'getDniScript',
        description:
          'Loaded by the snippet of GET /v2/group/dnisnippet. Swaps the numbers of a page for the number its visitor is given.',
        security: [],
        querystring: Type.Object({ app_id: Type.Optional(Type.String({ maxLength: 32 })) }),
        response: {
          200: {
            description: 'the script',
            content: { 'application/javascript': { schema: Type.String() } },
          },
          304: { description: 'the script the browser holds (If-None-Match) is current', type: 'null' },
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'public, max-age=3600').header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('application/javascript; charset=utf-8').send(script);
    },
  );

  app.post(
    '/dni/v1/number',
    {
      bodyLimit: BODY_LIMIT_BYTES,
      schema: {
        tags,
        summary: 'Get a number for a page view',
        operationId: 'assignDniNumber',
        description:
          'Called by dni.js on every page view and heartbeat. Answers the number to show (`null`: keep the page as it is). For a pool, the same visitor keeps its number while it renews the lease.',
        security: [],
        consumes: BODY_TYPES,
        body: AssignBody,
        response: {
          200: AssignResponse,
          400: problemResponse('the body is not a page view'),
          404: problemResponse('no group has this DNI code'),
          429: problemResponse('more than DNI_RATE_LIMIT_PER_MINUTE requests from one address'),
        },
      },
      config: { rateLimit: { max: rateLimitPerMinute, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return dni.assign(request.body);
    },
  );

  app.post(
    '/dni/v1/release',
    {
      bodyLimit: BODY_LIMIT_BYTES,
      schema: {
        tags,
        summary: 'Release a number (page left)',
        operationId: 'releaseDniNumber',
        description:
          'Sent by dni.js with navigator.sendBeacon when the page is left. The number cools down before another visitor gets it; the same visitor may take it back on its next page.',
        security: [],
        consumes: BODY_TYPES,
        body: ReleaseBody,
        response: {
          204: Type.Null({ description: 'released' }),
          400: problemResponse('the body is not a release'),
          429: problemResponse('more than DNI_RATE_LIMIT_PER_MINUTE requests from one address'),
        },
      },
      config: { rateLimit: { max: rateLimitPerMinute, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      await dni.release(request.body);
      return reply.code(204).send(null);
    },
  );
};
