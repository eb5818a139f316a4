import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.js';
import { pgliteDb } from '../../src/db/pglite.js';
import { createPostgresDb } from '../../src/db/postgres.js';

/**
 * Migrating costs seconds per database (and an empty PGlite its initdb on top), once per test
 * file. So a test run migrates one database per engine before any file starts, and each file's
 * database is a copy of it (test/helpers/db.ts): PGlite loads the data folder dumped to a file,
 * PostgreSQL runs `create database ... template`. A template belongs to one run (unique name and
 * folder) and is removed when the run ends, so runs of other checkouts never share one.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** test/global-setup.ts: the migrated PGlite data folder (a tarball's path) */
    pgliteTemplate?: string;
    /** test/global-setup.ts: the migrated PostgreSQL template database's name */
    postgresTemplate?: string;
  }
}

/** A server URL with the database name replaced. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface DatabaseTemplate {
  /** the PGlite data-folder tarball's path, or the PostgreSQL template database's name */
  location: string;
  remove: () => Promise<void>;
}

export async function createPgliteTemplate(): Promise<DatabaseTemplate> {
  const folder = await mkdtemp(path.join(tmpdir(), 'switchboard-test-template-'));
  const file = path.join(folder, 'pglite-migrated.tar');
  const pglite = await PGlite.create();
  try {
    await migrate(pgliteDb(pglite));
    // Checkpointed, so a copy starts without replaying the migrations' WAL.
    await pglite.exec('checkpoint');
    const dump = await pglite.dumpDataDir('none');
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await pglite.close();
  }
  return { location: file, remove: () => rm(folder, { recursive: true, force: true }) };
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export async function createPostgresTemplate(serverUrl: string): Promise<DatabaseTemplate> {
  const name = `sb_template_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `create database ${name}`);
  // One connection, closed before any copy: `create database ... template` needs the template idle.
  const db = await createPostgresDb(withDatabase(serverUrl, name), 1);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  return {
    location: name,
    remove: () => onServer(serverUrl, `drop database if exists ${name} with (force)`),
  };
}
