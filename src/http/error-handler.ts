import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type AppError, fromDatabaseError, isAppError, OAuthError } from '../errors.js';
import { JsonTooDeepError } from './text-guard.js';
import { type RouteShape, toV2ValidationBody } from './validation.js';

export interface ErrorHandlerOptions {
  /** '200' mimics Convirza, which sent business errors with HTTP 200 */
  businessErrorStatus: '4xx' | '200';
}

const isV2 = (request: FastifyRequest) => request.url.startsWith('/v2/') || request.url.startsWith('/v2?');

/** The V2 path of a route as its swagger names it (`/v2/group/list` -> `/group/list`). */
const specPath = (url: string) => url.replace(/^\/v2/, '') || '/';

/** The route as V2's validation errors name it. */
function routeShape(request: FastifyRequest): RouteShape {
  const routeUrl = request.routeOptions.url ?? request.url;
  return {
    specPath: specPath(routeUrl),
    method: request.method.toLowerCase(),
    schema: request.routeOptions.schema,
    bodyName:
      (request.routeOptions.config as { v2BodyName?: string } | undefined)?.v2BodyName ??
      specPath(routeUrl).split('/')[1] ??
      'body',
  };
}

/**
 * The one place errors become replies. Bodies are serialised with JSON.stringify so a response
 * schema for the success case never strips an error body.
 */
export function createErrorHandler(options: ErrorHandlerOptions) {
  return function handleError(
    error: FastifyError | AppError | OAuthError,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    reply.serializer(JSON.stringify);

    if (error instanceof OAuthError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', error.retryAfterSeconds);
      return reply
        .code(error.status)
        .header('cache-control', 'no-store')
        .send({ error: error.error, error_description: error.description });
    }

    // A database error that bad input can cause (out of range, duplicate key) is the caller's 4xx.
    const databaseError = isDatabaseError(error) ? fromDatabaseError(error) : undefined;
    if (databaseError && databaseError.status < 500) error = databaseError;

    if (isAppError(error)) {
      if (error.status >= 500) request.log.error({ err: error.options.cause ?? error }, 'request failed');
      const status =
        options.businessErrorStatus === '200' &&
        error.status < 500 &&
        error.status !== 401 &&
        error.status !== 429
          ? 200
          : error.status;
      if (isV2(request)) {
        const err = error.options.err ?? error.message;
        return reply.code(status).send({ result: 'error', err, data: error.options.data ?? null });
      }
      return sendProblem(reply, error.status, error.message, error.code);
    }

    // Under /v2 a body nesting too deep is a validation error of the body, like any other.
    if (error instanceof JsonTooDeepError) {
      if (!isV2(request)) return sendProblem(reply, 400, error.message, 'BODY_TOO_DEEP');
      const tooDeep = {
        keyword: 'maxDepth',
        instancePath: '',
        schemaPath: '#',
        params: { limit: error.limit },
        message: error.message,
      };
      return reply.code(400).send(toV2ValidationBody([tooDeep], 'body', routeShape(request)));
    }

    const fastifyError = error as FastifyError;
    if (fastifyError.validation && fastifyError.validationContext) {
      const body = toV2ValidationBody(
        fastifyError.validation as never,
        fastifyError.validationContext,
        routeShape(request),
      );
      return reply.code(400).send(body);
    }

    const status = fastifyError.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      if (isV2(request))
        return reply.code(500).send({ result: 'error', err: 'Internal server error', data: null });
      return sendProblem(reply, 500, 'Internal server error', 'INTERNAL');
    }
    const message = status === 429 ? 'Too many requests, retry later' : fastifyError.message;
    if (isV2(request)) return reply.code(status).send({ result: 'error', err: message, data: null });
    return sendProblem(reply, status, message, fastifyError.code ?? 'BAD_REQUEST');
  };
}

function isDatabaseError(error: unknown): boolean {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

function sendProblem(reply: FastifyReply, status: number, detail: string, code: string) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: titleFor(status), status, detail, code });
}

function titleFor(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
    503: 'Service Unavailable',
  };
  return titles[status] ?? 'Internal Server Error';
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  const message = `Route ${request.method} ${request.url.split('?')[0]} not found`;
  if (isV2(request)) return reply.code(404).send({ result: 'error', err: message, data: null });
  return sendProblem(reply, 404, message, 'NOT_FOUND');
}
