import { type Static, Type } from '@sinclair/typebox';
import {
  EntryResult,
  Envelope,
  NullableInteger,
  NullableString,
  PhoneInput,
  StringEnum,
} from '../../http/schemas.js';

export const GroupStatus = StringEnum(['active', 'inactive'], { description: 'The status of the group' });

export const GroupUser = Type.Object({
  ct_user_id: Type.Integer(),
  user_ext_id: NullableString(),
  user_email: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  user_title: NullableString(),
  role_id: Type.Integer({ description: '1 Admin, 2 Standard, 3 ReadOnly' }),
  user_status: Type.String(),
  group_id: Type.Integer(),
});

export const Group = Type.Object({
  group_id: Type.Integer(),
  group_ext_id: NullableString(),
  group_name: Type.String(),
  group_parent_id: NullableInteger(),
  top_group_id: Type.Integer(),
  group_status: Type.String(),
  billing_id: Type.Integer(),
  address: NullableString(),
  city: NullableString(),
  state: NullableString(),
  zip: NullableString(),
  phone_number: NullableString(),
  industry_id: NullableInteger(),
  industry_name: NullableString(),
  group_created: Type.String(),
  group_modified: NullableString(),
});

export const GroupWithUsers = Type.Composite([Group, Type.Object({ users: Type.Array(GroupUser) })]);

export const GroupEntry = Type.Object(
  {
    group_id: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Absent or 0 creates a group; an existing id updates it' }),
    ),
    group_name: Type.String({ minLength: 1, maxLength: 255, description: 'The name of the group' }),
    group_parent_id: Type.Optional(
      Type.Integer({ minimum: 1, description: "The parent group (default: the caller's group)" }),
    ),
    group_status: Type.Optional(GroupStatus),
    group_ext_id: Type.Optional(Type.String({ maxLength: 255, description: 'Your own id for the group' })),
    billing_id: Type.Optional(Type.Integer({ description: 'The billing account: always the top group' })),
    address: Type.Optional(Type.String({ maxLength: 255 })),
    city: Type.Optional(Type.String({ maxLength: 255 })),
    state: Type.Optional(Type.String({ maxLength: 64 })),
    zip: Type.Optional(Type.String({ maxLength: 16 })),
    phone_number: Type.Optional(PhoneInput('The group phone number, 10-digit NANP')),
    industry_id: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type GroupEntry = Static<typeof GroupEntry>;

export const GroupEntries = Type.Array(GroupEntry, { minItems: 1, maxItems: 1000 });

/** V2's nested per-entry reply used by POST /v2/group. */
export const NestedEntryResults = Type.Object({
  result: StringEnum(['success', 'error']),
  err: NullableString(),
  data: Type.Array(EntryResult),
});

export const GroupEnvelope = Envelope(GroupWithUsers);
export const GroupListEnvelope = Envelope(Type.Array(Group));
export const GroupUsersListEnvelope = Envelope(Type.Array(GroupWithUsers));

export type GroupWithUsers = Static<typeof GroupWithUsers>;
