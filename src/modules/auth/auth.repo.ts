import type { Queryable } from '../../db/index.js';
import type { RoleId } from './principal.js';

export interface ClientRow {
  client_id: string;
  secret_hash: string;
}

export interface LoginUserRow {
  ct_user_id: number;
  group_id: number;
  password_hash: string;
  user_status: string;
}

export interface AccessTokenRow {
  ct_user_id: number;
  group_id: number;
  role_id: RoleId;
  client_id: string;
  expires_at: Date;
}

export interface NewToken {
  tokenHash: string;
  kind: 'access' | 'refresh';
  clientId: string;
  userId: number;
  familyId: string;
  expiresAt: Date;
}

/** How failed logins slow an account down (auth.service.ts LOGIN_BACKOFF). */
export interface LoginBackoff {
  freeFailures: number;
  firstWaitMs: number;
  maxWaitMs: number;
  /** failures older than this are forgotten */
  forgetAfterMs: number;
}

/**
 * An account as login_failure names it: SHA-256 of the user name as posted, lower-cased, so no
 * typed text is kept (a password typed into the user name field, say) and any length fits.
 */
const ACCOUNT = `encode(sha256(convert_to(lower($1), 'UTF8')), 'hex')`;

/** The failures of the account once this one counts: one again when the last one is forgotten. */
const FAILURES_AFTER = `case when f.last_failed_at < $2::timestamptz - $6 * interval '1 millisecond' then 1
                              else f.failures + 1 end`;

/** How long the account then waits: none before the free failures are spent, then twice as long each time. */
const waitAfter = (failures: string) => `case when ${failures} >= $3::integer
  then $2::timestamptz + least($4 * power(2, ${failures} - $3::integer), $5) * interval '1 millisecond' end`;

/**
 * One login attempt of an account, counted as a failure up front (so a burst of concurrent
 * guesses is counted as it arrives, not after the slow password checks), or refused without a
 * count while the account waits; a successful login then clears the account. Answers `allowed`,
 * or when the account may try again.
 * $1 account, $2 now, $3 free failures, $4 first wait ms, $5 longest wait ms, $6 forget after ms.
 */
const CLAIM_LOGIN_SQL = `
with claimed as (
  insert into login_failure as f (account, failures, last_failed_at, blocked_until)
  values (${ACCOUNT}, 1, $2, ${waitAfter('1')})
  on conflict (account) do update
     set failures = ${FAILURES_AFTER},
         last_failed_at = $2,
         blocked_until = ${waitAfter(`(${FAILURES_AFTER})`)}
   where f.blocked_until is null or f.blocked_until <= $2
  returning true as allowed, null::timestamptz as blocked_until)
select allowed, blocked_until from claimed
union all
select false, blocked_until from login_failure
 where account = ${ACCOUNT} and not exists (select 1 from claimed)`;

export function createAuthRepo(db: Queryable) {
  return {
    async findClient(clientId: string): Promise<ClientRow | undefined> {
      const { rows } = await db.query<ClientRow>(
        'select client_id, secret_hash from oauth_client where client_id = $1',
        [clientId],
      );
      return rows[0];
    },

    async upsertClient(clientId: string, secretHash: string, name: string): Promise<void> {
      await db.query(
        `insert into oauth_client (client_id, secret_hash, name) values ($1, $2, $3)
         on conflict (client_id) do update set secret_hash = excluded.secret_hash, name = excluded.name`,
        [clientId, secretHash, name],
      );
    },

    async findLoginUser(email: string): Promise<LoginUserRow | undefined> {
      const { rows } = await db.query<LoginUserRow>(
        `select ct_user_id, group_id, password_hash, user_status
           from app_user where lower(user_email) = lower($1)`,
        [email],
      );
      return rows[0];
    },

    async insertTokens(tokens: NewToken[]): Promise<void> {
      const values = tokens.map(
        (_, i) =>
          `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6})`,
      );
      await db.query(
        `insert into oauth_token (token_hash, kind, client_id, ct_user_id, family_id, expires_at)
         values ${values.join(', ')}`,
        tokens.flatMap((t) => [t.tokenHash, t.kind, t.clientId, t.userId, t.familyId, t.expiresAt]),
      );
    },

    async findAccessToken(tokenHash: string): Promise<AccessTokenRow | undefined> {
      const { rows } = await db.query<AccessTokenRow>(
        `select t.ct_user_id, u.group_id, u.role_id, t.client_id, t.expires_at
           from oauth_token t join app_user u on u.ct_user_id = t.ct_user_id
          where t.token_hash = $1 and t.kind = 'access' and u.user_status = 'active'`,
        [tokenHash],
      );
      return rows[0];
    },

    /**
     * Marks a live refresh token used, atomically, and says whether its user is still active;
     * undefined when it was not live.
     */
    async consumeRefreshToken(
      tokenHash: string,
      clientId: string,
      now: Date,
    ): Promise<{ ct_user_id: number; family_id: string; is_user_active: boolean } | undefined> {
      const { rows } = await db.query<{ ct_user_id: number; family_id: string; is_user_active: boolean }>(
        `update oauth_token t set used_at = $3
           from app_user u
          where t.token_hash = $1 and t.kind = 'refresh' and t.client_id = $2
            and t.used_at is null and t.expires_at > $3 and u.ct_user_id = t.ct_user_id
          returning t.ct_user_id, t.family_id, u.user_status = 'active' as is_user_active`,
        [tokenHash, clientId, now],
      );
      return rows[0];
    },

    async findFamilyOfUsedRefreshToken(tokenHash: string): Promise<string | undefined> {
      const { rows } = await db.query<{ family_id: string }>(
        `select family_id from oauth_token where token_hash = $1 and kind = 'refresh' and used_at is not null`,
        [tokenHash],
      );
      return rows[0]?.family_id;
    },

    /** Deletes every token of the family; returns the user whose tokens they were. */
    async revokeFamily(familyId: string): Promise<number | undefined> {
      const { rows } = await db.query<{ ct_user_id: number }>(
        'delete from oauth_token where family_id = $1 returning ct_user_id',
        [familyId],
      );
      return rows[0]?.ct_user_id;
    },

    /** Deletes every token of a user (deactivated): no refresh token of theirs mints anything again. */
    async revokeUser(userId: number): Promise<void> {
      await db.query('delete from oauth_token where ct_user_id = $1', [userId]);
    },

    /** Claims a login attempt for the account (see CLAIM_LOGIN_SQL); when refused, until when it waits. */
    async claimLoginAttempt(
      account: string,
      now: Date,
      backoff: LoginBackoff,
    ): Promise<{ allowed: true } | { allowed: false; blockedUntil: Date }> {
      const { rows } = await db.query<{ allowed: boolean; blocked_until: Date | null }>(CLAIM_LOGIN_SQL, [
        account,
        now,
        backoff.freeFailures,
        backoff.firstWaitMs,
        backoff.maxWaitMs,
        backoff.forgetAfterMs,
      ]);
      const row = rows[0];
      if (row?.allowed) return { allowed: true };
      // no row: refused by a claim that another process committed after this statement began
      return {
        allowed: false,
        blockedUntil: row?.blocked_until ?? new Date(now.getTime() + backoff.firstWaitMs),
      };
    },

    /** A successful login: the account's failures are forgotten. */
    async clearLoginFailures(account: string): Promise<void> {
      await db.query(`delete from login_failure where account = ${ACCOUNT}`, [account]);
    },

    async pruneLoginFailures(before: Date): Promise<number> {
      const { rowCount } = await db.query(
        'delete from login_failure where last_failed_at < $1 and (blocked_until is null or blocked_until < $1)',
        [before],
      );
      return rowCount;
    },

    async deleteExpired(now: Date): Promise<number> {
      const { rowCount } = await db.query('delete from oauth_token where expires_at < $1', [now]);
      return rowCount;
    },
  };
}

export type AuthRepo = ReturnType<typeof createAuthRepo>;
