import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

export const SignInBody = Type.Object(
  {
    user_email: Type.String({ minLength: 1, maxLength: 254, description: "the user's e-mail" }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const SignInEnvelope = Envelope(
  Type.Object({
    ct_user_id: Type.Integer(),
    csrf_token: Type.String({
      description: `send it as X-CSRF-Token with every write made with the session cookie`,
    }),
    expires_at: Type.String({ description: 'when the session ends at the latest (ISO 8601)' }),
    idle_minutes: Type.Integer({ description: 'the session ends after this long without a request' }),
  }),
);

export const SignOutEnvelope = Envelope(Type.String());
