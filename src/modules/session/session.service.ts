import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { safeEqual, sha256 } from '../../lib/secrets.js';
import type { AuthService } from '../auth/auth.service.js';
import type { Principal } from '../auth/principal.js';
import { createSessionRepo } from './session.repo.js';

/** The OAuth client id a console session's principal carries: the console is not an OAuth client. */
export const CONSOLE_CLIENT_ID = 'console';

/** last_seen_at is written at most this often per session, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export interface SessionServiceDeps {
  db: Db;
  clock: Clock;
  /** checks e-mail and password, with the token endpoint's per-account back-off */
  auth: Pick<AuthService, 'checkCredentials'>;
  idleMinutes: number;
  maxHours: number;
}

export interface NewSession {
  /** the cookie's value: shown to the browser once, stored only as its SHA-256 */
  token: string;
  csrfToken: string;
  expiresAt: Date;
  userId: number;
}

/** One answer for a wrong e-mail, password or an inactive user: the caller learns nothing about which. */
export const invalidSignIn = () => new AppError('UNAUTHENTICATED', 'Invalid e-mail or password');

/**
 * The CSRF token of a session: derived from its secret value, so the server stores nothing more
 * and a page of another site, which can neither read the cookie nor our responses, cannot know it.
 */
export const csrfTokenOf = (token: string): string =>
  createHmac('sha256', token).update('switchboard console csrf').digest('base64url');

export function createSessionService({ db, clock, auth, idleMinutes, maxHours }: SessionServiceDeps) {
  const repo = createSessionRepo(db);
  const idleMs = idleMinutes * 60_000;
  const idleSince = (now: Date) => new Date(now.getTime() - idleMs);

  return {
    idleMinutes,

    /** Checks the credentials and opens a session; a session the browser still had ends. */
    async signIn(email: string, password: string, previousToken?: string): Promise<NewSession> {
      const { userId, waitSeconds } = await auth.checkCredentials(email, password);
      if (waitSeconds !== undefined) {
        throw new AppError(
          'RATE_LIMITED',
          `Too many failed sign-ins for this account, retry in ${waitSeconds} s`,
          {
            retryAfterSeconds: waitSeconds,
          },
        );
      }
      if (userId === undefined) throw invalidSignIn();
      if (previousToken) await repo.delete(sha256(previousToken));
      const token = randomBytes(32).toString('base64url');
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + maxHours * 3_600_000);
      await repo.insert(sha256(token), userId, now, expiresAt);
      return { token, csrfToken: csrfTokenOf(token), expiresAt, userId };
    },

    /** The principal of a live session, and the session counts as used; undefined when it ended. */
    async authenticate(token: string): Promise<Principal | undefined> {
      const sessionHash = sha256(token);
      const now = clock.now();
      const row = await repo.findLive(sessionHash, now, idleSince(now));
      if (!row) return undefined;
      if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_INTERVAL_MS) await repo.touch(sessionHash, now);
      return {
        userId: row.ct_user_id,
        groupId: row.group_id,
        roleId: row.role_id,
        clientId: CONSOLE_CLIENT_ID,
      };
    },

    /** Whether the session is still live, without counting as use (the live stream's heartbeat). */
    async isLive(token: string): Promise<boolean> {
      const now = clock.now();
      return (await repo.findLive(sha256(token), now, idleSince(now))) !== undefined;
    },

    isCsrfTokenValid: (token: string, presented: string | undefined): boolean =>
      presented !== undefined && safeEqual(presented, csrfTokenOf(token)),

    signOut: (token: string): Promise<void> => repo.delete(sha256(token)),

    purgeEnded: (): Promise<number> => {
      const now = clock.now();
      return repo.deleteEnded(now, idleSince(now));
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
