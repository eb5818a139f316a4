/**
 * The shapes the console reads, taken from the server's own route schemas (type-only imports:
 * nothing of the server reaches the bundle), so the two never drift apart.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { BlacklistedNumber as BlacklistedNumberSchema } from '../../../src/modules/blacklist/blacklist.schemas.js';
import type {
  ActionOutcome as ActionOutcomeSchema,
  CallActionLogEnvelope,
  CallAction as CallActionSchema,
} from '../../../src/modules/callactions/callactions.schemas.js';
import type { CallFlowSummary as CallFlowSummarySchema } from '../../../src/modules/callflows/callflow-lists.schemas.js';
import type { LiveCall as ServerLiveCall } from '../../../src/modules/calls/call-live.js';
import type { CallRecordSchema } from '../../../src/modules/calls/call-record.js';
import type { BreakdownDimension as ServerBreakdownDimension } from '../../../src/modules/calls/call-reports.repo.js';
import type {
  BreakdownEnvelope,
  SeriesEnvelope,
  SummaryEnvelope,
} from '../../../src/modules/calls/call-reports.schemas.js';
import type { Campaign as CampaignSchema } from '../../../src/modules/campaigns/campaigns.schemas.js';
import type { CustomSource as CustomSourceSchema } from '../../../src/modules/customsources/customsources.schemas.js';
import type { GroupWithUsers as GroupWithUsersSchema } from '../../../src/modules/groups/groups.schemas.js';
import type { Me as MeSchema, ScopeGroup as ScopeGroupSchema } from '../../../src/modules/me/me.schemas.js';
import type { Channel as ChannelSchema } from '../../../src/modules/misc/misc.schemas.js';
import type { ReservedNumber as ReservedNumberSchema } from '../../../src/modules/numbers/numbers.schemas.js';
import type { SignInEnvelope } from '../../../src/modules/session/session.schemas.js';
import type { Tag as TagSchema } from '../../../src/modules/tags/tags.schemas.js';
import type { Permissions as PermissionsSchema } from '../../../src/modules/users/users.schemas.js';
import type {
  WebhookCreateEnvelope,
  WebhookDelivery as WebhookDeliverySchema,
  Webhook as WebhookSchema,
} from '../../../src/modules/webhooks/webhooks.schemas.js';

type DataOf<T extends TSchema> = Static<T> extends { data: infer D } ? D : never;

export type CallRecord = Static<typeof CallRecordSchema>;
export type Me = Static<typeof MeSchema>;
export type ScopeGroup = Static<typeof ScopeGroupSchema>;
export type SignIn = DataOf<typeof SignInEnvelope>;
export type CallSummary = DataOf<typeof SummaryEnvelope>;
export type SeriesBucket = DataOf<typeof SeriesEnvelope>[number];
export type BreakdownRow = DataOf<typeof BreakdownEnvelope>[number];
export type BreakdownDimension = ServerBreakdownDimension;
export type LiveCall = ServerLiveCall;
export type Webhook = Static<typeof WebhookSchema>;
export type WebhookCreated = DataOf<typeof WebhookCreateEnvelope>;
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;
export type Campaign = Static<typeof CampaignSchema>;
export type CallFlowSummary = Static<typeof CallFlowSummarySchema>;
export type Tag = Static<typeof TagSchema>;
export type CallActionLog = DataOf<typeof CallActionLogEnvelope>;
export type ReservedNumber = Static<typeof ReservedNumberSchema>;
export type Channel = Static<typeof ChannelSchema>;
export type GroupWithUsers = Static<typeof GroupWithUsersSchema>;
export type GroupUser = GroupWithUsers['users'][number];
export type Permissions = Static<typeof PermissionsSchema>;
export type BlacklistedNumber = Static<typeof BlacklistedNumberSchema>;
export type CustomSource = Static<typeof CustomSourceSchema>;
export type CallAction = Static<typeof CallActionSchema>;
export type ActionOutcome = Static<typeof ActionOutcomeSchema>;
