import { installChromium } from './helpers/chromium.js';

/** Unpacks the packaged Chromium once, before the test files that drive it start in parallel. */
export default async function setup(): Promise<void> {
  await installChromium();
}
