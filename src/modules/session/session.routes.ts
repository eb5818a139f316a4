import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import { SignInBody, SignInEnvelope, SignOutEnvelope } from './session.schemas.js';
import type { SessionService } from './session.service.js';
import {
  clearSessionCookie,
  readSessionToken,
  type SessionCookie,
  setSessionCookie,
} from './session-cookie.js';

const tags = ['Session'];

export interface SessionRoutesOptions {
  sessions: SessionService;
  sessionCookie: SessionCookie;
  /** attempts per minute per client address, as on POST /oauth/token */
  rateLimitPerMinute: number;
}

/**
 * Console sign-in's per-address limit, the token endpoint's; guessing one account's password is
 * slowed per account by the auth service's back-off, shared with the token endpoint.
 */
export const signInThrottle = (rateLimitPerMinute: number) => ({
  max: rateLimitPerMinute,
  timeWindow: 60_000,
});

/** Sign-in: public, outside the authenticated /v2 scope. */
export const sessionSignInRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (
  app,
  { sessions, sessionCookie, rateLimitPerMinute },
) => {
  app.post(
    '/session',
    {
      schema: {
        tags,
        summary: 'Sign In',
        operationId: 'signIn',
        security: [],
        description:
          "Opens a console session (our design): the e-mail and password of an active user. The session is an httpOnly, SameSite=Strict cookie (Secure under https); the reply's `csrf_token` goes with every write as `X-CSRF-Token`. Throttled as `POST /oauth/token` is. Integrations use OAuth tokens instead.",
        body: SignInBody,
        response: { 200: SignInEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'session', rateLimit: signInThrottle(rateLimitPerMinute) },
    },
    async (request, reply) => {
      const session = await sessions.signIn(
        request.body.user_email,
        request.body.password,
        readSessionToken(request, sessionCookie),
      );
      setSessionCookie(reply, sessionCookie, session.token, session.expiresAt);
      reply.header('cache-control', 'no-store');
      return success({
        ct_user_id: session.userId,
        csrf_token: session.csrfToken,
        expires_at: session.expiresAt.toISOString(),
        idle_minutes: sessions.idleMinutes,
      });
    },
  );
};

/** Sign-out: inside the authenticated scope, so it is CSRF-checked like every write. */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (
  app,
  { sessions, sessionCookie },
) => {
  app.delete(
    '/session',
    {
      schema: {
        tags,
        summary: 'Sign Out',
        operationId: 'signOut',
        description: 'Ends the console session of the cookie (our design); the cookie is cleared.',
        response: { 200: SignOutEnvelope, ...v2ErrorResponses },
      },
      // a ReadOnly user may sign out: it changes no data
      config: { isReadOnly: true },
    },
    async (request, reply) => {
      if (request.sessionToken === undefined)
        throw new AppError('INVALID_INPUT', 'Sign-out ends a console session; this request has none');
      await sessions.signOut(request.sessionToken);
      clearSessionCookie(reply, sessionCookie);
      return success('Signed out');
    },
  );
};
