import { Type } from '@sinclair/typebox';
import {
  Envelope,
  ListQuery,
  MAX_ID,
  NullableInteger,
  NullableNumber,
  NullableString,
  StringEnum,
} from '../../http/schemas.js';
import { CallRecordSchema } from './call-record.js';
import { DISPOSITIONS } from './call-upload.js';

const Timezone = Type.Optional(
  Type.String({
    description: 'IANA time zone (e.g. America/New_York) that dates in `filter` are read in; UTC when absent',
    maxLength: 64,
  }),
);

export const CallListQuery = Type.Object({ ...ListQuery.properties, timezone: Timezone });

export const CallDetailQuery = Type.Object({
  ...ListQuery.properties,
  timezone: Timezone,
  recordURL: Type.Optional(Type.Boolean({ description: 'add `recordURL` (the recording link) to each row' })),
});

export const CallIdQuery = Type.Object({
  id: Type.Integer({ description: 'call_id', minimum: -MAX_ID, maximum: MAX_ID }),
});

export const RecordingQuery = Type.Object({
  id: CallIdQuery.properties.id,
  voicemail: Type.Optional(Type.Boolean({ description: 'the voicemail instead of the call recording' })),
});

export const METRICS_SECONDARY = ['campaign', 'channel', 'tracking_number'] as const;

export const MetricsQuery = Type.Object({
  ...ListQuery.properties,
  timezone: Timezone,
  secondary: Type.Optional(StringEnum(METRICS_SECONDARY, { description: 'second grouping dimension' })),
});

export const GroupCallLogQuery = Type.Object({
  id: Type.Integer({ description: 'group_id', minimum: -MAX_ID, maximum: MAX_ID }),
  ...ListQuery.properties,
  timezone: Timezone,
});

export const GroupActiveFlowQuery = Type.Object({
  id: Type.Integer({ description: 'group_id', minimum: -MAX_ID, maximum: MAX_ID }),
  ...ListQuery.properties,
});

const CallId = Type.Integer({ minimum: 0, maximum: MAX_ID, description: 'call_id' });

export const AddTagsBody = Type.Object(
  {
    tag_name: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
      minItems: 1,
      maxItems: 100,
      description: 'tag names; a name the call group does not know yet is created in the call group',
    }),
    call_id: CallId,
  },
  { additionalProperties: false },
);

export const RemoveTagsBody = Type.Object(
  {
    call_id: CallId,
    tag_id: Type.Array(Type.Integer({ minimum: 1, maximum: MAX_ID }), {
      minItems: 1,
      maxItems: 100,
      description: 'the tags to take off the call (the tags themselves stay)',
    }),
  },
  { additionalProperties: false },
);

export const CallValueBody = Type.Object(
  {
    call_id: CallId,
    call_value: NullableNumber({
      minimum: 0,
      maximum: 9_999_999_999,
      description: 'the call value; null clears it',
    }),
  },
  { additionalProperties: false },
);

export const CommentBody = Type.Array(
  Type.Object(
    {
      call_id: CallId,
      comment: Type.Array(Type.String({ minLength: 1, maxLength: 4000 }), { minItems: 1, maxItems: 1000 }),
    },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: 1000 },
);

export const MoveBody = Type.Object(
  {
    call_id: Type.Array(CallId, { minItems: 1, maxItems: 1000 }),
    group_id: Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'the group the calls move to' }),
  },
  { additionalProperties: false },
);

export const ArchiveBody = Type.Object(
  {
    call_id: Type.Array(CallId, { minItems: 1, maxItems: 1000 }),
    archived: Type.Optional(Type.Boolean({ description: 'false restores archived calls', default: true })),
  },
  { additionalProperties: false },
);

export const CallRecordEnvelope = Envelope(CallRecordSchema);
export const CallListEnvelope = Envelope(Type.Array(CallRecordSchema));

export const CallDetail = Type.Object({
  ...CallRecordSchema.properties,
  recordURL: Type.Optional(NullableString()),
});
export const CallDetailListEnvelope = Envelope(Type.Array(CallDetail));

const TranscriptionSummary = Type.Object({
  transcript_status: Type.String({
    description:
      'pending (queued, or waiting to try the provider again), done, failed (status_reason says why) or skipped (status_reason says why: no provider configured, no recording file)',
  }),
  status_reason: NullableString({
    description: 'why it failed or was skipped; the last failed attempt while pending',
  }),
  language: NullableString(),
  transcript_created: Type.String(),
  transcript_modified: NullableString(),
});

const TranscriptionDetail = Type.Object({
  ...TranscriptionSummary.properties,
  transcript: NullableString({
    description: 'the utterances, one per line, card, bank and social security numbers redacted',
  }),
  segments: Type.Array(
    Type.Object({
      speaker: Type.String({
        description: 'caller, agent or unknown (a mono recording of a connected call)',
      }),
      start_ms: Type.Integer(),
      end_ms: Type.Integer(),
      text: Type.String(),
    }),
  ),
});

export const CallTranscriptionListEnvelope = Envelope(
  Type.Array(
    Type.Object({
      ...CallRecordSchema.properties,
      transcription: Type.Union([TranscriptionSummary, Type.Null()]),
    }),
  ),
);

export const CallTranscriptionDetailListEnvelope = Envelope(
  Type.Array(
    Type.Object({
      ...CallRecordSchema.properties,
      transcription: Type.Union([TranscriptionDetail, Type.Null()]),
    }),
  ),
);

export const TranscriptSearchQuery = Type.Object({
  ...CallListQuery.properties,
  group_id: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_ID,
      description:
        'search this group and the groups below it (a group of your scope); default your own group',
    }),
  ),
  query: Type.String({
    minLength: 1,
    maxLength: 500,
    description:
      'what to find in the transcripts: words (all of them, any form: "price" finds "pricing"), "a phrase" in quotes, `or` between alternatives, -word to exclude',
  }),
});

const Highlighted = {
  text: Type.String(),
  highlights: Type.Array(Type.Array(Type.Integer(), { minItems: 2, maxItems: 2 }), {
    description: '[from, to) ranges of the hits in `text` (UTF-16 code units)',
  }),
  html: Type.String({ description: '`text` HTML-escaped with each hit in <mark>' }),
};

export const TranscriptSearchListEnvelope = Envelope(
  Type.Array(
    Type.Object({
      ...CallRecordSchema.properties,
      transcription: Type.Union([TranscriptionSummary, Type.Null()]),
      headline: Type.String({
        description:
          "the transcript's best fragments (up to 3, joined by ' … '), HTML-escaped, hits in <mark>",
      }),
      matches: Type.Array(
        Type.Object({
          speaker: Type.String(),
          start_ms: Type.Integer(),
          end_ms: Type.Integer(),
          ...Highlighted,
        }),
        { description: 'the utterances that match on their own, in time order' },
      ),
    }),
  ),
);

export const CallIndicatorListEnvelope = Envelope(Type.Array(CallRecordSchema));

const Metrics = {
  group_id: Type.Integer(),
  group_name: Type.String(),
  date: Type.Optional(Type.String({ description: 'YYYY-MM-DD in the request time zone' })),
  campaign_id: Type.Optional(NullableInteger()),
  campaign_name: Type.Optional(NullableString()),
  channel_id: Type.Optional(NullableInteger()),
  channel: Type.Optional(NullableString()),
  tracking_number: Type.Optional(Type.String()),
  calls: Type.Integer(),
  unique_calls: Type.Integer({ description: 'distinct caller ids' }),
  answered: Type.Integer(),
  repeat_calls: Type.Integer(),
  texts: Type.Integer({
    description:
      'texts received by the row’s group (and day, campaign, channel or tracking number), under the rules of `filter` texts share with calls (call_started, group_id, tracking_number, campaign_id, channel_id, call_flow_id, caller_id)',
  }),
  unique_texters: Type.Integer({ description: 'distinct numbers among those texts' }),
  billable_minutes: Type.Integer({ description: 'each call rounded up to the minute' }),
  total_duration: Type.Integer({ description: 'seconds' }),
  average_duration: Type.Integer({ description: 'seconds' }),
  call_value: Type.Number(),
  leads: Type.Null({ description: 'null until conversation analytics exist' }),
  conversions: Type.Null({ description: 'null until conversation analytics exist' }),
  first_call: Type.String(),
  last_call: Type.String(),
};

export const MetricsListEnvelope = Envelope(Type.Array(Type.Object(Metrics)));

export const ActiveFlow = Type.Object({
  call_flow_id: Type.Integer(),
  call_flow_name: Type.String(),
  group_id: Type.Integer(),
  campaign_id: Type.Integer(),
  channel_id: Type.Integer(),
  routable_type: Type.String(),
  call_flow_status: Type.String(),
  tracking_number: NullableString(),
  pool_id: NullableInteger(),
  call_flow_created: Type.String(),
  calls_in_progress: Type.Integer(),
  last_call_started: NullableString(),
});
export const ActiveFlowListEnvelope = Envelope(Type.Array(ActiveFlow));

export const MessageEnvelope = Envelope(Type.String());
export const CallIdsEnvelope = Envelope(Type.Array(Type.Integer()));
export const CallTagsEnvelope = Envelope(Type.Array(CallRecordSchema.properties.tags.items));

const UploadText = (description: string) => Type.Optional(Type.String({ maxLength: 255, description }));
const UploadPhone = (description: string) =>
  Type.String({ description: `${description}: a 10-digit NANP number (a leading 1 or +1 is accepted)` });

/** The parts of Upload Call Audio (for the document; call-upload.ts reads and checks them). */
export const CallUploadParts = Type.Object({
  file: Type.String({ format: 'binary', description: 'the recording: one mp3 or wav file' }),
  tracking_number: UploadPhone('the number that was called'),
  caller_id: UploadPhone('the caller'),
  ring_to: Type.Optional(UploadPhone('where the call rang')),
  disposition: Type.Optional(StringEnum(DISPOSITIONS, { description: 'ANSWERED when absent (any case)' })),
  call_date: Type.Optional(
    Type.String({
      description:
        'ISO 8601, yyyy-MM-dd[ HH:mm[:ss]] or MM/dd/yyyy[ HH:mm[:ss]], read in `timezone`; now when absent',
    }),
  ),
  timezone: UploadText('IANA or US zone name that `call_date` is read in; UTC when absent'),
  duration: Type.Optional(
    Type.Integer({ minimum: 0, description: 'seconds; read from a wav file when absent' }),
  ),
  group_id: Type.Optional(Type.Integer({ minimum: 1 })),
  group_ext_id: UploadText('the group by its external id, instead of group_id'),
  channel_id: Type.Optional(Type.Integer({ minimum: 1 })),
  campaign_id: Type.Optional(Type.Integer({ minimum: 1 })),
  line_type: UploadText('caller data'),
  assign_to: UploadText('caller data'),
  company_name: UploadText('caller data'),
  caller_name: UploadText('caller data'),
  address: UploadText('caller data'),
  city: UploadText('caller data'),
  state: Type.Optional(
    Type.String({ pattern: '^[A-Za-z]{2}$', description: 'caller data: a 2-letter code' }),
  ),
  zip_code: Type.Optional(Type.String({ pattern: '^[0-9]{5}$', description: 'caller data: 5 digits' })),
  is_outbound: Type.Optional(Type.Boolean({ description: 'true/false or 1/0; false when absent' })),
  swap_channels: Type.Optional(Type.Boolean({ description: 'true/false or 1/0; false when absent' })),
  tag_name: UploadText('a tag to add to the call'),
  ...Object.fromEntries(
    [1, 2, 3, 4, 5].map((n) => [`custom_source_type_${n}`, UploadText(`custom source ${n}`)]),
  ),
});
