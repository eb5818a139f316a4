import { type Static, Type } from '@sinclair/typebox';
import { PhoneInput, StringEnum } from '../../http/schemas.js';
import { SmsFlowFields } from './callflow-sms.schemas.js';
import { GeoData, Hunt, MultilevelIvrFlow, ScheduleRoute } from './callflows.schemas.js';

/**
 * POST /v2/callflow and POST /v2/callflow/outbound: one call flow per entry, with the route chosen
 * by `routable_type`. The fields every flow has are the multi-level IVR's, spelled the same way.
 */

/** Request key -> the `routable_type` V2 stores and answers; a hangup flow is a SimpleRoute. */
export const ROUTE_TYPES = {
  simple: 'SimpleRoute',
  ivr: 'IvrRoute2',
  geo: 'GeoRoute',
  percentage: 'PercentageBasedRoute',
  schedule: 'ScheduleRoute',
  outbound: 'OutboundRoute',
  voicemail: 'VoicemailRoute',
  hangup: 'SimpleRoute',
} as const;

export type RouteKey = keyof typeof ROUTE_TYPES;

/** QA sends `Simple`; the multi-level IVR spells actions in lower case. Both are accepted. */
export const IVR_ROUTE_TYPES = [
  'Simple',
  'Geo',
  'Schedule',
  'Voicemail',
  'Hangup',
  'simple',
  'geo',
  'schedule',
  'voicemail',
  'hangup',
] as const;

const Disclaimer = StringEnum(['before', 'after', 'never'], {
  description: 'recording notice relative to the message',
});

/** One option of a single-level IVR, as V2's QA suite sends it (`Key` or `key`). */
export const IvrItem = Type.Object(
  {
    key: Type.Optional(Type.Integer({ description: 'the digit that selects this option, 0-9' })),
    Key: Type.Optional(Type.Integer({ description: 'the same as key (V2 clients send either spelling)' })),
    name: Type.Optional(Type.String({ description: 'label shown in reports' })),
    message_enabled: Type.Optional(Type.Boolean()),
    message: Type.Optional(Type.String({ description: "the option's prompt" })),
    route_type: Type.Optional(
      StringEnum(IVR_ROUTE_TYPES, { description: 'what the option does; Simple when left out' }),
    ),
    record_enabled: Type.Optional(Type.Boolean()),
    play_disclaimer: Type.Optional(Disclaimer),
    target_did: Type.Optional(PhoneInput('number to connect (Simple); the literal hangup hangs up')),
    ...Hunt,
    whisper_enabled: Type.Optional(Type.Boolean()),
    whisper_message: Type.Optional(Type.String({ description: 'played to the answering party only' })),
    screen_calls: Type.Optional(Type.Boolean({ description: 'the answering party presses 1 to accept' })),
    voicemail_enabled: Type.Optional(Type.Boolean({ description: 'take a message after every leg fails' })),
    geoData: Type.Optional(GeoData),
    scheduleRoute: Type.Optional(ScheduleRoute),
  },
  { additionalProperties: false },
);

export const GeoRoute = Type.Object(
  {
    ...GeoData.properties,
    play_branding: Type.Optional(Type.Boolean({ description: 'play the message before routing' })),
    allow_manual_entry: Type.Optional(
      Type.Boolean({ description: 'let the caller key in a ZIP code when it cannot be derived' }),
    ),
  },
  { additionalProperties: false },
);

export const PercentageOption = Type.Object(
  {
    ringToNum: PhoneInput('number this share of calls rings'),
    percentage: Type.Integer({ minimum: 1, maximum: 100, description: 'share of calls; all add up to 100' }),
    route_order: Type.Optional(Type.Integer({ minimum: 1, description: 'display order' })),
    activateVoicemail: Type.Optional(Type.Boolean({ description: 'take a message after every leg fails' })),
    ...Hunt,
  },
  { additionalProperties: false },
);

export const OutboundData = Type.Object(
  {
    pin: Type.String({ description: '4 to 8 digits the caller keys in before dialling out' }),
    callerid: Type.Optional(
      PhoneInput('caller id on the outbound leg, a number of your groups; the dialled number when left out'),
    ),
  },
  { additionalProperties: false },
);

const {
  ivrs: _ivrs,
  channel_id: _channel,
  message: _message,
  voicemail_rings,
  ...multilevelFields
} = MultilevelIvrFlow.properties;

const ServerSet = (description: string) =>
  Type.Optional(Type.String({ description: `${description}; accepted and ignored, the server sets it` }));

/** Every field a call flow has, whatever its route. */
const flowFields = {
  ...multilevelFields,
  call_flow_created: ServerSet('when the flow was created'),
  created_at: ServerSet('when the flow was created'),
  updated_at: ServerSet('when the flow was last saved'),
  channel_id: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'The ad source (channel); on create 35 (Other: Other) when left out, on update unchanged',
    }),
  ),
  default_ringto: Type.Optional(
    PhoneInput('10-digit number to ring, or hangup; required for simple, geo and schedule routes'),
  ),
  ring_delay: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 120, description: 'seconds to ring before moving on; 0 = default' }),
  ),
  message_enabled: Type.Optional(Type.Boolean()),
  message: Type.Optional(
    Type.String({ description: 'greeting (the menu prompt of an IVR): text or an audio reference_id' }),
  ),
  whisper_enabled: Type.Optional(Type.Boolean()),
  whisper_message: Type.Optional(Type.String({ description: 'played to the answering party only' })),
  screen_calls: Type.Optional(
    Type.Boolean({
      description: 'every answering party presses 1 to accept (voicemail cannot take the call)',
    }),
  ),
  dnis_as_cid: Type.Optional(
    Type.Boolean({ description: "show the tracking number to the answering party instead of the caller's" }),
  ),
  play_disclaimer: Type.Optional(Disclaimer),
  ...SmsFlowFields,
  record_enabled: Type.Optional(
    Type.Boolean({
      description: 'record every connection of the flow (every route type; on an IVR, every option)',
    }),
  ),
  record_until: Type.Optional(
    Type.String({
      description:
        'record calls that start before this date: YYYY-MM-DD (through the end of that day, UTC) or YYYY-MM-DDTHH:mm:ssZ (any offset); records even without record_enabled',
    }),
  ),
  voicemail_enabled: Type.Optional(Type.Boolean({ description: 'take a message after every leg fails' })),
  voicemail_rings,
  postcall_ivr_enabled: Type.Optional(Type.Boolean()),
  postcall_ivr_id: Type.Optional(Type.Integer({ minimum: 0 })),
  ...Hunt,
};

export const CallFlowEntry = Type.Object(
  {
    ...flowFields,
    routable_type: Type.String({
      description: 'simple, ivr, geo, percentage, schedule, outbound, voicemail or hangup',
    }),
    ivrs: Type.Optional(Type.Array(IvrItem, { description: 'ivr: the menu options (one level)' })),
    geo_route: Type.Optional(GeoRoute),
    ringto_percentage: Type.Optional(
      Type.Array(PercentageOption, { maxItems: 20, description: 'percentage: the destinations' }),
    ),
    schedule_data: Type.Optional(ScheduleRoute),
    outboundData: Type.Optional(OutboundData),
  },
  { additionalProperties: false },
);

export type CallFlowEntry = Static<typeof CallFlowEntry>;
export type IvrItem = Static<typeof IvrItem>;

export const CallFlowEntries = Type.Array(CallFlowEntry, { minItems: 1, maxItems: 500 });

export const OutboundFlowEntry = Type.Object(
  {
    ...flowFields,
    routable_type: Type.Optional(StringEnum(['outbound'], { description: 'outbound when left out' })),
    outboundData: Type.Optional(OutboundData),
  },
  { additionalProperties: false },
);

export type OutboundFlowEntry = Static<typeof OutboundFlowEntry>;

export const OutboundFlowEntries = Type.Array(OutboundFlowEntry, { minItems: 1, maxItems: 500 });
