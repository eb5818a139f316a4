import { installChromium } from './helpers/chromium.js';
import { ensureConsoleBuilt } from './helpers/console-build.js';

/**
 * Unpacks the packaged Chromium and builds the console (when its build is stale) once, before the
 * test files that drive them start in parallel.
 */
export default async function setup(): Promise<void> {
  await Promise.all([installChromium(), ensureConsoleBuilt()]);
}
