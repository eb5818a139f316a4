import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { createIvrFlow, insertCalls } from '../helpers/calls.js';

/**
 * Get Call Report and Download Call Report (our design for V2's List Reports): a seeded month of
 * calls in New York across the spring DST change, checked against groupActivity, against figures
 * the test works out itself, and across JSON, CSV, XLSX and PDF.
 */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignA: number;
let campaignB: number;

const NY = 'America/New_York';
const MARCH = { start_date: '2026-03-01', end_date: '2026-03-31', timezone: NY };

interface Seeded {
  started: DateTime;
  group: number;
  campaign: number;
  disposition: string;
  duration: number;
  answerAfter: number;
  repeat: boolean;
  ringTo: string | null;
  utm: [string, string] | null;
}
const seeded: Seeded[] = [];
let callIds: number[] = [];

/** A small deterministic generator (the same month every run). */
function lcg(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

beforeAll(async () => {
  ctx = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0' });
  h = await ctx.factory.hierarchy();
  campaignA = await ctx.factory.campaign(h.companyAdmin, h.company);
  campaignB = await ctx.factory.campaign(h.companyAdmin, h.location);
  const random = lcg(7);
  const dispositions = ['ANSWERED', 'ANSWERED', 'ANSWERED', 'NO ANSWER', 'VOICEMAIL', 'BUSY'];
  // the evening before the range in New York, and its last evening (both UTC dates in April/March)
  const edges = [
    DateTime.fromISO('2026-02-28T23:30', { zone: NY }),
    DateTime.fromISO('2026-03-31T23:30', { zone: NY }),
    DateTime.fromISO('2026-04-01T00:10', { zone: NY }),
    // the hour after the spring change (02:00 -> 03:00 on March 8)
    DateTime.fromISO('2026-03-08T03:15', { zone: NY }),
  ];
  const times = [...edges];
  for (let i = 0; i < 90; i++)
    times.push(
      DateTime.fromObject(
        { year: 2026, month: 3, day: 1 + random(31), hour: random(24), minute: random(60) },
        { zone: NY },
      ),
    );
  for (const [i, started] of times.entries()) {
    const disposition = dispositions[random(dispositions.length)] as string;
    seeded.push({
      started,
      group: i % 3 === 0 ? h.location : h.company,
      campaign: i % 3 === 0 ? campaignB : campaignA,
      disposition,
      duration: 5 + random(400),
      answerAfter: 3 + random(30),
      repeat: random(4) === 0,
      ringTo: disposition === 'ANSWERED' ? (random(2) === 0 ? '8015550100' : '8015550101') : null,
      utm: random(3) === 0 ? ['google', 'cpc'] : random(2) === 0 ? ['newsletter', 'email'] : null,
    });
  }
  const ids = await insertCalls(
    ctx,
    seeded.map((call) => ({
      group_id: call.group,
      started_at: call.started.toUTC().toISO() as string,
      duration: call.duration,
      disposition: call.disposition,
      campaign_id: call.campaign,
      channel_id: 1,
      is_repeat: call.repeat,
      caller: `48055500${String(seeded.indexOf(call) % 40).padStart(2, '0')}`,
      call_value: call.disposition === 'ANSWERED' ? 10 : null,
    })),
  );
  callIds = ids;
  for (const [i, call] of seeded.entries()) {
    const id = ids[i];
    if (call.disposition === 'ANSWERED')
      await ctx.db.query(
        `update call set answered_at = started_at + make_interval(secs => $2), answered_by = $3,
                ended_at = started_at + make_interval(secs => $2 + $4)
          where call_id = $1`,
        [id, call.answerAfter, call.ringTo, call.duration],
      );
    if (call.utm)
      await ctx.db.query(
        `insert into call_attribution (call_id, confidence, utm_source, utm_medium, attributed_at)
         values ($1, 'exact', $2, $3, now())`,
        [id, call.utm[0], call.utm[1]],
      );
  }
});

afterAll(async () => {
  await ctx?.close();
});

const query = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(
    Object.entries(params).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])),
  ).toString();

const report = (user: TestUser, params: Record<string, string | number | undefined>) =>
  ctx.request('GET', `/v2/report/call?${query(params)}`, { token: user.token });

async function download(user: TestUser, params: Record<string, string | number | undefined>) {
  const response = await ctx.app.inject({
    method: 'GET',
    url: `/v2/report/call/download?${query(params)}`,
    headers: { authorization: `Bearer ${user.token}` },
  });
  return response;
}

const inMarch = () => seeded.filter((call) => call.started.setZone(NY).month === 3);
const sum = (rows: Record<string, number>[], field: string) => rows.reduce((t, r) => t + (r[field] ?? 0), 0);

describe('GET /v2/report/call', () => {
  it('agrees with groupActivity (and its per-day detail) for the same range and zone', async () => {
    const { status, body } = await report(h.companyAdmin, { ...MARCH, interval: 'day' });
    expect(status).toBe(200);
    const totals = body.data.totals;
    const filter = 'call_started>=2026-03-01,call_started<=2026-03-31';
    const activity = await ctx.request('GET', `/v2/call/groupActivity?${query({ filter, timezone: NY })}`, {
      token: h.companyAdmin.token,
    });
    expect(activity.status).toBe(200);
    const rows = activity.body.data as Record<string, number>[];
    expect(rows.map((r) => r.group_id).sort()).toEqual([h.company, h.location].sort());
    for (const field of [
      'calls',
      'answered',
      'repeat_calls',
      'total_duration',
      'billable_minutes',
      'call_value',
    ])
      expect([field, totals[field]]).toEqual([field, sum(rows, field)]);

    const detail = await ctx.request(
      'GET',
      `/v2/call/groupActivity/detail?${query({ filter, timezone: NY, limit: 1000 })}`,
      { token: h.companyAdmin.token },
    );
    const perDay = new Map<string, number>();
    for (const row of detail.body.data as { date: string; calls: number }[])
      perDay.set(row.date, (perDay.get(row.date) ?? 0) + row.calls);
    expect(
      Object.fromEntries(
        body.data.series.map((b: { bucket: string; calls: number }) => [b.bucket.slice(0, 10), b.calls]),
      ),
    ).toEqual(Object.fromEntries(perDay));
  });

  it('counts whole days in the zone across the DST change, and works out averages, rates and the heatmap', async () => {
    const { body } = await report(h.companyAdmin, { ...MARCH, interval: 'week' });
    const calls = inMarch();
    const answered = calls.filter((c) => c.disposition === 'ANSWERED');
    const t = body.data.totals;
    expect(t.calls).toBe(calls.length);
    expect(t.answered).toBe(answered.length);
    expect(t.voicemails).toBe(calls.filter((c) => c.disposition === 'VOICEMAIL').length);
    expect(t.missed).toBe(calls.filter((c) => ['NO ANSWER', 'BUSY'].includes(c.disposition)).length);
    expect(t.repeat_calls).toBe(calls.filter((c) => c.repeat).length);
    expect(t.first_time).toBe(calls.filter((c) => !c.repeat).length);
    expect(t.answered_rate).toBeCloseTo(answered.length / calls.length, 4);
    const answerTotal = answered.reduce((s, c) => s + c.answerAfter, 0);
    expect(t.answer_seconds).toBe(answerTotal);
    expect(t.average_answer_seconds).toBeCloseTo(answerTotal / answered.length, 1);
    expect(t.talk_seconds).toBe(answered.reduce((s, c) => s + c.duration, 0));

    // weeks start on Monday in New York: Feb 23 holds March 1 (a Sunday)
    const weeks = new Map<string, number>();
    for (const c of calls) {
      const week = c.started.setZone(NY).startOf('week').toFormat("yyyy-MM-dd'T'HH:mm");
      weeks.set(week, (weeks.get(week) ?? 0) + 1);
    }
    expect(
      Object.fromEntries(body.data.series.map((b: { bucket: string; calls: number }) => [b.bucket, b.calls])),
    ).toEqual(Object.fromEntries([...weeks].sort()));

    const cells = new Map<string, number>();
    for (const c of calls) {
      const local = c.started.setZone(NY);
      cells.set(`${local.weekday}-${local.hour}`, (cells.get(`${local.weekday}-${local.hour}`) ?? 0) + 1);
    }
    expect(
      Object.fromEntries(
        body.data.heatmap.map((c: { weekday: number; hour: number; calls: number }) => [
          `${c.weekday}-${c.hour}`,
          c.calls,
        ]),
      ),
    ).toEqual(Object.fromEntries(cells));
    // the hour after the DST change is 03:00 on Sunday March 8
    expect(cells.get('7-3')).toBeGreaterThanOrEqual(1);

    const month = await report(h.companyAdmin, { ...MARCH, interval: 'month', dimensions: 'campaign' });
    expect(month.body.data.series).toMatchObject([{ bucket: '2026-03-01T00:00', calls: calls.length }]);
  });

  it('breaks down by group, campaign, ring-to number and UTM source / medium, each summing to the totals', async () => {
    const { body } = await report(h.companyAdmin, {
      ...MARCH,
      dimensions:
        'group,campaign,ring_to,utm_source_medium,channel,tracking_number,call_flow,key_path,landing_page,referrer,utm_source,utm_medium',
      limit: 100,
    });
    const calls = inMarch();
    const byName = Object.fromEntries(
      body.data.breakdowns.map((b: { dimension: string; rows: Record<string, unknown>[] }) => [
        b.dimension,
        b.rows,
      ]),
    );
    for (const dimension of ['group', 'campaign', 'ring_to', 'utm_source_medium', 'channel', 'key_path'])
      expect([dimension, sum(byName[dimension], 'calls')]).toEqual([dimension, calls.length]);
    expect(byName.group.find((r: { key: string }) => r.key === String(h.location)).calls).toBe(
      calls.filter((c) => c.group === h.location).length,
    );
    expect(byName.campaign.find((r: { key: string }) => r.key === String(campaignB)).calls).toBe(
      calls.filter((c) => c.campaign === campaignB).length,
    );
    expect(byName.ring_to.find((r: { key: string }) => r.key === '8015550100').answered).toBe(
      calls.filter((c) => c.ringTo === '8015550100').length,
    );
    expect(byName.utm_source_medium.find((r: { key: string }) => r.key === 'google / cpc').calls).toBe(
      calls.filter((c) => c.utm?.[0] === 'google').length,
    );
  });

  it('reads a group of the scope with group_id and a filter on top of the range', async () => {
    const { body } = await report(h.companyAdmin, { ...MARCH, group_id: h.location, dimensions: 'group' });
    expect(body.data.group_id).toBe(h.location);
    expect(body.data.totals.calls).toBe(inMarch().filter((c) => c.group === h.location).length);
    const voicemail = await report(h.companyAdmin, {
      ...MARCH,
      filter: 'disposition=VOICEMAIL',
      dimensions: 'group',
    });
    expect(voicemail.body.data.totals.calls).toBe(
      inMarch().filter((c) => c.disposition === 'VOICEMAIL').length,
    );
  });

  it.each([
    [{ ...MARCH, group_id: 0 }, 400],
    [{ ...MARCH, start_date: '2026-3-1' }, 400],
    [{ ...MARCH, start_date: '2026-02-30' }, 400],
    [{ ...MARCH, end_date: '2026-02-01' }, 400],
    [{ ...MARCH, start_date: '2020-01-01' }, 400],
    [{ ...MARCH, start_date: '2025-01-01', interval: 'hour' }, 400],
    [{ ...MARCH, interval: 'year' }, 400],
    [{ ...MARCH, dimensions: 'campaign,nonsense' }, 400],
    [{ ...MARCH, timezone: 'Mars/Olympus' }, 400],
    [{ ...MARCH, filter: 'nonsense=1' }, 400],
    [{ timezone: NY }, 400],
  ])('answers bad input %j with a V2 400', async (params, status) => {
    const response = await report(h.companyAdmin, params as Record<string, string>);
    expect(response.status).toBe(status);
    expect(response.body.result ?? response.body.message).toBeDefined();
  });

  it('names the problem in V2’s envelope', async () => {
    expect((await report(h.companyAdmin, { ...MARCH, end_date: '2026-02-01' })).body).toEqual({
      result: 'error',
      err: 'end_date must not be before start_date',
      data: null,
    });
    const outside = await report(h.locationAdmin, { ...MARCH, group_id: h.company });
    expect(outside.body).toEqual({
      result: 'error',
      err: `group_id ${h.company} is not a group you can access`,
      data: null,
    });
    expect((await report(h.companyAdmin, { ...MARCH, dimensions: 'bogus' })).body.err).toMatch(
      /^Invalid dimension: bogus\./,
    );
  });

  it('shows a sibling company none of these calls', async () => {
    const sibling = await ctx.factory.user(await ctx.factory.group(h.agency));
    expect((await report(sibling, MARCH)).body.data.totals.calls).toBe(0);
  });
});

describe('GET /v2/report/call/download', () => {
  it('agrees across JSON, CSV, XLSX and PDF', async () => {
    const params = { ...MARCH, dimensions: 'campaign,group,ring_to' };
    const json = (await report(h.companyAdmin, params)).body.data;

    const csv = await download(h.companyAdmin, { ...params, format: 'csv' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="calls-.*-2026-03-01-to-2026-03-31\.csv"$/,
    );
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    const totals = rows.find((r) => r.Section === 'Totals') as Record<string, string>;
    expect(Number(totals.Calls)).toBe(json.totals.calls);
    expect(Number(totals.Answered)).toBe(json.totals.answered);
    expect(Number(totals['Talk (s)'])).toBe(json.totals.talk_seconds);
    expect(Number(totals['Billable minutes'])).toBe(json.totals.billable_minutes);
    expect(Number(totals['Answered rate'])).toBe(json.totals.answered_rate);
    const csvSeries = rows.filter((r) => r.Section === 'Series (day)');
    expect(csvSeries.map((r) => [r.Key, Number(r.Calls)])).toEqual(
      json.series.map((b: { bucket: string; calls: number }) => [b.bucket, b.calls]),
    );
    expect(rows.filter((r) => r.Section === 'By campaign').map((r) => [r.Key, Number(r.Calls)])).toEqual(
      json.breakdowns[0].rows.map((r: { key: string; calls: number }) => [r.key, r.calls]),
    );
    expect(
      sum(
        rows.filter((r) => r.Section === 'Heatmap').map((r) => ({ calls: Number(r.Calls) })),
        'calls',
      ),
    ).toBe(json.totals.calls);

    const xlsx = await download(h.companyAdmin, { ...params, format: 'xlsx' });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets.map((s) => s.name)).toEqual([
      'Summary',
      'Series',
      'By campaign',
      'By group',
      'By ring-to number',
      'Scores',
      'Texts',
      'Heatmap',
    ]);
    const summary = book.getWorksheet('Summary') as ExcelJS.Worksheet;
    const figure = (name: string) => {
      let value: ExcelJS.CellValue;
      summary.eachRow((row) => {
        if (row.getCell(1).value === name) value = row.getCell(2).value;
      });
      return value;
    };
    expect(figure('Group')).toBe(json.group_name);
    expect(figure('Calls')).toBe(json.totals.calls);
    expect(figure('Answered')).toBe(json.totals.answered);
    expect(figure('Answered rate')).toBe(json.totals.answered_rate);
    expect(typeof figure('Calls')).toBe('number');
    expect(figure('From')).toEqual(new Date('2026-03-01T00:00:00Z'));
    const series = book.getWorksheet('Series') as ExcelJS.Worksheet;
    const seriesRows: [unknown, unknown][] = [];
    series.eachRow((row, n) => {
      if (n > 1) seriesRows.push([row.getCell(1).value, row.getCell(2).value]);
    });
    expect(seriesRows).toEqual(
      json.series.map((b: { bucket: string; calls: number }) => [new Date(`${b.bucket}:00Z`), b.calls]),
    );
    const byCampaign = book.getWorksheet('By campaign') as ExcelJS.Worksheet;
    expect(byCampaign.getRow(2).getCell(3).value).toBe(json.breakdowns[0].rows[0].calls);
    let heat = 0;
    (book.getWorksheet('Heatmap') as ExcelJS.Worksheet).eachRow((row, n) => {
      if (n > 1) for (let c = 2; c <= 25; c++) heat += Number(row.getCell(c).value);
    });
    expect(heat).toBe(json.totals.calls);

    const pdf = await download(h.companyAdmin, { ...params, format: 'pdf' });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain(json.group_name);
    expect(text).toContain('Call report, 2026-03-01 to 2026-03-31 (America/New_York)');
    expect(text).toMatch(new RegExp(`Calls ${json.totals.calls} `));
    expect(text).toMatch(new RegExp(`Answered ${json.totals.answered} `));
    expect(text).toContain(`Answered rate ${(json.totals.answered_rate * 100).toFixed(1)}%`);
    for (const row of json.breakdowns[0].rows as { label: string; calls: number; answered: number }[])
      expect(text).toContain(`${row.label} ${row.calls} ${row.answered}`);
  });

  it('refuses an unknown format and bad input before rendering anything', async () => {
    expect((await download(h.companyAdmin, { ...MARCH, format: 'docx' })).statusCode).toBe(400);
    const bad = await download(h.companyAdmin, { ...MARCH, end_date: '2026-02-01', format: 'pdf' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      result: 'error',
      err: 'end_date must not be before start_date',
      data: null,
    });
  });
});

describe('indicator scores, scorecard averages and texts', () => {
  interface Scored {
    call: Seeded;
    source: 'indicator' | 'scorecard';
    id: number;
    score: number;
    flow: number | null;
    agent: string | null;
  }
  const scored: Scored[] = [];
  let flowId: number;
  let scorecardId: number;
  interface Text {
    at: DateTime;
    group: number;
    direction: 'inbound' | 'outbound';
    status: string;
    contact: string;
  }
  const texts: Text[] = [];

  beforeAll(async () => {
    await ctx.factory.inventory(['9495550177']);
    flowId = await createIvrFlow(ctx, h.companyAdmin, campaignA, '9495550177', h.company);
    const { rows } = await ctx.db.query<{ scorecard_id: number }>(
      `insert into scorecard (group_id, scorecard_name, sections, created_at)
       values ($1, 'Front desk', '[]', now()) returning scorecard_id`,
      [h.company],
    );
    scorecardId = (rows[0] as { scorecard_id: number }).scorecard_id;
    for (const [i, call] of seeded.entries()) {
      const id = callIds[i] as number;
      const flow = i % 7 < 4 ? flowId : null;
      // an agent by name on some calls; the ring-to number stands in on the others
      const assigned = i % 5 === 0 ? 'Dana' : null;
      await ctx.db.query('update call set call_flow_id = $2, assigned_to = $3 where call_id = $1', [
        id,
        flow,
        assigned,
      ]);
      const agent = assigned ?? call.ringTo;
      for (const [indicator, every] of [
        [1, 2],
        [3, 3],
      ] as const)
        if (i % every === 0) {
          const score = (i * 37 + indicator * 11) % 101;
          await ctx.db.query(
            `insert into call_indicator_score (call_id, indicator_id, indicator_name, score, scored_at)
             values ($1, $2, $3, $4, now())`,
            [id, indicator, `Indicator ${indicator}`, score],
          );
          scored.push({ call, source: 'indicator', id: indicator, score, flow, agent });
        }
      if (i % 4 === 1) {
        const score = ((i * 13) % 400) / 4;
        await ctx.db.query(
          `insert into call_scorecard (call_id, scorecard_id, score, scored_at) values ($1, $2, $3, now())`,
          [id, scorecardId, score],
        );
        scored.push({ call, source: 'scorecard', id: scorecardId, score, flow, agent });
      }
    }

    const sibling = await ctx.factory.group(h.agency);
    const at = (local: string) => DateTime.fromISO(local, { zone: NY });
    texts.push(
      {
        at: at('2026-02-28T23:30'),
        group: h.company,
        direction: 'inbound',
        status: 'received',
        contact: '4805550001',
      },
      {
        at: at('2026-03-01T00:05'),
        group: h.company,
        direction: 'inbound',
        status: 'received',
        contact: '4805550001',
      },
      {
        at: at('2026-03-01T00:06'),
        group: h.company,
        direction: 'outbound',
        status: 'delivered',
        contact: '4805550001',
      },
      {
        at: at('2026-03-08T03:10'),
        group: h.location,
        direction: 'inbound',
        status: 'received',
        contact: '4805550002',
      },
      {
        at: at('2026-03-08T03:20'),
        group: h.location,
        direction: 'outbound',
        status: 'failed',
        contact: '4805550002',
      },
      {
        at: at('2026-03-17T12:00'),
        group: h.location,
        direction: 'outbound',
        status: 'undelivered',
        contact: '4805550003',
      },
      {
        at: at('2026-03-31T23:30'),
        group: h.company,
        direction: 'outbound',
        status: 'sent',
        contact: '4805550004',
      },
      {
        at: at('2026-04-01T00:10'),
        group: h.company,
        direction: 'inbound',
        status: 'received',
        contact: '4805550004',
      },
      {
        at: at('2026-03-10T10:00'),
        group: sibling,
        direction: 'inbound',
        status: 'received',
        contact: '4805550005',
      },
    );
    for (const text of texts) {
      const conversation = await ctx.db.query<{ conversation_id: number }>(
        `insert into sms_conversation (group_id, tracking_number, contact_number, created_at, last_message_at, last_direction)
         values ($1, '9495550177', $2, $3, $3, $4)
         on conflict (group_id, tracking_number, contact_number) do update set last_message_at = excluded.last_message_at
         returning conversation_id`,
        [text.group, text.contact, text.at.toUTC().toISO(), text.direction],
      );
      await ctx.db.query(
        `insert into sms_message (conversation_id, group_id, direction, purpose, from_number, to_number, body, status, created_at)
         values ($1, $2, $3, 'message', '9495550177', $4, 'Hello', $5, $6)`,
        [
          conversation.rows[0]?.conversation_id,
          text.group,
          text.direction,
          text.contact,
          text.status,
          text.at.toUTC().toISO(),
        ],
      );
    }
  });

  /** calls, average (2 decimals) of the scores that pass `keep`. */
  const figures = (keep: (s: Scored) => boolean) => {
    const rows = scored.filter((s) => s.call.started.setZone(NY).month === 3 && keep(s));
    const average = rows.reduce((t, s) => t + s.score, 0) / rows.length;
    return { calls: rows.length, average_score: Math.round(average * 100) / 100 };
  };

  interface ScoreRow {
    source: string;
    source_id: number;
    source_name: string;
    breakdown: string;
    key: string | null;
    label: string | null;
    calls: number;
    average_score: number;
  }

  it('scores each indicator and scorecard over the report’s calls, in total, per call flow and per agent', async () => {
    const { body } = await report(h.companyAdmin, { ...MARCH, dimensions: 'campaign' });
    const scores = body.data.scores as ScoreRow[];
    const find = (source: string, id: number, breakdown: string, key: string | null) =>
      scores.find(
        (r) => r.source === source && r.source_id === id && r.breakdown === breakdown && r.key === key,
      );
    for (const [source, id] of [
      ['indicator', 1],
      ['indicator', 3],
      ['scorecard', scorecardId],
    ] as const) {
      const mine = (s: Scored) => s.source === source && s.id === id;
      expect(find(source, id, 'total', null)).toMatchObject(figures(mine));
      expect(find(source, id, 'call_flow', String(flowId))).toMatchObject({
        ...figures((s) => mine(s) && s.flow === flowId),
        label: `Flow 9495550177`,
      });
      for (const [breakdown, key, keep] of [
        ['call_flow', null, (s: Scored) => s.flow === null],
        ['agent', 'Dana', (s: Scored) => s.agent === 'Dana'],
        ['agent', '8015550100', (s: Scored) => s.agent === '8015550100'],
        ['agent', '8015550101', (s: Scored) => s.agent === '8015550101'],
        ['agent', null, (s: Scored) => s.agent === null],
      ] as const) {
        const expected = figures((s) => mine(s) && keep(s));
        const row = find(source, id, breakdown, key);
        if (expected.calls === 0) expect(row).toBeUndefined();
        else expect(row).toMatchObject(expected);
      }
      // per flow and per agent, the calls add up to the total
      for (const breakdown of ['call_flow', 'agent'])
        expect(
          scores
            .filter((r) => r.source === source && r.source_id === id && r.breakdown === breakdown)
            .reduce((t, r) => t + r.calls, 0),
        ).toBe(figures(mine).calls);
    }
    expect(find('scorecard', scorecardId, 'total', null)?.source_name).toBe('Front desk');

    // the report's filter narrows the scored calls as it narrows the calls
    const voicemail = await report(h.companyAdmin, { ...MARCH, filter: 'disposition=VOICEMAIL' });
    const vmTotal = (voicemail.body.data.scores as ScoreRow[]).find(
      (r) => r.source === 'indicator' && r.source_id === 1 && r.breakdown === 'total',
    );
    expect(vmTotal?.calls ?? 0).toBe(
      figures((s) => s.source === 'indicator' && s.id === 1 && s.call.disposition === 'VOICEMAIL').calls,
    );
  });

  it('counts the subtree’s texts in whole days of the zone, in total and per bucket', async () => {
    const { body } = await report(h.companyAdmin, { ...MARCH, dimensions: 'campaign', interval: 'day' });
    const mine = texts.filter((t) => t.group !== texts[8]?.group && t.at.setZone(NY).month === 3);
    expect(body.data.texts.totals).toEqual({
      texts: mine.length,
      inbound: mine.filter((t) => t.direction === 'inbound').length,
      outbound: mine.filter((t) => t.direction === 'outbound').length,
      delivered: mine.filter((t) => t.status === 'delivered').length,
      failed: mine.filter((t) => ['failed', 'undelivered'].includes(t.status)).length,
      conversations: new Set(mine.map((t) => `${t.group}-${t.contact}`)).size,
    });
    const days = new Map<string, number>();
    for (const t of mine) {
      const day = `${t.at.setZone(NY).toISODate()}T00:00`;
      days.set(day, (days.get(day) ?? 0) + 1);
    }
    expect(
      Object.fromEntries(
        body.data.texts.series.map((b: { bucket: string; texts: number }) => [b.bucket, b.texts]),
      ),
    ).toEqual(Object.fromEntries([...days].sort()));
    // a location sees its own texts only
    const location = await report(h.companyAdmin, { ...MARCH, group_id: h.location, dimensions: 'group' });
    expect(location.body.data.texts.totals.texts).toBe(mine.filter((t) => t.group === h.location).length);
  });

  it('agrees across JSON, CSV, XLSX and PDF', async () => {
    const params = { ...MARCH, dimensions: 'campaign' };
    const json = (await report(h.companyAdmin, params)).body.data;
    const scores = json.scores as ScoreRow[];
    expect(scores.length).toBeGreaterThan(6);

    const csv = parse((await download(h.companyAdmin, { ...params, format: 'csv' })).body, {
      columns: true,
    }) as Record<string, string>[];
    const csvScores = csv.filter((r) => /^(Indicator|Scorecard): /.test(r.Section as string));
    expect(
      csvScores.map((r) => [r.Section, r.Key, r.Label, Number(r.Calls), Number(r['Average score'])]),
    ).toEqual(
      scores.map((r) => [
        `${r.source === 'indicator' ? 'Indicator' : 'Scorecard'}: ${r.source_name}`,
        r.breakdown === 'total' ? 'total' : `${r.breakdown} ${r.key ?? ''}`,
        r.label ?? '',
        r.calls,
        r.average_score,
      ]),
    );
    const csvTexts = csv.find((r) => r.Section === 'Texts') as Record<string, string>;
    expect(Number(csvTexts.Texts)).toBe(json.texts.totals.texts);
    expect(Number(csvTexts['Failed texts'])).toBe(json.texts.totals.failed);
    expect(Number(csvTexts.Conversations)).toBe(json.texts.totals.conversations);
    expect(csv.filter((r) => r.Section === 'Texts (day)').map((r) => [r.Key, Number(r.Texts)])).toEqual(
      json.texts.series.map((b: { bucket: string; texts: number }) => [b.bucket, b.texts]),
    );

    const xlsx = await download(h.companyAdmin, { ...params, format: 'xlsx' });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheetRows = (name: string) => {
      const rows: ExcelJS.CellValue[][] = [];
      (book.getWorksheet(name) as ExcelJS.Worksheet).eachRow((row, n) => {
        if (n > 1) rows.push((row.values as ExcelJS.CellValue[]).slice(1));
      });
      return rows;
    };
    expect(sheetRows('Scores').map((r) => [r[1], r[3], r[4] ?? null, r[6], r[7]])).toEqual(
      scores.map((r) => [
        r.source_id,
        { total: 'All calls', call_flow: 'Call flow', agent: 'Agent' }[r.breakdown],
        r.key,
        r.calls,
        r.average_score,
      ]),
    );
    const textRows = sheetRows('Texts');
    expect(textRows[0]).toEqual([
      'Total',
      json.texts.totals.texts,
      json.texts.totals.inbound,
      json.texts.totals.outbound,
      json.texts.totals.delivered,
      json.texts.totals.failed,
      json.texts.totals.conversations,
    ]);
    expect(textRows.slice(1).map((r) => [r[0], r[1]])).toEqual(
      json.texts.series.map((b: { bucket: string; texts: number }) => [new Date(`${b.bucket}:00Z`), b.texts]),
    );

    const text = await pdfText((await download(h.companyAdmin, { ...params, format: 'pdf' })).rawPayload);
    expect(text).toContain(`Texts ${json.texts.totals.texts} `);
    expect(text).toContain(`Failed texts ${json.texts.totals.failed} `);
    for (const row of scores) {
      const label = row.breakdown === 'total' ? 'All scored calls' : (row.label ?? row.key ?? '(none)');
      const by = { total: 'All calls', call_flow: 'Call flow', agent: 'Agent' }[row.breakdown];
      expect(text).toContain(`${label} ${by} ${row.calls} ${row.average_score.toFixed(2)}`);
    }
  });
});

/** The text of a PDF's pages, items joined by spaces (pdf.js, Mozilla's parser). */
async function pdfText(data: Buffer): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const standardFontDataUrl = fileURLToPath(
    new URL('../../node_modules/pdfjs-dist/standard_fonts/', import.meta.url),
  );
  const document = await pdfjs.getDocument({ data: new Uint8Array(data), standardFontDataUrl }).promise;
  const parts: string[] = [];
  for (let page = 1; page <= document.numPages; page++) {
    const content = await (await document.getPage(page)).getTextContent();
    for (const item of content.items)
      if ('str' in item && item.str.trim() !== '') parts.push(item.str.trim());
  }
  return parts.join(' ');
}
