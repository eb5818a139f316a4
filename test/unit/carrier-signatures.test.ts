import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkTelnyxSignature,
  isEd25519SignatureValid,
  isSignalWireSignatureValid,
  signalWireJsonSignature,
  signalWireLamlSignature,
  telnyxPublicKey,
} from '../../src/telephony/carrier-signatures.js';

/** SignalWire's and Telnyx's webhook signatures against published vectors. */

describe('SignalWire (X-SignalWire-Signature)', () => {
  // The vectors of SignalWire's JS SDK (signalwire-js, packages/web-api/src/validateRequest.test.ts):
  // a LaML form signed with the key "12345" (Twilio's documented vector, which LaML keeps) and a
  // JSON body signed with a signing key.
  const lamlUrl = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const lamlFields: [string, string][] = [
    ['CallSid', 'CA1234567890ABCDE'],
    ['Caller', '+14158675309'],
    ['Digits', '1234'],
    ['From', '+14158675309'],
    ['To', '+18005551212'],
  ];
  const lamlSignature = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
  const lamlBody = new URLSearchParams(lamlFields).toString();

  const jsonKey = 'PSK_7TruNcSNTxp4zNrykMj4EPzF';
  const jsonUrl = 'https://81f2-2-45-18-191.ngrok-free.app/';
  const jsonBody =
    '{"call":{"call_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","node_id":"fa3570ae-f8bd-42c2-83f4-9950d906c91b@us-west","segment_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","call_state":"created","direction":"inbound","type":"phone","from":"+12135877632","to":"+12089806814","from_number":"+12135877632","to_number":"+12089806814","project_id":"4b7ae78a-d02e-4889-a63b-08b156d5916e","space_id":"62615f44-2a34-4235-b38b-76b5a1de6ef8"},"vars":{}}';
  const jsonSignature = 'b18500437ebb010220ddd770cbe6fd531ea0ba0d';

  it('computes the published LaML and JSON signatures', () => {
    expect(signalWireLamlSignature('12345', lamlUrl, lamlFields)).toBe(lamlSignature);
    // the fields are sorted by name whatever order they came in
    expect(signalWireLamlSignature('12345', lamlUrl, [...lamlFields].reverse())).toBe(lamlSignature);
    expect(signalWireJsonSignature(jsonKey, jsonUrl, jsonBody)).toBe(jsonSignature);
  });

  it('accepts either scheme under any configured key, and nothing else', () => {
    const check = (keys: string[], signature: string, url: string, fields: [string, string][], raw: string) =>
      isSignalWireSignatureValid(keys, signature, url, fields, raw);
    expect(check(['12345'], lamlSignature, lamlUrl, lamlFields, lamlBody)).toBe(true);
    expect(check(['other-key', '12345'], lamlSignature, lamlUrl, lamlFields, lamlBody)).toBe(true);
    expect(check([jsonKey], jsonSignature, jsonUrl, [], jsonBody)).toBe(true);
    // wrong key, tampered field, other URL, tampered body, empty signature
    expect(check(['PSK_foo'], lamlSignature, lamlUrl, lamlFields, lamlBody)).toBe(false);
    const tampered: [string, string][] = lamlFields.map(([n, v]) => [n, n === 'Digits' ? '9' : v]);
    expect(check(['12345'], lamlSignature, lamlUrl, tampered, new URLSearchParams(tampered).toString())).toBe(
      false,
    );
    expect(check(['12345'], lamlSignature, `${lamlUrl}&x=1`, lamlFields, lamlBody)).toBe(false);
    expect(check([jsonKey], jsonSignature, jsonUrl, [], '{"foo":"bar"}')).toBe(false);
    expect(check([jsonKey], '', jsonUrl, [], jsonBody)).toBe(false);
    expect(check([], lamlSignature, lamlUrl, lamlFields, lamlBody)).toBe(false);
  });

  it('accepts the URL signed with or without the default port, as the SDKs do', () => {
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    const signed = signalWireLamlSignature('12345', withPort, lamlFields);
    expect(isSignalWireSignatureValid(['12345'], signed, lamlUrl, lamlFields, lamlBody)).toBe(true);
    expect(isSignalWireSignatureValid(['12345'], lamlSignature, withPort, lamlFields, lamlBody)).toBe(true);
    const otherPort = signalWireLamlSignature(
      '12345',
      'https://mycompany.com:8443/myapp.php?foo=1&bar=2',
      lamlFields,
    );
    expect(isSignalWireSignatureValid(['12345'], otherPort, lamlUrl, lamlFields, lamlBody)).toBe(false);
  });
});

describe('Telnyx (telnyx-signature-ed25519)', () => {
  // RFC 8032 section 7.1, TEST 1: the Ed25519 vector (Telnyx publishes none of its own; its SDKs
  // test with a generated key pair). It checks the raw public key as Telnyx shows it (base64).
  const rfcPublic = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
  const rfcSignature = Buffer.from(
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    'hex',
  );

  it('verifies RFC 8032 test 1 with the key in the base64 form Telnyx publishes', () => {
    const key = telnyxPublicKey(rfcPublic.toString('base64'));
    expect(isEd25519SignatureValid(key, Buffer.alloc(0), rfcSignature.toString('base64'))).toBe(true);
    expect(isEd25519SignatureValid(key, Buffer.from('x'), rfcSignature.toString('base64'))).toBe(false);
  });

  it('refuses a key that is not 32 bytes of Ed25519', () => {
    expect(() => telnyxPublicKey('c2hvcnQ=')).toThrow(/32-byte/);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => telnyxPublicKey(publicKey.export({ type: 'spki', format: 'pem' }) as string)).toThrow(
      /Ed25519/,
    );
  });

  it('signs timestamp|body, and refuses a tampered body, another key, or a stale timestamp', () => {
    // the RFC's secret seed, as PKCS#8, signs what Telnyx would
    const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
    const secret = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const key = telnyxPublicKey(rfcPublic.toString('base64'));
    const body = 'AccountSid=f5586561-8ff0-4291-a51b-c7dfe4139ff9&CallSid=v3%3Aabc&CallStatus=ringing';
    const timestamp = '1773000000';
    const signature = sign(null, Buffer.from(`${timestamp}|${body}`), secret).toString('base64');
    const now = 1773000000;
    expect(checkTelnyxSignature(key, signature, timestamp, body, now + 299, 300)).toBe('valid');
    expect(checkTelnyxSignature(key, signature, timestamp, body, now + 301, 300)).toBe('stale');
    expect(checkTelnyxSignature(key, signature, timestamp, body, now - 301, 300)).toBe('stale');
    expect(checkTelnyxSignature(key, signature, timestamp, `${body}&Digits=1`, now, 300)).toBe('invalid');
    expect(checkTelnyxSignature(key, signature, '1773000001', body, now, 300)).toBe('invalid');
    expect(checkTelnyxSignature(key, signature, 'soon', body, now, 300)).toBe('invalid');
    const other = telnyxPublicKey(
      (generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }) as Buffer)
        .subarray(12)
        .toString('base64'),
    );
    expect(checkTelnyxSignature(other, signature, timestamp, body, now, 300)).toBe('invalid');
    expect(checkTelnyxSignature(key, 'not a signature', timestamp, body, now, 300)).toBe('invalid');
  });
});
