import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, TEST_PASSWORD, type TestContext, type TestUser } from '../helpers/app.js';
import { accessibilityViolations } from '../helpers/axe.js';
import { launchChromium } from '../helpers/chromium.js';
import { signIn } from '../helpers/console-session.js';
import { testEngine } from '../helpers/db.js';
import { freshNumbers } from '../helpers/dni.js';
import { freePort } from '../helpers/process.js';

/**
 * The People section of the console in headless Chromium against the real app on a real port, as
 * an Admin of a company drives it: users (add with a first password, edit role, group and
 * recordings, deactivate and reactivate, the user signing in again), a company Admin who neither
 * sees nor changes the users of another company, the blacklist (one number, then a CSV file),
 * custom sources and tags, a call action with AND/OR rule groups, and releasing a number through
 * the type-to-confirm dialog; the API is read after each change and axe-core checks every page.
 */
const CONTEXT = { viewport: { width: 1440, height: 960 }, locale: 'en-US' };
const DANA = { email: 'dana.reyes@example.test', password: 'dana-first-password' };

let ctx: TestContext;
let base: string;
let browser: Browser;
let context: BrowserContext | undefined;
let admin: TestUser;
let otherCompanyUser: TestUser;
const ids = { agency: 0, company: 0, location: 0, otherCompany: 0, flow: 0 };
let spareNumber: string;

/** A new browser context (its own cookies), signed in as `email`, on the section `link` names. */
async function openAs(email: string, link: string, heading: string, password = TEST_PASSWORD) {
  context = await browser.newContext(CONTEXT);
  const page = await context.newPage();
  await signIn(page, base, email, password);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: link }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  return page;
}

/** A Mantine Select inside `scope`: open it by its accessible name, pick the option by its text. */
async function choose(scope: Locator, label: string, option: string | RegExp) {
  await scope.getByRole('textbox', { name: label, exact: true }).click();
  const listbox = scope.page().getByRole('listbox');
  await listbox.getByRole('option', { name: option, exact: typeof option === 'string' }).click();
  await listbox.waitFor({ state: 'detached' });
}

interface ListedUser {
  ct_user_id: number;
  user_email: string;
  role_id: number;
  group_id: number;
  user_status: string;
  first_name: string;
}
const usersSeenBy = async (user: TestUser) => {
  const { body } = await ctx.request('GET', '/v2/group/user?limit=1000', { token: user.token });
  return (body.data as { users: ListedUser[] }[]).flatMap((g) => g.users);
};
const groupNames = async () => {
  const { body } = await ctx.request('GET', '/v2/me/groups', { token: admin.token });
  return new Map(
    (body.data as { group_id: number; group_name: string }[]).map((g) => [g.group_id, g.group_name]),
  );
};
const userByEmail = async (email: string) =>
  (await usersSeenBy(admin)).find((user) => user.user_email === email);

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  ctx = await createTestContext({ PUBLIC_BASE_URL: base });
  // the browser keeps cookies by its own clock: the app's clock reads the real time
  ctx.clock.set(new Date());
  await ctx.app.listen({ port, host: '127.0.0.1' });
  const h = await ctx.factory.hierarchy();
  Object.assign(ids, { agency: h.agency, company: h.company, location: h.location });
  admin = h.companyAdmin;
  await ctx.db.query('update app_user set first_name = $2, last_name = $3 where ct_user_id = $1', [
    admin.ct_user_id,
    'Alex',
    'Admin',
  ]);
  ids.otherCompany = await ctx.factory.group(h.agency, 'Other Company');
  otherCompanyUser = await ctx.factory.user(ids.otherCompany, 2);
  await ctx.db.query('update app_user set first_name = $2, last_name = $3 where ct_user_id = $1', [
    otherCompanyUser.ct_user_id,
    'Olive',
    'Outsider',
  ]);

  const [tracking, spare] = (await freshNumbers(ctx, 2)).numbers as [string, string];
  spareNumber = spare;
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: 'Front desk',
        group_id: ids.company,
        campaign_id: await ctx.factory.campaign(admin),
        channel_id: 1,
        number: { phone_number: tracking },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result, JSON.stringify(body)).toBe('success');
  ids.flow = Number(body[0].data);
  const reserved = await ctx.request('POST', '/v2/number/reserve', {
    token: admin.token,
    body: [{ number: spare }],
  });
  expect(reserved.status, JSON.stringify(reserved.body)).toBe(200);

  browser = await launchChromium();
}, 300_000);

afterEach(async ({ task }) => {
  // a failing step leaves a picture of the page behind, to see what the locator met
  const page = context?.pages()[0];
  if (task.result?.state === 'fail' && page)
    await page
      .screenshot({
        path: path.join(
          tmpdir(),
          `people-${testEngine()}-${task.name.slice(0, 30).replace(/\W+/g, '-')}.png`,
        ),
      })
      .catch(() => undefined);
  await context?.close();
  context = undefined;
});

afterAll(async () => {
  await browser?.close();
  await ctx?.close();
});

describe(`the People section in Chromium, on ${testEngine()}`, { timeout: 120_000 }, () => {
  it('adds a user with a first password, changes their role, group and recordings access', async () => {
    const page = await openAs(admin.email, 'Users', 'Users');
    await page.getByTestId('user-list').waitFor();
    await page.getByTestId('roles').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a user' });
    await dialog.getByLabel('First name').fill('Dana');
    await dialog.getByLabel('Last name').fill('Reyes');
    await dialog.getByLabel('E-mail').fill('not-an-email');
    await dialog.getByLabel(/^Password/).fill('short');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    // the API's own limits, checked in the page: nothing is sent
    await dialog.getByText('Expected string length greater or equal to 8').waitFor();
    await dialog.getByText(/Expected string to match/).waitFor();
    expect(await userByEmail('not-an-email')).toBeUndefined();
    await dialog.getByLabel('E-mail').fill(DANA.email);
    await dialog.getByLabel(/^Password/).fill(DANA.password);
    await choose(dialog, 'Role', 'Standard: builds and changes, no users');
    expect(await accessibilityViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator(`[data-user="${DANA.email}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Standard');
    const created = await userByEmail(DANA.email);
    expect(created).toMatchObject({ role_id: 2, group_id: ids.company, user_status: 'active' });

    // edit: ReadOnly in the location below, and no recordings
    await row.getByRole('button', { name: 'Change Dana Reyes' }).click();
    await page.getByRole('menuitem', { name: 'Edit role, group and details' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Dana Reyes' });
    const recordings = edit.getByRole('switch', { name: 'May listen to and download recordings' });
    // the switch shows the user's stored permission once it has been read
    await expect.poll(() => recordings.isEnabled()).toBe(true);
    expect(await recordings.isChecked()).toBe(true);
    await choose(edit, 'Role', 'ReadOnly: sees, changes nothing');
    await choose(edit, 'Group', /Location/);
    // (flipping this switch once took the whole page down, and the dialog's Save with it)
    await recordings.uncheck();
    expect(await recordings.isChecked()).toBe(false);
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await edit.waitFor({ state: 'detached' });
    await expect.poll(() => row.textContent()).toContain('ReadOnly');
    expect(await row.textContent()).toContain('Location');
    const { body } = await ctx.request('GET', `/v2/user/permissions?id=${created?.ct_user_id}`, {
      token: admin.token,
    });
    expect(body.data).toMatchObject({
      role_id: 3,
      role_name: 'ReadOnly',
      group_id: ids.location,
      access_audio: false,
      can_edit: false,
    });
  });

  it('deactivates a user, who can no longer sign in, and reactivates them, who then can', async () => {
    const page = await openAs(admin.email, 'Users', 'Users');
    const row = page.locator(`[data-user="${DANA.email}"]`);
    await row.getByRole('button', { name: 'Change Dana Reyes' }).click();
    await page.getByRole('menuitem', { name: 'Deactivate' }).click();
    // the row menu closes as the dialog opens: axe below looks once it is gone (a closing menu
    // without its items failed aria-required-children once, under load)
    await page.getByRole('menu').waitFor({ state: 'detached' });
    const confirm = page.getByRole('dialog', { name: 'Deactivate Dana Reyes?' });
    await confirm.getByText('signed out everywhere at once', { exact: false }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await confirm.getByRole('button', { name: 'Deactivate Dana Reyes' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.getByText('Deactivated').waitFor();
    expect((await userByEmail(DANA.email))?.user_status).toBe('inactive');

    const refused = await browser.newContext(CONTEXT);
    try {
      const dana = await refused.newPage();
      await dana.goto(`${base}/sign-in`);
      await dana.getByLabel('E-mail').fill(DANA.email);
      await dana.getByLabel('Password').fill(DANA.password);
      await dana.getByLabel('Password').press('Enter');
      await dana.getByRole('alert').filter({ hasText: 'Could not sign in' }).waitFor();
      expect(dana.url()).toContain('/sign-in');
    } finally {
      await refused.close();
    }

    await row.getByRole('button', { name: 'Change Dana Reyes' }).click();
    await page.getByRole('menuitem', { name: 'Reactivate' }).click();
    await row.getByText('Active', { exact: true }).waitFor();
    expect((await userByEmail(DANA.email))?.user_status).toBe('active');

    // the first password still works; as ReadOnly she sees the users but cannot change them
    const again = await browser.newContext(CONTEXT);
    try {
      const dana = await again.newPage();
      await signIn(dana, base, DANA.email, DANA.password);
      await dana.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Users' }).click();
      await dana.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
      await dana.locator(`[data-user="${DANA.email}"]`).getByText('(you)').waitFor();
      expect(await dana.getByRole('button', { name: 'Add user' }).getAttribute('aria-disabled')).toBe('true');
    } finally {
      await again.close();
    }
  });

  it("shows a company Admin only their company's users, and refuses changing another company's", async () => {
    const page = await openAs(admin.email, 'Users', 'Users');
    const list = page.getByTestId('user-list');
    await list.locator(`[data-user="${DANA.email}"]`).waitFor();
    const shown = await list
      .locator('[data-user]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-user')));
    expect(shown).toContain(admin.email);
    expect(shown).not.toContain(otherCompanyUser.email);
    expect(await list.textContent()).not.toContain('Olive Outsider');

    // a link naming the other company's group shows the admin's own company instead
    await page.goto(`${base}/users?group=${ids.otherCompany}`);
    await list.locator(`[data-user="${admin.email}"]`).waitFor();
    expect(await list.locator(`[data-user="${otherCompanyUser.email}"]`).count()).toBe(0);
    // and the group picker of the edit form offers only the admin's own groups
    await list.getByRole('button', { name: 'Change Dana Reyes' }).click();
    await page.getByRole('menuitem', { name: 'Edit role, group and details' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Dana Reyes' });
    await edit.getByRole('textbox', { name: 'Group', exact: true }).click();
    const options = page.getByRole('listbox').getByRole('option');
    await options.first().waitFor();
    const offered = await options.allTextContents();
    expect(offered.map((o) => o.trim())).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Company/), expect.stringMatching(/^Location/)]),
    );
    expect(offered.join('|')).not.toContain('Other Company');
    await page.keyboard.press('Escape');

    // the API the page uses refuses the change, and the user is as they were
    const refused = await ctx.request('PUT', '/v2/group/user', {
      token: admin.token,
      body: [{ ct_user_id: otherCompanyUser.ct_user_id, role_id: 3 }],
    });
    expect(refused.body.data[0]).toMatchObject({
      result: 'error',
      data: `ct_user_id ${otherCompanyUser.ct_user_id} is not a user you can access`,
    });
    const outsider = (await usersSeenBy(otherCompanyUser)).find(
      (u) => u.user_email === otherCompanyUser.email,
    );
    expect(outsider).toMatchObject({ role_id: 2, user_status: 'active' });
  });

  it('blocks a number, then a CSV list of numbers', async () => {
    const page = await openAs(admin.email, 'Blacklist', 'Blacklist');
    await page.getByText('No number is blocked here').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Phone number').fill('555');
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    await page.getByText('Type a 10-digit US or Canadian number').waitFor();
    await page.getByLabel('Phone number').fill('(212) 555-0199');
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    await page.locator('[data-number="2125550199"]').waitFor();

    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose a file' }).click();
    await (await chooser).setFiles({
      name: 'spammers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('number,note\n"+1 (310) 555-0101",robocaller\n3105550102,\nnot a number,x\n'),
    });
    const preview = page.getByTestId('import-preview');
    await preview.getByText('2 numbers to block, 2 line(s) without a number', { exact: false }).waitFor();
    await preview.getByRole('button', { name: 'Block 2 numbers' }).click();
    await preview.getByRole('status').filter({ hasText: '2 blocked' }).waitFor();
    await page.locator('[data-number="3105550101"]').waitFor();
    await page.locator('[data-number="3105550102"]').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    const { body } = await ctx.request('GET', '/v2/blacklistednumber', { token: admin.token });
    expect((body.data as { number: number }[]).map((r) => r.number).sort()).toEqual([
      2125550199, 3105550101, 3105550102,
    ]);
  });

  it('creates a custom source and a tag', async () => {
    const page = await openAs(admin.email, 'Sources and tags', 'Custom sources and tags');
    await page.getByLabel('New custom source name').fill('Google Ads');
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.getByTestId('custom-sources').locator('[data-name="Google Ads"]').waitFor();
    await page.getByLabel('New tag name').fill('VIP');
    await page.getByLabel('New tag name').press('Enter');
    await page.getByTestId('tags').locator('[data-name="VIP"]').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    const sources = await ctx.request('GET', `/v2/customsource?ouId=${ids.company}`, { token: admin.token });
    expect((sources.body.data as { custom_source_name: string }[]).map((s) => s.custom_source_name)).toEqual([
      'Google Ads',
    ]);
    const tags = await ctx.request('GET', '/v2/tag', { token: admin.token });
    expect((tags.body.data as { tag_name: string }[]).map((t) => t.tag_name)).toEqual(['VIP']);
  });

  it('creates a call action whose rules are two groups joined by OR, and lists it', async () => {
    const page = await openAs(admin.email, 'Call actions', 'Call actions');
    await page.getByText('No call actions yet').waitFor();
    await page.getByRole('button', { name: 'New call action' }).click();
    const form = page.getByRole('dialog', { name: 'New call action' });
    await choose(form, 'Runs on', 'Calls to Front desk');
    await choose(form, 'Do this', 'Tag the call');
    await form.getByLabel('Target').fill('VIP');
    await form.getByRole('button', { name: 'Add a group' }).click();
    await choose(form, 'Rule 1: field', 'Caller number');
    await choose(form, 'Rule 1: operator', 'begins with');
    await form.getByLabel('Rule 1: value').fill('212');
    await form.getByRole('button', { name: 'Add a rule to this group' }).click();
    await choose(form, 'Rule 2: field', 'Duration (seconds)');
    await choose(form, 'Rule 2: operator', '>=');
    // a value the field cannot take is refused before anything is sent
    await form.getByLabel('Rule 2: value').fill('abc');
    await form.getByRole('button', { name: 'Create action' }).click();
    await form.getByText('comparator must be a number', { exact: false }).first().waitFor();
    await form.getByLabel('Rule 2: value').fill('30');
    await form.getByRole('button', { name: 'Add a group' }).click();
    await form
      .getByRole('radiogroup', { name: 'Join group 1 and group 2' })
      .getByText('OR', { exact: true })
      .click();
    await choose(form, 'Rule 3: field', 'Caller state');
    await choose(form, 'Rule 3: operator', '=');
    await form.getByLabel('Rule 3: value').fill('UT');
    expect(await accessibilityViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Create action' }).click();
    await form.waitFor({ state: 'detached' });

    const { body } = await ctx.request('GET', '/v2/callaction/list', { token: admin.token });
    const [stored] = body.data as { action_id: number; rules: unknown[] }[];
    expect(stored).toMatchObject({ call_flow_id: ids.flow, action: 'tag_call', action_target: 'VIP' });
    expect(stored?.rules).toEqual([
      {
        data_field: 'caller_id',
        operator: 'begins with',
        comparator: '212',
        join_type: 'AND',
        rule_order: 1,
        grouping: 1,
      },
      {
        data_field: 'duration',
        operator: '>=',
        comparator: '30',
        join_type: 'OR',
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
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('Tag the call');
    expect(text).toContain(
      '(Caller number begins with 212 AND Duration (seconds) >= 30) OR Caller state = UT',
    );
    expect(text).toContain('Front desk');
    await page.getByTestId('action-outcomes').getByText('Not run yet', { exact: false }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it("names the group an action runs in: the group viewed for a new one, an edited one's own", async () => {
    const names = await groupNames();
    const made = await ctx.request('POST', '/v2/callaction', {
      token: admin.token,
      body: [{ group_id: ids.location, action: 'email_alert', action_target: 'ops@example.test' }],
    });
    expect(made.body[0], JSON.stringify(made.body)).toMatchObject({ result: 'success' });
    const locationAction = Number(made.body[0].data);
    const page = await openAs(admin.email, 'Call actions', 'Call actions');

    await page.getByRole('button', { name: 'New call action' }).click();
    const form = page.getByRole('dialog', { name: 'New call action' });
    expect(await form.getByRole('textbox', { name: 'Runs on', exact: true }).inputValue()).toBe(
      `Every call in ${names.get(ids.company)} (group default)`,
    );
    await form.getByRole('button', { name: 'Cancel' }).click();
    await form.waitFor({ state: 'detached' });

    // the company is viewed; the action is the location's default
    const row = page.locator(`[data-action="${locationAction}"]`);
    expect(await row.textContent()).toContain(`Every call in ${names.get(ids.location)}`);
    await row.getByRole('button', { name: `Edit call action #${locationAction}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit call action #${locationAction}` });
    expect(await edit.getByRole('textbox', { name: 'Runs on', exact: true }).inputValue()).toBe(
      `Every call in ${names.get(ids.location)} (group default)`,
    );
    await edit.getByRole('button', { name: 'Cancel' }).click();
  });

  it('releases a reserved number only once it is typed out', async () => {
    const page = await openAs(admin.email, 'Numbers', 'Numbers');
    const row = page.getByTestId('my-numbers').locator(`[data-number="${spareNumber}"]`);
    await row.waitFor();
    const pretty = `(${spareNumber.slice(0, 3)}) ${spareNumber.slice(3, 6)}-${spareNumber.slice(6)}`;
    await row.getByRole('button', { name: `Release ${pretty}` }).click();
    const dialog = page.getByRole('dialog', { name: `Release ${pretty}?` });
    await dialog.getByTestId('release-preview').waitFor();
    const release = dialog.getByRole('button', { name: `Release ${pretty}` });
    expect(await release.isDisabled()).toBe(true);
    const typed = dialog.getByLabel(`Type ${pretty} to confirm`);
    await typed.fill(spareNumber.slice(0, 9));
    expect(await release.isDisabled()).toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);
    await typed.fill(spareNumber);
    await expect.poll(() => release.isEnabled()).toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);
    await release.click();
    await dialog.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    const { body } = await ctx.request('GET', '/v2/number/reserved', { token: admin.token });
    const numbers = Array.isArray(body.data) ? (body.data as { number: number }[]) : [];
    expect(numbers.map((n) => String(n.number))).not.toContain(spareNumber);
  });
});
