import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCallUpload } from '../../src/modules/calls/call-upload.js';
import { createTestContext, TEST_CLIENT, TEST_PASSWORD, type TestContext } from '../helpers/app.js';
import type { ClientLogin } from '../openapi-client/login.js';

/** The OpenAPI document as a contract: what a client generator and an integrator rely on. */

interface Schema {
  $ref?: string;
  anyOf?: Schema[];
  type?: string;
  format?: string;
  required?: string[];
  properties?: Record<string, Schema>;
}
interface Response {
  description: string;
  content?: Record<string, { schema: Schema }>;
}
interface Operation {
  operationId?: string;
  security?: unknown[];
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, Response>;
}
interface Document {
  security: unknown[];
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT = path.join(ROOT, 'test/openapi-client/switchboard-client.ts');

/** runClient of the client; its result is typed there, against the generated types. */
type RunClient = (baseUrl: string, login: ClientLogin) => Promise<Record<string, unknown>>;

let ctx: TestContext;
let document: Document;
let operations: { method: string; path: string; operation: Operation }[];

beforeAll(async () => {
  ctx = await createTestContext();
  document = (await ctx.app.inject('/openapi.json')).json();
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method, path, operation })),
  );
});
afterAll(() => ctx.close());

const label = ({ method, path }: { method: string; path: string }) => `${method.toUpperCase()} ${path}`;
/** Outside /v2, and the console's sign-in. */
const isPublic = (entry: { method: string; path: string }) =>
  !entry.path.startsWith('/v2/') || label(entry) === 'POST /v2/session';
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe('operationIds', () => {
  it('name every operation once, as a camelCase method name', () => {
    const ids = operations.map(({ operation }) => operation.operationId);
    for (const [index, id] of ids.entries()) {
      expect(id, label(operations[index] as (typeof operations)[number])).toMatch(/^[a-z][A-Za-z0-9]+$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keep the names clients were generated with', () => {
    const idOf = (method: string, path: string) => document.paths[path]?.[method]?.operationId;
    expect(idOf('post', '/oauth/token')).toBe('getAccessToken');
    expect(idOf('get', '/v2/group/list')).toBe('listGroups');
    expect(idOf('get', '/v2/call/list')).toBe('listCalls');
    expect(idOf('post', '/v2/campaign')).toBe('createCampaign');
    expect(idOf('post', '/v2/callflow/multilevelivr')).toBe('createMultilevelIvrCallFlows');
    expect(idOf('post', '/telephony/twilio/gather')).toBe('twilioGatherWebhook');
  });
});

describe('security', () => {
  it('is a bearer token or the console session at the root; only sign-in and the operations outside /v2 are public', () => {
    expect(document.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      sessionCookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'sb_session' }),
    });
    expect(document.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    for (const entry of operations) {
      expect(entry.operation.security, label(entry)).toEqual(isPublic(entry) ? [] : undefined);
    }
    expect(operations.filter((entry) => isPublic(entry)).map(label)).toEqual(
      expect.arrayContaining([
        'GET /health',
        'POST /oauth/token',
        'POST /telephony/twilio/voice',
        'GET /telephony/audio/{reference}',
        'GET /dni.js',
        'POST /dni/v1/number',
      ]),
    );
  });

  it('matches the server: the public operations answer without a token', async () => {
    for (const url of ['/health', '/ready', '/dni.js'])
      expect((await ctx.app.inject(url)).statusCode).toBe(200);
  });
});

describe('parameters and bodies', () => {
  it('leave limit and offset optional, as they are on the wire', async () => {
    let lists = 0;
    for (const entry of operations) {
      for (const parameter of entry.operation.parameters ?? []) {
        if (parameter.name !== 'limit' && parameter.name !== 'offset') continue;
        lists++;
        expect(parameter.required, `${label(entry)} ${parameter.name}`).toBe(false);
      }
    }
    expect(lists).toBeGreaterThan(40);
  });

  it('declare the form encoding of the token endpoint (and JSON) and of the carrier webhooks (forms only)', () => {
    const token = operations.find(({ path }) => path === '/oauth/token');
    expect(Object.keys(token?.operation.requestBody?.content ?? {})).toEqual([
      'application/x-www-form-urlencoded',
      'application/json',
    ]);
    const webhooks = operations.filter(({ path }) => path.startsWith('/telephony/twilio/'));
    expect(webhooks.length).toBeGreaterThanOrEqual(7);
    for (const entry of webhooks) {
      expect(Object.keys(entry.operation.requestBody?.content ?? {}), label(entry)).toEqual([
        'application/x-www-form-urlencoded',
      ]);
    }
    for (const path of ['/dni/v1/number', '/dni/v1/release']) {
      expect(Object.keys(document.paths[path]?.post?.requestBody?.content ?? {})).toEqual([
        'application/json',
        'text/plain',
      ]);
    }
  });

  it('declare the parts of every multipart upload, the files as binary', () => {
    const uploads = operations.filter((entry) => entry.operation.requestBody?.content['multipart/form-data']);
    expect(uploads.map(label).sort()).toEqual([
      'POST /v2/call/upload',
      'POST /v2/group/logo',
      'POST /v2/misc/upload/prompt',
      'POST /v2/misc/upload/whisper',
    ]);
    for (const entry of uploads) {
      const parts = entry.operation.requestBody?.content['multipart/form-data']?.schema;
      expect(parts?.properties?.file, label(entry)).toMatchObject({ type: 'string', format: 'binary' });
    }
    const audio = document.paths['/v2/misc/upload/prompt']?.post?.requestBody?.content['multipart/form-data'];
    expect(audio?.schema.properties?.file_14).toMatchObject({ format: 'binary' });
  });

  it('name exactly the fields Upload Call Audio reads', () => {
    const schema =
      document.paths['/v2/call/upload']?.post?.requestBody?.content['multipart/form-data']?.schema;
    expect(schema?.required).toEqual(['file', 'tracking_number', 'caller_id']);
    const fields = Object.keys(schema?.properties ?? {}).filter((name) => name !== 'file');
    const unknownField = (name: string) => {
      try {
        parseCallUpload({ [name]: '' }, []);
      } catch (error) {
        return (error as Error).message === `Unknown field ${name}`;
      }
      return false;
    };
    expect(fields.filter(unknownField)).toEqual([]);
    expect(unknownField('not_a_field')).toBe(true);
  });
});

describe('responses', () => {
  it('give every documented status a schema, except those without a body', () => {
    for (const entry of operations) {
      for (const [status, response] of Object.entries(entry.operation.responses)) {
        if (status === '204' || status === '304') continue;
        const media = Object.values(response.content ?? {});
        expect(media.length, `${label(entry)} ${status}`).toBeGreaterThan(0);
        for (const { schema } of media) expect(schema, `${label(entry)} ${status}`).toBeDefined();
      }
    }
  });

  it('share the error bodies as components: V2 under /v2, RFC 6749 on the token endpoint, problem+json elsewhere', () => {
    expect(Object.keys(document.components.schemas).sort()).toEqual([
      'OAuthError',
      'Problem',
      'V2Error',
      'V2ValidationError',
    ]);
    for (const entry of operations) {
      const errors = Object.entries(entry.operation.responses).filter(([status]) => /^[45]/.test(status));
      expect(
        errors.map(([status]) => status),
        label(entry),
      ).toEqual(expect.arrayContaining(['4XX', '500']));
      for (const [status, response] of errors) {
        const where = `${label(entry)} ${status}`;
        if (entry.path.startsWith('/v2/')) {
          const schema = response.content?.['application/json']?.schema;
          if (status === '400')
            expect(schema?.anyOf, where).toEqual([ref('V2ValidationError'), ref('V2Error')]);
          else expect(schema, where).toEqual(ref('V2Error'));
        } else if (entry.path === '/oauth/token') {
          expect(response.content?.['application/json']?.schema, where).toEqual(ref('OAuthError'));
        } else {
          expect(response.content, where).toEqual({ 'application/problem+json': { schema: ref('Problem') } });
        }
      }
    }
  });
});

describe('a client generated from the document', () => {
  it('compiles against it and makes real calls with it', async () => {
    const group = await ctx.factory.group();
    const user = await ctx.factory.user(group);
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });

    // Generate the types from what the running server publishes, next to a copy of the client.
    const directory = path.join(ROOT, 'node_modules/.cache/switchboard-openapi-client', `${process.pid}`);
    await mkdir(directory, { recursive: true });
    try {
      const generated = astToString(await openapiTS(new URL('/openapi.json', address)));
      await writeFile(path.join(directory, 'switchboard-api.d.ts'), generated);
      for (const file of await readdir(path.dirname(CLIENT)))
        await copyFile(path.join(path.dirname(CLIENT), file), path.join(directory, file));
      const client = path.join(directory, path.basename(CLIENT));
      const program = ts.createProgram([client], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2023.d.ts'],
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        types: ['node'],
        typeRoots: [path.join(ROOT, 'node_modules/@types')],
      });
      const errors = ts
        .getPreEmitDiagnostics(program)
        .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      expect(errors).toEqual([]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }

    // Imported by path: the main type-check does not see the client, whose types only exist here.
    const { runClient } = (await import(CLIENT)) as { runClient: RunClient };
    const run = await runClient(address, {
      username: user.email,
      password: TEST_PASSWORD,
      ...TEST_CLIENT,
      groupId: group,
      userId: user.ct_user_id,
    });
    expect(run.groupIds).toEqual([group]);
    expect(run.campaignResult).toMatchObject({ result: 'success', entry_count: 1 });
    const { rows } = await ctx.db.query('select campaign_name from campaign where campaign_id = $1', [
      Number((run.campaignResult as { data: unknown }).data),
    ]);
    expect(rows).toEqual([{ campaign_name: 'Generated client' }]);
    expect(run.missingCampaign).toMatchObject({ result: 'error', data: null });
    expect(run.invalidPageView).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(run.wrongClient).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
    });
  });
});
