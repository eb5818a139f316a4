import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  type ErrorCode,
  ErrorCodes,
  fromDatabaseError,
  invalidInput,
  isAppError,
  OAuthError,
  sqlStateOf,
} from '../errors.js';
import { JsonTooDeepError } from './text-guard.js';
import { type RouteShape, toV2ValidationBody } from './validation.js';

export interface ErrorHandlerOptions {
  /** '200' mimics Convirza, which sent business errors with HTTP 200 */
  businessErrorStatus: '4xx' | '200';
}

/**
 * The three error bodies a client can meet, chosen by path: V2's under /v2 (its business error,
 * and its validation error), RFC 6749's on the token endpoint, and problem+json (RFC 9457)
 * everywhere else. docs/compatibility.md lists them; the OpenAPI document declares them from
 * the same function.
 */
export type ErrorDialect = 'v2' | 'oauth' | 'problem';

export function errorDialectOf(url: string): ErrorDialect {
  const path = url.split('?')[0] ?? url;
  if (path === '/v2' || path.startsWith('/v2/')) return 'v2';
  if (path === '/oauth/token') return 'oauth';
  return 'problem';
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

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

/** An error the framework raised (not a service): never turned into V2's HTTP-200 business error. */
class FrameworkError extends AppError {}

/** The general code of each status: the first code listed with it (400 is INVALID_INPUT). */
const CODE_OF_STATUS = new Map<number, ErrorCode>(
  Object.entries(ErrorCodes)
    .reverse()
    .map(([code, status]) => [status, code as ErrorCode]),
);

/**
 * Fastify's own client errors, in our words and codes: its FST_ERR_... codes and texts never
 * reach a client. Anything else keeps its status and message under the stable code of that status.
 */
function fromFrameworkError(error: FastifyError, request: FastifyRequest): AppError {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new FrameworkError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Unsupported Media Type: ${request.headers['content-type'] || '(none)'}`,
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FrameworkError(
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than ${request.routeOptions.bodyLimit} bytes`,
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new FrameworkError('INVALID_INPUT', 'The request body does not match its Content-Length');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new FrameworkError('INVALID_INPUT', 'The body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new FrameworkError(
        'INVALID_INPUT',
        'The body is empty but its Content-Type is application/json',
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new FrameworkError('URI_TOO_LONG', 'A path segment of the URL is too long');
    case 'FST_ERR_BAD_URL':
      return new FrameworkError('INVALID_INPUT', 'The URL is not valid (a malformed percent-encoding)');
  }
  const status = error.statusCode ?? 500;
  if (status === 429) return new FrameworkError('RATE_LIMITED', 'Too many requests, retry later');
  return new FrameworkError(CODE_OF_STATUS.get(status) ?? 'INVALID_INPUT', error.message);
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
    const dialect = errorDialectOf(request.url);

    if (error instanceof OAuthError) return sendOAuthError(reply, error);

    // Under /v2 a body nesting too deep is a validation error of the body, like any other.
    if (error instanceof JsonTooDeepError) {
      if (dialect !== 'v2') {
        return sendError(reply, dialect, new FrameworkError('BODY_TOO_DEEP', error.message));
      }
      const tooDeep = {
        keyword: 'maxDepth',
        instancePath: '',
        schemaPath: '#',
        params: { limit: error.limit },
        message: error.message,
      };
      const body = toV2ValidationBody([tooDeep], 'body', routeShape(request));
      return reply.code(400).type(JSON_CONTENT_TYPE).send(body);
    }

    const fastifyError = error as FastifyError;
    if (fastifyError.validation && fastifyError.validationContext) {
      if (dialect !== 'v2') return sendError(reply, dialect, invalidInput(fastifyError.message));
      const body = toV2ValidationBody(
        fastifyError.validation as never,
        fastifyError.validationContext,
        routeShape(request),
      );
      return reply.code(400).type(JSON_CONTENT_TYPE).send(body);
    }

    // A database error that bad input can cause (out of range, duplicate key) is the caller's 4xx.
    const appError =
      sqlStateOf(error) !== undefined
        ? fromDatabaseError(error)
        : isAppError(error)
          ? error
          : (fastifyError.statusCode ?? 500) < 500
            ? fromFrameworkError(fastifyError, request)
            : new AppError('INTERNAL', 'Internal server error', { cause: error });
    if (appError.status >= 500) {
      request.log.error({ err: appError.options.cause ?? appError }, 'request failed');
      // A 5xx never leaks internals: whatever failed, the client reads one sentence.
      if (appError.code === 'INTERNAL') return sendError(reply, dialect, internalError);
    }
    // Only what a service or the database refused is a V2 business error (which V2 sent with 200);
    // what the framework refuses (415, 413, malformed JSON) keeps its status.
    const isBusinessError = !(appError instanceof FrameworkError);
    const status =
      dialect === 'v2' &&
      isBusinessError &&
      options.businessErrorStatus === '200' &&
      appError.status < 500 &&
      appError.status !== 401 &&
      appError.status !== 429
        ? 200
        : appError.status;
    if (appError.options.retryAfterSeconds !== undefined) {
      reply.header('retry-after', appError.options.retryAfterSeconds);
    }
    return sendError(reply, dialect, appError, status);
  };
}

const internalError = new AppError('INTERNAL', 'Internal server error');

function sendError(reply: FastifyReply, dialect: ErrorDialect, error: AppError, status = error.status) {
  if (dialect === 'v2') {
    const err = error.options.err ?? error.message;
    return reply
      .code(status)
      .type(JSON_CONTENT_TYPE)
      .send({ result: 'error', err, data: error.options.data ?? null });
  }
  if (dialect === 'oauth') {
    const code = error.status >= 500 ? 'server_error' : 'invalid_request';
    return sendOAuthError(reply, new OAuthError(error.status, code, error.message));
  }
  return sendProblem(reply, error.status, error.message, error.code);
}

/**
 * RFC 6749 section 5.2. A failed client authentication answers 401 with the scheme the client may
 * use (HTTP Basic), whether it sent its credentials in that header or in the body.
 */
function sendOAuthError(reply: FastifyReply, error: OAuthError) {
  if (error.status === 401) reply.header('www-authenticate', 'Basic realm="Switchboard"');
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', error.retryAfterSeconds);
  return reply
    .code(error.status)
    .type(JSON_CONTENT_TYPE)
    .header('cache-control', 'no-store')
    .send({ error: error.error, error_description: error.description });
}

/** The problem+json body (RFC 9457) with our stable code; `type` is about:blank, so `title` is the status text. */
export function problemBody(status: number, detail: string, code: ErrorCode) {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, code };
}

function sendProblem(reply: FastifyReply, status: number, detail: string, code: ErrorCode) {
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemBody(status, detail, code));
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  reply.serializer(JSON.stringify);
  const message = `Route ${request.method} ${request.url.split('?')[0]} not found`;
  return sendError(reply, errorDialectOf(request.url), new AppError('NOT_FOUND', message));
}

const SOCKET_ERRORS: Record<string, ErrorCode> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
};

/**
 * Errors Node's HTTP parser meets before there is a request (headers too large, a timeout,
 * bytes that are not HTTP): answered as problem+json on the raw socket, as Fastify would answer
 * them in its own shape.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code = SOCKET_ERRORS[error.code ?? ''] ?? 'INVALID_INPUT';
  const status = ErrorCodes[code];
  const detail =
    code === 'HEADERS_TOO_LARGE'
      ? 'The request line and headers are too large'
      : code === 'REQUEST_TIMEOUT'
        ? 'The request took too long to arrive'
        : 'The request is not valid HTTP';
  const body = JSON.stringify(problemBody(status, detail, code));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
