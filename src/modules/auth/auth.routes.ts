import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors.js';
import { OAuthErrorBody } from '../../http/schemas.js';
import { type AuthService, invalidClient } from './auth.service.js';

const TokenRequest = Type.Object(
  {
    grant_type: Type.Union([Type.Literal('password'), Type.Literal('refresh_token')]),
    username: Type.Optional(Type.String({ description: "the user's e-mail (password grant)" })),
    password: Type.Optional(Type.String({ description: 'password grant' })),
    refresh_token: Type.Optional(Type.String({ description: 'refresh_token grant' })),
    client_id: Type.Optional(Type.String({ description: 'unless the client authenticates with HTTP Basic' })),
    client_secret: Type.Optional(
      Type.String({ description: 'unless the client authenticates with HTTP Basic' }),
    ),
  },
  { description: 'form-encoded (as documented by V2) or JSON (as V2 also accepts)' },
);

const TokenResponse = Type.Object({
  access_token: Type.String({ format: 'uuid' }),
  refresh_token: Type.String({ format: 'uuid' }),
  expires_in: Type.Integer({ description: 'seconds until the access token expires' }),
  status: Type.Literal('success'),
  token_type: Type.Literal('Bearer'),
});

const oauthError = (description: string) => Type.Ref(OAuthErrorBody, { description });

const ACCEPTED_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

interface ClientCredentials {
  client_id: string;
  client_secret: string;
}

/**
 * The client's credentials: from HTTP Basic (RFC 6749 section 2.3.1: each part form-encoded,
 * then base64) or from the body, never both.
 */
function clientCredentials(
  authorization: string | undefined,
  body: Record<string, unknown>,
): ClientCredentials {
  const basic = /^basic\s+(\S*)\s*$/i.exec(authorization ?? '');
  if (!basic) return { client_id: field(body, 'client_id'), client_secret: field(body, 'client_secret') };
  if (body.client_secret !== undefined)
    throw new OAuthError(
      400,
      'invalid_request',
      'Send the client credentials once: in the Authorization header or in the body',
    );
  const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient();
  const formDecoded = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw invalidClient();
    }
  };
  return {
    client_id: formDecoded(decoded.slice(0, colon)),
    client_secret: formDecoded(decoded.slice(colon + 1)),
  };
}

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined || value === null)
    throw new OAuthError(400, 'invalid_request', `Missing parameter: \`${name}\``);
  if (typeof value !== 'string')
    throw new OAuthError(400, 'invalid_request', `Invalid parameter: \`${name}\``);
  return value;
}

export interface AuthRoutesOptions {
  auth: AuthService;
  rateLimitPerMinute: number;
}

export async function authRoutes(app: FastifyInstance, { auth, rateLimitPerMinute }: AuthRoutesOptions) {
  // Other content types reach the handler (and get 401, as V2 answers them) instead of a 415.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) => done(null, undefined));

  app.post(
    '/oauth/token',
    {
      schema: {
        tags: ['Auth'],
        summary: 'Get Access Token',
        operationId: 'getAccessToken',
        description:
          'OAuth 2.0 password grant (and rotating refresh_token grant). Access tokens live 1 hour, refresh tokens 30 days. The client authenticates with `client_id` and `client_secret` in the body, or with HTTP Basic.',
        security: [],
        consumes: ACCEPTED_TYPES,
        body: TokenRequest,
        response: {
          200: TokenResponse,
          400: oauthError('invalid_request (a missing parameter) or unsupported_grant_type'),
          401: {
            description: 'invalid_client (a wrong client_id or client_secret) or invalid_grant',
            headers: { 'www-authenticate': Type.String({ description: 'Basic realm="Switchboard"' }) },
            content: { 'application/json': { schema: Type.Ref(OAuthErrorBody) } },
          },
          429: oauthError('slow_down: more than OAUTH_RATE_LIMIT_PER_MINUTE requests from one address'),
        },
      },
      // The body is checked below so that every failure answers in OAuth's error format.
      validatorCompiler: () => () => true,
      config: {
        rateLimit: {
          max: rateLimitPerMinute,
          timeWindow: 60_000,
          errorResponseBuilder: (_request: FastifyRequest, context: { after: string }) =>
            new OAuthError(429, 'slow_down', `Too many token requests, retry in ${context.after}`),
        },
      },
    },
    async (request, reply) => {
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (
        !ACCEPTED_TYPES.includes(contentType) ||
        typeof request.body !== 'object' ||
        request.body === null
      ) {
        throw new OAuthError(401, 'invalid_client', 'Client authentication failed');
      }
      const body = request.body as Record<string, unknown>;
      const grantType = field(body, 'grant_type');
      reply.header('cache-control', 'no-store');
      if (grantType === 'password') {
        return auth.passwordGrant({
          username: field(body, 'username'),
          password: field(body, 'password'),
          ...clientCredentials(request.headers.authorization, body),
        });
      }
      if (grantType === 'refresh_token') {
        return auth.refreshGrant({
          refresh_token: field(body, 'refresh_token'),
          ...clientCredentials(request.headers.authorization, body),
        });
      }
      throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
    },
  );
}
