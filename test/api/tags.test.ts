import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { createIvrFlow, insertCalls } from '../helpers/calls.js';
import { createCarrier } from '../helpers/carrier.js';

/** Tags: Add Tags To Call, List Calls With Tags, List Tags and Delete Tags. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let siblingAdmin: TestUser;
let sibling: number;
let callId: number;
let locationCall: number;
let siblingCall: number;

beforeAll(async () => {
  ctx = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0' });
  h = await ctx.factory.hierarchy();
  sibling = await ctx.factory.group(h.agency);
  siblingAdmin = await ctx.factory.user(sibling);
  await ctx.factory.inventory(['3125556000']);
  const campaign = await ctx.factory.campaign(h.companyAdmin);
  await createIvrFlow(ctx, h.companyAdmin, campaign, '3125556000');
  const result = await createCarrier(ctx.app).call({
    to: '3125556000',
    from: '2125550150',
    press: ['1'],
    answer: 'first',
  });
  callId = (
    await ctx.db.query<{ call_id: number }>(
      'select call_id::integer as call_id from call where carrier_call_sid = $1',
      [result.callSid],
    )
  ).rows[0]?.call_id as number;
  [locationCall, siblingCall] = (await insertCalls(ctx, [
    { group_id: h.location, started_at: '2026-03-01T10:00:00Z' },
    { group_id: sibling, started_at: '2026-03-01T10:00:00Z' },
  ])) as [number, number];
});
afterAll(() => ctx.close());

const tagCall = (body: unknown, user: TestUser = h.companyAdmin) =>
  ctx.request('POST', '/v2/call/tag', { token: user.token, body });
const listTags = (query: string, user: TestUser = h.companyAdmin) =>
  ctx.request('GET', `/v2/tag?${query}`, { token: user.token });
const deleteTags = (ids: number[], user: TestUser = h.companyAdmin) =>
  ctx.request('DELETE', '/v2/tag', { token: user.token, body: { tag_id: ids } });
const tagsOf = async (id: number, user: TestUser = h.agencyAdmin) =>
  (await ctx.request('GET', `/v2/call?id=${id}`, { token: user.token })).body.data.tags as {
    tag_id: number;
    tag_name: string;
    tag_active: boolean;
  }[];

describe('POST /v2/call/tag', () => {
  it('tags a call by name, creating the tags in the call group', async () => {
    const { status, body } = await tagCall({ tag_name: ['lead', 'hot'], call_id: callId });
    expect(status).toBe(200);
    expect(body.result).toBe('success');
    expect(body.err).toBeNull();
    expect(body.data.map((t: { tag_name: string }) => t.tag_name).sort()).toEqual(['hot', 'lead']);
    for (const tag of body.data) {
      expect(Object.keys(tag).sort()).toEqual(
        ['call_tag_created', 'ct_user_id', 'tag_active', 'tag_created', 'tag_id', 'tag_name'].sort(),
      );
      expect(tag).toMatchObject({ ct_user_id: h.companyAdmin.ct_user_id, tag_active: true });
    }
    const { rows } = await ctx.db.query(
      `select distinct group_id from tag where tag_name in ('lead', 'hot')`,
    );
    expect(rows).toEqual([{ group_id: h.company }]);
  });

  it('reuses a tag whatever the case, and tagging twice changes nothing', async () => {
    const before = await tagsOf(callId);
    await tagCall({ tag_name: ['LEAD', ' lead '], call_id: callId });
    expect(await tagsOf(callId)).toEqual(before);
    expect((await ctx.db.query(`select 1 from tag where lower(tag_name) = 'lead'`)).rowCount).toBe(1);
  });

  it('uses the tag of a group above before creating one', async () => {
    await tagCall({ tag_name: ['lead'], call_id: locationCall });
    const [companyLead] = (await tagsOf(callId)).filter((t) => t.tag_name === 'lead');
    expect((await tagsOf(locationCall)).map((t) => t.tag_id)).toEqual([companyLead?.tag_id]);
  });

  it('refuses calls outside the caller scope and ReadOnly users, storing nothing', async () => {
    for (const [id, user] of [
      [siblingCall, h.companyAdmin],
      [callId, siblingAdmin],
      [callId, h.locationAdmin],
      [99999999, h.companyAdmin],
    ] as const) {
      const { status, body } = await tagCall({ tag_name: ['intruder'], call_id: id }, user);
      expect(status).toBe(400);
      expect(body).toEqual({ result: 'error', err: 'Call_id does not exist.', data: null });
    }
    const readOnly = await ctx.factory.user(h.company, 3);
    expect((await tagCall({ tag_name: ['intruder'], call_id: callId }, readOnly)).status).toBe(403);
    expect((await ctx.db.query(`select 1 from tag where tag_name = 'intruder'`)).rowCount).toBe(0);
  });

  it('answers bad bodies with V2 validation errors', async () => {
    const missing = await tagCall({ tag_name: ['x'] });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].errors[0]).toMatchObject({
      code: 'OBJECT_MISSING_REQUIRED_PROPERTY',
      message: 'Missing required property: call_id',
    });
    const notArray = await tagCall({ tag_name: 'x', call_id: callId });
    expect(notArray.body.errors[0].errors[0].message).toBe('Expected type array but found type string');
    const blank = await tagCall({ tag_name: ['  '], call_id: callId });
    expect(blank.body).toEqual({ result: 'error', err: 'tag_name cannot be blank', data: null });
  });
});

describe('GET /v2/call/tag', () => {
  it('lists tagged calls with their tags, and only those', async () => {
    const [untagged] = await insertCalls(ctx, [{ group_id: h.company, started_at: '2026-03-02T10:00:00Z' }]);
    const { body } = await ctx.request('GET', '/v2/call/tag?limit=500', { token: h.companyAdmin.token });
    const ids = body.data.map((c: { call_id: number }) => c.call_id);
    expect(ids).toContain(callId);
    expect(ids).not.toContain(untagged);
    const call = body.data.find((c: { call_id: number }) => c.call_id === callId);
    for (const key of [
      'call_id',
      'call_flow_id',
      'group_id',
      'disposition',
      'duration',
      'caller_id',
      'tracking_number',
      'ring_to',
      'repeat_call',
      'call_started',
      'tags',
    ])
      expect(call).toHaveProperty(key);
  });

  it('filters as the QA suite does, and shows nothing to another group line', async () => {
    const byCaller = await ctx.request('GET', '/v2/call/tag?filter=caller_id%3D2125550150', {
      token: h.companyAdmin.token,
    });
    expect(byCaller.body.data.map((c: { call_id: number }) => c.call_id)).toEqual([callId]);
    const foreign = await ctx.request('GET', '/v2/call/tag', { token: siblingAdmin.token });
    expect(foreign.body).toEqual({ result: 'success', err: null, data: [] });
  });
});

describe('GET /v2/tag', () => {
  it('lists the tags of the caller group and below', async () => {
    const company = await listTags('');
    expect(company.body.data.map((t: { tag_name: string }) => t.tag_name).sort()).toEqual(['hot', 'lead']);
    expect(company.body.data[0]).toMatchObject({
      org_unit_id: h.company,
      tag_active: true,
      created_by: h.companyAdmin.ct_user_id,
    });
    expect((await listTags('', h.agencyAdmin)).body.data).toHaveLength(2);
    expect((await listTags('', h.locationAdmin)).body).toEqual({
      result: 'success',
      err: null,
      data: 'No data found',
    });
    expect((await listTags('', siblingAdmin)).body.data).toBe('No data found');
  });

  it('filters on tag_id and on tag_created as returned', async () => {
    const [tag] = (await listTags('')).body.data;
    const byId = await listTags(`filter=tag_id%3D${tag.tag_id}`);
    expect(byId.body.data).toEqual([tag]);
    const byCreated = await listTags(`filter=${encodeURIComponent(`tag_created=${tag.tag_created}`)}`);
    expect(byCreated.body.data.map((t: { tag_id: number }) => t.tag_id)).toContain(tag.tag_id);
  });

  it("answers V2's quirks letter for letter", async () => {
    expect((await listTags('filter=tag_id%3Dnull')).body).toEqual({
      result: 'success',
      err: null,
      data: 'No data found',
    });
    expect((await listTags('filter=tag_id%3D99999999')).body).toEqual({
      result: 'success',
      err: null,
      data: 'No data found',
    });
    const blank = await listTags('filter=tag_id%3D');
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual({ result: 'error', err: 'Please provide valid data.', data: null });
    for (const value of ['abc', '%24%25%5E']) {
      const bad = await listTags(`filter=tag_id%3D${value}`);
      expect(bad.body).toEqual({ result: 'error', err: 'Please provide valid data', data: null });
    }
    const [siblingTag] = (await tagCall({ tag_name: ['theirs'], call_id: siblingCall }, siblingAdmin)).body
      .data;
    expect((await listTags(`filter=tag_id%3D${siblingTag.tag_id}`)).body.data).toBe('No data found');
  });
});

describe('DELETE /v2/tag', () => {
  it('soft-deletes: the tag leaves the list and stays on its calls as inactive', async () => {
    const { body: tagged } = await tagCall({ tag_name: ['temporary'], call_id: callId });
    const tagId = tagged.data.find((t: { tag_name: string }) => t.tag_name === 'temporary').tag_id;
    const { status, body } = await deleteTags([tagId]);
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: [tagId] });
    expect((await listTags(`filter=tag_id%3D${tagId}`)).body.data).toBe('No data found');
    expect((await listTags(`filter=tag_id%3D${tagId},tag_active%3Dfalse`)).body.data[0]).toMatchObject({
      tag_id: tagId,
      tag_active: false,
    });
    expect((await tagsOf(callId)).find((t) => t.tag_id === tagId)?.tag_active).toBe(false);
    // the name is free again: tagging with it makes a new live tag
    const again = await tagCall({ tag_name: ['temporary'], call_id: callId });
    expect(again.body.data.filter((t: { tag_name: string }) => t.tag_name === 'temporary')).toHaveLength(2);
  });

  it('refuses tags already deleted, missing or outside the caller scope, all or nothing', async () => {
    const live = (await listTags('filter=tag_name%3Dhot')).body.data[0].tag_id;
    const [siblingTag] = (await listTags('', siblingAdmin)).body.data;
    const { status, body } = await deleteTags([live, siblingTag.tag_id, 99999999]);
    expect(status).toBe(400);
    expect(body).toEqual({
      result: 'error',
      err: [`Tag(s) not permissible for deletion : ${siblingTag.tag_id}, 99999999`],
      data: null,
    });
    expect((await listTags('filter=tag_name%3Dhot')).body.data[0].tag_active).toBe(true);
    const fromBelow = await deleteTags([live], h.locationAdmin);
    expect(fromBelow.body.err).toEqual([`Tag(s) not permissible for deletion : ${live}`]);
  });

  it('answers bad bodies with V2 validation errors', async () => {
    const response = await ctx.request('DELETE', '/v2/tag', {
      token: h.companyAdmin.token,
      body: { tag_id: 'x' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ in: 'body', name: 'tag' });
  });
});
