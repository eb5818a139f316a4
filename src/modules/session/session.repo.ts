import type { Queryable } from '../../db/index.js';
import type { RoleId } from '../auth/principal.js';

export interface SessionUserRow {
  ct_user_id: number;
  group_id: number;
  role_id: RoleId;
  last_seen_at: Date;
}

export function createSessionRepo(db: Queryable) {
  return {
    async insert(sessionHash: string, userId: number, now: Date, expiresAt: Date): Promise<void> {
      await db.query(
        `insert into console_session (session_hash, ct_user_id, created_at, last_seen_at, expires_at)
         values ($1, $2, $3, $3, $4)`,
        [sessionHash, userId, now, expiresAt],
      );
    },

    /** The live session's active user: not expired, not idle since `idleSince`. */
    async findLive(sessionHash: string, now: Date, idleSince: Date): Promise<SessionUserRow | undefined> {
      const { rows } = await db.query<SessionUserRow>(
        `select s.ct_user_id, u.group_id, u.role_id, s.last_seen_at
           from console_session s join app_user u on u.ct_user_id = s.ct_user_id
          where s.session_hash = $1 and s.expires_at > $2 and s.last_seen_at > $3 and u.user_status = 'active'`,
        [sessionHash, now, idleSince],
        { prepare: 'console_session_find' },
      );
      return rows[0];
    },

    async touch(sessionHash: string, now: Date): Promise<void> {
      await db.query('update console_session set last_seen_at = $2 where session_hash = $1', [
        sessionHash,
        now,
      ]);
    },

    async delete(sessionHash: string): Promise<void> {
      await db.query('delete from console_session where session_hash = $1', [sessionHash]);
    },

    /** Sessions that can no longer be used: expired, or idle since `idleSince`. */
    async deleteEnded(now: Date, idleSince: Date): Promise<number> {
      const { rowCount } = await db.query(
        'delete from console_session where expires_at <= $1 or last_seen_at <= $2',
        [now, idleSince],
      );
      return rowCount;
    },
  };
}
