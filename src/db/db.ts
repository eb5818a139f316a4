/**
 * The one database interface every repo uses. Two adapters implement it: embedded PGlite
 * (the zero-setup default) and node-postgres (a PostgreSQL server). SQL is written once and runs
 * unchanged on both.
 */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * Prepare the statement once per connection under this name and reuse it (PostgreSQL; PGlite
   * ignores it). Only for fixed SQL text on hot paths: one name, one text. It runs on one generic
   * plan from the start (plan_cache_mode, postgres.ts), so its plan must not hang on the values
   * given: look up by keys, not by joins the planner costs from the values
   * (test/api/one-call-plans.test.ts).
   */
  prepare?: string;
  /**
   * Plan the statement for the values given, every run (PostgreSQL; PGlite always does): for a
   * statement whose best plan hangs on them, such as a transcript search (a common word: walk the
   * newest calls; a rare name: the GIN index, then sort). Costs two round trips more.
   */
  planPerRun?: boolean;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<Row>>;
  /** Runs one or more statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

export type Engine = 'pglite' | 'postgres';

/** The largest value of an `integer` (int4) column: ids and counts past it are bad input, never a database error. */
export const INT4_MAX = 2_147_483_647;

/** Where an adapter reports what happens to its connections (a pino logger fits). */
export interface DbLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface Db extends Queryable {
  readonly engine: Engine;
  /**
   * Runs fn inside one transaction; commits when it resolves, rolls back when it throws.
   * Inside fn, use only the given handle: on PGlite the outer handle waits for the transaction.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls `handler` for every NOTIFY on `channel`, from any process using this database (a
   * NOTIFY sent inside a transaction arrives after it commits). Resolves to an unsubscribe.
   * Notifications sent while the listening connection was down are lost: once it is back, every
   * handler is called once with an empty payload, which each reads as "anything may have
   * changed" (flush a cache, look for work).
   */
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Type parsers shared by both adapters so rows look the same on either engine. */
export const typeParsers: Record<number, (value: string) => unknown> = {
  20: (value) => Number.parseInt(value, 10), // int8: ids and counts stay below 2^53
  1700: (value) => Number.parseFloat(value), // numeric: money-like values with 2 decimals
  1082: (value) => value, // date: keep 'YYYY-MM-DD', never shift it through a local-time Date
};
