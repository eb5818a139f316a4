import { type Static, Type } from '@sinclair/typebox';
import {
  EntryResult,
  Envelope,
  MAX_ID,
  NullableNumber,
  NullableString,
  PhoneInput,
  StringEnum,
} from '../../http/schemas.js';

const RegionCode = Type.String({ pattern: '^[A-Za-z]{2}$', description: 'Two-letter state or province' });
const Zip = Type.String({ pattern: '^[0-9]{5}$', description: '5-digit US ZIP code' });

export const Channel = Type.Object({
  channel_id: Type.Integer(),
  channel: Type.String({ description: 'Display name, "<category>: <sub_category>"' }),
  category: Type.String(),
  sub_category: Type.String(),
});

export const RateCenter = Type.Object({
  rate_center: Type.String(),
  npa: Type.String(),
  state: Type.String(),
  available_count: Type.Integer({ description: 'Numbers of this rate center and area code free to reserve' }),
});

export const GeoLocationQuery = Type.Object({
  zip: Type.Optional(
    Type.String({
      pattern: '^[0-9]{5}(,[0-9]{5}){0,99}$',
      description: 'One or more 5-digit ZIP codes, comma-separated',
    }),
  ),
  npa: Type.Optional(
    Type.String({
      pattern: '^[0-9]{3}(,[0-9]{3}){0,99}$',
      description: 'One or more area codes, comma-separated',
    }),
  ),
});
export type GeoLocationQuery = Static<typeof GeoLocationQuery>;

export const GeoLocation = Type.Object({
  zip: NullableString(),
  npa: NullableString(),
  city: Type.String(),
  state: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  timezone: Type.String({ description: 'IANA time zone, e.g. America/Denver' }),
});

const branchFields = {
  branch_name: Type.String({ maxLength: 255 }),
  target_did: Type.String({ description: 'The number that rings for this branch, 10-digit NANP' }),
  address: NullableString(),
  city: NullableString(),
  state: NullableString(),
  zip: NullableString(),
  latitude: NullableNumber(),
  longitude: NullableNumber(),
  claimed_states: Type.Array(Type.String()),
  claimed_zips: Type.Array(Type.String()),
};

export const Branch = Type.Object({ branch_id: Type.Integer(), ...branchFields });

export const Location = Type.Object({
  location_id: Type.Integer(),
  org_unit_id: Type.Integer({ description: 'The group that owns the location' }),
  location_name: Type.String(),
  location_active: Type.Boolean(),
  location_created: Type.String(),
  location_modified: NullableString(),
  branches: Type.Array(Branch),
});

export const BranchInput = Type.Object(
  {
    branch_name: Type.Optional(Type.String({ maxLength: 255, description: 'A label for the branch' })),
    target_did: PhoneInput('The number that rings for this branch, 10-digit NANP'),
    address: Type.Optional(Type.String({ maxLength: 255 })),
    city: Type.Optional(Type.String({ maxLength: 255 })),
    state: Type.Optional(RegionCode),
    zip: Type.Optional(Zip),
    latitude: Type.Optional(
      Type.Number({ minimum: -90, maximum: 90, description: 'Default: the centre of the ZIP code' }),
    ),
    longitude: Type.Optional(
      Type.Number({ minimum: -180, maximum: 180, description: 'Default: the centre of the ZIP code' }),
    ),
    claimed_states: Type.Optional(
      Type.Array(RegionCode, { maxItems: 70, description: 'States routed here by Claimed State' }),
    ),
    claimed_zips: Type.Optional(
      Type.Array(Zip, { maxItems: 2000, description: 'ZIP codes routed here by Claimed Zip' }),
    ),
  },
  { additionalProperties: false },
);
export type BranchInput = Static<typeof BranchInput>;

export const LocationEntry = Type.Object(
  {
    location_id: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_ID,
        description: 'Absent or 0 creates a location; an existing id replaces it (branches included)',
      }),
    ),
    location_name: Type.String({ minLength: 1, maxLength: 255, description: 'The name of the location' }),
    org_unit_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_ID,
        description: "The owning group (default: the caller's group)",
      }),
    ),
    location_active: Type.Optional(Type.Boolean({ description: 'Default true' })),
    branches: Type.Array(BranchInput, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
);
export type LocationEntry = Static<typeof LocationEntry>;

export const LocationEntries = Type.Array(LocationEntry, { minItems: 1, maxItems: 100 });

export const AudioType = StringEnum(['prompt', 'whisper']);

export const AudioFile = Type.Object({
  uploaded_on: Type.String(),
  file_name: Type.String({ description: 'The uploaded file name without its extension' }),
  org_unit_id: Type.Integer(),
  type: AudioType,
  reference_id: Type.String({ description: 'Use as file://<reference_id> in call-flow messages' }),
  recordURL: Type.String({ description: 'Where to download the file (bearer token required)' }),
});

export const AudioIdParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'The audio file id' }),
});

export const ChannelListEnvelope = Envelope(Type.Array(Channel));
export const RateCenterListEnvelope = Envelope(Type.Array(RateCenter));
export const GeoLocationListEnvelope = Envelope(Type.Array(GeoLocation));
export const LocationListEnvelope = Envelope(Type.Array(Location));
export const AudioFileListEnvelope = Envelope(Type.Array(AudioFile));
export const EntryResults = Type.Array(EntryResult);

export type Channel = Static<typeof Channel>;
export type GeoLocation = Static<typeof GeoLocation>;
export type Location = Static<typeof Location>;
export type AudioFile = Static<typeof AudioFile>;

const AudioPart = Type.String({ format: 'binary', description: 'an mp3 or wav file' });

/** The parts of an audio upload (for the document): `file`, or `file_0` ... one per file. */
export const audioUploadParts = (maxFiles: number) =>
  Type.Object({
    file: Type.Optional(AudioPart),
    ...Object.fromEntries(
      Array.from({ length: maxFiles }, (_, index) => [`file_${index}`, Type.Optional(AudioPart)]),
    ),
  });
