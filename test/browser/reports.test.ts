import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { simulateCall } from '../../src/telephony/simulator.js';
import { launchChromium } from '../helpers/chromium.js';
import { createEmptyDatabase, testEngine } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';

/**
 * The report pages end to end: the real server process serving the built console, Chromium
 * driving Reports, Scheduled reports and Usage as a person would, and every result checked
 * against the API: the figures shown, the files downloaded, the report saved, the schedule made.
 */
const require = createRequire(import.meta.url);
const PASSWORD = 'reports-test-password';
const CARRIER_TOKEN = 'reports-test-carrier-token';
const CLIENT = { client_id: 'switchboard', client_secret: 'reports-test-client-secret' };
const CONTEXT = { viewport: { width: 1440, height: 960 }, locale: 'en-US', timezoneId: 'America/Denver' };
/** in the seeded demo inventory (801-555-0100 to 0149); no carrier account here to buy others from */
const TRACKING = '8015550149';

let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let server: ServerProcess;
let base: string;
let token: string;
let browser: Browser;
let axeSource: string;
const ids = { agency: 0, company: 0 };

async function api<T = unknown>(method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json()) as { data: T } | T;
  if (!response.ok)
    throw new Error(`${method} ${url} answered ${response.status}: ${JSON.stringify(parsed)}`);
  return Array.isArray(parsed) ? (parsed as T) : (parsed as { data: T }).data;
}

async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  })()`)) as { id: string; impact: string; targets: string[] }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.targets.slice(0, 3).join(', ')}`);
}

const call = (from: string, answer: 'first' | 'none') =>
  simulateCall(
    { to: TRACKING, from, press: ['1'], answer },
    {
      voiceUrl: `${base}/telephony/twilio/voice`,
      statusUrl: `${base}/telephony/twilio/status`,
      authToken: CARRIER_TOKEN,
      transport: async (url, params, signature) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          body: new URLSearchParams(params).toString(),
        });
        return response.text();
      },
    },
  );

beforeAll(async () => {
  axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-reports-'));
  database = await createEmptyDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServer(
    {
      DATA_DIR: dataDir,
      PORT: String(port),
      SWITCHBOARD_ADMIN_PASSWORD: PASSWORD,
      SWITCHBOARD_OAUTH_CLIENT_SECRET: CLIENT.client_secret,
      OAUTH_RATE_LIMIT_PER_MINUTE: '200',
      TWILIO_AUTH_TOKEN: CARRIER_TOKEN,
      ...(database.url ? { DATABASE_URL: database.url } : {}),
      // a loaded machine can take more than the default minute to migrate and start
    },
    240_000,
  );
  browser = await launchChromium();
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: 'admin@example.com',
      password: PASSWORD,
      ...CLIENT,
    }),
  });
  token = ((await response.json()) as { access_token: string }).access_token;
  const groups = await api<{ group_id: number; group_name: string; group_parent_id: number | null }[]>(
    'GET',
    '/v2/group/list',
  );
  const company = groups.find((g) => g.group_name === 'Demo Company') as {
    group_id: number;
    group_parent_id: number;
  };
  ids.company = company.group_id;
  ids.agency = company.group_parent_id;
  const [campaign] = await api<{ data: number }[]>('POST', '/v2/campaign', [
    {
      campaign_name: 'Spring promo',
      campaign_start_date: '2026-01-01T00:00:00Z',
      campaign_owner_user_id: 1,
      group_id: ids.company,
    },
  ]);
  const reserved = await api<{ result: string }[]>('POST', '/v2/number/reserve', [{ number: TRACKING }]);
  expect(reserved, JSON.stringify(reserved)).toMatchObject([{ result: 'success' }]);
  const [created] = await api<{ result: string; data: string }[]>('POST', '/v2/callflow/multilevelivr', [
    {
      call_flow_name: 'Main line',
      call_flow_status: 'active',
      group_id: ids.company,
      campaign_id: Number(campaign?.data),
      channel_id: 4,
      repeat_interval: 72,
      call_value: 25,
      email_to_notify: 'office@example.com',
      voicemail_rings: 4,
      spam_filter_enabled: false,
      referral_number: 8015550199,
      message: 'For sales press 1.',
      number: { phone_number: Number(TRACKING) },
      ivrs: [{ key: 1, action: 'simple', destination: 'Sales', target_did: 8015550110 }],
    },
  ]);
  expect(created, JSON.stringify(created)).toMatchObject({ result: 'success' });
  await call('2125550101', 'first');
  await call('2125550102', 'first');
  await call('2125550103', 'none');
  await api('PUT', '/v2/misc/subscription', {
    group_id: ids.company,
    plan_name: 'Growth',
    max_numbers: 2,
    max_inbound_minutes: 100,
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe(`the report pages in Chromium, on ${testEngine()}`, { timeout: 120_000 }, () => {
  let context: BrowserContext;
  let page: Page;

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page && !page.isClosed())
      await page
        .screenshot({
          path: path.join(
            tmpdir(),
            `reports-test-${testEngine()}-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`,
          ),
        })
        .catch(() => {});
  });

  it('shows a report with the API’s figures, downloads it and saves its definition', async () => {
    context = await browser.newContext({ ...CONTEXT, acceptDownloads: true });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('E-mail').fill('admin@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await page.getByRole('textbox', { name: 'Group', exact: true }).click();
    await page.getByRole('option', { name: 'Demo Company', exact: true }).click();
    const totals = page.getByTestId('report-totals');
    await expect
      .poll(() => totals.getByTestId('total-calls').locator('[data-value]').textContent())
      .toBe('3');
    expect(await totals.getByTestId('total-answered').locator('[data-value]').textContent()).toBe('2');
    expect(await page.getByTestId('breakdown-campaign').textContent()).toContain('Spring promo');
    // the heatmap has a cell per hour and weekday, the calls' cell labelled with its count
    expect(await page.getByTestId('heatmap').locator('tbody td').count()).toBe(7 * 24);
    expect(await page.getByTestId('heatmap').locator('td[aria-label*=": 3 calls"]').count()).toBe(1);

    // a week interval keeps the figures, and the URL says so
    await page
      .locator('.mantine-SegmentedControl-label')
      .filter({ hasText: /^Week$/ })
      .click();
    await expect.poll(() => new URL(page.url()).searchParams.get('interval')).toBe('week');
    expect(await page.getByRole('heading', { name: 'Calls per week' }).count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);

    // the CSV the Download menu gives is the report's
    await page.getByRole('button', { name: 'Download' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^calls-Demo-Company-.+\.csv$/);
    const rows = parse(await readFile((await download.path()) as string, 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    expect(rows.find((row) => row.Section === 'Totals')?.Calls).toBe('3');
    await page.getByRole('button', { name: 'Download' }).click();
    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'PDF with charts' }).click(),
    ]);
    expect((await readFile((await pdf.path()) as string)).subarray(0, 5).toString()).toBe('%PDF-');

    await page.getByRole('button', { name: 'Save report' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Weekly by campaign');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('report')).not.toBeNull();
    const saved = await api<
      { report_name: string; group_id: number; interval: string; dimensions: string }[]
    >('GET', '/v2/report');
    expect(saved).toEqual([
      expect.objectContaining({
        report_name: 'Weekly by campaign',
        group_id: ids.company,
        interval: 'week',
        dimensions: 'campaign,channel',
      }),
    ]);
  });

  it('schedules the saved report, edits the schedule and shows its history', async () => {
    await page.getByRole('tab', { name: 'Scheduled reports' }).click();
    await page.getByText('No scheduled reports yet').waitFor();
    await page.getByRole('button', { name: 'Schedule a report' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Recipients' }).fill('owner@example.com,');
    await dialog.getByRole('textbox', { name: 'At (local time)' }).fill('07:30');
    await dialog.getByRole('checkbox', { name: 'Excel (XLSX)' }).check();
    await dialog.getByRole('button', { name: 'Schedule', exact: true }).click();
    await page.getByTestId('schedule-list').waitFor();
    let [schedule] = await api<Record<string, unknown>[]>('GET', '/v2/report/schedule');
    expect(schedule).toMatchObject({
      frequency: 'weekly',
      send_time: '07:30',
      timezone: 'America/Denver',
      recipients: ['owner@example.com'],
      formats: ['pdf', 'xlsx'],
      schedule_status: 'active',
    });
    await page.getByTestId('run-history').getByText('Nothing sent yet').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Edit the schedule of Weekly by campaign' }).click();
    await dialog
      .locator('.mantine-SegmentedControl-label')
      .filter({ hasText: /^Monthly$/ })
      .click();
    // a bad address is refused before it is sent
    await dialog.getByRole('textbox', { name: 'Recipients' }).fill('not-an-address,');
    expect(await dialog.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    await dialog.getByRole('textbox', { name: 'Recipients' }).press('Backspace');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    [schedule] = await api<Record<string, unknown>[]>('GET', '/v2/report/schedule');
    expect(schedule).toMatchObject({ frequency: 'monthly', recipients: ['owner@example.com'] });
    await expect
      .poll(() => page.getByTestId('schedule-list').textContent())
      .toContain('On the 1st at 7:30 AM');
  });

  it('shows a client’s usage against its plan and exports each client’s usage', async () => {
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
    await page.goto(`${base}/usage?group=${ids.company}`);
    const numbers = page.getByTestId('meter-numbers');
    await expect.poll(() => numbers.textContent()).toContain('of 2');
    expect(await numbers.locator('[data-value]').textContent()).toBe('1');
    expect(await numbers.getByRole('progressbar').getAttribute('aria-label')).toBe(
      'Numbers: 50% of the plan',
    );
    expect(await page.getByText('Plan Growth', { exact: false }).count()).toBeGreaterThan(0);

    await page.goto(`${base}/usage?group=${ids.agency}`);
    const row = page.locator(`[data-group-id="${ids.company}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Growth');
    expect(await accessibilityViolations(page)).toEqual([]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'CSV' }).click(),
    ]);
    const rows = parse(await readFile((await download.path()) as string, 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    const company = rows.find((r) => Number(r['Group ID']) === ids.company);
    expect(company?.Plan).toBe('Growth');
    expect(company?.Numbers).toBe('1');
    expect(company?.['Inbound calls']).toBe('3');
    await context.close();
  });
});
