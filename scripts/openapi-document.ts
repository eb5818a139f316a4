/**
 * Writes the OpenAPI document that GET /openapi.json serves to the file named on the command line
 * (npm run openapi: dist/openapi.json), without a server: the app is built on an empty in-memory
 * database, with the default configuration, and never listens.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { createPgliteDb } from '../src/db/pglite.js';
import { createManualClock } from '../src/lib/clock.js';

const [target] = process.argv.slice(2);
if (!target) {
  process.stderr.write('usage: tsx scripts/openapi-document.ts <file.json>\n');
  process.exit(2);
}

const db = await createPgliteDb();
try {
  // ready() schedules the hourly jobs, so the tables must exist.
  await migrate(db);
  const app = await buildApp({
    config: loadConfig({ JOBS_POLL_INTERVAL_MS: '0' }),
    db,
    clock: createManualClock(),
    twilioAuthToken: 'document-only',
  });
  try {
    await app.ready();
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, `${JSON.stringify(app.swagger(), null, 2)}\n`);
  } finally {
    await app.close();
  }
} finally {
  await db.close();
}
