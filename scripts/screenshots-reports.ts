import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { CONSOLE_DIST_DIR } from '../src/modules/console/console.routes.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { freePort } from '../test/helpers/process.js';
import { DEMO_PASSWORD, type DemoServer, populateDemo, startDemoServer } from './demo-data.js';

/**
 * The report pages' screenshots (issue 22): the data they need on top of the demo month (a saved
 * report sent weekly with its last runs, client groups with plans), then the Reports, Scheduled
 * reports and Usage pages. scripts/screenshots.ts calls both; `tsx scripts/screenshots-reports.ts`
 * takes only these.
 */
const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

export async function prepareReportsDemo(demo: DemoServer): Promise<void> {
  const { access_token: token } = await demo.app.services.auth.passwordGrant({
    username: demo.adminEmail,
    password: DEMO_PASSWORD,
    client_id: 'switchboard',
    client_secret: 'demo-client-secret',
  });
  const request = async (method: 'POST' | 'PUT', url: string, body: unknown) => {
    const response = await demo.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      payload: body as object,
    });
    if (response.statusCode !== 200) throw new Error(`${method} ${url}: ${response.body}`);
    return response.json().data;
  };
  const { agency, company } = demo.groups;
  const saved = await request('POST', '/v2/report', {
    report_name: 'Weekly summary by campaign',
    group_id: company,
    timezone: 'America/Los_Angeles',
    interval: 'day',
    dimensions: 'campaign,channel',
  });
  await request('POST', '/v2/report', {
    report_name: 'Website visits this month',
    group_id: company,
    timezone: 'America/Los_Angeles',
    interval: 'week',
    dimensions: 'landing_page,referrer,utm_source,utm_medium',
  });
  const schedule = await request('POST', '/v2/report/schedule', {
    report_id: saved.report_id,
    frequency: 'weekly',
    send_time: '08:00',
    timezone: 'America/Los_Angeles',
    recipients: ['owner@acme-plumbing.example', 'marketing@acme-plumbing.example'],
    formats: ['pdf', 'xlsx'],
  });
  // the last weeks' runs as the job leaves them: sent with their summary, one retried then sent
  const weeks = [
    { start: 21, calls: 41, answered: 0.83, previous: 37, attempts: 1, error: null },
    { start: 14, calls: 37, answered: 0.78, previous: 44, attempts: 2, error: 'SMTP 421 try again later' },
    { start: 7, calls: 44, answered: 0.86, previous: 40, attempts: 1, error: null },
  ];
  const now = demo.clock.now();
  for (const week of weeks) {
    const start = new Date(now.getTime() - week.start * 86_400_000);
    start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
    const end = new Date(start.getTime() + 6 * 86_400_000);
    const due = new Date(end.getTime() + 86_400_000 + 16 * 3_600_000);
    await demo.db.query(
      `insert into report_run (schedule_id, period_start, period_end, due_at, run_status, attempts, last_error,
                               summary, run_created, run_finished)
       values ($1, $2, $3, $4, 'sent', $5, $6, $7, $4, $4::timestamptz + interval '40 seconds')
       on conflict do nothing`,
      [
        schedule.schedule_id,
        start.toISOString().slice(0, 10),
        end.toISOString().slice(0, 10),
        due,
        week.attempts,
        week.error,
        JSON.stringify({
          calls: week.calls,
          answered: Math.round(week.calls * week.answered),
          answered_rate: week.answered,
          previous_calls: week.previous,
        }),
      ],
    );
  }
  // the agency's clients: the demo company on a plan, two more clients
  await request('POST', '/v2/group', [
    { group_name: 'Bright Smile Dental', group_parent_id: agency },
    { group_name: 'Summit Roofing', group_parent_id: agency },
  ]);
  await request('PUT', '/v2/misc/subscription', {
    group_id: company,
    plan_name: 'Growth',
    max_numbers: 8,
    max_inbound_minutes: 600,
    max_outbound_minutes: 200,
    max_texts: 500,
    max_transcription_minutes: 300,
    max_users: 10,
  });
}

export async function shootReports(
  page: Page,
  demo: DemoServer,
  shoot: (page: Page, name: string) => Promise<void>,
): Promise<void> {
  const { agency, company } = demo.groups;
  await page.goto(`${demo.baseUrl}/reports?group=${company}`);
  await page.getByTestId('report-totals').waitFor();
  await page.locator('.u-legend').first().waitFor({ state: 'attached' });
  await shoot(page, 'reports');
  await page.goto(`${demo.baseUrl}/reports/scheduled?group=${company}`);
  await page.getByTestId('run-history').locator('tbody tr').first().waitFor();
  await shoot(page, 'reports-scheduled');
  await page.goto(`${demo.baseUrl}/usage?group=${agency}`);
  await page.getByTestId('client-usage').waitFor();
  await shoot(page, 'usage');
}

async function main(): Promise<void> {
  if (!existsSync(path.join(CONSOLE_DIST_DIR, 'index.html')))
    throw new Error('the console is not built: run `npm run build` first');
  await mkdir(OUT, { recursive: true });
  const now = new Date();
  const demo = await startDemoServer(await freePort(), now);
  const browser = await launchChromium();
  try {
    await populateDemo(demo, now);
    await prepareReportsDemo(demo);
    for (const viewport of [
      { name: 'desktop', width: 1920, height: 1080, deviceScaleFactor: 1 },
      { name: 'phone', width: 375, height: 812, deviceScaleFactor: 2 },
    ]) {
      const context = await browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
        deviceScaleFactor: viewport.deviceScaleFactor,
        isMobile: viewport.name === 'phone',
        hasTouch: viewport.name === 'phone',
        timezoneId: 'America/Los_Angeles',
        locale: 'en-US',
      });
      const page = await context.newPage();
      await page.goto(`${demo.baseUrl}/sign-in`);
      await page.getByLabel('E-mail').fill(demo.adminEmail);
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await shootReports(page, demo, async (p, name) => {
        await p.waitForLoadState('networkidle');
        await p.waitForTimeout(400);
        const file = path.join(OUT, `${name}-${viewport.name}.png`);
        await p.screenshot({ path: file, fullPage: viewport.name === 'desktop', timeout: 180_000 });
        process.stdout.write(`  ${path.relative(process.cwd(), file)}\n`);
      });
      await context.close();
    }
  } finally {
    await browser.close();
    await demo.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]))
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
