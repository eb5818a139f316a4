import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { simulateCall } from '../../src/telephony/simulator.js';
import { accessibilityViolations } from '../helpers/axe.js';
import { launchChromium } from '../helpers/chromium.js';
import { signIn } from '../helpers/console-session.js';
import { createEmptyDatabase, testEngine } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';

/**
 * The call-flow pages end to end: the real server process serving the built console, Chromium
 * driving the flows list and the builder as a person would, and every result checked through the
 * API: the document the builder stores, the path "try a call" shows, the versions it restores.
 */
const PASSWORD = 'builder-test-password';
const CARRIER_TOKEN = 'builder-test-carrier-token';
const CLIENT = { client_id: 'switchboard', client_secret: 'builder-test-client-secret' };
const CONTEXT = { viewport: { width: 1440, height: 960 }, locale: 'en-US', timezoneId: 'America/Denver' };
/** what GET /v2/callflow answers differently after any save */
const PER_SAVE = ['version', 'updated_at'];

let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let server: ServerProcess;
let base: string;
let token: string;
let browser: Browser;
const ids = { company: 0, campaign: 0, apiFlow: 0, call: 0 };

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
const without = (record: Record<string, unknown>, fields: string[]) =>
  Object.fromEntries(Object.entries(record).filter(([key]) => !fields.includes(key)));

/** A Mantine select: open it by its label, pick the option by its text. */
async function choose(scope: Page | Locator, page: Page, label: string, option: string) {
  await scope.getByRole('textbox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** A segmented control's choice, clicked by its label as a person would. */
const segment = (page: Page, label: string) =>
  page
    .locator('.mantine-SegmentedControl-label')
    .filter({ hasText: new RegExp(`^${label}$`) })
    .click();

/** The API-made flow: three menu levels, a go-back key, hunting, a schedule and numbers as integers. */
const API_FLOW = {
  call_flow_name: 'Plumbing main line',
  call_flow_status: 'active',
  repeat_interval: 72,
  call_value: 25,
  channel_id: 7,
  message: 'Thanks for calling Acme Plumbing. For sales press 1, for service press 2.',
  email_to_notify: 'office@example.com',
  voicemail_rings: 4,
  spam_filter_enabled: false,
  referral_number: 8015550199,
  number: { phone_number: 8015550140 },
  ivrs: [
    {
      key: 1,
      action: 'simple',
      destination: 'Sales',
      target_did: 8015550110,
      isSimultaneous: false,
      overflowNumbers: [{ overflowNumber: 8015550111, rings: 3 }],
      record_enabled: true,
      play_disclaimer: 'before',
      whisper_enabled: true,
      whisper_message: 'Sales call from the website',
    },
    {
      key: 2,
      action: 'interactiveVoice',
      destination: 'Service',
      message: 'For repairs press 1, for billing press 2, to go back press 9.',
      ivrData: [
        {
          key: 1,
          action: 'interactiveVoice',
          destination: 'Repairs',
          message: 'For an emergency press 1, to book a visit press 2.',
          go_back_key: 9,
          ivrData: [
            { key: 1, action: 'simple', destination: 'Emergency', target_did: 8015550120, go_back_key: 0 },
            {
              key: 2,
              action: 'schedule',
              destination: 'Booking',
              scheduleRoute: {
                timezone: 'Mountain',
                default_ringto: 8015550122,
                schedules: [
                  {
                    schedule_days: [{ id: 'Weekdays' }],
                    schedule_start_time: '08:00',
                    schedule_end_time: '17:00',
                    ring_to: 8015550121,
                  },
                ],
              },
            },
          ],
        },
        { key: 2, action: 'voicemail', destination: 'Billing', message: 'Leave your account number.' },
      ],
    },
  ],
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-builder-'));
  database = await createEmptyDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServer({
    DATA_DIR: dataDir,
    PORT: String(port),
    SWITCHBOARD_ADMIN_PASSWORD: PASSWORD,
    SWITCHBOARD_OAUTH_CLIENT_SECRET: CLIENT.client_secret,
    OAUTH_RATE_LIMIT_PER_MINUTE: '200',
    TWILIO_AUTH_TOKEN: CARRIER_TOKEN,
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
      campaign_name: 'Spring promo',
      campaign_start_date: '2026-01-01T00:00:00Z',
      campaign_owner_user_id: 1,
      group_id: ids.company,
    },
  ]);
  ids.campaign = Number(campaign?.data);
  // numbers the builder offers as tracking numbers
  await api('POST', '/v2/number/reserve', [
    { number: '8015550141' },
    { number: '8015550142' },
    { number: '8015550143' },
  ]);
  const [created] = await api<{ result: string; data: string }[]>('POST', '/v2/callflow/multilevelivr', [
    { ...API_FLOW, group_id: ids.company, campaign_id: ids.campaign },
  ]);
  expect(created?.result).toBe('success');
  ids.apiFlow = Number(created?.data);
  // one call through the carrier webhooks: the dashboard has a chart, the flow a call this week
  await simulateCall(
    { to: '8015550140', from: '2125550101', press: ['1'], answer: 'first' },
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
  const [call] = await api<{ call_id: number }[]>('GET', '/v2/call/list');
  ids.call = Number(call?.call_id);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe(`the call-flow builder in Chromium, on ${testEngine()}`, { timeout: 120_000 }, () => {
  let context: BrowserContext;
  let page: Page;
  const panel = () => page.getByTestId('builder-panel');
  const outlineItem = (name: string | RegExp) => page.getByTestId('outline').getByRole('button', { name });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page && !page.isClosed())
      await page
        .screenshot({
          path: path.join(
            tmpdir(),
            `builder-test-${testEngine()}-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`,
          ),
        })
        .catch(() => {});
  });

  it('lists the flows of the group with their number, route, status and calls, and opens one', async () => {
    context = await browser.newContext(CONTEXT);
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    await signIn(page, base, 'admin@example.com', PASSWORD);
    // part 1's polish: the chart's legend shows no "label:" without a value, and the navbar's
    // column is drawn down the whole main area (a long page no longer ends it mid-page)
    await page.locator('.u-legend th').first().waitFor({ state: 'attached' });
    const colons = (await page.evaluate(
      `[...document.querySelectorAll('.u-legend th')].map((th) => getComputedStyle(th, '::after').content)`,
    )) as string[];
    expect(colons.length).toBeGreaterThan(1);
    expect(colons.filter((content) => content !== 'none')).toEqual([]);
    const main = (await page.evaluate(
      `getComputedStyle(document.querySelector('.sb-main')).backgroundImage`,
    )) as string;
    expect(main).toContain('linear-gradient');

    // call details name the caller's place, not a bare region code ("NY")
    await page.goto(`${base}/calls/${ids.call}`);
    const location = page.getByText('Location', { exact: true }).locator('xpath=..');
    await expect.poll(() => location.textContent()).toMatch(/^Location(New York|.+, NY)$/);

    await page.getByRole('link', { name: 'Call flows' }).click();
    const row = page.locator(`[data-flow-id="${ids.apiFlow}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Plumbing main line');
    expect(await row.textContent()).toContain('(801) 555-0140');
    expect(await row.textContent()).toContain('Phone menu (IVR)');
    expect(await row.textContent()).toContain('active');
    expect(await row.locator('td').nth(4).textContent()).toBe('1');
    expect(await accessibilityViolations(page)).toEqual([]);

    // a flow that cannot be read (fetched ahead by the route, then asked again by the page) says so
    await page.goto(`${base}/flows/999999?group=${ids.company}`);
    const refused = page.getByRole('alert').filter({ hasText: 'This call flow could not be opened' });
    await refused.waitFor();
    expect(await refused.textContent()).toContain('No record found');
    await page.goto(`${base}/flows?group=${ids.company}`);

    await row.getByRole('link', { name: 'Plumbing main line' }).click();
    await page.getByRole('heading', { name: 'Plumbing main line' }).waitFor();
    // the graph: a node per option, keys on the edges, the go-back key as an edge up
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);
    // the edges (and their key labels) are drawn after the nodes are measured
    await expect
      .poll(() => page.locator('.react-flow__edge-textwrapper').allTextContents(), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(['Press 1', 'Press 2', 'Press 9: back', 'Press 0: back']));
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('saves a flow made through the API back unchanged but for the edit, and restores the old version', async () => {
    const before = await getFlow(ids.apiFlow);
    const storedBefore = await storedDocument(ids.apiFlow);
    const prompt = panel().getByRole('textbox', { name: 'What the caller hears first' });
    await prompt.fill('Thanks for calling Acme. For sales press 1, for service press 2.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const after = await getFlow(ids.apiFlow);
    expect(after.message).toBe('Thanks for calling Acme. For sales press 1, for service press 2.');
    expect(after.version).toBe(Number(before.version) + 1);
    // every other field GET answers is byte for byte what it was
    expect(JSON.stringify(without(after, [...PER_SAVE, 'message']))).toBe(
      JSON.stringify(without(before, [...PER_SAVE, 'message'])),
    );

    await page.getByRole('tab', { name: 'Versions' }).click();
    await page.getByRole('button', { name: 'Compare versions side by side' }).click();
    await expect
      .poll(() => page.getByTestId('diff-left').textContent())
      .toContain('Thanks for calling Acme Plumbing.');
    expect(await page.getByTestId('diff-right').textContent()).toContain(
      'Thanks for calling Acme. For sales',
    );
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Restore version 1' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const restored = await getFlow(ids.apiFlow);
    expect(restored.version).toBe(Number(before.version) + 2);
    expect(JSON.stringify(without(restored, PER_SAVE))).toBe(JSON.stringify(without(before, PER_SAVE)));
    expect(JSON.stringify(await storedDocument(ids.apiFlow))).toBe(JSON.stringify(storedBefore));
  });

  it('shows an invalid edit on its node as it is typed, with the API’s own words, and refuses to save it', async () => {
    await segment(page, 'Outline');
    await outlineItem(/^Press 1: Sales/).click();
    await panel().getByRole('textbox', { name: 'Ring', exact: true }).fill('12345');
    await expect
      .poll(() => panel().getByTestId('node-issues').textContent())
      .toContain('target_did 12345 is not a valid 10-digit phone number');
    expect(await outlineItem(/^Press 1: Sales/).textContent()).toContain('1 to fix');
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await segment(page, 'Graph');
    await expect.poll(() => page.locator('.react-flow__node [data-invalid]').count()).toBe(1);
    expect(await page.locator('.react-flow__node [data-invalid]').textContent()).toContain('Sales');
    // fixed, it is valid again and nothing is left to save
    await panel().getByRole('textbox', { name: 'Ring', exact: true }).fill('8015550110');
    await expect.poll(() => page.locator('.react-flow__node [data-invalid]').count()).toBe(0);

    // what only the server can judge (a location of your groups) comes back on the node too
    await choose(panel(), page, 'What it does', 'Nearest location');
    await panel().getByRole('textbox', { name: 'Location (set of branches)' }).fill('999');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByTestId('save-error').textContent())
      .toContain('location_id 999 is not a location you can access');
    expect(await page.locator('.react-flow__node [data-invalid]').textContent()).toContain('Sales');
    expect(await panel().getByTestId('node-issues').textContent()).toContain('location_id 999');
    expect((await getFlow(ids.apiFlow)).version).toBe(3);
  });

  it('tries a call with the keypad and lights the path the simulator reports; a node says which keys reach it', async () => {
    await page.getByRole('tab', { name: 'Try a call' }).click();
    const keypad = page.getByRole('group', { name: 'Keypad' });
    await keypad.getByRole('button', { name: 'Press 2' }).click();
    await keypad.getByRole('button', { name: 'Press 1' }).click();
    await keypad.getByRole('button', { name: 'Press 1' }).click();
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await page.getByTestId('call-outcome').waitFor();
    const simulated = await api<{ trail: string[]; outcome: string; steps: { kind: string }[] }>(
      'POST',
      '/v2/callflow/simulate',
      { call_flow_id: ids.apiFlow, from: '2125550100', press: ['2', '1', '1'], answer: 'first' },
    );
    expect(simulated.outcome).toBe('answered');
    expect(await page.getByTestId('call-outcome').textContent()).toBe('Answered');
    expect(await page.getByTestId('call-result').locator('[data-kind]').count()).toBe(simulated.steps.length);
    // step through the path: the last step is at the Emergency option
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Next step' }).click();
    const onPath = await page.locator('.react-flow__node [data-on-path]').allTextContents();
    expect(onPath).toHaveLength(4);
    expect(onPath.join('|')).toMatch(/Main menu.*Service.*Repairs.*Emergency/);
    expect(await page.locator('.react-flow__node [data-current]').textContent()).toContain('Emergency');
    expect(simulated.trail.filter((id) => /^m(\.\d)*$/.test(id))).toEqual(['m', 'm.2', 'm.2.1', 'm.2.1.1']);

    await page.locator('.react-flow__node').filter({ hasText: 'Booking' }).click();
    expect(await panel().getByTestId('reached-by').textContent()).toBe(
      'Callers reach it by pressing 2 then 1 then 2',
    );
  });

  it('builds a three-level menu from an empty canvas and stores exactly the document built', async () => {
    await page.goto(`${base}/flows/new?group=${ids.company}&campaign=${ids.campaign}`);
    await page.getByRole('heading', { name: 'New call flow' }).waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await panel().getByRole('textbox', { name: 'Name', exact: true }).fill('Built in the browser');
    await choose(panel(), page, 'Tracking number', '(801) 555-0141 · SALT LAKE CITY, UT');
    await page.getByRole('tab', { name: 'Selected' }).click();
    await panel()
      .getByRole('textbox', { name: 'What the caller hears first' })
      .fill('For sales press 1, for service press 2.');

    const addOption = () => panel().getByRole('button', { name: 'Add an option' }).click();
    const fill = (label: string, value: string) =>
      panel().getByRole('textbox', { name: label, exact: true }).fill(value);
    await segment(page, 'Outline');

    await addOption();
    await fill('Name in reports', 'Sales');
    await fill('Ring', '8015550110');
    await panel().getByRole('button', { name: 'Add a number' }).click();
    await panel().getByRole('textbox', { name: 'Overflow number 1', exact: true }).fill('8015550111');

    await outlineItem('Main menu').click();
    await addOption();
    await fill('Name in reports', 'Service');
    await choose(panel(), page, 'What it does', 'Sub-menu');
    await fill('Menu prompt', 'For repairs press 1, for billing press 2.');
    await addOption();
    await fill('Name in reports', 'Repairs');
    await choose(panel(), page, 'What it does', 'Sub-menu');
    await fill('Menu prompt', 'For an emergency press 1.');
    await addOption();
    await fill('Name in reports', 'Emergency');
    await fill('Ring', '8015550120');
    await outlineItem(/^Press 1: Repairs/).click();
    await choose(panel(), page, 'Key to go back to the previous menu', '9');
    await outlineItem(/^Press 2: Service/).click();
    await addOption();
    await fill('Name in reports', 'Billing');
    await choose(panel(), page, 'What it does', 'Voicemail');
    await fill('What the caller hears', 'Leave your account number.');

    expect(await page.getByTestId('issue-count').count()).toBe(0);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/flows\/\d+/);
    const id = Number(/\/flows\/(\d+)/.exec(page.url())?.[1]);
    expect(await storedDocument(id)).toEqual({
      call_flow_name: 'Built in the browser',
      call_flow_status: 'active',
      group_id: ids.company,
      campaign_id: ids.campaign,
      channel_id: 35,
      message: 'For sales press 1, for service press 2.',
      number: { phone_number: '8015550141' },
      ivrs: [
        {
          key: 1,
          action: 'simple',
          destination: 'Sales',
          target_did: '8015550110',
          overflowNumbers: [{ overflowNumber: '8015550111', rings: 3 }],
        },
        {
          key: 2,
          action: 'interactiveVoice',
          destination: 'Service',
          message: 'For repairs press 1, for billing press 2.',
          ivrData: [
            {
              key: 1,
              action: 'interactiveVoice',
              destination: 'Repairs',
              message: 'For an emergency press 1.',
              ivrData: [
                {
                  key: 1,
                  action: 'simple',
                  destination: 'Emergency',
                  target_did: '8015550120',
                  go_back_key: 9,
                },
              ],
            },
            { key: 2, action: 'voicemail', destination: 'Billing', message: 'Leave your account number.' },
          ],
        },
      ],
    });
    const flow = await getFlow(id);
    expect(flow).toMatchObject({
      call_flow_name: 'Built in the browser',
      routable_type: 'IvrRoute2',
      dnis: '8015550141',
    });
  });

  it('deletes a flow and restores it onto its number from the Deleted list', async () => {
    await page.goto(`${base}/flows?group=${ids.company}`);
    const row = page.locator(`[data-flow-id="${ids.apiFlow}"]`);
    await row.getByRole('button', { name: 'Actions for Plumbing main line' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await getFlow(ids.apiFlow)).call_flow_status).toBe('deleted');

    await segment(page, 'Deleted');
    await page.locator(`[data-flow-id="${ids.apiFlow}"]`).getByRole('button', { name: 'Restore' }).click();
    // its number went back to the reserved numbers, so it is offered first
    const dialog = page.getByRole('dialog');
    await expect
      .poll(() => dialog.getByRole('textbox', { name: 'Tracking number' }).inputValue())
      .toBe('(801) 555-0140');
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await page.waitForURL(/\/flows\/\d+/);
    const id = Number(/\/flows\/(\d+)/.exec(page.url())?.[1]);
    expect(id).not.toBe(ids.apiFlow);
    const restored = await getFlow(id);
    expect(restored).toMatchObject({
      call_flow_name: 'Plumbing main line',
      call_flow_status: 'active',
      dnis: '8015550140',
    });
    const { number: _n, ...original } = API_FLOW;
    expect(without((await storedDocument(id)) ?? {}, ['number'])).toEqual(
      expect.objectContaining({ ...original, group_id: ids.company, campaign_id: ids.campaign }),
    );
  });
  it('finds a number, reserves it, and shows which flow uses each number and the website snippet', async () => {
    await page.getByRole('link', { name: 'Numbers' }).click();
    await page.getByRole('heading', { name: 'Numbers', exact: true }).waitFor();
    const mine = page.getByTestId('my-numbers');
    // the restored flow took its number back: it is on the flow, no longer only reserved
    await expect.poll(() => mine.locator('[data-number="8015550140"]').count()).toBe(1);
    expect(await mine.locator('[data-number="8015550140"]').textContent()).toContain('Plumbing main line');
    expect(await mine.locator('[data-number="8015550142"]').textContent()).toContain(
      'Reserved, on no flow yet',
    );

    await page.getByRole('textbox', { name: 'Area code' }).fill('8O1');
    await expect.poll(() => page.getByText('Three digits, 2-9 first').count()).toBe(1);
    await page.getByRole('textbox', { name: 'Area code' }).fill('801');
    await page.getByRole('textbox', { name: 'Digits' }).fill('*0148');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Reserve (801) 555-0148' }).click();
    await mine.locator('[data-number="8015550148"]').waitFor();
    const reserved = await api<{ number: number }[]>('GET', '/v2/number/reserved');
    expect(reserved.map((n) => n.number)).toContain(8015550148);
    expect(await page.getByTestId('dni-snippet').textContent()).toContain('dni.js');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('opens a flow on a phone as its outline, as tall as its rows, with the side panel right below', async () => {
    const phone = await browser.newContext({
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
    });
    await phone.addCookies(await context.cookies(base));
    const small = await phone.newPage();
    await small.goto(`${base}/flows/${ids.apiFlow}?group=${ids.company}`);
    const outline = small.getByTestId('outline');
    await outline.getByRole('button', { name: 'Main menu' }).waitFor();
    const edges = (await small.evaluate(`(() => {
      const canvas = document.querySelector('[data-testid="flow-canvas"]').getBoundingClientRect();
      const rows = document.querySelector('[data-testid="outline"]').lastElementChild.getBoundingClientRect();
      const panel = document.querySelector('[data-testid="builder-panel"]').getBoundingClientRect();
      return { lastRow: rows.bottom, canvas: canvas.bottom, panel: panel.top };
    })()`)) as { lastRow: number; canvas: number; panel: number };
    // no empty area under the last row (the canvas was 60 % of the window whatever it held)
    expect(edges.canvas - edges.lastRow).toBeLessThan(30);
    expect(edges.panel - edges.canvas).toBeLessThan(40);
    expect(await small.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await phone.close();
  });
});
