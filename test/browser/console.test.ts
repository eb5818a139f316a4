import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { simulateCall } from '../../src/telephony/simulator.js';
import { conversationWav } from '../helpers/audio.js';
import { accessibilityViolations } from '../helpers/axe.js';
import { launchChromium } from '../helpers/chromium.js';
import { signIn } from '../helpers/console-session.js';
import { createEmptyDatabase, testEngine } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

/**
 * The console end to end: the real server process (`switchboard serve`, on PGlite or PostgreSQL)
 * serving the built console, headless Chromium (from npm ci) driving it as a person would, calls
 * placed by the carrier simulator through the signed webhooks, and axe-core checking every page.
 */
const PASSWORD = 'console-test-password';
const CARRIER_TOKEN = 'console-test-carrier-token';
const CLIENT = { client_id: 'switchboard', client_secret: 'console-test-client-secret' };
const TRACKING = '9495550100';
const OTHER_TRACKING = '9495550101';

let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let server: ServerProcess;
let base: string;
let token: string;
let receiver: Receiver;
let recordings: Server;
let recordingsUrl: string;
let browser: Browser;
const ids: { company: number; otherCompany: number; location: number; recordedCall: number } = {
  company: 0,
  otherCompany: 0,
  location: 0,
  recordedCall: 0,
};
/**
 * The browser's language is set: the packaged Chromium otherwise takes it from the environment
 * (LANG=C gives "en-US@posix", which Intl refuses).
 */
const CONTEXT = { viewport: { width: 1366, height: 900 }, locale: 'en-US' };
const people = { reader: 'reader@example.test', other: 'other-company@example.test' };

async function api<T = unknown>(method: string, url: string, body?: unknown, as = token): Promise<T> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${as}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json()) as { data: T } | T;
  if (!response.ok)
    throw new Error(`${method} ${url} answered ${response.status}: ${JSON.stringify(parsed)}`);
  // the V2 envelope's data; bulk creates answer their per-entry results bare
  return Array.isArray(parsed) ? (parsed as T) : (parsed as { data: T }).data;
}

async function tokenFor(username: string, password: string): Promise<string> {
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password, ...CLIENT }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** One call through the server's carrier webhooks; `stopAfter` leaves it in progress after that many. */
async function call(to: string, from: string, press: string[], answer: 'first' | 'none', stopAfter?: number) {
  let sent = 0;
  return simulateCall(
    { to, from, press, answer, recordingBaseUrl: recordingsUrl },
    {
      voiceUrl: `${base}/telephony/twilio/voice`,
      statusUrl: `${base}/telephony/twilio/status`,
      authToken: CARRIER_TOKEN,
      transport: async (url, params, signature) => {
        sent += 1;
        if (stopAfter !== undefined && sent > stopAfter) throw new Error('left in progress');
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          body: new URLSearchParams(params).toString(),
        });
        return response.text();
      },
    },
  ).catch((error: Error) => {
    if (error.message !== 'left in progress') throw error;
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-console-'));
  database = await createEmptyDatabase();
  receiver = await startReceiver();
  recordings = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'audio/wav' }).end(conversationWav(4));
  });
  await new Promise<void>((resolve) => recordings.listen(0, '127.0.0.1', resolve));
  recordingsUrl = `http://127.0.0.1:${(recordings.address() as { port: number }).port}/recordings`;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServer({
    DATA_DIR: dataDir,
    PORT: String(port),
    SWITCHBOARD_ADMIN_PASSWORD: PASSWORD,
    SWITCHBOARD_OAUTH_CLIENT_SECRET: CLIENT.client_secret,
    TWILIO_AUTH_TOKEN: CARRIER_TOKEN,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    OAUTH_RATE_LIMIT_PER_MINUTE: '200',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
  });
  browser = await launchChromium();
  token = await tokenFor('admin@example.com', PASSWORD);

  const groups = await api<{ group_id: number; group_name: string }[]>('GET', '/v2/group/list');
  const byName = (name: string) =>
    (groups.find((g) => g.group_name === name) as { group_id: number }).group_id;
  ids.company = byName('Demo Company');
  ids.location = byName('Demo Location');
  const [other] = await api<{ data: number }[]>('POST', '/v2/group', [
    { group_name: 'Rival Roofing', group_parent_id: byName('Demo Agency'), state: 'TX' },
  ]);
  ids.otherCompany = Number(other?.data);
  const created = await api<{ result: string; data: unknown }[]>('POST', '/v2/group/user', [
    {
      group_id: ids.company,
      user_email: people.reader,
      password: PASSWORD,
      first_name: 'Rita',
      last_name: 'Reader',
      role_id: 3,
    },
    {
      group_id: ids.otherCompany,
      user_email: people.other,
      password: PASSWORD,
      first_name: 'Otto',
      last_name: 'Other',
      role_id: 1,
    },
  ]);
  expect(created.map((entry) => entry.result)).toEqual(['success', 'success']);
  const flow = async (groupId: number, number: string, name: string) => {
    const [campaign] = await api<{ data: number }[]>('POST', '/v2/campaign', [
      {
        campaign_name: `${name} campaign`,
        campaign_start_date: '2026-01-01T00:00:00Z',
        campaign_owner_user_id: 1,
        group_id: groupId,
      },
    ]);
    await api('POST', '/v2/callflow/multilevelivr', [
      {
        call_flow_name: name,
        group_id: groupId,
        campaign_id: Number(campaign?.data),
        channel_id: 4,
        message: 'For sales press 1.',
        number: { phone_number: Number(number) },
        ivrs: [
          { key: 1, action: 'simple', destination: 'Sales', target_did: 8015550110, record_enabled: true },
        ],
      },
    ]);
  };
  await flow(ids.company, TRACKING, 'Main line');
  await flow(ids.otherCompany, OTHER_TRACKING, 'Rival line');
  await api('POST', '/v2/webhook', {
    org_unit_id: ids.company,
    webhook_Name: 'CRM push',
    webhook_Endpoint: `${receiver.url}/crm`,
    events: ['call.completed'],
  });

  await call(TRACKING, '2125550101', ['1'], 'first');
  await call(TRACKING, '2125550102', ['1'], 'none');
  await call(TRACKING, '2125550101', ['1'], 'first');
  await call(OTHER_TRACKING, '5125550199', ['1'], 'first');
  // the recording copied from the carrier and the post-call webhook sent, by the job runner
  ids.recordedCall = await until('the recording copy', async () => {
    const calls = await api<{ call_id: number; recording_url: string | null; caller_id: string }[]>(
      'GET',
      `/v2/call/list?filter=caller_id%3D2125550101`,
    );
    const recorded = calls.find((c) => c.recording_url?.startsWith(`${base}/v2/call/recording`));
    return recorded?.call_id;
  });
  await until('the webhook delivery', async () => (receiver.requests.length >= 3 ? true : undefined));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
  await new Promise((resolve) => (recordings ? recordings.close(resolve) : resolve(undefined)));
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe(`the console in Chromium, on ${testEngine()}`, { timeout: 120_000 }, () => {
  let admin: BrowserContext;
  let page: Page;

  // a failing step leaves a picture of the page behind
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page && !page.isClosed())
      await page
        .screenshot({
          path: path.join(
            tmpdir(),
            `console-test-${testEngine()}-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`,
          ),
        })
        .catch(() => {});
  });

  it('serves the console at / with the API beside it, and sends a stranger to sign in', async () => {
    // a browser navigating to a console URL gets the app; an API client's unknown path its 404
    const index = await fetch(`${base}/calls/123?group=2`, { headers: { accept: 'text/html,*/*' } });
    expect(index.status).toBe(200);
    const unknown = await fetch(`${base}/calls/123`, { headers: { accept: 'application/json' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${base}/v2/nothing-here`)).status).toBe(404);
    expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
    expect(server.output()).toContain(`Console:    ${base}/  (sign in as admin@example.com`);

    admin = await browser.newContext({ ...CONTEXT, timezoneId: 'Europe/Berlin' });
    admin.setDefaultTimeout(15_000);
    page = await admin.newPage();
    await page.goto(`${base}/calls`);
    await page.waitForURL(/\/sign-in\?redirect=/);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('E-mail').fill('admin@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Invalid e-mail or password');
    const cookies = await admin.cookies(base);
    expect(cookies).toEqual([]);
  });

  it('signs in with the keyboard alone, lands where it was going, and keeps no secret where scripts can read it', async () => {
    await page.getByLabel('Password').fill('');
    await page.getByLabel('Password').focus();
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Calls' }).waitFor();
    const [cookie] = await admin.cookies(base);
    expect(cookie).toMatchObject({ name: 'sb_session', httpOnly: true, sameSite: 'Strict' });
    const stored = (await page.evaluate(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie',
    )) as string;
    expect(stored).not.toContain(cookie?.value as string);
    expect(stored).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
  });

  it('switches to a group, remembered for the user, and shows dashboard totals equal to the API’s metrics', async () => {
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('textbox', { name: 'Group' }).first().click();
    await page.getByRole('option', { name: 'Demo Company' }).click();
    await page.waitForURL(/[?&]group=\d+/);
    expect(new URL(page.url()).searchParams.get('group')).toBe(String(ids.company));
    await expect
      .poll(() => page.getByText(/Demo Company and the groups below it · times in P[SD]T/).count())
      .toBe(1);

    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' }).format(new Date());
    const from = new Date(new Date(`${today}T12:00:00Z`).getTime() - 29 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const metrics = await api<{ group_id: number; calls: number; answered: number }[]>(
      'GET',
      `/v2/call/groupActivity?timezone=America/Los_Angeles&filter=${encodeURIComponent(`call_started>=${from},call_started<=${today}`)}`,
    );
    const inCompany = metrics.filter((row) => row.group_id === ids.company || row.group_id === ids.location);
    const total = (field: 'calls' | 'answered') => inCompany.reduce((sum, row) => sum + row[field], 0);
    expect(total('calls')).toBe(3);
    await expect
      .poll(() => page.getByTestId('kpi-calls').locator('[data-value]').textContent())
      .toBe(String(total('calls')));
    expect(await page.getByTestId('kpi-answered').locator('[data-value]').textContent()).toBe(
      String(total('answered')),
    );
    expect(await accessibilityViolations(page)).toEqual([]);

    const me = await page.evaluate(
      async () => ((await (await fetch('/v2/me')).json()) as { data: { console_group_id: number } }).data,
    );
    expect(me.console_group_id).toBe(ids.company);

    // a shared link names its group: the header's switcher shows that group, not the remembered one
    const shared = await page.context().newPage();
    await shared.goto(`${base}/?group=${ids.location}`);
    await shared.getByText(/Demo Location and the groups below it/).waitFor();
    expect(await shared.getByRole('textbox', { name: 'Group' }).first().inputValue()).toBe('Demo Location');
    await shared.close();
  });

  it('shows a call in the live panel within a second of it ringing, and not another company’s', async () => {
    await page.getByTestId('live-count').filter({ hasText: 'in progress' }).waitFor();
    const started = Date.now();
    await call(OTHER_TRACKING, '5125550177', [], 'none', 1);
    await call(TRACKING, '3105550123', [], 'none', 1);
    const live = page.getByTestId('live-call');
    await live.first().waitFor({ timeout: 5000 });
    const shownAfterMs = Date.now() - started;
    expect(shownAfterMs).toBeLessThan(1500);
    expect(await live.count()).toBe(1);
    expect(await live.first().textContent()).toContain('(310) 555-0123');
    expect(await live.first().getAttribute('data-state')).toBe('routing');
  });

  it('filters the call log with the filter in the URL, and opens a call', async () => {
    await page.getByRole('link', { name: 'Calls', exact: true }).click();
    await page.getByTestId('call-table').waitFor();
    await page.getByRole('textbox', { name: 'Outcome' }).click();
    await page.getByRole('option', { name: 'Answered' }).click();
    await page.waitForURL(/outcome=answered/);
    await expect.poll(() => page.locator('[data-call-id]').count()).toBe(2);
    await expect.poll(() => page.getByTestId('call-count').textContent()).toContain('1–2 of 2 calls');
    await page.getByRole('textbox', { name: "Caller's number" }).fill('(212) 555-0101');
    await page.getByRole('textbox', { name: "Caller's number" }).press('Enter');
    await page.waitForURL(/caller=2125550101/);
    const shared = page.url();
    expect(await accessibilityViolations(page)).toEqual([]);

    const second = await admin.newPage();
    await second.goto(shared);
    // a cold page: the app, its chunks and the list load first (expect.poll waits 1 s by default)
    await expect.poll(() => second.locator('[data-call-id]').count(), { timeout: 15_000 }).toBe(2);
    await second.close();

    await page.locator(`[data-call-id="${ids.recordedCall}"] a`).first().click();
    await page.waitForURL(new RegExp(`/calls/${ids.recordedCall}`));
    await page.getByTestId('route-timeline').waitFor();
    expect(await page.getByTestId('route-timeline').textContent()).toContain('Pressed 1');
  });

  it('plays the recording, edits a tag seen through the API, and redelivers a webhook', async () => {
    await page.locator('[data-testid="recording-player"] canvas').first().waitFor();
    await page.getByTestId('play').first().click();
    // a function, not a string: a string predicate would need eval, which the console's CSP forbids
    await page.waitForFunction(() => {
      const page = globalThis as unknown as {
        document: { querySelector(selector: string): { paused: boolean; currentTime: number } | null };
      };
      const audio = page.document.querySelector('[data-testid="recording-audio"]');
      return audio !== null && !audio.paused && audio.currentTime > 0;
    });
    await page.getByTestId('play').first().click();

    await page.getByRole('textbox', { name: 'Add a tag' }).fill('vip');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByTestId('call-tags').getByText('vip').waitFor();
    const record = await api<{ tags: { tag_name: string }[] }>('GET', `/v2/call?id=${ids.recordedCall}`);
    expect(record.tags.map((t) => t.tag_name)).toEqual(['vip']);

    const before = receiver.requests.length;
    const delivered = receiver.requests.find((r) => JSON.parse(r.body).data?.call_id === ids.recordedCall);
    await page.getByRole('button', { name: /^Redeliver call.completed/ }).click();
    await until('the redelivery', async () => (receiver.requests.length > before ? true : undefined));
    const again = receiver.requests.at(-1);
    expect(again?.headers['x-switchboard-event-id']).toBe(delivered?.headers['x-switchboard-event-id']);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('creates a webhook with errors shown at their fields, the secret once, and a test event in its log', async () => {
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('button', { name: 'New webhook' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('x'.repeat(300));
    await dialog.getByLabel('Endpoint URL').fill('ftp://files.example/hook');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    await expect.poll(() => dialog.getByText(/less or equal to 255/).count()).toBe(1);
    await dialog.getByLabel('Name').fill('Warehouse');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    await expect.poll(async () => (await dialog.textContent()) ?? '').toMatch(/webhook_Endpoint refused/);
    const endpointError = await dialog.getByLabel('Endpoint URL').getAttribute('aria-describedby');
    expect(endpointError).toBeTruthy();
    await dialog.getByLabel('Endpoint URL').fill(`${receiver.url}/warehouse`);
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    const secret = await dialog.getByTestId('signing-secret').textContent();
    expect(secret).toMatch(/^whsec_/);
    expect(await accessibilityViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('button', { name: /^Warehouse/ }).click();
    await page.getByTestId('no-deliveries').waitFor();
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await page.getByTestId('deliveries').getByText('webhook.test').waitFor({ timeout: 10_000 });
    await expect
      .poll(() => page.getByTestId('deliveries').getByText('succeeded').count(), { timeout: 10_000 })
      .toBe(1);
    expect(
      receiver.requests.some(
        (r) => r.url === '/warehouse' && r.headers['x-switchboard-event'] === 'webhook.test',
      ),
    ).toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('is usable at 375 px: no sideways scrolling, the menu behind a button', async () => {
    const phone = await browser.newContext({
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
    });
    const small = await phone.newPage();
    await phone.addCookies(await admin.cookies(base));
    for (const url of ['/', '/calls', `/calls/${ids.recordedCall}`, '/webhooks']) {
      await small.goto(`${base}${url}`);
      await small.waitForLoadState('networkidle');
      expect(await small.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    }
    await small.getByRole('button', { name: 'Menu' }).click();
    await small.getByRole('link', { name: 'Calls', exact: true }).click();
    await small.getByTestId('call-cards').waitFor();
    await phone.close();
  });

  it('signs out: the session ends on the server too', async () => {
    const [cookie] = await admin.cookies(base);
    await page.getByRole('button', { name: /Demo Admin/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    const response = await fetch(`${base}/v2/me`, { headers: { cookie: `sb_session=${cookie?.value}` } });
    expect(response.status).toBe(401);
    await admin.close();
  });

  it('lets a ReadOnly user see everything and change nothing, and the controls say why', async () => {
    const context = await browser.newContext(CONTEXT);
    const reader = await context.newPage();
    await signIn(reader, base, people.reader, PASSWORD);
    expect(await reader.getByText('Read-only', { exact: true }).count()).toBe(1);
    await reader.goto(`${base}/calls/${ids.recordedCall}`);
    await reader.getByTestId('route-timeline').waitFor();
    expect(await reader.getByRole('textbox', { name: 'Add a tag' }).count()).toBe(0);
    const archive = reader.getByRole('button', { name: 'Archive' });
    expect(await archive.getAttribute('aria-disabled')).toBe('true');
    await archive.focus();
    await reader.getByRole('tooltip').filter({ hasText: 'read-only' }).waitFor();
    await archive.click({ force: true });
    expect(await api<{ call_archived: boolean }>('GET', `/v2/call?id=${ids.recordedCall}`)).toMatchObject({
      call_archived: false,
    });
    const refused = await reader.evaluate(async (callId) => {
      const me = ((await (await fetch('/v2/me')).json()) as { data: { csrf_token: string } }).data;
      const response = await fetch('/v2/call/archive', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
        body: JSON.stringify({ call_id: [callId] }),
      });
      return response.status;
    }, ids.recordedCall);
    expect(refused).toBe(403);
    expect(await accessibilityViolations(reader)).toEqual([]);
    await context.close();
  });

  it('never shows a company user another company’s calls', async () => {
    const context = await browser.newContext(CONTEXT);
    const rival = await context.newPage();
    await signIn(rival, base, people.other, PASSWORD);
    await rival.goto(`${base}/calls`);
    await rival.getByTestId('call-table').waitFor();
    await expect.poll(() => rival.locator('[data-call-id]').count()).toBe(2);
    expect(await rival.getByTestId('call-table').textContent()).not.toContain('(212) 555-0101');
    expect(await rival.getByRole('textbox', { name: 'Group' }).first().inputValue()).toBe('Rival Roofing');
    await rival.goto(`${base}/calls/${ids.recordedCall}`);
    await rival.getByText('There is no call with this id in your groups.').waitFor();
    const summary = await rival.evaluate(
      async (company) => (await fetch(`/v2/call/summary?group_id=${company}`)).status,
      ids.company,
    );
    expect(summary).toBe(400);
    await context.close();
  });

  it('stops gracefully with live streams open (they end, the process exits 0)', async () => {
    const context = await browser.newContext(CONTEXT);
    const watcher = await context.newPage();
    await signIn(watcher, base, people.other, PASSWORD);
    await watcher.getByTestId('live-count').filter({ hasText: 'in progress' }).waitFor();
    const started = Date.now();
    const code = await server.stop();
    // the server's own log says why when it did not stop cleanly
    expect(code, server.output().slice(-4000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    await context.close();
  });
});
