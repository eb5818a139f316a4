import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

/** V2 reports the missing properties in this order: email, then call_id. */
export const CallDataEmail = Type.Object(
  {
    email: Type.String({ description: 'Recipient address; several may be separated by commas' }),
    call_id: Type.Unsafe<string | number>({
      type: ['string', 'integer'],
      description: 'The call whose data is sent',
    }),
    return_type: Type.Optional(
      Type.String({ description: "Format of the call data: 'json' (default) or 'xml'" }),
    ),
  },
  { additionalProperties: false },
);

export const SendInfo = Type.Object({
  accepted: Type.Array(Type.String()),
  rejected: Type.Array(Type.String()),
  response: Type.String(),
  envelope: Type.Object({ from: Type.String(), to: Type.Array(Type.String()) }),
  messageId: Type.String(),
});

export const CallDataEmailEnvelope = Envelope(SendInfo);
