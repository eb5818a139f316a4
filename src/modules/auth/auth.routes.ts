import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors.js';
import type { AuthService } from './auth.service.js';

const TokenRequest = Type.Object(
  {
    grant_type: Type.Union([Type.Literal('password'), Type.Literal('refresh_token')]),
    username: Type.Optional(Type.String({ description: "the user's e-mail (password grant)" })),
    password: Type.Optional(Type.String({ description: 'password grant' })),
    refresh_token: Type.Optional(Type.String({ description: 'refresh_token grant' })),
    client_id: Type.String(),
    client_secret: Type.String(),
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

const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Type.String() });

const ACCEPTED_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

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
        description:
          'OAuth 2.0 password grant (and rotating refresh_token grant). Access tokens live 1 hour, refresh tokens 30 days.',
        body: TokenRequest,
        response: { 200: TokenResponse, 400: OAuthErrorBody, 401: OAuthErrorBody, 429: OAuthErrorBody },
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
          client_id: field(body, 'client_id'),
          client_secret: field(body, 'client_secret'),
        });
      }
      if (grantType === 'refresh_token') {
        return auth.refreshGrant({
          refresh_token: field(body, 'refresh_token'),
          client_id: field(body, 'client_id'),
          client_secret: field(body, 'client_secret'),
        });
      }
      throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
    },
  );
}
