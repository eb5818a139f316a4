import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import { type ErrorDialect, errorDialectOf } from './error-handler.js';
import { OAuthErrorBody, problemResponse, V2Error } from './schemas.js';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * The parts of a multipart/form-data upload, for the OpenAPI document only: the handler reads
     * the parts itself (and answers V2's errors), so Fastify validates nothing against it.
     */
    multipartBody?: TSchema;
  }
}

/**
 * How a client authenticates. The root `security` lists the schemes as alternatives (any one
 * authenticates a request), so a second scheme (the console's session cookie) is one more entry
 * in each; public operations say `security: []`.
 */
export const SECURITY_SCHEMES = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    description: 'An access token from `POST /oauth/token`, as `Authorization: Bearer <token>`.',
  },
  sessionCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'sb_session',
    description:
      'The console session (`POST /v2/session`); writes also send `X-CSRF-Token`. Under https the cookie is `__Host-sb_session`.',
  },
} as const;

export const ROOT_SECURITY = (Object.keys(SECURITY_SCHEMES) as (keyof typeof SECURITY_SCHEMES)[]).map(
  (name) => ({ [name]: [] as string[] }),
);

const OTHER_CLIENT_ERRORS =
  'Any other client error: an unknown path (404), a body too large (413), a path segment too long (414), an unsupported content type (415) ...';

/** The error responses the error handler gives every route of a dialect (http/error-handler.ts). */
const ERROR_RESPONSES: Record<ErrorDialect, Record<string, unknown>> = {
  v2: {
    '4xx': Type.Ref(V2Error, { description: OTHER_CLIENT_ERRORS }),
    500: Type.Ref(V2Error, { description: 'Internal server error' }),
  },
  oauth: {
    '4xx': Type.Ref(OAuthErrorBody, { description: OTHER_CLIENT_ERRORS }),
    500: Type.Ref(OAuthErrorBody, { description: 'server_error' }),
  },
  problem: {
    '4xx': problemResponse(OTHER_CLIENT_ERRORS),
    500: problemResponse('Internal server error'),
  },
};

/** Ajv fills a parameter's default, so a parameter with one is optional on the wire. */
function withDefaultsOptional(querystring: unknown): unknown {
  const { properties, required } = querystring as {
    properties?: Record<string, { default?: unknown }>;
    required?: string[];
  };
  if (!properties || !required) return querystring;
  return {
    ...(querystring as object),
    required: required.filter((name) => properties[name]?.default === undefined),
  };
}

/**
 * The route schema as the document shows it (the route keeps its own): defaulted query
 * parameters optional, the multipart parts as the request body, and the error responses of the
 * route's dialect where the route names none for that status.
 */
function documentedSchema(schema: FastifySchema, url: string): FastifySchema {
  const { multipartBody, ...documented } = schema;
  if (documented.querystring) documented.querystring = withDefaultsOptional(documented.querystring);
  if (multipartBody) documented.body = { content: { 'multipart/form-data': { schema: multipartBody } } };
  documented.response = {
    ...ERROR_RESPONSES[errorDialectOf(url)],
    ...(documented.response as Record<string, unknown> | undefined),
  };
  return documented;
}

export function openApiOptions(publicBaseUrl: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Switchboard',
        version: '0.1.0',
        description:
          'Call tracking and call routing that speaks the Convirza V2 REST API. Get a token from `POST /oauth/token`, then send `Authorization: Bearer <token>` to every `/v2` route. Errors: V2 bodies under `/v2`, RFC 6749 bodies on `/oauth/token`, `application/problem+json` everywhere else.',
        license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      servers: [{ url: publicBaseUrl }],
      components: { securitySchemes: SECURITY_SCHEMES },
      security: ROOT_SECURITY,
    },
    // Shared schemas keep their $id as their component name (V2Error, Problem ...).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    transform: ({ schema, url }) => ({ schema: schema ? documentedSchema(schema, url) : schema, url }),
  };
}
