/**
 * The few things the Postgres store asks of a database: a query, and a transaction on one connection. Two
 * implementations: a `pg` pool (a real PostgreSQL server) and PGlite (PostgreSQL in WebAssembly, in-process:
 * the store suite runs on it without a server). Nothing else of either client is used.
 */
import pg from 'pg';

/** Something that runs one statement with positional parameters ($1, $2, …). */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** A database: statements on any connection, transactions on one. */
export interface Database extends Queryable {
  /** Run `fn` inside BEGIN … COMMIT on one connection (ROLLBACK when it throws). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Release every connection. */
  end(): Promise<void>;
}

/** A pool of `pg` connections to a PostgreSQL server, every commit durable (synchronous_commit on). */
export function poolDatabase(connectionString: string, max = 10): Database {
  const pool = new pg.Pool({ connectionString, max, options: '-c synchronous_commit=on' });
  // An idle connection that the server drops must not crash the process; the pool replaces it.
  pool.on('error', (err) => process.stderr.write(`omp postgres: idle connection lost: ${err.message}\n`));
  return {
    query: async <R>(text: string, params?: unknown[]) =>
      (await pool.query(text, params)) as unknown as { rows: R[] },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          query: async <R>(text: string, params?: unknown[]) =>
            (await client.query(text, params)) as unknown as { rows: R[] },
        };
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    end: () => pool.end(),
  };
}

/** The subset of PGlite used here (declared so that PGlite stays a development dependency). */
interface PGliteQueryable {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(text: string): Promise<Array<{ rows: unknown[] }>>;
}
export interface PGliteLike extends PGliteQueryable {
  transaction<T>(fn: (tx: PGliteQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** PGlite runs a statement list only through exec (pg does it for any query without parameters). */
function pgliteQuery(db: PGliteQueryable): Queryable['query'] {
  return async <R>(text: string, params?: unknown[]) => {
    if (params !== undefined && params.length > 0) return db.query<R>(text, params);
    const results = await db.exec(text);
    return { rows: (results.at(-1)?.rows ?? []) as R[] };
  };
}

/**
 * A PGlite database. PGlite has one connection and queues every query behind a running transaction, so a
 * read never sees a transaction's uncommitted writes.
 */
export function pgliteDatabase(db: PGliteLike): Database {
  return {
    query: pgliteQuery(db),
    transaction: (fn) => db.transaction((tx) => fn({ query: pgliteQuery(tx) })),
    end: () => db.close(),
  };
}
