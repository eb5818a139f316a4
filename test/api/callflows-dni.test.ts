import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallFlowDniRepo } from '../../src/modules/callflows/callflow-dni.repo.js';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';

/** DNI settings of call flows: POST /v2/callflow/dni and GET /v2/callflow/dniclass. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let otherAgency: number;
let otherAdmin: TestUser;
let numberFlow: number;
let poolFlow: number;
let locationFlow: number;
let agencyFlow: number;
let otherFlow: number;
let nextNumber = 0;

/** A call flow on a new tracking number, or on a new one-number pool, through the API. */
async function createFlow(admin: TestUser, kind: 'number' | 'pool' = 'number'): Promise<number> {
  const number = `${kind === 'pool' ? '212' : '949'}555${String(1000 + nextNumber++)}`;
  await ctx.factory.inventory([number]);
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: `Flow ${number}`,
        channel_id: 7,
        group_id: admin.group_id,
        campaign_id: await ctx.factory.campaign(admin),
        ...(kind === 'pool'
          ? { number_pool: { pool_name: 'Website', number_quantity: 1, npa: 212, keep_alive_minutes: 30 } }
          : { number: { phone_number: Number(number) } }),
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]).toMatchObject({ result: 'success' });
  return Number(body[0].data);
}

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
  otherAgency = await ctx.factory.group();
  otherAdmin = await ctx.factory.user(otherAgency);
  numberFlow = await createFlow(h.companyAdmin);
  poolFlow = await createFlow(h.companyAdmin, 'pool');
  locationFlow = await createFlow(h.locationAdmin);
  agencyFlow = await createFlow(h.agencyAdmin);
  otherFlow = await createFlow(otherAdmin);
});
afterAll(() => ctx.close());

/** The QA suite's entry: a source-level setting on a tracking number. */
const setting = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  group_id: h.company,
  call_flow_id: numberFlow,
  dni_type: 'source',
  dni_element: 'post_source_dni',
  destination_url: '*.*',
  referrer: '*.*',
  custom_cookie: '',
  ...overrides,
});

const post = (body: unknown, token = h.companyAdmin.token) =>
  ctx.request('POST', '/v2/callflow/dni', { token, body });
const classes = (id: number | string, token = h.companyAdmin.token) =>
  ctx.request('GET', `/v2/callflow/dniclass?id=${id}`, { token });
const stored = async (callFlowId: number) =>
  (await ctx.db.query('select * from dni_setting where call_flow_id = $1', [callFlowId])).rows[0];

/** The one entry's result of a request V2 accepted as a whole. */
async function entryResult(entry: Record<string, unknown>, token?: string) {
  const { status, body } = await post([entry], token);
  expect(status).toBe(200);
  expect(body).toMatchObject({ result: 'success', err: null });
  expect(body.data).toHaveLength(1);
  return body.data[0];
}

describe('POST /v2/callflow/dni', () => {
  it('stores a setting and answers with a result per entry and no data on success', async () => {
    const { status, body } = await post([
      setting({ dni_code: 'abc', referrer: '*.google.*', referrer_type: 'organic' }),
    ]);
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: [{ result: 'success', entry_count: 1 }] });
    expect(await stored(numberFlow)).toMatchObject({
      dni_type: 'source',
      dni_element: 'post_source_dni',
      destination_url: '*.*',
      referrer: '*.google.*',
      referrer_type: 'organic',
      custom_cookie: '',
      dni_code: 'abc',
      ttl_minutes: null,
      destination_like: '%.%',
      referrer_like: '%.google.%',
    });
  });

  it('replaces the setting of a flow when posted again', async () => {
    await post([setting({ dni_element: 'first_class' })]);
    await post([setting({ dni_type: 'url', dni_element: 'lmc_track', destination_url: 'www.Example.com' })]);
    const row = await stored(numberFlow);
    expect(row).toMatchObject({
      dni_type: 'url',
      dni_element: 'lmc_track',
      destination_like: 'www.example.com',
    });
    expect(row?.updated_at).not.toBeNull();
    const count = await ctx.db.query('select count(*)::int as n from dni_setting where call_flow_id = $1', [
      numberFlow,
    ]);
    expect(count.rows[0]).toEqual({ n: 1 });
  });

  it('applies entries independently and numbers them', async () => {
    const { body } = await post([
      setting(),
      setting({ call_flow_id: 987654 }),
      setting({ call_flow_id: locationFlow, group_id: h.location }),
    ]);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: [
        { result: 'success', entry_count: 1 },
        { result: 'error', data: 'Not authorized to make changes for Call Flow ID 987654', entry_count: 2 },
        { result: 'success', entry_count: 3 },
      ],
    });
  });

  it('answers [] with a business error', async () => {
    const { status, body } = await post([]);
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err: 'Please provide at least one DNI setting', data: null });
  });

  describe('access', () => {
    it.each([
      ['a flow of a group above the caller', () => setting({ call_flow_id: agencyFlow, group_id: h.agency })],
      ['a flow of another account', () => setting({ call_flow_id: otherFlow, group_id: otherAgency })],
      ['a flow that does not exist', () => setting({ call_flow_id: 987654 })],
      ['a negative flow id', () => setting({ call_flow_id: -6509 })],
    ])('refuses %s', async (_, entry) => {
      const { call_flow_id } = entry();
      expect(await entryResult(entry())).toEqual({
        result: 'error',
        data: `Not authorized to make changes for Call Flow ID ${call_flow_id}`,
        entry_count: 1,
      });
    });

    it('refuses a deleted flow', async () => {
      const deleted = await createFlow(h.companyAdmin);
      await ctx.db.query(`update call_flow set call_flow_status = 'deleted' where call_flow_id = $1`, [
        deleted,
      ]);
      expect((await entryResult(setting({ call_flow_id: deleted }))).data).toBe(
        `Not authorized to make changes for Call Flow ID ${deleted}`,
      );
    });

    it.each([
      ['a group above the caller', () => h.agency],
      ['a group of another account', () => otherAgency],
      ['a group that does not exist', () => 324521],
    ])('refuses %s', async (_, groupId) => {
      expect((await entryResult(setting({ group_id: groupId() }))).data).toBe(
        `Not authorized to make changes for Group ID ${groupId()}`,
      );
    });

    it('refuses a group that is not the flow group', async () => {
      expect((await entryResult(setting({ group_id: h.location }))).data).toBe(
        'Invalid group_id. Callflow belonging to another group',
      );
    });

    it('lets an agency admin set flows of groups below it', async () => {
      expect(
        await entryResult(setting({ call_flow_id: locationFlow, group_id: h.location }), h.agencyAdmin.token),
      ).toEqual({
        result: 'success',
        entry_count: 1,
      });
    });

    it('refuses a read-only user', async () => {
      const readOnly = await ctx.factory.user(h.company, 3);
      expect((await post([setting()], readOnly.token)).status).toBe(403);
    });
  });

  describe('fields', () => {
    it.each([
      ['', 'undefined'],
      ['abc', 'abc'],
      ['*.', '*.'],
      ['.*', '.*'],
      ['*google.com', '*google.com'],
      ['google*', 'google*'],
      ['*google*', '*google*'],
      ['*.google.', '*.google.'],
    ])('refuses destination_url %j', async (value, shown) => {
      expect((await entryResult(setting({ destination_url: value }))).data).toBe(
        `Invalid Destination Url ${shown}`,
      );
      expect((await entryResult(setting({ referrer: value }))).data).toBe(`Invalid Referrer ${shown}`);
    });

    it.each([
      'dev.app.logmycalls.com',
      '*.google.com',
      '*.google.*',
      'google.*',
      '*.*',
      '*.yahoo.com',
      'google.com',
    ])('accepts host pattern %j', async (value) => {
      expect((await entryResult(setting({ destination_url: value, referrer: value }))).result).toBe(
        'success',
      );
    });

    it('requires custom_cookie and allows letters, digits, spaces, commas, - and _', async () => {
      const { custom_cookie: _none, ...withoutCookie } = setting();
      expect((await entryResult(withoutCookie)).data).toBe('Missing required field custom_cookie');
      for (const cookie of ['', '   ', 'automation cookie,automation cookie2', 'a-b_c']) {
        expect((await entryResult(setting({ custom_cookie: cookie }))).result).toBe('success');
      }
      for (const cookie of ['a.b', 'a@b', 'a;b', 'a=b']) {
        expect((await entryResult(setting({ custom_cookie: cookie }))).data).toBe('Invalid custom_cookie');
      }
    });

    it('refuses a blank dni_element before looking at the host domain', async () => {
      expect((await entryResult(setting({ dni_element: '', destination_url: '' }))).data).toBe(
        'dni_element cannot be blank.',
      );
    });

    it.each(['  ', 'test aloha'])(
      'refuses the whole request when dni_element %j has spaces',
      async (value) => {
        const { status, body } = await post([setting(), setting({ dni_element: value })]);
        expect(status).toBe(400);
        expect(body).toEqual({
          result: 'error',
          err: `Invalid data. Data of dni_element '${value}' contains empty spaces.`,
          data: null,
        });
      },
    );

    it('accepts any other class', async () => {
      for (const value of ['abc1', '!@#$', '12abc', '-123']) {
        expect((await entryResult(setting({ dni_element: value }))).result).toBe('success');
      }
    });

    it('keeps the lmc_track class for url settings', async () => {
      expect((await entryResult(setting({ dni_type: 'url', dni_element: 'lmc_track' }))).result).toBe(
        'success',
      );
      expect((await entryResult(setting({ dni_element: 'lmc_track' }))).data).toBe(
        "Invalid dni_element 'lmc_track' for 'source",
      );
      expect(
        (
          await entryResult(
            setting({ call_flow_id: poolFlow, dni_type: 'session', dni_element: 'lmc_track', TTL: 30 }),
          )
        ).data,
      ).toBe("Invalid dni_element 'lmc_track' for 'session");
    });

    it('keeps referrer_type only for Google and Yahoo referrers', async () => {
      const cases: [string, string, string | null][] = [
        ['*.google.*', 'paid', 'paid'],
        ['*.yahoo.com', 'organic', 'organic'],
        ['*.*', 'paid', null],
        ['*.google.*', 'abc', null],
        ['*.google.*', '', null],
      ];
      for (const [referrer, referrerType, kept] of cases) {
        expect((await entryResult(setting({ referrer, referrer_type: referrerType }))).result).toBe(
          'success',
        );
        expect((await stored(numberFlow))?.referrer_type).toBe(kept);
      }
    });
  });

  describe('types and TTL', () => {
    it('takes source and url settings on a tracking number and session ones on a pool', async () => {
      expect((await entryResult(setting({ dni_type: 'session', TTL: 30 }))).data).toBe(
        'Invalid Dni Type session',
      );
      for (const type of ['source', 'url']) {
        expect(
          (
            await entryResult(
              setting({
                call_flow_id: poolFlow,
                dni_type: type,
                dni_element: type === 'url' ? 'lmc_track' : 'x',
              }),
            )
          ).data,
        ).toBe(`Invalid Dni Type ${type}`);
      }
      expect(
        await entryResult(setting({ call_flow_id: poolFlow, dni_type: 'session', TTL: 525600 })),
      ).toEqual({
        result: 'success',
        entry_count: 1,
      });
      expect((await stored(poolFlow))?.ttl_minutes).toBe(525600);
    });

    it("copies a session TTL into the pool's keep_alive_minutes, and keeps it there when the flow is saved", async () => {
      const flow = await createFlow(h.companyAdmin, 'pool');
      const poolOf = async () => {
        const read = await ctx.request('GET', `/v2/callflow?id=${flow}`, { token: h.companyAdmin.token });
        const { pool_id: poolId, keep_alive_minutes: readKeepAlive } = read.body.data.number_pool;
        const usage = await ctx.request('GET', `/v2/numberpool/usage?id=${poolId}`, {
          token: h.companyAdmin.token,
        });
        return { read: readKeepAlive, usage: usage.body.data.keep_alive_minutes };
      };
      expect(await poolOf()).toEqual({ read: 30, usage: 30 });

      // longer than a day, as V2 allows a TTL to be
      expect(await entryResult(setting({ call_flow_id: flow, dni_type: 'session', TTL: 2880 }))).toEqual({
        result: 'success',
        entry_count: 1,
      });
      expect(await poolOf()).toEqual({ read: 2880, usage: 2880 });

      // saving the flow again with its own keep-alive does not undo the setting's
      const read = await ctx.request('GET', `/v2/callflow?id=${flow}`, { token: h.companyAdmin.token });
      const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
        token: h.companyAdmin.token,
        body: [
          {
            call_flow_id: flow,
            call_flow_name: 'Renamed',
            channel_id: 7,
            group_id: h.company,
            campaign_id: read.body.data.campaign_id,
            number_pool: { pool_id: read.body.data.number_pool.pool_id, keep_alive_minutes: 45 },
            ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
          },
        ],
      });
      expect(body[0]).toMatchObject({ result: 'success' });
      expect(await poolOf()).toEqual({ read: 2880, usage: 2880 });
    });

    it('requires a TTL on a session setting and caps it at 525,600 minutes', async () => {
      const session = setting({ call_flow_id: poolFlow, dni_type: 'session' });
      expect((await entryResult(session)).data).toBe(
        'TTL Value is required and should be greater than 15 minutes.',
      );
      expect((await entryResult({ ...session, TTL: 525601 })).data).toBe('TTL is over max limit.');
    });

    it('refuses the whole request for a session TTL under 15 minutes', async () => {
      const { status, body } = await post([setting({ call_flow_id: poolFlow, dni_type: 'session', TTL: 0 })]);
      expect(status).toBe(400);
      expect(body).toEqual({
        result: 'error',
        err: 'TTL Value is required and should be greater than 15 minutes.',
        data: null,
      });
    });

    it('accepts and drops a TTL on source and url settings', async () => {
      expect((await entryResult(setting({ TTL: 10 }))).result).toBe('success');
      expect((await stored(numberFlow))?.ttl_minutes).toBeNull();
    });
  });

  describe('validation errors', () => {
    const inner = async (entry: Record<string, unknown>) => {
      const { status, body } = await post([entry]);
      expect(status).toBe(400);
      expect(body.errors[0]).toMatchObject({
        code: 'INVALID_REQUEST_PARAMETER',
        in: 'body',
        name: 'dni',
        message: 'Invalid parameter (dni): Value failed JSON Schema validation',
        path: ['paths', '/callflow/dni', 'post', 'parameters', '0'],
      });
      return body.errors[0].errors[0];
    };

    it.each(['group_id', 'call_flow_id', 'dni_type', 'dni_element', 'destination_url', 'referrer'])(
      'requires %s',
      async (field) => {
        const { [field]: _dropped, ...entry } = setting();
        expect(await inner(entry)).toEqual({
          code: 'OBJECT_MISSING_REQUIRED_PROPERTY',
          message: `Missing required property: ${field}`,
          path: ['0'],
        });
      },
    );

    it.each(['', 'abc', 'single', '!@#$'])('answers dni_type %j with ENUM_MISMATCH', async (value) => {
      expect(await inner(setting({ dni_type: value }))).toMatchObject({
        code: 'ENUM_MISMATCH',
        message: `No enum match for: ${value}`,
        path: ['0', 'dni_type'],
      });
    });

    it.each(['', 'abc', '-8'])('answers group_id %j with INVALID_TYPE', async (value) => {
      expect(await inner(setting({ group_id: value }))).toMatchObject({
        code: 'INVALID_TYPE',
        message: 'Expected type integer but found type string',
        path: ['0', 'group_id'],
      });
    });

    it('describes call_flow_id and TTL as V2 does', async () => {
      expect(await inner(setting({ call_flow_id: '6552ab' }))).toEqual({
        code: 'INVALID_TYPE',
        message: 'Expected type integer but found type string',
        path: ['0', 'call_flow_id'],
        description: 'The unique ID of the call flow directly attached to this DNI configuration',
      });
      expect(await inner(setting({ TTL: 'abc' }))).toEqual({
        code: 'INVALID_TYPE',
        message: 'Expected type integer but found type string',
        path: ['0', 'TTL'],
        description: 'Time to Live in minutes  Max - 525,600 min',
      });
    });
  });
});

describe('GET /v2/callflow/dniclass', () => {
  it('lists the class of the flow setting', async () => {
    await post([setting({ dni_type: 'url', dni_element: 'lmc_track' })]);
    const { status, body } = await classes(numberFlow);
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: { classes: ['lmc_track'] } });
  });

  it('answers a flow without a setting, and ids 0 or below, with V2 string', async () => {
    const bare = await createFlow(h.companyAdmin);
    for (const id of [bare, 0, -5]) {
      const { status, body } = await classes(id);
      expect(status).toBe(404);
      expect(body).toEqual({
        result: 'error',
        err: `No dni setting available for call flow id: ${id}`,
        data: null,
      });
    }
  });

  it('answers a flow outside the caller groups with "No access", as V2 does', async () => {
    await post([setting({ call_flow_id: agencyFlow, group_id: h.agency })], h.agencyAdmin.token);
    for (const id of [agencyFlow, otherFlow]) {
      const { status, body } = await classes(id);
      expect(status).toBe(404);
      expect(body).toEqual({ result: 'error', err: `No access for call flow id: ${id}`, data: null });
    }
    expect((await classes(agencyFlow, h.agencyAdmin.token)).body.data).toEqual({
      classes: ['post_source_dni'],
    });
  });

  it('answers a flow id that does not exist with V2 "No dni setting available"', async () => {
    const { rows } = await ctx.db.query<{ id: number }>(
      'select max(call_flow_id) + 1000 as id from call_flow',
    );
    for (const id of [45454554, (rows[0] as { id: number }).id]) {
      const { status, body } = await classes(id);
      expect(status).toBe(404);
      expect(body).toEqual({
        result: 'error',
        err: `No dni setting available for call flow id: ${id}`,
        data: null,
      });
    }
  });

  it('answers a missing or malformed id with V2 validation errors', async () => {
    const missing = await ctx.request('GET', '/v2/callflow/dniclass', { token: h.companyAdmin.token });
    expect(missing.body.errors[0]).toMatchObject({
      message: 'Invalid parameter (id): Value is required but was not provided',
      path: ['paths', '/callflow/dniclass', 'get', 'parameters', '0'],
    });
    const blank = await classes('');
    expect(blank.body.errors[0]).toMatchObject({
      message: 'Invalid parameter (id): Expected type integer but found type string',
      path: [],
    });
  });
});

describe('matching a visit (for the DNI runtime)', () => {
  it('finds the most specific rule of the group and the groups below it with one query', async () => {
    const google = await createFlow(h.companyAdmin);
    const googlePaid = await createFlow(h.companyAdmin);
    const anySource = await createFlow(h.companyAdmin);
    const exactSite = await createFlow(h.locationAdmin);
    await post([
      setting({
        call_flow_id: google,
        referrer: '*.google.*',
        destination_url: '*.*',
        dni_element: 'google',
      }),
      setting({
        call_flow_id: googlePaid,
        referrer: '*.google.*',
        referrer_type: 'paid',
        destination_url: '*.*',
        dni_element: 'google_paid',
      }),
      setting({
        call_flow_id: anySource,
        referrer: '*.*',
        destination_url: '*.acme.com',
        dni_element: 'any',
      }),
    ]);
    await post(
      [
        setting({
          call_flow_id: exactSite,
          group_id: h.location,
          referrer: 'www.bing.com',
          destination_url: 'shop.acme.com',
        }),
      ],
      h.locationAdmin.token,
    );
    // Other flows of the company carry catch-all settings from earlier tests; keep only these four.
    await ctx.db.query('delete from dni_setting where not (call_flow_id = any($1))', [
      [google, googlePaid, anySource, exactSite],
    ]);
    const repo = createCallFlowDniRepo(ctx.db);
    const match = (host: string, referrerHost: string, referrerType: 'paid' | 'organic' | null = null) =>
      repo.findBestMatch(h.company, { host, referrerHost, referrerType }).then((row) => row?.call_flow_id);

    expect(await match('WWW.Acme.com', 'www.google.co.uk', 'paid')).toBe(googlePaid);
    expect(await match('www.acme.com', 'www.google.com', 'organic')).toBe(google);
    expect(await match('www.acme.com', 'duckduckgo.com')).toBe(anySource);
    expect(await match('shop.acme.com', 'www.bing.com')).toBe(exactSite);
    expect(await match('other.org', 'duckduckgo.com')).toBeUndefined();
    expect(
      await repo.findBestMatch(h.location, {
        host: 'www.acme.com',
        referrerHost: 'www.google.com',
        referrerType: null,
      }),
    ).toBeUndefined();
  });
});
