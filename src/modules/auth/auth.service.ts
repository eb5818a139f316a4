import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { OAuthError } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { dummyPasswordHash, newToken, sha256, verifyPassword } from '../../lib/secrets.js';
import { createAuthRepo, type LoginBackoff } from './auth.repo.js';
import type { Principal } from './principal.js';
import { createTokenCache } from './token-cache.js';

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  status: 'success';
  token_type: 'Bearer';
}

export interface PasswordGrant {
  username: string;
  password: string;
  client_id: string;
  client_secret: string;
}

export interface RefreshGrant {
  refresh_token: string;
  client_id: string;
  client_secret: string;
}

export interface AuthServiceDeps {
  db: Db;
  clock: Clock;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/** One answer for a wrong user or password (V2's words): the caller learns nothing about which. */
const invalidCredentials = () => new OAuthError(401, 'invalid_grant', 'Invalid resource owner credentials');

/** A wrong client_id or client_secret (RFC 6749 section 5.2). */
export const invalidClient = () => new OAuthError(401, 'invalid_client', 'Client authentication failed');

/**
 * Password guessing is slowed per account, whatever address it comes from, in the database so
 * that every process counts alike: 5 failures are free, then each failure makes the account wait
 * before its next attempt, 1 s, 2 s, 4 s ... up to 15 minutes; failures are forgotten an hour after
 * the last one and on a successful login. An unknown account is counted like a known one.
 */
export const LOGIN_BACKOFF: LoginBackoff = {
  freeFailures: 5,
  firstWaitMs: 1000,
  maxWaitMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/** What a login attempt found: the user, an account that must wait, or neither (wrong credentials). */
export interface LoginCheck {
  userId?: number;
  waitSeconds?: number;
}

/** Refused before the password is looked at, so the answer tells nothing about it. */
function accountWaits(seconds: number): OAuthError {
  return new OAuthError(
    429,
    'slow_down',
    `Too many failed logins for this account, retry in ${seconds} s`,
    seconds,
  );
}

export function createAuthService({
  db,
  clock,
  accessTokenTtlSeconds,
  refreshTokenTtlSeconds,
}: AuthServiceDeps) {
  const repo = createAuthRepo(db);
  const verified = createTokenCache();

  async function isClientValid(clientId: string, clientSecret: string): Promise<boolean> {
    const client = await repo.findClient(clientId);
    // Verify against a dummy hash when the client is unknown, so both cases take as long.
    const valid = await verifyPassword(client?.secret_hash ?? (await dummyPasswordHash()), clientSecret);
    return client !== undefined && valid;
  }

  async function mint(userId: number, clientId: string, familyId: string): Promise<TokenResponse> {
    const now = clock.now().getTime();
    const access = newToken();
    const refresh = newToken();
    await repo.insertTokens([
      {
        tokenHash: sha256(access),
        kind: 'access',
        clientId,
        userId,
        familyId,
        expiresAt: new Date(now + accessTokenTtlSeconds * 1000),
      },
      {
        tokenHash: sha256(refresh),
        kind: 'refresh',
        clientId,
        userId,
        familyId,
        expiresAt: new Date(now + refreshTokenTtlSeconds * 1000),
      },
    ]);
    return {
      access_token: access,
      refresh_token: refresh,
      expires_in: accessTokenTtlSeconds,
      status: 'success',
      token_type: 'Bearer',
    };
  }

  /**
   * Every login, a token grant or a console sign-in, goes through here: the attempt is counted
   * against the account before the password is looked at (LOGIN_BACKOFF), and a success forgets
   * the failures.
   */
  async function checkCredentials(username: string, password: string): Promise<LoginCheck> {
    const now = clock.now();
    const claim = await repo.claimLoginAttempt(username, now, LOGIN_BACKOFF);
    if (!claim.allowed) {
      return { waitSeconds: Math.max(1, Math.ceil((claim.blockedUntil.getTime() - now.getTime()) / 1000)) };
    }
    const user = await repo.findLoginUser(username);
    const passwordValid = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), password);
    if (!user || !passwordValid || user.user_status !== 'active') return {};
    await repo.clearLoginFailures(username);
    return { userId: user.ct_user_id };
  }

  return {
    checkCredentials,

    async passwordGrant(grant: PasswordGrant): Promise<TokenResponse> {
      // A wrong client is refused before the account is looked at: it learns nothing about the
      // password, so it is no guess and does not count against the account.
      if (!(await isClientValid(grant.client_id, grant.client_secret))) throw invalidClient();
      const login = await checkCredentials(grant.username, grant.password);
      if (login.waitSeconds !== undefined) throw accountWaits(login.waitSeconds);
      if (login.userId === undefined) throw invalidCredentials();
      return mint(login.userId, grant.client_id, randomUUID());
    },

    /**
     * Rotating refresh: the presented token dies and a new pair is issued in the same family.
     * Presenting a token that was already used revokes the whole family: one of the two holders
     * is not the user. A deactivated user's token revokes every token of the user.
     */
    async refreshGrant(grant: RefreshGrant): Promise<TokenResponse> {
      if (!(await isClientValid(grant.client_id, grant.client_secret))) throw invalidClient();
      const tokenHash = sha256(grant.refresh_token);
      let revokedUser: number | undefined;
      const consumed = await db.transaction(async (tx) => {
        const txRepo = createAuthRepo(tx);
        const live = await txRepo.consumeRefreshToken(tokenHash, grant.client_id, clock.now());
        if (live?.is_user_active) return live;
        if (live) {
          await txRepo.revokeUser(live.ct_user_id);
          revokedUser = live.ct_user_id;
          return undefined;
        }
        const reusedFamily = await txRepo.findFamilyOfUsedRefreshToken(tokenHash);
        if (reusedFamily) revokedUser = await txRepo.revokeFamily(reusedFamily);
        return undefined;
      });
      if (revokedUser !== undefined) verified.forgetUser(revokedUser);
      if (!consumed) throw new OAuthError(401, 'invalid_grant', 'Invalid refresh token');
      return mint(consumed.ct_user_id, grant.client_id, consumed.family_id);
    },

    /** The principal behind an access token; undefined when the token is unknown or expired. */
    async authenticate(accessToken: string): Promise<Principal | undefined> {
      const tokenHash = sha256(accessToken);
      const cached = verified.get(tokenHash, clock.now().getTime());
      if (cached) return cached;
      const epoch = verified.epoch();
      const row = await repo.findAccessToken(tokenHash);
      if (!row || row.expires_at.getTime() <= clock.now().getTime()) return undefined;
      const principal: Principal = {
        userId: row.ct_user_id,
        groupId: row.group_id,
        roleId: row.role_id,
        clientId: row.client_id,
      };
      verified.set(tokenHash, principal, row.expires_at.getTime(), epoch);
      return principal;
    },

    /**
     * Forgets the cached tokens of a user whose status, group or role changed through this
     * process; other processes hear of it by NOTIFY (migration 0019).
     */
    forgetUser: (userId: number): void => verified.forgetUser(userId),

    /** Listens for revocations from any process; resolves to a stop function. */
    start(): Promise<() => Promise<void>> {
      return db.listen('access_revoked', (payload) => {
        const userId = Number.parseInt(payload, 10);
        if (Number.isInteger(userId)) verified.forgetUser(userId);
        else verified.clear();
      });
    },

    purgeExpiredTokens: () => repo.deleteExpired(clock.now()),

    /** Deletes the failed logins that are forgotten by now. */
    pruneLoginFailures: () =>
      repo.pruneLoginFailures(new Date(clock.now().getTime() - LOGIN_BACKOFF.forgetAfterMs)),
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
