import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.js';
import { anotherAppOn, createTestContext, type TestContext } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

/**
 * Saved reports (List Reports) and scheduled reports (List Scheduled Reports): a daily schedule at
 * 08:00 in New York across the spring DST change, e-mailed to a real local SMTP server; downtime,
 * a second process and a duplicate job send nothing twice; a refused send is retried, then failed.
 * The test clock starts on Saturday 2026-03-07 15:00 UTC (10:00 in New York).
 */
let ctx: TestContext;
let smtp: TestSmtpServer;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let reportId: number;
let scheduleId: number;

const NY = 'America/New_York';

beforeAll(async () => {
  smtp = await startSmtpServer({ rejectRecipients: /@refused\.test$/ });
  // the clock moves on by days: tokens last a month
  ctx = await createTestContext({
    SMTP_URL: smtp.url,
    JOBS_POLL_INTERVAL_MS: '0',
    ACCESS_TOKEN_TTL_SECONDS: String(30 * 24 * 3600),
  });
  h = await ctx.factory.hierarchy();
  // New York days: March 6 (2 calls), 7 (3), 8 (1, just after the change), 9 (4), 10 (0), 11 (1)
  const at = [
    '2026-03-06T15:00:00Z',
    '2026-03-06T20:00:00Z',
    '2026-03-07T14:00:00Z',
    '2026-03-07T18:00:00Z',
    '2026-03-08T04:30:00Z', // 23:30 on the 7th in New York
    '2026-03-08T07:30:00Z', // 03:30 EDT on the 8th
    '2026-03-09T13:00:00Z',
    '2026-03-09T14:00:00Z',
    '2026-03-09T15:00:00Z',
    '2026-03-10T03:59:00Z', // 23:59 on the 9th
    '2026-03-11T16:00:00Z',
  ];
  await insertCalls(
    ctx,
    at.map((started_at, i) => ({
      group_id: i % 2 === 0 ? h.company : h.location,
      started_at,
      disposition: i % 3 === 2 ? 'NO ANSWER' : 'ANSWERED',
    })),
  );
});

afterAll(async () => {
  await ctx?.close();
  await smtp?.close();
});

const drain = () => ctx.app.services.jobs.drain();
const mailsFor = (period: string) =>
  smtp.received.filter((m) => (m.headers.subject ?? '').includes(`(${period} to`));
const runs = async (filter = '') =>
  (
    await ctx.request('GET', `/v2/report/schedule/run?limit=100${filter ? `&filter=${filter}` : ''}`, {
      token: h.companyAdmin.token,
    })
  ).body.data as {
    period_start: string;
    run_status: string;
    attempts: number;
    last_error: string | null;
    summary: unknown;
  }[];

describe('saved reports', () => {
  it('saves a definition, lists it, changes it and refuses a bad one', async () => {
    const created = await ctx.request('POST', '/v2/report', {
      token: h.companyAdmin.token,
      body: { report_name: 'Weekly by campaign', timezone: 'Eastern', dimensions: 'campaign,group' },
    });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({
      report_name: 'Weekly by campaign',
      group_id: h.company,
      timezone: NY,
      interval: 'day',
      dimensions: 'campaign,group',
      filter: null,
      limit: 25,
    });
    reportId = created.body.data.report_id;
    const list = await ctx.request('GET', `/v2/report?filter=report_id=${reportId}`, {
      token: h.companyAdmin.token,
    });
    expect(list.body.data.map((r: { report_id: number }) => r.report_id)).toEqual([reportId]);
    const updated = await ctx.request('PUT', '/v2/report', {
      token: h.companyAdmin.token,
      body: { report_id: reportId, dimensions: 'group' },
    });
    expect(updated.body.data).toMatchObject({
      report_name: 'Weekly by campaign',
      dimensions: 'group',
      timezone: NY,
    });

    const bad = await ctx.request('POST', '/v2/report', {
      token: h.companyAdmin.token,
      body: { report_name: 'x', dimensions: 'campaign,colour' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.err).toMatch(/^Invalid dimension: colour\./);
    const badFilter = await ctx.request('POST', '/v2/report', {
      token: h.companyAdmin.token,
      body: { report_name: 'x', filter: 'colour=red' },
    });
    expect(badFilter.status).toBe(400);
    // a location admin neither sees nor changes the company's report
    expect(
      (await ctx.request('GET', '/v2/report', { token: h.locationAdmin.token })).body.data.map(
        (r: { report_id: number }) => r.report_id,
      ),
    ).not.toContain(reportId);
    const foreign = await ctx.request('PUT', '/v2/report', {
      token: h.locationAdmin.token,
      body: { report_id: reportId, report_name: 'mine' },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ result: 'error', err: 'Report does not exist.', data: null });
  });
});

describe('scheduled reports', () => {
  it('schedules a daily report at 08:00 in the recipients’ zone, the first for yesterday… or today', async () => {
    const created = await ctx.request('POST', '/v2/report/schedule', {
      token: h.companyAdmin.token,
      body: {
        report_id: reportId,
        frequency: 'daily',
        send_time: '08:00',
        timezone: NY,
        recipients: ['owner@client.test', 'boss@client.test'],
        formats: ['csv', 'pdf'],
      },
    });
    expect(created.status).toBe(200);
    scheduleId = created.body.data.schedule_id;
    // at 10:00 on the 7th, yesterday's 08:00 has passed: the 7th goes at 08:00 EDT on the 8th (12:00 UTC)
    expect(created.body.data).toMatchObject({
      frequency: 'daily',
      schedule_status: 'active',
      next_period_start: '2026-03-07',
      next_send_at: '2026-03-08T12:00:00.000Z',
    });
    await drain();
    expect(smtp.received).toHaveLength(0);
  });

  it('sends the day once at its local time, with attachments and the change against the day before', async () => {
    ctx.clock.set(new Date('2026-03-08T11:59:00Z'));
    await drain();
    expect(smtp.received).toHaveLength(0);
    ctx.clock.set(new Date('2026-03-08T12:00:00Z'));
    await drain();
    await drain();
    const mails = mailsFor('2026-03-07');
    expect(mails).toHaveLength(1);
    const mail = mails[0] as (typeof mails)[number];
    expect(mail.to.sort()).toEqual(['boss@client.test', 'owner@client.test']);
    const body = mail.parts.find((p) => p.contentType === 'text/plain' && !p.filename)?.text ?? '';
    // the 7th: 3 calls in New York; the 6th: 2
    expect(body).toContain('Calls: 3 (+1, +50.0% against the previous day: 2)');
    expect(body).toMatch(/Answered: 2 \(66\.7%\)/);
    const csv = mail.parts.find((p) => p.filename?.endsWith('.csv'));
    expect(csv?.filename).toMatch(/-2026-03-07-to-2026-03-07\.csv$/);
    const rows = parse(csv?.text ?? '', { columns: true }) as Record<string, string>[];
    const json = await ctx.request(
      'GET',
      `/v2/report/call?start_date=2026-03-07&end_date=2026-03-07&timezone=${NY}&dimensions=group`,
      { token: h.companyAdmin.token },
    );
    expect(Number(rows.find((r) => r.Section === 'Totals')?.Calls)).toBe(json.body.data.totals.calls);
    expect(mail.parts.find((p) => p.filename?.endsWith('.pdf'))?.contentType).toBe('application/pdf');
    expect(await runs(`schedule_id=${scheduleId}`)).toMatchObject([
      {
        period_start: '2026-03-07',
        run_status: 'sent',
        attempts: 1,
        summary: { calls: 3, previous_calls: 2 },
      },
    ]);
  });

  it('catches up every day missed while down, each once, across processes', async () => {
    ctx.clock.set(new Date('2026-03-11T13:00:00Z'));
    const other = await anotherAppOn(ctx, { SMTP_URL: smtp.url, JOBS_POLL_INTERVAL_MS: '0' });
    try {
      await Promise.all([drain(), other.app.services.jobs.drain(), drain()]);
      await Promise.all([drain(), other.app.services.jobs.drain()]);
    } finally {
      await other.close();
    }
    for (const day of ['2026-03-08', '2026-03-09', '2026-03-10'])
      expect([day, mailsFor(day).length]).toEqual([day, 1]);
    expect(smtp.received).toHaveLength(4);
    expect(mailsFor('2026-03-09')[0]?.parts[0]?.text).toContain(
      'Calls: 4 (+3, +300.0% against the previous day: 1)',
    );
    expect((await runs(`schedule_id=${scheduleId}`)).map((r) => [r.period_start, r.run_status])).toEqual([
      ['2026-03-10', 'sent'],
      ['2026-03-09', 'sent'],
      ['2026-03-08', 'sent'],
      ['2026-03-07', 'sent'],
    ]);
  });

  it('sends a period once even when its job is queued again (the unique run, not the job, decides)', async () => {
    await enqueue(ctx.db, {
      kind: 'report.scheduled',
      payload: { schedule_id: scheduleId, period_start: '2026-03-09' },
      dedupeKey: 'a-second-job-for-the-9th',
    });
    await drain();
    expect(mailsFor('2026-03-09')).toHaveLength(1);
    expect(smtp.received).toHaveLength(4);
  });

  it('retries a refused send with back-off, then marks the run failed with the reason, and goes on', async () => {
    const created = await ctx.request('POST', '/v2/report/schedule', {
      token: h.companyAdmin.token,
      body: {
        report_id: reportId,
        frequency: 'daily',
        send_time: '09:30',
        timezone: NY,
        recipients: ['nobody@refused.test'],
        formats: [],
      },
    });
    const failing = created.body.data.schedule_id;
    expect(created.body.data.next_period_start).toBe('2026-03-10');
    ctx.clock.set(new Date('2026-03-11T13:30:00Z'));
    await drain();
    expect(await runs(`schedule_id=${failing}`)).toMatchObject([{ run_status: 'pending', attempts: 1 }]);
    for (let minutes = 2; minutes <= 20; minutes += 2) {
      ctx.clock.set(new Date(Date.parse('2026-03-11T13:30:00Z') + minutes * 60_000));
      await drain();
    }
    const [run] = await runs(`schedule_id=${failing}`);
    expect(run).toMatchObject({ period_start: '2026-03-10', run_status: 'failed', attempts: 4 });
    expect(run?.last_error).toMatch(/recipients were rejected|mailbox unavailable/);
    expect(smtp.received).toHaveLength(4);
    const list = await ctx.request('GET', `/v2/report/schedule?filter=schedule_id=${failing}`, {
      token: h.companyAdmin.token,
    });
    expect(list.body.data[0]).toMatchObject({ next_period_start: '2026-03-11' });
  });

  it('moves the next send when the send time moves earlier', async () => {
    const created = await ctx.request('POST', '/v2/report/schedule', {
      token: h.companyAdmin.token,
      body: {
        report_id: reportId,
        frequency: 'daily',
        send_time: '10:00',
        timezone: NY,
        recipients: ['early@client.test'],
        formats: [],
      },
    });
    const early = created.body.data.schedule_id;
    // now 09:50 EDT on the 11th: the 10th goes at 10:00 (14:00 UTC)
    expect(created.body.data).toMatchObject({
      next_period_start: '2026-03-10',
      next_send_at: '2026-03-11T14:00:00.000Z',
    });
    const moved = await ctx.request('PUT', '/v2/report/schedule', {
      token: h.companyAdmin.token,
      body: { schedule_id: early, send_time: '09:55' },
    });
    expect(moved.body.data).toMatchObject({
      next_period_start: '2026-03-10',
      next_send_at: '2026-03-11T13:55:00.000Z',
    });
    ctx.clock.set(new Date('2026-03-11T13:55:00Z'));
    await drain();
    const sent = smtp.received.filter((m) => m.to.includes('early@client.test'));
    expect(sent.map((m) => m.headers.subject)).toEqual([
      expect.stringContaining('(2026-03-10 to 2026-03-10)'),
    ]);
  });

  it('pauses, and sends nothing for a deleted schedule', async () => {
    const paused = await ctx.request('PUT', '/v2/report/schedule', {
      token: h.companyAdmin.token,
      body: { schedule_id: scheduleId, schedule_status: 'inactive' },
    });
    expect(paused.body.data).toMatchObject({ schedule_status: 'inactive', next_send_at: null });
    ctx.clock.set(new Date('2026-03-12T12:30:00Z'));
    await drain();
    expect(mailsFor('2026-03-11')).toHaveLength(0);
    const deleted = await ctx.request('DELETE', '/v2/report/schedule', {
      token: h.companyAdmin.token,
      body: { schedule_id: scheduleId },
    });
    expect(deleted.body.data).toEqual({ affectedRows: 1 });
    const again = await ctx.request('DELETE', '/v2/report/schedule', {
      token: h.companyAdmin.token,
      body: { schedule_id: scheduleId },
    });
    expect(again.status).toBe(404);
    expect(again.body.err).toBe('Scheduled report does not exist.');
  });

  it('refuses a bad schedule with V2’s errors', async () => {
    const cases: [Record<string, unknown>, number][] = [
      [
        {
          report_id: reportId,
          frequency: 'hourly',
          send_time: '08:00',
          timezone: NY,
          recipients: ['a@b.test'],
        },
        400,
      ],
      [
        {
          report_id: reportId,
          frequency: 'daily',
          send_time: '24:00',
          timezone: NY,
          recipients: ['a@b.test'],
        },
        400,
      ],
      [
        {
          report_id: reportId,
          frequency: 'daily',
          send_time: '08:00',
          timezone: 'Mars/Base',
          recipients: ['a@b.test'],
        },
        400,
      ],
      [{ report_id: reportId, frequency: 'daily', send_time: '08:00', timezone: NY, recipients: [] }, 400],
      [
        {
          report_id: reportId,
          frequency: 'daily',
          send_time: '08:00',
          timezone: NY,
          recipients: ['not-an-address'],
        },
        400,
      ],
      [
        { report_id: 999999, frequency: 'daily', send_time: '08:00', timezone: NY, recipients: ['a@b.test'] },
        404,
      ],
    ];
    for (const [body, status] of cases) {
      const response = await ctx.request('POST', '/v2/report/schedule', {
        token: h.companyAdmin.token,
        body,
      });
      expect([JSON.stringify(body), response.status]).toEqual([JSON.stringify(body), status]);
    }
    const readOnly = await ctx.factory.user(h.company, 3);
    const refused = await ctx.request('POST', '/v2/report/schedule', {
      token: readOnly.token,
      body: {
        report_id: reportId,
        frequency: 'daily',
        send_time: '08:00',
        timezone: NY,
        recipients: ['a@b.test'],
      },
    });
    expect(refused.status).toBe(403);
  });
});

describe('the lists of a chosen group', () => {
  it('lists the reports and schedules of group_id and the groups below it, and refuses a group out of scope', async () => {
    const report = await ctx.request('POST', '/v2/report', {
      token: h.locationAdmin.token,
      body: { report_name: 'Location weekly', timezone: NY },
    });
    expect(report.status).toBe(200);
    const schedule = await ctx.request('POST', '/v2/report/schedule', {
      token: h.locationAdmin.token,
      body: {
        report_id: report.body.data.report_id,
        frequency: 'weekly',
        send_time: '09:00',
        timezone: NY,
        recipients: ['branch@client.test'],
        schedule_status: 'inactive',
      },
    });
    expect(schedule.status).toBe(200);
    const list = async (path: string, query: string, field: string) => {
      const response = await ctx.request('GET', `${path}?${query}`, { token: h.companyAdmin.token });
      return { status: response.status, ids: (response.body.data ?? []).map((row: never) => row[field]) };
    };
    const location = schedule.body.data.schedule_id;
    expect(await list('/v2/report/schedule', `group_id=${h.location}`, 'schedule_id')).toEqual({
      status: 200,
      ids: [location],
    });
    // the company's own schedules (made by the tests above) and the location's
    const all = await list('/v2/report/schedule', '', 'schedule_id');
    expect(all.ids.length).toBeGreaterThan(1);
    expect(all.ids).toContain(location);
    expect(await list('/v2/report/schedule', `group_id=${h.company}`, 'schedule_id')).toEqual(all);
    expect(await list('/v2/report', `group_id=${h.location}`, 'report_id')).toEqual({
      status: 200,
      ids: [report.body.data.report_id],
    });
    // the agency is above the company admin's group: not a group of its scope
    const above = await ctx.request('GET', `/v2/report/schedule?group_id=${h.agency}`, {
      token: h.companyAdmin.token,
    });
    expect(above.status).toBe(400);
    expect(JSON.stringify(above.body)).toContain(`group_id ${h.agency} is not a group you can access`);
  });
});
