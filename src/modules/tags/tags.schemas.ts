import { Type } from '@sinclair/typebox';
import { Envelope, ListQuery, MAX_ID } from '../../http/schemas.js';

export const TagQuery = ListQuery;

export const Tag = Type.Object({
  tag_id: Type.Integer(),
  tag_name: Type.String(),
  tag_active: Type.Boolean(),
  org_unit_id: Type.Integer({ description: 'the group the tag belongs to' }),
  created_by: Type.Union([Type.Integer(), Type.Null()]),
  tag_created: Type.String(),
});

export const TagListEnvelope = Envelope(Type.Union([Type.Array(Tag), Type.Literal('No data found')]));

export const TagDelete = Type.Object(
  {
    tag_id: Type.Array(Type.Integer({ minimum: 1, maximum: MAX_ID }), {
      minItems: 1,
      maxItems: 1000,
      description: 'Tags to delete (soft: they become inactive and stay on the calls that have them)',
    }),
  },
  { additionalProperties: false },
);

export const TagCreate = Type.Object(
  {
    tag_name: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
      minItems: 1,
      maxItems: 1000,
      description: 'Names of the tags; a name the group already sees (any case) is not created again',
    }),
    group_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_ID,
        description: 'The group of the new tags (default: yours)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const TagCreateEnvelope = Envelope(Type.Array(Tag));

export const TagDeleteEnvelope = Envelope(Type.Array(Type.Integer()));
