import type { Page } from 'playwright-core';
import { TEST_PASSWORD } from './app.js';

/**
 * Signs in through the console's own sign-in page at `base` (e-mail, password, Enter) and waits
 * for the dashboard, the page a signed-in user lands on.
 */
export async function signIn(
  page: Page,
  base: string,
  email: string,
  password = TEST_PASSWORD,
): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}
