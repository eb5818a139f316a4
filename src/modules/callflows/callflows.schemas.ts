import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { PhoneInput, StringEnum } from '../../http/schemas.js';
import type { Assert, Equal } from '../../lib/type-equal.js';
import type * as Flow from '../../routing/flow-document.js';
import { IVR_ACTIONS, ROUTE_BY, SCHEDULE_DAY_IDS } from '../../routing/flow-document.js';
import { SmsFlowFields } from './callflow-sms.schemas.js';

/** Menus nest at most this deep: the top menu is level 1 (its options are `ivrs`). */
export const MAX_MENU_DEPTH = 6;

export const Rings = Type.Integer({
  minimum: 1,
  maximum: 20,
  description: 'rings before giving up; 1 ring = 6 seconds',
});

export const OverflowNumber = Type.Object(
  { overflowNumber: PhoneInput('10-digit number to ring next'), rings: Rings },
  { additionalProperties: false },
);

export const Hunt = {
  isSimultaneous: Type.Optional(Type.Boolean({ description: 'ring target_did and overflowNumbers at once' })),
  overflowNumbers: Type.Optional(
    Type.Array(OverflowNumber, { description: 'tried in order after target_did' }),
  ),
};

export const GeoData = Type.Object(
  {
    route_by: StringEnum(ROUTE_BY, { description: 'how the caller is matched to a branch' }),
    proximity_limit: Type.Optional(
      Type.Number({ minimum: 0, description: 'miles, for the proximity modes' }),
    ),
    location_id: Type.Optional(Type.Integer({ minimum: 0, description: 'the location (set of branches)' })),
    target_did: Type.Optional(PhoneInput('number to ring when no branch matches')),
  },
  { additionalProperties: false },
);

export const Schedule = Type.Object(
  {
    schedule_days: Type.Array(
      Type.Object({ id: StringEnum(SCHEDULE_DAY_IDS) }, { additionalProperties: false }),
      { minItems: 1 },
    ),
    schedule_start_time: Type.String({ description: '`HH:mm`, `h:mm AM` or `End of Day`' }),
    schedule_end_time: Type.String({ description: 'before the start time = an overnight window' }),
    ring_to: PhoneInput('number to ring inside the window'),
    ...Hunt,
    voicemail_enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ScheduleRoute = Type.Object(
  {
    timezone: Type.String({ description: 'US name (`Eastern`, `Atlantic` ...) or IANA name' }),
    default_ringto: Type.Optional(PhoneInput('number to ring outside every window')),
    voicemail_enabled: Type.Optional(Type.Boolean()),
    schedules: Type.Array(Schedule),
  },
  { additionalProperties: false },
);

const optionFields = {
  key: Type.Integer({ description: 'the digit that selects this option, 0-9' }),
  action: StringEnum(IVR_ACTIONS, { description: 'what the option does' }),
  destination: Type.Optional(Type.String({ description: 'label shown in reports' })),
  message: Type.Optional(
    Type.String({ description: "the option's prompt; for a sub-menu, its menu prompt" }),
  ),
  geoData: Type.Optional(GeoData),
  scheduleRoute: Type.Optional(ScheduleRoute),
  target_did: Type.Optional(PhoneInput('number to connect (simple)')),
  ...Hunt,
  record_enabled: Type.Optional(Type.Boolean()),
  play_disclaimer: Type.Optional(StringEnum(['before', 'after', 'never'])),
  whisper_enabled: Type.Optional(Type.Boolean()),
  whisper_message: Type.Optional(Type.String({ description: 'played to the answering party only' })),
  screen_calls: Type.Optional(
    Type.Boolean({ description: 'the answering party presses 1 to accept (voicemail cannot take the call)' }),
  ),
  voicemail_enabled: Type.Optional(Type.Boolean({ description: 'take a message after every leg fails' })),
  go_back_key: Type.Optional(Type.Integer({ description: 'below the top menu: returns to the parent menu' })),
};

/**
 * The option schema unrolled to MAX_MENU_DEPTH levels (a recursive $ref would collide in the shared
 * validator). Below the last level `ivrData` is accepted as-is so the per-entry check can say
 * "too deep" instead of failing the whole request.
 */
function ivrOption(level: number): TSchema {
  const children = level < MAX_MENU_DEPTH ? ivrOption(level + 1) : Type.Unknown();
  return Type.Object(
    { ...optionFields, ivrData: Type.Optional(Type.Array(children, { description: 'sub-menu options' })) },
    { additionalProperties: false },
  );
}

const OptionFields = Type.Object(optionFields);

export const MultilevelIvrFlow = Type.Object(
  {
    call_flow_id: Type.Optional(
      Type.Integer({ minimum: 0, description: '0 or absent creates; an id replaces that flow' }),
    ),
    call_flow_name: Type.String({ minLength: 1, maxLength: 255, description: 'The name of the call flow' }),
    call_flow_status: Type.Optional(
      StringEnum(['active', 'inactive', 'suspended'], { description: 'The status of the call flow' }),
    ),
    repeat_interval: Type.Optional(
      Type.Integer({ minimum: 0, description: 'hours a repeat caller counts as repeat' }),
    ),
    call_value: Type.Optional(Type.Number({ minimum: 0 })),
    channel_id: Type.Integer({ minimum: 1, description: 'The ad source (channel) of the call flow' }),
    message: Type.Optional(Type.String({ description: 'the top menu prompt' })),
    group_id: Type.Integer({ minimum: 1, description: 'The group that owns the call flow' }),
    campaign_id: Type.Integer({ minimum: 1, description: 'The campaign of the call flow' }),
    email_to_notify: Type.Optional(
      Type.String({ description: 'comma-separated e-mails notified after calls' }),
    ),
    voicemail_rings: Type.Optional(Rings),
    ring_delay: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 120,
        description: 'seconds the first target rings; 0 = default (18)',
      }),
    ),
    screen_calls: Type.Optional(
      Type.Boolean({
        description: 'every answering party presses 1 to accept (voicemail cannot take the call)',
      }),
    ),
    dnis_as_cid: Type.Optional(
      Type.Boolean({
        description: "show the tracking number to the answering party instead of the caller's",
      }),
    ),
    voicemail_greeting: Type.Optional(Type.String()),
    ...SmsFlowFields,
    webhook_enabled: Type.Optional(Type.Boolean()),
    webhook_id: Type.Optional(Type.Integer({ minimum: 0 })),
    spam_threshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    spam_filter_enabled: Type.Optional(Type.Boolean()),
    referral_number: Type.Optional(PhoneInput('fallback when menus give up; 0 = none')),
    number: Type.Optional(
      Type.Object(
        {
          phone_number_id: Type.Optional(Type.Integer({ minimum: 0 })),
          phone_number: Type.Optional(PhoneInput('the tracking number')),
        },
        { additionalProperties: false },
      ),
    ),
    number_pool: Type.Optional(
      Type.Object(
        {
          pool_id: Type.Optional(Type.Integer({ minimum: 0, description: '0 describes a new pool' })),
          pool_name: Type.Optional(Type.String({ maxLength: 255 })),
          // a DNI session TTL (up to 525,600) becomes the pool's keep-alive, and GET shows it
          keep_alive_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 525_600 })),
          number_quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          npa: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String()])),
          nxx: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String()])),
        },
        { additionalProperties: false },
      ),
    ),
    ivrs: Type.Array(ivrOption(1), { minItems: 1, description: 'the top menu options' }),
  },
  { additionalProperties: false },
);

/**
 * The schemas accept exactly the document the engine runs (routing/flow-document.ts): these fail
 * to compile when a field is added, dropped or retyped on one side only. The unrolled `ivrs`
 * levels are checked through the fields every level shares.
 */
type MultilevelIvrFlowFields = Omit<Static<typeof MultilevelIvrFlow>, 'ivrs'>;
export type SchemasMatchFlowDocument = [
  Assert<Equal<Static<typeof OverflowNumber>, Flow.OverflowNumber>>,
  Assert<Equal<Static<typeof GeoData>, Flow.GeoData>>,
  Assert<Equal<Static<typeof Schedule>, Flow.Schedule>>,
  Assert<Equal<Static<typeof ScheduleRoute>, Flow.ScheduleRoute>>,
  Assert<
    Equal<
      Static<typeof OptionFields>,
      Omit<Flow.IvrOption, 'ivrData' | 'geoData'> & { geoData?: Flow.GeoData }
    >
  >,
  Assert<Equal<MultilevelIvrFlowFields, Omit<Flow.MultilevelIvrFlow, 'ivrs'>>>,
  Assert<
    Equal<NonNullable<MultilevelIvrFlowFields['number']>, NonNullable<Flow.MultilevelIvrFlow['number']>>
  >,
  Assert<
    Equal<
      NonNullable<MultilevelIvrFlowFields['number_pool']>,
      NonNullable<Flow.MultilevelIvrFlow['number_pool']>
    >
  >,
];

export const MultilevelIvrFlows = Type.Array(MultilevelIvrFlow, { minItems: 1, maxItems: 500 });

export const BareEntryResults = Type.Array(
  Type.Object({
    result: StringEnum(['success', 'error']),
    data: Type.String(),
    entry_count: Type.Integer(),
  }),
);

/** GET returns the stored document plus V2's computed fields; the document's shape is above. */
export const CallFlowDocument = Type.Object(
  {
    call_flow_id: Type.Integer(),
    call_flow_name: Type.String(),
    call_flow_status: Type.String(),
    group_id: Type.Integer(),
    campaign_id: Type.Integer(),
    channel_id: Type.Integer(),
    channel: Type.String(),
    channel_category: Type.String(),
    channel_sub_category: Type.String(),
    routable_type: Type.String(),
    dnis: Type.Union([Type.String(), Type.Null()]),
    version: Type.Integer({ description: 'increases with every update; earlier versions are kept' }),
    call_flow_created: Type.String(),
    created_at: Type.String(),
    updated_at: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: true },
);
