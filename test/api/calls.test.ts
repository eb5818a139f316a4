import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCallRecords } from '../../src/modules/calls/call-record.js';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { mp3, mp3ChannelLevels, toneMp3, toneWav, wav, wavChannelLevels } from '../helpers/audio.js';
import { createIvrFlow, insertCalls, uploadCall } from '../helpers/calls.js';
import { createCarrier } from '../helpers/carrier.js';

/** The Call endpoints (records, lists, comments, moves, archive, uploads) and the Group call views. */
let ctx: TestContext;
let dataDir: string;
let carrier: ReturnType<typeof createCarrier>;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let sibling: number;
let siblingAdmin: TestUser;
let readOnly: TestUser;
let campaignId: number;
let flowId: number;
const NUMBER = '3125554000';
let answeredCallId: number;

const callIdOf = async (sid: string) =>
  (
    await ctx.db.query<{ call_id: number }>(
      'select call_id::integer as call_id from call where carrier_call_sid = $1',
      [sid],
    )
  ).rows[0]?.call_id as number;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-calls-'));
  ctx = await createTestContext({ DATA_DIR: dataDir, JOBS_POLL_INTERVAL_MS: '0' });
  carrier = createCarrier(ctx.app);
  h = await ctx.factory.hierarchy();
  sibling = await ctx.factory.group(h.agency);
  siblingAdmin = await ctx.factory.user(sibling);
  readOnly = await ctx.factory.user(h.company, 3);
  await ctx.factory.inventory([NUMBER, '3125554001'], 'CHICAGO', 'IL');
  campaignId = await ctx.factory.campaign(h.companyAdmin);
  flowId = await createIvrFlow(ctx, h.companyAdmin, campaignId, NUMBER);
  const result = await carrier.call({ to: NUMBER, from: '2125550142', press: ['1'], answer: 'first' });
  answeredCallId = await callIdOf(result.callSid);
});
afterAll(async () => {
  await ctx.close();
  await rm(dataDir, { recursive: true, force: true });
});

const get = (url: string, user: TestUser = h.companyAdmin) => ctx.request('GET', url, { token: user.token });
const post = (url: string, body: unknown, user: TestUser = h.companyAdmin) =>
  ctx.request('POST', url, { token: user.token, body });

describe('GET /v2/call?id=', () => {
  it('answers a call placed through the carrier as V2 shows it', async () => {
    const { status, body } = await get(`/v2/call?id=${answeredCallId}`);
    expect(status).toBe(200);
    expect(body.result).toBe('success');
    expect(body.err).toBeNull();
    expect(body.data).toMatchObject({
      call_id: answeredCallId,
      call_flow_id: flowId,
      group_id: h.company,
      campaign_id: campaignId,
      channel_id: 1,
      channel: 'Search: Paid',
      disposition: 'ANSWERED',
      duration: 42,
      caller_id: '2125550142',
      tracking_number: NUMBER,
      tracking_number_name: `Flow ${NUMBER}`,
      ring_to: '8015550100',
      repeat_call: false,
      call_value: 40,
      key_path: '1',
      call_source: 'carrier',
      call_archived: false,
      recording_url: expect.stringContaining('/recordings/'),
      tags: [],
      comments: [],
      custom_sources: {},
      attribution: null,
    });
    expect(body.data.call_started).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('answers "No record found" for a missing call and for a call of another group line', async () => {
    for (const [id, user] of [
      [999999, h.companyAdmin],
      [answeredCallId, siblingAdmin],
      [answeredCallId, h.locationAdmin],
    ] as const) {
      const { status, body } = await get(`/v2/call?id=${id}`, user);
      expect(status).toBe(404);
      expect(body).toEqual({ result: 'error', err: 'No record found', data: null });
    }
  });

  it('lets the agency admin above the call see it', async () => {
    expect((await get(`/v2/call?id=${answeredCallId}`, h.agencyAdmin)).body.data.call_id).toBe(
      answeredCallId,
    );
  });

  it('answers a missing or non-integer id with V2 validation errors', async () => {
    const missing = await get('/v2/call');
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]).toMatchObject({
      code: 'INVALID_REQUEST_PARAMETER',
      name: 'id',
      message: 'Invalid parameter (id): Value is required but was not provided',
    });
    const text = await get('/v2/call?id=abc');
    expect(text.body.errors[0].message).toBe(
      'Invalid parameter (id): Expected type integer but found type string',
    );
  });

  it('answers 401 without a token', async () => {
    expect((await ctx.request('GET', `/v2/call?id=${answeredCallId}`)).status).toBe(401);
  });
});

describe('loadCallRecords', () => {
  it('loads many calls in the order asked, skipping unknown ids', async () => {
    const ids = await insertCalls(ctx, [
      { group_id: h.location, started_at: '2026-02-01T10:00:00Z' },
      { group_id: h.location, started_at: '2026-02-01T11:00:00Z' },
    ]);
    const records = await loadCallRecords(ctx.db, [
      ids[1] as number,
      424242,
      ids[0] as number,
      ids[1] as number,
    ]);
    expect(records.map((r) => r.call_id)).toEqual([ids[1], ids[0]]);
    expect(records[0]?.ring_to).toBeNull();
    expect(await loadCallRecords(ctx.db, [])).toEqual([]);
  });
});

describe('GET /v2/call/list', () => {
  let ids: number[];
  beforeAll(async () => {
    const group = await ctx.factory.group(h.location);
    ids = await insertCalls(ctx, [
      { group_id: group, started_at: '2026-01-10T04:30:00Z', duration: 10, tracking: '8015557001' },
      { group_id: group, started_at: '2026-01-10T06:00:00Z', duration: 90, tracking: '8015557001' },
      { group_id: group, started_at: '2026-01-11T12:00:00Z', duration: 30, tracking: '8015557002' },
    ]);
  });

  it('lists the calls of the caller scope newest first', async () => {
    const { body } = await get('/v2/call/list?filter=tracking_number=8015557001');
    expect(body.data.map((c: { call_id: number }) => c.call_id)).toEqual([ids[1], ids[0]]);
  });

  it('filters on duration, dates and tracking number together, as the PHP client does', async () => {
    const { body } = await get(
      `/v2/call/list?filter=${encodeURIComponent('call_started>=2026-01-10,call_started<=2026-01-10,duration>=30')}`,
      h.locationAdmin,
    );
    expect(body.data.map((c: { call_id: number }) => c.call_id)).toEqual([ids[1]]);
  });

  it('reads filter dates in the given time zone', async () => {
    // 04:30Z on the 10th is still the 9th in New York; 06:00Z is the 10th there.
    const filter = encodeURIComponent('call_started=2026-01-09,tracking_number=8015557001');
    const utc = await get(`/v2/call/list?filter=${filter}`);
    expect(utc.body.data).toEqual([]);
    const ny = await get(`/v2/call/list?filter=${filter}&timezone=America/New_York`);
    expect(ny.body.data.map((c: { call_id: number }) => c.call_id)).toEqual([ids[0]]);
    const eastern = await get(`/v2/call/list?filter=${filter}&timezone=Eastern`);
    expect(eastern.body.data.map((c: { call_id: number }) => c.call_id)).toEqual([ids[0]]);
  });

  it('pages with limit and offset', async () => {
    const filter = 'filter=tracking_number%3D8015557001';
    expect((await get(`/v2/call/list?${filter}&limit=1`)).body.data[0].call_id).toBe(ids[1]);
    expect((await get(`/v2/call/list?${filter}&limit=1&offset=1`)).body.data[0].call_id).toBe(ids[0]);
  });

  it('answers each filter shape right however often it runs (the list statement is prepared)', async () => {
    // past five runs PostgreSQL may plan a prepared statement once for any values
    const byTracking = (n: string) => `/v2/call/list?filter=tracking_number%3D${n}`;
    const byDuration = (d: number) => `/v2/call/list?filter=duration%3E%3D${d},tracking_number%3D8015557001`;
    for (let run = 0; run < 8; run += 1) {
      const first = await get(byTracking(run % 2 === 0 ? '8015557001' : '8015557002'));
      expect(first.body.data.map((c: { call_id: number }) => c.call_id)).toEqual(
        run % 2 === 0 ? [ids[1], ids[0]] : [ids[2]],
      );
      const second = await get(byDuration(run % 2 === 0 ? 0 : 30));
      expect(second.body.data.map((c: { call_id: number }) => c.call_id)).toEqual(
        run % 2 === 0 ? [ids[1], ids[0]] : [ids[1]],
      );
    }
  });

  it('still answers once more filter shapes have run than are prepared', async () => {
    for (let rules = 1; rules <= 70; rules += 1) {
      const filter = encodeURIComponent(
        ['tracking_number=8015557001', ...Array.from({ length: rules }, () => 'duration>=30')].join(','),
      );
      const { body } = await get(`/v2/call/list?filter=${filter}`);
      expect(
        body.data.map((c: { call_id: number }) => c.call_id),
        `${rules} rules`,
      ).toEqual([ids[1]]);
    }
  });

  it('shows nothing of another group line', async () => {
    const { status, body } = await get('/v2/call/list?filter=tracking_number=8015557001', siblingAdmin);
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: [] });
  });

  it('answers bad filters, limits and time zones with V2 errors', async () => {
    const cases: [string, string][] = [
      ['filter=duration%2B5', 'Unsupported comparator used in filter on rule 1 : duration+5'],
      [
        'filter=caller_id%3E%3D5',
        'Invalid comparator type "string" used for value being used in rule 1 : caller_id>=5',
      ],
      ['filter=caller_id%3D', 'Please provide valid data.'],
      ['filter=duration%3Dabc', 'Invalid value for integer field used in filter on rule 1 : duration=abc'],
      ['timezone=Mars/Base', 'Invalid timezone: Mars/Base'],
    ];
    for (const [query, err] of cases) {
      const { status, body } = await get(`/v2/call/list?${query}`);
      expect(status, query).toBe(400);
      expect(body).toEqual({ result: 'error', err, data: null });
    }
    const limit = await get('/v2/call/list?limit=abc');
    expect(limit.body.errors[0].message).toBe(
      'Invalid parameter (limit): Expected type integer but found type string',
    );
  });
});

describe('the call record in the OpenAPI document', () => {
  it('shows nullable fields as OpenAPI 3.0 nullable types', async () => {
    const document = (await ctx.app.inject('/openapi.json')).json();
    const list = document.paths['/v2/call/list'].get.responses['200'].content['application/json'];
    const record = list.schema.properties.data.items.properties;
    expect(record.call_answered).toEqual({ type: 'string', nullable: true });
    expect(record.duration).toEqual({ type: 'integer', nullable: true, description: 'seconds' });
    expect(record.call_value).toEqual({ type: 'number', nullable: true });
    expect(record.call_source).toEqual({ type: 'string', enum: ['carrier', 'upload'] });
    expect(record.attribution).toMatchObject({ type: 'object', nullable: true });
    expect(record.attribution.properties.visit_id).toEqual({ type: 'integer', nullable: true });
    expect(record.tags.items.properties.ct_user_id).toEqual({ type: 'integer', nullable: true });
  });
});

describe('POST /v2/call/comment', () => {
  it('adds comments to several calls and shows them on the record', async () => {
    const [other] = await insertCalls(ctx, [{ group_id: h.company, started_at: '2026-02-02T10:00:00Z' }]);
    const { status, body } = await post('/v2/call/comment', [
      { call_id: answeredCallId, comment: ['Called back', 'Left voicemail'] },
      { call_id: other, comment: ['Booked'] },
      { call_id: answeredCallId, comment: ['Third'] },
    ]);
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: 'Comment added successfully' });
    const record = (await get(`/v2/call?id=${answeredCallId}`)).body.data;
    expect(record.comments.map((c: { comment: string }) => c.comment)).toEqual([
      'Called back',
      'Left voicemail',
      'Third',
    ]);
    expect(record.comments[0]).toMatchObject({
      ct_user_id: h.companyAdmin.ct_user_id,
      comment_parent_id: null,
    });
  });

  it('lets an agency admin comment on a location call', async () => {
    const [call] = await insertCalls(ctx, [{ group_id: h.location, started_at: '2026-02-02T10:00:00Z' }]);
    expect(
      (await post('/v2/call/comment', [{ call_id: call, comment: ['From above'] }], h.agencyAdmin)).status,
    ).toBe(200);
  });

  it('stores nothing when one call does not exist or is out of scope', async () => {
    for (const user of [h.companyAdmin, siblingAdmin]) {
      const before = (await ctx.db.query('select 1 from call_comment')).rowCount;
      const { status, body } = await post(
        '/v2/call/comment',
        [
          { call_id: answeredCallId, comment: ['not stored'] },
          { call_id: user === siblingAdmin ? answeredCallId : 99999999, comment: ['x'] },
        ],
        user,
      );
      expect(status).toBe(400);
      expect(body).toEqual({ result: 'error', err: 'Call_id does not exist.', data: null });
      expect((await ctx.db.query('select 1 from call_comment')).rowCount).toBe(before);
    }
  });

  it('answers bad bodies with V2 validation errors named "comments"', async () => {
    const cases: [unknown, string][] = [
      [[{ call_id: null, comment: ['a'] }], 'Expected type integer but found type null'],
      [[{ call_id: -123, comment: ['a'] }], 'Value -123 is less than minimum 0'],
      [[{ call_id: 1, comment: [null] }], 'Expected type string but found type null'],
      [[{ call_id: 1, comment: [5] }], 'Expected type string but found type integer'],
    ];
    for (const [body, message] of cases) {
      const response = await post('/v2/call/comment', body);
      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({ in: 'body', name: 'comments' });
      expect(response.body.errors[0].errors[0].message).toBe(message);
    }
  });

  it('refuses ReadOnly users', async () => {
    expect(
      (await post('/v2/call/comment', [{ call_id: answeredCallId, comment: ['x'] }], readOnly)).status,
    ).toBe(403);
  });
});

describe('POST /v2/call/move', () => {
  it('moves calls down the tree; the group below then sees them', async () => {
    const [call] = await insertCalls(ctx, [{ group_id: h.company, started_at: '2026-02-03T10:00:00Z' }]);
    expect((await get(`/v2/call?id=${call}`, h.locationAdmin)).status).toBe(404);
    const { status, body } = await post('/v2/call/move', { call_id: [call], group_id: h.location });
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: [call] });
    expect((await get(`/v2/call?id=${call}`, h.locationAdmin)).body.data.group_id).toBe(h.location);
    const { rows } = await ctx.db.query('select moved_from_group_id from call where call_id = $1', [call]);
    expect(rows[0]).toEqual({ moved_from_group_id: h.company });
  });

  it('refuses calls and groups outside the caller scope and changes nothing', async () => {
    const [call] = await insertCalls(ctx, [{ group_id: h.company, started_at: '2026-02-03T10:00:00Z' }]);
    const toSibling = await post('/v2/call/move', { call_id: [call], group_id: sibling });
    expect(toSibling.body).toEqual({ result: 'error', err: 'Group_id does not exist.', data: null });
    const bySibling = await post('/v2/call/move', { call_id: [call], group_id: sibling }, siblingAdmin);
    expect(bySibling.body).toEqual({ result: 'error', err: 'Call_id does not exist.', data: null });
    const fromBelow = await post('/v2/call/move', { call_id: [call], group_id: h.location }, h.locationAdmin);
    expect(fromBelow.body.err).toBe('Call_id does not exist.');
    const { rows } = await ctx.db.query('select group_id from call where call_id = $1', [call]);
    expect(rows[0]).toEqual({ group_id: h.company });
  });
});

describe('archived calls', () => {
  it('archive takes calls out of the lists and into List Archived Call Details, and back', async () => {
    const [call] = await insertCalls(ctx, [
      { group_id: h.company, started_at: '2026-02-04T10:00:00Z', tracking: '8015557100' },
    ]);
    const listed = async (url: string) =>
      (await get(`${url}?filter=tracking_number%3D8015557100`)).body.data.map(
        (c: { call_id: number }) => c.call_id,
      );
    expect(await listed('/v2/call/list')).toEqual([call]);
    expect(await listed('/v2/call/archive')).toEqual([]);
    expect((await post('/v2/call/archive', { call_id: [call] }, siblingAdmin)).status).toBe(400);
    expect((await post('/v2/call/archive', { call_id: [call] })).body.data).toEqual([call]);
    expect(await listed('/v2/call/list')).toEqual([]);
    expect(await listed('/v2/call/detail')).toEqual([]);
    expect(await listed('/v2/call/archive')).toEqual([call]);
    expect((await get(`/v2/call?id=${call}`)).body.data.call_archived).toBe(true);
    await post('/v2/call/archive', { call_id: [call], archived: false });
    expect(await listed('/v2/call/list')).toEqual([call]);
  });
});

describe('GET /v2/call/detail', () => {
  it('adds recordURL only when asked and filters on the group external id', async () => {
    await ctx.db.query(`update org_group set group_ext_id = 'EXT-COMPANY' where group_id = $1`, [h.company]);
    const plain = await get(`/v2/call/detail?filter=call_id%3D${answeredCallId}`);
    expect(plain.body.data[0].recordURL).toBeUndefined();
    const withUrl = await get(`/v2/call/detail?filter=external_id%3DEXT-COMPANY&recordURL=true&limit=500`);
    const row = withUrl.body.data.find((c: { call_id: number }) => c.call_id === answeredCallId);
    expect(row.recordURL).toEqual(expect.stringContaining('/recordings/'));
    expect(withUrl.body.data.every((c: { group_id: number }) => c.group_id === h.company)).toBe(true);
  });
});

describe('the "with" lists', () => {
  it('List Calls With Custom Sources shows calls whose flow had custom sources when they happened', async () => {
    const created = await post('/v2/customsource', [
      { org_unit_id: h.company, custom_source_name: 'Billboard' },
    ]);
    const sourceId = Number(String(created.body.data).replace(/\D+/g, ''));
    expect(
      (await post('/v2/callflow/customsources', [{ call_flow_id: flowId, custom_source_type_2: sourceId }]))
        .status,
    ).toBe(200);
    const later = await carrier.call({ to: NUMBER, from: '2125550143', press: ['1'], answer: 'first' });
    const laterCallId = await callIdOf(later.callSid);
    const { body } = await get(`/v2/call/customsource?filter=call_flow_id%3D${flowId}`);
    // the call placed before the flow had custom sources is not one with custom sources
    expect(body.data.map((c: { call_id: number }) => c.call_id)).toEqual([laterCallId]);
    expect(body.data[0].custom_sources).toEqual({
      custom_source_type_2: {
        custom_source_id: sourceId,
        custom_source_name: 'Billboard',
        org_unit_id: h.company,
      },
    });
    expect(
      (await get(`/v2/call/customsource?filter=call_flow_id%3D${flowId}`, siblingAdmin)).body.data,
    ).toEqual([]);
  });

  it("keeps a call's custom sources as its flow had them when the call happened", async () => {
    const number = '3125554009';
    await ctx.factory.inventory([number], 'CHICAGO', 'IL');
    const flow = await createIvrFlow(ctx, h.companyAdmin, campaignId, number);
    const created = await post('/v2/customsource', [
      { org_unit_id: h.company, custom_source_name: 'Radio' },
      { org_unit_id: h.company, custom_source_name: 'Podcast' },
    ]);
    const [radio, podcast] = (String(created.body.data).match(/\d+/g) ?? []).map(Number) as [number, number];
    await post('/v2/callflow/customsources', [{ call_flow_id: flow, custom_source_type_1: radio }]);
    const first = await callIdOf(
      (await carrier.call({ to: number, from: '2125550144', press: ['1'] })).callSid,
    );
    // the flow's slots change after the call: slot 1 now names another source, slot 3 is new
    await post('/v2/callflow/customsources', [
      { call_flow_id: flow, custom_source_type_1: podcast, custom_source_type_3: radio },
    ]);
    const second = await callIdOf(
      (await carrier.call({ to: number, from: '2125550145', press: ['1'] })).callSid,
    );
    const source = (id: number, name: string) => ({
      custom_source_id: id,
      custom_source_name: name,
      org_unit_id: h.company,
    });
    expect((await get(`/v2/call?id=${first}`)).body.data.custom_sources).toEqual({
      custom_source_type_1: source(radio, 'Radio'),
    });
    expect((await get(`/v2/call?id=${second}`)).body.data.custom_sources).toEqual({
      custom_source_type_1: source(podcast, 'Podcast'),
      custom_source_type_3: source(radio, 'Radio'),
    });
    // removing the flow's custom sources leaves the calls' alone
    await ctx.request('DELETE', '/v2/callflow/customsources', {
      token: h.companyAdmin.token,
      body: [{ call_flow_id: flow, type: ['custom_source_type_1', 'custom_source_type_3'] }],
    });
    expect((await get(`/v2/call?id=${first}`)).body.data.custom_sources).toEqual({
      custom_source_type_1: source(radio, 'Radio'),
    });
  });

  it('List Calls With DNI shows attributed calls with their attribution', async () => {
    const [attributed, plain] = await insertCalls(ctx, [
      { group_id: h.company, started_at: '2026-02-05T10:00:00Z', tracking: '8015557200' },
      { group_id: h.company, started_at: '2026-02-05T11:00:00Z', tracking: '8015557200' },
    ]);
    // call_attribution is written by the DNI runtime when a pool call starts; a fixture row here
    await ctx.db.query(
      `insert into call_attribution (call_id, confidence, visitor_id, landing_page, utm_source, gclid, attributed_at)
       values ($1, 'exact', 'v-1', 'https://acme.test/spring', 'google', 'g-1', '2026-02-05T10:00:00Z')`,
      [attributed],
    );
    const { body } = await get('/v2/call/dni?filter=tracking_number%3D8015557200');
    expect(body.data.map((c: { call_id: number }) => c.call_id)).toEqual([attributed]);
    expect(body.data[0].attribution).toMatchObject({
      confidence: 'exact',
      visitor_id: 'v-1',
      landing_page: 'https://acme.test/spring',
      utm_source: 'google',
      gclid: 'g-1',
      custom_params: {},
      attributed_at: '2026-02-05T10:00:00.000Z',
    });
    expect((await get(`/v2/call?id=${plain}`)).body.data.attribution).toBeNull();
  });

  it('List Calls With Transcription shows recorded calls, with the transcript once one exists', async () => {
    const list = async (url: string) =>
      (await get(`${url}?filter=call_id%3D${answeredCallId}`)).body.data as Record<string, unknown>[];
    expect((await list('/v2/call/transcription'))[0]?.transcription).toBeNull();
    await ctx.db.query(
      `insert into call_transcript (call_id, transcript_status, language, transcript, segments, transcript_created)
       values ($1, 'done', 'en', 'Hello, sales.', '[{"speaker":"agent","start_ms":0,"end_ms":900,"text":"Hello, sales."}]',
               '2026-03-01T00:00:00Z')`,
      [answeredCallId],
    );
    expect((await list('/v2/call/transcription'))[0]?.transcription).toEqual({
      transcript_status: 'done',
      status_reason: null,
      language: 'en',
      transcript_created: '2026-03-01T00:00:00.000Z',
      transcript_modified: null,
    });
    expect((await list('/v2/call/transcription/detail'))[0]?.transcription).toMatchObject({
      transcript: 'Hello, sales.',
      segments: [{ speaker: 'agent', text: 'Hello, sales.' }],
    });
  });

  it('List Calls With Indicator Scores lists analysed calls with their scores; other records have none', async () => {
    const list = async () => (await get(`/v2/call/indicator?filter=call_id%3D${answeredCallId}`)).body.data;
    expect(await list()).toEqual([]);
    expect((await get(`/v2/call?id=${answeredCallId}`)).body.data.indicator_scores).toEqual([]);
    await ctx.db.query(
      `insert into call_analysis (call_id, analyzed_at, transcript_status) values ($1, '2026-03-01T00:00:00Z', 'done')`,
      [answeredCallId],
    );
    await ctx.db.query(
      `insert into call_indicator_score (call_id, indicator_id, indicator_name, score, reasons, scored_at)
       values ($1, 1, 'Lead', 75, '[{"phrase":"quote","speaker":"caller","start_ms":500,"weight":50}]', '2026-03-01T00:00:00Z')`,
      [answeredCallId],
    );
    expect((await list())[0]).toMatchObject({
      call_id: answeredCallId,
      indicator_scores: [
        {
          indicator_id: 1,
          indicator_name: 'Lead',
          score: 75,
          reasons: [{ phrase: 'quote', speaker: 'caller', start_ms: 500, weight: 50 }],
          scored_at: '2026-03-01T00:00:00.000Z',
        },
      ],
    });
  });
});

describe('POST /v2/call/upload', () => {
  it('creates a call record with its recording, attributed to the tracking number flow', async () => {
    const { status, body } = await uploadCall(ctx, h.companyAdmin.token, {
      tracking_number: NUMBER,
      caller_id: '(480) 555-0199',
      ring_to: '8015550111',
      disposition: 'voicemail',
      call_date: '2026-03-06 09:30:00',
      timezone: 'America/Chicago',
      duration: '75',
      caller_name: 'Ann Caller',
      company_name: 'Acme',
      city: 'Chicago',
      state: 'il',
      zip_code: '60601',
      custom_source_type_1: 'Flyer',
      tag_name: 'uploaded',
      is_outbound: 'true',
    });
    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      call_flow_id: flowId,
      group_id: h.company,
      campaign_id: campaignId,
      tracking_number: NUMBER,
      caller_id: '4805550199',
      ring_to: '8015550111',
      disposition: 'VOICEMAIL',
      duration: 75,
      call_started: '2026-03-06T15:30:00.000Z',
      caller_name: 'Ann Caller',
      caller_company: 'Acme',
      caller_state: 'IL',
      is_outbound: true,
      call_source: 'upload',
      custom_sources: {
        custom_source_type_1: { custom_source_id: null, custom_source_name: 'Flyer', org_unit_id: null },
      },
      tags: [expect.objectContaining({ tag_name: 'uploaded', ct_user_id: h.companyAdmin.ct_user_id })],
    });
    const callId = body.data.call_id;
    expect(body.data.recording_url).toBe(`http://127.0.0.1:3000/v2/call/recording?id=${callId}`);
    // an uploaded call is a completed call: call actions, e-mail and webhooks follow
    const job = await ctx.db.query('select kind from job where dedupe_key = $1', [
      `call.completed:${callId}`,
    ]);
    expect(job.rows).toEqual([{ kind: 'call.completed' }]);
    const audio = await ctx.app.inject({
      method: 'GET',
      url: `/v2/call/recording?id=${callId}`,
      headers: { authorization: `Bearer ${h.companyAdmin.token}` },
    });
    expect(audio.statusCode).toBe(200);
    expect(audio.headers['content-type']).toBe('audio/mpeg');
    expect(audio.rawPayload.equals(mp3())).toBe(true);
    const foreign = await ctx.request('GET', `/v2/call/recording?id=${callId}`, {
      token: siblingAdmin.token,
    });
    expect(foreign.status).toBe(404);
  });

  it('takes a wav into a group given by id, with the length of the audio as duration', async () => {
    const { body } = await uploadCall(
      ctx,
      h.companyAdmin.token,
      { tracking_number: '8015559999', caller_id: '4805550100', group_id: String(h.location) },
      [{ field: 'file', name: 'call.wav', data: wav(3) }],
    );
    // no duration given: a wav's own length is used
    expect(body.data).toMatchObject({
      group_id: h.location,
      call_flow_id: null,
      disposition: 'ANSWERED',
      duration: 3,
    });
  });

  const recordingOf = async (callId: number) =>
    (
      await ctx.app.inject({
        method: 'GET',
        url: `/v2/call/recording?id=${callId}`,
        headers: { authorization: `Bearer ${h.companyAdmin.token}` },
      })
    ).rawPayload;
  const upload = (fields: Record<string, string>, name: string, data: Buffer) =>
    uploadCall(ctx, h.companyAdmin.token, { tracking_number: NUMBER, caller_id: '4805550100', ...fields }, [
      { field: 'file', name, data },
    ]);

  it("takes a real mp3's own length as duration when none is given", async () => {
    const { status, body } = await upload({}, 'call.mp3', toneMp3({ seconds: 3 }));
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.data.duration).toBe(3);
    const long = await upload({}, 'call.mp3', toneMp3({ seconds: 7, channels: 1, sampleRate: 16000 }));
    expect(long.body.data.duration).toBe(7);
    // a given duration wins
    expect((await upload({ duration: '12' }, 'call.mp3', toneMp3())).body.data.duration).toBe(12);
  });

  it('swaps the channels of a stereo wav with swap_channels, sample for sample', async () => {
    const original = toneWav(1);
    const [left, right] = wavChannelLevels(original) as [number, number];
    expect(left).toBeGreaterThan(0.1);
    expect(right).toBe(0);
    const kept = await upload({ swap_channels: 'false' }, 'call.wav', original);
    expect((await recordingOf(kept.body.data.call_id)).equals(original)).toBe(true);

    const swapped = await upload({ swap_channels: 'true' }, 'call.wav', original);
    expect(swapped.status, JSON.stringify(swapped.body)).toBe(200);
    expect(swapped.body.data.duration).toBe(1);
    const stored = await recordingOf(swapped.body.data.call_id);
    expect(stored.subarray(0, 44).equals(original.subarray(0, 44))).toBe(true);
    for (const i of [0, 1, 500, 7999]) {
      expect(stored.readInt16LE(44 + i * 4)).toBe(0);
      expect(stored.readInt16LE(44 + i * 4 + 2)).toBe(original.readInt16LE(44 + i * 4));
    }
    expect(wavChannelLevels(stored)).toEqual([0, left]);
  });

  it('swaps the channels of a stereo mp3 with swap_channels', async () => {
    const original = toneMp3({ seconds: 3 });
    const [left, right] = (await mp3ChannelLevels(original)) as [number, number];
    expect(left).toBeGreaterThan(0.1);
    expect(right).toBeLessThan(0.01);

    const { status, body } = await upload({ swap_channels: 'true' }, 'call.mp3', original);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.data.duration).toBe(3);
    const stored = await recordingOf(body.data.call_id);
    const [storedLeft, storedRight] = (await mp3ChannelLevels(stored)) as [number, number];
    expect(storedLeft).toBeLessThan(0.01);
    expect(storedRight).toBeGreaterThan(left * 0.8);
  });

  it('keeps a mono recording as it is with swap_channels, and refuses a wav it cannot swap', async () => {
    const mono = toneMp3({ channels: 1 });
    const kept = await upload({ swap_channels: 'true' }, 'call.mp3', mono);
    expect((await recordingOf(kept.body.data.call_id)).equals(mono)).toBe(true);
    const monoWav = wav(1);
    const keptWav = await upload({ swap_channels: '1' }, 'call.wav', monoWav);
    expect((await recordingOf(keptWav.body.data.call_id)).equals(monoWav)).toBe(true);

    const before = (await ctx.db.query(`select 1 from call where call_source = 'upload'`)).rowCount;
    // IMA ADPCM: samples are not one fixed-size value per channel
    const adpcm = await upload({ swap_channels: 'true' }, 'call.wav', toneWav(1, 8000, 0x11));
    expect(adpcm.status).toBe(400);
    expect(adpcm.body).toMatchObject({
      result: 'error',
      data: 'swap_channels needs a stereo PCM wav or an mp3',
    });
    expect((await ctx.db.query(`select 1 from call where call_source = 'upload'`)).rowCount).toBe(before);
  });

  it('refuses bad uploads with the reason in data and stores nothing', async () => {
    const before = (await ctx.db.query(`select 1 from call where call_source = 'upload'`)).rowCount;
    const good = { tracking_number: NUMBER, caller_id: '4805550100' };
    const cases: [Record<string, string>, { field: string; name: string; data: Buffer }[], string][] = [
      [
        good,
        [{ field: 'file', name: 'call.txt', data: Buffer.from('hello') }],
        'Incorrect File Format. It Should Be mp3/wav',
      ],
      [
        good,
        [{ field: 'file', name: 'call.mp3', data: wav() }],
        'Incorrect File Format. It Should Be mp3/wav',
      ],
      [good, [], 'Please upload one mp3/wav file in the field "file"'],
      [
        { caller_id: '4805550100' },
        [{ field: 'file', name: 'a.mp3', data: mp3() }],
        'tracking_number is required',
      ],
      [
        { ...good, caller_id: '123' },
        [{ field: 'file', name: 'a.mp3', data: mp3() }],
        'caller_id must be a 10-digit phone number',
      ],
      [
        { ...good, group_id: String(sibling) },
        [{ field: 'file', name: 'a.mp3', data: mp3() }],
        `You are not authorized to upload calls to group ${sibling}`,
      ],
      [
        { ...good, disposition: 'MAYBE' },
        [{ field: 'file', name: 'a.mp3', data: mp3() }],
        expect.stringContaining('Invalid disposition MAYBE') as unknown as string,
      ],
      [
        { ...good, call_date: 'yesterday' },
        [{ field: 'file', name: 'a.mp3', data: mp3() }],
        'Invalid call_date yesterday',
      ],
      [{ ...good, colour: 'blue' }, [{ field: 'file', name: 'a.mp3', data: mp3() }], 'Unknown field colour'],
      [
        { ...good, channel_id: '999' },
        [{ field: 'file', name: 'a.mp3', data: mp3() }],
        'Invalid channel_id 999',
      ],
      [
        { ...good, group_ext_id: 'nope' },
        [{ field: 'file', name: 'a.mp3', data: mp3() }],
        'No group with group_ext_id nope',
      ],
      [
        { ...good, timezone: 'Mars' },
        [{ field: 'file', name: 'a.mp3', data: mp3() }],
        'Invalid timezone: Mars',
      ],
    ];
    for (const [fields, files, message] of cases) {
      const { status, body } = await uploadCall(ctx, h.companyAdmin.token, fields, files);
      expect(status, message).toBe(400);
      expect(body).toEqual({ result: 'error', err: message, data: message });
    }
    expect((await ctx.db.query(`select 1 from call where call_source = 'upload'`)).rowCount).toBe(before);
    expect(
      (
        await ctx.db.query(
          `select 1 from job where kind = 'call.completed' and payload->>'callId' in (select call_id::text from call where call_source = 'upload')`,
        )
      ).rowCount,
    ).toBe(before);
  });

  it('asks for multipart when given JSON', async () => {
    const { status, body } = await post('/v2/call/upload', { tracking_number: NUMBER });
    expect(status).toBe(400);
    expect(body.data).toBe('The request must be multipart/form-data with the audio in the field "file"');
  });
});

describe('Group call views', () => {
  it('List Group Call Logs lists the calls of a group and below, within the caller scope', async () => {
    const [locationCall] = await insertCalls(ctx, [
      { group_id: h.location, started_at: '2026-02-06T10:00:00Z' },
    ]);
    const ofCompany = await get(`/v2/group/calllog?id=${h.company}&limit=1000`);
    expect(ofCompany.body.data.map((c: { call_id: number }) => c.call_id)).toContain(locationCall);
    const ofLocation = await get(`/v2/group/calllog?id=${h.location}&limit=1000`);
    const locationIds = ofLocation.body.data.map((c: { call_id: number }) => c.call_id);
    expect(locationIds).toContain(locationCall);
    expect(locationIds).not.toContain(answeredCallId);
    const foreign = await get(`/v2/group/calllog?id=${h.company}`, siblingAdmin);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ result: 'error', err: 'No record found', data: null });
    const above = await get(`/v2/group/calllog?id=${h.company}`, h.locationAdmin);
    expect(above.status).toBe(404);
  });

  it('List Active Call Flows shows live flows with their calls in progress', async () => {
    const { body } = await get(`/v2/group/activecallflow?id=${h.company}`);
    const flow = body.data.find((f: { call_flow_id: number }) => f.call_flow_id === flowId);
    expect(flow).toMatchObject({
      call_flow_status: 'active',
      tracking_number: NUMBER,
      group_id: h.company,
      calls_in_progress: 0,
      last_call_started: expect.any(String),
    });
    await ctx.db.query('update call set ended_at = null where call_id = $1', [answeredCallId]);
    const during = await get(`/v2/group/activecallflow?id=${h.company}&filter=call_flow_id%3D${flowId}`);
    expect(during.body.data[0].calls_in_progress).toBe(1);
    await ctx.db.query("update call set ended_at = started_at + interval '42 seconds' where call_id = $1", [
      answeredCallId,
    ]);
    expect((await get(`/v2/group/activecallflow?id=${h.company}`, siblingAdmin)).status).toBe(404);
  });
});
