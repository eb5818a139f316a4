import http from 'node:http';
import twilio from 'twilio';
import { BENCH_SECRETS } from './server.js';

/** JSON over HTTP to the server under test; throws on anything but 2xx. */
export async function call<T = unknown>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 600_000),
  });
  const text = await response.text();
  if (response.status < 200 || response.status > 299)
    throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** An access token for the demo admin through the real password grant. */
export async function adminToken(base: string): Promise<string> {
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: BENCH_SECRETS.adminEmail,
      password: BENCH_SECRETS.adminPassword,
      client_id: BENCH_SECRETS.clientId,
      client_secret: BENCH_SECRETS.clientSecret,
    }),
  });
  if (response.status !== 200) throw new Error(`token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A carrier webhook as Twilio sends it: form body and X-Twilio-Signature over the public URL. */
export function signedCarrierRequest(url: string, params: Record<string, string>) {
  const path = url.replace(/^https?:\/\/[^/]+/, '');
  return {
    method: 'POST',
    path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(BENCH_SECRETS.carrierToken, url, params),
    },
    body: new URLSearchParams(params).toString(),
  };
}

/**
 * Connections kept open between carrier webhooks. node:http rather than fetch: the load
 * generator shares the cores with the server, and fetch took about twice its CPU per request.
 */
const carrierAgent = new http.Agent({ keepAlive: true });

/** Sends one signed carrier webhook and returns the TwiML. */
export function carrierPost(url: string, params: Record<string, string>): Promise<string> {
  const request = signedCarrierRequest(url, params);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: carrierAgent,
        headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 200)
            reject(new Error(`${url} answered ${response.statusCode}: ${text}`));
          else resolve(text);
        });
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}
