import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
});
afterAll(() => ctx.close());

const add = (token: string, number: unknown) =>
  ctx.request('POST', '/v2/blacklistednumber', { token, body: { number } });
const list = (token: string, query = '') => ctx.request('GET', `/v2/blacklistednumber${query}`, { token });
const remove = (token: string, number: unknown[]) =>
  ctx.request('DELETE', '/v2/blacklistednumber', { token, body: { number } });

describe('GET /v2/blacklistednumber', () => {
  it('answers "No record found." as a string when nothing is blacklisted', async () => {
    const other = await ctx.factory.hierarchy();
    const { status, body } = await list(other.locationAdmin.token);
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: 'No record found.' });
  });

  it('lists numbers of the caller group and below, with ou_id and number', async () => {
    await add(h.locationAdmin.token, 4805551001);
    await add(h.companyAdmin.token, 4805551002);
    const company = await list(h.companyAdmin.token);
    expect(company.body.data.map((r: { ou_id: number; number: number }) => [r.ou_id, r.number])).toEqual([
      [h.location, 4805551001],
      [h.company, 4805551002],
    ]);
    const location = await list(h.locationAdmin.token);
    expect(location.body.data.map((r: { number: number }) => r.number)).toEqual([4805551001]);
    const filtered = await list(h.companyAdmin.token, `?filter=ou_id%3d${h.company}`);
    expect(filtered.body.data.map((r: { number: number }) => r.number)).toEqual([4805551002]);
  });

  it('validates limit and offset the V2 way and ignores unknown query names', async () => {
    expect((await list(h.companyAdmin.token, '?offset=abc')).body.errors[0].message).toBe(
      'Invalid parameter (offset): Expected type integer but found type string',
    );
    expect((await list(h.companyAdmin.token, '?limit=-1')).body.errors[0].message).toBe(
      'Invalid parameter (limit): Value failed JSON Schema validation',
    );
    expect((await list(h.companyAdmin.token, '?lim=5')).status).toBe(200);
  });
});

describe('POST /v2/blacklistednumber', () => {
  it('refuses a 9-digit number with the minimum violation', async () => {
    const { status, body } = await add(h.companyAdmin.token, 123456789);
    expect(status).toBe(400);
    expect(body.errors[0].errors[0]).toMatchObject({
      code: 'MINIMUM',
      message: 'Value 123456789 is less than minimum 1000000000',
      path: ['number'],
    });
  });

  it('accepts the same number again, also at a higher level', async () => {
    expect((await add(h.locationAdmin.token, 4805551003)).body.result).toBe('success');
    expect((await add(h.locationAdmin.token, 4805551003)).body.result).toBe('success');
    const { body } = await add(h.agencyAdmin.token, 4805551003);
    expect(body).toMatchObject({
      result: 'success',
      err: null,
      data: { ou_id: h.agency, number: 4805551003 },
    });
  });

  it('refuses a ReadOnly user', async () => {
    const readOnly = await ctx.factory.user(h.company, 3);
    expect((await add(readOnly.token, 4805551004)).status).toBe(403);
  });
});

describe('DELETE /v2/blacklistednumber', () => {
  it('lifts a number blacklisted in the caller group or below, duplicates allowed', async () => {
    await add(h.locationAdmin.token, 4805551005);
    const { status, body } = await remove(h.companyAdmin.token, [4805551005, 4805551005]);
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: [4805551005] });
    const location = await list(h.locationAdmin.token, '?filter=number%3d4805551005');
    expect(location.body.data).toBe('No record found.');
  });

  it('leaves an entry made above the caller group, which protects its sibling groups too, to that group', async () => {
    const sibling = await ctx.factory.group(h.agency);
    await add(h.agencyAdmin.token, 4805551008);
    for (const admin of [h.companyAdmin, h.locationAdmin]) {
      const { status, body } = await remove(admin.token, [4805551008]);
      expect(status).toBe(400);
      expect(body).toEqual({ result: 'error', err: ['Invalid number(s) : 4805551008'], data: null });
    }
    const agency = await list(h.agencyAdmin.token, '?filter=number%3d4805551008');
    expect(agency.body.data).toEqual([expect.objectContaining({ ou_id: h.agency, number: 4805551008 })]);
    const siblingAdmin = await ctx.factory.user(sibling);
    expect((await remove(siblingAdmin.token, [4805551008])).status).toBe(400);
    expect((await remove(h.agencyAdmin.token, [4805551008])).body.data).toEqual([4805551008]);
  });

  it('answers numbers that are not blacklisted with an err array and deletes nothing', async () => {
    await add(h.companyAdmin.token, 4805551006);
    const { status, body } = await remove(h.companyAdmin.token, [4805551006, 4805559999]);
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err: ['Invalid number(s) : 4805559999'], data: null });
    const still = await list(h.companyAdmin.token, '?filter=number%3d4805551006');
    expect(still.body.data).toHaveLength(1);
  });

  it('cannot lift a number blacklisted for another company', async () => {
    const other = await ctx.factory.hierarchy();
    await add(other.companyAdmin.token, 4805551007);
    const { body } = await remove(h.companyAdmin.token, [4805551007]);
    expect(body.err).toEqual(['Invalid number(s) : 4805551007']);
  });
});
