import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | undefined;

/**
 * The serious and critical axe-core violations on the page, as `id (impact): targets`. axe is
 * evaluated, not injected as a <script>: the console's CSP allows only its own scripts.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // A dialog still fading in has its text at part opacity, and axe would judge the contrast of that
  // moment (a failure seen under load): wait for the transitions to end (spinners loop for ever).
  // (polled with evaluate: waitForFunction's polling compiles a string, which the console's CSP refuses)
  const settled = `document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)`;
  for (const started = Date.now(); !(await page.evaluate(settled)); await page.waitForTimeout(50)) {
    if (Date.now() - started > 10_000) throw new Error('the page was still animating after 10 s');
  }
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(await axeSource);
  const violations = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  })()`)) as { id: string; impact: string; targets: string[] }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.targets.slice(0, 3).join(', ')}`);
}
