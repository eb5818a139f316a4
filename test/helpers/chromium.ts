import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { type Browser, type BrowserContext, chromium, type LaunchOptions } from 'playwright-core';
import { extract } from 'tar-fs';

/**
 * The browser the tests drive comes from `npm ci`: `@sparticuz/chromium` ships a headless Chromium
 * build as brotli files (the binary, its GL libraries, fonts, and the NSS/expat libraries it links
 * against), which run on any x86_64 Linux with glibc — nothing from apt. They are unpacked once into
 * `node_modules/.cache/` (into a temporary folder, then renamed, so test files starting at the same
 * time never see half a browser). `CHROMIUM_PATH` picks another Chromium instead (a developer's own).
 */
const require = createRequire(import.meta.url);
// The package exports only its code (build/cjs/index.cjs); its bin/ folder is two levels up.
const packageDir = path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '../..');
const cacheRoot = path.resolve(packageDir, '../../.cache/switchboard-chromium');

export interface ChromiumInstall {
  executablePath: string;
  /** Environment for the browser process: its own libraries and fonts. */
  env: Record<string, string>;
}

async function unpackBrotli(file: string, target: string): Promise<void> {
  const source = createReadStream(file).pipe(createBrotliDecompress());
  await pipeline(source, file.endsWith('.tar.br') ? extract(target) : createWriteStream(target));
}

/** Unpacks into `folder`, whose contents will be renamed to `final` once complete. */
async function unpackInto(folder: string, binDir: string, final: string): Promise<void> {
  await unpackBrotli(path.join(binDir, 'chromium.br'), path.join(folder, 'chromium'));
  await chmod(path.join(folder, 'chromium'), 0o755);
  // Chromium loads libGLESv2/libEGL from its own folder, so the GL libraries sit beside it.
  await unpackBrotli(path.join(binDir, 'swiftshader.tar.br'), folder);
  await unpackBrotli(path.join(binDir, 'fonts.tar.br'), path.join(folder, 'fonts'));
  // The packaged fonts.conf names Lambda's folders (/tmp/fonts, /var/task); ours names this one.
  await writeFile(
    path.join(folder, 'fonts', 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
      `  <dir>${path.join(final, 'fonts', 'fonts')}</dir>\n` +
      `  <cachedir>${path.join(final, 'fonts', 'cache')}</cachedir>\n</fontconfig>\n`,
  );
  await unpackBrotli(path.join(binDir, 'al2023.tar.br'), path.join(folder, 'al2023'));
}

/** Unpacks the packaged Chromium on first use; later calls (and other processes) reuse it. */
export async function installChromium(): Promise<ChromiumInstall> {
  if (process.env.CHROMIUM_PATH) return { executablePath: process.env.CHROMIUM_PATH, env: {} };
  const { version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'));
  const folder = path.join(cacheRoot, version);
  if (!existsSync(path.join(folder, 'chromium'))) {
    await mkdir(cacheRoot, { recursive: true });
    const staging = await mkdtemp(path.join(cacheRoot, `${version}.unpacking-`));
    try {
      await unpackInto(staging, path.join(packageDir, 'bin'), folder);
      await rename(staging, folder).catch((error: NodeJS.ErrnoException) => {
        // Another process finished first: its copy is as good as ours.
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  return {
    executablePath: path.join(folder, 'chromium'),
    env: {
      LD_LIBRARY_PATH: path.join(folder, 'al2023', 'lib'),
      FONTCONFIG_PATH: path.join(folder, 'fonts'),
    },
  };
}

/**
 * Flags for a closed network and a root user: no sandbox (root), nothing that phones home (every
 * outside connection is refused here, and Chromium retries them), audio without a user gesture
 * (tests press play from a script), and no GPU: pages are drawn by Skia's software rasterizer in
 * the renderer. The console draws with the DOM, SVG and 2D canvas, none of which needs GL; emulating
 * a GPU with SwiftShader (the flags before 2026-12-04) cost the browser tests a third more CPU.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-domain-reliability',
  '--no-first-run',
  '--no-pings',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-gpu',
];

async function launchOptions(): Promise<LaunchOptions> {
  const install = await installChromium();
  return {
    executablePath: install.executablePath,
    headless: true,
    args: ARGS,
    env: { ...process.env, ...install.env } as Record<string, string>,
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch(await launchOptions());
}

export async function launchPersistentChromium(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, await launchOptions());
}
