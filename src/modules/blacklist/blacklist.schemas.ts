import { Type } from '@sinclair/typebox';
import { Envelope, ListQuery } from '../../http/schemas.js';

const Number10 = Type.Integer({
  minimum: 1000000000,
  maximum: 9999999999,
  description: 'The 10-digit phone number',
});

export const BlacklistQuery = ListQuery;

export const BlacklistEntry = Type.Object({ number: Number10 }, { additionalProperties: false });

export const BlacklistDelete = Type.Object(
  {
    number: Type.Array(Number10, {
      minItems: 1,
      maxItems: 1000,
      description: 'Numbers to take off the blacklist',
    }),
  },
  { additionalProperties: false },
);

export const BlacklistedNumber = Type.Object({
  ou_id: Type.Integer({ description: 'the group the number is blacklisted for (and the groups below it)' }),
  number: Type.Integer(),
  created_by: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.String(),
});

export const BlacklistListEnvelope = Envelope(
  Type.Union([Type.Array(BlacklistedNumber), Type.Literal('No record found.')]),
);
export const BlacklistAddEnvelope = Envelope(BlacklistedNumber);
export const BlacklistDeleteEnvelope = Type.Object({
  result: Type.Literal('success'),
  err: Type.Null(),
  data: Type.Array(Type.Integer()),
});
