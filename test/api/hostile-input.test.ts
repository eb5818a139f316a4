import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/http/text-guard.js';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { multipart } from '../helpers/audio.js';

/** Input built to break a parser or a recursive walk must get a 4xx on every route, never a 5xx. */
let ctx: TestContext;
let admin: TestUser;

beforeAll(async () => {
  ctx = await createTestContext();
  admin = await ctx.factory.user(await ctx.factory.group());
});
afterAll(() => ctx.close());

const DEEP = 5000;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const deepBrackets = `a${'[b]'.repeat(DEEP)}`;

interface Route {
  method: string;
  url: string;
}

/**
 * Every route the app serves, read from Fastify's own route tree (`printRoutes`): each line is a
 * path segment under its parent (4 characters of indentation a level) and its methods.
 */
function routesOf(app: TestContext['app']): Route[] {
  const routes: Route[] = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!match) continue;
    const level = (match[1] as string).length / 4;
    const path = (prefixes[level - 1] ?? '') + (match[2] as string);
    prefixes[level] = path;
    prefixes.length = level + 1;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      // HEAD answers as GET does; a wildcard and path parameters get a value.
      if (method !== 'HEAD') routes.push({ method, url: path.replace(/:\w+/g, '1').replace(/\*$/, 'x') });
    }
  }
  return routes;
}

/** Bodies and query strings an attacker would send, each as the request options it needs. */
async function hostileRequests(): Promise<{ name: string; options: Partial<InjectOptions> }[]> {
  const json = { 'content-type': 'application/json' };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const deepFields = await multipart({ [deepBrackets]: deepObject(DEEP), list: deepArray(DEEP) }, []);
  return [
    { name: 'deep JSON object', options: { headers: json, payload: deepObject(DEEP) } },
    { name: 'deep JSON array', options: { headers: json, payload: deepArray(DEEP) } },
    { name: 'deep JSON, unclosed', options: { headers: json, payload: '['.repeat(100_000) } },
    {
      name: 'deep JSON as text/plain',
      options: { headers: { 'content-type': 'text/plain' }, payload: deepObject(DEEP) },
    },
    { name: 'deep form keys', options: { headers: form, payload: `${deepBrackets}=1&${deepBrackets}=2` } },
    {
      name: 'deep JSON in a form value',
      options: { headers: form, payload: `grant_type=${encodeURIComponent(deepArray(DEEP))}` },
    },
    { name: 'deep multipart fields', options: { headers: deepFields.headers, payload: deepFields.payload } },
    {
      name: 'deep query string',
      options: { query: `${deepBrackets}=1&filter=${encodeURIComponent(deepBrackets)}` },
    },
    { name: 'NUL in the query', options: { query: 'filter=a%00b&id=1%00' } },
  ];
}

describe('hostile input on every route', () => {
  it('reads the whole route table', () => {
    const routes = routesOf(ctx.app);
    expect(routes.length).toBeGreaterThan(90);
    expect(routes).toContainEqual({ method: 'POST', url: '/v2/callflow/multilevelivr' });
    expect(routes).toContainEqual({ method: 'GET', url: '/telephony/audio/1' });
    expect(routes).toContainEqual({ method: 'OPTIONS', url: '/dni/v1/number' });
  });

  it('answers no hostile request with a 5xx, with or without a token', async () => {
    const failures: string[] = [];
    const requests = await hostileRequests();
    for (const route of routesOf(ctx.app)) {
      for (const { name, options } of requests) {
        for (const token of [undefined, admin.token]) {
          // as a stream: answered once the status is written, so an event stream (live calls)
          // that would never end is read as far as its status and then closed
          const response = await ctx.app.inject({
            ...options,
            method: route.method as InjectOptions['method'],
            url: route.url,
            headers: { ...options.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
            payloadAsStream: true,
          } as InjectOptions);
          response.stream().destroy();
          response.raw.res.destroy();
          if (response.statusCode >= 500)
            failures.push(
              `${route.method} ${route.url} ${name}${token ? ' (token)' : ''}: ${response.statusCode}`,
            );
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});

describe('JSON nesting limit', () => {
  const post = (url: string, payload: string, contentType = 'application/json') =>
    ctx.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': contentType, authorization: `Bearer ${admin.token}` },
      payload,
    });

  it('refuses a /v2 body nesting deeper than the limit with a V2 validation error naming it', async () => {
    const response = await post('/v2/group', deepArray(MAX_JSON_DEPTH + 1));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      message: 'Validation errors',
      errors: [
        {
          code: 'INVALID_REQUEST_PARAMETER',
          errors: [
            { code: 'MAX_DEPTH', message: `Value nests more than ${MAX_JSON_DEPTH} levels deep`, path: [] },
          ],
          in: 'body',
          message: 'Invalid parameter (group): Value failed JSON Schema validation',
          name: 'group',
          path: ['paths', '/group', 'post', 'parameters', '0'],
        },
      ],
    });
  });

  it('takes a body exactly at the limit to validation as usual', async () => {
    const response = await post('/v2/group', deepArray(MAX_JSON_DEPTH));
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json())).not.toContain('MAX_DEPTH');
  });

  it('counts brackets inside strings as text', async () => {
    const response = await post('/v2/group', JSON.stringify([{ group_name: '['.repeat(1000) }]));
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json())).not.toContain('MAX_DEPTH');
  });

  it("answers the token endpoint's too-deep body in RFC 6749's shape, naming the limit", async () => {
    const response = await post('/oauth/token', deepObject(MAX_JSON_DEPTH + 1), 'application/json');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      error_description: `The JSON body nests more than ${MAX_JSON_DEPTH} levels deep`,
    });
  });

  it('answers a problem naming the limit elsewhere, for JSON and for the DNI text/plain body', async () => {
    for (const [url, contentType] of [
      ['/dni/v1/number', 'text/plain'],
      ['/dni/v1/number', 'application/json'],
      // Telnyx's webhooks are JSON, read by the carrier edge's own parser
      ['/telephony/telnyx/voice', 'application/json'],
      ['/telephony/telnyx/sms', 'application/json'],
    ] as const) {
      const response = await post(url, deepObject(MAX_JSON_DEPTH + 1), contentType);
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({
        status: 400,
        detail: `The JSON body nests more than ${MAX_JSON_DEPTH} levels deep`,
        code: 'BODY_TOO_DEEP',
      });
    }
  });
});
