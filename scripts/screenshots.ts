import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CONSOLE_DIST_DIR } from '../src/modules/console/console.routes.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { freePort } from '../test/helpers/process.js';
import {
  DEMO_PASSWORD,
  type DemoCalls,
  type DemoServer,
  populateDemo,
  startDemoServer,
  startLiveCalls,
} from './demo-data.js';
import { populatePeople } from './demo-people.js';
import { populatePool } from './demo-pool.js';
import { populateTexts, startDemoMessagesApi } from './demo-texts.js';
import { prepareReportsDemo, shootReports } from './screenshots-reports.js';

/**
 * `npm run screenshots`: every page of the console, from the real app with a month of demo calls,
 * at a desktop's 1920 px and a phone's 375 px, into docs/screenshots/ (docs/console.md shows them).
 */
const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

const VIEWPORTS = [
  { name: 'desktop', width: 1920, height: 1080, deviceScaleFactor: 1 },
  { name: 'phone', width: 375, height: 812, deviceScaleFactor: 2 },
] as const;

async function signIn(page: Page, demo: DemoServer): Promise<void> {
  await page.goto(`${demo.baseUrl}/sign-in`);
  await page.getByLabel('E-mail').fill(demo.adminEmail);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** `tsx scripts/screenshots.ts users blacklist`: only the pictures named (the pages are visited all the same). */
const ONLY = new Set(process.argv.slice(2));

/** A desktop page whole; a phone's first screen, as a person holding it sees it. */
async function shoot(page: Page, name: string, viewport: string): Promise<void> {
  if (ONLY.size > 0 && !ONLY.has(name)) return;
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(400);
  const file = path.join(OUT, `${name}-${viewport}.png`);
  await page.screenshot({ path: file, fullPage: viewport === 'desktop', timeout: 120_000 });
  process.stdout.write(`  ${path.relative(process.cwd(), file)}\n`);
}

async function shootAll(
  browser: Browser,
  demo: DemoServer,
  data: DemoCalls,
  texts: { conversationId: number },
): Promise<void> {
  for (const viewport of VIEWPORTS) {
    const context = await browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
      deviceScaleFactor: viewport.deviceScaleFactor,
      isMobile: viewport.name === 'phone',
      hasTouch: viewport.name === 'phone',
      timezoneId: 'America/Los_Angeles',
      locale: 'en-US',
    });
    context.setDefaultTimeout(120_000); // a shared, busy machine renders slowly
    const page = await context.newPage();
    await page.goto(`${demo.baseUrl}/sign-in`);
    await shoot(page, 'sign-in', viewport.name);
    await signIn(page, demo);
    await page.getByTestId('kpi-calls').locator('[data-value]').waitFor();
    await page.getByTestId('live-call').first().waitFor();
    await shoot(page, 'dashboard', viewport.name);

    await page.goto(`${demo.baseUrl}/calls`);
    await page.locator('[data-call-id]').first().waitFor();
    await shoot(page, 'calls', viewport.name);

    await page.goto(`${demo.baseUrl}/calls/${data.featuredCallId}`);
    await page.getByTestId('route-timeline').waitFor();
    await page
      .locator('[data-testid="recording-player"] canvas')
      .first()
      .waitFor({ timeout: 15_000 })
      .catch(() => {});
    await page.getByTestId('utterance').first().waitFor({ timeout: 15_000 });
    await shoot(page, 'call', viewport.name);

    await page.goto(`${demo.baseUrl}/transcripts?q=${encodeURIComponent('roof or water heater')}`);
    await page.getByTestId('search-result').first().waitFor();
    await shoot(page, 'transcripts', viewport.name);

    await page.goto(`${demo.baseUrl}/webhooks?webhook=${data.webhookId}`);
    await page
      .getByTestId('deliveries')
      .waitFor({ timeout: 5000 })
      .catch(async () => {
        await page.screenshot({ path: '/tmp/webhooks-debug.png', fullPage: true });
        throw new Error('the webhooks page shows no deliveries: /tmp/webhooks-debug.png');
      });
    await page.locator('[data-testid="deliveries"] button').first().click();
    await shoot(page, 'webhooks', viewport.name);

    await page.goto(`${demo.baseUrl}/flows`);
    await page.getByTestId('flow-list').waitFor();
    await shoot(page, 'flows', viewport.name);
    await page
      .locator('[data-flow-id]')
      .filter({ hasText: 'Phone menu (IVR)' })
      .first()
      .getByRole('link')
      .click();
    if (viewport.name === 'desktop') {
      await page.locator('.react-flow__node').first().waitFor();
      await page.locator('[data-id="ivrs[1]"]').click();
    } else await page.getByTestId('outline').waitFor(); // phones open the outline first
    await shoot(page, 'builder', viewport.name);
    if (viewport.name === 'desktop') {
      await page.getByRole('tab', { name: 'Try a call' }).click();
      const keypad = page.getByRole('group', { name: 'Keypad' });
      await keypad.getByRole('button', { name: 'Press 2' }).click();
      await keypad.getByRole('button', { name: 'Press 1' }).click();
      await page.getByRole('button', { name: 'Call', exact: true }).click();
      await page.getByTestId('call-outcome').waitFor();
      await page.getByRole('button', { name: 'Next step' }).click();
      await page.getByRole('button', { name: 'Next step' }).click();
      await shoot(page, 'builder-try-a-call', viewport.name);
    }
    await page.goto(`${demo.baseUrl}/numbers`);
    await page.getByTestId('my-numbers').waitFor();
    await page.getByTestId('dni-snippet').filter({ hasText: 'dni.js' }).waitFor();
    await page.getByTestId('leased-now').first().waitFor();
    await shoot(page, 'numbers', viewport.name);
    if (viewport.name === 'desktop' && (ONLY.size === 0 || ONLY.has('numbers-pool'))) {
      // the pool's card alone, large enough to read
      const file = path.join(OUT, 'numbers-pool-desktop.png');
      await page.getByTestId('pool').first().screenshot({ path: file });
      process.stdout.write(`  ${path.relative(process.cwd(), file)}\n`);
    }
    await shootReports(page, demo, (p, name) => shoot(p, name, viewport.name));
    await page.goto(`${demo.baseUrl}/texts?c=${texts.conversationId}`);
    await page.getByTestId('thread').getByText('Thursday at 9 works').waitFor();
    await shoot(page, 'texts', viewport.name);
    await page.goto(`${demo.baseUrl}/broadcasts`);
    await page.getByTestId('broadcasts').waitFor();
    await shoot(page, 'broadcasts', viewport.name);
    if (viewport.name === 'desktop') {
      await page.getByRole('button', { name: 'New broadcast' }).click();
      const composer = page.getByRole('dialog', { name: 'New broadcast' });
      await composer.getByLabel('Name').fill('Summer AC check');
      await composer.getByRole('textbox', { name: 'Send to' }).click();
      await page.getByRole('option', { name: /Spring customers/ }).click();
      await composer.getByRole('textbox', { name: 'Sender numbers' }).click();
      await page.getByRole('option').first().click();
      await composer
        .getByLabel('Text')
        .fill('Hi {first_name}, beat the heat: AC check-ups are $69 at our {store} shop.');
      // the estimate follows the text after a pause: wait for the preview of what was typed
      await composer.getByTestId('preview').filter({ hasText: 'beat the heat' }).waitFor();
      await page.screenshot({ path: path.join(OUT, 'broadcast-composer-desktop.png') });
      process.stdout.write('  docs/screenshots/broadcast-composer-desktop.png\n');
    }

    await page.goto(`${demo.baseUrl}/users`);
    await page.getByTestId('user-list').waitFor();
    await shoot(page, 'users', viewport.name);
    await page.goto(`${demo.baseUrl}/call-actions`);
    await page.getByTestId('call-actions').waitFor();
    await page.getByTestId('action-outcomes').waitFor();
    await shoot(page, 'call-actions', viewport.name);
    if (viewport.name === 'desktop') {
      await page
        .getByRole('button', { name: /^Edit call action/ })
        .nth(1)
        .click();
      await page.getByTestId('rule-groups').waitFor();
      await shoot(page, 'call-action-form', viewport.name);
      await page.keyboard.press('Escape');
    }
    await page.goto(`${demo.baseUrl}/sources`);
    await page.getByTestId('tags').locator('[data-name]').first().waitFor();
    await shoot(page, 'sources', viewport.name);
    await page.goto(`${demo.baseUrl}/blacklist`);
    await page.getByTestId('blacklist').waitFor();
    await shoot(page, 'blacklist', viewport.name);
    await context.close();
  }
}

async function main(): Promise<void> {
  if (!existsSync(path.join(CONSOLE_DIST_DIR, 'index.html')))
    throw new Error('the console is not built: run `npm run build` first');
  await mkdir(OUT, { recursive: true });
  const now = new Date();
  const messages = await startDemoMessagesApi();
  const demo = await startDemoServer(await freePort(), now, messages.env);
  try {
    process.stdout.write('placing a month of demo calls…\n');
    // only some pictures: three days of calls are enough to fill them
    const data = await populateDemo(demo, now, ONLY.size > 0 ? 3 : 30);
    await prepareReportsDemo(demo);
    await populatePeople(demo);
    await populatePool(demo, now);
    await startLiveCalls(demo, [
      { to: '9495550100', from: '7145550187', webhooks: 1 },
      { to: '9495550101', from: '5625550143', webhooks: 1 },
      { to: '9495550100', from: '3105550199', press: ['2'], webhooks: 2 },
    ]);
    const texts = await populateTexts(demo, messages.api, now);
    process.stdout.write(`${data.calls} calls placed; taking screenshots:\n`);
    const browser = await launchChromium();
    try {
      await shootAll(browser, demo, data, texts);
    } finally {
      await browser.close();
    }
  } finally {
    await demo.close();
    await messages.api.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
