import { type Static, Type } from '@sinclair/typebox';
import type { MessagingParams } from '../modules/sms/sms.service.js';
import { UUID } from './carrier-params.js';
import { telnyxError, telnyxStatus } from './telnyx-texts.js';

/**
 * Telnyx's messaging webhooks (API v2): a JSON event `{data: {event_type, id, occurred_at,
 * payload}, meta}` whose payload is the message: `message.received` for a text to one of our
 * numbers, `message.sent` and `message.finalized` for the progress of one we sent (`to[].status`,
 * `errors[]`). They are read here into the names the Twilio edge gives the text service
 * (MessageSid, From, To, Body, MediaUrlN; MessageStatus, ErrorCode), so nothing past the edge
 * knows which carrier spoke.
 */

const Address = Type.Object(
  {
    phone_number: Type.String({ minLength: 1, description: 'E.164, or a short code' }),
    status: Type.Optional(Type.String({ description: 'the delivery status to this address' })),
  },
  { additionalProperties: true },
);

export const TelnyxMessagingEvent = Type.Object(
  {
    data: Type.Object(
      {
        event_type: Type.String({
          description:
            'message.received, message.sent or message.finalized; others are acknowledged and ignored',
        }),
        id: Type.String({ description: 'the event’s id (each retry of one event repeats it)' }),
        occurred_at: Type.Optional(Type.String()),
        payload: Type.Object(
          {
            id: Type.String({ pattern: UUID, description: 'the message’s id at Telnyx' }),
            direction: Type.Optional(Type.String()),
            from: Address,
            to: Type.Array(Address, { minItems: 1 }),
            text: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            media: Type.Optional(
              Type.Array(Type.Object({ url: Type.String() }, { additionalProperties: true }), {
                maxItems: 10,
              }),
            ),
            errors: Type.Optional(
              Type.Array(
                Type.Object(
                  {
                    code: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
                    title: Type.Optional(Type.String()),
                    detail: Type.Optional(Type.String()),
                  },
                  { additionalProperties: true },
                ),
              ),
            ),
          },
          { additionalProperties: true },
        ),
      },
      { additionalProperties: true },
    ),
    meta: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

export type TelnyxMessagingEvent = Static<typeof TelnyxMessagingEvent>;
type Payload = TelnyxMessagingEvent['data']['payload'];

/** `message.received` as the text service reads an inbound text. */
export function telnyxInbound(payload: Payload): MessagingParams {
  const media = payload.media ?? [];
  const params: MessagingParams = {
    MessageSid: payload.id,
    From: payload.from.phone_number,
    To: payload.to[0]?.phone_number,
    Body: payload.text ?? '',
    NumMedia: String(media.length),
  };
  media.forEach((item, index) => {
    params[`MediaUrl${index}`] = item.url;
  });
  return params;
}

/** `message.sent` / `message.finalized` as a status callback: the first recipient's status. */
export function telnyxProgress(eventType: string, payload: Payload): MessagingParams {
  const status = payload.to[0]?.status ?? (eventType === 'message.sent' ? 'sent' : '');
  const { code } = telnyxError({ errors: payload.errors });
  return {
    MessageSid: payload.id,
    From: payload.from.phone_number,
    To: payload.to[0]?.phone_number,
    MessageStatus: telnyxStatus(status),
    ...(code !== null ? { ErrorCode: String(code) } : {}),
  };
}
