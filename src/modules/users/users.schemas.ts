import { type Static, Type } from '@sinclair/typebox';
import { Envelope, IntegerEnum, StringEnum } from '../../http/schemas.js';

const RoleId = IntegerEnum([1, 2, 3], {
  description: 'The role of the user: 1 Admin, 2 Standard, 3 ReadOnly',
});
const UserStatus = StringEnum(['active', 'inactive'], { description: 'The status of the user' });
const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: "The user's e-mail, used to log in",
});
const Password = Type.String({ minLength: 8, maxLength: 200, description: 'At least 8 characters' });

export const UserEntry = Type.Object(
  {
    group_id: Type.Integer({ minimum: 1, description: 'The group the user belongs to' }),
    user_email: Email,
    password: Password,
    first_name: Type.String({ minLength: 1, maxLength: 100 }),
    last_name: Type.String({ minLength: 1, maxLength: 100 }),
    user_title: Type.Optional(Type.String({ maxLength: 100 })),
    user_ext_id: Type.Optional(Type.String({ maxLength: 255 })),
    role_id: RoleId,
    user_status: Type.Optional(UserStatus),
    access_audio: Type.Optional(Type.Boolean({ description: 'May listen to and download recordings' })),
  },
  { additionalProperties: false },
);
export type UserEntry = Static<typeof UserEntry>;

export const UserUpdate = Type.Object(
  {
    ct_user_id: Type.Integer({ minimum: 1, description: 'The user to update' }),
    group_id: Type.Optional(Type.Integer({ minimum: 1 })),
    user_email: Type.Optional(Email),
    password: Type.Optional(Password),
    first_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    last_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    user_title: Type.Optional(Type.String({ maxLength: 100 })),
    user_ext_id: Type.Optional(Type.String({ maxLength: 255 })),
    role_id: Type.Optional(RoleId),
    user_status: Type.Optional(UserStatus),
  },
  { additionalProperties: false },
);
export type UserUpdate = Static<typeof UserUpdate>;

export const PermissionsUpdate = Type.Object(
  {
    ct_user_id: Type.Integer({ minimum: 1, description: 'The user whose permissions change' }),
    role_id: Type.Optional(RoleId),
    access_audio: Type.Optional(Type.Boolean({ description: 'May listen to and download recordings' })),
  },
  { additionalProperties: false },
);
export type PermissionsUpdate = Static<typeof PermissionsUpdate>;

export const Permissions = Type.Object({
  ct_user_id: Type.Integer(),
  group_id: Type.Integer(),
  role_id: Type.Integer(),
  role_name: Type.String(),
  access_audio: Type.Boolean(),
  can_edit: Type.Boolean({ description: 'may create, change and delete (not ReadOnly)' }),
  can_manage_users: Type.Boolean({ description: 'may manage groups, users and permissions (Admin)' }),
});
export type Permissions = Static<typeof Permissions>;

export const UserEntries = Type.Array(UserEntry, { minItems: 1, maxItems: 500 });
export const UserUpdates = Type.Array(UserUpdate, { minItems: 1, maxItems: 500 });
export const PermissionsUpdates = Type.Array(PermissionsUpdate, { minItems: 1, maxItems: 500 });
export const PermissionsEnvelope = Envelope(Permissions);
