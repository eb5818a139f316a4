import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/chromium.js';
import type { Measurement } from './lib/load.js';
import { BENCH_SECRETS } from './lib/server.js';
import {
  type BenchContext,
  COMPANY_GROUP,
  createFlows,
  type Fixtures,
  fixtureNumbers,
  type Row,
  ratioOf,
} from './scenarios.js';

/**
 * 8. The call-flow builder in Chromium: time to open a flow of 6 menu levels x 10 options (61
 * boxes) until its graph is drawn and every box can be clicked, and to apply an edit (rename an
 * option in the side panel) until its box on the graph shows the new name, p50/p95 over repeated
 * runs. A flow is opened as a user opens it: a click on its name in the flows list (the
 * console's own navigation, no page load), each sample a flow not opened before in the page (its
 * data not cached), the click a bare one (no hover before it, so nothing was fetched ahead). The
 * same flow opened by a full page load (warm HTTP cache) is reported beside it, without a goal.
 * The baseline is the same measurements on a one-menu flow of 10 options (11 boxes), in the same
 * browser and run, so the ratios isolate what the size of the tree costs.
 */
const SAMPLES = 25;
const WARMUP = 3;
const GOAL_P95_MS = 200;
const LEVELS = 6;
const OPTIONS = 10;
/** inventory numbers of this scenario (no other scenario uses the area code) */
const NPA = '720';
const KEYS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0];

/** A menu at `level` of `levels`: ten options, the first opening the next level's menu. */
function menu(level: number, levels: number): Record<string, unknown>[] {
  return KEYS.slice(0, OPTIONS).map((key, i) =>
    i === 0 && level < levels
      ? {
          key,
          action: 'interactiveVoice',
          destination: `Level ${level + 1}`,
          message: `Menu of level ${level + 1}: press a key.`,
          ivrData: menu(level + 1, levels),
        }
      : {
          key,
          action: 'simple',
          destination: `Level ${level} key ${key}`,
          target_did: 8015550100 + i,
        },
  );
}

/** The path (the node id on the graph) of the last option of the deepest menu: `ivrs[0].ivrData[0]...ivrData[9]`. */
const deepestLastOption = (levels: number) =>
  [...Array<number>(levels - 1).fill(0), OPTIONS - 1]
    .map((index, depth) => (depth === 0 ? `ivrs[${index}]` : `.ivrData[${index}]`))
    .join('');

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

function timing(samples: number[]): Measurement & { p95Ms: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((sum, value) => sum + value, 0);
  return {
    requestsPerS: Number.NaN,
    itemsPerS: (samples.length * 1000) / total,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    p95Ms: percentile(sorted, 95),
    requests: samples.length,
    errors: 0,
    durationS: total / 1000,
    peakRssMiB: undefined,
    connections: 1,
    cpuMsPerItem: { server: Number.NaN, database: Number.NaN },
  };
}

/** Resolves to the page's clock at the first frame where all `boxes` boxes are drawn and measured. */
async function drawnAt(page: Page, boxes: number): Promise<number> {
  const handle = await page.waitForFunction(
    (count) => {
      const doc = (
        globalThis as unknown as {
          document: { querySelectorAll(s: string): ArrayLike<{ style: { visibility: string } }> };
        }
      ).document;
      const nodes = Array.from(doc.querySelectorAll('.react-flow__node'));
      return nodes.length === count && nodes.every((node) => node.style.visibility !== 'hidden')
        ? performance.now()
        : false;
    },
    boxes,
    { timeout: 60_000, polling: 'raf' },
  );
  return (await handle.jsonValue()) as number;
}

/**
 * Opens the builder by a full navigation (warm cache, as a second visit) and answers the time
 * from the navigation's start to the first frame where all `boxes` boxes are drawn and measured
 * (React Flow hides a box until it knows its size; a hidden box cannot be clicked).
 */
async function pageLoadOpenTime(page: Page, url: string, boxes: number): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  return drawnAt(page, boxes);
}

/**
 * With the flows list shown, clicks flow `id`'s name (a bare click: no hover, so nothing was
 * fetched ahead) and answers the time from the click to the first frame where all `boxes` boxes
 * are drawn and measured; then goes back to the list.
 */
async function inAppOpenTime(page: Page, id: number, boxes: number): Promise<number> {
  const link = `tr[data-flow-id="${id}"] a`;
  await page.locator(link).waitFor();
  const started = (await page.evaluate(
    `(() => { const t = performance.now(); document.querySelector(${JSON.stringify(link)}).click(); return t; })()`,
  )) as number;
  const ms = (await drawnAt(page, boxes)) - started;
  await page.goBack();
  return ms;
}

/**
 * Types a new name into the selected option's "Name in reports" (one input event, as a paste)
 * and answers the time until the next frame after its box on the graph shows the name.
 */
function editTime(page: Page, nodeId: string, name: string): Promise<number> {
  return page.evaluate(`(${EDIT_IN_PAGE})(${JSON.stringify(nodeId)}, ${JSON.stringify(name)})`);
}

/** Runs in the page (plain JavaScript: the bench compiles without the DOM's types). */
const EDIT_IN_PAGE = `(nodeId, name) => new Promise((resolve, reject) => {
  const input = [...document.querySelectorAll('input')].find(
    (element) => element.labels?.[0]?.textContent?.trim() === 'Name in reports',
  );
  const box = document.querySelector('.react-flow__node[data-id="' + nodeId + '"]');
  if (!input || !box) return reject(new Error('no name field or no box ' + nodeId));
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  const started = performance.now();
  const shown = () => box.textContent.includes(name);
  const done = () => requestAnimationFrame(() => resolve(performance.now() - started));
  const observer = new MutationObserver(() => {
    if (!shown()) return;
    observer.disconnect();
    done();
  });
  observer.observe(box, { subtree: true, childList: true, characterData: true });
  setValue.call(input, name);
  input.dispatchEvent(new Event('input', { bubbles: true }));
})`;

export async function builderScenario(ctx: BenchContext, fixtures: Fixtures): Promise<Row[]> {
  const { base, engine } = ctx;
  ctx.log('11. builder in Chromium');
  const flow = (name: string, levels: number, number: string) => ({
    call_flow_name: name,
    call_flow_status: 'active',
    group_id: COMPANY_GROUP,
    campaign_id: fixtures.campaignId,
    channel_id: 7,
    message: 'Thanks for calling: press a key.',
    number: { phone_number: Number(number) },
    ivrs: menu(1, levels),
  });
  // each sample opens a flow of its own, so that its data was never fetched in the page
  const copies = SAMPLES + WARMUP;
  await fixtureNumbers(base, NPA, 0, 2 * copies);
  const number = (i: number) => `${NPA}${2000000 + i}`;
  const created = await createFlows(base, fixtures.token, [
    ...Array.from({ length: copies }, (_, i) => flow(`Builder bench: one menu #${i + 1}`, 1, number(i))),
    ...Array.from({ length: copies }, (_, i) =>
      flow(`Builder bench: ${LEVELS} levels #${i + 1}`, LEVELS, number(copies + i)),
    ),
  ]);
  const ids = created.map((result) => Number(result.data));
  const cases = [
    { ids: ids.slice(0, copies), levels: 1, boxes: 1 + OPTIONS },
    { ids: ids.slice(copies), levels: LEVELS, boxes: 1 + LEVELS * OPTIONS },
  ];

  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('E-mail').fill(BENCH_SECRETS.adminEmail);
    await page.getByLabel('Password').fill(BENCH_SECRETS.adminPassword);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor({ timeout: 120_000 });

    const measured = [];
    for (const { ids: flowIds, levels, boxes } of cases) {
      const url = (id: number) => `${base}/flows/${id}?group=${COMPANY_GROUP}`;
      const load: number[] = [];
      for (let i = 0; i < SAMPLES + WARMUP; i += 1) {
        const ms = await pageLoadOpenTime(page, url(flowIds[0] as number), boxes);
        if (i >= WARMUP) load.push(ms);
      }
      await page.goto(`${base}/flows?group=${COMPANY_GROUP}`);
      const open: number[] = [];
      for (const [i, id] of flowIds.entries()) {
        const ms = await inAppOpenTime(page, id, boxes);
        if (i >= WARMUP) open.push(ms);
      }
      await page.goto(url(flowIds[0] as number));
      await drawnAt(page, boxes);
      // the deepest menu's last option, opened in the side panel as a click on its box does
      const nodeId = deepestLastOption(levels);
      await page.locator(`.react-flow__node[data-id="${nodeId}"]`).click();
      await page.getByRole('textbox', { name: 'Name in reports', exact: true }).waitFor();
      const edit: number[] = [];
      for (let i = 0; i < SAMPLES + WARMUP; i += 1) {
        const ms = await editTime(page, nodeId, `Renamed ${i}`);
        if (i >= WARMUP) edit.push(ms);
      }
      measured.push({ levels, boxes, open: timing(open), load: timing(load), edit: timing(edit) });
    }
    await context.close();

    const [base1, deep] = measured as [(typeof measured)[0], (typeof measured)[0]];
    const label = `${LEVELS} levels x ${OPTIONS} options, ${deep.boxes} boxes`;
    const row = (what: 'open' | 'load' | 'edit', scenario: string, note: string): Row => ({
      scenario,
      engine,
      unit: what === 'edit' ? 'edits' : 'opens',
      result: deep[what],
      baseline: { name: `one menu of ${OPTIONS} (${base1.boxes} boxes)`, result: base1[what] },
      ratio: ratioOf(deep[what].p50Ms, base1[what].p50Ms),
      ...(what === 'load' ? {} : { goal: `p95 <= ${GOAL_P95_MS} ms`, met: deep[what].p95Ms <= GOAL_P95_MS }),
      note: `${note}: p50 ${deep[what].p50Ms.toFixed(0)} ms, p95 ${deep[what].p95Ms.toFixed(0)} ms over ${SAMPLES} in Chromium; one menu p50 ${base1[what].p50Ms.toFixed(0)} ms, p95 ${base1[what].p95Ms.toFixed(0)} ms; ratio of p50s`,
    });
    return [
      row(
        'open',
        `11. builder: open a flow from the list (${label})`,
        'click on its name in the flows list (no page load, its data not fetched before) to every box drawn and clickable',
      ),
      row(
        'load',
        `11. builder: open a flow by a page load (${label})`,
        'navigation start of a full page load (warm HTTP cache) to every box drawn and clickable; no goal',
      ),
      row(
        'edit',
        `11. builder: rename an option (${label})`,
        'input event in the side panel to the next frame after its box shows the name',
      ),
    ];
  } finally {
    await browser.close();
  }
}
