import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNumbersRepo } from '../../src/modules/numbers/numbers.repo.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { type FilePart, mp3, multipart, wav } from '../helpers/audio.js';

let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-misc-'));
  ctx = await createTestContext({ DATA_DIR: dataDir, PUBLIC_BASE_URL: 'https://calls.example.test' });
  h = await ctx.factory.hierarchy();
});
afterAll(async () => {
  await ctx.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('GET /v2/misc/channel', () => {
  it('lists the channel catalogue with "<category>: <sub_category>" names', async () => {
    const { status, body } = await ctx.request('GET', '/v2/misc/channel', { token: h.locationAdmin.token });
    expect(status).toBe(200);
    expect(body.data).toHaveLength(35);
    expect(body.data).toContainEqual({
      channel_id: 13,
      channel: 'Linkedin: Paid',
      category: 'Linkedin',
      sub_category: 'Paid',
    });
  });

  it('filters and pages like any V2 list', async () => {
    const { body } = await ctx.request('GET', '/v2/misc/channel?filter=category%3dGoogle&limit=2&offset=1', {
      token: h.locationAdmin.token,
    });
    expect(body.data.map((c: { channel: string }) => c.channel)).toEqual([
      'Google: Organic',
      'Google: Business Profile',
    ]);
  });

  it('answers a filter on an unknown field with a V2 error', async () => {
    const { status, body } = await ctx.request('GET', '/v2/misc/channel?filter=name%3dx', {
      token: h.agencyAdmin.token,
    });
    expect(status).toBe(400);
    expect(body.err).toBe('Unsupported field used in filter on rule 1 : name=x');
  });
});

describe('GET /v2/misc/ratecenter', () => {
  beforeAll(async () => {
    const numbers = (npa: string, rateCenter: string, state: string, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        number: `${npa}555${String(1000 + i)}`,
        rate_center: rateCenter,
        state,
        ocn: 'T1',
      }));
    await createNumbersRepo(ctx.db).insertBatch([
      ...numbers('207', 'PORTLAND', 'ME', 3),
      ...numbers('503', 'PORTLAND', 'OR', 2),
    ]);
    await ctx.request('POST', '/v2/number/reserve', {
      token: h.companyAdmin.token,
      body: [{ number: '2075551000' }, { number: '5035551000' }, { number: '5035551001' }],
    });
  });

  it('lists each rate center by area code and state with its free numbers', async () => {
    const { status, body } = await ctx.request('GET', '/v2/misc/ratecenter?filter=rate_center%3dPORTLAND', {
      token: h.locationAdmin.token,
    });
    expect(status).toBe(200);
    expect(body.data).toEqual([
      { rate_center: 'PORTLAND', npa: '207', state: 'ME', available_count: 2 },
      { rate_center: 'PORTLAND', npa: '503', state: 'OR', available_count: 0 },
    ]);
  });

  it('filters on the free count', async () => {
    const { body } = await ctx.request(
      'GET',
      `/v2/misc/ratecenter?filter=${encodeURIComponent('rate_center=PORTLAND,available_count>=1')}`,
      { token: h.locationAdmin.token },
    );
    expect(body.data).toEqual([{ rate_center: 'PORTLAND', npa: '207', state: 'ME', available_count: 2 }]);
  });
});

describe('GET /v2/misc/geolocation', () => {
  const geo = (query: string) =>
    ctx.request('GET', `/v2/misc/geolocation?${query}`, { token: h.locationAdmin.token });

  it('looks up a ZIP code', async () => {
    const { status, body } = await geo('zip=84101');
    expect(status).toBe(200);
    expect(body.data).toEqual([
      {
        zip: '84101',
        npa: null,
        city: 'Salt Lake City',
        state: 'UT',
        latitude: expect.closeTo(40.76, 1),
        longitude: expect.closeTo(-111.9, 1),
        timezone: 'America/Denver',
      },
    ]);
  });

  it('looks up area codes, several at once, leaving out unknown ones', async () => {
    const { body } = await geo('npa=212,800,907&zip=10001,00000');
    expect(
      body.data.map((p: { zip: string | null; npa: string | null; timezone: string }) => [
        p.zip ?? p.npa,
        p.timezone,
      ]),
    ).toEqual([
      ['10001', 'America/New_York'],
      ['212', 'America/New_York'],
      ['907', 'America/Anchorage'],
    ]);
  });

  it('answers unknown codes with an empty list', async () => {
    expect((await geo('zip=00000')).body).toEqual({ result: 'success', err: null, data: [] });
  });

  it('asks for zip or npa', async () => {
    const { status, body } = await geo('');
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err: 'Please provide zip or npa.', data: null });
  });

  it.each(['zip=8410', 'zip=84101;84102', 'npa=80'])('answers %s with a validation error', async (query) => {
    const { status, body } = await geo(query);
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({ code: 'INVALID_REQUEST_PARAMETER', in: 'query' });
  });
});

describe('locations', () => {
  const branches = [
    {
      branch_name: 'Downtown',
      target_did: 8015550100,
      address: '1 Main St',
      zip: '84101',
      claimed_states: ['ut', 'ID'],
      claimed_zips: ['84101', '84102'],
    },
    {
      target_did: '(702) 555-0100',
      city: 'Las Vegas',
      state: 'NV',
      latitude: 36.17,
      longitude: -115.14,
      claimed_states: ['NV'],
    },
  ];
  const add = (body: unknown, token = h.companyAdmin.token) =>
    ctx.request('POST', '/v2/misc/location', { token, body });
  const list = async (token: string, query = '') =>
    (await ctx.request('GET', `/v2/misc/location?${query}`, { token })).body.data as {
      location_id: number;
      org_unit_id: number;
      location_name: string;
      branches: Record<string, unknown>[];
    }[];

  it('adds a location with its branches; data is the location_id', async () => {
    const { status, body } = await add([{ location_name: 'Utah and Nevada', branches }]);
    expect(status).toBe(200);
    expect(body).toEqual([{ result: 'success', data: expect.any(Number), entry_count: 1 }]);
    const [location] = await list(h.companyAdmin.token, `filter=location_id%3d${body[0].data}`);
    expect(location).toEqual({
      location_id: body[0].data,
      org_unit_id: h.company,
      location_name: 'Utah and Nevada',
      location_active: true,
      location_created: '2026-03-07T15:00:00.000Z',
      location_modified: null,
      branches: [
        {
          branch_id: expect.any(Number),
          branch_name: 'Downtown',
          target_did: '8015550100',
          address: '1 Main St',
          city: 'Salt Lake City',
          state: 'UT',
          zip: '84101',
          latitude: expect.closeTo(40.76, 1),
          longitude: expect.closeTo(-111.9, 1),
          claimed_states: ['UT', 'ID'],
          claimed_zips: ['84101', '84102'],
        },
        {
          branch_id: expect.any(Number),
          branch_name: '',
          target_did: '7025550100',
          address: null,
          city: 'Las Vegas',
          state: 'NV',
          zip: null,
          latitude: 36.17,
          longitude: -115.14,
          claimed_states: ['NV'],
          claimed_zips: [],
        },
      ],
    });
  });

  it('replaces a location, branches included, when location_id is given', async () => {
    const created = (await add([{ location_name: 'Before', branches }])).body[0].data;
    ctx.clock.advance(60_000);
    const { body } = await add([
      {
        location_id: created,
        location_name: 'After',
        location_active: false,
        branches: [{ target_did: '4355550100' }],
      },
    ]);
    expect(body).toEqual([{ result: 'success', data: created, entry_count: 1 }]);
    const [location] = await list(h.companyAdmin.token, `filter=location_id%3d${created}`);
    expect(location).toMatchObject({
      location_name: 'After',
      location_active: false,
      location_modified: '2026-03-07T15:01:00.000Z',
      branches: [expect.objectContaining({ target_did: '4355550100', latitude: null, longitude: null })],
    });
  });

  it.each([
    [
      'a bad target_did',
      [{ target_did: '123' }],
      'branches[0]: target_did 123 is not a valid 10-digit number',
    ],
    [
      'a latitude without longitude',
      [{ target_did: '8015550100', latitude: 40 }],
      'branches[0]: latitude and longitude must be given together',
    ],
    [
      'an unknown claimed state',
      [{ target_did: '8015550100', claimed_states: ['ZZ'] }],
      'branches[0]: claimed state ZZ is not a known state',
    ],
    [
      'a state claimed twice',
      [
        { target_did: '8015550100', claimed_states: ['UT'] },
        { target_did: '8015550101', claimed_states: ['NV', 'ut'] },
      ],
      'Claimed state UT is claimed by more than one branch',
    ],
    [
      'a ZIP code claimed twice',
      [
        { target_did: '8015550100', claimed_zips: ['84101'] },
        { target_did: '8015550101', claimed_zips: ['84101'] },
      ],
      'Claimed zip 84101 is claimed by more than one branch',
    ],
  ])('refuses %s', async (_, badBranches, message) => {
    const { body } = await add([{ location_name: 'Bad', branches: badBranches }]);
    expect(body).toEqual([{ result: 'error', data: message, entry_count: 1 }]);
  });

  it('answers each entry on its own', async () => {
    const { body } = await add([
      { location_name: 'Good', branches: [{ target_did: '8015550100' }] },
      { location_name: 'Bad', branches: [{ target_did: '555' }] },
    ]);
    expect(body).toEqual([
      { result: 'success', data: expect.any(Number), entry_count: 1 },
      { result: 'error', data: 'branches[0]: target_did 555 is not a valid 10-digit number', entry_count: 2 },
    ]);
    expect((await list(h.companyAdmin.token, 'filter=location_name%3dBad')).length).toBe(0);
  });

  it('keeps locations in scope: a company admin can neither see nor change agency locations', async () => {
    const agencyLocation = (await add([{ location_name: 'Agency HQ', branches }], h.agencyAdmin.token))
      .body[0].data;
    const companyLocation = (await add([{ location_name: 'Company HQ', branches }])).body[0].data;
    const companyView = (await list(h.companyAdmin.token, 'limit=500')).map((l) => l.location_id);
    expect(companyView).toContain(companyLocation);
    expect(companyView).not.toContain(agencyLocation);
    const agencyView = (await list(h.agencyAdmin.token, 'limit=500')).map((l) => l.location_id);
    expect(agencyView).toEqual(expect.arrayContaining([agencyLocation, companyLocation]));

    const update = await add([{ location_id: agencyLocation, location_name: 'Taken', branches }]);
    expect(update.body[0]).toEqual({
      result: 'error',
      data: `location_id ${agencyLocation} is not a location you can access`,
      entry_count: 1,
    });
    const foreign = await add([{ location_name: 'Up', org_unit_id: h.agency, branches }]);
    expect(foreign.body[0].data).toBe(`org_unit_id ${h.agency} is not a group you can access`);
  });

  it('lets an agency admin add a location for a group below it', async () => {
    const { body } = await add(
      [{ location_name: 'For the location', org_unit_id: h.location, branches }],
      h.agencyAdmin.token,
    );
    const [location] = await list(h.locationAdmin.token, `filter=location_id%3d${body[0].data}`);
    expect(location?.org_unit_id).toBe(h.location);
  });

  it('finds a location for geo routing only within scope', async () => {
    const id = (await add([{ location_name: 'Routable', branches }])).body[0].data;
    expect(await ctx.app.services.misc.findLocation(h.location, id)).toBeUndefined();
    expect((await ctx.app.services.misc.findLocation(h.agency, id))?.branches).toHaveLength(2);
  });

  it.each([
    ['an empty array', [], 'ARRAY_LENGTH_SHORT'],
    ['no branches', [{ location_name: 'X', branches: [] }], 'ARRAY_LENGTH_SHORT'],
    ['a missing name', [{ branches }], 'OBJECT_MISSING_REQUIRED_PROPERTY'],
    [
      'an unknown property',
      [{ location_name: 'X', branches, colour: 'red' }],
      'OBJECT_ADDITIONAL_PROPERTIES',
    ],
    [
      'a bad ZIP code',
      [{ location_name: 'X', branches: [{ target_did: '8015550100', zip: '841' }] }],
      'PATTERN',
    ],
    [
      'a latitude past 90',
      [{ location_name: 'X', branches: [{ target_did: '8015550100', latitude: 91, longitude: 0 }] }],
      'MAXIMUM',
    ],
  ])('answers %s with a validation error', async (_, body, code) => {
    const { status, body: reply } = await add(body);
    expect(status).toBe(400);
    expect(reply.errors[0]).toMatchObject({ in: 'body', name: 'location' });
    expect(reply.errors[0].errors.map((e: { code: string }) => e.code)).toContain(code);
  });

  it('refuses ReadOnly users', async () => {
    const readOnly = await ctx.factory.user(h.company, 3);
    expect((await add([{ location_name: 'X', branches }], readOnly.token)).status).toBe(403);
  });
});

async function upload(type: 'prompt' | 'whisper', parts: FilePart[], token: string) {
  const { payload, headers } = await multipart({}, parts);
  const response = await ctx.app.inject({
    method: 'POST',
    url: `/v2/misc/upload/${type}`,
    headers: { ...headers, authorization: `Bearer ${token}` },
    payload,
  });
  return { status: response.statusCode, body: response.json() };
}

const audioList = async (token: string, query = '') =>
  (await ctx.request('GET', `/v2/misc/getaudiolist?${query}`, { token })).body.data as {
    file_name: string;
    type: string;
    org_unit_id: number;
    reference_id: string;
    recordURL: string;
    uploaded_on: string;
  }[];

const filesOf = async (groupId: number) =>
  readdir(path.join(dataDir, 'audio', String(groupId))).catch(() => [] as string[]);

describe('audio uploads', () => {
  it('stores an mp3 prompt and lists it with the fields V2 clients read', async () => {
    const { status, body } = await upload(
      'prompt',
      [{ field: 'file', name: 'greeting.mp3', data: mp3() }],
      h.companyAdmin.token,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ result: 'success', err: null });
    const [stored] = body.data;
    expect(stored).toEqual({
      uploaded_on: ctx.clock.now().toISOString(),
      file_name: 'greeting',
      org_unit_id: h.company,
      type: 'prompt',
      reference_id: expect.stringMatching(/^[0-9a-f-]{36}\.mp3$/),
      recordURL: expect.stringMatching(/^https:\/\/calls\.example\.test\/v2\/misc\/audio\/\d+$/),
    });
    expect(await filesOf(h.company)).toContain(stored.reference_id);
    const listed = await audioList(h.companyAdmin.token, 'filter=file_name%3dgreeting');
    expect(listed).toEqual([stored]);
  });

  it('stores several wav whispers sent as file_0, file_1', async () => {
    const { body } = await upload(
      'whisper',
      [
        { field: 'file_0', name: 'agent-a.wav', data: wav() },
        { field: 'file_1', name: 'agent-b.WAV', data: wav() },
      ],
      h.locationAdmin.token,
    );
    expect(body.data.map((f: { file_name: string; type: string }) => [f.file_name, f.type])).toEqual([
      ['agent-a', 'whisper'],
      ['agent-b', 'whisper'],
    ]);
    const whispers = await audioList(h.locationAdmin.token, 'filter=type%3dwhisper');
    expect(whispers.map((f) => f.file_name).sort()).toEqual(['agent-a', 'agent-b']);
    expect(await audioList(h.locationAdmin.token, 'filter=type%3dprompt')).toEqual([]);
  });

  it.each([
    ['an mp4 file', [{ field: 'file', name: 'clip.mp4', data: mp3() }]],
    ['text named .mp3', [{ field: 'file', name: 'fake.mp3', data: Buffer.from('not audio') }]],
    ['wav bytes named .mp3', [{ field: 'file', name: 'mixed.mp3', data: wav() }]],
    [
      'one bad file among good ones',
      [
        { field: 'file_0', name: 'ok.mp3', data: mp3() },
        { field: 'file_1', name: 'bad.ogg', data: Buffer.from('OggS') },
      ],
    ],
  ])("refuses %s with V2's message in data, storing nothing", async (_, parts) => {
    const group = await ctx.factory.group(h.company);
    const admin = await ctx.factory.user(group);
    const { status, body } = await upload('prompt', parts, admin.token);
    expect(status).toBe(400);
    expect(body).toEqual({
      result: 'error',
      err: 'Incorrect File Format. It Should Be mp3/wav',
      data: 'Incorrect File Format. It Should Be mp3/wav',
    });
    expect(await audioList(admin.token)).toEqual([]);
    expect(await filesOf(group)).toEqual([]);
  });

  it('takes 15 files and refuses 16', async () => {
    const group = await ctx.factory.group(h.company);
    const admin = await ctx.factory.user(group);
    const parts = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ field: `file_${i}`, name: `p${i}.mp3`, data: mp3() }));
    const fifteen = await upload('prompt', parts(15), admin.token);
    expect(fifteen.body.data).toHaveLength(15);
    const sixteen = await upload('prompt', parts(16), admin.token);
    expect(sixteen.status).toBe(400);
    expect(sixteen.body).toEqual({
      result: 'error',
      err: 'This method only support 15 files at a Time',
      data: 'This method only support 15 files at a Time',
    });
    expect(await audioList(admin.token, 'limit=100')).toHaveLength(15);
  });

  it('asks for a file when the form has none', async () => {
    const { payload, headers } = await multipart({ note: 'hello' }, []);
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v2/misc/upload/prompt',
      headers: { ...headers, authorization: `Bearer ${h.companyAdmin.token}` },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().data).toBe('Please upload at least one mp3/wav file');
  });

  it('asks for multipart/form-data when given JSON', async () => {
    const { status, body } = await ctx.request('POST', '/v2/misc/upload/prompt', {
      token: h.companyAdmin.token,
      body: { file: 'greeting.mp3' },
    });
    expect(status).toBe(400);
    expect(body.data).toBe('The request must be multipart/form-data with the file in the field "file"');
  });

  it('accepts multipart bodies only on the upload routes', async () => {
    const { payload, headers } = await multipart({}, [{ field: 'file', name: 'greeting.mp3', data: mp3() }]);
    for (const url of ['/v2/misc/location', '/v2/group', '/v2/number/reserve']) {
      const response = await ctx.app.inject({
        method: 'POST',
        url,
        headers: { ...headers, authorization: `Bearer ${h.companyAdmin.token}` },
        payload,
      });
      expect(response.statusCode).toBe(415);
    }
  });

  it('refuses ReadOnly users and missing tokens', async () => {
    const readOnly = await ctx.factory.user(h.company, 3);
    const parts = [{ field: 'file', name: 'x.mp3', data: mp3() }];
    expect((await upload('prompt', parts, readOnly.token)).status).toBe(403);
    const { payload, headers } = await multipart({}, parts);
    const anonymous = await ctx.app.inject({
      method: 'POST',
      url: '/v2/misc/upload/whisper',
      headers,
      payload,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('GET /v2/misc/getaudiolist and the audio itself', () => {
  let agencyAudio: { recordURL: string; reference_id: string };
  let companyAudio: { recordURL: string };

  beforeAll(async () => {
    agencyAudio = (
      await upload('prompt', [{ field: 'file', name: 'agency.wav', data: wav() }], h.agencyAdmin.token)
    ).body.data[0];
    companyAudio = (
      await upload('whisper', [{ field: 'file', name: 'company.mp3', data: mp3() }], h.companyAdmin.token)
    ).body.data[0];
  });

  const download = (recordURL: string, token?: string) =>
    ctx.app.inject({
      method: 'GET',
      url: new URL(recordURL).pathname,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it("shows an agency admin its own and its groups' files, a company admin only its subtree", async () => {
    const agencyView = (await audioList(h.agencyAdmin.token, 'limit=500')).map((f) => f.file_name);
    expect(agencyView).toEqual(expect.arrayContaining(['agency', 'company']));
    const companyView = (await audioList(h.companyAdmin.token, 'limit=500')).map((f) => f.file_name);
    expect(companyView).toContain('company');
    expect(companyView).not.toContain('agency');
  });

  it('lists newest first and pages with offset', async () => {
    ctx.clock.advance(1000);
    await upload('prompt', [{ field: 'file', name: 'newest.mp3', data: mp3() }], h.agencyAdmin.token);
    const [first, second] = await audioList(h.agencyAdmin.token, 'limit=2');
    expect(first?.file_name).toBe('newest');
    const [shifted] = await audioList(h.agencyAdmin.token, 'limit=1&offset=1');
    expect(shifted).toEqual(second);
  });

  it('serves the bytes at recordURL with the audio content type', async () => {
    const response = await download(companyAudio.recordURL, h.companyAdmin.token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('audio/mpeg');
    expect(response.headers['content-disposition']).toBe('inline; filename="company.mp3"');
    expect(response.rawPayload.equals(mp3())).toBe(true);
    const wavResponse = await download(agencyAudio.recordURL, h.agencyAdmin.token);
    expect(wavResponse.headers['content-type']).toBe('audio/wav');
    expect(wavResponse.rawPayload.equals(wav())).toBe(true);
  });

  it("hides files outside the caller's scope and requires a token", async () => {
    const outOfScope = await download(agencyAudio.recordURL, h.companyAdmin.token);
    expect(outOfScope.statusCode).toBe(404);
    expect(outOfScope.json()).toEqual({ result: 'error', err: 'No record found', data: null });
    expect((await download(agencyAudio.recordURL)).statusCode).toBe(401);
    const missing = await ctx.request('GET', '/v2/misc/audio/99999999999', { token: h.agencyAdmin.token });
    expect(missing.status).toBe(400);
  });

  it("resolves a call flow's reference_id only within scope", async () => {
    const misc = ctx.app.services.misc;
    expect(await misc.findAudioByReference(h.company, agencyAudio.reference_id)).toBeUndefined();
    const found = await misc.findAudioByReference(h.agency, agencyAudio.reference_id);
    expect(found?.contentType).toBe('audio/wav');
    expect(found?.key).toMatch(new RegExp(`^audio/${h.agency}/`));
    expect((await readFile(path.join(dataDir, found?.key as string))).equals(wav())).toBe(true);
  });
});
