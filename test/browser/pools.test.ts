import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { samplePools } from '../../src/modules/dni/pool-sampler.js';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { accessibilityViolations } from '../helpers/axe.js';
import { launchChromium } from '../helpers/chromium.js';
import { signIn } from '../helpers/console-session.js';
import { testEngine } from '../helpers/db.js';
import { createPoolFlow, dniCodeOf, type PoolFlow, requestNumber } from '../helpers/dni.js';
import { freePort } from '../helpers/process.js';

/**
 * A number pool's card on the Numbers page in headless Chromium against the real app on a real
 * port: its utilisation over time (the sampler's rows), the suggested size, the shared-lease rate
 * and the numbers visitors hold now with their landing page and referrer, each checked against
 * the API; axe-core checks the page.
 */
const CONTEXT = { viewport: { width: 1440, height: 960 }, locale: 'en-US' };
const MINUTE = 60_000;
const SLOT = 15 * MINUTE;

let ctx: TestContext;
let base: string;
let browser: Browser;
let context: BrowserContext | undefined;
let admin: TestUser;
let pool: PoolFlow;
const numbers: string[] = [];

async function openNumbers(): Promise<Page> {
  context = await browser.newContext(CONTEXT);
  const page = await context.newPage();
  await signIn(page, base, admin.email);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Numbers' }).click();
  await page.getByRole('heading', { name: 'Numbers', level: 1 }).waitFor();
  return page;
}

const api = async (url: string) => (await ctx.request('GET', url, { token: admin.token })).body.data;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  ctx = await createTestContext({ PUBLIC_BASE_URL: base, DNI_RATE_LIMIT_PER_MINUTE: '1000' });
  // the browser keeps cookies by its own clock: the app's clock reads the real time
  ctx.clock.set(new Date());
  await ctx.app.listen({ port, host: '127.0.0.1' });
  const h = await ctx.factory.hierarchy();
  admin = h.companyAdmin;
  pool = await createPoolFlow(ctx, admin, 2);
  const code = await dniCodeOf(ctx, h.company);

  // six hours of history, sampled every 15 minutes, busier towards the end
  const now = ctx.clock.now().getTime();
  const slot = Math.floor(now / SLOT) * SLOT;
  for (let i = 24; i >= 1; i--) {
    const leased = Math.min(2, Math.floor((24 - i) / 8));
    await ctx.db.query(
      `insert into number_pool_sample
         (pool_id, sampled_at, size, leased, live_visitors, shared_visitors, leases_started, shared_started)
       values ($1, $2, 2, $3, $4, $5, $6, $7)`,
      [
        pool.poolId,
        new Date(slot - i * SLOT),
        leased,
        leased === 2 ? 3 : leased,
        leased === 2 ? 2 : 0,
        1,
        i === 1 ? 1 : 0,
      ],
    );
  }
  // three visitors now on the two numbers: the last one shares
  const visits = [
    {
      landing: 'https://www.plumbing.example/emergency?utm_source=google',
      referrer: 'https://www.google.com/',
    },
    { landing: 'https://www.plumbing.example/pricing', referrer: 'https://www.bing.com/' },
    { landing: 'https://www.plumbing.example/', referrer: '' },
  ];
  for (const [index, visit] of visits.entries()) {
    const { body } = await requestNumber(ctx.app, {
      code,
      visitor: `pool-card-visitor-${index}`,
      page: visit.landing,
      ...visit,
    });
    numbers.push(body.number as string);
  }
  await samplePools(ctx.db, { now: ctx.clock.now(), sampleMinutes: 15, keepDays: 90 });
  browser = await launchChromium();
}, 300_000);

afterEach(async ({ task }) => {
  const page = context?.pages()[0];
  if (task.result?.state === 'fail' && page)
    await page
      .screenshot({
        path: path.join(tmpdir(), `pools-${testEngine()}-${task.name.slice(0, 30).replace(/\W+/g, '-')}.png`),
      })
      .catch(() => undefined);
  await context?.close();
  context = undefined;
});

afterAll(async () => {
  await browser?.close();
  await ctx?.close();
});

describe(`a number pool's card in Chromium, on ${testEngine()}`, { timeout: 120_000 }, () => {
  it('shows utilisation over time, the suggested size, the shared-lease rate and the numbers leased now', async () => {
    const usage = await api(`/v2/numberpool/usage?id=${pool.poolId}`);
    const week = await api(`/v2/numberpool/usagehistory?id=${pool.poolId}&days=7`);
    const leased = await api(`/v2/numberpool/leases?id=${pool.poolId}`);
    expect(week.samples).toHaveLength(25);
    expect(leased).toHaveLength(2);

    const page = await openNumbers();
    const card = page.locator(`[data-testid="pool"][data-pool-id="${pool.poolId}"]`);
    await card.waitFor();
    await card.getByTestId('leased-now').waitFor();
    expect(await card.getByTestId('suggested-size').textContent()).toContain(String(usage.suggested_size));
    const rate = `${Math.round(week.shared_lease_rate * 1000) / 10}%`;
    await expect.poll(() => card.getByTestId('shared-rate').textContent()).toContain(rate);
    expect(await card.getByTestId('shared-rate').textContent()).toContain(
      `${week.shared_leases} of ${week.leases_started} visitors`,
    );

    // the chart, and its numbers as a table for screen readers: one row per sample
    await card.getByRole('img', { name: /numbers leased over the last 7 days/ }).waitFor();
    expect(await card.locator('table caption').textContent()).toContain('every 15 minutes');
    await expect.poll(() => card.locator('caption + thead + tbody tr').count()).toBe(week.samples.length);

    // the numbers leased now, longest held first, with where the visit came from
    const rows = card.getByTestId('leased-now').locator('tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-number')))).toEqual(
      leased.map((n: { number: string }) => n.number),
    );
    const first = card.locator(`[data-number="${numbers[0]}"]`);
    expect(await first.textContent()).toContain('www.plumbing.example/emergency');
    expect(await first.textContent()).toContain('www.google.com');
    const shared = leased.find((n: { visitors: number }) => n.visitors === 2);
    expect(await card.locator(`[data-number="${shared.number}"]`).textContent()).toContain('2 visitors');
    expect(await accessibilityViolations(page)).toEqual([]);

    // a day: the chart follows the period chosen
    await card
      .getByRole('radiogroup', { name: /Period of the/ })
      .getByText('Day', { exact: true })
      .click();
    await card.getByRole('img', { name: /numbers leased over the last 1 days/ }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});

describe(`a pool flow's DNI settings in the builder, on ${testEngine()}`, { timeout: 120_000 }, () => {
  it('shows the stored setting, refuses what the API refuses as you type, and saves it', async () => {
    const page = await openNumbers();
    await page.goto(`${base}/flows/${pool.callFlowId}`);
    await page.getByRole('tab', { name: 'Settings' }).click();
    const form = page.getByTestId('dni-settings');
    await form.waitFor();
    const ttl = form.getByRole('textbox', { name: /Visitor keeps a number for/ });
    await expect.poll(() => ttl.inputValue()).toBe('30');
    expect(await form.getByRole('textbox', { name: /Website/ }).inputValue()).toBe('*.*');

    // the API's limits, checked in the page: nothing can be sent
    await ttl.fill('10');
    await form.getByText('TTL Value is required and should be greater than 15 minutes.').waitFor();
    const save = form.getByRole('button', { name: 'Save website settings' });
    expect(await save.isDisabled()).toBe(true);
    await form.getByRole('textbox', { name: /Website/ }).fill('not a host');
    await form.getByText('Invalid Destination Url not a host').waitFor();
    await form.getByRole('textbox', { name: /Website/ }).fill('*.plumbing.example');
    await form.getByRole('textbox', { name: /URL parameters/ }).fill('promo;drop');
    await form.getByText('Invalid custom_cookie').waitFor();
    await form.getByRole('textbox', { name: /URL parameters/ }).fill('promo, region');
    await ttl.fill('45');
    expect(await accessibilityViolations(page)).toEqual([]);
    await save.click();
    await form.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    expect(await api(`/v2/callflow/dnisetting?id=${pool.callFlowId}`)).toMatchObject({
      destination_url: '*.plumbing.example',
      custom_cookie: 'promo, region',
      TTL: 45,
    });
    // as V2 does, the pool keeps its visitors as long as the setting says
    expect((await api(`/v2/numberpool/usage?id=${pool.poolId}`)).keep_alive_minutes).toBe(45);
  });
});
