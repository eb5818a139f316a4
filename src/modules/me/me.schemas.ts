import { type Static, Type } from '@sinclair/typebox';
import { Envelope, IntegerEnum, MAX_ID, NullableInteger, NullableString } from '../../http/schemas.js';

export const Me = Type.Object({
  ct_user_id: Type.Integer(),
  user_email: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  role_id: IntegerEnum([1, 2, 3], { description: '1 Admin, 2 Standard, 3 ReadOnly' }),
  role_name: Type.String(),
  can_edit: Type.Boolean({ description: 'false for ReadOnly users: every write is refused' }),
  can_manage_users: Type.Boolean(),
  access_audio: Type.Boolean({ description: 'may listen to and download recordings' }),
  group_id: Type.Integer({ description: "the user's own group: the top of what they can see" }),
  group_name: Type.String(),
  console_group_id: Type.Integer({
    description:
      'the group the console shows: the one remembered from the group switcher, else the own group',
  }),
  csrf_token: NullableString({
    description: 'with a console session: the X-CSRF-Token its writes carry; null with a bearer token',
  }),
});
export type Me = Static<typeof Me>;

export const MeEnvelope = Envelope(Me);

export const ScopeGroup = Type.Object({
  group_id: Type.Integer(),
  group_name: Type.String(),
  group_parent_id: NullableInteger(),
  group_status: Type.String(),
  depth: Type.Integer({ description: '0 for your own group, 1 for the groups right below it ...' }),
  time_zone: Type.String({
    description: "IANA zone of the group: from its ZIP code, else its state, else its parent's, else UTC",
  }),
});
export type ScopeGroup = Static<typeof ScopeGroup>;

export const ScopeGroupListEnvelope = Envelope(Type.Array(ScopeGroup));

export const PreferencesBody = Type.Object(
  {
    console_group_id: NullableInteger({
      minimum: 1,
      maximum: MAX_ID,
      description: 'the group the console shows (a group of your scope); null forgets it',
    }),
  },
  { additionalProperties: false },
);
