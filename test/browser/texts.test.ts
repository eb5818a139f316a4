import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext, type TestUser } from '../helpers/app.js';
import { accessibilityViolations } from '../helpers/axe.js';
import { createCarrier } from '../helpers/carrier.js';
import { launchChromium } from '../helpers/chromium.js';
import { signIn } from '../helpers/console-session.js';
import { freshNumbers } from '../helpers/dni.js';
import { freePort } from '../helpers/process.js';
import {
  startTwilioMessagesApi,
  type TwilioMessagesApi,
  testMessageSid,
} from '../helpers/twilio-messages.js';

/**
 * The texts pages in headless Chromium against the real app on a real port: the inbox (unread
 * counts, filters, search, the thread with its status ticks and media, reply, mark read, opt-out
 * refusal, new texts arriving while it is open) and broadcasts (a contact list imported from CSV,
 * the composer's segment count and cost estimate, the broadcast's progress), with texts sent to a
 * local server speaking Twilio's Messages API and axe-core checking each page.
 */
const ACCOUNT_SID = `AC${'7'.repeat(32)}`;
const CONTEXT = { viewport: { width: 1440, height: 960 }, locale: 'en-US' };

let ctx: TestContext;
let twilioApi: TwilioMessagesApi;
let carrier: ReturnType<typeof createCarrier>;
let admin: TestUser;
let reader: TestUser;
let tracking: string;
let base: string;
let browser: Browser;
let context: BrowserContext;

const text = (from: string, body: string, extra: Record<string, string> = {}) =>
  carrier.send('sms', {
    MessageSid: testMessageSid(),
    AccountSid: ACCOUNT_SID,
    From: `+1${from}`,
    To: `+1${tracking}`,
    Body: body,
    NumMedia: '0',
    ...extra,
  });

const postCallback = async (url: string, form: Record<string, string>, signature: string) =>
  (await carrier.post(url, form, signature)).status;

const conversationIdOf = async (contact: string) =>
  (
    await ctx.db.query<{ conversation_id: number; unread_count: number }>(
      'select conversation_id, unread_count from sms_conversation where contact_number = $1',
      [contact],
    )
  ).rows[0] as { conversation_id: number; unread_count: number };

beforeAll(async () => {
  twilioApi = await startTwilioMessagesApi({ accountSid: ACCOUNT_SID, authToken: TEST_CARRIER_TOKEN });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  ctx = await createTestContext({
    PUBLIC_BASE_URL: base,
    JOBS_POLL_INTERVAL_MS: '0',
    TWILIO_API_BASE_URL: twilioApi.baseUrl,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  });
  // the browser keeps cookies by its own clock: the app's clock reads the real time
  ctx.clock.set(new Date());
  await ctx.app.listen({ port, host: '127.0.0.1' });
  carrier = createCarrier(ctx.app, base);
  const h = await ctx.factory.hierarchy();
  admin = h.companyAdmin;
  reader = await ctx.factory.user(admin.group_id, 3);
  [tracking] = (await freshNumbers(ctx, 1)).numbers as [string];
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: 'Main line',
        group_id: admin.group_id,
        campaign_id: await ctx.factory.campaign(admin),
        channel_id: 1,
        number: { phone_number: tracking },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
  // no quiet hours: the broadcast sends whatever time of day the test runs
  await ctx.request('PUT', '/v2/sms/settings', {
    token: admin.token,
    body: { group_id: admin.group_id, quiet_start: '00:00', quiet_end: '00:00' },
  });

  await text('2125550111', 'Do you fix tankless water heaters?');
  ctx.clock.advance(60_000);
  await text('2125550112', 'Here is the leak', {
    NumMedia: '1',
    MediaUrl0: 'https://media.example.test/leak.jpg',
    MediaContentType0: 'image/jpeg',
  });
  ctx.clock.advance(60_000);
  await text('2125550113', 'STOP');
  ctx.clock.advance(60_000);
  await text('2125550111', 'Also, are you open Saturday?');
  await ctx.app.services.jobs.drain();

  browser = await launchChromium();
}, 400_000);

afterEach(async () => {
  await context?.close();
});

afterAll(async () => {
  await browser?.close();
  await ctx?.close();
  await twilioApi?.close();
});

describe('the texts inbox', () => {
  it('lists conversations newest first with unread counts, filters and searches them', async () => {
    context = await browser.newContext(CONTEXT);
    const page = await context.newPage();
    await signIn(page, base, admin.email);
    await page.getByRole('link', { name: 'Texts' }).click();
    await page.getByRole('heading', { name: 'Texts', level: 1 }).waitFor();
    const list = page.getByTestId('conversations');
    await list.getByRole('listitem').first().waitFor();
    const rows = list.getByRole('listitem');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(0).textContent()).toContain('(212) 555-0111');
    expect(await rows.nth(0).textContent()).toContain('Also, are you open Saturday?');
    await expect.poll(() => rows.nth(0).getByLabel('2 unread').count()).toBe(1);
    expect(await rows.nth(1).textContent()).toContain('(212) 555-0113');
    expect(await rows.nth(1).textContent()).toContain('Opted out');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Search conversations').fill('leak');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.nth(0).textContent()).toContain('(212) 555-0112');
    await page.getByLabel('Search conversations').fill('');

    // Unread: the opted-out person's STOP was read by nobody either; all three are unread
    await page
      .locator('.mantine-SegmentedControl-label')
      .filter({ hasText: /^Unread$/ })
      .click();
    await page.waitForURL(/show=unread/);
    await expect.poll(() => rows.count()).toBe(3);
  });

  it('opens a thread, marks it read, shows media, and replies through Send SMS with status ticks', async () => {
    context = await browser.newContext(CONTEXT);
    const page = await context.newPage();
    await signIn(page, base, admin.email);
    const leak = await conversationIdOf('2125550112');
    await page.goto(`${base}/texts?c=${leak.conversation_id}`);
    const thread = page.getByTestId('thread');
    await thread.getByText('Here is the leak').waitFor();
    expect(await thread.getByRole('link', { name: 'Picture 1' }).getAttribute('href')).toBe(
      'https://media.example.test/leak.jpg',
    );
    await expect.poll(async () => (await conversationIdOf('2125550112')).unread_count).toBe(0);

    // keyboard only: type, Ctrl+Enter sends
    const reply = thread.getByRole('textbox', { name: 'Reply' });
    await reply.fill('We can come by at 3pm today.');
    await expect.poll(() => thread.getByText('1 segment (GSM-7)', { exact: false }).count()).toBe(1);
    await reply.press('Control+Enter');
    await expect.poll(() => reply.inputValue()).toBe('');
    await ctx.app.services.jobs.drain();
    const sent = twilioApi.messages.find((m) => m.to === '+12125550112');
    expect(sent).toMatchObject({ from: `+1${tracking}`, body: 'We can come by at 3pm today.' });
    const bubble = thread
      .locator('[data-direction="outbound"]')
      .filter({ hasText: 'We can come by at 3pm today.' });
    await bubble.locator('[data-status="queued"]').waitFor();
    await twilioApi.deliver(sent?.sid as string, 'delivered', postCallback);
    await bubble.locator('[data-status="delivered"]').waitFor({ timeout: 10_000 });
    expect(await bubble.textContent()).toContain('Delivered');

    // a text that fails shows the carrier's error code
    await reply.fill('Are you still there?');
    await thread.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => reply.inputValue()).toBe('');
    await ctx.app.services.jobs.drain();
    const second = twilioApi.messages.find((m) => m.body === 'Are you still there?');
    await twilioApi.deliver(second?.sid as string, 'undelivered', postCallback, 30003);
    const failed = thread.locator('[data-direction="outbound"]').filter({ hasText: 'Are you still there?' });
    await failed.locator('[data-status="undelivered"]').waitFor({ timeout: 10_000 });
    expect(await failed.textContent()).toContain('Not delivered (error 30003)');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('shows that a person opted out and offers no reply; a refused send says why', async () => {
    context = await browser.newContext(CONTEXT);
    const page = await context.newPage();
    await signIn(page, base, admin.email);
    const stopped = await conversationIdOf('2125550113');
    await page.goto(`${base}/texts?c=${stopped.conversation_id}`);
    const thread = page.getByTestId('thread');
    await thread.getByTestId('opted-out').waitFor();
    expect(await thread.getByRole('textbox', { name: 'Reply' }).count()).toBe(0);
    expect(await thread.textContent()).toContain('Keyword answer');

    // the person opts out while the page is open: the server's refusal is shown, nothing is sent
    const open = await conversationIdOf('2125550111');
    await page.goto(`${base}/texts?c=${open.conversation_id}`);
    const reply = thread.getByRole('textbox', { name: 'Reply' });
    await reply.waitFor();
    // the page has not read the conversation again yet (its next poll would show the opt-out and
    // take the reply box away): the conversation's reads are held until the send is refused
    // (answered as it was before the opt-out, as a page that has not polled yet knows it)
    const before = await page.request.get(`${base}/v2/sms/conversation?id=${open.conversation_id}`);
    const stale = await before.json();
    await page.route(
      (url) => url.pathname === '/v2/sms/conversation',
      (route) => route.fulfill({ status: 200, json: stale }),
    );
    await ctx.db.query(
      `insert into sms_opt_out (group_id, contact_number, opted_out, keyword, tracking_number, opted_out_at, changed_at)
       values ($1, '2125550111', true, 'STOP', $2, now(), now())`,
      [admin.group_id, tracking],
    );
    await reply.fill('Yes, 8 to 2 on Saturdays.');
    await thread.getByRole('button', { name: 'Send' }).click();
    await thread.getByTestId('send-error').waitFor();
    expect(await thread.getByTestId('send-error').textContent()).toContain(
      '2125550111 has opted out of texts from this group (replied STOP); nothing was sent',
    );
    expect(twilioApi.messages.filter((m) => m.to === '+12125550111')).toEqual([]);
    await ctx.db.query(`delete from sms_opt_out where contact_number = '2125550111'`);
  }, 90_000);

  it('shows a new text while the inbox is open, and a read-only user can read but not reply', async () => {
    context = await browser.newContext(CONTEXT);
    const page = await context.newPage();
    await signIn(page, base, reader.email);
    await page.goto(`${base}/texts`);
    const rows = page.getByTestId('conversations').getByRole('listitem');
    await rows.first().waitFor();
    ctx.clock.advance(60_000);
    await text('2125550114', 'Just moved in, need a quote');
    await expect
      .poll(() => rows.nth(0).textContent(), { timeout: 15_000 })
      .toContain('Just moved in, need a quote');
    await rows.nth(0).click();
    const send = page.getByTestId('thread').getByRole('button', { name: 'Send' });
    await send.waitFor();
    expect(await send.getAttribute('aria-disabled')).toBe('true');
  });
});

describe('broadcasts', () => {
  it('imports a list from CSV, estimates segments and cost, sends, and shows progress', async () => {
    context = await browser.newContext(CONTEXT);
    const page = await context.newPage();
    await signIn(page, base, admin.email);
    await page.getByRole('link', { name: 'Broadcasts' }).click();
    await page.getByRole('heading', { name: 'Broadcasts', level: 1 }).waitFor();
    await page.getByText('No broadcast yet').waitFor();

    await page.getByLabel('New list name').fill('Spring customers');
    await page.getByRole('button', { name: 'Add list' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import contacts into Spring customers' });
    await dialog
      .getByLabel('CSV')
      .fill(
        'phone_number,first_name,store\n3125550201,Ann,Main St\n3125550202,Bob,Oak Ave\nnot-a-number,Cy,x\n2125550113,Stopped,x',
      );
    await dialog.getByRole('button', { name: 'Import' }).click();
    const result = dialog.getByTestId('import-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('3 contacts imported');
    expect(await result.textContent()).toContain('line 4');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'New broadcast' }).click();
    const composer = page.getByRole('dialog', { name: 'New broadcast' });
    await composer.getByLabel('Name').fill('Spring tune-up');
    await composer.getByRole('textbox', { name: 'Send to' }).click();
    await page.getByRole('option', { name: /Spring customers/ }).click();
    await composer.getByRole('textbox', { name: 'Sender numbers' }).click();
    await page.getByRole('option', { name: /Main line/ }).click();
    await composer.getByLabel('Text').fill('Hi {first_name}, {store} has tune-ups this week!');
    await expect
      .poll(() => composer.getByTestId('typed-segments').textContent())
      .toContain('1 segment (GSM-7)');
    // the estimate follows the text as typed (debounced): wait for this text's preview
    await expect
      .poll(() => composer.getByTestId('preview').textContent(), { timeout: 10_000 })
      .toBe('Hi Ann, Main St has tune-ups this week!');
    expect(await composer.getByTestId('estimate-recipients').textContent()).toBe('2');
    expect(await composer.getByTestId('estimate-segments').textContent()).toBe('2');
    expect(await composer.getByTestId('estimate-cost').textContent()).toBe('$0.0158');
    expect(await accessibilityViolations(page)).toEqual([]);
    await composer.getByRole('button', { name: 'Send broadcast' }).click();
    await composer.waitFor({ state: 'detached' });

    const row = page.getByTestId('broadcasts').locator('tr', { hasText: 'Spring tune-up' });
    await row.waitFor();
    for (let i = 0; i < 3; i += 1) {
      await ctx.app.services.jobs.drain();
      ctx.clock.advance(1000);
    }
    expect(
      twilioApi.messages
        .filter((m) => m.body.includes('tune-ups'))
        .map((m) => m.to)
        .sort(),
    ).toEqual(['+13125550201', '+13125550202']);
    for (const message of twilioApi.messages.filter((m) => m.body.includes('tune-ups')))
      await twilioApi.deliver(message.sid, 'delivered', postCallback);
    await ctx.app.services.jobs.drain();
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('2 delivered');
    expect(await row.textContent()).toContain('1 skipped');
    expect(await row.textContent()).toContain('Done');
  });
});
