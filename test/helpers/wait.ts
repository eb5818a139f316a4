/**
 * Polls `check` until it holds, for what happens outside the test's control (a NOTIFY, another
 * process, a browser). Fails after `timeoutMs`, naming `what` (and `details()`, when given).
 */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  {
    timeoutMs = 10_000,
    intervalMs = 20,
    details,
  }: { timeoutMs?: number; intervalMs?: number; details?: () => string } = {},
): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out waiting for ${what}${details ? `\n${details()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
