import { type Static, Type } from '@sinclair/typebox';
import { Envelope, MAX_ID, StringEnum } from '../../http/schemas.js';

/** V2 names a call flow's five custom-source slots `custom_source_type_1` .. `custom_source_type_5`. */
export const SLOT_KEYS = [
  'custom_source_type_1',
  'custom_source_type_2',
  'custom_source_type_3',
  'custom_source_type_4',
  'custom_source_type_5',
] as const;
export type SlotKey = (typeof SLOT_KEYS)[number];

export const slotKey = (slot: number) => `custom_source_type_${slot}` as SlotKey;
export const slotOf = (key: SlotKey) => Number(key.slice('custom_source_type_'.length));

const CallFlowId = Type.Integer({ minimum: -MAX_ID, maximum: MAX_ID, description: 'The call flow' });
const SlotValue = Type.Integer({
  minimum: -MAX_ID,
  maximum: MAX_ID,
  description: 'A custom_source_id of the call flow group or a group above it',
});

/**
 * Unknown keys pass the schema on purpose: V2 answers them with its own business error, which
 * names the five valid keys.
 */
export const CallFlowCustomSourcesEntry = Type.Object(
  {
    call_flow_id: CallFlowId,
    custom_source_type_1: Type.Optional(SlotValue),
    custom_source_type_2: Type.Optional(SlotValue),
    custom_source_type_3: Type.Optional(SlotValue),
    custom_source_type_4: Type.Optional(SlotValue),
    custom_source_type_5: Type.Optional(SlotValue),
  },
  { additionalProperties: true },
);
export type CallFlowCustomSourcesEntry = Static<typeof CallFlowCustomSourcesEntry>;

export const CallFlowCustomSourcesEntries = Type.Array(CallFlowCustomSourcesEntry, {
  minItems: 1,
  maxItems: 1000,
});

/** `type` first: V2 reports it first when an entry lacks both fields. */
export const CallFlowCustomSourcesDelete = Type.Array(
  Type.Object(
    {
      type: Type.Array(StringEnum(SLOT_KEYS), {
        minItems: 1,
        description:
          "Valid Custom source type should be 'custom_source_type_1', 'custom_source_type_2', 'custom_source_type_3', 'custom_source_type_4', and 'custom_source_type_5'.",
      }),
      call_flow_id: CallFlowId,
    },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: 1000 },
);
export type CallFlowCustomSourcesDelete = Static<typeof CallFlowCustomSourcesDelete>;

export const SlotCustomSource = Type.Object({
  custom_source_id: Type.Integer(),
  custom_source_name: Type.String(),
  org_unit_id: Type.Integer({ description: 'The group that owns the custom source' }),
});
export type SlotCustomSource = Static<typeof SlotCustomSource>;

/** `{}` when the call flow has no custom source. */
export const CallFlowCustomSourceSlots = Type.Object({
  custom_source_type_1: Type.Optional(SlotCustomSource),
  custom_source_type_2: Type.Optional(SlotCustomSource),
  custom_source_type_3: Type.Optional(SlotCustomSource),
  custom_source_type_4: Type.Optional(SlotCustomSource),
  custom_source_type_5: Type.Optional(SlotCustomSource),
});
export type CallFlowCustomSourceSlots = Static<typeof CallFlowCustomSourceSlots>;

export const CallFlowCustomSourceSlotsEnvelope = Envelope(CallFlowCustomSourceSlots);
export const CallFlowCustomSourcesMessageEnvelope = Envelope(Type.String());
