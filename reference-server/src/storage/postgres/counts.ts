/**
 * Maintained counts of the Postgres store (issue #17): memories per principal (`principal_counts`) and per
 * filter combination (`filter_counts`, keys from ../filter-counts.ts, shared with the SQLite store), counting
 * every stored row whatever its state or expiry, so a list's total or search's BM25 `n` is one primary-key
 * lookup instead of a count over every match. The writes of a transaction only sum their changes here
 * (CountDeltas); the sums are written at its end, after every other statement, by one statement per table with
 * the keys sorted: every transaction takes the count rows' locks last and in the same order, so two server
 * processes writing at once cannot deadlock on them. The same statement moves on the list version of every
 * principal whose memories the transaction changed (`principal_counts.version`, see listVersionSchema): cursor
 * resumes signed with an older version are counted again (PostgresStore.listAfter).
 */
import { randomBytes } from 'node:crypto';
import { type CountedAttributes, countKeysOf } from '../filter-counts.ts';
import type { Queryable } from './database.ts';
import { fromPg } from './text.ts';

/** A row's counted attributes as read from the database (plain-text columns still escaped, text.ts). */
export interface StoredAttributes extends CountedAttributes {
  principal: string;
}

/** The count changes of one write, or of a whole transaction. */
export class CountDeltas {
  readonly #principals = new Map<string, number>();
  readonly #keys = new Map<string, Map<string, number>>();

  /** Count a memory in (delta +1) or out (-1); attributes as the store's rows hold them (decoded). */
  add(principal: string, a: CountedAttributes, delta: number): void {
    this.#principals.set(principal, (this.#principals.get(principal) ?? 0) + delta);
    const m = this.#keys.get(principal) ?? new Map<string, number>();
    this.#keys.set(principal, m);
    for (const k of countKeysOf(a)) m.set(k, (m.get(k) ?? 0) + delta);
  }

  /** Count rows read from the database (plain-text columns still escaped) in or out. */
  addStored(rows: readonly StoredAttributes[], delta: number): void {
    for (const r of rows) {
      this.add(
        r.principal,
        { ...r, type: fromPg(r.type), tool: fromPg(r.tool), namespace: fromPg(r.namespace) },
        delta,
      );
    }
  }

  /**
   * A memory of `principal` changed in a way no count sees (a state, a sort key, content): its list version
   * must still move on. (Every `add` marks its principal too.)
   */
  touch(principal: string): void {
    this.#principals.set(principal, this.#principals.get(principal) ?? 0);
  }

  /** Add another write's changes (a write whose savepoint was released). */
  merge(other: CountDeltas): void {
    for (const [p, n] of other.#principals) this.#principals.set(p, (this.#principals.get(p) ?? 0) + n);
    for (const [p, keys] of other.#keys) {
      const m = this.#keys.get(p) ?? new Map<string, number>();
      this.#keys.set(p, m);
      for (const [k, n] of keys) m.set(k, (m.get(k) ?? 0) + n);
    }
  }

  /**
   * Write the sums: one statement per table, keys sorted, changes of zero left out, except that every principal
   * whose memories changed gets its list version moved on (`versions`: false only for the migration that
   * creates the counts, which runs before the version exists).
   */
  async flush(tx: Queryable, versions = true): Promise<void> {
    const principals = [...this.#principals]
      .filter(([, n]) => versions || n !== 0)
      .sort(([a], [b]) => cmp(a, b));
    if (principals.length > 0) {
      await tx.query(
        `INSERT INTO principal_counts AS t (principal, n${versions ? ', version' : ''})
         SELECT u.principal, u.n${versions ? ', 1' : ''}
         FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(principal, n, i)
         ORDER BY u.i
         ON CONFLICT (principal) DO UPDATE SET n = t.n + EXCLUDED.n${versions ? ', version = t.version + 1' : ''}`,
        [principals.map(([p]) => p), principals.map(([, n]) => n)],
      );
    }
    const rows: [string, string, number][] = [];
    for (const [p, keys] of this.#keys) for (const [k, n] of keys) if (n !== 0) rows.push([p, k, n]);
    if (rows.length === 0) return;
    rows.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
    await tx.query(
      `INSERT INTO filter_counts AS t (principal, k, n)
       SELECT u.principal, u.k, u.n FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS u(principal, k, n, i)
       ORDER BY u.i
       ON CONFLICT (principal, k) DO UPDATE SET n = t.n + EXCLUDED.n`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Rows per page of the backfill. */
const PAGE = 5000;

/**
 * Migration: the count tables, filled from the stored memories a page at a time (keys computed by the same
 * function as every write's, so they agree byte for byte).
 */
export async function createCounts(tx: Queryable): Promise<void> {
  await tx.query(`
    CREATE TABLE principal_counts (principal text PRIMARY KEY, n bigint NOT NULL);
    CREATE TABLE filter_counts (principal text NOT NULL, k text COLLATE "C" NOT NULL, n bigint NOT NULL, PRIMARY KEY (principal, k));
  `);
  const sums = new CountDeltas();
  for (let after = 0; ; ) {
    const { rows } = await tx.query<StoredAttributes & { seq: number }>(
      `SELECT seq::float8 AS seq, principal, type, tool, namespace, tags FROM memories WHERE seq > $1
       ORDER BY seq LIMIT ${PAGE}`,
      [after],
    );
    if (rows.length === 0) break;
    sums.addStored(rows, 1);
    after = (rows[rows.length - 1] as { seq: number }).seq;
  }
  await sums.flush(tx, false);
}

/**
 * Migration: signed cursor resumes across processes (issue #17). A list version per principal beside its count
 * (bumped by every transaction that changes one of its memories, in the counts' own statement: no lock beyond
 * the one that statement takes anyway), and the secret that signs resumes, drawn once here so that a cursor
 * issued by one server process verifies in every other.
 */
export async function listVersionSchema(tx: Queryable): Promise<void> {
  await tx.query(`
    ALTER TABLE principal_counts ADD COLUMN version bigint NOT NULL DEFAULT 0;
    CREATE TABLE cursor_secret (id integer PRIMARY KEY CHECK (id = 0), secret text NOT NULL);
  `);
  await tx.query('INSERT INTO cursor_secret (id, secret) VALUES (0, $1)', [
    randomBytes(32).toString('base64url'),
  ]);
}
