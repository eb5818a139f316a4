import type { Queryable } from '../../db/index.js';

export interface UserRow {
  ct_user_id: number;
  user_ext_id: string | null;
  user_email: string;
  first_name: string;
  last_name: string;
  user_title: string | null;
  role_id: number;
  user_status: string;
  group_id: number;
  access_audio: boolean;
}

export interface NewUser {
  group_id: number;
  user_email: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  user_title: string | null;
  user_ext_id: string | null;
  role_id: number;
  user_status: string;
  access_audio: boolean;
}

/** Columns an update may change; undefined leaves a column as it is. */
export type UserChanges = Partial<Omit<NewUser, 'user_email'> & { user_email: string }>;

const USER_COLUMNS = `ct_user_id, user_ext_id, user_email, first_name, last_name, user_title,
  role_id::integer as role_id, user_status, group_id, access_audio`;

const CHANGEABLE = [
  'group_id',
  'user_email',
  'password_hash',
  'first_name',
  'last_name',
  'user_title',
  'user_ext_id',
  'role_id',
  'user_status',
  'access_audio',
] as const;

export function createUsersRepo(db: Queryable) {
  return {
    /** The user when its group lies in the scope of `scopeGroupId`. */
    async findInScope(scopeGroupId: number, userId: number): Promise<UserRow | undefined> {
      const { rows } = await db.query<UserRow>(
        `select ${USER_COLUMNS} from app_user
          where ct_user_id = $2
            and group_id in (select group_id from org_group where path @> array[$1::integer])`,
        [scopeGroupId, userId],
      );
      return rows[0];
    },

    async insert(user: NewUser): Promise<number> {
      const { rows } = await db.query<{ ct_user_id: number }>(
        `insert into app_user (group_id, user_email, password_hash, first_name, last_name, user_title,
                               user_ext_id, role_id, user_status, access_audio)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning ct_user_id`,
        [
          user.group_id,
          user.user_email,
          user.password_hash,
          user.first_name,
          user.last_name,
          user.user_title,
          user.user_ext_id,
          user.role_id,
          user.user_status,
          user.access_audio,
        ],
      );
      return (rows[0] as { ct_user_id: number }).ct_user_id;
    },

    async update(userId: number, changes: UserChanges, now: Date): Promise<void> {
      const columns = CHANGEABLE.filter((column) => changes[column] !== undefined);
      await db.query(
        `update app_user set updated_at = $2${columns.map((column, i) => `, ${column} = $${i + 3}`).join('')}
          where ct_user_id = $1`,
        [userId, now, ...columns.map((column) => changes[column])],
      );
    },
  };
}
