import { type Static, Type } from '@sinclair/typebox';
import {
  Envelope,
  ListQuery,
  MAX_ID,
  NullableInteger,
  NullableString,
  PhoneInput,
  StringEnum,
} from '../../http/schemas.js';

const NumberPart = (description: string) => Type.String({ pattern: '^[2-9][0-9]{2}$', description });

export const NumberSearchQuery = Type.Object({
  ...ListQuery.properties,
  npa: Type.Optional(NumberPart('Area code (NPA), 3 digits')),
  nxx: Type.Optional(NumberPart('Exchange (NXX), the 3 digits after the area code')),
  state: Type.Optional(
    Type.String({ pattern: '^[A-Za-z]{2}$', description: 'Two-letter state, territory or province' }),
  ),
  rate_center: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: 'Rate center name, any case' }),
  ),
  pattern: Type.Optional(
    Type.String({
      pattern: '^[0-9*]{1,20}$',
      description:
        'Digits the whole number must match; * stands for any run of digits: 801555* (starts with), *1234 (ends with), *555* (contains)',
    }),
  ),
  toll_free: Type.Optional(
    Type.Boolean({ description: "Toll-free numbers from the carrier account's offer (our extension)" }),
  ),
  from: Type.Optional(
    StringEnum(['inventory', 'carrier', 'all'], {
      description:
        "Where to look (our extension): the inventory, the carrier account's offer, or both (inventory first); `all` by default when a carrier account is configured, else `inventory`",
    }),
  ),
});
export type NumberSearchQuery = Static<typeof NumberSearchQuery>;

export const AvailableNumber = Type.Object({
  phone_number_id: NullableInteger({
    description:
      'Use with number in POST /v2/callflow; null for a number the carrier offers (reserving it buys it)',
  }),
  number: Type.Integer({ description: 'The 10-digit number' }),
  npa: Type.String(),
  nxx: Type.String(),
  rate_center: Type.String(),
  state: Type.String(),
  ocn: Type.String({ description: 'Operating company number of the carrier' }),
  source: Type.Integer({
    description: 'The inventory source the number comes from; 20001: the carrier account',
  }),
});

export const ReservedNumber = Type.Object({
  ...AvailableNumber.properties,
  phone_number_id: Type.Integer(),
  backup_number: NullableInteger({
    description: 'The number the carrier rings when this server cannot answer (10 digits)',
  }),
  group_id: Type.Integer({ description: 'The group the number is reserved for' }),
  reserved_by: NullableInteger(),
  reserved_at: NullableString(),
});

export const ReserveEntry = Type.Object(
  {
    number: PhoneInput('The 10-digit number to reserve'),
    source: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_ID,
        description: 'The inventory source; when given it must match the number',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ReserveEntry = Static<typeof ReserveEntry>;

export const ReserveEntries = Type.Array(ReserveEntry, { minItems: 1, maxItems: 100 });

export const ReleaseEntry = Type.Object(
  {
    number: PhoneInput('The 10-digit reserved number to release'),
    confirm: Type.Optional(
      Type.Boolean({
        description:
          'Must be true: a number bought from the carrier goes back to the carrier for good, any other back to the inventory',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ReleaseEntry = Static<typeof ReleaseEntry>;
export const ReleaseEntries = Type.Array(ReleaseEntry, { minItems: 1, maxItems: 100 });

export const BackupEntry = Type.Object(
  {
    number: PhoneInput('The 10-digit tracking number'),
    backup_number: Type.Unsafe<string | number | null>({
      type: ['string', 'integer', 'null'],
      description: 'The 10-digit number the carrier rings when this server cannot answer; null clears it',
    }),
  },
  { additionalProperties: false },
);
export type BackupEntry = Static<typeof BackupEntry>;
export const BackupEntries = Type.Array(BackupEntry, { minItems: 1, maxItems: 100 });

export const AvailableNumberListEnvelope = Envelope(Type.Array(AvailableNumber));
export const ReservedNumberListEnvelope = Envelope(Type.Array(ReservedNumber));

export type AvailableNumber = Static<typeof AvailableNumber>;
export type ReservedNumber = Static<typeof ReservedNumber>;
