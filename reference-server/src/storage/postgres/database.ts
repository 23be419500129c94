/**
 * The few things the Postgres store asks of a database: a query, and a transaction on one connection. Two
 * implementations: a `pg` pool (a real PostgreSQL server) and PGlite (PostgreSQL in WebAssembly, in-process:
 * the store suite runs on it without a server). Nothing else of either client is used.
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';

/** Something that runs one statement with positional parameters ($1, $2, …). */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** A database: statements on any connection, transactions on one. */
export interface Database extends Queryable {
  /** Run `fn` inside BEGIN … COMMIT on one connection (ROLLBACK when it throws). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Take a session advisory lock (namespace, id) under an unused random id and hold it until `end`: the lease
   * of this process. PostgreSQL releases it when the session ends, so a process that dies (kill -9, a lost
   * machine) loses its lease at once, and rows it owns (idempotency claims) are known to be abandoned.
   */
  lease(namespace: number): Promise<number>;
  /** Release every connection. */
  end(): Promise<void>;
}

/** Try random ids until one's lock is free (a clash among 2^31 ids is rare). */
async function takeLease(q: Queryable, namespace: number): Promise<number> {
  for (;;) {
    const id = randomInt(1, 2 ** 31 - 1);
    const { rows } = await q.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
      namespace,
      id,
    ]);
    if (rows[0]?.ok) return id;
  }
}

/** A pool of `pg` connections to a PostgreSQL server, every commit durable (synchronous_commit on). */
export function poolDatabase(connectionString: string, max = 10): Database {
  const pool = new pg.Pool({ connectionString, max, options: '-c synchronous_commit=on' });
  // An idle connection that the server drops must not crash the process; the pool replaces it.
  pool.on('error', (err) => process.stderr.write(`omp postgres: idle connection lost: ${err.message}\n`));
  let session: pg.Client | null = null;
  let ending = false;
  /** The lease's own connection (outside the pool); when it is lost, the same id is locked again. */
  const holdLease = async (namespace: number, id?: number): Promise<number> => {
    const client = new pg.Client({ connectionString });
    client.on('error', (err) => {
      process.stderr.write(`omp postgres: lease connection lost: ${err.message}\n`);
      if (ending || session !== client) return;
      session = null;
      const again = (delay: number): void => {
        setTimeout(() => {
          if (ending) return;
          holdLease(namespace, id).catch(() => again(Math.min(delay * 2, 10_000)));
        }, delay).unref();
      };
      again(100);
    });
    await client.connect();
    if (id === undefined) id = await takeLease(client, namespace);
    else await client.query('SELECT pg_advisory_lock($1, $2)', [namespace, id]);
    session = client;
    return id;
  };
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
    lease: (namespace) => holdLease(namespace),
    async end() {
      ending = true;
      await session?.end().catch(() => undefined);
      await pool.end();
    },
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
    // One session for everything: the lease lasts until the database closes.
    lease: (namespace) => takeLease({ query: pgliteQuery(db) }, namespace),
    end: () => db.close(),
  };
}
