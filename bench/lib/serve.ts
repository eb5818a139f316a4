/**
 * The bench's server process: the built server (dist/, as `switchboard serve` runs it) with the
 * bench-only routes (baseline.routes.ts) registered on it. Only this file and those routes run
 * through tsx; the product never registers them.
 */
import type * as ConfigModule from '../../src/config.js';
import type * as MainModule from '../../src/main.js';
import { benchBaselineRoutes } from './baseline.routes.js';

const dist = (file: string) => new URL(`../../dist/${file}`, import.meta.url).href;
const { loadConfig }: typeof ConfigModule = await import(dist('config.js'));
const { serve }: typeof MainModule = await import(dist('main.js'));

await serve(loadConfig(), {
  async extend(app, { db, clock }) {
    await app.register(benchBaselineRoutes, { prefix: '/bench', db, clock });
  },
});
