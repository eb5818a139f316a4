import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { importNumbersFile } from '../../src/modules/numbers/numbers.import.js';
import { claimAvailable, createNumbersRepo } from '../../src/modules/numbers/numbers.repo.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testEngine } from '../helpers/db.js';

let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let workDir: string;

/** Adds `count` inventory numbers NPA-NXX-0100 upwards. Each test block uses its own NPA. */
async function addInventory(npa: string, nxx: string, count: number, rateCenter = 'TESTVILLE', state = 'UT') {
  const numbers = Array.from({ length: count }, (_, i) => ({
    number: `${npa}${nxx}${String(100 + i).padStart(4, '0')}`,
    rate_center: rateCenter,
    state,
    ocn: 'T001',
  }));
  await createNumbersRepo(ctx.db).insertBatch(numbers);
  return numbers.map((n) => n.number);
}

const statusOf = async (number: string) =>
  (
    await ctx.db.query<{ status: string; group_id: number | null; reserved_by: number | null }>(
      'select status, group_id, reserved_by from phone_number where number = $1',
      [number],
    )
  ).rows[0];

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
  workDir = await mkdtemp(path.join(tmpdir(), 'switchboard-numbers-'));
});
afterAll(async () => {
  await ctx.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('GET /v2/number/search', () => {
  beforeAll(async () => {
    await addInventory('385', '555', 6, 'PROVO', 'UT');
    await addInventory('385', '556', 3, 'OREM', 'UT');
    await addInventory('386', '555', 2, 'DAYTONA BEACH', 'FL');
  });

  const search = (query: string) =>
    ctx.request('GET', `/v2/number/search?${query}`, { token: h.companyAdmin.token });

  it('lists available numbers with the number as a 10-digit integer', async () => {
    const { status, body } = await search('npa=385&nxx=555&limit=2');
    expect(status).toBe(200);
    expect(body).toMatchObject({ result: 'success', err: null });
    expect(body.data).toEqual([
      {
        phone_number_id: expect.any(Number),
        number: 3855550100,
        npa: '385',
        nxx: '555',
        rate_center: 'PROVO',
        state: 'UT',
        ocn: 'T001',
        source: 10001,
      },
      expect.objectContaining({ number: 3855550101 }),
    ]);
  });

  it('filters by state and rate center in any case', async () => {
    const { body } = await search('state=fl');
    expect(body.data.map((n: { number: number }) => n.number)).toEqual([3865550100, 3865550101]);
    const byCenter = await search('rate_center=orem');
    expect(byCenter.body.data).toHaveLength(3);
    expect(byCenter.body.data.every((n: { rate_center: string }) => n.rate_center === 'OREM')).toBe(true);
  });

  it.each([
    ['starts with', '385556*', [3855560100, 3855560101, 3855560102]],
    ['ends with', '*0102', [3855550102, 3855560102]],
    ['contains', '*55601*', [3855560100, 3855560101, 3855560102]],
    ['is exactly', '3865550101', [3865550101]],
  ])('matches a pattern that %s', async (_, pattern, numbers) => {
    const { body } = await search(`pattern=${encodeURIComponent(pattern)}&npa=385&limit=500`);
    const expected = numbers.filter((n) => String(n).startsWith('385'));
    expect(body.data.map((n: { number: number }) => n.number)).toEqual(expected);
  });

  it('pages with limit and offset', async () => {
    const { body } = await search('npa=385&nxx=555&limit=2&offset=3');
    expect(body.data.map((n: { number: number }) => n.number)).toEqual([3855550103, 3855550104]);
  });

  it('takes a V2 filter as well', async () => {
    const { body } = await search('npa=385&filter=nxx%3d556');
    expect(body.data).toHaveLength(3);
    const bad = await search('filter=nxx%2B556');
    expect(bad.status).toBe(400);
    expect(bad.body.err).toBe('Unsupported comparator used in filter on rule 1 : nxx+556');
  });

  it('leaves out reserved and assigned numbers', async () => {
    const [first, second] = await addInventory('387', '555', 3);
    await ctx.db.query(`update phone_number set status = 'reserved', group_id = $2 where number = $1`, [
      first,
      h.company,
    ]);
    await ctx.db.query(`update phone_number set status = 'assigned', group_id = $2 where number = $1`, [
      second,
      h.company,
    ]);
    const { body } = await search('npa=387');
    expect(body.data.map((n: { number: number }) => n.number)).toEqual([3875550102]);
  });

  it('answers no match with an empty list', async () => {
    const { status, body } = await search('npa=999');
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: [] });
  });

  it('refuses a pattern of more than 10 digits', async () => {
    const { status, body } = await search('pattern=38555501001');
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err: 'pattern 38555501001 has more than 10 digits', data: null });
  });

  it.each([
    ['npa', 'npa=12'],
    ['nxx', 'nxx=1ab'],
    ['state', 'state=Utah'],
    ['pattern', 'pattern=801-555'],
    ['limit', 'limit=abc'],
  ])('answers a malformed %s with a validation error', async (name, query) => {
    const { status, body } = await search(query);
    expect(status).toBe(400);
    expect(body.message).toBe('Validation errors');
    expect(body.errors[0]).toMatchObject({ code: 'INVALID_REQUEST_PARAMETER', in: 'query', name });
  });

  it('requires a token', async () => {
    expect((await ctx.request('GET', '/v2/number/search')).status).toBe(401);
  });
});

describe('POST /v2/number/reserve', () => {
  const reserve = (body: unknown, token = h.companyAdmin.token) =>
    ctx.request('POST', '/v2/number/reserve', { token, body });

  it("reserves an available number for the caller's group; data is its phone_number_id", async () => {
    const [number] = await addInventory('435', '555', 1);
    const { status, body } = await reserve([{ number: Number(number), source: 10001 }]);
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: [{ result: 'success', data: expect.any(Number), entry_count: 1 }],
    });
    expect(await statusOf(number as string)).toEqual({
      status: 'reserved',
      group_id: h.company,
      reserved_by: h.companyAdmin.ct_user_id,
    });
  });

  it('accepts the number as a string, also formatted', async () => {
    const [a, b] = await addInventory('435', '556', 2);
    const { body } = await reserve([{ number: a }, { number: `+1 (435) 556-${(b as string).slice(6)}` }]);
    expect(body.data.map((r: { result: string }) => r.result)).toEqual(['success', 'success']);
  });

  it('refuses a number that is already reserved', async () => {
    const [number] = await addInventory('435', '557', 1);
    await reserve([{ number }], h.locationAdmin.token);
    const { status, body } = await reserve([{ number }]);
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'error',
      err: '1 of 1 entries failed',
      data: [{ result: 'error', data: `Number ${number} is not available`, entry_count: 1 }],
    });
    expect((await statusOf(number as string))?.group_id).toBe(h.location);
  });

  it('answers each entry on its own, in order', async () => {
    const [a, b] = await addInventory('435', '558', 2);
    const { body } = await reserve([
      { number: a },
      { number: '4355589999' },
      { number: '123' },
      { number: b, source: 2 },
      { number: b },
    ]);
    expect(body.err).toBe('3 of 5 entries failed');
    expect(body.data).toEqual([
      { result: 'success', data: expect.any(Number), entry_count: 1 },
      { result: 'error', data: 'Number 4355589999 is not in the inventory', entry_count: 2 },
      { result: 'error', data: 'number 123 is not a valid 10-digit number', entry_count: 3 },
      { result: 'error', data: `Number ${b} is not offered by source 2`, entry_count: 4 },
      { result: 'success', data: expect.any(Number), entry_count: 5 },
    ]);
  });

  it('lets exactly one of two concurrent reservations win', async () => {
    const other = await ctx.factory.group(null);
    const otherAdmin = await ctx.factory.user(other);
    const [number] = await addInventory('435', '559', 1);
    const results = await Promise.all([
      reserve([{ number }], h.companyAdmin.token),
      reserve([{ number }], otherAdmin.token),
      reserve([{ number }], h.agencyAdmin.token),
    ]);
    const winners = results.filter((r) => r.body.data[0].result === 'success');
    expect(winners).toHaveLength(1);
    const { rows } = await ctx.db.query('select count(*)::integer as n from phone_number where number = $1', [
      number,
    ]);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it.each([
    ['an empty array', [], 'ARRAY_LENGTH_SHORT'],
    ['an entry without number', [{ source: 10001 }], 'OBJECT_MISSING_REQUIRED_PROPERTY'],
    ['an unknown property', [{ number: '4355550100', group: 1 }], 'OBJECT_ADDITIONAL_PROPERTIES'],
    ['a boolean number', [{ number: true }], 'INVALID_TYPE'],
    ['an object instead of an array', { number: '4355550100' }, 'INVALID_TYPE'],
  ])('answers %s with a validation error', async (_, body, code) => {
    const { status, body: reply } = await reserve(body);
    expect(status).toBe(400);
    expect(reply.errors[0]).toMatchObject({ in: 'body', name: 'number' });
    expect(reply.errors[0].errors.map((e: { code: string }) => e.code)).toContain(code);
  });

  it('refuses ReadOnly users', async () => {
    const readOnly = await ctx.factory.user(h.company, 3);
    const [number] = await addInventory('435', '560', 1);
    const { status } = await reserve([{ number }], readOnly.token);
    expect(status).toBe(403);
    expect((await statusOf(number as string))?.status).toBe('available');
  });
});

describe('GET /v2/number/reserved', () => {
  let agencyNumber: string;
  let companyNumber: string;
  let locationNumber: string;

  beforeAll(async () => {
    [agencyNumber, companyNumber, locationNumber] = (await addInventory('505', '555', 3)) as [
      string,
      string,
      string,
    ];
    const reserve = (number: string, token: string) =>
      ctx.request('POST', '/v2/number/reserve', { token, body: [{ number }] });
    await reserve(agencyNumber, h.agencyAdmin.token);
    await reserve(companyNumber, h.companyAdmin.token);
    await reserve(locationNumber, h.locationAdmin.token);
  });

  const reservedBy = async (token: string, query = 'filter=npa%3d505') => {
    const { body } = await ctx.request('GET', `/v2/number/reserved?${query}`, { token });
    return body.data as { number: number; group_id: number; reserved_by: number; reserved_at: string }[];
  };

  it("lists the numbers reserved by the caller's group and the groups below it", async () => {
    const rows = await reservedBy(h.agencyAdmin.token);
    expect(rows.map((r) => String(r.number))).toEqual([agencyNumber, companyNumber, locationNumber]);
    expect(rows[1]).toMatchObject({
      group_id: h.company,
      reserved_by: h.companyAdmin.ct_user_id,
      reserved_at: '2026-03-07T15:00:00.000Z',
    });
  });

  it('never shows a company admin the numbers of its agency', async () => {
    const rows = await reservedBy(h.companyAdmin.token);
    expect(rows.map((r) => String(r.number))).toEqual([companyNumber, locationNumber]);
    expect((await reservedBy(h.locationAdmin.token)).map((r) => String(r.number))).toEqual([locationNumber]);
  });

  it('answers no reservation with an empty list', async () => {
    const loner = await ctx.factory.user(await ctx.factory.group(null));
    const { status, body } = await ctx.request('GET', '/v2/number/reserved', { token: loner.token });
    expect(status).toBe(200);
    expect(body.data).toEqual([]);
  });
});

describe('claimAvailable', () => {
  it('assigns the lowest available numbers of an NPA-NXX to a group', async () => {
    const numbers = await addInventory('540', '555', 5);
    const taken = await ctx.db.transaction((tx) =>
      claimAvailable(tx, { groupId: h.location, npa: '540', nxx: '555', quantity: 3 }),
    );
    expect(taken).toEqual(numbers.slice(0, 3));
    for (const number of taken)
      expect(await statusOf(number)).toMatchObject({ status: 'assigned', group_id: h.location });
  });

  it('returns fewer numbers when the inventory runs short', async () => {
    const numbers = await addInventory('540', '556', 2);
    const taken = await ctx.db.transaction((tx) =>
      claimAvailable(tx, { groupId: h.location, npa: '540', nxx: '556', quantity: 5 }),
    );
    expect(taken).toEqual(numbers);
  });

  it('gives concurrent claims disjoint numbers', async () => {
    await addInventory('540', '557', 6);
    const claim = () =>
      ctx.db.transaction((tx) =>
        claimAvailable(tx, { groupId: h.company, npa: '540', nxx: '557', quantity: 3 }),
      );
    const [a, b] = await Promise.all([claim(), claim()]);
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(3);
    expect(new Set([...(a as string[]), ...(b as string[])]).size).toBe(6);
  });

  it('is undone when the transaction fails', async () => {
    const [number] = await addInventory('540', '558', 1);
    await expect(
      ctx.db.transaction(async (tx) => {
        await claimAvailable(tx, { groupId: h.company, npa: '540', nxx: '558', quantity: 1 });
        throw new Error('pool creation failed');
      }),
    ).rejects.toThrow('pool creation failed');
    expect((await statusOf(number as string))?.status).toBe('available');
  });
});

describe('numbers import', () => {
  const csv = async (name: string, text: string) => {
    const file = path.join(workDir, name);
    await writeFile(file, text);
    return file;
  };

  const inventory = async (npa: string) =>
    (
      await ctx.db.query(
        `select number, npa, nxx, rate_center, state, ocn, status from phone_number
          where npa = $1 order by number`,
        [npa],
      )
    ).rows;

  it('inserts valid rows in batches, skips duplicates and reports invalid rows by line', async () => {
    await addInventory('601', '555', 1, 'JACKSON', 'MS');
    const file = await csv(
      'inventory.csv',
      [
        'number,rate_center,state,ocn',
        '6015550100,Jackson,MS,T001',
        '6015550101,Jackson,MS,T001',
        '601555010,Jackson,MS,T001',
        '',
        '6015550102,,MS,T001',
        '6015550103,Jackson,ZZ,T001',
        '6015550104,Jackson,ms,',
        '6015550101,Jackson,MS,T001',
        'bad"quote,Jackson,MS,T001',
        '"+1 601-555-0105","Jackson",MS,T002',
        '6015550106,Jackson,MS',
      ].join('\n'),
    );
    const progress: number[] = [];
    const summary = await importNumbersFile(ctx.db, file, {
      batchSize: 2,
      onProgress: ({ bytes }) => progress.push(bytes),
    });
    expect(summary).toEqual({
      rows: 10,
      inserted: 4,
      duplicates: 2,
      invalid: [
        { line: 4, reason: 'number "601555010" is not a valid 10-digit number' },
        { line: 6, reason: 'rate_center is empty' },
        { line: 7, reason: 'state "ZZ" is not a US state, US territory or Canadian province' },
        { line: 10, reason: expect.stringContaining('Invalid Opening Quote') },
      ],
    });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const row = (number: string, ocn = 'T001') => ({
      number,
      npa: '601',
      nxx: '555',
      rate_center: 'JACKSON',
      state: 'MS',
      ocn,
      status: 'available',
    });
    expect(await inventory('601')).toEqual([
      row('6015550100'),
      row('6015550101'),
      row('6015550104', ''),
      row('6015550105', 'T002'),
      row('6015550106', ''),
    ]);
  });

  it('reads the columns by header name, in any order, past a byte-order mark and extra columns', async () => {
    const file = await csv(
      'reordered.csv',
      '\ufeffState,OCN,note,Number,Rate_Center\r\nnm,a1,hi,5055560100,Santa Fe\r\n',
    );
    expect(await importNumbersFile(ctx.db, file)).toEqual({
      rows: 1,
      inserted: 1,
      duplicates: 0,
      invalid: [],
    });
    expect(await inventory('505')).toContainEqual(
      expect.objectContaining({ number: '5055560100', rate_center: 'SANTA FE', state: 'NM', ocn: 'A1' }),
    );
  });

  it('is idempotent: a second run only skips', async () => {
    const file = await csv(
      'again.csv',
      'number,rate_center,state,ocn\n6025550100,PHOENIX,AZ,T1\n6025550101,PHOENIX,AZ,T1\n',
    );
    expect((await importNumbersFile(ctx.db, file)).inserted).toBe(2);
    expect(await importNumbersFile(ctx.db, file)).toEqual({
      rows: 2,
      inserted: 0,
      duplicates: 2,
      invalid: [],
    });
  });

  it.each([
    ['a header without a column', 'number,rate_center,state\n6035550100,X,NH\n', 'the header row lacks ocn'],
    ['an empty file', '', 'the file is empty'],
  ])('refuses %s', async (name, text, message) => {
    const file = await csv(`${name.replace(/\W/g, '_')}.csv`, text);
    const error = await importNumbersFile(ctx.db, file).catch((e: unknown) => e);
    expect(isAppError(error) && error.message).toContain(message);
    expect(await inventory('603')).toEqual([]);
  });

  it('reports a missing file', async () => {
    const error = await importNumbersFile(ctx.db, path.join(workDir, 'nope.csv')).catch((e: unknown) => e);
    expect(isAppError(error) && error.message).toBe('cannot read the file (ENOENT)');
  });

  it.runIf(testEngine() === 'pglite')(
    'runs as `switchboard numbers import` and exits 1 when rows were invalid',
    async () => {
      const file = await csv(
        'cli.csv',
        'number,rate_center,state,ocn\n7025550100,LAS VEGAS,NV,T1\n7025550101,,NV,T1\n',
      );
      const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-cli-'));
      try {
        // a new embedded database is made and migrated first: about 20 s on an idle 2-core
        // machine, several times that while the rest of the suite runs beside it
        const cli = spawnSync(
          process.execPath,
          ['--import', 'tsx', 'src/cli.ts', 'numbers', 'import', file],
          {
            env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
            encoding: 'utf8',
            timeout: 170_000,
          },
        );
        expect(cli.stdout).toBe(
          '1 imported, 0 duplicates skipped, 1 invalid (2 rows read)\n  line 3: rate_center is empty\n',
        );
        expect(cli.status).toBe(1);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
