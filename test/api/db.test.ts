import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.js';
import { MIGRATIONS_DIR, migrate } from '../../src/db/migrate.js';
import { createPgliteDb } from '../../src/db/pglite.js';
import { createPostgresDb, LISTEN_APPLICATION_NAME } from '../../src/db/postgres.js';
import { createEmptyDatabase, createTestDb, testEngine } from '../helpers/db.js';

const run = promisify(execFile);
const POSTGRES_ADAPTER = fileURLToPath(new URL('../../src/db/postgres.ts', import.meta.url));

/** The Db contract both adapters must keep: repos rely on every line of it. */
let db: Db;
beforeAll(async () => {
  db = await createTestDb();
  await db.exec('create table probe (id integer primary key, label text)');
});
afterAll(() => db.close());

describe('Db adapter', () => {
  it('counts the rows a SELECT returns and the rows a write touched', async () => {
    await db.query("insert into probe values (1, 'a'), (2, 'b'), (3, 'c')");
    expect((await db.query('select 1 from probe where id >= $1', [2])).rowCount).toBe(2);
    expect((await db.query('select 1 from probe where id = $1', [99])).rowCount).toBe(0);
    expect((await db.query("update probe set label = 'z' where id <= 2")).rowCount).toBe(2);
    expect((await db.query('delete from probe where id = 3')).rowCount).toBe(1);
  });

  it('returns int8 and numeric as numbers and dates as text on both engines', async () => {
    const { rows } = await db.query(
      "select 5::bigint as big, 12.50::numeric(6,2) as money, '2026-03-08'::date as day",
    );
    expect(rows).toEqual([{ big: 5, money: 12.5, day: '2026-03-08' }]);
  });

  it('rolls a transaction back when its function throws', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query("insert into probe values (10, 'gone')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await db.query('select 1 from probe where id = 10')).rowCount).toBe(0);
  });

  it('commits a transaction that resolves', async () => {
    const id = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: number }>("insert into probe values (11, 'kept') returning id");
      return rows[0]?.id;
    });
    expect(id).toBe(11);
    expect((await db.query('select label from probe where id = 11')).rows).toEqual([{ label: 'kept' }]);
  });

  it('delivers a NOTIFY to listeners once its transaction commits, and not after unlisten', async () => {
    const received: string[] = [];
    const unlisten = await db.listen('probe_changed', (payload) => received.push(payload));
    await db.transaction(async (tx) => {
      await tx.query("select pg_notify('probe_changed', '42')");
    });
    await expect.poll(() => received).toEqual(['42']);
    await unlisten();
    await db.query("select pg_notify('probe_changed', '43')");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toEqual(['42']);
  });

  it.runIf(testEngine() === 'postgres')(
    'opens its LISTEN session again after PostgreSQL terminates it, says so in the log, and tells every listener to catch up',
    async () => {
      const database = await createEmptyDatabase();
      const logged: Array<[string, string, Record<string, unknown>]> = [];
      const logger = {
        info: (details: object, message: string) => logged.push(['info', message, { ...details }]),
        warn: (details: object, message: string) => logged.push(['warn', message, { ...details }]),
      };
      const own = await createPostgresDb(database.url as string, 1, { logger });
      try {
        const received: string[] = [];
        await own.listen('probe_relisten', (payload) => received.push(payload));
        await own.query("select pg_notify('probe_relisten', 'before')");
        await expect.poll(() => received).toEqual(['before']);

        const { rows } = await own.query<{ ended: boolean }>(
          `select pg_terminate_backend(pid) as ended from pg_stat_activity
            where datname = current_database() and application_name = $1`,
          [LISTEN_APPLICATION_NAME],
        );
        expect(rows).toEqual([{ ended: true }]);
        // back with every channel, and an empty payload for what it may have missed
        await expect.poll(() => received, { timeout: 10_000 }).toEqual(['before', '']);
        await own.query("select pg_notify('probe_relisten', 'after')");
        await expect.poll(() => received).toEqual(['before', '', 'after']);

        expect(logged.map(([level, message]) => [level, message])).toEqual([
          ['warn', 'LISTEN connection lost; reconnecting'],
          ['info', 'LISTEN connection re-established'],
        ]);
        expect(logged[0]?.[2].err).toBeInstanceOf(Error);
      } finally {
        await own.close();
        await database.drop();
      }
    },
  );

  it('migrates an empty database with every file, in name order', async () => {
    // Other files' databases are copies of a database migrated once per run; this runs the files.
    const database = await createEmptyDatabase();
    const empty = database.url ? await createPostgresDb(database.url, 2) : await createPgliteDb();
    try {
      expect(await migrate(empty)).toEqual(
        (await readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith('.sql')).sort(),
      );
      expect(await migrate(empty)).toEqual([]);
    } finally {
      await empty.close();
      await database.drop();
    }
  }, 120_000);

  it('applies each migration once, however often migrate runs', async () => {
    expect(await migrate(db)).toEqual([]);
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from schema_migration');
    expect(rows[0]?.n).toBeGreaterThanOrEqual(2);
  });

  it.runIf(testEngine() === 'postgres')(
    'plans a named statement once, generically, from its first run (over any connection of the pool)',
    async () => {
      const plans = await db.transaction(async (tx) => {
        for (let run = 0; run < 3; run++)
          await tx.query(
            'select count(*) from unnest($1::integer[]) as t(n) where n > $2',
            [[1, 2, 3], run],
            {
              prepare: 'probe_generic',
            },
          );
        const { rows } = await tx.query<{ generic_plans: number; custom_plans: number }>(
          `select generic_plans::int, custom_plans::int from pg_prepared_statements where name = 'probe_generic'`,
        );
        return rows[0];
      });
      expect(plans).toEqual({ generic_plans: 3, custom_plans: 0 });
    },
  );

  it.runIf(testEngine() === 'postgres')(
    'sets each pooled session up before its first statement, never queueing on a busy client',
    async () => {
      // In a process of its own: node-postgres warns of a query queued on a busy client only once
      // per process, and only a fresh pool meets every session's first statement.
      const script = `
        import { createPostgresDb } from ${JSON.stringify(POSTGRES_ADAPTER)};
        const warnings = [];
        process.on('warning', (warning) => warnings.push(warning.message));
        const db = await createPostgresDb(process.argv[1], 10);
        const answers = await Promise.all(Array.from({ length: 40 }, () =>
          db.query("select current_setting('plan_cache_mode') as mode")));
        await new Promise((resolve) => setTimeout(resolve, 50));
        await db.close();
        console.log(JSON.stringify({ modes: [...new Set(answers.map((a) => a.rows[0].mode))], warnings }));`;
      const database = await createEmptyDatabase();
      try {
        const { stdout } = await run(process.execPath, [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          script,
          database.url as string,
        ]);
        expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toEqual({
          modes: ['force_generic_plan'],
          warnings: [],
        });
      } finally {
        await database.drop();
      }
    },
  );

  it.runIf(testEngine() === 'postgres')(
    'migrates an empty database from two processes at once without either failing',
    async () => {
      // Two servers started together on a new database: each has its own connection pool.
      for (let round = 0; round < 3; round++) {
        const database = await createEmptyDatabase();
        const pools = [
          await createPostgresDb(database.url as string, 2),
          await createPostgresDb(database.url as string, 2),
        ];
        try {
          const [first, second] = await Promise.all(pools.map((pool) => migrate(pool)));
          expect([...(first ?? []), ...(second ?? [])].sort()).toEqual(
            (await readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith('.sql')).sort(),
          );
        } finally {
          for (const pool of pools) await pool.close();
          await database.drop();
        }
      }
    },
  );
});
