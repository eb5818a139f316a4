import path from 'node:path';
import type { Db, DbLogger } from './db.js';
import { createPgliteDb } from './pglite.js';
import { createPostgresDb } from './postgres.js';

export type { Db, DbLogger, Queryable } from './db.js';
export { INT4_MAX } from './db.js';

export interface DbOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  /** connections lost and re-established (PostgreSQL) */
  logger?: DbLogger;
}

/** PostgreSQL when a URL is given, otherwise embedded PGlite under DATA_DIR/pglite. */
export function openDb(options: DbOptions): Promise<Db> {
  if (options.databaseUrl)
    return createPostgresDb(options.databaseUrl, options.poolSize, { logger: options.logger });
  return createPgliteDb(path.join(options.dataDir, 'pglite'));
}

/** Where the database lives, with any password removed, for logs and the banner. */
export function describeDb(options: DbOptions): string {
  if (!options.databaseUrl) return `PGlite at ${path.join(options.dataDir, 'pglite')}`;
  const url = new URL(options.databaseUrl);
  url.password = '';
  return `PostgreSQL at ${url.toString()}`;
}
