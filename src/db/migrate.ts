import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** An arbitrary constant: every Switchboard process takes this advisory lock to migrate. */
const MIGRATION_LOCK_ID = 7_140_233;

/**
 * Applies forward-only migrations (NNNN_verb_object.sql) in name order, each in its own
 * transaction. Concurrent processes serialise on an advisory lock, so two servers starting on one
 * PostgreSQL never apply a file twice. Returns the names applied by this call.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name)).sort();
  // Under the lock too: two servers starting at once on an empty database would otherwise both
  // create the table, and one would fail on the catalog's unique index.
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await tx.exec(
      'create table if not exists schema_migration (name text primary key, applied_at timestamptz not null default now())',
    );
  });
  const applied: string[] = [];
  for (const name of files) {
    const sql = await readFile(`${dir}${name}`, 'utf8');
    const didApply = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
      const done = await tx.query('select 1 from schema_migration where name = $1', [name]);
      if (done.rowCount > 0) return false;
      await tx.exec(sql);
      await tx.query('insert into schema_migration (name) values ($1)', [name]);
      return true;
    });
    if (didApply) applied.push(name);
  }
  return applied;
}
