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
 * runs. The baseline is the same two measurements on a one-menu flow of 10 options (11 boxes),
 * in the same browser and run, so the ratios isolate what the size of the tree costs.
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

/**
 * Opens the builder by a full navigation (warm cache, as a second visit) and answers the time
 * from the navigation's start to the first frame where all `boxes` boxes are drawn and measured
 * (React Flow hides a box until it knows its size; a hidden box cannot be clicked).
 */
async function openTime(page: Page, url: string, boxes: number): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
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
  await fixtureNumbers(base, NPA, 0, 2);
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
  const [small, large] = await createFlows(base, fixtures.token, [
    flow('Builder bench: one menu', 1, `${NPA}2000000`),
    flow(`Builder bench: ${LEVELS} levels`, LEVELS, `${NPA}2000001`),
  ]);
  const cases = [
    { id: Number(small?.data), levels: 1, boxes: 1 + OPTIONS },
    { id: Number(large?.data), levels: LEVELS, boxes: 1 + LEVELS * OPTIONS },
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
    for (const { id, levels, boxes } of cases) {
      const url = `${base}/flows/${id}?group=${COMPANY_GROUP}`;
      const open: number[] = [];
      for (let i = 0; i < SAMPLES + WARMUP; i += 1) {
        const ms = await openTime(page, url, boxes);
        if (i >= WARMUP) open.push(ms);
      }
      // the deepest menu's last option, opened in the side panel as a click on its box does
      const nodeId = deepestLastOption(levels);
      await page.locator(`.react-flow__node[data-id="${nodeId}"]`).click();
      await page.getByRole('textbox', { name: 'Name in reports', exact: true }).waitFor();
      const edit: number[] = [];
      for (let i = 0; i < SAMPLES + WARMUP; i += 1) {
        const ms = await editTime(page, nodeId, `Renamed ${i}`);
        if (i >= WARMUP) edit.push(ms);
      }
      measured.push({ levels, boxes, open: timing(open), edit: timing(edit) });
    }
    await context.close();

    const [base1, deep] = measured as [(typeof measured)[0], (typeof measured)[0]];
    const label = `${LEVELS} levels x ${OPTIONS} options, ${deep.boxes} boxes`;
    const row = (what: 'open' | 'edit', scenario: string, note: string): Row => ({
      scenario,
      engine,
      unit: what === 'open' ? 'opens' : 'edits',
      result: deep[what],
      baseline: { name: `one menu of ${OPTIONS} (${base1.boxes} boxes)`, result: base1[what] },
      ratio: ratioOf(deep[what].p50Ms, base1[what].p50Ms),
      goal: `p95 <= ${GOAL_P95_MS} ms`,
      met: deep[what].p95Ms <= GOAL_P95_MS,
      note: `${note}: p50 ${deep[what].p50Ms.toFixed(0)} ms, p95 ${deep[what].p95Ms.toFixed(0)} ms over ${SAMPLES} in Chromium; one menu p50 ${base1[what].p50Ms.toFixed(0)} ms, p95 ${base1[what].p95Ms.toFixed(0)} ms; ratio of p50s`,
    });
    return [
      row(
        'open',
        `11. builder: open a flow (${label})`,
        'navigation start to every box drawn and clickable (warm cache)',
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
