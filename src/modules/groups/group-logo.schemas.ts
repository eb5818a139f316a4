import { Type } from '@sinclair/typebox';
import { Envelope, MAX_ID } from '../../http/schemas.js';

export const LogoQuery = Type.Object({
  group_id: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_ID,
      description: "The group (in the caller's subtree); the caller's group when absent",
    }),
  ),
});

export const Logo = Type.Object({
  group_id: Type.Integer({ description: 'The group the logo belongs to' }),
  content_type: Type.String({ description: '`image/png` or `image/jpeg`' }),
  bytes: Type.Integer({ description: 'The size of the image' }),
  updated_at: Type.String({ description: 'When it was uploaded (ISO 8601)' }),
  inherited: Type.Boolean({
    description: 'true when the group has no logo of its own and this is its nearest ancestor’s',
  }),
});

export const LogoEnvelope = Envelope(Logo);
export const LogoRemovedEnvelope = Envelope(Type.Object({ group_id: Type.Integer() }));

/** The parts of a logo upload (for the document). */
export const LogoUploadParts = Type.Object({
  file: Type.String({ format: 'binary', description: 'a PNG or JPEG image of at most 512 kB' }),
  group_id: Type.Optional(Type.String({ description: "The group; the caller's group when absent" })),
});
