import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';

/** A call flow's five custom-source slots: GET, POST and DELETE /v2/callflow/customsources. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let otherAgency: number;
let otherAdmin: TestUser;
const flows: Record<'agency' | 'company' | 'location' | 'other', number> = {
  agency: 0,
  company: 0,
  location: 0,
  other: 0,
};
let nextNumber = 0;

/** A call flow on a new tracking number, through the API as a client would create it. */
async function createFlow(admin: TestUser): Promise<number> {
  const number = `949555${String(1000 + nextNumber++)}`;
  await ctx.factory.inventory([number]);
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: `Flow ${number}`,
        channel_id: 7,
        group_id: admin.group_id,
        campaign_id: await ctx.factory.campaign(admin),
        number: { phone_number: Number(number) },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]).toMatchObject({ result: 'success' });
  return Number(body[0].data);
}

async function createSource(admin: TestUser, groupId = admin.group_id): Promise<number> {
  const { body } = await ctx.request('POST', '/v2/customsource', {
    token: admin.token,
    body: [{ org_unit_id: groupId, custom_source_name: `Source ${Math.random().toString(36).slice(2, 9)}` }],
  });
  expect(body.result).toBe('success');
  return Number(body.data.replace(/\D+/g, ''));
}

let agencySource: number;
let companySource: number;
let locationSource: number;
let otherSource: number;

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
  otherAgency = await ctx.factory.group();
  otherAdmin = await ctx.factory.user(otherAgency);
  flows.agency = await createFlow(h.agencyAdmin);
  flows.company = await createFlow(h.companyAdmin);
  flows.location = await createFlow(h.locationAdmin);
  flows.other = await createFlow(otherAdmin);
  agencySource = await createSource(h.agencyAdmin);
  companySource = await createSource(h.companyAdmin);
  locationSource = await createSource(h.locationAdmin);
  otherSource = await createSource(otherAdmin);
});
afterAll(() => ctx.close());

const post = (body: unknown, token = h.agencyAdmin.token) =>
  ctx.request('POST', '/v2/callflow/customsources', { token, body });
const remove = (body: unknown, token = h.agencyAdmin.token) =>
  ctx.request('DELETE', '/v2/callflow/customsources', { token, body });
const get = (id: number, token = h.agencyAdmin.token) =>
  ctx.request('GET', `/v2/callflow/customsources?id=${id}`, { token });

const ALL_SLOTS = [1, 2, 3, 4, 5].map((n) => `custom_source_type_${n}`);
const clear = (callFlowId: number) =>
  ctx.db.query('delete from call_flow_custom_source where call_flow_id = $1', [callFlowId]);

describe('GET /v2/callflow/customsources', () => {
  it('answers {} for a flow without custom sources', async () => {
    await clear(flows.company);
    expect((await get(flows.company)).body).toEqual({ result: 'success', err: null, data: {} });
  });

  it('keys the custom sources by slot', async () => {
    await post([
      {
        call_flow_id: flows.company,
        custom_source_type_2: companySource,
        custom_source_type_5: agencySource,
      },
    ]);
    const { status, body } = await get(flows.company);
    expect(status).toBe(200);
    const agencyName = (
      await ctx.db.query('select custom_source_name from custom_source where custom_source_id = $1', [
        agencySource,
      ])
    ).rows[0]?.custom_source_name;
    expect(body.data).toEqual({
      custom_source_type_2: {
        custom_source_id: companySource,
        custom_source_name: expect.any(String),
        org_unit_id: h.company,
      },
      custom_source_type_5: {
        custom_source_id: agencySource,
        custom_source_name: agencyName,
        org_unit_id: h.agency,
      },
    });
  });

  it('answers a flow outside the caller groups as missing', async () => {
    for (const id of [flows.agency, flows.other, 987654]) {
      const { status, body } = await get(id, h.companyAdmin.token);
      expect(status).toBe(404);
      expect(body).toEqual({ result: 'error', err: 'No record found', data: null });
    }
  });

  it('answers a bad id with the V2 validation error', async () => {
    const { body } = await ctx.request('GET', '/v2/callflow/customsources?id=abc', {
      token: h.agencyAdmin.token,
    });
    expect(body.errors[0]).toMatchObject({
      message: 'Invalid parameter (id): Expected type integer but found type string',
      in: 'query',
    });
  });
});

describe('POST /v2/callflow/customsources', () => {
  it('fills all five slots, even with one custom source', async () => {
    const entry = Object.fromEntries([
      ['call_flow_id', flows.agency],
      ...ALL_SLOTS.map((key) => [key, agencySource]),
    ]);
    const { status, body } = await post([entry]);
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: 'Successfully added custom sources to the call flow',
    });
    const read = (await get(flows.agency)).body.data;
    expect(Object.keys(read).sort()).toEqual(ALL_SLOTS);
    for (const key of ALL_SLOTS) expect(read[key].custom_source_id).toBe(agencySource);
  });

  it('posting again replaces the given slots and keeps the others', async () => {
    await clear(flows.location);
    await post([
      {
        call_flow_id: flows.location,
        custom_source_type_1: agencySource,
        custom_source_type_3: companySource,
      },
    ]);
    const again = await post([{ call_flow_id: flows.location, custom_source_type_1: locationSource }]);
    expect(again.body.data).toBe('Successfully added custom sources to the call flow');
    const read = (await get(flows.location)).body.data;
    expect(read.custom_source_type_1.custom_source_id).toBe(locationSource);
    expect(read.custom_source_type_3.custom_source_id).toBe(companySource);
  });

  it('takes custom sources of the flow group and the groups above it', async () => {
    const { body } = await post(
      [
        {
          call_flow_id: flows.location,
          custom_source_type_1: agencySource,
          custom_source_type_2: companySource,
          custom_source_type_3: locationSource,
        },
      ],
      h.locationAdmin.token,
    );
    expect(body.result).toBe('success');
  });

  it('refuses custom sources of a group below the flow or of another account', async () => {
    const { status, body } = await post([
      {
        call_flow_id: flows.company,
        custom_source_type_1: locationSource,
        custom_source_type_2: otherSource,
      },
    ]);
    expect(status).toBe(400);
    expect(body).toEqual({
      result: 'error',
      err: [
        `You are not authorized to access ${locationSource} custom source`,
        `You are not authorized to access ${otherSource} custom source`,
      ],
      data: null,
    });
  });

  it('refuses negative, missing and deleted custom sources as invalid or inaccessible', async () => {
    const deleted = await createSource(h.agencyAdmin);
    await ctx.request('DELETE', '/v2/customsource', {
      token: h.agencyAdmin.token,
      body: { custom_sources: [deleted] },
    });
    const { body } = await post([
      {
        call_flow_id: flows.agency,
        custom_source_type_1: agencySource,
        custom_source_type_2: -agencySource,
        custom_source_type_3: deleted,
        custom_source_type_4: 987654,
      },
    ]);
    expect(body.err).toEqual([
      `invalid customSourceId ${-agencySource}`,
      `invalid customSourceId ${deleted}`,
      'You are not authorized to access 987654 custom source',
    ]);
  });

  it('refuses unknown slot names and an entry without any slot', async () => {
    const unknown = await post([{ call_flow_id: flows.agency, custom_source_type_6: agencySource }]);
    expect(unknown.body).toEqual({
      result: 'error',
      err: "Please provide valid custom_source_type, Valid parameters are 'custom_source_type_1', 'custom_source_type_2', 'custom_source_type_3', 'custom_source_type_4' and 'custom_source_type_5'",
      data: null,
    });
    const none = await post([{ call_flow_id: flows.agency }]);
    expect(none.body).toEqual({
      result: 'error',
      err: 'There must be at least one custom_source_type',
      data: null,
    });
  });

  it('refuses invalid and deleted flows, and flows outside the caller groups', async () => {
    const deletedFlow = await createFlow(h.companyAdmin);
    await ctx.db.query(`update call_flow set call_flow_status = 'deleted' where call_flow_id = $1`, [
      deletedFlow,
    ]);
    const cases: [number, string][] = [
      [-5, 'Please provide valid call flow id'],
      [deletedFlow, 'Please provide valid call flow id'],
      [flows.agency, `You don't have permission to access call_flow_id ${flows.agency}`],
      [flows.other, `You don't have permission to access call_flow_id ${flows.other}`],
      [987654, "You don't have permission to access call_flow_id 987654"],
    ];
    for (const [id, reason] of cases) {
      const { body } = await post(
        [{ call_flow_id: id, custom_source_type_1: companySource }],
        h.companyAdmin.token,
      );
      expect(body).toEqual({ result: 'error', err: reason, data: null });
    }
  });

  it('stores nothing when one entry fails', async () => {
    await clear(flows.company);
    const { body } = await post([
      { call_flow_id: flows.company, custom_source_type_1: companySource },
      { call_flow_id: flows.company, custom_source_type_2: 987654 },
    ]);
    expect(body.result).toBe('error');
    expect((await get(flows.company)).body.data).toEqual({});
  });

  it('answers bad bodies with V2 validation errors under callflowcustomsources', async () => {
    const empty = await post([]);
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0]).toMatchObject({
      in: 'body',
      name: 'callflowcustomsources',
      message: 'Invalid parameter (callflowcustomsources): Value failed JSON Schema validation',
      path: ['paths', '/callflow/customsources', 'post', 'parameters', '0'],
      errors: [{ code: 'ARRAY_LENGTH_SHORT', message: 'Array is too short (0), minimum 1', path: [] }],
    });
    const noFlow = await post([{}]);
    expect(noFlow.body.errors[0].errors[0]).toEqual({
      code: 'OBJECT_MISSING_REQUIRED_PROPERTY',
      message: 'Missing required property: call_flow_id',
      path: ['0'],
    });
    const blank = await post([{ call_flow_id: flows.agency, custom_source_type_1: '' }]);
    expect(blank.body.errors[0].errors[0]).toMatchObject({
      code: 'INVALID_TYPE',
      message: 'Expected type integer but found type string',
      path: ['0', 'custom_source_type_1'],
    });
  });

  it('refuses a read-only user', async () => {
    const readOnly = await ctx.factory.user(h.company, 3);
    const { status } = await post(
      [{ call_flow_id: flows.company, custom_source_type_1: companySource }],
      readOnly.token,
    );
    expect(status).toBe(403);
  });
});

describe('DELETE /v2/callflow/customsources', () => {
  it('empties the given slots of several flows', async () => {
    for (const id of [flows.agency, flows.company]) {
      await post([
        { call_flow_id: id, custom_source_type_1: agencySource, custom_source_type_2: agencySource },
      ]);
    }
    const { status, body } = await remove([
      { call_flow_id: flows.agency, type: ['custom_source_type_1'] },
      { call_flow_id: flows.company, type: ['custom_source_type_1', 'custom_source_type_2'] },
    ]);
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: 'Successfully deleted Custom Source to the call flow.',
    });
    expect(Object.keys((await get(flows.agency)).body.data)).not.toContain('custom_source_type_1');
    expect((await get(flows.company)).body.data).toEqual({});
  });

  it('names the slots that hold no custom source, with the reason in data', async () => {
    await clear(flows.company);
    await post([{ call_flow_id: flows.company, custom_source_type_1: companySource }]);
    const { body } = await remove([
      {
        call_flow_id: flows.company,
        type: ['custom_source_type_1', 'custom_source_type_4', 'custom_source_type_5'],
      },
    ]);
    expect(body).toEqual({
      result: 'error',
      err: 'error',
      data: `You are trying to delete non existing values 'custom_source_type_4','custom_source_type_5' of call_flow_id = ${flows.company}`,
    });
    expect(Object.keys((await get(flows.company)).body.data)).toEqual(['custom_source_type_1']);
  });

  it('swaps err and data when the caller may not touch the flow, as V2 does', async () => {
    await post([{ call_flow_id: flows.agency, custom_source_type_3: agencySource }]);
    const { status, body } = await remove(
      [{ call_flow_id: flows.agency, type: ['custom_source_type_3'] }],
      h.companyAdmin.token,
    );
    expect(status).toBe(400);
    expect(body).toEqual({
      result: 'error',
      err: 'error',
      data: `You don't have permission to access call_flow_id ${flows.agency}`,
    });
    expect((await remove([{ call_flow_id: -1, type: ['custom_source_type_3'] }])).body.data).toBe(
      'Please provide valid call flow id',
    );
  });

  it('answers bad bodies with V2 validation errors under CallflowCustomSourceDelete', async () => {
    const empty = await remove([]);
    expect(empty.body.errors[0]).toMatchObject({
      name: 'CallflowCustomSourceDelete',
      message: 'Invalid parameter (CallflowCustomSourceDelete): Value failed JSON Schema validation',
      path: ['paths', '/callflow/customsources', 'delete', 'parameters', '0'],
      errors: [{ code: 'ARRAY_LENGTH_SHORT', message: 'Array is too short (0), minimum 1', path: [] }],
    });
    const nothing = await remove([{}]);
    expect(nothing.body.errors[0].errors.map((e: { message: string }) => e.message)).toEqual([
      'Missing required property: type',
      'Missing required property: call_flow_id',
    ]);
    const text = await remove([{ call_flow_id: flows.agency, type: '' }]);
    expect(text.body.errors[0].errors[0]).toEqual({
      code: 'INVALID_TYPE',
      message: 'Expected type array but found type string',
      path: ['0', 'type'],
      description:
        "Valid Custom source type should be 'custom_source_type_1', 'custom_source_type_2', 'custom_source_type_3', 'custom_source_type_4', and 'custom_source_type_5'.",
    });
    const unknown = await remove([{ call_flow_id: flows.agency, type: ['custom_source_type_9'] }]);
    expect(unknown.body.errors[0].errors[0]).toMatchObject({
      code: 'ENUM_MISMATCH',
      message: 'No enum match for: custom_source_type_9',
      path: ['0', 'type', '0'],
    });
  });
});

describe('deleting a custom source', () => {
  it('takes it off every call flow', async () => {
    const source = await createSource(h.agencyAdmin);
    await post([{ call_flow_id: flows.agency, custom_source_type_4: source }]);
    await post([{ call_flow_id: flows.company, custom_source_type_4: source }]);
    await ctx.request('DELETE', '/v2/customsource', {
      token: h.agencyAdmin.token,
      body: { custom_sources: [source] },
    });
    expect((await get(flows.agency)).body.data.custom_source_type_4).toBeUndefined();
    expect((await get(flows.company)).body.data.custom_source_type_4).toBeUndefined();
  });
});
