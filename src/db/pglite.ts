import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { lockDataFolder } from './data-dir-lock.js';
import type { Db, Queryable, QueryResult } from './db.js';
import { typeParsers } from './db.js';

interface PgliteLike {
  query<Row>(text: string, params?: unknown[]): Promise<{ rows: Row[]; affectedRows?: number }>;
  exec(text: string): Promise<unknown>;
}

function wrap(handle: PgliteLike): Queryable {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await handle.query<Row>(text, [...params]);
      // PGlite reports affectedRows 0 for a SELECT; count the rows it returned instead.
      return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
    },
    async exec(text: string) {
      await handle.exec(text);
    },
  };
}

export interface PgliteOptions {
  /** A data folder as PGlite's dumpDataDir() wrote it, to start from instead of an empty cluster. */
  initialData?: Blob;
}

/**
 * Embedded PostgreSQL (WASM). `dataDir` undefined keeps everything in memory (tests). A folder is
 * locked for this process until close() (data-dir-lock.ts): a second process refuses to open it.
 */
export async function createPgliteDb(dataDir?: string, options: PgliteOptions = {}): Promise<Db> {
  let unlock: (() => Promise<void>) | undefined;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    unlock = await lockDataFolder(dataDir);
  }
  const pglite = await PGlite.create(dataDir, {
    parsers: typeParsers,
    ...(options.initialData ? { loadDataDir: options.initialData } : {}),
  }).catch(async (error) => {
    await unlock?.();
    throw error;
  });
  return pgliteDb(pglite, unlock);
}

/** The Db over an open PGlite; close() closes it (and runs `unlock`, if given). */
export function pgliteDb(pglite: PGlite, unlock?: () => Promise<void>): Db {
  const outer = wrap(pglite);
  return {
    engine: 'pglite',
    query: outer.query,
    exec: outer.exec,
    // PGlite runs one statement at a time; its transaction() holds that lock until commit.
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    async listen(channel, handler) {
      const unsubscribe = await pglite.listen(channel, handler);
      // PGlite's unsubscribe takes an optional transaction; never pass it anything else.
      return () => unsubscribe();
    },
    async close() {
      await pglite.close();
      await unlock?.();
    },
  };
}
