import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';
import type { AuthService } from '../modules/auth/auth.service.js';
import { type Principal, Roles } from '../modules/auth/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** the V2 swagger name of the body parameter, used in validation errors */
    v2BodyName?: string;
    /** true on a non-GET route that changes nothing (a search), so ReadOnly users may call it */
    isReadOnly?: boolean;
  }
}

const BEARER = /^bearer(?:\s+(.*))?$/i;

/**
 * Bearer-token authentication for every /v2 route, in onRequest so an unauthenticated caller
 * learns nothing from validation. V2's codes: no header, unknown or expired token -> 401;
 * a header whose token is empty -> 400. ReadOnly users are refused every write here, once.
 */
async function authenticatePlugin(app: FastifyInstance, { auth }: { auth: AuthService }) {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : BEARER.exec(header.trim());
    if (!match) throw new AppError('UNAUTHENTICATED', 'Unauthorized');
    const token = (match[1] ?? '').trim();
    if (token === '') throw new AppError('INVALID_INPUT', 'Bad Request: the bearer token is empty');
    const principal = await auth.authenticate(token);
    if (!principal) throw new AppError('UNAUTHENTICATED', 'Unauthorized');
    request.principal = principal;

    const isWrite =
      request.method !== 'GET' && request.method !== 'HEAD' && !request.routeOptions.config.isReadOnly;
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
