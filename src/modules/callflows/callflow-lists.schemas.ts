import { type Static, Type } from '@sinclair/typebox';
import {
  EntryResult,
  Envelope,
  IdQuery,
  ListQuery,
  MAX_ID,
  NullableInteger,
  NullableNumber,
  NullableString,
  PhoneInput,
  StringEnum,
  Timestamp,
} from '../../http/schemas.js';

/** What every call-flow list row carries. */
export const CallFlowSummary = Type.Object({
  call_flow_id: Type.Integer(),
  call_flow_name: Type.String(),
  group_id: Type.Integer(),
  campaign_id: Type.Integer(),
  channel_id: Type.Integer(),
  channel: Type.String({ description: '"Category: Sub category"' }),
  channel_category: Type.String(),
  channel_sub_category: Type.String(),
  call_flow_status: Type.String({ description: 'active, inactive, suspended or deleted' }),
  routable_type: Type.String({ description: 'the route type, e.g. IvrRoute2' }),
  dnis: NullableString({
    description: 'the tracking number; null for a flow on a number pool',
  }),
  phone_number_id: NullableInteger(),
  pool_id: NullableInteger(),
  version: Type.Integer(),
  repeat_interval: NullableNumber(),
  call_value: NullableNumber(),
  call_flow_created: Timestamp,
  created_at: Timestamp,
  updated_at: NullableString(),
});

export const CallFlowNumber = Type.Object({
  phone_number_id: Type.Integer(),
  phone_number: Type.String({ description: '10-digit number' }),
  rate_center: Type.String(),
  npa: Type.String(),
  nxx: Type.String(),
  ocn: Type.Integer({ description: 'the last four digits as an integer, as V2 sends it' }),
});
export type CallFlowNumber = Static<typeof CallFlowNumber>;

export const CallFlowLocation = Type.Object({
  location_id: Type.Integer(),
  org_unit_id: Type.Integer({ description: 'the group that owns the location' }),
  location_name: Type.String(),
  location_created: Timestamp,
  location_modified: NullableString(),
  location_active: Type.Boolean(),
});

export const NumberPoolSettings = Type.Object({
  pool_id: Type.Integer(),
  pool_name: Type.String(),
  keep_alive_minutes: Type.Integer(),
  number_quantity: Type.Integer(),
  npa: NullableString(),
  nxx: NullableString(),
  created_at: Timestamp,
});

const withFields = <T extends Parameters<typeof Type.Object>[0]>(fields: T) =>
  Type.Composite([CallFlowSummary, Type.Object(fields)]);

/** The stored route document is spread into each row, so its fields pass through as stored. */
export const CallFlowWithRoute = Type.Object(CallFlowSummary.properties, { additionalProperties: true });
export const CallFlowWithLocation = withFields({ location: Type.Array(CallFlowLocation) });
export const CallFlowWithNumbers = withFields({ number: Type.Array(CallFlowNumber) });
export const CallFlowWithRecording = withFields({
  postcall_ivr_enabled: Type.Boolean(),
  postcall_ivr_id: NullableInteger(),
  record_until: NullableString({
    description: 'recording ends on this date; null = no end date',
  }),
});
export const CallFlowWithActions = withFields({
  actions: Type.Array(Type.Object({}, { additionalProperties: true }), {
    description: 'the call actions of the flow; always empty until call actions exist',
  }),
});
export const CallFlowWithDni = withFields({
  number_pool: NumberPoolSettings,
  number: Type.Array(CallFlowNumber),
});

export const CallFlowCounts = Type.Object({
  total: Type.Integer({ description: 'the flows a list would show' }),
  by_status: Type.Object({
    active: Type.Integer(),
    inactive: Type.Integer(),
    suspended: Type.Integer(),
    deleted: Type.Integer(),
  }),
  by_routable_type: Type.Record(Type.String(), Type.Integer(), {
    description: 'the flows a list would show, per route type',
  }),
});
export type CallFlowCounts = Static<typeof CallFlowCounts>;

export const CampaignFlowsQuery = Type.Object({
  ...IdQuery('The id of the campaign').properties,
  ...ListQuery.properties,
});

export const CountQuery = Type.Object({ filter: ListQuery.properties.filter });

export const CallFlowDelete = Type.Object(
  {
    call_flow_id: Type.Array(Type.Integer({ minimum: 1, maximum: MAX_ID }), {
      minItems: 1,
      maxItems: 1000,
      description: 'The call flows to delete',
    }),
  },
  { additionalProperties: false },
);

export const PoolNumberRemoval = Type.Object(
  {
    call_flow_id: Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'The call flow on the pool' }),
    phone_number: PhoneInput('The pool number to remove, 10-digit NANP'),
  },
  { additionalProperties: false },
);
export type PoolNumberRemoval = Static<typeof PoolNumberRemoval>;

export const PoolNumberRemovals = Type.Array(PoolNumberRemoval, { minItems: 1, maxItems: 500 });

export const NestedEntryResults = Type.Object({
  result: StringEnum(['success', 'error']),
  err: NullableString(),
  data: Type.Array(EntryResult),
});

export const SummaryListEnvelope = Envelope(Type.Array(CallFlowSummary));
export const DeletedCallFlowsEnvelope = Envelope(
  Type.Array(Type.Integer(), { description: 'The ids of the deleted call flows' }),
);
