import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import type { App } from '../../src/app.js';
import type { Clock } from '../../src/lib/clock.js';
import { signalWireLamlSignature } from '../../src/telephony/carrier-signatures.js';
import { type SimulatedCall, simulateCall } from '../../src/telephony/simulator.js';

/**
 * SignalWire and Telnyx as they post to their edges (/telephony/signalwire, /telephony/telnyx):
 * their ids (UUIDs; Telnyx's `v3:` CallSid), their signature headers, Telnyx's timestamp and
 * its dialect (ShakenStirAttestation). The simulator plays the call; these re-sign each request
 * it makes the way the carrier would.
 */

export const SIGNALWIRE_SIGNING_KEY = 'PSK_test-signalwire-signing-key';
export const SIGNALWIRE_API_TOKEN = 'PT-test-signalwire-api-token';
export const SIGNALWIRE_PROJECT = '4b7ae78a-d02e-4889-a63b-08b156d5916e';
export const TELNYX_ACCOUNT = 'f5586561-8ff0-4291-a51b-c7dfe4139ff9';

/** A Telnyx key pair; `publicKey` in the base64 form Mission Control shows. */
export function telnyxKeyPair(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).subarray(12);
  return { privateKey, publicKey: raw.toString('base64') };
}

export const telnyxCallSid = () => `v3:${randomUUID().replace(/-/g, '')}_test-Leg`;

type Posted = { status: number; body: string };

async function inject(
  app: App,
  publicBaseUrl: string,
  url: string,
  headers: Record<string, string>,
  payload: string,
): Promise<Posted> {
  const response = await app.inject({
    method: 'POST',
    url: url.replace(publicBaseUrl, ''),
    headers,
    payload,
  });
  return { status: response.statusCode, body: response.body };
}

const mustAnswer = (url: string, response: Posted) => {
  if (response.status !== 200)
    throw new Error(`webhook ${url} answered ${response.status}: ${response.body}`);
  return response.body;
};

export function createSignalWire(
  app: App,
  publicBaseUrl = 'http://127.0.0.1:3000',
  key = SIGNALWIRE_SIGNING_KEY,
) {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  /** posts `params` to `url` with `signature` (none when undefined) */
  const post = (url: string, params: Record<string, string>, signature?: string) =>
    inject(
      app,
      publicBaseUrl,
      url,
      signature === undefined ? form : { ...form, 'x-signalwire-signature': signature },
      new URLSearchParams(params).toString(),
    );
  const signatureOf = (url: string, params: Record<string, string>, signingKey = key) =>
    signalWireLamlSignature(signingKey, url, Object.entries(params));
  const signedPost = (url: string, params: Record<string, string>, signingKey = key) =>
    post(url, params, signatureOf(url, params, signingKey));
  const base = `${publicBaseUrl}/telephony/signalwire`;
  return {
    base,
    post,
    signatureOf,
    signedPost,
    /** one call played by the simulator, every webhook signed as SignalWire signs it */
    call: (call: Omit<SimulatedCall, 'callSid'>, callSid = randomUUID()) =>
      simulateCall(
        { ...call, callSid },
        {
          voiceUrl: `${base}/voice`,
          statusUrl: `${base}/status`,
          authToken: 'unused',
          transport: async (url, params) => {
            const laml = { ...params, AccountSid: SIGNALWIRE_PROJECT };
            return mustAnswer(url, await signedPost(url, laml));
          },
        },
      ),
  };
}

export function createTelnyx(
  app: App,
  privateKey: KeyObject,
  clock: Clock,
  publicBaseUrl = 'http://127.0.0.1:3000',
) {
  const base = `${publicBaseUrl}/telephony/telnyx`;
  const now = () => String(Math.floor(clock.now().getTime() / 1000));
  /** the headers Telnyx sends with `rawBody` at `timestamp` (now by default), signed by `key` */
  const headersFor = (rawBody: string, contentType: string, timestamp = now(), key = privateKey) => ({
    'content-type': contentType,
    'telnyx-timestamp': timestamp,
    'telnyx-signature-ed25519': sign(null, Buffer.from(`${timestamp}|${rawBody}`), key).toString('base64'),
  });
  const post = (url: string, rawBody: string, headers: Record<string, string>) =>
    inject(app, publicBaseUrl, url, headers, rawBody);
  const signedForm = (url: string, params: Record<string, string>, timestamp?: string) => {
    const body = new URLSearchParams(params).toString();
    return post(url, body, headersFor(body, 'application/x-www-form-urlencoded', timestamp));
  };
  /** a JSON body (messaging events) posted as Telnyx signs it */
  const signedJson = (url: string, rawBody: string, timestamp?: string) =>
    post(url, rawBody, headersFor(rawBody, 'application/json', timestamp));
  return {
    base,
    post,
    headersFor,
    signedForm,
    signedJson,
    /** one call played by the simulator as TeXML: Telnyx's ids and attestation field, signed */
    call: (call: Omit<SimulatedCall, 'callSid' | 'stirVerstat'>, options: { attestation?: string } = {}) =>
      simulateCall(
        { ...call, callSid: telnyxCallSid() },
        {
          voiceUrl: `${base}/voice`,
          statusUrl: `${base}/status`,
          authToken: 'unused',
          transport: async (url, params) => {
            const texml: Record<string, string> = { ...params, AccountSid: TELNYX_ACCOUNT };
            if (options.attestation) {
              texml.ShakenStirAttestation = options.attestation;
              texml.ShakenStirValidated = 'true';
            }
            return mustAnswer(url, await signedForm(url, texml));
          },
        },
      ),
  };
}
