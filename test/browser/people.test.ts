import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { simulateCall } from '../../src/telephony/simulator.js';
import { launchChromium } from '../helpers/chromium.js';
import { createEmptyDatabase, testEngine } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';

/**
 * The console's People section end to end: the real server process on the test engine, headless
 * Chromium driving the pages as a person would, the API checked after each change, a call placed
 * through the signed carrier webhooks to see a call action fire, and axe-core on every page.
 */
const require = createRequire(import.meta.url);
const PASSWORD = 'people-test-password';
const CARRIER_TOKEN = 'people-test-carrier-token';
const CLIENT = { client_id: 'switchboard', client_secret: 'people-test-client-secret' };
const CONTEXT = { viewport: { width: 1440, height: 960 }, locale: 'en-US', timezoneId: 'America/Denver' };
const TRACKING = '8015550145';

let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let server: ServerProcess;
let base: string;
let token: string;
let browser: Browser;
let axeSource: string;
const ids = { company: 0, campaign: 0, flow: 0 };

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

/** A Mantine select: open it by its label, pick the option by its text. */
async function choose(scope: Page | Locator, page: Page, label: string, option: string) {
  await scope.getByRole('textbox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

interface GroupWithUsers {
  group_id: number;
  users: { ct_user_id: number; user_email: string; role_id: number; group_id: number; user_status: string }[];
}
const userByEmail = async (email: string) =>
  (await api<GroupWithUsers[]>('GET', '/v2/group/user?limit=1000'))
    .flatMap((g) => g.users)
    .find((u) => u.user_email === email);

beforeAll(async () => {
  axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-people-'));
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
    },
    420_000, // a cold start from source on a shared, busy machine can take minutes
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
  const groups = await api<{ group_id: number; group_name: string }[]>('GET', '/v2/group/list');
  ids.company = (groups.find((g) => g.group_name === 'Demo Company') as { group_id: number }).group_id;
  const [campaign] = await api<{ data: number }[]>('POST', '/v2/campaign', [
    {
      campaign_name: 'People',
      campaign_start_date: '2026-01-01T00:00:00Z',
      campaign_owner_user_id: 1,
      group_id: ids.company,
    },
  ]);
  ids.campaign = Number(campaign?.data);
  const [flow] = await api<{ result: string; data: string }[]>('POST', '/v2/callflow/multilevelivr', [
    {
      call_flow_name: 'Front desk',
      group_id: ids.company,
      campaign_id: ids.campaign,
      channel_id: 1,
      message: 'For the front desk press 1.',
      number: { phone_number: Number(TRACKING) },
      ivrs: [{ key: 1, action: 'simple', destination: 'Desk', target_did: 8015550110 }],
    },
  ]);
  expect(flow, JSON.stringify(flow)).toMatchObject({ result: 'success' });
  ids.flow = Number(flow?.data);
}, 540_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe(`the People section in Chromium, on ${testEngine()}`, { timeout: 600_000 }, () => {
  let context: BrowserContext;
  let page: Page;

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page && !page.isClosed())
      await page
        .screenshot({
          path: path.join(
            tmpdir(),
            `people-test-${testEngine()}-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`,
          ),
        })
        .catch(() => {});
  });

  it('adds a user, changes their role and group, and deactivating them ends their session at once', async () => {
    context = await browser.newContext(CONTEXT);
    context.setDefaultTimeout(60_000);
    page = await context.newPage();
    await signIn(page, 'admin@example.com', PASSWORD);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByTestId('roles').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a user' });
    await dialog.getByLabel('First name').fill('Dana');
    await dialog.getByLabel('Last name').fill('Reyes');
    await dialog.getByLabel('E-mail').fill('not-an-email');
    await dialog.getByLabel(/^Password\b/).fill('short');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    // the API's own limits, shown while typing: nothing was sent
    await dialog.getByText('Expected string to match').first().waitFor();
    expect(await userByEmail('not-an-email')).toBeUndefined();
    await dialog.getByLabel('E-mail').fill('dana@example.test');
    await dialog.getByLabel(/^Password\b/).fill('dana-password-1');
    await choose(dialog, page, 'Role', 'Standard: builds and changes, no users');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('[data-user="dana@example.test"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Standard');
    const created = await userByEmail('dana@example.test');
    expect(created).toMatchObject({ role_id: 2, user_status: 'active' });

    // an e-mail in use is the API's refusal, shown in the form
    await page.getByRole('button', { name: 'Add user' }).click();
    const again = page.getByRole('dialog', { name: 'Add a user' });
    await again.getByLabel('First name').fill('Dup');
    await again.getByLabel('Last name').fill('Licate');
    await again.getByLabel('E-mail').fill('dana@example.test');
    await again.getByLabel(/^Password\b/).fill('another-password');
    await again.getByRole('button', { name: 'Add user' }).click();
    await again.getByText('user_email is already in use').waitFor(); // shown under the E-mail field
    await again.getByRole('button', { name: 'Cancel' }).click();

    // edit: ReadOnly in Demo Company, no recordings
    await row.getByRole('button', { name: 'Change Dana Reyes' }).click();
    await page.getByRole('menuitem', { name: 'Edit role, group and details' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Dana Reyes' });
    await choose(edit, page, 'Role', 'ReadOnly: sees, changes nothing');
    await edit.getByRole('textbox', { name: 'Group', exact: true }).click();
    await page.getByRole('option', { name: /Demo Company/ }).click();
    await edit.getByLabel('May listen to and download recordings').click({ force: true });
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    const permissions = await api<Record<string, unknown>>(
      'GET',
      `/v2/user/permissions?id=${created?.ct_user_id}`,
    );
    expect(permissions).toMatchObject({
      role_id: 3,
      role_name: 'ReadOnly',
      group_id: ids.company,
      access_audio: false,
      can_edit: false,
    });

    // Dana signs in elsewhere; deactivated, her next request sends her to sign in
    const danaContext = await browser.newContext(CONTEXT);
    const dana = await danaContext.newPage();
    await signIn(dana, 'dana@example.test', 'dana-password-1');
    await page
      .locator('[data-user="dana@example.test"]')
      .getByRole('button', { name: 'Change Dana Reyes' })
      .click();
    await page.getByRole('menuitem', { name: 'Deactivate' }).click();
    const confirm = page.getByRole('dialog', { name: 'Deactivate Dana Reyes?' });
    await confirm.getByText('signed out everywhere at once').waitFor();
    await confirm.getByRole('button', { name: 'Deactivate Dana Reyes' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await userByEmail('dana@example.test'))?.user_status).toBe('inactive');
    await page.locator('[data-user="dana@example.test"]').getByText('Deactivated').waitFor();
    await dana.getByRole('link', { name: 'Calls' }).click();
    await dana.waitForURL(/\/sign-in/);
    await danaContext.close();

    // and the admin cannot deactivate themselves
    await page.locator('[data-user="admin@example.com"]').getByRole('button').click();
    await expect
      .poll(() => page.getByRole('menuitem', { name: 'You cannot deactivate yourself' }).isDisabled())
      .toBe(true);
    await page.keyboard.press('Escape');
  });

  it('blocks a number, imports a CSV list, and lifts a block', async () => {
    await page.getByRole('link', { name: 'Blacklist' }).click();
    await page.getByRole('heading', { name: 'Blacklist' }).waitFor();
    await page.getByText('No number is blocked here').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Phone number').fill('555');
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    await page.getByText('Type a 10-digit US or Canadian number').waitFor();
    await page.getByLabel('Phone number').fill('(212) 555-0199');
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    await page.locator('[data-number="2125550199"]').waitFor();

    const csv = path.join(dataDir, 'spammers.csv');
    await writeFile(
      csv,
      'number,note\n"+1 (310) 555-0101",robocaller\n3105550102,\nnot a number,x\n2125550199,again\n',
    );
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose a file' }).click();
    await (await chooser).setFiles(csv);
    const preview = page.getByTestId('import-preview');
    await preview.getByText('3 numbers to block, 2 line(s) without a number').waitFor();
    await preview.getByRole('button', { name: 'Block 3 numbers' }).click();
    await preview.getByRole('status').filter({ hasText: '3 blocked' }).waitFor();
    await page.locator('[data-number="3105550102"]').waitFor();
    const listed = async () =>
      (await api<{ number: number }[] | string>('GET', '/v2/blacklistednumber')) as { number: number }[];
    expect((await listed()).map((r) => r.number).sort()).toEqual([2125550199, 3105550101, 3105550102]);

    await page.getByRole('button', { name: 'Lift the block on (310) 555-0101' }).click();
    await page.locator('[data-number="3105550101"]').waitFor({ state: 'detached' });
    expect((await listed()).map((r) => r.number).sort()).toEqual([2125550199, 3105550102]);
  });

  it('adds and removes custom sources and tags', async () => {
    await page.getByRole('link', { name: 'Sources and tags' }).click();
    await page.getByRole('heading', { name: 'Custom sources and tags' }).waitFor();
    await page.getByLabel('New custom source name').fill('Google Ads');
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.getByTestId('custom-sources').locator('[data-name="Google Ads"]').waitFor();
    await page.getByLabel('New tag name').fill('VIP');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.getByTestId('tags').locator('[data-name="VIP"]').waitFor();
    await page.getByLabel('New tag name').fill('Temporary');
    await page.getByLabel('New tag name').press('Enter');
    await page.getByTestId('tags').locator('[data-name="Temporary"]').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Remove Temporary' }).click();
    await page.getByTestId('tags').locator('[data-name="Temporary"]').waitFor({ state: 'detached' });

    const sources = await api<{ custom_source_name: string; org_unit_id: number }[]>(
      'GET',
      '/v2/customsource?ouId=1',
    );
    expect(sources.map((s) => s.custom_source_name)).toEqual(['Google Ads']);
    const tags = await api<{ tag_name: string }[]>('GET', '/v2/tag');
    expect(tags.map((t) => t.tag_name)).toEqual(['VIP']);
  });

  it('builds a call action with AND/OR rule groups, and sees it fire on a call', async () => {
    await page.getByRole('link', { name: 'Call actions' }).click();
    await page.getByRole('heading', { name: 'Call actions' }).waitFor();
    await page.getByText('No call actions yet').waitFor();
    await page.getByRole('button', { name: 'New call action' }).click();
    const form = page.getByRole('dialog', { name: 'New call action' });
    await choose(form, page, 'Runs on', 'Calls to Front desk');
    await choose(form, page, 'Do this', 'Tag the call');
    await form.getByLabel('Target').fill('VIP');
    await form.getByRole('button', { name: 'Add a group' }).click();
    // an operator that does not fit the field's type is not offered; a value it cannot take is refused
    await choose(form, page, 'Rule 1: field', 'Caller number');
    await choose(form, page, 'Rule 1: operator', 'begins with');
    await form.getByLabel('Rule 1: value').fill('212');
    await form.getByRole('button', { name: 'Add a rule to this group' }).click();
    await choose(form, page, 'Rule 2: field', 'Duration (seconds)');
    await form.getByLabel('Rule 2: value').fill('abc');
    await form.getByRole('button', { name: 'Create action' }).click();
    await form.getByText('comparator must be a number').first().waitFor();
    await form.getByLabel('Rule 2: value').fill('0');
    await form.getByRole('radio', { name: 'OR' }).first().check({ force: true });
    await form.getByRole('button', { name: 'Add a group' }).click();
    await choose(form, page, 'Rule 3: field', 'Caller state');
    await choose(form, page, 'Rule 3: operator', '=');
    await form.getByLabel('Rule 3: value').fill('UT');
    expect(await accessibilityViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Create action' }).click();
    await form.waitFor({ state: 'detached' });

    const [stored] = await api<
      { action_id: number; call_flow_id: number; action: string; rules: unknown[] }[]
    >('GET', '/v2/callaction/list');
    expect(stored).toMatchObject({ call_flow_id: ids.flow, action: 'tag_call', action_target: 'VIP' });
    expect(stored?.rules).toEqual([
      {
        data_field: 'caller_id',
        operator: 'begins with',
        comparator: '212',
        join_type: 'OR',
        rule_order: 1,
        grouping: 1,
      },
      {
        data_field: 'duration',
        operator: '>=',
        comparator: '0',
        join_type: 'AND',
        rule_order: 2,
        grouping: 1,
      },
      {
        data_field: 'caller_state',
        operator: '=',
        comparator: 'UT',
        join_type: 'NONE',
        rule_order: 3,
        grouping: 2,
      },
    ]);
    const row = page.locator(`[data-action="${stored?.action_id}"]`);
    expect(await row.textContent()).toContain('Caller number begins with 212 OR Duration (seconds) >= 0');
    await page.getByTestId('action-outcomes').getByText('Not run yet').waitFor();

    // a call through the carrier webhooks: the action runs when it ends, and its outcome shows
    await simulateCall(
      { to: TRACKING, from: '2125550123', press: ['1'], answer: 'first' },
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
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId('action-outcomes').textContent();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toContain('succeeded');
    const [call] = await api<{ call_id: number; tags: { tag_name: string }[] }[]>('GET', '/v2/call/list');
    expect(call?.tags?.map((t) => t.tag_name)).toEqual(['VIP']);

    // edit: the rules open as they were saved, and a change is stored
    await row.getByRole('button', { name: `Edit call action #${stored?.action_id}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit call action #${stored?.action_id}` });
    expect(await edit.getByLabel('Rule 3: value').inputValue()).toBe('UT');
    await edit.getByLabel('Remove rule 3').click();
    await edit.getByLabel('Active').click({ force: true });
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    const changed = await api<{ action_status: string; rules: unknown[] }>(
      'GET',
      `/v2/callaction?id=${stored?.action_id}`,
    );
    expect(changed.action_status).toBe('inactive');
    expect(changed.rules).toHaveLength(2);
    await context.close();
  });
});
