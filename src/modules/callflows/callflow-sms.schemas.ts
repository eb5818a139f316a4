import { Type } from '@sinclair/typebox';
import { PhoneInput } from '../../http/schemas.js';

/**
 * What a flow does with the texts its tracking number receives (V2 names the fields
 * `sms_enabled` and `sms_feature`; their shape is ours, docs/compatibility.md). Every text is
 * recorded either way; with `sms_enabled`, `sms_feature` may forward it and answer it.
 */
export const SmsFlowFields = {
  sms_enabled: Type.Optional(
    Type.Boolean({ description: 'texts to the number are forwarded and answered as sms_feature says' }),
  ),
  sms_feature: Type.Optional(
    Type.Object(
      {
        forward_to: Type.Optional(
          PhoneInput('10-digit number each text is forwarded to (from the tracking number); 0 = none'),
        ),
        auto_reply: Type.Optional(
          Type.String({
            maxLength: 1600,
            description: 'sent back to a texter, at most once a day per conversation; empty = none',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
};
