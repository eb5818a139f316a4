import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB = path.join(ROOT, 'web');
const INDEX = path.join(WEB, 'dist', 'index.html');

/** The newest change under the console's sources (and the server schemas its types come from). */
async function newestSource(): Promise<number> {
  let newest = 0;
  for (const folder of [
    path.join(WEB, 'src'),
    path.join(WEB, 'index.html'),
    path.join(WEB, 'vite.config.ts'),
  ]) {
    if (!existsSync(folder)) continue;
    const stat = statSync(folder);
    if (!stat.isDirectory()) {
      newest = Math.max(newest, stat.mtimeMs);
      continue;
    }
    for (const file of await readdir(folder, { recursive: true }))
      newest = Math.max(newest, statSync(path.join(folder, file)).mtimeMs);
  }
  return newest;
}

/**
 * The browser tests drive the console the server serves from web/dist: build it when it is
 * missing or older than its sources (`npm run build` builds it too), once per test run.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  if (existsSync(INDEX) && statSync(INDEX).mtimeMs >= (await newestSource())) return;
  await promisify(execFile)('npm', ['run', 'build', '-w', '@switchboard/web'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
}
