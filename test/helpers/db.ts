import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import type { Db } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';
import { createPgliteDb } from '../../src/db/pglite.js';
import { createPostgresDb } from '../../src/db/postgres.js';
import { withDatabase } from './db-template.js';

export { withDatabase };

export const testEngine = (): 'pglite' | 'postgres' =>
  process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';

/**
 * A fresh database for one test file: in-memory PGlite, or a new database on the TEST_DATABASE_URL
 * server that `drop()` removes again; empty, or (`template`) a copy of that database.
 */
export async function createEmptyDatabase(
  template?: string,
): Promise<{ url?: string; drop: () => Promise<void> }> {
  if (testEngine() === 'pglite') return { drop: async () => {} };
  const serverUrl = process.env.TEST_DATABASE_URL as string;
  const name = `sb_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  await admin.end();
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/**
 * A migrated database on the engine under test, with a close() that also drops it: a copy of the
 * run's migrated template (test/helpers/db-template.ts), or migrated here when there is none.
 * test/api/db.test.ts runs the migrations themselves on an empty database.
 */
export async function createTestDb(): Promise<Db> {
  const engine = testEngine();
  const template = inject(engine === 'pglite' ? 'pgliteTemplate' : 'postgresTemplate');
  const database = await createEmptyDatabase(engine === 'postgres' ? template : undefined);
  const db = database.url
    ? await createPostgresDb(database.url, 5)
    : await createPgliteDb(undefined, template ? { initialData: new Blob([await readFile(template)]) } : {});
  if (!template) await migrate(db);
  return {
    ...db,
    async close() {
      await db.close();
      await database.drop();
    },
  };
}

/**
 * Runs `fn` while the database refuses every row inserted into `table` that meets `condition`
 * (SQL on `new`), as a constraint of its own would: a fault injected at the database, for the
 * tests of what a batched write does when one of its rows cannot be written.
 */
export async function withInsertsRefused<T>(
  db: Db,
  table: string,
  condition: string,
  fn: () => Promise<T>,
): Promise<T> {
  const name = `refuse_test_${table}`;
  await db.exec(`
    create function ${name}() returns trigger language plpgsql as $$
    begin raise exception 'refused for the test'; end $$;
    create trigger ${name} before insert on ${table} for each row when (${condition})
      execute function ${name}();`);
  try {
    return await fn();
  } finally {
    await db.exec(`drop trigger ${name} on ${table}; drop function ${name}();`);
  }
}
