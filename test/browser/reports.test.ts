import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { accessibilityViolations } from '../helpers/axe.js';
import { insertCalls } from '../helpers/calls.js';
import { createCarrier, TEST_ACCOUNT_SID } from '../helpers/carrier.js';
import { launchChromium } from '../helpers/chromium.js';
import { signIn } from '../helpers/console-session.js';
import { freshNumbers } from '../helpers/dni.js';
import { freePort } from '../helpers/process.js';

/**
 * Reports, scheduled reports and usage in headless Chromium against the real app on a real port,
 * driven by an agency's account manager (a Standard user of the agency): a call report for a
 * client over the last 7 days in a zone picked on the page, its totals checked against
 * /v2/call/groupActivity for the same range, the time series per week, the CSV, XLSX and PDF
 * downloads read back, the report saved and scheduled weekly, and the usage meters of the agency
 * and its client; axe-core checks each page.
 */
const CONTEXT = { viewport: { width: 1440, height: 960 }, locale: 'en-US' };
const ZONE = 'America/Denver';

let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let manager: TestUser;
let base: string;
let browser: Browser;
let context: BrowserContext;
let companyName: string;
/** What was seeded, to work the figures out independently of the app. */
const seeded: { group: number; started: Date; duration: number; disposition: string }[] = [];

const figure = (page: Page, testId: string) => page.getByTestId(testId).locator('[data-value]').textContent();

async function downloaded(page: Page, format: string): Promise<{ file: Download; bytes: Buffer }> {
  await page.getByRole('button', { name: 'Download' }).click();
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('menuitem', { name: format }).click(),
  ]);
  return { file, bytes: await readFile(await file.path()) };
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  ctx = await createTestContext({ PUBLIC_BASE_URL: base, JOBS_POLL_INTERVAL_MS: '0' });
  // the browser keeps cookies by its own clock, and "the last 7 days" is the browser's today
  ctx.clock.set(new Date());
  await ctx.app.listen({ port, host: '127.0.0.1' });
  h = await ctx.factory.hierarchy();
  manager = await ctx.factory.user(h.agency, 2);
  companyName = (
    await ctx.db.query<{ group_name: string }>('select group_name from org_group where group_id = $1', [
      h.company,
    ])
  ).rows[0]?.group_name as string;
  const rival = await ctx.factory.hierarchy();

  // the client's tracking number, which its callers text
  const [tracking] = (await freshNumbers(ctx, 1)).numbers as [string];
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: h.companyAdmin.token,
    body: [
      {
        call_flow_name: 'Main line',
        group_id: h.company,
        campaign_id: await ctx.factory.campaign(h.companyAdmin),
        channel_id: 1,
        number: { phone_number: tracking },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
  const carrier = createCarrier(ctx.app, base);
  for (const [i, text] of ['Do you service Boulder?', 'Can someone come Friday?'].entries()) {
    const sent = await carrier.send('sms', {
      MessageSid: `SM${String(i).padStart(32, '0')}`,
      AccountSid: TEST_ACCOUNT_SID,
      From: `+1303555010${i}`,
      To: `+1${tracking}`,
      Body: text,
      NumMedia: '0',
    });
    expect(sent.status).toBe(200);
  }

  // calls of the client and its location over the last days, two older ones, and a rival's
  const now = Date.now();
  const dispositions = ['ANSWERED', 'ANSWERED', 'NO ANSWER', 'VOICEMAIL', 'ANSWERED', 'BUSY', 'ANSWERED'];
  const hoursAgo = [3, 9, 26, 31, 50, 74, 98, 122, 127, 200, 800];
  for (const [i, hours] of hoursAgo.entries())
    seeded.push({
      group: i % 3 === 2 ? h.location : h.company,
      started: new Date(now - hours * 3_600_000),
      duration: 20 + i * 47,
      disposition: dispositions[i % dispositions.length] as string,
    });
  const ids = await insertCalls(
    ctx,
    seeded.map((call, i) => ({
      group_id: call.group,
      started_at: call.started.toISOString(),
      duration: call.duration,
      disposition: call.disposition,
      caller: `30355502${String(i % 4).padStart(2, '0')}`,
      is_repeat: i % 4 === 3,
      channel_id: 1,
    })),
  );
  // indicator scores on the three newest calls (the report shows their average)
  for (const [i, score] of [80, 65, 40].entries())
    await ctx.db.query(
      `insert into call_indicator_score (call_id, indicator_id, indicator_name, score, scored_at)
       values ($1, 2, 'Appointment booked', $2, now())`,
      [ids[i], score],
    );
  await insertCalls(ctx, [
    { group_id: rival.company, started_at: new Date(now - 5 * 3_600_000).toISOString(), duration: 600 },
  ]);
  await ctx.app.services.jobs.drain();
  browser = await launchChromium();
}, 400_000);

afterEach(async () => {
  await context?.close();
});

afterAll(async () => {
  await browser?.close();
  await ctx?.close();
});

describe('the reports pages, as an agency account manager', () => {
  it('runs a client’s call report over the last 7 days in a zone, with the totals of groupActivity', async () => {
    context = await browser.newContext(CONTEXT);
    const page = await context.newPage();
    await signIn(page, base, manager.email);
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await page.getByTestId('report').waitFor();

    // the report's group, named apart from the header's group switcher
    await page.getByRole('textbox', { name: 'Report for', exact: true }).click();
    await page.getByRole('option', { name: companyName }).click();
    await page.waitForURL(new RegExp(`group=${h.company}`));
    await page.getByRole('textbox', { name: 'Time zone', exact: true }).fill('Denver');
    await page.getByRole('option', { name: 'America/Denver' }).click();
    await page.waitForURL(/tz=America%2FDenver/);
    await page.getByRole('button', { name: /^Date range:/ }).click();
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.waitForURL(/from=\d{4}-\d{2}-\d{2}/);
    const url = new URL(page.url());
    const from = url.searchParams.get('from') as string;
    const to = url.searchParams.get('to') as string;
    const today = DateTime.now().setZone(ZONE);
    expect([from, to]).toEqual([today.minus({ days: 6 }).toISODate(), today.toISODate()]);

    const filter = `call_started>=${from},call_started<=${to}`;
    const activity = await ctx.request(
      'GET',
      `/v2/call/groupActivity?${new URLSearchParams({ filter, timezone: ZONE })}`,
      { token: manager.token },
    );
    expect(activity.status).toBe(200);
    const rows = (activity.body.data as Record<string, number>[]).filter((row) =>
      [h.company, h.location].includes(row.group_id as number),
    );
    const sum = (field: string) => rows.reduce((total, row) => total + (row[field] ?? 0), 0);
    const start = DateTime.fromISO(from, { zone: ZONE }).toJSDate();
    const end = DateTime.fromISO(to, { zone: ZONE }).plus({ days: 1 }).toJSDate();
    const inRange = seeded.filter((call) => call.started >= start && call.started < end);
    expect(sum('calls')).toBe(inRange.length);
    expect(inRange.length).toBeGreaterThanOrEqual(8);

    await expect.poll(() => figure(page, 'total-calls'), { timeout: 10_000 }).toBe(String(sum('calls')));
    expect(await figure(page, 'total-answered')).toBe(String(sum('answered')));
    expect(await figure(page, 'total-first_time')).toBe(String(sum('calls') - sum('repeat_calls')));
    expect(await figure(page, 'total-minutes')).toBe(String(sum('billable_minutes')));
    expect(await figure(page, 'total-voicemails')).toBe(
      String(inRange.filter((call) => call.disposition === 'VOICEMAIL').length),
    );
    expect(await page.getByText(`${companyName} and the groups below it`).count()).toBe(1);
    // the texts and the scores, as Get Call Report answers them
    const json = await ctx.request(
      'GET',
      `/v2/report/call?${new URLSearchParams({ group_id: String(h.company), start_date: from, end_date: to, timezone: ZONE })}`,
      { token: manager.token },
    );
    expect(json.body.data.texts.totals.texts).toBe(2);
    expect(await figure(page, 'texts-texts')).toBe('2');
    expect(await figure(page, 'texts-inbound')).toBe(String(json.body.data.texts.totals.inbound));
    const scores = page.getByTestId('scores-indicator-2');
    expect(await scores.locator('caption').textContent()).toBe('Indicator: Appointment booked');
    expect(await scores.locator('tbody tr').first().locator('td').allTextContents()).toEqual([
      'All scored calls',
      '—',
      '3',
      '61.67',
    ]);
    expect(await accessibilityViolations(page)).toEqual([]);

    // per week: the series' buckets still add up to the total
    await page
      .locator('.mantine-SegmentedControl-label')
      .filter({ hasText: /^Week$/ })
      .click();
    await page.waitForURL(/interval=week/);
    await page.getByRole('heading', { name: 'Calls per week' }).waitFor();
    const weekly = page.locator('table', { has: page.locator('caption', { hasText: 'Calls per week' }) });
    await expect
      .poll(async () =>
        (await weekly.locator('tbody tr td:nth-child(2)').allTextContents()).reduce(
          (total, cell) => total + Number(cell),
          0,
        ),
      )
      .toBe(sum('calls'));
    expect(await weekly.locator('tbody tr td:first-child').first().textContent()).toMatch(/^Week of /);

    const csv = await downloaded(page, 'CSV');
    expect(csv.file.suggestedFilename()).toBe(
      `calls-${companyName.replace(/[^A-Za-z0-9]+/g, '-')}-${from}-to-${to}.csv`,
    );
    const records = parse(csv.bytes.toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0] ?? {}).slice(0, 4)).toEqual(['Section', 'Key', 'Label', 'Calls']);
    expect(records[0]).toMatchObject({
      Section: 'Totals',
      Key: `${from} to ${to}`,
      Calls: String(sum('calls')),
    });
    const series = records.filter((record) => record.Section === 'Series (week)');
    expect(series.length).toBeGreaterThan(0);
    expect(series.reduce((total, record) => total + Number(record.Calls), 0)).toBe(sum('calls'));

    const xlsx = await downloaded(page, 'Excel (XLSX)');
    expect(xlsx.bytes.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    expect(workbook.worksheets.length).toBeGreaterThan(0);

    const pdf = await downloaded(page, 'PDF with charts');
    expect(pdf.file.suggestedFilename()).toMatch(/\.pdf$/);
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.bytes.length).toBeGreaterThan(2000);
  }, 120_000);

  it('saves the report, schedules it weekly and shows it with its next run', async () => {
    context = await browser.newContext(CONTEXT);
    const page = await context.newPage();
    await signIn(page, base, manager.email);
    await page.goto(`${base}/reports?group=${h.company}&tz=${encodeURIComponent(ZONE)}&interval=week`);
    await page.getByTestId('report').waitFor();
    await page.getByRole('button', { name: 'Save report' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save this report' });
    await dialog.getByLabel('Name').fill('Weekly client summary');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForURL(/report=\d+/);
    const saved = await ctx.request('GET', '/v2/report', { token: manager.token });
    expect(saved.body.data).toMatchObject([
      { report_name: 'Weekly client summary', group_id: h.company, timezone: ZONE, interval: 'week' },
    ]);

    await page
      .getByRole('navigation', { name: 'Report pages' })
      .getByRole('link', { name: 'Scheduled reports' })
      .click();
    await page.waitForURL(/\/reports\/scheduled/);
    await page.getByText('No scheduled reports yet').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Schedule a report' }).click();
    const form = page.getByRole('dialog', { name: 'Schedule a report' });
    expect(await form.getByRole('textbox', { name: 'Report' }).inputValue()).toBe('Weekly client summary');
    await form.getByRole('textbox', { name: 'Recipients’ time zone' }).fill('Denver');
    await page.getByRole('option', { name: 'America/Denver' }).click();
    await form.getByRole('textbox', { name: 'Recipients', exact: true }).fill('owner@client.example');
    await form.getByRole('textbox', { name: 'Recipients', exact: true }).press('Enter');
    await form.getByRole('checkbox', { name: 'Excel (XLSX)' }).check();
    expect(await accessibilityViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Schedule', exact: true }).click();
    await form.waitFor({ state: 'detached' });

    const schedules = await ctx.request('GET', '/v2/report/schedule', { token: manager.token });
    const [schedule] = schedules.body.data as {
      schedule_id: number;
      frequency: string;
      timezone: string;
      recipients: string[];
      formats: string[];
      next_send_at: string;
    }[];
    expect(schedule).toMatchObject({
      frequency: 'weekly',
      timezone: ZONE,
      recipients: ['owner@client.example'],
    });
    expect([...(schedule?.formats ?? [])].sort()).toEqual(['pdf', 'xlsx']);
    // the next Monday at 8:00 in Denver, after now
    const next = DateTime.fromISO(schedule?.next_send_at as string).setZone(ZONE);
    expect([next.weekday, next.hour, next.minute]).toEqual([1, 8, 0]);
    expect(next.toMillis()).toBeGreaterThan(Date.now());
    expect(next.toMillis() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);

    const row = page.locator(`[data-schedule-id="${schedule?.schedule_id}"]`);
    await row.waitFor();
    const shown = (await row.textContent())?.replace(/\s/g, ' ');
    const expected = new Intl.DateTimeFormat('en-US', {
      timeZone: ZONE,
      dateStyle: 'medium',
      timeStyle: 'short',
    })
      .format(next.toJSDate())
      .replace(/\s/g, ' ');
    expect(shown).toContain('Weekly client summary');
    expect(shown).toContain('Weekly · Mondays at 8:00 AM');
    expect(shown).toContain(`next ${expected}`);
    expect(shown).toContain('owner@client.example');
    const history = page.getByTestId('run-history');
    await history.getByText('Nothing sent yet.').waitFor();
    expect((await history.textContent())?.replace(/\s/g, ' ')).toContain(
      `The first e-mail goes out ${expected}`,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
  }, 90_000);

  it('uploads, shows and removes the brand logo of the reports', async () => {
    context = await browser.newContext(CONTEXT);
    const page = await context.newPage();
    await signIn(page, base, manager.email);
    await page.getByRole('link', { name: 'Reports' }).first().click();
    await page.getByRole('button', { name: 'Brand logo' }).click();
    const dialog = page.getByRole('dialog', { name: 'Brand logo' });
    await dialog.getByText('No logo yet').waitFor();
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    await dialog
      .locator('input[type="file"]')
      .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
    await dialog.getByRole('button', { name: 'Upload', exact: true }).click();
    const preview = dialog.getByRole('img', { name: /^Logo of / });
    await preview.waitFor();
    await expect
      .poll(() => preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(1);
    const logo = await ctx.request('GET', '/v2/group/logo', { token: manager.token });
    expect(logo.body.data).toMatchObject({ group_id: h.agency, content_type: 'image/png', inherited: false });
    expect(await accessibilityViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Remove logo' }).click();
    await dialog.getByText('No logo yet').waitFor();
    expect((await ctx.request('GET', '/v2/group/logo', { token: manager.token })).status).toBe(404);
  }, 90_000);

  it('shows the usage of the agency and of its client this month', async () => {
    context = await browser.newContext(CONTEXT);
    const page = await context.newPage();
    await signIn(page, base, manager.email);
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
    const monthStart = DateTime.utc().startOf('month').toJSDate();
    const minutes = seeded
      .filter((call) => call.started >= monthStart)
      .reduce((total, call) => total + Math.ceil(call.duration / 60), 0);
    expect(minutes).toBeGreaterThan(0);
    await expect.poll(() => figure(page, 'meter-numbers'), { timeout: 10_000 }).toBe('1');
    expect(await figure(page, 'meter-inbound_minutes')).toBe(String(minutes));
    expect(await figure(page, 'meter-texts')).toBe('2');
    const api = await ctx.request('GET', `/v2/misc/subscription?group_id=${h.agency}`, {
      token: manager.token,
    });
    expect(api.body.data.usage).toMatchObject({ numbers: 1, inbound_minutes: minutes, texts: 2 });

    // the client's row: all of it is the company's (its location's calls included)
    const client = page.getByTestId('client-usage').locator(`[data-group-id="${h.company}"]`);
    await client.waitFor();
    const cells = await client.locator('td').allTextContents();
    expect(cells[0]).toBe(companyName);
    expect(cells.slice(2, 6)).toEqual(['1', String(minutes), '0', '2']);
    // the client's plan allows 2 texts: its texts, at the limit, show in red
    expect(await client.locator('td[data-over-limit]').count()).toBe(0);
    const plan = await ctx.request('PUT', '/v2/misc/subscription', {
      token: h.agencyAdmin.token,
      body: { group_id: h.company, plan_name: 'Basic', max_texts: 2, max_inbound_minutes: 100_000 },
    });
    expect(plan.body.data.over_limit).toEqual(['texts']);
    await page.reload();
    await client.locator('td[data-over-limit]').first().waitFor();
    expect(await client.locator('td[data-over-limit]').allTextContents()).toEqual(['2']);
    expect(await client.locator('td[data-over-limit] p').getAttribute('style')).toContain('red');
    expect(await accessibilityViolations(page)).toEqual([]);
  }, 90_000);
});
