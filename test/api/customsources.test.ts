import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';

/** Group-level custom sources: GET, POST and DELETE /v2/customsource. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let otherAgency: number;
let otherAdmin: TestUser;

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
  otherAgency = await ctx.factory.group();
  otherAdmin = await ctx.factory.user(otherAgency);
});
afterAll(() => ctx.close());

let sequence = 0;
const uniqueName = (label: string) => `${label} ${++sequence}`;

const post = (body: unknown, token = h.agencyAdmin.token) =>
  ctx.request('POST', '/v2/customsource', { token, body });
const remove = (body: unknown, token = h.agencyAdmin.token) =>
  ctx.request('DELETE', '/v2/customsource', { token, body });
const list = (query: string, token = h.agencyAdmin.token) =>
  ctx.request('GET', `/v2/customsource?${query}`, { token });

/** Creates one custom source and returns its id, read the way V2 clients read it (the digits). */
async function create(groupId: number, name = uniqueName('Source'), token = h.agencyAdmin.token) {
  const { body } = await post([{ org_unit_id: groupId, custom_source_name: name }], token);
  expect(body).toMatchObject({ result: 'success', err: null });
  return Number(String(body.data).replace(/\D+/g, ''));
}

const sourceCount = async () =>
  Number((await ctx.db.query<{ n: number }>('select count(*)::int as n from custom_source')).rows[0]?.n);

describe('POST /v2/customsource', () => {
  it('creates a custom source and names its id in the success string', async () => {
    const { status, body } = await post([{ org_unit_id: h.agency, custom_source_name: 'Google Ads' }]);
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: expect.stringMatching(/^Successfully created custom_sources \[\d+\]$/),
    });
    const id = Number(body.data.replace(/\D+/g, ''));
    const read = await list(`ouId=${h.agency}&filter=custom_source_id%3d${id}`);
    expect(read.body.data).toEqual([
      { custom_source_id: id, custom_source_name: 'Google Ads', org_unit_id: h.agency },
    ]);
  });

  it('creates several in one request and lists every id', async () => {
    const { body } = await post([
      { org_unit_id: h.company, custom_source_name: uniqueName('Billboard') },
      { org_unit_id: h.location, custom_source_name: uniqueName('Radio') },
    ]);
    expect(body.data).toMatch(/^Successfully created custom_sources \[\d+, \d+\]$/);
    const ids = body.data
      .replace('Successfully created custom_sources', '')
      .replace(/[\s[\]]/g, '')
      .split(',')
      .map(Number);
    const rows = await ctx.db.query(
      'select group_id from custom_source where custom_source_id = any($1) order by 1',
      [ids],
    );
    expect(rows.rows).toEqual([{ group_id: h.company }, { group_id: h.location }]);
  });

  it('stores the name trimmed', async () => {
    const id = await create(h.company, '  Padded  ');
    const { body } = await list(`ouId=${h.company}&filter=custom_source_id%3d${id}`);
    expect(body.data[0].custom_source_name).toBe('Padded');
  });

  it('answers [] with ARRAY_LENGTH_SHORT under the body name customSource', async () => {
    const { status, body } = await post([]);
    expect(status).toBe(400);
    expect(body).toEqual({
      message: 'Validation errors',
      errors: [
        {
          code: 'INVALID_REQUEST_PARAMETER',
          errors: [{ code: 'ARRAY_LENGTH_SHORT', message: 'Array is too short (0), minimum 1', path: [] }],
          in: 'body',
          message: 'Invalid parameter (customSource): Value failed JSON Schema validation',
          name: 'customSource',
          path: ['paths', '/customsource', 'post', 'parameters', '0'],
        },
      ],
    });
  });

  it('answers [{}] with the missing custom_source_name first, then org_unit_id', async () => {
    const { body } = await post([{}]);
    expect(body.errors[0].errors).toEqual([
      {
        code: 'OBJECT_MISSING_REQUIRED_PROPERTY',
        message: 'Missing required property: custom_source_name',
        path: ['0'],
      },
      {
        code: 'OBJECT_MISSING_REQUIRED_PROPERTY',
        message: 'Missing required property: org_unit_id',
        path: ['0'],
      },
    ]);
  });

  it('answers an empty name with MIN_LENGTH and a blank org_unit_id with INVALID_TYPE', async () => {
    const blankName = await post([{ org_unit_id: h.agency, custom_source_name: '' }]);
    expect(blankName.body.errors[0].errors[0]).toMatchObject({
      code: 'MIN_LENGTH',
      message: 'String is too short (0 chars), minimum 1',
      path: ['0', 'custom_source_name'],
    });
    const blankGroup = await post([{ org_unit_id: '', custom_source_name: 'x' }]);
    expect(blankGroup.body.errors[0].errors[0]).toMatchObject({
      code: 'INVALID_TYPE',
      message: 'Expected type integer but found type string',
      path: ['0', 'org_unit_id'],
    });
  });

  it('refuses a name of spaces', async () => {
    const { status, body } = await post([{ org_unit_id: h.agency, custom_source_name: '   ' }]);
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err: 'error', data: ['custom_source_name should not be empty'] });
  });

  it.each([
    ['a group that does not exist', () => 987654],
    ['a group of another account', () => otherAgency],
    ['a group above the caller', () => h.agency],
  ])('refuses %s', async (_, groupId) => {
    const { body } = await post(
      [{ org_unit_id: groupId(), custom_source_name: uniqueName('Nope') }],
      h.companyAdmin.token,
    );
    expect(body).toEqual({
      result: 'error',
      err: 'error',
      data: [`You are not authorized to create custom sources in group. ${groupId()}`],
    });
  });

  it('refuses a name used in the group, above it or below it, whatever its case', async () => {
    const name = uniqueName('Yelp');
    await create(h.location, name);
    for (const groupId of [h.agency, h.company, h.location]) {
      const { body } = await post([{ org_unit_id: groupId, custom_source_name: name.toUpperCase() }]);
      expect(body).toEqual({
        result: 'error',
        err: 'error',
        data: [`'${name.toUpperCase()}' This custom_source is already exist.`],
      });
    }
  });

  it('allows the same name in another account', async () => {
    const name = uniqueName('Shared');
    await create(h.agency, name);
    await create(otherAgency, name, otherAdmin.token);
  });

  it('refuses a name repeated in one request', async () => {
    const entry = { org_unit_id: h.agency, custom_source_name: uniqueName('Twice') };
    const { body } = await post([
      entry,
      { ...entry, custom_source_name: entry.custom_source_name.toLowerCase() },
    ]);
    expect(body).toEqual({
      result: 'error',
      err: 'error',
      data: 'Repeated custom source names are not allowed',
    });
  });

  it('creates nothing when one entry is refused, and lists every reason', async () => {
    const before = await sourceCount();
    const { body } = await post([
      { org_unit_id: h.agency, custom_source_name: uniqueName('Good') },
      { org_unit_id: 987654, custom_source_name: uniqueName('Bad') },
      { org_unit_id: h.agency, custom_source_name: ' ' },
    ]);
    expect(body.data).toEqual([
      'You are not authorized to create custom sources in group. 987654',
      'custom_source_name should not be empty',
    ]);
    expect(await sourceCount()).toBe(before);
  });

  it('accepts the name of a deleted custom source again', async () => {
    const name = uniqueName('Again');
    const id = await create(h.agency, name);
    expect((await remove({ custom_sources: [id] })).body.result).toBe('success');
    const again = await create(h.agency, name);
    expect(again).not.toBe(id);
  });

  it('refuses a read-only user', async () => {
    const readOnly = await ctx.factory.user(h.company, 3);
    const { status } = await post([{ org_unit_id: h.company, custom_source_name: 'x' }], readOnly.token);
    expect(status).toBe(403);
  });

  it('lets a standard user create', async () => {
    const standard = await ctx.factory.user(h.company, 2);
    await create(h.company, uniqueName('Standard'), standard.token);
  });

  it('never gives one name twice to concurrent writers in one account', async () => {
    const name = uniqueName('Race');
    const replies = await Promise.all(
      [h.agency, h.company, h.location, h.agency].map((groupId) =>
        post([{ org_unit_id: groupId, custom_source_name: name }]),
      ),
    );
    expect(replies.filter((reply) => reply.body.result === 'success')).toHaveLength(1);
  });
});

describe('GET /v2/customsource', () => {
  let agencySource: number;
  let companySource: number;
  let locationSource: number;
  let siblingSource: number;
  let sibling: number;

  beforeAll(async () => {
    sibling = await ctx.factory.group(h.agency);
    agencySource = await create(h.agency, uniqueName('Agency level'));
    companySource = await create(h.company, uniqueName('Company level'));
    locationSource = await create(h.location, uniqueName('Location level'));
    siblingSource = await create(sibling, uniqueName('Sibling level'));
  });

  const ids = (body: { data: { custom_source_id: number }[] }) =>
    body.data.map((row) => row.custom_source_id);

  it('lists the line of the group: inherited from above, its own and those below, by id', async () => {
    const { status, body } = await list(`ouId=${h.company}&limit=1000`, h.companyAdmin.token);
    expect(status).toBe(200);
    expect(ids(body)).toEqual(expect.arrayContaining([agencySource, companySource, locationSource]));
    expect(ids(body)).not.toContain(siblingSource);
    expect(ids(body)).toEqual([...ids(body)].sort((a, b) => a - b));
    for (const row of body.data) {
      expect(Object.keys(row).sort()).toEqual(['custom_source_id', 'custom_source_name', 'org_unit_id']);
      expect(Number.isInteger(row.org_unit_id)).toBe(true);
    }
  });

  it('shows a location the custom sources of every group above it', async () => {
    const { body } = await list(`ouId=${h.location}&limit=1000`, h.locationAdmin.token);
    expect(ids(body)).toEqual(expect.arrayContaining([agencySource, companySource, locationSource]));
    expect(ids(body)).not.toContain(siblingSource);
  });

  it.each([
    ['its agency', () => h.agency],
    ['another account', () => otherAgency],
    ['a group that does not exist', () => 987654],
  ])('tells a company admin asking for %s that it has no permission', async (_, groupId) => {
    const { status, body } = await list(`ouId=${groupId()}`, h.companyAdmin.token);
    expect(status).toBe(404);
    expect(body).toEqual({
      result: 'error',
      err: 'error',
      data: "You don't have permission to access this group.",
    });
  });

  it('hides deleted custom sources', async () => {
    const id = await create(h.company);
    await remove({ custom_sources: [id] });
    const { body } = await list(`ouId=${h.company}&filter=custom_source_id%3d${id}`);
    expect(body.data).toEqual([]);
  });

  it('pages with limit and offset', async () => {
    const all = ids((await list(`ouId=${h.agency}&limit=1000`)).body);
    expect(ids((await list(`ouId=${h.agency}&limit=2`)).body)).toEqual(all.slice(0, 2));
    expect(ids((await list(`ouId=${h.agency}&limit=2&offset=1`)).body)).toEqual(all.slice(1, 3));
  });

  it('filters on custom_source_id, custom_source_name and org_unit_id', async () => {
    expect(ids((await list(`ouId=${h.agency}&filter=custom_source_id%3d${companySource}`)).body)).toEqual([
      companySource,
    ]);
    const atLeast = ids(
      (await list(`ouId=${h.agency}&limit=1000&filter=custom_source_id%3E%3D${locationSource}`)).body,
    );
    expect(atLeast.every((id) => id >= locationSource)).toBe(true);
    const name = (await list(`ouId=${h.agency}&filter=custom_source_id%3d${agencySource}`)).body.data[0]
      .custom_source_name;
    expect(
      ids((await list(`ouId=${h.agency}&filter=custom_source_name%3d${encodeURIComponent(name)}`)).body),
    ).toEqual([agencySource]);
    const byGroup = (await list(`ouId=${h.agency}&limit=1000&filter=org_unit_id%3d${h.location}`)).body.data;
    expect(byGroup.length).toBeGreaterThan(0);
    expect(byGroup.every((row: { org_unit_id: number }) => row.org_unit_id === h.location)).toBe(true);
    expect((await list(`ouId=${h.agency}&filter=custom_source_name%3dNothing-like-it`)).body).toEqual({
      result: 'success',
      err: null,
      data: [],
    });
  });

  it('answers filter mistakes as V2 does, with the reason in data', async () => {
    const cases: [string, string][] = [
      ['custom_source_id%2B5', 'Unsupported comparator used in filter on rule 1 : custom_source_id+5'],
      ['custom_source_id', 'Unsupported comparator used in filter on rule 1 : custom_source_id'],
      [
        'custom_source_name%3E%3Dabc',
        'Invalid comparator type "string" used for value being used in rule 1 : custom_source_name>=abc',
      ],
      ['custom_source_name%3d', 'Please provide valid data.'],
    ];
    for (const [filter, reason] of cases) {
      const { status, body } = await list(`ouId=${h.agency}&filter=${filter}`);
      expect(status).toBe(400);
      expect(body).toEqual({ result: 'error', err: 'error', data: reason });
    }
  });

  it('names the integer field whose filter value is not an integer', async () => {
    expect((await list(`ouId=${h.agency}&filter=custom_source_id%3dabc`)).body).toEqual({
      result: 'error',
      err: 'Please Provide valid custom_source_id',
      data: null,
    });
    expect((await list(`ouId=${h.agency}&filter=org_unit_id%3d12ab`)).body.err).toBe(
      'Please Provide valid org_unit_id',
    );
  });

  it('answers a bad limit with INVALID_TYPE and a negative offset with MINIMUM at parameter 2', async () => {
    const limit = await list(`ouId=${h.agency}&limit=`);
    expect(limit.body.errors[0]).toMatchObject({
      in: 'query',
      message: 'Invalid parameter (limit): Expected type integer but found type string',
      path: [],
    });
    const offset = await list(`ouId=${h.agency}&offset=-1`);
    expect(offset.body.errors[0]).toMatchObject({
      message: 'Invalid parameter (offset): Value failed JSON Schema validation',
      path: ['paths', '/customsource', 'get', 'parameters', '2'],
      errors: [{ code: 'MINIMUM', message: 'Value -1 is less than minimum 0', path: [] }],
    });
  });

  it('requires ouId', async () => {
    const { body } = await list('limit=5');
    expect(body.errors[0]).toMatchObject({
      message: 'Invalid parameter (ouId): Value is required but was not provided',
      path: ['paths', '/customsource', 'get', 'parameters', '0'],
    });
  });
});

describe('DELETE /v2/customsource', () => {
  it('soft-deletes and answers with V2 string', async () => {
    const id = await create(h.location);
    const { status, body } = await remove({ custom_sources: [id] });
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: 'Successfully deleted the Custom Source.' });
    const row = await ctx.db.query(
      'select custom_source_active from custom_source where custom_source_id = $1',
      [id],
    );
    expect(row.rows).toEqual([{ custom_source_active: false }]);
  });

  it('deletes several at once', async () => {
    const ids = [await create(h.agency), await create(h.company)];
    expect((await remove({ custom_sources: ids })).body.data).toBe('Successfully deleted the Custom Source.');
  });

  it('refuses an id deleted already', async () => {
    const id = await create(h.agency);
    await remove({ custom_sources: [id] });
    const { status, body } = await remove({ custom_sources: [id] });
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err: [`custom_source_id ${id} is already deleted`], data: null });
  });

  it('refuses a repeated id', async () => {
    const id = await create(h.agency);
    expect((await remove({ custom_sources: [id, id] })).body).toEqual({
      result: 'error',
      err: 'error',
      data: 'Repeated custom_source_id not allowed',
    });
  });

  it('lets a company admin delete its own and lower custom sources but not inherited or foreign ones', async () => {
    const agencyId = await create(h.agency);
    const foreignId = await create(otherAgency, uniqueName('Foreign'), otherAdmin.token);
    const locationId = await create(h.location);
    const { body } = await remove(
      { custom_sources: [agencyId, foreignId, 987654, locationId] },
      h.companyAdmin.token,
    );
    expect(body).toEqual({
      result: 'error',
      err: [
        `You are not authorized to manage this custom_source_id ${agencyId}`,
        `You are not authorized to manage this custom_source_id ${foreignId}`,
        'You are not authorized to manage this custom_source_id 987654',
      ],
      data: null,
    });
    const live = await ctx.db.query(
      'select count(*)::int as n from custom_source where custom_source_id = $1 and custom_source_active',
      [locationId],
    );
    expect(live.rows[0]).toEqual({ n: 1 });
    expect((await remove({ custom_sources: [locationId] }, h.companyAdmin.token)).body.result).toBe(
      'success',
    );
  });

  it('answers bad bodies with V2 validation errors', async () => {
    const empty = await remove({});
    expect(empty.body.errors[0]).toMatchObject({
      in: 'body',
      name: 'customSource',
      message: 'Invalid parameter (customSource): Value failed JSON Schema validation',
      path: ['paths', '/customsource', 'delete', 'parameters', '0'],
    });
    expect(empty.body.errors[0].errors[0]).toEqual({
      code: 'OBJECT_MISSING_REQUIRED_PROPERTY',
      message: 'Missing required property: custom_sources',
      path: [],
    });
    const none = await remove({ custom_sources: [] });
    expect(none.body.errors[0].errors[0]).toMatchObject({
      code: 'ARRAY_LENGTH_SHORT',
      message: 'Array is too short (0), minimum 1',
      path: ['custom_sources'],
    });
    const text = await remove({ custom_sources: ['abc'] });
    expect(text.body.errors[0].errors[0]).toMatchObject({
      code: 'INVALID_TYPE',
      message: 'Expected type integer but found type string',
      path: ['custom_sources', '0'],
    });
  });
});
