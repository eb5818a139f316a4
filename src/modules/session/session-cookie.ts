import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How the session cookie is named and sent: `__Host-` and Secure when the console is served over https. */
export interface SessionCookie {
  name: string;
  secure: boolean;
}

/** The header every write made with a session cookie must carry (see csrfTokenOf). */
export const CSRF_HEADER = 'x-csrf-token';

export function sessionCookieFor(publicBaseUrl: string): SessionCookie {
  const secure = new URL(publicBaseUrl).protocol === 'https:';
  return { name: secure ? '__Host-sb_session' : 'sb_session', secure };
}

export function readSessionToken(request: FastifyRequest, cookie: SessionCookie): string | undefined {
  const value = request.cookies[cookie.name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * httpOnly (scripts never see it), SameSite=Strict (no other site's page sends it), Path=/ and,
 * under https, Secure with the `__Host-` prefix (no subdomain can set or read it).
 */
export function setSessionCookie(reply: FastifyReply, cookie: SessionCookie, token: string, expiresAt: Date) {
  reply.setCookie(cookie.name, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: cookie.secure,
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, cookie: SessionCookie) {
  reply.clearCookie(cookie.name, { httpOnly: true, sameSite: 'strict', secure: cookie.secure, path: '/' });
}
