import { type Static, Type } from '@sinclair/typebox';
import { Envelope, ListQuery, MAX_ID } from '../../http/schemas.js';

export const CustomSource = Type.Object({
  custom_source_id: Type.Integer(),
  custom_source_name: Type.String(),
  org_unit_id: Type.Integer({ description: 'The group that owns the custom source' }),
});
export type CustomSource = Static<typeof CustomSource>;

/** V2 names the group `ouId` here (camelCase), then takes the usual list parameters. */
export const CustomSourceQuery = Type.Object({
  ouId: Type.Integer({
    minimum: -MAX_ID,
    maximum: MAX_ID,
    description: 'The group: its custom sources, those of the groups above it and those below it',
  }),
  ...ListQuery.properties,
});
export type CustomSourceQuery = Static<typeof CustomSourceQuery>;

/** `custom_source_name` first: V2 reports it first when an entry lacks both fields. */
export const CustomSourceEntry = Type.Object(
  {
    custom_source_name: Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'The name of the custom source',
    }),
    org_unit_id: Type.Integer({
      minimum: -MAX_ID,
      maximum: MAX_ID,
      description: 'The group that owns the custom source',
    }),
  },
  { additionalProperties: false },
);
export type CustomSourceEntry = Static<typeof CustomSourceEntry>;

export const CustomSourceEntries = Type.Array(CustomSourceEntry, { minItems: 1, maxItems: 1000 });

export const CustomSourceDelete = Type.Object(
  {
    custom_sources: Type.Array(Type.Integer({ minimum: 1, maximum: MAX_ID }), {
      minItems: 1,
      maxItems: 1000,
      description: 'The ids of the custom sources to delete',
    }),
  },
  { additionalProperties: false },
);

export const CustomSourceListEnvelope = Envelope(Type.Array(CustomSource));
export const MessageEnvelope = Envelope(Type.String());
