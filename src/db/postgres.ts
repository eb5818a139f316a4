import pg from 'pg';
import type { Db, DbLogger, Queryable, QueryOptions, QueryResult } from './db.js';
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
  if (options.planPerRun) {
    // planned for these values (SESSION_SETUP makes every statement with parameters generic,
    // the unnamed one too), then the session as it was
    await client.query('set plan_cache_mode = force_custom_plan');
    try {
      const result = await client.query(text, values);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    } finally {
      // in a transaction the statement's failure aborted, the rollback restores the setting (and
      // this statement would fail, hiding the statement's own error)
      await client.query(SESSION_SETUP).catch(() => {});
    }
  }
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
 * per webhook delivery. The setting holds for the unnamed statement too (any statement with
 * parameters gets the generic plan); a statement whose plan must see its values says
 * `planPerRun` (QueryOptions).
 */
const SESSION_SETUP = 'set plan_cache_mode = force_generic_plan';

export async function createPostgresDb(
  connectionString: string,
  poolSize = 10,
  { logger }: { logger?: DbLogger } = {},
): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max: poolSize, types });
  // An idle client that loses its connection emits 'error'; without a listener that kills the
  // process. The pool drops that client and opens another when one is needed.
  pool.on('error', (err) => logger?.warn({ err }, 'idle database connection lost'));
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
  const listener = createListener(connectionString, logger);
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
    listen: listener.listen,
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

/** Delay before reconnect number `failures` (0-based) of the LISTEN connection: 250 ms doubling to 30 s, half of it random. */
const reconnectDelayMs = (failures: number) => {
  const base = Math.min(30_000, 250 * 2 ** failures);
  return Math.round(base / 2 + (Math.random() * base) / 2);
};

/** How the LISTEN session names itself in pg_stat_activity. */
export const LISTEN_APPLICATION_NAME = 'switchboard listen';

/**
 * LISTEN needs a session of its own; one client serves every channel. When it drops (a restart
 * or fail-over of PostgreSQL, a pooler or firewall closing it, pg_terminate_backend), it is
 * opened again with back-off and LISTENs to every channel again; then every handler is called
 * with an empty payload, because what was sent meanwhile is lost.
 */
function createListener(connectionString: string, logger: DbLogger | undefined) {
  const handlers = new Map<string, Set<(payload: string) => void>>();
  /** the session, once connected; undefined while (re)connecting */
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let failures = 0;
  let closed = false;
  const quoted = (channel: string) => `"${channel.replace(/"/g, '""')}"`;

  const dispatch = (channel: string, payload: string) => {
    for (const handler of handlers.get(channel) ?? []) handler(payload);
  };

  async function open(): Promise<pg.Client> {
    const session = new pg.Client({ connectionString, application_name: LISTEN_APPLICATION_NAME });
    session.on('notification', (message) => dispatch(message.channel, message.payload ?? ''));
    // 'error' and 'end' may both come for one loss; the first one counts.
    session.on('error', (err) => lost(session, err));
    session.on('end', () => lost(session, new Error('connection ended')));
    try {
      await session.connect();
      for (const channel of handlers.keys()) await session.query(`listen ${quoted(channel)}`);
    } catch (error) {
      session.removeAllListeners('end');
      await session.end().catch(() => {});
      throw error;
    }
    return session;
  }

  function lost(session: pg.Client, err: Error) {
    if (closed || client !== session) return;
    client = undefined;
    logger?.warn({ err }, 'LISTEN connection lost; reconnecting');
    reconnect();
  }

  function reconnect() {
    if (closed || retry) return;
    const delayMs = reconnectDelayMs(failures);
    retry = setTimeout(async () => {
      retry = undefined;
      try {
        connecting = open();
        client = await connecting;
      } catch (err) {
        failures += 1;
        logger?.warn(
          { err, attempt: failures, retryInMs: reconnectDelayMs(failures) },
          'LISTEN reconnect failed',
        );
        reconnect();
        return;
      } finally {
        connecting = undefined;
      }
      if (closed) {
        await client.end().catch(() => {});
        return;
      }
      logger?.info(
        { attempts: failures + 1, channels: [...handlers.keys()] },
        'LISTEN connection re-established',
      );
      failures = 0;
      // Whatever was sent while the session was down is lost: everyone catches up.
      for (const channel of handlers.keys()) dispatch(channel, '');
    }, delayMs);
    retry.unref();
  }

  /** The connected session, opening the first one (whose failure the caller sees). */
  async function session(): Promise<pg.Client | undefined> {
    if (client || connecting || retry) return client ?? connecting;
    connecting = open();
    try {
      client = await connecting;
      return client;
    } finally {
      connecting = undefined;
    }
  }

  return {
    async listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>> {
      const set = handlers.get(channel) ?? new Set();
      const isNew = set.size === 0;
      set.add(handler);
      handlers.set(channel, set);
      let current: pg.Client | undefined;
      try {
        current = await session();
      } catch (error) {
        set.delete(handler);
        if (set.size === 0) handlers.delete(channel);
        throw error;
      }
      // While reconnecting, the new session LISTENs to every channel in `handlers`; so it does
      // when this one drops under the statement.
      if (isNew && current)
        await current.query(`listen ${quoted(channel)}`).catch((error) => {
          if (client === current && !closed) throw error;
        });
      return async () => {
        set.delete(handler);
        if (set.size > 0) return;
        handlers.delete(channel);
        await client?.query(`unlisten ${quoted(channel)}`).catch(() => {});
      };
    },

    async close(): Promise<void> {
      closed = true;
      if (retry) clearTimeout(retry);
      const current = client ?? (await connecting?.catch(() => undefined));
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
