/**
 * Keyword search on the Postgres store (SPEC.md §6.1): the SQLite store's in-memory index (search/keyword-index.ts,
 * the same terms, BM25 and ties, typo corrections included) kept in step with the database, so that a search
 * ranks every match in about a millisecond instead of asking PostgreSQL to rank them.
 *
 * Why not rank in PostgreSQL (issue #17, measured at 100k memories on PostgreSQL 15): `ts_rank`, and even the
 * `@@` match alone, run once per matching row, and the matches of a common term are half the table: 110–190 ms
 * for the count of one term, 250–400 ms for a question. A postings table (principal, term, memory, tf, length)
 * with a covering index made the count an index-only scan but grouping ~100k postings by memory still took
 * 250 ms; the exact `total` of an OR query (§6.1 rule 5) needs every posting, so no top-k bound can skip them.
 *
 * Keeping the index right when several processes write (each sees every committed write): statement-level
 * triggers on `memories` log the seq of each inserted, deleted or re-indexed memory in `keyword_log` with the
 * writing transaction's id. Before each search the process reads the entries of the transactions that had not
 * finished in the snapshot of its previous read (those then in progress, `pg_snapshot_xip`, and those from
 * `pg_snapshot_xmax` on: exactly the entries invisible then), reloads those memories' current rows, and keeps
 * the new snapshot. A transaction that stays open (a long import) is asked for again each time at the cost of
 * one index probe; reloading a memory is idempotent, so reading an entry twice is harmless.
 * Entries are pruned once there are many, raising a floor (the largest transaction id pruned); a process whose
 * last snapshot had not seen every transaction up to the floor rebuilds its index from the table. States and
 * expiry are not in the index: a search reads the few memories not active or expired (partial indexes), as the
 * SQLite store reads those not active.
 *
 * Differences from the SQLite store: none in the ranking (the index analyses each memory's content as SQLite's
 * does; parsing the stored tsvector instead measured no faster). Each process holds the index of every memory
 * in memory (80–115 MiB of heap at 100k memories) and builds it on its first search (5 s at 100k, up to 22 s
 * on a busy 2-core machine: analysing the contents and KeywordIndex.add, about half each). The `terms`
 * tsvector column is still written but no longer indexed or searched.
 */
import { KeywordIndex, type StoredMemoryText } from '../../search/keyword-index.ts';
import { termsOf, tokenize } from '../../search/tokenize.ts';
import type { Queryable } from './database.ts';
import { fromPg } from './text.ts';

const MAX_LEXEME_BYTES = 2046;
const MAX_POSITION = 16383;
const MAX_POSITIONS = 255;

const fits = (term: string): boolean => term !== '' && Buffer.byteLength(term) <= MAX_LEXEME_BYTES;

/** A lexeme quoted for tsvector/tsquery input: never an operator, whatever it contains. */
export function quoteLexeme(term: string): string {
  return `'${term.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** The tsvector text of a memory's content: the server's index terms with their token positions. */
export function tsvectorText(content: string): string {
  const positions = new Map<string, number[]>();
  let pos = 0;
  for (const token of tokenize(content, true)) {
    pos = Math.min(pos + 1, MAX_POSITION);
    for (const term of termsOf(token)) {
      if (!fits(term)) continue;
      const list = positions.get(term) ?? [];
      if (list.length < MAX_POSITIONS && list.at(-1) !== pos) list.push(pos);
      positions.set(term, list);
    }
  }
  return [...positions].map(([t, ps]) => `${quoteLexeme(t)}:${ps.join(',')}`).join(' ');
}

/**
 * Migration: the change log read by KeywordMirror, written by statement-level triggers (one INSERT per
 * statement, whatever the number of rows), and the floor of pruned entries. An UPDATE is logged only for the
 * memories whose indexed columns changed: state changes and vector backfills are not. The GIN index on
 * `terms` goes: nothing searches it any more, and every write paid for it.
 */
export const keywordLogMigration = `
  CREATE TABLE keyword_log (
    id bigserial PRIMARY KEY,
    xid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    seq bigint NOT NULL
  );
  CREATE INDEX keyword_log_by_xid ON keyword_log (xid);
  CREATE TABLE keyword_log_floor (xid bigint NOT NULL);
  INSERT INTO keyword_log_floor (xid) VALUES (0);
  CREATE FUNCTION omp_keyword_log_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO keyword_log (seq) SELECT seq FROM new_rows;
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO keyword_log (seq) SELECT seq FROM old_rows;
      ELSE
        INSERT INTO keyword_log (seq)
          SELECT n.seq FROM new_rows n JOIN old_rows o ON o.seq = n.seq
          WHERE (n.content, n.tool, n.type, n.namespace, n.tags, n.principal, n.id, n.created_key)
            IS DISTINCT FROM (o.content, o.tool, o.type, o.namespace, o.tags, o.principal, o.id, o.created_key);
      END IF;
      RETURN NULL;
    END
  $$;
  CREATE TRIGGER keyword_log_insert AFTER INSERT ON memories REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION omp_keyword_log_rows();
  CREATE TRIGGER keyword_log_update AFTER UPDATE ON memories REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION omp_keyword_log_rows();
  CREATE TRIGGER keyword_log_delete AFTER DELETE ON memories REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION omp_keyword_log_rows();
  DROP INDEX memories_terms;
`;

/** Log entries kept; pruning starts at twice as many. */
const LOG_KEEP = 100_000;
/** A process checks the log's length after this many of its own commits (one that only writes prunes too). */
const PRUNE_CHECK_EVERY = 1000;
/** Memories per page when the index is built from the table. */
const LOAD_PAGE = 5000;

const ROW = 'm.principal, m.tool, m.type, m.namespace, m.tags, m.created_key, m.id, m.content';

/** The columns of a memory the index holds, as read (plain-text columns still escaped, text.ts). */
type IndexedRow = Omit<StoredMemoryText, 'seq'>;

function add(index: KeywordIndex, seq: number, r: IndexedRow): void {
  index.addStored({ ...r, seq }, fromPg);
}

/**
 * A snapshot as far as the log needs it: transactions below `xmin` had finished, those in `xip` and from
 * `xmax` on had not. The log entries not visible in it are exactly those of the latter.
 */
interface Snapshot {
  xmin: number;
  xmax: number;
  xip: number[];
}

/** The columns of Snapshot from `s.snap` (transaction ids are 64-bit and never wrap; below 2^53 for ages). */
const SNAPSHOT = `pg_snapshot_xmin(s.snap)::text::float8 AS xmin, pg_snapshot_xmax(s.snap)::text::float8 AS xmax,
  ARRAY(SELECT x::text::float8 FROM pg_snapshot_xip(s.snap) AS x) AS xip`;

/** The keyword index of a Postgres store, kept in step with every process's writes (see the file comment). */
export class KeywordMirror {
  readonly #db: Queryable;
  readonly #keep: number;
  #index: KeywordIndex | null = null;
  /** The snapshot the index reflects: every log entry visible in it is applied. */
  #seen: Snapshot = { xmin: 0, xmax: 0, xip: [] };
  #running: Promise<KeywordIndex> | null = null;
  #queued: Promise<KeywordIndex> | null = null;
  /** Commits of this process since it last checked the log's length. */
  #commits = 0;
  /** Rebuilds from the table (tests and benchmarks). */
  loads = 0;

  constructor(db: Queryable, keep = LOG_KEEP) {
    this.#db = db;
    this.#keep = keep;
  }

  /**
   * The index with every write committed before this call. A catch-up already running may have read the log
   * before such a write: callers arriving meanwhile share the next one, which starts after it.
   */
  current(): Promise<KeywordIndex> {
    if (this.#queued) return this.#queued;
    const start = (): Promise<KeywordIndex> => {
      const run = this.#catchUp().finally(() => {
        if (this.#running === run) this.#running = null;
      });
      this.#running = run;
      return run;
    };
    if (!this.#running) return start();
    const queued = this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = null;
        return start();
      });
    this.#queued = queued;
    return queued;
  }

  /** Called after each commit of this process: now and then, prune the log (in the background). */
  committed(): void {
    if (++this.#commits < PRUNE_CHECK_EVERY) return;
    this.#commits = 0;
    const check = async () => {
      const { rows } = await this.#db.query<{ lo: number | null; hi: number | null }>(
        'SELECT (SELECT min(id) FROM keyword_log)::float8 AS lo, (SELECT max(id) FROM keyword_log)::float8 AS hi',
      );
      const r = rows[0];
      if (r && r.lo !== null && r.hi !== null && r.hi - r.lo >= 2 * this.#keep) await this.#prune(r.hi);
    };
    // Best effort: a prune that fails (the store closing, say) is retried after the next thousand commits.
    check().catch(() => undefined);
  }

  async #catchUp(): Promise<KeywordIndex> {
    if (this.#index === null) return this.#load();
    const { rows } = await this.#db.query<
      Snapshot & {
        floor: number;
        lo: number | null;
        hi: number | null;
        changed: number | null;
      } & Partial<IndexedRow>
    >(
      `WITH s AS (SELECT pg_current_snapshot() AS snap),
         c AS (SELECT DISTINCT seq FROM keyword_log WHERE xid >= $1 OR xid = ANY($2::bigint[]))
       SELECT ${SNAPSHOT}, (SELECT xid FROM keyword_log_floor)::float8 AS floor,
         (SELECT min(id) FROM keyword_log)::float8 AS lo, (SELECT max(id) FROM keyword_log)::float8 AS hi,
         c.seq::float8 AS changed, ${ROW}
       FROM s LEFT JOIN (c LEFT JOIN memories m ON m.seq = c.seq) ON true`,
      [this.#seen.xmax, this.#seen.xip],
    );
    const head = rows[0] as (typeof rows)[number];
    // Entries this process had not read were pruned: only the table itself is complete.
    if (head.floor >= this.#seen.xmin) return this.#load();
    const index = this.#index;
    for (const r of rows) {
      if (r.changed === null) continue;
      if (r.id === null || r.id === undefined) index.remove(r.changed);
      else add(index, r.changed, r as IndexedRow);
    }
    this.#seen = { xmin: head.xmin, xmax: head.xmax, xip: head.xip };
    if (head.lo !== null && head.hi !== null && head.hi - head.lo >= 2 * this.#keep)
      await this.#prune(head.hi);
    return index;
  }

  /** Build the index from the table, page by page; changes committed meanwhile are read from the log next time. */
  async #load(): Promise<KeywordIndex> {
    const { rows } = await this.#db.query<Snapshot>(
      `WITH s AS (SELECT pg_current_snapshot() AS snap) SELECT ${SNAPSHOT} FROM s`,
    );
    const seen = rows[0] as Snapshot;
    const index = new KeywordIndex();
    for (let after = 0; ; ) {
      const { rows: page } = await this.#db.query<IndexedRow & { seq: number }>(
        `SELECT m.seq::float8 AS seq, ${ROW} FROM memories m WHERE m.seq > $1 ORDER BY m.seq LIMIT ${LOAD_PAGE}`,
        [after],
      );
      for (const r of page) add(index, r.seq, r);
      if (page.length < LOAD_PAGE) break;
      after = (page[page.length - 1] as { seq: number }).seq;
    }
    this.#index = index;
    this.#seen = seen;
    this.loads++;
    return index;
  }

  /**
   * Delete all but the newest `keep` entries, raising the floor to the largest transaction id deleted (in one
   * statement: a reader sees both or neither). Two processes pruning at once only repeat work.
   */
  async #prune(hi: number): Promise<void> {
    await this.#db.query(
      `WITH d AS (DELETE FROM keyword_log WHERE id <= $1 RETURNING xid)
       UPDATE keyword_log_floor SET xid = greatest(xid, coalesce((SELECT max(xid) FROM d), 0))`,
      [hi - this.#keep],
    );
  }
}
