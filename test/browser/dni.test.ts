import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { launchChromium, launchPersistentChromium } from '../helpers/chromium.js';
import { createPoolFlow, type PoolFlow } from '../helpers/dni.js';
import { freePort } from '../helpers/process.js';

/**
 * The snippet in a real browser: headless Chromium (from `npm ci`, see helpers/chromium.ts; driven
 * by playwright-core) opens a page of a customer's site served by a local server, dni.js swaps the
 * page's number for a pool number (also in content added after load and in its tel: link), and a
 * simulated call to that number is attributed to that visit.
 */
const SITE_NUMBER = '(800) 555-0199';
/** Evaluated in the page: dni.js has swapped the header's number. */
const SWAPPED = "document.querySelector('#header .dni_element').hasAttribute('data-sb-dni')";

let ctx: TestContext;
let admin: TestUser;
let pool: PoolFlow;
let base: string;
let site: Server;
let siteBase: string;
let userDataDir: string;
let browser: BrowserContext;

/** A page of the customer's site: the snippet, a number in the class, a tel: link, late content. */
const pageHtml = (snippet: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>Plumbing</title>${snippet}</head>
<body>
  <p id="header">Call us: <strong><span class="dni_element">${SITE_NUMBER}</span></strong></p>
  <a id="call" href="tel:+18005550199">Call now</a>
  <p id="other">Fax: (800) 555-0100</p>
  <script>
    setTimeout(function () {
      var late = document.createElement('div');
      late.id = 'late';
      late.innerHTML = '<span class="dni_element">800.555.0199</span> <a id="late-call" href="tel:8005550199">call</a>';
      document.body.appendChild(late);
    }, 300);
  </script>
</body></html>`;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  ctx = await createTestContext({ PUBLIC_BASE_URL: base });
  await ctx.app.listen({ port, host: '127.0.0.1' });
  admin = await ctx.factory.user(await ctx.factory.group());
  pool = await createPoolFlow(ctx, admin, 3, { custom_cookie: 'promo' });

  const { body } = await ctx.request('GET', `/v2/group/dnisnippet?id=${admin.group_id}`, {
    token: admin.token,
  });
  const snippet = body.data[0][String(admin.group_id)] as string;
  site = createServer((request, response) => {
    if (request.url?.startsWith('/favicon')) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pageHtml(snippet));
  });
  const sitePort = await freePort();
  await new Promise<void>((resolve) => site.listen(sitePort, '127.0.0.1', resolve));
  siteBase = `http://127.0.0.1:${sitePort}`;

  userDataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-chromium-'));
  browser = await launchPersistentChromium(userDataDir);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
  await ctx?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

const reshaped = (number: string, shape: 'paren' | 'dots') =>
  shape === 'paren'
    ? `(${number.slice(0, 3)}) ${number.slice(3, 6)}-${number.slice(6)}`
    : `${number.slice(0, 3)}.${number.slice(3, 6)}.${number.slice(6)}`;

describe('dni.js in Chromium', () => {
  it('shows a pool number on the page, also in content added after load, and the call to it is attributed to the visit', async () => {
    const page = await browser.newPage();
    const landing = `${siteBase}/landing?utm_source=newsletter&utm_medium=email&utm_campaign=spring&gclid=BROWSER1&promo=TEN`;
    await page.goto(landing);

    await page.waitForFunction(SWAPPED, undefined, { timeout: 15_000 });
    const number = (await page.getAttribute('#header .dni_element', 'data-sb-dni')) as string;
    expect(pool.numbers).toContain(number);
    expect(await page.textContent('#header .dni_element')).toBe(reshaped(number, 'paren'));
    expect(await page.getAttribute('#call', 'href')).toBe(`tel:+1${number}`);
    expect(await page.textContent('#other')).toBe('Fax: (800) 555-0100');

    await page.waitForSelector('#late .dni_element[data-sb-dni]', { timeout: 15_000 });
    expect(await page.textContent('#late .dni_element')).toBe(reshaped(number, 'dots'));
    expect(await page.getAttribute('#late-call', 'href')).toBe(`tel:+1${number}`);

    // the first-party visitor id, in a cookie and in localStorage
    const visitor = await page.evaluate("window.localStorage.getItem('sb_dni_vid')");
    expect(visitor).toMatch(/^[0-9a-f]{32}$/);
    const cookies = await browser.cookies(siteBase);
    expect(cookies.find((cookie) => cookie.name === 'sb_dni_vid')?.value).toBe(visitor);

    // a reload is the same visit and keeps the number
    await page.reload();
    await page.waitForFunction(SWAPPED, undefined, { timeout: 15_000 });
    expect(await page.getAttribute('#header .dni_element', 'data-sb-dni')).toBe(number);

    await createCarrier(ctx.app, base).call({ to: number, from: '7145559876', answer: 'none' });
    const { rows } = await ctx.db.query(
      `select a.confidence, a.visitor_id, a.landing_page, a.utm_source, a.utm_medium, a.utm_campaign, a.gclid,
              a.custom_params
         from call_attribution a join call c on c.call_id = a.call_id where c.tracking_number = $1`,
      [number],
    );
    expect(rows).toEqual([
      {
        confidence: 'exact',
        visitor_id: visitor,
        landing_page: landing,
        utm_source: 'newsletter',
        utm_medium: 'email',
        utm_campaign: 'spring',
        gclid: 'BROWSER1',
        custom_params: { promo: 'TEN' },
      },
    ]);
    await page.close();
  });

  it('gives a second visitor (another browser profile) a different number', async () => {
    const other = await launchChromium();
    try {
      const page = await other.newPage();
      await page.goto(`${siteBase}/`);
      await page.waitForFunction(SWAPPED, undefined, { timeout: 15_000 });
      const number = await page.getAttribute('#header .dni_element', 'data-sb-dni');
      expect(pool.numbers).toContain(number);
      const { rows } = await ctx.db.query<{ number: string }>(
        `select p.number from dni_lease l join phone_number p on p.phone_number_id = l.phone_number_id
          where l.pool_id = $1 order by l.lease_id`,
        [pool.poolId],
      );
      expect(rows.map((row) => row.number)).toEqual([rows[0]?.number, number]);
      expect(rows[0]?.number).not.toBe(number);
    } finally {
      await other.close();
    }
  });
});
