import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';

/** V2's swagger-style validation errors, generated from the route schemas, letter for letter. */
let ctx: TestContext;
let admin: TestUser;

beforeAll(async () => {
  ctx = await createTestContext();
  admin = await ctx.factory.user(await ctx.factory.group());
});
afterAll(() => ctx.close());

const get = (url: string) => ctx.request('GET', url, { token: admin.token });
const postGroups = (body: unknown) => ctx.request('POST', '/v2/group', { token: admin.token, body });
const groupCount = async () =>
  Number((await ctx.db.query<{ n: number }>('select count(*)::int as n from org_group')).rows[0]?.n);

describe('query parameters', () => {
  it('reports a missing required parameter as REQUIRED with its swagger path', async () => {
    const { status, body } = await get('/v2/group');
    expect(status).toBe(400);
    expect(body).toEqual({
      message: 'Validation errors',
      errors: [
        {
          code: 'INVALID_REQUEST_PARAMETER',
          errors: [
            {
              code: 'REQUIRED',
              message: 'Value is required but was not provided',
              path: ['paths', '/group', 'get', 'parameters', '0'],
            },
          ],
          in: 'query',
          message: 'Invalid parameter (id): Value is required but was not provided',
          name: 'id',
          path: ['paths', '/group', 'get', 'parameters', '0'],
        },
      ],
    });
  });

  it.each(['abc', ''])('reports id=%j as INVALID_TYPE', async (value) => {
    const { status, body } = await get(`/v2/group?id=${value}`);
    expect(status).toBe(400);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({
      code: 'INVALID_REQUEST_PARAMETER',
      in: 'query',
      name: 'id',
      message: 'Invalid parameter (id): Expected type integer but found type string',
      path: [],
    });
    expect(body.errors[0].errors[0]).toMatchObject({
      code: 'INVALID_TYPE',
      message: 'Expected type integer but found type string',
    });
  });

  it.each(['abc', ''])('reports limit=%j as INVALID_TYPE', async (value) => {
    const { body } = await get(`/v2/group/list?limit=${value}`);
    expect(body.errors[0].message).toBe(
      'Invalid parameter (limit): Expected type integer but found type string',
    );
  });

  it('reports a negative limit as a failed schema with the minimum violation inside', async () => {
    const { status, body } = await get('/v2/group/list?limit=-1');
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      message: 'Invalid parameter (limit): Value failed JSON Schema validation',
      name: 'limit',
      path: ['paths', '/group/list', 'get', 'parameters', '0'],
    });
    expect(body.errors[0].errors).toEqual([
      {
        code: 'MINIMUM',
        message: 'Value -1 is less than minimum 0',
        path: [],
        description: 'Maximum number of records to return',
      },
    ]);
  });

  it('reports a limit above the maximum', async () => {
    const { body } = await get('/v2/group/list?limit=1001');
    expect(body.errors[0].errors[0]).toMatchObject({
      code: 'MAXIMUM',
      message: 'Value 1001 is greater than maximum 1000',
    });
  });

  it('accepts limit=500', async () => {
    expect((await get('/v2/group/list?limit=500')).status).toBe(200);
  });

  it('reports offset as the second parameter', async () => {
    const { body } = await get('/v2/group/list?offset=-5');
    expect(body.errors[0].path).toEqual(['paths', '/group/list', 'get', 'parameters', '1']);
  });
});

describe('request bodies', () => {
  const bodyError = (errors: unknown[]) => ({
    message: 'Validation errors',
    errors: [
      {
        code: 'INVALID_REQUEST_PARAMETER',
        errors,
        in: 'body',
        message: 'Invalid parameter (group): Value failed JSON Schema validation',
        name: 'group',
        path: ['paths', '/group', 'post', 'parameters', '0'],
      },
    ],
  });

  it('reports a missing required property per entry with the entry index as path', async () => {
    const before = await groupCount();
    const { status, body } = await postGroups([{ group_name: 'Fine' }, { city: 'Irvine' }]);
    expect(status).toBe(400);
    expect(body).toEqual(
      bodyError([
        {
          code: 'OBJECT_MISSING_REQUIRED_PROPERTY',
          message: 'Missing required property: group_name',
          path: ['1'],
        },
      ]),
    );
    expect(await groupCount()).toBe(before);
  });

  it('reports several missing properties, one error each, in schema order', async () => {
    const { body } = await ctx.request('POST', '/v2/group/user', {
      token: admin.token,
      body: [{ role_id: 1 }],
    });
    expect(body.errors[0].name).toBe('user');
    expect(body.errors[0].errors.map((e: { message: string }) => e.message)).toEqual([
      'Missing required property: group_id',
      'Missing required property: user_email',
      'Missing required property: password',
      'Missing required property: first_name',
      'Missing required property: last_name',
    ]);
  });

  it('reports MIN_LENGTH with the field path and its description', async () => {
    const { body } = await postGroups([{ group_name: '' }]);
    expect(body).toEqual(
      bodyError([
        {
          code: 'MIN_LENGTH',
          message: 'String is too short (0 chars), minimum 1',
          path: ['0', 'group_name'],
          description: 'The name of the group',
        },
      ]),
    );
  });

  it('reports ENUM_MISMATCH, with a trailing space for an empty value', async () => {
    const bad = await postGroups([{ group_name: 'X', group_status: 'paused' }]);
    expect(bad.body.errors[0].errors).toEqual([
      {
        code: 'ENUM_MISMATCH',
        message: 'No enum match for: paused',
        path: ['0', 'group_status'],
        description: 'The status of the group',
      },
    ]);
    const empty = await postGroups([{ group_name: 'X', group_status: '' }]);
    expect(empty.body.errors[0].errors[0].message).toBe('No enum match for: ');
  });

  it('reports an empty array as ARRAY_LENGTH_SHORT', async () => {
    const { body } = await postGroups([]);
    expect(body).toEqual(
      bodyError([{ code: 'ARRAY_LENGTH_SHORT', message: 'Array is too short (0), minimum 1', path: [] }]),
    );
  });

  it('reports an object where an array belongs as INVALID_TYPE', async () => {
    const { body } = await postGroups({ group_name: 'X' });
    expect(body).toEqual(
      bodyError([{ code: 'INVALID_TYPE', message: 'Expected type array but found type object', path: [] }]),
    );
  });

  it('reports a wrongly typed field as INVALID_TYPE', async () => {
    const { body } = await postGroups([{ group_name: 'X', group_parent_id: 'one' }]);
    expect(body.errors[0].errors[0]).toMatchObject({
      code: 'INVALID_TYPE',
      message: 'Expected type integer but found type string',
      path: ['0', 'group_parent_id'],
    });
  });

  it('rejects unknown fields instead of dropping them silently', async () => {
    const before = await groupCount();
    const { body } = await postGroups([{ group_name: 'X', group_colour: 'blue' }]);
    expect(body.errors[0].errors).toEqual([
      {
        code: 'OBJECT_ADDITIONAL_PROPERTIES',
        message: 'Additional properties not allowed: group_colour',
        path: ['0'],
      },
    ]);
    expect(await groupCount()).toBe(before);
  });

  it('reports a minimum violation inside a body', async () => {
    const { body } = await postGroups([{ group_name: 'X', group_parent_id: 0 }]);
    expect(body.errors[0].errors[0]).toMatchObject({
      code: 'MINIMUM',
      message: 'Value 0 is less than minimum 1',
    });
  });

  it('answers malformed JSON with a 400 in the V2 envelope', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v2/group',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      payload: '[{"group_name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ result: 'error', data: null });
  });
});

describe('unknown routes', () => {
  it('answers an unknown /v2 path with 404 in the V2 envelope', async () => {
    const { status, body } = await get('/v2/nothing/here');
    expect(status).toBe(404);
    expect(body).toEqual({ result: 'error', err: 'Route GET /v2/nothing/here not found', data: null });
  });
});
