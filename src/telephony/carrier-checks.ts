import type { KeyObject } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import type { WebhookCheck } from './carrier-edge.routes.js';
import { checkTelnyxSignature, isSignalWireSignatureValid } from './carrier-signatures.js';
import type { CarrierParams } from './telephony.service.js';

/**
 * Each carrier's signature check as the edge runs it, and the dialect differences read at the
 * edge so the engine sees Twilio's names.
 */

const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** X-SignalWire-Signature under the signing key or the API token; none configured refuses all. */
export function signalWireCheck(keys: readonly string[]): WebhookCheck {
  return ({ url, headers, fields, rawBody }) => {
    if (keys.length === 0) return 'SignalWire is not configured (SIGNALWIRE_SIGNING_KEY)';
    const signature = header(headers, 'x-signalwire-signature');
    if (signature === undefined || !isSignalWireSignatureValid(keys, signature, url, fields, rawBody)) {
      return 'Invalid or missing X-SignalWire-Signature';
    }
    return undefined;
  };
}

/**
 * telnyx-signature-ed25519 over `${telnyx-timestamp}|${raw body}` under TELNYX_PUBLIC_KEY, with
 * the timestamp within the tolerance of the clock; no key configured refuses all.
 */
export function telnyxCheck(
  publicKey: KeyObject | undefined,
  clock: Clock,
  toleranceSeconds: number,
): WebhookCheck {
  return ({ headers, rawBody }) => {
    if (!publicKey) return 'Telnyx is not configured (TELNYX_PUBLIC_KEY)';
    const signature = header(headers, 'telnyx-signature-ed25519');
    const timestamp = header(headers, 'telnyx-timestamp');
    if (signature === undefined || timestamp === undefined) {
      return 'Missing telnyx-signature-ed25519 or telnyx-timestamp';
    }
    const nowSeconds = Math.floor(clock.now().getTime() / 1000);
    switch (checkTelnyxSignature(publicKey, signature, timestamp, rawBody, nowSeconds, toleranceSeconds)) {
      case 'valid':
        return undefined;
      case 'stale':
        return `Stale telnyx-timestamp: more than ${toleranceSeconds} s from now`;
      default:
        return 'Invalid telnyx-signature-ed25519';
    }
  };
}

/**
 * TeXML's fields under TwiML's names: Telnyx sends the SHAKEN/STIR attestation as
 * `ShakenStirAttestation` (A, B, C) where Twilio sends `StirVerstat` (TN-Validation-Passed-A ...).
 */
export function telnyxToTwilio(params: CarrierParams): CarrierParams {
  const attestation = params.ShakenStirAttestation;
  if (params.StirVerstat || !attestation || !/^[ABC]$/.test(attestation)) return params;
  const validated = params.ShakenStirValidated !== 'false';
  return {
    ...params,
    StirVerstat: validated ? `TN-Validation-Passed-${attestation}` : `TN-Validation-Failed-${attestation}`,
  };
}
