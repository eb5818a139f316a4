import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../helpers/axe.js';
import { launchChromium } from '../helpers/chromium.js';
import { signIn } from '../helpers/console-session.js';
import { createEmptyDatabase, testEngine } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';

/**
 * The builder without a mouse, and the single-level IVR drawn as a graph: the real server serving
 * the built console, Chromium driven by the keyboard alone once signed in, and what is stored
 * checked through the API.
 */
const PASSWORD = 'builder-keyboard-test-password';
const CLIENT = { client_id: 'switchboard', client_secret: 'builder-keyboard-test-client-secret' };
const CONTEXT = { viewport: { width: 1440, height: 960 }, locale: 'en-US', timezoneId: 'America/Denver' };

let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let server: ServerProcess;
let base: string;
let token: string;
let browser: Browser;
let page: Page;
const ids = { company: 0, campaign: 0, singleLevel: 0 };

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

const getFlow = (id: number) => api<Record<string, unknown>>('GET', `/v2/callflow?id=${id}`);
const storedDocument = async (id: number) =>
  (await api<{ document: Record<string, unknown> }[]>('GET', `/v2/callflow/history?id=${id}`)).at(-1)
    ?.document;

/** the page's globals this file reads (the tests compile without the DOM's types) */
interface PageGlobals {
  document: { activeElement: unknown };
  getComputedStyle(element: unknown): { outlineStyle: string };
}

const isFocused = (target: Locator) =>
  target.evaluate((element) => element === (globalThis as unknown as PageGlobals).document.activeElement);

/** Tab (or Shift+Tab) until `target` has the focus, as a keyboard user would; fails after `max` presses. */
async function tabTo(target: Locator, { back = false, max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await isFocused(target)) return;
  }
  throw new Error(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} did not reach ${target}`);
}

/** In an open Mantine select (focused), Down until `option` is the highlighted one, then Enter. */
async function pickWithArrows(option: string) {
  await page.keyboard.press('ArrowDown');
  for (let i = 0; i < 15; i++) {
    const highlighted = page.locator('[data-combobox-selected]');
    if ((await highlighted.count()) > 0 && (await highlighted.first().textContent())?.trim() === option) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`the option ${option} was never highlighted`);
}

const panel = () => page.getByTestId('builder-panel');
const outline = () => page.getByTestId('outline');
const field = (label: string) => panel().getByRole('textbox', { name: label, exact: true });
const heading = (name: string) => panel().getByRole('heading', { name, exact: true });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-builder-keyboard-'));
  database = await createEmptyDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServer({
    DATA_DIR: dataDir,
    PORT: String(port),
    SWITCHBOARD_ADMIN_PASSWORD: PASSWORD,
    SWITCHBOARD_OAUTH_CLIENT_SECRET: CLIENT.client_secret,
    OAUTH_RATE_LIMIT_PER_MINUTE: '200',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
  });
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
  const groups = await api<{ group_id: number; group_name: string }[]>('GET', '/v2/group/list');
  ids.company = (groups.find((g) => g.group_name === 'Demo Company') as { group_id: number }).group_id;
  const [campaign] = await api<{ data: number }[]>('POST', '/v2/campaign', [
    {
      campaign_name: 'Keyboard campaign',
      campaign_start_date: '2026-01-01T00:00:00Z',
      campaign_owner_user_id: 1,
      group_id: ids.company,
    },
  ]);
  ids.campaign = Number(campaign?.data);
  await api('POST', '/v2/number/reserve', [{ number: '8015550141' }]);
  const [single] = await api<{ result: string; data: string }[]>(
    'POST',
    '/v2/callflow',
    [SINGLE_LEVEL].map((flow) => ({ ...flow, group_id: ids.company, campaign_id: ids.campaign })),
  );
  expect(single, JSON.stringify(single)).toMatchObject({ result: 'success' });
  ids.singleLevel = Number(single?.data);
  const context = await browser.newContext(CONTEXT);
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  await signIn(page, base, 'admin@example.com', PASSWORD);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A single-level IVR in V2's QA spelling: `Key`, `name`, `route_type`, a hang-up by target. */
const SINGLE_LEVEL = {
  call_flow_name: 'One-level menu',
  call_flow_status: 'active',
  channel_id: 7,
  routable_type: 'ivr',
  message: 'For sales press 1, for support press 2, to hang up press 3.',
  number: { phone_number: 8015550140 },
  ivrs: [
    {
      Key: 1,
      name: 'Sales',
      message_enabled: true,
      message: 'Connecting you to sales.',
      route_type: 'Simple',
      record_enabled: true,
      play_disclaimer: 'before',
      target_did: '8015550160',
    },
    { Key: 2, name: 'Support', route_type: 'Voicemail', message: 'Leave a message for support.' },
    { Key: 3, name: 'Goodbye', route_type: 'Simple', target_did: 'hangup' },
  ],
};

describe(`the builder by keyboard, on ${testEngine()}`, { timeout: 120_000 }, () => {
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page && !page.isClosed())
      await page
        .screenshot({
          path: path.join(
            tmpdir(),
            `builder-keyboard-${testEngine()}-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`,
          ),
        })
        .catch(() => {});
  });

  it('builds a two-level menu with a ring route without a mouse, and stores exactly that', async () => {
    await page.goto(`${base}/flows/new?group=${ids.company}&campaign=${ids.campaign}`);
    await page.getByRole('heading', { name: 'New call flow' }).waitFor();

    // the outline view: its switch, then the outline (one tab stop), then the side panel
    await tabTo(page.getByRole('radio', { name: 'Graph' }));
    await page.keyboard.press('ArrowRight');
    await outline().waitFor();
    await page.keyboard.press('Tab');
    expect(await isFocused(outline().getByRole('button', { name: /^Main menu/ }))).toBe(true);
    // the focus is drawn
    expect(
      await page.evaluate(() => {
        const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
        return getComputedStyle(document.activeElement).outlineStyle;
      }),
    ).not.toBe('none');
    await page.keyboard.press('Tab');
    expect(await isFocused(page.getByRole('tab', { name: 'Selected' }))).toBe(true);

    // the flow's settings: name and tracking number
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Settings', selected: true }).waitFor();
    await tabTo(field('Name'));
    await page.keyboard.type('Built by keyboard');
    await tabTo(field('Tracking number'));
    await page.keyboard.type('0141');
    // the group's numbers come from the API: a person waits until the number is listed
    await page.getByRole('option', { name: /555-0141/ }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => field('Tracking number').inputValue()).toContain('555-0141');

    // back to the top menu: its prompt, then a first option that rings a number
    await tabTo(page.getByRole('tab', { name: 'Settings' }), { back: true });
    await page.keyboard.press('ArrowLeft');
    await page.getByRole('tab', { name: 'Selected', selected: true }).waitFor();
    await tabTo(field('What the caller hears first'));
    await page.keyboard.type('For sales press 1, for service press 2.');
    await tabTo(panel().getByRole('button', { name: 'Add an option' }));
    await page.keyboard.press('Enter');
    // the new option's heading takes the focus: the next Tab goes on into its fields
    await expect.poll(() => isFocused(heading('Ring a number'))).toBe(true);
    await tabTo(field('Name in reports'));
    await page.keyboard.type('Sales');
    await tabTo(field('Ring'));
    await page.keyboard.type('8015550110');

    // an option added by mistake is deleted, and the focus lands on its menu
    await tabTo(outline().getByRole('button', { name: /^Press 1: Sales/ }), { back: true });
    await page.keyboard.press('ArrowUp');
    expect(await isFocused(outline().getByRole('button', { name: /^Main menu/ }))).toBe(true);
    await page.keyboard.press('Enter');
    await heading('Main menu').waitFor();
    await tabTo(panel().getByRole('button', { name: 'Add an option' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => isFocused(heading('Ring a number'))).toBe(true);
    await tabTo(panel().getByRole('button', { name: 'Delete option 2' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => isFocused(heading('Main menu'))).toBe(true);
    expect(await outline().getByRole('button').count()).toBe(2);

    // a second option that opens a sub-menu with one option of its own and a key back
    await tabTo(panel().getByRole('button', { name: 'Add an option' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => isFocused(heading('Ring a number'))).toBe(true);
    await tabTo(field('Name in reports'));
    await page.keyboard.type('Service');
    await tabTo(field('What it does'), { back: true });
    await pickWithArrows('Sub-menu');
    await expect.poll(() => field('What it does').inputValue()).toBe('Sub-menu');
    await tabTo(field('Menu prompt'));
    await page.keyboard.type('For repairs press 1, to go back press 9.');
    await tabTo(panel().getByRole('button', { name: 'Add an option' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => isFocused(heading('Ring a number'))).toBe(true);
    await tabTo(field('Name in reports'));
    await page.keyboard.type('Repairs');
    await tabTo(field('Ring'));
    await page.keyboard.type('8015550120');

    await tabTo(outline().getByRole('button', { name: /^Press 1: Repairs/ }), { back: true });
    await page.keyboard.press('ArrowLeft');
    expect(await isFocused(outline().getByRole('button', { name: /^Press 2: Service/ }))).toBe(true);
    await page.keyboard.press('Enter');
    await heading('Service').waitFor();
    await tabTo(field('Key to go back to the previous menu'));
    await pickWithArrows('9');
    await expect.poll(() => field('Key to go back to the previous menu').inputValue()).toBe('9');

    expect(await page.getByTestId('issue-count').count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await tabTo(page.getByRole('button', { name: 'Save' }), { back: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/flows\/\d+/);
    const id = Number(/\/flows\/(\d+)/.exec(page.url())?.[1]);

    expect(await getFlow(id)).toMatchObject({
      call_flow_name: 'Built by keyboard',
      routable_type: 'IvrRoute2',
      dnis: '8015550141',
      message: 'For sales press 1, for service press 2.',
    });
    expect(await storedDocument(id)).toEqual({
      call_flow_name: 'Built by keyboard',
      call_flow_status: 'active',
      group_id: ids.company,
      campaign_id: ids.campaign,
      channel_id: 35,
      message: 'For sales press 1, for service press 2.',
      number: { phone_number: '8015550141' },
      ivrs: [
        { key: 1, action: 'simple', destination: 'Sales', target_did: '8015550110' },
        {
          key: 2,
          action: 'interactiveVoice',
          destination: 'Service',
          message: 'For repairs press 1, to go back press 9.',
          ivrData: [
            { key: 1, action: 'simple', destination: 'Repairs', target_did: '8015550120', go_back_key: 9 },
          ],
        },
      ],
    });
  });

  it('draws a single-level IVR as a graph, and saves an edit onto its items in their own spelling', async () => {
    await page.goto(`${base}/flows/${ids.singleLevel}?group=${ids.company}`);
    await page.getByRole('heading', { name: 'One-level menu' }).waitFor();
    const before = (await storedDocument(ids.singleLevel)) as Record<string, unknown> & {
      ivrs: Record<string, unknown>[];
    };
    const canvas = page.getByTestId('flow-canvas');
    // the top menu and its three options, each edge labelled with its key
    await expect.poll(() => canvas.locator('.react-flow__node').count()).toBe(4);
    for (const key of ['1', '2', '3'])
      await canvas
        .locator('.react-flow__edge-text')
        .filter({ hasText: `Press ${key}` })
        .waitFor();
    await canvas.getByRole('group', { name: 'Press 3: Goodbye' }).waitFor();
    // the builder fits the window: the graph's own controls, not the page, scroll
    expect(
      await page.evaluate(() => {
        const { document, innerHeight } = globalThis as unknown as {
          document: { documentElement: { scrollHeight: number } };
          innerHeight: number;
        };
        return document.documentElement.scrollHeight - innerHeight;
      }),
    ).toBeLessThanOrEqual(0);
    // a single level: an option cannot open a sub-menu
    await canvas.getByRole('group', { name: 'Press 2: Support' }).click();
    await heading('Support').waitFor();
    await panel().getByRole('textbox', { name: 'What it does', exact: true }).click();
    expect(await page.getByRole('option', { name: 'Sub-menu' }).count()).toBe(0);
    await page.keyboard.press('Escape');

    await field('Name in reports').fill('Customer support');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    // what the server stored, in its own order, but for the one name: byte for byte
    const [sales, support, goodbye] = before.ivrs;
    expect(JSON.stringify(await storedDocument(ids.singleLevel))).toBe(
      JSON.stringify({ ...before, ivrs: [sales, { ...support, name: 'Customer support' }, goodbye] }),
    );
    expect(before.routable_type).toBe('ivr');
    expect(before.ivrs[0]).toMatchObject({ Key: 1, route_type: 'Simple', target_did: '8015550160' });
    expect(await getFlow(ids.singleLevel)).toMatchObject({ routable_type: 'IvrRoute2', version: 2 });
  });
});
