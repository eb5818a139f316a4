import { connect } from 'node:net';
import { Ajv } from 'ajv';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';

/**
 * One error vocabulary: V2's bodies under /v2, RFC 6749's on /oauth/token, problem+json
 * everywhere else, each as the OpenAPI document declares it, and never a Fastify error code.
 */

interface Operation {
  method: string;
  path: string;
  hasJsonBody: boolean;
  hasFormBody: boolean;
  requiredQuery: string[];
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

interface Document {
  paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'> & OperationObject>>;
  components: object;
}

interface OperationObject {
  requestBody?: { content: Record<string, unknown> };
  parameters?: { in: string; name: string; required?: boolean }[];
}

let ctx: TestContext;
let admin: TestUser;
let document: Document;
let operations: Operation[];
const ajv = new Ajv({ strict: false, allErrors: true });

beforeAll(async () => {
  ctx = await createTestContext();
  admin = await ctx.factory.user(await ctx.factory.group());
  document = (await ctx.app.inject('/openapi.json')).json();
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      hasJsonBody: operation.requestBody?.content['application/json'] !== undefined,
      hasFormBody: operation.requestBody?.content['application/x-www-form-urlencoded'] !== undefined,
      requiredQuery: (operation.parameters ?? [])
        .filter((parameter) => parameter.in === 'query' && parameter.required)
        .map((parameter) => parameter.name),
      responses: operation.responses,
    })),
  );
});
afterAll(() => ctx.close());

type Dialect = 'v2' | 'oauth' | 'problem';

const dialectOf = (path: string): Dialect =>
  path.startsWith('/v2/') ? 'v2' : path === '/oauth/token' ? 'oauth' : 'problem';

const CONTENT_TYPES: Record<Dialect, string> = {
  v2: 'application/json; charset=utf-8',
  oauth: 'application/json; charset=utf-8',
  problem: 'application/problem+json',
};

const COMPONENT_OF: Record<Dialect, string> = { v2: 'V2Error', oauth: 'OAuthError', problem: 'Problem' };

/** A documented path with its parameters filled in (`{id}` -> 1). */
const urlOf = (path: string) => path.replace(/\{[^}]+\}/g, '1');

function validate(schema: object, body: unknown): string[] {
  const check = ajv.compile({ ...schema, components: document.components });
  return check(body) ? [] : (check.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

/** The body is the dialect's shape, as the document declares it for this operation and status. */
function expectErrorShape(response: LightMyRequestResponse, dialect: Dialect, operation?: Operation) {
  const label = `${response.statusCode} ${response.body}`;
  expect(response.headers['content-type'], label).toBe(CONTENT_TYPES[dialect]);
  expect(response.body, label).not.toContain('FST_');
  const body = response.json();
  expect(validate({ $ref: `#/components/schemas/${COMPONENT_OF[dialect]}` }, body), label).toEqual([]);
  if (dialect === 'problem') expect(body.status, label).toBe(response.statusCode);
  if (operation) {
    const status = String(response.statusCode);
    const documented = operation.responses[status] ?? operation.responses[`${status[0]}XX`];
    const mediaType = CONTENT_TYPES[dialect].split(';')[0] as string;
    const schema = documented?.content?.[mediaType]?.schema;
    expect(schema, `${operation.method} ${operation.path} documents ${status} ${mediaType}`).toBeDefined();
    expect(validate(schema as object, body), label).toEqual([]);
  }
}

const inject = (operation: Operation, options: { headers?: Record<string, string>; payload?: string }) =>
  ctx.app.inject({
    method: operation.method as 'GET',
    url: urlOf(operation.path),
    headers: options.headers ?? {},
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });

const bearer = () => ({ authorization: `Bearer ${admin.token}` });

describe('every /v2 operation', () => {
  it("answers a missing token with V2's 401 body (every operation but the console's sign-in)", async () => {
    const v2 = operations.filter(
      (operation) =>
        dialectOf(operation.path) === 'v2' && `${operation.method} ${operation.path}` !== 'POST /v2/session',
    );
    expect(v2.length).toBeGreaterThan(80);
    for (const operation of v2) {
      const response = await inject(operation, {});
      expect(response.statusCode, `${operation.method} ${operation.path}`).toBe(401);
      expect(response.json()).toEqual({ result: 'error', err: 'Unauthorized', data: null });
      expectErrorShape(response, 'v2', operation);
    }
  });

  it("answers a malformed JSON body and an unsupported content type with V2's body", async () => {
    const withBody = operations.filter(
      (operation) => dialectOf(operation.path) === 'v2' && operation.hasJsonBody,
    );
    expect(withBody.length).toBeGreaterThan(30);
    for (const operation of withBody) {
      const malformed = await inject(operation, {
        headers: { ...bearer(), 'content-type': 'application/json' },
        payload: '[{"x":',
      });
      expect(malformed.statusCode, `${operation.method} ${operation.path}`).toBe(400);
      expect(malformed.json().err).toBe('The body is not valid JSON');
      expectErrorShape(malformed, 'v2', operation);

      const csv = await inject(operation, {
        headers: { ...bearer(), 'content-type': 'text/csv' },
        payload: 'a,b',
      });
      expect(csv.statusCode, `${operation.method} ${operation.path}`).toBe(415);
      expect(csv.json().err).toBe('Unsupported Media Type: text/csv');
      expectErrorShape(csv, 'v2', operation);
    }
  });

  it("answers a body over the limit, an unknown path and an over-long path segment with V2's body", async () => {
    const tooLarge = await ctx.app.inject({
      method: 'POST',
      url: '/v2/campaign',
      headers: { ...bearer(), 'content-type': 'application/json' },
      payload: JSON.stringify([{ campaign_name: 'x'.repeat(10 * 1024 * 1024) }]),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().err).toBe('The request body is larger than 10485760 bytes');
    expectErrorShape(tooLarge, 'v2');

    const unknown = await ctx.app.inject({ url: '/v2/no/such/thing', headers: bearer() });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      result: 'error',
      err: 'Route GET /v2/no/such/thing not found',
      data: null,
    });
    expectErrorShape(unknown, 'v2');

    const longSegment = await ctx.app.inject({ url: `/v2/misc/audio/${'1'.repeat(101)}`, headers: bearer() });
    expect(longSegment.statusCode).toBe(414);
    expectErrorShape(longSegment, 'v2');
  });
});

describe('every public operation outside /v2 and /oauth/token', () => {
  const publicOperations = () => operations.filter((operation) => dialectOf(operation.path) === 'problem');

  it('answers a malformed JSON body and an unsupported content type with problem+json', async () => {
    // the DNI number endpoints (the carrier webhooks take forms only: see the next test)
    const withBody = publicOperations().filter((operation) => operation.hasJsonBody);
    expect(withBody.length).toBeGreaterThanOrEqual(2);
    for (const operation of withBody) {
      const malformed = await inject(operation, {
        headers: { 'content-type': 'application/json' },
        payload: '{"CallSid":',
      });
      expect(malformed.statusCode, `${operation.method} ${operation.path}`).toBe(400);
      expect(malformed.json()).toMatchObject({ code: 'INVALID_INPUT', detail: 'The body is not valid JSON' });
      expectErrorShape(malformed, 'problem', operation);

      const csv = await inject(operation, { headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
      expect(csv.statusCode, `${operation.method} ${operation.path}`).toBe(415);
      expect(csv.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', title: 'Unsupported Media Type' });
      expectErrorShape(csv, 'problem', operation);
    }
  });

  it('answers a JSON body on a carrier webhook (forms only) with 415 problem+json', async () => {
    const forms = publicOperations().filter((operation) => operation.hasFormBody && !operation.hasJsonBody);
    expect(forms.length).toBeGreaterThanOrEqual(7);
    for (const operation of forms) {
      const json = await inject(operation, {
        headers: { 'content-type': 'application/json' },
        payload: '{"CallSid":"CA00000000000000000000000000000000"}',
      });
      expect(json.statusCode, `${operation.method} ${operation.path}`).toBe(415);
      expectErrorShape(json, 'problem', operation);
    }
  });

  it('answers a missing query parameter or body field with problem+json, not V2 validation errors', async () => {
    const checked = publicOperations().filter(
      (operation) => operation.requiredQuery.length > 0 || operation.hasJsonBody || operation.hasFormBody,
    );
    for (const operation of checked) {
      const response = await inject(
        operation,
        operation.hasJsonBody
          ? { headers: { 'content-type': 'application/json' }, payload: '{}' }
          : operation.hasFormBody
            ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' }
            : {},
      );
      // carrier webhooks check their signature first (403), the others their input (400)
      expect([400, 403], `${operation.method} ${operation.path}`).toContain(response.statusCode);
      expect(response.json().message).toBeUndefined();
      expectErrorShape(response, 'problem', operation);
    }
    const audio = await ctx.app.inject('/telephony/audio/some-reference');
    expect(audio.json()).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
    expect(audio.json().detail).toContain('sig');
  });

  it('answers a body over the limit with 413 problem+json', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/dni/v1/number',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ code: 'x'.repeat(20_000) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      detail: 'The request body is larger than 16384 bytes',
    });
    expectErrorShape(response, 'problem');
  });

  it.each(['/no/such/thing', '/telephony/twilio/nothing', '/dni/v2/number', '/health/deep'])(
    'answers the unknown path %s with 404 problem+json',
    async (url) => {
      const response = await ctx.app.inject(url);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: `Route GET ${url} not found`,
        code: 'NOT_FOUND',
      });
      expectErrorShape(response, 'problem');
    },
  );

  it('answers an over-long path segment with 414 and a malformed one with 400, both problem+json', async () => {
    const long = await ctx.app.inject(`/telephony/audio/${'a'.repeat(101)}?sig=x`);
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ code: 'URI_TOO_LONG', title: 'URI Too Long' });
    expectErrorShape(long, 'problem');

    const malformed = await ctx.app.inject('/telephony/audio/%E0%A4%A?sig=x');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'INVALID_INPUT' });
    expectErrorShape(malformed, 'problem');
  });

  it('answers headers too large for the HTTP parser with 431 problem+json on the socket', async () => {
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      });
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
      });
      socket.on('close', () => resolve(received));
      socket.on('error', (error) => (received ? resolve(received) : reject(error)));
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(body as string)).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
    expect(raw).not.toContain('FST_');
  });
});

describe('POST /oauth/token', () => {
  const operation = () => operations.find((o) => o.path === '/oauth/token') as Operation;

  it("answers a malformed body and a body over the limit in RFC 6749's shape", async () => {
    const malformed = await inject(operation(), {
      headers: { 'content-type': 'application/json' },
      payload: '{"grant_type":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The body is not valid JSON',
    });
    expectErrorShape(malformed, 'oauth', operation());

    const tooLarge = await inject(operation(), {
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ grant_type: 'x'.repeat(10 * 1024 * 1024) }),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().error).toBe('invalid_request');
    expectErrorShape(tooLarge, 'oauth', operation());
  });

  it("answers an unsupported content type with V2's 401 invalid_client", async () => {
    const response = await inject(operation(), { headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
    });
    expect(response.headers['www-authenticate']).toBe('Basic realm="Switchboard"');
    expectErrorShape(response, 'oauth', operation());
  });
});
