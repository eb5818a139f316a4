import { type Static, Type } from '@sinclair/typebox';
import {
  EntryResult,
  Envelope,
  MAX_ID,
  NullableInteger,
  NullableNumber,
  NullableString,
  StringEnum,
  Timestamp,
} from '../../http/schemas.js';

export const CAMPAIGN_STATUSES = ['active', 'inactive', 'deleted'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** V2's description, copied into ENUM_MISMATCH errors letter for letter. */
export const CampaignStatusSchema = StringEnum(CAMPAIGN_STATUSES, {
  description: 'The current status of the campaign',
});

/** RFC 3339 as V2's swagger `format: date-time` demands, e.g. `2026-03-07T15:00:00.000Z`. */
const DateTimeInput = (description: string) => Type.String({ format: 'date-time', description });

export const Campaign = Type.Object({
  campaign_id: Type.Integer(),
  campaign_name: Type.String(),
  campaign_ext_id: Type.String({ description: 'Your own id for the campaign; may be ""' }),
  campaign_status: CampaignStatusSchema,
  campaign_start_date: Timestamp,
  campaign_end_date: NullableString(),
  campaign_created: Timestamp,
  campaign_modified: NullableString(),
  campaign_owner_user_id: Type.Integer(),
  owner_fname: Type.String(),
  owner_lname: Type.String(),
  group_id: Type.Integer(),
});
export type Campaign = Static<typeof Campaign>;

export const CampaignUser = Type.Object({
  ct_user_id: Type.Integer(),
  first_name: Type.String(),
  last_name: Type.String(),
  user_email: Type.String(),
  user_ext_id: NullableString(),
  user_title: NullableString(),
  role_id: Type.Integer({ description: '1 Admin, 2 Standard, 3 ReadOnly' }),
  user_status: Type.String(),
  group_id: Type.Integer(),
  password: Type.String({ description: 'Always a placeholder: passwords are stored hashed, never returned' }),
});
export type CampaignUser = Static<typeof CampaignUser>;

export const CampaignRoute = Type.Object({
  call_flow_id: Type.Integer(),
  route_type: Type.String(),
  call_flow_name: Type.String(),
  call_flow_created: Timestamp,
  call_flow_modified: NullableString(),
  call_flow_status: Type.String(),
  repeat_interval: NullableInteger(),
  call_value: NullableNumber(),
});
export type CampaignRoute = Static<typeof CampaignRoute>;

export const CampaignWithUsers = Type.Composite([Campaign, Type.Object({ users: Type.Array(CampaignUser) })]);
export type CampaignWithUsers = Static<typeof CampaignWithUsers>;

export const CampaignWithRoutes = Type.Composite([
  Campaign,
  Type.Object({ campaign_routes: Type.Array(CampaignRoute) }),
]);
export type CampaignWithRoutes = Static<typeof CampaignWithRoutes>;

/**
 * One entry of POST /v2/campaign. The required properties come first, in the order V2 reports
 * them missing (`[{}]` names campaign_start_date, campaign_owner_user_id, group_id, campaign_name).
 */
export const CampaignEntry = Type.Object(
  {
    campaign_start_date: DateTimeInput('When the campaign starts'),
    campaign_owner_user_id: Type.Integer({
      minimum: 1,
      maximum: MAX_ID,
      description: 'The user who owns the campaign',
    }),
    group_id: Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'The group the campaign belongs to' }),
    campaign_name: Type.String({ minLength: 3, maxLength: 255, description: 'The name of the campaign' }),
    campaign_id: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_ID,
        description: 'Absent or 0 creates a campaign; an existing id updates it',
      }),
    ),
    campaign_status: Type.Optional(CampaignStatusSchema),
    campaign_ext_id: Type.Optional(
      Type.String({ maxLength: 255, description: 'Your own id for the campaign' }),
    ),
    campaign_end_date: Type.Optional(
      NullableString({ format: 'date-time', description: 'When the campaign ends; null for open-ended' }),
    ),
    campaign_created: Type.Optional(DateTimeInput('Accepted for compatibility; the server sets it')),
    campaign_modified: Type.Optional(DateTimeInput('Accepted for compatibility; the server sets it')),
    campaign_users: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: MAX_ID }), {
        maxItems: 1000,
        description: 'ct_user_ids to attach to the campaign; users already attached stay attached',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CampaignEntry = Static<typeof CampaignEntry>;

export const CampaignEntries = Type.Array(CampaignEntry, { minItems: 1, maxItems: 1000 });

export const CampaignUserEntry = Type.Object(
  {
    campaign_id: Type.Integer({
      minimum: 1,
      maximum: MAX_ID,
      description: 'The campaign to add the user to',
    }),
    ct_user_id: Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'The user to add' }),
  },
  { additionalProperties: false },
);
export type CampaignUserEntry = Static<typeof CampaignUserEntry>;

export const CampaignUserEntries = Type.Array(CampaignUserEntry, { minItems: 1, maxItems: 1000 });

export const CampaignDelete = Type.Object(
  {
    campaign_id: Type.Array(Type.Integer({ minimum: 1, maximum: MAX_ID }), {
      minItems: 1,
      maxItems: 1000,
      description: 'The campaigns to delete',
    }),
  },
  { additionalProperties: false },
);

/** V2's bare per-entry reply (POST /v2/campaign): no envelope around the array. */
export const EntryResults = Type.Array(EntryResult);

export const CampaignEnvelope = Envelope(Campaign);
export const CampaignListEnvelope = Envelope(Type.Array(Campaign));
export const CampaignUsersListEnvelope = Envelope(Type.Array(CampaignWithUsers));
export const CampaignRoutesListEnvelope = Envelope(Type.Array(CampaignWithRoutes));
export const DeletedCampaignsEnvelope = Envelope(
  Type.Array(Type.Integer(), { description: 'The ids of the deleted campaigns' }),
);
