import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';

/** List Call Metrics by Group (`/v2/call/groupActivity`) and its per-day details. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let siblingAdmin: TestUser;
let spring: number;
let autumn: number;

beforeAll(async () => {
  ctx = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0' });
  h = await ctx.factory.hierarchy();
  siblingAdmin = await ctx.factory.user(await ctx.factory.group(h.agency));
  spring = await ctx.factory.campaign(h.companyAdmin);
  autumn = await ctx.factory.campaign(h.companyAdmin);
  const ids = await insertCalls(ctx, [
    // 03:00Z on Oct 1st is Sep 30th in New York
    {
      group_id: h.company,
      started_at: '2019-10-01T03:00:00Z',
      duration: 20,
      caller: '4805550001',
      campaign_id: spring,
      channel_id: 1,
      call_value: 10,
    },
    {
      group_id: h.company,
      started_at: '2019-10-01T15:00:00Z',
      duration: 61,
      caller: '4805550001',
      campaign_id: spring,
      channel_id: 1,
      call_value: 10,
      is_repeat: true,
    },
    {
      group_id: h.company,
      started_at: '2019-10-02T15:00:00Z',
      duration: 120,
      caller: '4805550002',
      campaign_id: autumn,
      channel_id: 2,
      disposition: 'NO ANSWER',
      tracking: '8015550001',
    },
    {
      group_id: h.location,
      started_at: '2019-10-31T23:30:00Z',
      duration: 45,
      caller: '4805550003',
      campaign_id: autumn,
    },
    // Nov 1st 03:00Z is still Oct 31st in New York
    {
      group_id: h.location,
      started_at: '2019-11-01T03:00:00Z',
      duration: 5,
      caller: '4805550004',
      campaign_id: autumn,
    },
    { group_id: h.location, started_at: '2019-10-15T12:00:00Z', duration: 300, caller: '4805550005' },
  ]);
  await ctx.db.query('update call set archived_at = now() where call_id = $1', [ids[5]]);
  // texts to the company's tracking numbers: two from one person on Oct 1st, one on Oct 2nd to
  // 8015550001 (autumn), one in November; a reply sent is not a text received
  const texts: [string, string, string, number | null][] = [
    ['4805550001', '8015550000', '2019-10-01T16:00:00Z', spring],
    ['4805550001', '8015550000', '2019-10-01T17:00:00Z', spring],
    ['4805550009', '8015550001', '2019-10-02T16:00:00Z', autumn],
    ['4805550009', '8015550001', '2019-11-02T16:00:00Z', autumn],
  ];
  for (const [from, to, at, campaign] of texts) {
    const { rows } = await ctx.db.query<{ conversation_id: number }>(
      `insert into sms_conversation (group_id, tracking_number, contact_number, created_at, last_message_at, last_direction)
       values ($1, $2, $3, $4, $4, 'inbound')
       on conflict (group_id, tracking_number, contact_number) do update set message_count = 0
       returning conversation_id`,
      [h.company, to, from, at],
    );
    const conversation = rows[0]?.conversation_id;
    await ctx.db.query(
      `insert into sms_message (conversation_id, group_id, direction, purpose, from_number, to_number, body, status,
                                campaign_id, created_at)
       values ($1, $2, 'inbound', 'message', $3, $4, 'hi', 'received', $5, $6),
              ($1, $2, 'outbound', 'message', $4, $3, 'hello', 'delivered', $5, $6)`,
      [conversation, h.company, from, to, campaign, at],
    );
  }
});
afterAll(() => ctx.close());

const OCTOBER = encodeURIComponent('call_started>=2019-10-01,call_started<=2019-10-31');
const activity = (query: string, user: TestUser = h.companyAdmin) =>
  ctx.request('GET', `/v2/call/groupActivity?${query}`, { token: user.token });
const details = (query: string, user: TestUser = h.companyAdmin) =>
  ctx.request('GET', `/v2/call/groupActivity/detail?${query}`, { token: user.token });

describe('GET /v2/call/groupActivity', () => {
  it('sums the calls of each group in the date range (UTC by default)', async () => {
    const { status, body } = await activity(`filter=${OCTOBER}`);
    expect(status).toBe(200);
    expect(body.result).toBe('success');
    expect(body.data).toEqual([
      {
        group_id: h.company,
        group_name: expect.any(String),
        calls: 3,
        unique_calls: 2,
        answered: 2,
        repeat_calls: 1,
        texts: 3,
        unique_texters: 2,
        billable_minutes: 1 + 2 + 2,
        total_duration: 201,
        average_duration: 67,
        call_value: 20,
        leads: null,
        conversions: null,
        first_call: '2019-10-01T03:00:00.000Z',
        last_call: '2019-10-02T15:00:00.000Z',
      },
      expect.objectContaining({ group_id: h.location, calls: 1, total_duration: 45, billable_minutes: 1 }),
    ]);
  });

  it('counts the texts each row received, under the filter rules texts share with calls', async () => {
    const byCampaign = await activity(`filter=${OCTOBER}&secondary=campaign`);
    expect(
      byCampaign.body.data.map((r: { campaign_id: number; texts: number }) => [r.campaign_id, r.texts]),
    ).toEqual([
      [spring, 2],
      [autumn, 1],
      [autumn, 0],
    ]);
    // duration is a call's alone: it narrows the calls, not the texts
    const narrowed = await activity(`filter=${OCTOBER}%2Cduration%3E%3D100%2Ctracking_number%3D8015550001`);
    expect(narrowed.body.data).toMatchObject([
      { group_id: h.company, calls: 1, texts: 1, unique_texters: 1 },
    ]);
    const byDay = await details(`filter=${OCTOBER}%2Cgroup_id%3D${h.company}`);
    expect(byDay.body.data.map((r: { date: string; texts: number }) => [r.date, r.texts])).toEqual([
      ['2019-10-01', 2],
      ['2019-10-02', 1],
    ]);
  });

  it('reads the date range in the given time zone', async () => {
    const { body } = await activity(`filter=${OCTOBER}&timezone=America/New_York`);
    expect(body.data.map((r: { group_id: number; calls: number }) => [r.group_id, r.calls])).toEqual([
      [h.company, 2],
      [h.location, 2],
    ]);
  });

  it('combines the range with duration, group and tracking number filters', async () => {
    const filter = encodeURIComponent(
      `call_started>=2019-10-01,call_started<=2019-10-31,duration>=30,group_id=${h.company}`,
    );
    const { body } = await activity(`filter=${filter}`);
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ group_id: h.company, calls: 2, total_duration: 181 });
    const byNumber = await activity(`filter=${OCTOBER}%2Ctracking_number%3D8015550001`);
    expect(byNumber.body.data.map((r: { calls: number }) => r.calls)).toEqual([1]);
  });

  it('breaks each group down by campaign with secondary=campaign', async () => {
    const { body } = await activity(`filter=${OCTOBER}&secondary=campaign`);
    expect(
      body.data.map((r: { group_id: number; campaign_id: number; calls: number; campaign_name: string }) => [
        r.group_id,
        r.campaign_id,
        r.calls,
        typeof r.campaign_name,
      ]),
    ).toEqual([
      [h.company, spring, 2, 'string'],
      [h.company, autumn, 1, 'string'],
      [h.location, autumn, 1, 'string'],
    ]);
  });

  it('breaks down by channel and by tracking number', async () => {
    const channels = await activity(`filter=${OCTOBER}&secondary=channel`);
    expect(channels.body.data[0]).toMatchObject({
      group_id: h.company,
      channel_id: 1,
      channel: 'Search: Paid',
      calls: 2,
    });
    const numbers = await activity(`filter=${OCTOBER}&secondary=tracking_number`);
    expect(numbers.body.data.map((r: { tracking_number: string }) => r.tracking_number)).toEqual([
      '8015550000',
      '8015550001',
      '8015550000',
    ]);
  });

  it('pages the rows and keeps to the caller scope', async () => {
    expect(
      (await activity(`filter=${OCTOBER}&limit=1&offset=1`)).body.data.map(
        (r: { group_id: number }) => r.group_id,
      ),
    ).toEqual([h.location]);
    expect(
      (await activity(`filter=${OCTOBER}`, h.locationAdmin)).body.data.map(
        (r: { group_id: number }) => r.group_id,
      ),
    ).toEqual([h.location]);
    expect((await activity(`filter=${OCTOBER}`, siblingAdmin)).body).toEqual({
      result: 'success',
      err: null,
      data: [],
    });
  });

  it('answers bad parameters with V2 errors', async () => {
    const secondary = await activity('secondary=weather');
    expect(secondary.status).toBe(400);
    expect(secondary.body.errors[0].errors[0]).toMatchObject({
      code: 'ENUM_MISMATCH',
      message: 'No enum match for: weather',
    });
    expect((await activity('timezone=Nowhere/Land')).body).toEqual({
      result: 'error',
      err: 'Invalid timezone: Nowhere/Land',
      data: null,
    });
    expect((await activity('filter=call_started%3E%3D2019-13-45')).body.err).toBe(
      'Invalid value for date field used in filter on rule 1 : call_started>=2019-13-45',
    );
  });
});

describe('GET /v2/call/groupActivity/detail', () => {
  it('gives each group one row per day in the time zone', async () => {
    const utc = await details(`filter=${OCTOBER}`);
    expect(
      utc.body.data.map((r: { group_id: number; date: string; calls: number }) => [
        r.group_id,
        r.date,
        r.calls,
      ]),
    ).toEqual([
      [h.company, '2019-10-01', 2],
      [h.company, '2019-10-02', 1],
      [h.location, '2019-10-31', 1],
    ]);
    const ny = await details(`filter=${OCTOBER}&timezone=America/New_York`);
    expect(
      ny.body.data.map((r: { group_id: number; date: string; calls: number }) => [
        r.group_id,
        r.date,
        r.calls,
      ]),
    ).toEqual([
      [h.company, '2019-10-01', 1],
      [h.company, '2019-10-02', 1],
      [h.location, '2019-10-31', 2],
    ]);
  });

  it('adds the secondary breakdown under each day', async () => {
    const { body } = await details(`filter=${OCTOBER}&secondary=campaign`);
    expect(body.data[0]).toMatchObject({
      group_id: h.company,
      date: '2019-10-01',
      campaign_id: spring,
      calls: 2,
    });
  });
});
