import { type Static, Type } from '@sinclair/typebox';
import {
  Envelope,
  ListQuery,
  MAX_ID,
  NullableInteger,
  NullableString,
  PhoneInput,
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
});
export type NumberSearchQuery = Static<typeof NumberSearchQuery>;

export const AvailableNumber = Type.Object({
  phone_number_id: Type.Integer({ description: 'Use with number in POST /v2/callflow' }),
  number: Type.Integer({ description: 'The 10-digit number' }),
  npa: Type.String(),
  nxx: Type.String(),
  rate_center: Type.String(),
  state: Type.String(),
  ocn: Type.String({ description: 'Operating company number of the carrier' }),
  source: Type.Integer({ description: 'The inventory source the number comes from' }),
});

export const ReservedNumber = Type.Object({
  ...AvailableNumber.properties,
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

export const AvailableNumberListEnvelope = Envelope(Type.Array(AvailableNumber));
export const ReservedNumberListEnvelope = Envelope(Type.Array(ReservedNumber));

export type AvailableNumber = Static<typeof AvailableNumber>;
export type ReservedNumber = Static<typeof ReservedNumber>;
