import pg from 'pg';
import type { Db, Queryable, QueryOptions, QueryResult } from './db.js';
import { typeParsers } from './db.js';

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    return typeParsers[oid] ?? pg.types.getTypeParser(oid, format);
  },
};

async function run<Row>(
  client: pg.PoolClient,
  text: string,
  params: readonly unknown[] = [],
  options: QueryOptions = {},
): Promise<QueryResult<Row>> {
  const values = params as unknown[];
  const result = options.prepare
    ? await client.query({ name: options.prepare, text, values })
    : await client.query(text, values);
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
}

function wrap(client: pg.PoolClient): Queryable {
  return {
    query: (text, params, options) => run(client, text, params, options),
    async exec(text: string) {
      await client.query(text);
    },
  };
}

/**
 * What every pooled session runs once, before its first statement. Named (prepared) statements
 * are planned once, on their first run: PostgreSQL's default plans them again on every run while
 * a plan for the given values looks cheaper than the generic one, which it always does for a
 * statement over a parameter array (unnest($1), = any($1)); that was 40% of the database's CPU
 * per webhook delivery. Unnamed statements are planned per run as before.
 */
const SESSION_SETUP = 'set plan_cache_mode = force_generic_plan';

export async function createPostgresDb(connectionString: string, poolSize = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max: poolSize, types });
  // An idle client that loses its connection emits 'error'; without a listener that kills the process.
  pool.on('error', () => {});
  const setUp = new WeakSet<pg.PoolClient>();
  /** A pooled client, its session set up. Release it with release(): a broken one is dropped. */
  const checkout = async (): Promise<pg.PoolClient> => {
    const client = await pool.connect();
    if (!setUp.has(client)) {
      try {
        await client.query(SESSION_SETUP);
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      setUp.add(client);
    }
    return client;
  };
  /** Runs fn on a pooled client of its own, released after. */
  const withClient = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await checkout();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  };
  const outer: Queryable = {
    query: (text, params, options) => withClient((client) => run(client, text, params, options)),
    async exec(text) {
      await withClient((client) => client.query(text));
    },
  };
  await outer.query('select 1');
  // LISTEN needs a session of its own; one client serves every channel.
  let listener: Promise<pg.Client> | undefined;
  const handlers = new Map<string, Set<(payload: string) => void>>();
  const listenerClient = () => {
    listener ??= (async () => {
      const client = new pg.Client({ connectionString });
      client.on('error', () => {});
      client.on('notification', (message) => {
        for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? '');
      });
      await client.connect();
      return client;
    })();
    return listener;
  };
  const quoted = (channel: string) => `"${channel.replace(/"/g, '""')}"`;
  return {
    engine: 'postgres',
    query: outer.query,
    exec: outer.exec,
    async transaction(fn) {
      const client = await checkout();
      try {
        await client.query('begin');
        const result = await fn(wrap(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel, handler) {
      const client = await listenerClient();
      const set = handlers.get(channel) ?? new Set();
      if (set.size === 0) await client.query(`listen ${quoted(channel)}`);
      set.add(handler);
      handlers.set(channel, set);
      return async () => {
        set.delete(handler);
        if (set.size === 0) await client.query(`unlisten ${quoted(channel)}`).catch(() => {});
      };
    },
    async close() {
      if (listener) await (await listener).end().catch(() => {});
      await pool.end();
    },
  };
}
