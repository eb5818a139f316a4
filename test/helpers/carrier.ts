import { createHash } from 'node:crypto';
import twilio from 'twilio';
import type { App } from '../../src/app.js';
import { type SimulatedCall, simulateCall } from '../../src/telephony/simulator.js';
import { TEST_CARRIER_TOKEN } from './app.js';

/** A CallSid in Twilio's form (CA and 32 hex digits) made from a readable label: one label, one sid. */
export const testCallSid = (label: string): string =>
  `CA${createHash('sha256').update(label).digest('hex').slice(0, 32)}`;

export const TEST_ACCOUNT_SID = `AC${'0'.repeat(32)}`;

/** The fields Twilio sends with every request about a call (AccountSid, CallStatus ringing), and `fields`. */
export const carrierForm = (
  fields: { CallSid: string; From: string; To: string } & Record<string, string>,
): Record<string, string> => ({ AccountSid: TEST_ACCOUNT_SID, CallStatus: 'ringing', ...fields });

/** The carrier simulator wired to an app through app.inject, signing with the test token. */
export function createCarrier(app: App, publicBaseUrl = 'http://127.0.0.1:3000') {
  const post = async (url: string, params: Record<string, string>, signature?: string) => {
    const response = await app.inject({
      method: 'POST',
      url: url.replace(publicBaseUrl, ''),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === undefined ? {} : { 'x-twilio-signature': signature }),
      },
      payload: new URLSearchParams(params).toString(),
    });
    return { status: response.statusCode, body: response.body };
  };
  return {
    post,
    /**
     * One webhook as the carrier signs and sends it, to `path` under /telephony/twilio (with its
     * query, e.g. `dial?s=2`), for tests that set the order of a call's callbacks themselves.
     */
    send: (path: string, params: Record<string, string>) => {
      const url = `${publicBaseUrl}/telephony/twilio/${path}`;
      return post(url, params, twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, url, params));
    },
    /** posts as the carrier does: signed with the test token over the URL and the fields */
    signedPost: (url: string, params: Record<string, string>) =>
      post(url, params, twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, url, params)),
    voiceUrl: `${publicBaseUrl}/telephony/twilio/voice`,
    call: (call: SimulatedCall) =>
      simulateCall(call, {
        voiceUrl: `${publicBaseUrl}/telephony/twilio/voice`,
        statusUrl: `${publicBaseUrl}/telephony/twilio/status`,
        authToken: TEST_CARRIER_TOKEN,
        transport: async (url, params, signature) => {
          const response = await post(url, params, signature);
          if (response.status !== 200)
            throw new Error(`carrier webhook ${url} answered ${response.status}: ${response.body}`);
          return response.body;
        },
      }),
  };
}
