import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';
import type { AuthService } from '../modules/auth/auth.service.js';
import { type Principal, Roles } from '../modules/auth/principal.js';
import type { SessionService } from '../modules/session/session.service.js';
import { CSRF_HEADER, readSessionToken, type SessionCookie } from '../modules/session/session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    /** the console session's cookie value, when the caller signed in with one instead of a token */
    sessionToken: string | undefined;
  }
  interface FastifyContextConfig {
    /** the V2 swagger name of the body parameter, used in validation errors */
    v2BodyName?: string;
    /** true on a non-GET route that changes nothing (a search), so ReadOnly users may call it */
    isReadOnly?: boolean;
  }
}

const BEARER = /^bearer(?:\s+(.*))?$/i;

export interface AuthenticateOptions {
  auth: AuthService;
  sessions: SessionService;
  sessionCookie: SessionCookie;
  /** the console's origin (PUBLIC_BASE_URL's): a browser write from any other origin is refused */
  publicOrigin: string;
}

const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD';

async function bearerPrincipal(auth: AuthService, header: string): Promise<Principal> {
  const match = BEARER.exec(header.trim());
  if (!match) throw new AppError('UNAUTHENTICATED', 'Unauthorized');
  const token = (match[1] ?? '').trim();
  if (token === '') throw new AppError('INVALID_INPUT', 'Bad Request: the bearer token is empty');
  const principal = await auth.authenticate(token);
  if (!principal) throw new AppError('UNAUTHENTICATED', 'Unauthorized');
  return principal;
}

/**
 * The console's session cookie. A write must also carry the session's CSRF token in a header
 * (a page of another site cannot read it) and, when the browser names an Origin, come from ours.
 */
async function sessionPrincipal(
  request: FastifyRequest,
  { sessions, sessionCookie, publicOrigin }: AuthenticateOptions,
): Promise<Principal> {
  const token = readSessionToken(request, sessionCookie);
  if (token === undefined) throw new AppError('UNAUTHENTICATED', 'Unauthorized');
  const principal = await sessions.authenticate(token);
  if (!principal) throw new AppError('UNAUTHENTICATED', 'Unauthorized');
  if (!isSafeMethod(request.method)) {
    const origin = request.headers.origin;
    const csrf = request.headers[CSRF_HEADER];
    if (origin !== undefined && origin !== publicOrigin)
      throw new AppError('FORBIDDEN', 'Cross-origin request refused');
    if (!sessions.isCsrfTokenValid(token, typeof csrf === 'string' ? csrf : undefined))
      throw new AppError('FORBIDDEN', 'Missing or invalid CSRF token');
  }
  request.sessionToken = token;
  return principal;
}

/**
 * Authentication for every /v2 route, in onRequest so an unauthenticated caller learns nothing
 * from validation: a bearer token (integrations) or the console's session cookie, one scope for
 * both. V2's codes: no credentials, an unknown or expired token -> 401; a header whose token is
 * empty -> 400. ReadOnly users are refused every write here, once.
 */
async function authenticatePlugin(app: FastifyInstance, options: AuthenticateOptions) {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('sessionToken', undefined);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const principal =
      header === undefined
        ? await sessionPrincipal(request, options)
        : await bearerPrincipal(options.auth, header);
    request.principal = principal;

    const isWrite = !isSafeMethod(request.method) && !request.routeOptions.config.isReadOnly;
    if (isWrite && principal.roleId === Roles.READ_ONLY) {
      throw new AppError('FORBIDDEN', 'User has read-only access and cannot make changes');
    }
  });
}

export const authenticate = fp(authenticatePlugin, { name: 'switchboard-authenticate', encapsulate: false });

/** The caller of an authenticated route; the auth hook guarantees it is set. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', 'Unauthorized');
  return request.principal;
}
