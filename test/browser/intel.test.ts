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
import { type FakeProvider, startFakeProvider } from '../helpers/transcription-provider.js';

/**
 * Call intelligence in the console, end to end: the real server process transcribing its calls'
 * recordings through a local server speaking Deepgram's pre-recorded API, headless Chromium
 * reading the transcript beside the player (seeking it), the indicator scores, grading the call on
 * a scorecard, and searching transcripts; axe-core on each page.
 */
const PASSWORD = 'intel-test-password';
const CARRIER_TOKEN = 'intel-test-carrier-token';
const CLIENT = { client_id: 'switchboard', client_secret: 'intel-test-client-secret' };
const TRACKING = '9495550120';
const CONTEXT = { viewport: { width: 1366, height: 900 }, locale: 'en-US' };

/** What the recorded call says (Deepgram's channels: 0 the caller, 1 the agent). */
const UTTERANCES = [
  { channel: 1, start: 0.4, end: 3.1, transcript: 'Thanks for calling Acme Roofing, this is Dana.' },
  {
    channel: 0,
    start: 3.6,
    end: 7.2,
    transcript: "Hi, I'm looking for a quote on a new roof. How much would it cost?",
  },
  { channel: 1, start: 7.9, end: 10.6, transcript: 'We do free estimates. Can someone come out this week?' },
  { channel: 0, start: 11.2, end: 13.0, transcript: 'Sure, my card is 4111 1111 1111 1111 for the deposit.' },
  { channel: 1, start: 13.4, end: 16.0, transcript: "You're all set for Tuesday at 9 am." },
];

let dataDir: string;
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let server: ServerProcess;
let base: string;
let token: string;
let provider: FakeProvider;
/** a local server speaking OpenAI's chat completions: the optional model scoring */
let chat: FakeProvider;
let recordings: Server;
let recordingsUrl: string;
let browser: Browser;
const ids = { company: 0, transcribed: 0, failed: 0, scorecard: 0 };

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

async function call(to: string, from: string) {
  return simulateCall(
    { to, from, press: ['1'], answer: 'first', recordingBaseUrl: recordingsUrl },
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
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type Transcribed = {
  call_id: number;
  caller_id: string;
  transcription: { transcript_status: string } | null;
};

/** The call of `caller` once its transcript has come to `status`. */
const transcribedCall = (caller: string, status: string) =>
  until(`the transcript of ${caller} (${status})`, async () => {
    const calls = await api<Transcribed[]>(
      'GET',
      `/v2/call/transcription?filter=${encodeURIComponent(`caller_id=${caller}`)}`,
    );
    return calls.find((c) => c.transcription?.transcript_status === status)?.call_id;
  });

/** Polls until it holds: a busy machine can take seconds. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 20_000, interval: 200 });

/** The playing position of the page's recording, in seconds. */
const audioTime = (page: Page) =>
  page.evaluate(() => {
    const doc = (
      globalThis as unknown as { document: { querySelector(s: string): { currentTime: number } | null } }
    ).document;
    return doc.querySelector('[data-testid="recording-audio"]')?.currentTime ?? -1;
  });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-intel-'));
  database = await createEmptyDatabase();
  provider = await startFakeProvider(() => ({
    json: {
      metadata: { request_id: 'r-1', channels: 2 },
      results: {
        channels: [{ detected_language: 'en' }, { detected_language: 'en' }],
        utterances: UTTERANCES,
      },
    },
  }));
  chat = await startFakeProvider(() => ({
    json: {
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: JSON.stringify({
              indicators: [{ indicator_id: 1, score: 88, quote: "I'm looking for a quote on a new roof." }],
            }),
          },
        },
      ],
    },
  }));
  recordings = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'audio/wav' }).end(conversationWav(18));
  });
  await new Promise<void>((resolve) => recordings.listen(0, '127.0.0.1', resolve));
  recordingsUrl = `http://127.0.0.1:${(recordings.address() as { port: number }).port}/recordings`;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServer(
    {
      DATA_DIR: dataDir,
      PORT: String(port),
      SWITCHBOARD_ADMIN_PASSWORD: PASSWORD,
      SWITCHBOARD_OAUTH_CLIENT_SECRET: CLIENT.client_secret,
      TWILIO_AUTH_TOKEN: CARRIER_TOKEN,
      TRANSCRIPTION_PROVIDER: 'deepgram',
      TRANSCRIPTION_URL: provider.url,
      TRANSCRIPTION_API_KEY: 'intel-test-key',
      ANALYSIS_URL: `${chat.url}/v1`,
      ANALYSIS_MODEL: 'test-model',
      OAUTH_RATE_LIMIT_PER_MINUTE: '200',
      ...(database.url ? { DATABASE_URL: database.url } : {}),
      // start-up is mostly migrations: slow on a busy machine
    },
    420_000,
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
      campaign_name: 'Roofing',
      campaign_start_date: '2026-01-01T00:00:00Z',
      campaign_owner_user_id: 1,
      group_id: ids.company,
    },
  ]);
  await api('POST', '/v2/callflow/multilevelivr', [
    {
      call_flow_name: 'Roofing line',
      group_id: ids.company,
      campaign_id: Number(campaign?.data),
      channel_id: 4,
      message: 'For sales press 1.',
      number: { phone_number: Number(TRACKING) },
      ivrs: [
        { key: 1, action: 'simple', destination: 'Sales', target_did: 8015550110, record_enabled: true },
      ],
    },
  ]);
  const scorecard = await api<{ scorecard_id: number }>('POST', '/v2/scorecard', {
    group_id: ids.company,
    scorecard_name: 'Inbound sales call',
    sections: [
      {
        section_name: 'Opening',
        criteria: [
          { key: 'greeting', label: 'Greeted with the company name', type: 'yes_no', weight: 1 },
          { key: 'tone', label: 'Friendly tone', type: 'scale', weight: 1 },
        ],
      },
      {
        section_name: 'Close',
        criteria: [
          { key: 'booked', label: 'Set an appointment', type: 'yes_no', weight: 2, indicator_id: 2 },
          { key: 'next_steps', label: 'Next steps explained', type: 'points', weight: 1, max_points: 5 },
        ],
      },
    ],
  });
  ids.scorecard = scorecard.scorecard_id;

  await call(TRACKING, '2125550131');
  ids.transcribed = await transcribedCall('2125550131', 'done');
  // the provider refuses the next recording: the call page says why
  provider.answerWith(() => ({
    status: 400,
    json: { err_code: 'Bad Request', err_msg: 'Unsupported audio.' },
  }));
  await call(TRACKING, '2125550132');
  ids.failed = await transcribedCall('2125550132', 'failed');
  // the analysis (indicator scores) follows the transcript
  await until('the indicator scores', async () => {
    const record = await api<{ indicator_scores: unknown[] }>('GET', `/v2/call?id=${ids.transcribed}`);
    return record.indicator_scores.length > 0 ? true : undefined;
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await provider?.close();
  await chat?.close();
  await new Promise((resolve) => (recordings ? recordings.close(resolve) : resolve(undefined)));
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe(`call intelligence in the console, on ${testEngine()}`, { timeout: 120_000 }, () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    context = await browser.newContext(CONTEXT);
    page = await context.newPage();
    await signIn(page, base, 'admin@example.com', PASSWORD);
  });
  afterAll(() => context?.close());

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page && !page.isClosed())
      await page
        .screenshot({
          path: path.join(
            tmpdir(),
            `intel-test-${testEngine()}-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`,
          ),
        })
        .catch(() => {});
  });

  it('shows the transcript beside the player: who said what when, redacted; a line plays from its time', async () => {
    await page.goto(`${base}/calls/${ids.transcribed}`);
    const lines = page.getByTestId('utterance');
    await lines.first().waitFor();
    expect(await lines.count()).toBe(UTTERANCES.length);
    expect(await lines.nth(0).textContent()).toContain('Agent0:00Thanks for calling Acme Roofing');
    expect(await lines.nth(1).textContent()).toContain('Caller0:03');
    // the card number is redacted before it is stored, so never shown
    expect(await lines.nth(3).textContent()).toContain('[redacted card number]');
    expect(await page.getByTestId('transcript').textContent()).not.toContain('4111');

    await page.locator('[data-testid="recording-player"] canvas').first().waitFor();
    await lines.nth(2).click();
    // the recording plays from the line's start, and the line being said is the highlighted one
    await poll(() => audioTime(page)).toBeGreaterThanOrEqual(7.9);
    await poll(() => lines.nth(2).getAttribute('aria-current')).toBe('true');
    await page.getByTestId('play').click(); // pause
    // keyboard: a line is a button
    await lines.nth(1).focus();
    await page.keyboard.press('Enter');
    await poll(async () => Math.abs((await audioTime(page)) - 3.6) < 1).toBe(true);
    await page.getByTestId('play').click();
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('finds words in the call, marking the lines where they are said', async () => {
    await page.getByRole('textbox', { name: 'Find in the transcript' }).fill('estimate');
    await page.getByRole('textbox', { name: 'Find in the transcript' }).press('Enter');
    await poll(() => page.getByTestId('transcript-hit-count').textContent()).toBe('1 line matches');
    const hit = page.locator('[data-testid="utterance"][data-hit="true"]');
    expect(await hit.count()).toBe(1);
    expect(await hit.locator('mark').textContent()).toBe('estimates');
  });

  it("shows the call's indicator scores with their evidence; a phrase's time plays the recording there", async () => {
    const indicators = page.getByTestId('indicators');
    const lead = indicators.locator('[data-indicator-id="1"]');
    await lead.waitFor();
    const record = await api<{ indicator_scores: { indicator_id: number; score: number }[] }>(
      'GET',
      `/v2/call?id=${ids.transcribed}`,
    );
    const leadScore = record.indicator_scores.find((s) => s.indicator_id === 1)?.score;
    expect(leadScore).toBeGreaterThan(0);
    expect(await lead.textContent()).toContain(`Lead${leadScore}`);
    expect(await lead.textContent()).toMatch(/Caller said “(quote|looking for|how much)” at 0:03/);
    // the model's score and quote beside the rule score (ANALYSIS_URL: a local chat-completions server)
    expect(await lead.getByTestId('model-score').textContent()).toBe('Model 88');
    expect(await lead.getByTestId('model-quote').textContent()).toBe(
      "The model quoted: “I'm looking for a quote on a new roof.”",
    );
    expect(await indicators.locator('[data-indicator-id="2"]').getByTestId('model-score').count()).toBe(0);
    const appointment = indicators.locator('[data-indicator-id="2"]');
    expect(await appointment.textContent()).toContain("said “you're all set”");
    await appointment.getByRole('button', { name: 'Play from 0:13' }).first().click();
    await poll(() => audioTime(page)).toBeGreaterThanOrEqual(13);
    await page.getByTestId('play').click();
  });

  it('grades the call on a scorecard: criteria answered, one pre-filled from its indicator, saved and shown again', async () => {
    const card = page.getByTestId('scorecard');
    await card.getByLabel('Grade this call on').waitFor();
    expect(await card.getByLabel('Grade this call on').inputValue()).toBe('Inbound sales call');
    const appointment = (
      await api<{ indicator_scores: { indicator_id: number; score: number }[] }>(
        'GET',
        `/v2/call?id=${ids.transcribed}`,
      )
    ).indicator_scores.find((s) => s.indicator_id === 2)?.score as number;
    expect(await card.textContent()).toContain(`Pre-filled from Appointment set (${appointment})`);
    await card.getByRole('textbox', { name: 'Call title' }).fill('Roof quote, booked Tuesday');
    await card.getByRole('radiogroup', { name: 'Greeted with the company name' }).getByText('Yes').click();
    await card.getByRole('radiogroup', { name: 'Friendly tone' }).getByText('4', { exact: true }).click();
    await card.getByRole('textbox', { name: 'Next steps explained' }).fill('5');
    // greeting 1, tone 0.75, booked (pre-filled) x2, next steps 1: the score shown before saving
    const expected = Math.round(((1 + 0.75 + (appointment / 100) * 2 + 1) / 5) * 10_000) / 100;
    await poll(() => card.getByTestId('scorecard-score').textContent()).toBe(String(expected));
    await card.getByRole('button', { name: 'Save score' }).click();
    await card.getByRole('button', { name: 'Save changes' }).waitFor();

    const saved = await api<
      { answers: Record<string, unknown>; call_title: string; score: number; prefilled: string[] }[]
    >('GET', `/v2/scorecard/call?call_id=${ids.transcribed}`);
    expect(saved).toEqual([
      expect.objectContaining({
        scorecard_id: ids.scorecard,
        call_title: 'Roof quote, booked Tuesday',
        answers: { greeting: true, tone: 4, next_steps: 5 },
        prefilled: appointment > 0 ? ['booked'] : [],
        score: expected,
      }),
    ]);
    // opened again, the form holds what was saved
    await page.reload();
    await card.getByRole('textbox', { name: 'Call title' }).waitFor();
    expect(await card.getByRole('textbox', { name: 'Call title' }).inputValue()).toBe(
      'Roof quote, booked Tuesday',
    );
    expect(await card.getByLabel('Grade this call on').inputValue()).toBe(
      `Inbound sales call · scored ${expected}`,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('the dashboard shows indicator trends; an indicator opens the calls that scored it', async () => {
    // a range around today in any zone, so both calls are in it
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const [from, to] = [day(-2), day(1)];
    const trends = await api<{
      analyzed: number;
      indicators: { indicator_id: number; indicator_name: string; scored: number; share: number }[];
    }>('GET', `/v2/indicator/trends?group_id=${ids.company}&start_date=${from}&end_date=${to}`);
    const lead = trends.indicators.find((t) => t.indicator_id === 1) as {
      indicator_name: string;
      scored: number;
      share: number;
    };
    expect(lead.scored).toBeGreaterThan(0);

    await page.goto(`${base}/?group=${ids.company}&from=${from}&to=${to}`);
    const card = page.getByTestId('indicator-trends');
    await card.getByRole('heading', { name: 'Indicator trends' }).waitFor();
    const tile = card.getByTestId('indicator-trend-1');
    await poll(() => tile.locator('[data-share]').textContent()).toBe(
      `${Math.round((lead.scored / trends.analyzed) * 100)}%`,
    );
    expect(await tile.locator('[data-scored]').textContent()).toBe(
      `${lead.scored} of ${trends.analyzed} analysed calls`,
    );
    // the sparkline is drawn
    expect(await tile.locator('canvas').count()).toBeGreaterThan(0);
    expect(await card.getByTestId(/^indicator-trend-/).count()).toBe(trends.indicators.length);
    expect(await accessibilityViolations(page)).toEqual([]);

    await tile.click();
    await page.waitForURL(/\/calls\?/);
    expect(new URL(page.url()).searchParams.get('indicator')).toBe('1');
    // the filter is named by the indicator's name
    await page
      .getByRole('button', { name: `Remove filter ${lead.indicator_name}: scored 50 or more` })
      .waitFor();
    const rows = page.locator('[data-testid="call-table"] [data-call-id]');
    await poll(() => rows.count()).toBe(lead.scored);
    expect(await rows.first().getAttribute('data-call-id')).toBe(String(ids.transcribed));
  });

  it("says why a call has no transcript: the provider's answer", async () => {
    await page.goto(`${base}/calls/${ids.failed}`);
    const status = page.getByTestId('transcript-status');
    await status.waitFor();
    expect(await status.getAttribute('data-status')).toBe('failed');
    expect(await status.textContent()).toContain('Transcription failed');
    expect(await status.textContent()).toContain('400');
  });

  it('searches transcripts from the nav with the call-log filters; a hit opens the call at that moment', async () => {
    await page.getByRole('link', { name: 'Transcripts' }).click();
    await page.getByRole('heading', { name: 'Transcript search' }).waitFor();
    expect(await page.getByTestId('search-empty').count()).toBe(1);
    await page.getByRole('textbox', { name: 'Words or a phrase' }).fill('"new roof"');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const result = page.getByTestId('search-result');
    await result.first().waitFor();
    expect(await result.count()).toBe(1);
    expect(await result.first().getAttribute('data-call-id')).toBe(String(ids.transcribed));
    expect(await result.first().locator('mark').allTextContents()).toEqual(['new', 'roof']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('"new roof"');
    expect(await accessibilityViolations(page)).toEqual([]);

    // a filter that leaves the call out: nothing found, said so
    await page.goto(`${page.url()}&minDuration=3600`);
    await page.getByTestId('no-results').waitFor();
    await page.goBack();
    await result.first().waitFor();

    await result
      .first()
      .getByRole('link', { name: /^Caller\s*0:03/ })
      .click();
    await page.waitForURL(new RegExp(`/calls/${ids.transcribed}`));
    expect(new URL(page.url()).hash).toContain('t=3.6');
    // the call page searches the same words and starts the recording at the hit
    await page.locator('[data-testid="utterance"][data-hit="true"]').first().waitFor();
    expect(await page.getByRole('textbox', { name: 'Find in the transcript' }).inputValue()).toBe(
      '"new roof"',
    );
    await poll(async () => Math.abs((await audioTime(page)) - 3.6) < 0.5).toBe(true);
    await poll(() => page.getByTestId('utterance').nth(1).getAttribute('aria-current')).toBe('true');
  });
});
