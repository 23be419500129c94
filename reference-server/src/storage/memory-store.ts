import { createSecretKey, type KeyObject } from 'node:crypto';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type {
  ConflictStrategy,
  CreateMemoryRequest,
  ImportResult,
  Memory,
  SortOrder,
  UpdateMemoryRequest,
} from '@omp-kit/schemas/types';
import { GenerationCache } from '../cache.ts';
import { resumeAfter, verifiedResume } from '../concurrency/cursor.ts';
import { IdempotencyStore } from '../concurrency/idempotency.ts';
import { forbidden, memoryNotFound } from '../http/errors.ts';
import { newMemoryId } from '../model/ids.ts';
import { ceilMs, floorMs, isoFromMs, sortKey } from '../model/time.ts';
import { type KeywordDoc, KeywordIndex } from '../search/keyword-index.ts';
import { filterMatch, filterText } from '../search/meta-tokens.ts';
import { indexText, type QueryTerm } from '../search/tokenize.ts';
import { withCorrections } from '../search/typos.ts';
import { scalarViolations, validators, violationsOf } from '../validation.ts';
import { type AccessRules, narrowStates, stateSql } from './control-scope.ts';
import { openDatabase } from './database.ts';
import { BUMP_COUNTS, type CountedAttributes, countKey, countKeysOf } from './filter-counts.ts';
import { GroupCommit } from './group-commit.ts';
import { admitImportItem, createdRow, type NewRow } from './import-items.ts';
import { type MemoryRow, ROW_COLUMNS, rowColumns } from './rows.ts';

/** Whose memories a request sees: its principal's, restricted to one tool for keys with read scope `own`. */
export interface Visibility {
  principal: string;
  ownTool: string | null;
  /** Control level: the access rules of the request's app (SPEC.md §20.3); memories they deny are invisible. */
  rules?: AccessRules | null | undefined;
  /** Control level: whether a `source.tool` names a paused app, for import items (OMP-CTRL-020). */
  paused?: ((tool: string) => boolean) | undefined;
}

/** List and search filters (SPEC.md §5.2); absent members do not filter. */
export interface Filters {
  type?: string | undefined;
  tool?: string | undefined;
  tags?: readonly string[] | undefined;
  namespace?: string | undefined;
  /** Control level: only memories in these states (SPEC.md §20.1); absent: every state. */
  states?: readonly string[] | undefined;
}

/** Ids a write stored or deleted, attached to its result for the access log (never serialised: a symbol). */
export const WRITTEN_IDS: unique symbol = Symbol('written ids');

/** One page of rows and the number of matches before limit/offset. */
export interface Page {
  /** The page's memories. A store may leave `embedding` null: pages never carry it (rows.ts renderPage). */
  rows: MemoryRow[];
  total: number;
  /** A list's position after its last row, for the next cursor (see Resume); absent when none is known. */
  resume?: Resume | undefined;
}

/**
 * What a cursor carries so that the next page needs no count (OMP-LIST-022 asks for the exact number of
 * matches before the page, a count as long as the walk so far): the matches before the next page, the total,
 * and a MAC binding both to the position, the request and the store's data version. A page served while the
 * data is unchanged takes them as they are; after any write (or from another store) the MAC no longer matches
 * and they are counted again. The MAC also keeps a client from making the server repeat numbers it invented.
 */
export interface Resume {
  before: number;
  total: number;
  mac: string;
}

// Hot statements, built once: #sql looks statements up by their text.
const INSERT_MEMORY = `INSERT INTO memories (${ROW_COLUMNS.replace('seq, ', '')})
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const SELECT_BY_ID = `SELECT ${ROW_COLUMNS} FROM memories WHERE principal = ? AND id = ?`;

/** The filters the keyword index applies itself (search/keyword-index.ts). */
const KEYWORD_FILTERS: ReadonlySet<string> = new Set(['type', 'tool', 'tags', 'namespace']);

/** Above this many filter matches a list walks the sort index instead of sorting the matches. */
const SORT_MATCHES_LIMIT = 2000;

const ORDER: Record<SortOrder, { index: string; orderBy: string }> = {
  created_at_desc: { index: 'memories_by_created', orderBy: 'm.created_key DESC, m.id DESC' },
  created_at_asc: { index: 'memories_by_created', orderBy: 'm.created_key ASC, m.id ASC' },
  updated_at_desc: { index: 'memories_by_updated', orderBy: 'm.updated_key DESC, m.id DESC' },
  updated_at_asc: { index: 'memories_by_updated', orderBy: 'm.updated_key ASC, m.id ASC' },
};

/**
 * Thrown by a read-only store (a second connection that serves reads beside the writer) when expired memories
 * are due to be purged: only the writer may purge them, so the read must be sent there.
 */
export class PurgeNeededError extends Error {
  constructor() {
    super('expired memories must be purged by the writer first');
    this.name = 'PurgeNeededError';
  }
}

/** Options of a MemoryStore. */
export interface MemoryStoreOptions {
  now?: () => number;
  cacheTotals?: boolean;
  /**
   * A store on a read-only connection: it never writes; a read that expired memories could reach throws
   * PurgeNeededError instead of purging them. Another connection's commits bump `generation` (data_version).
   */
  readOnly?: boolean;
}

const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Error && /UNIQUE constraint failed/.test(err.message);

/**
 * The memory store: every query and write of the server. Reads run directly on the connection; writes are
 * queued into the group commit. Expired memories are purged before any read that could see them (and once a
 * minute), so queries never need an expiry condition to be correct.
 */
export class MemoryStore {
  readonly #db: DatabaseSync;
  readonly #writes: GroupCommit;
  readonly #statements = new Map<string, StatementSync>();
  readonly #now: () => number;
  readonly #purgeTimer: NodeJS.Timeout | undefined;
  readonly #readOnly: boolean;
  #dataVersion = 0;
  /** Signs cursor resumes (Resume); kept in the database (list_version), so every store of a file agrees. */
  readonly #secret: KeyObject;
  /** A write of this transaction changed memories: list_version is bumped before its COMMIT. */
  #listDirty = false;
  /** No stored memory expires before this instant (ms); purges run when the clock reaches it. */
  #nextExpiry: number;
  /** Totals of lists and searches, per generation: paging through one result counts it once. */
  readonly #totals: GenerationCache<number>;
  /** Increases whenever stored data changes; response caches compare it. */
  generation = 0;
  /** Recorded responses of requests with an Idempotency-Key (SPEC.md §5.9). */
  readonly idempotency: IdempotencyStore;
  /**
   * Keyword ranking (search/keyword-index.ts), built when the store opens (at 100k memories a few seconds, better
   * spent before the server listens than inside its first search); null after a failed commit, until the next
   * search rebuilds it.
   */
  #keywords: KeywordIndex | null;

  constructor(db: DatabaseSync, options: MemoryStoreOptions = {}) {
    this.#db = db;
    this.#readOnly = options.readOnly ?? false;
    this.#now = options.now ?? Date.now;
    this.#totals = new GenerationCache<number>({ enabled: options.cacheTotals ?? true, maxEntries: 2000 });
    this.#writes = new GroupCommit(db);
    this.idempotency = new IdempotencyStore(db, this.#now, (op) => this.#writes.run(op));
    // A read-only store never sees the writer's writes in this index: keyword search runs on the writer.
    this.#keywords = this.#readOnly ? null : KeywordIndex.load(db);
    this.#writes.onCommit = () => {
      this.generation++;
    };
    this.#writes.beforeCommit = () => this.#bumpListVersion();
    const { secret } = this.#sql('SELECT secret FROM list_version').get() as { secret: Uint8Array };
    this.#secret = createSecretKey(secret); // a key object once: from bytes, each MAC would build one
    this.#nextExpiry = this.#earliestExpiry();
    if (!this.#readOnly) {
      this.#purgeTimer = setInterval(() => this.purgeExpired(), 60_000);
      this.#purgeTimer.unref();
    }
  }

  /** Open a database file (or `:memory:`), migrate it, and wrap it in a store. */
  static open(path: string, options: MemoryStoreOptions = {}): MemoryStore {
    return new MemoryStore(openDatabase(path), options);
  }

  /** Group-commit counters: transactions and the writes they carried. */
  get commitStats(): { commits: number; writes: number } {
    return this.#writes.stats;
  }

  /**
   * Queue a write into the group commit. The keyword index changes with the write: undone with it when it throws,
   * dropped (rebuilt on the next search) when the transaction that carried it fails to commit.
   */
  #write<T>(op: () => T): Promise<T> {
    let applied = false;
    return this.#writes
      .run(() => {
        const result = this.#keywords ? this.#keywords.journaled(op) : op();
        applied = true;
        return result;
      })
      .catch((err: unknown) => {
        if (applied) this.#keywords = null;
        throw err;
      });
  }

  #sql(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  #earliestExpiry(): number {
    const row = this.#sql('SELECT min(expires_ms) AS t FROM memories WHERE expires_ms IS NOT NULL').get() as {
      t: number | null;
    };
    return row.t ?? Number.POSITIVE_INFINITY;
  }

  #noteExpiry(expiresMs: number | null): void {
    if (expiresMs !== null && expiresMs < this.#nextExpiry) this.#nextExpiry = expiresMs;
  }

  /** Delete memories whose expiry has passed, if any can have; runs before every read. */
  purgeExpired(): void {
    const now = this.#now();
    if (this.#readOnly) {
      // Another connection writes: its commits change data_version; the earliest expiry is re-read each time.
      const version = (this.#sql('PRAGMA data_version').get() as { data_version: number }).data_version;
      if (version !== this.#dataVersion) {
        this.#dataVersion = version;
        this.generation++;
      }
      if (now >= this.#earliestExpiry()) throw new PurgeNeededError();
      return;
    }
    if (now < this.#nextExpiry) return;
    const db = this.#db;
    // Not inside the group commit: purges are idempotent, and a read must not wait for the next turn.
    const seqs = this.#sql('SELECT seq FROM memories WHERE expires_ms <= ?').all(now) as { seq: number }[];
    if (seqs.length > 0) {
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const { seq } of seqs) this.#deleteSeq(seq);
        this.#bumpListVersion();
        db.exec('COMMIT');
      } catch (err) {
        if (db.isTransaction) db.exec('ROLLBACK');
        this.#keywords = null; // it saw deletions that were rolled back
        throw err;
      }
      this.generation++;
    }
    this.#nextExpiry = this.#earliestExpiry();
  }

  // ---------------------------------------------------------------- writes (run inside the group commit)

  #insert(row: NewRow): MemoryRow {
    const r = this.#sql(INSERT_MEMORY).run(
      row.principal,
      row.id,
      row.content,
      row.type,
      row.tool,
      row.source,
      row.tags,
      row.namespace,
      row.metadata,
      row.embedding,
      row.created_at,
      row.updated_at,
      row.expires_at,
      row.created_key,
      row.updated_key,
      row.expires_ms,
      row.state,
    );
    const seq = Number(r.lastInsertRowid);
    this.#listDirty = true;
    this.#keywords?.add(keywordDoc(seq, row, indexText(row.content)));
    this.#sql('INSERT INTO memories_filter (rowid, attrs) VALUES (?, ?)').run(seq, filterText(attrsOf(row)));
    this.#counted(row.principal, 1);
    this.#filterCounted(row.principal, row, 1);
    this.#noteExpiry(row.expires_ms);
    return { seq, ...row };
  }

  /** Insert under a fresh server-assigned id, drawing again in the (astronomically rare) case of a clash. */
  #insertWithNewId(row: NewRow): MemoryRow {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.#insert({ ...row, id: newMemoryId() });
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= 5) throw err;
      }
    }
  }

  #replace(before: MemoryRow, after: MemoryRow): void {
    this.#sql(
      `UPDATE memories SET id = ?, content = ?, type = ?, tool = ?, source = ?, tags = ?, namespace = ?, metadata = ?,
       embedding = ?, created_at = ?, updated_at = ?, expires_at = ?, created_key = ?, updated_key = ?, expires_ms = ?,
       state = ? WHERE seq = ?`,
    ).run(
      after.id,
      after.content,
      after.type,
      after.tool,
      after.source,
      after.tags,
      after.namespace,
      after.metadata,
      after.embedding,
      after.created_at,
      after.updated_at,
      after.expires_at,
      after.created_key,
      after.updated_key,
      after.expires_ms,
      after.state,
      before.seq,
    );
    this.#listDirty = true;
    this.#keywords?.add(keywordDoc(before.seq, after, indexText(after.content)));
    const attrs = filterText(attrsOf(after));
    if (attrs !== filterText(attrsOf(before))) {
      this.#sql('UPDATE memories_filter SET attrs = ? WHERE rowid = ?').run(attrs, before.seq);
      this.#filterCounted(before.principal, before, -1);
      this.#filterCounted(after.principal, after, 1);
    }
    this.#noteExpiry(after.expires_ms);
  }

  /** While an import runs, count changes are summed here and written once at its end. */
  #pendingCounts: Map<string, number> | null = null;
  /** The same for filter counts: principal, then count key (storage/filter-counts.ts). */
  #pendingFilterCounts: Map<string, Map<string, number>> | null = null;

  /** Keep filter_counts exact: one statement for all of a memory's keys, in the transaction of its write. */
  #filterCounted(principal: string, a: CountedAttributes, delta: number): void {
    const keys = countKeysOf(a);
    const pending = this.#pendingFilterCounts;
    if (pending) {
      const m = pending.get(principal) ?? new Map<string, number>();
      pending.set(principal, m);
      for (const k of keys) m.set(k, (m.get(k) ?? 0) + delta);
      return;
    }
    this.#sql(BUMP_COUNTS).run(principal, delta, JSON.stringify(keys));
  }

  /** Write the filter counts an import summed (one statement per key it changed). */
  #flushFilterCounts(pending: Map<string, Map<string, number>>): void {
    const bump = this.#sql(
      'INSERT INTO filter_counts (principal, k, n) VALUES (?, ?, ?) ON CONFLICT (principal, k) DO UPDATE SET n = n + excluded.n',
    );
    for (const [principal, m] of pending) for (const [k, n] of m) if (n !== 0) bump.run(principal, k, n);
  }

  /** Keep principal_counts exact; called in the same transaction as the insert or delete. */
  #counted(principal: string, delta: number): void {
    if (this.#pendingCounts) {
      this.#pendingCounts.set(principal, (this.#pendingCounts.get(principal) ?? 0) + delta);
      return;
    }
    this.#sql(
      'INSERT INTO principal_counts (principal, n) VALUES (?, ?) ON CONFLICT (principal) DO UPDATE SET n = n + excluded.n',
    ).run(principal, delta);
  }

  #deleteSeq(seq: number): void {
    const row = this.#sql(
      'DELETE FROM memories WHERE seq = ? RETURNING principal, type, tool, namespace, tags',
    ).get(seq) as (CountedAttributes & { principal: string }) | undefined;
    if (row) {
      this.#listDirty = true;
      this.#counted(row.principal, -1);
      this.#filterCounted(row.principal, row, -1);
    }
    this.#sql('DELETE FROM memories_filter WHERE rowid = ?').run(seq);
    this.#keywords?.remove(seq);
  }

  #row(principal: string, id: string): MemoryRow | undefined {
    return this.#sql(SELECT_BY_ID).get(principal, id) as MemoryRow | undefined;
  }

  /** The row if the caller can see it: its principal's, not expired, not hidden by read scope `own`. */
  #visible(vis: Visibility, id: string, now: number): MemoryRow | undefined {
    const row = this.#row(vis.principal, id);
    if (!row) return undefined;
    if (row.expires_ms !== null && row.expires_ms <= now) return undefined;
    if (vis.ownTool !== null && row.tool !== vis.ownTool) return undefined;
    if (vis.rules && !vis.rules.allows(row)) return undefined;
    return row;
  }

  /** Store a new memory for a principal; resolves once durable. */
  create(principal: string, req: CreateMemoryRequest): Promise<MemoryRow> {
    return this.#write(() => {
      return this.#insertWithNewId(createdRow(principal, req, isoFromMs(this.#now())));
    });
  }

  /**
   * Apply a partial update (SPEC.md §5.4). `writerTool` is the per-tool key's tool (null for a global key):
   * a visible memory of another tool is 403, an invisible one 404.
   */
  update(
    vis: Visibility,
    writerTool: string | null,
    id: string,
    patch: UpdateMemoryRequest,
    precondition?: (current: MemoryRow) => void,
  ): Promise<MemoryRow> {
    return this.#write(() => {
      const now = this.#now();
      const before = this.#visible(vis, id, now);
      if (!before) throw memoryNotFound(id);
      if (writerTool !== null && before.tool !== writerTool) {
        throw forbidden(`This key may only change memories of tool ${writerTool}`, { tool: writerTool });
      }
      // Checked inside the write, so no other write can slip between the check and the change (OMP-ETAG-003).
      precondition?.(before);
      const after: MemoryRow = { ...before };
      if (patch.content !== undefined) after.content = patch.content;
      if (patch.type !== undefined) after.type = patch.type;
      if (patch.tags !== undefined) after.tags = JSON.stringify(patch.tags);
      if (patch.namespace !== undefined) after.namespace = patch.namespace;
      if (patch.metadata !== undefined) after.metadata = JSON.stringify(patch.metadata);
      if (patch.expires_at !== undefined) {
        after.expires_at = patch.expires_at;
        after.expires_ms = patch.expires_at === null ? null : ceilMs(patch.expires_at);
      }
      if (patch.embedding !== undefined) {
        after.embedding = patch.embedding === null ? null : JSON.stringify(patch.embedding);
      }
      // Strictly later than before even when the clock has not moved, or moved back (OMP-TIME-005).
      after.updated_at = isoFromMs(Math.max(now, floorMs(before.updated_at) + 1));
      after.updated_key = sortKey(after.updated_at);
      this.#replace(before, after);
      return after;
    });
  }

  /** Delete a memory; the same visibility and tool rules as update. */
  delete(
    vis: Visibility,
    writerTool: string | null,
    id: string,
    precondition?: (current: MemoryRow) => void,
  ): Promise<void> {
    return this.#write(() => {
      const row = this.#visible(vis, id, this.#now());
      if (!row) throw memoryNotFound(id);
      if (writerTool !== null && row.tool !== writerTool) {
        throw forbidden(`This key may only delete memories of tool ${writerTool}`, { tool: writerTool });
      }
      precondition?.(row);
      this.#deleteSeq(row.seq);
    });
  }

  /**
   * Control level (SPEC.md §20.1): set the state of memories by id in one transaction, each change moving
   * `updated_at` forward (hence the ETag) and adding a history entry. A memory the caller cannot see is reported
   * in `notFound`; one of another tool, for a per-tool key, too, or 403 when `foreign` is `forbid` (one id).
   */
  setStates(
    vis: Visibility,
    writerTool: string | null,
    ids: readonly string[],
    state: string,
    who: { app: string | null; actor: string; reason: string | null },
    foreign: 'forbid' | 'report',
  ): Promise<{ rows: MemoryRow[]; changed: string[]; unchanged: string[]; notFound: string[] }> {
    return this.#writes.run(() => {
      const now = this.#now();
      const out = {
        rows: [] as MemoryRow[],
        changed: [] as string[],
        unchanged: [] as string[],
        notFound: [] as string[],
      };
      for (const id of ids) {
        const before = this.#visible(vis, id, now);
        if (before && writerTool !== null && before.tool !== writerTool && foreign === 'forbid') {
          throw forbidden(`This key may only change memories of tool ${writerTool}`, { tool: writerTool });
        }
        if (!before || (writerTool !== null && before.tool !== writerTool)) {
          out.notFound.push(id);
          continue;
        }
        if (before.state === state) {
          out.unchanged.push(id);
          out.rows.push(before);
          continue;
        }
        const after: MemoryRow = { ...before, state };
        after.updated_at = isoFromMs(Math.max(now, floorMs(before.updated_at) + 1));
        after.updated_key = sortKey(after.updated_at);
        this.#sql('UPDATE memories SET state = ?, updated_at = ?, updated_key = ? WHERE seq = ?').run(
          state,
          after.updated_at,
          after.updated_key,
          before.seq,
        );
        this.#listDirty = true;
        this.#sql(
          `INSERT INTO memory_state_history (principal, memory_id, from_state, to_state, at, app, actor, reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(vis.principal, id, before.state, state, isoFromMs(now), who.app, who.actor, who.reason);
        out.changed.push(id);
        out.rows.push(after);
      }
      return out;
    });
  }

  /** The SQLite connection, for the control level's own tables (storage/control-store.ts). */
  get database(): DatabaseSync {
    return this.#db;
  }

  /** Run `fn` inside every group-commit transaction, just before its COMMIT (the access log's batched rows). */
  set beforeCommit(fn: () => void) {
    this.#writes.beforeCommit = () => {
      this.#bumpListVersion();
      fn();
    };
  }

  /** Inside a transaction that changed memories: move list_version on, so cursor resumes recount. */
  #bumpListVersion(): void {
    if (!this.#listDirty) return;
    this.#sql('UPDATE list_version SET n = n + 1').run();
    this.#listDirty = false;
  }

  /**
   * Import the items of an export file in one transaction (SPEC.md §7.3): invalid and forbidden items are
   * reported, expired ones skipped, id conflicts resolved by `strategy`. Resolves once durable.
   */
  import(
    vis: Visibility,
    writerTool: string | null,
    items: Iterable<unknown>,
    strategy: ConflictStrategy,
  ): Promise<ImportResult> {
    return this.#write(() => {
      const now = this.#now();
      const validate = validators.exportItem();
      const result: ImportResult = { imported: 0, skipped: 0, errors: [] };
      Object.defineProperty(result, WRITTEN_IDS, { value: [], enumerable: false });
      this.#pendingCounts = new Map();
      this.#pendingFilterCounts = new Map();
      try {
        this.#importItems(vis, writerTool, items, strategy, now, validate, result);
      } finally {
        const pending = this.#pendingCounts;
        const pendingFilters = this.#pendingFilterCounts;
        this.#pendingCounts = null;
        this.#pendingFilterCounts = null;
        // Written even when an item threw: the savepoint rollback then undoes these rows too.
        for (const [principal, delta] of pending) if (delta !== 0) this.#counted(principal, delta);
        this.#flushFilterCounts(pendingFilters);
      }
      return result;
    });
  }

  #importItems(
    vis: Visibility,
    writerTool: string | null,
    items: Iterable<unknown>,
    strategy: ConflictStrategy,
    now: number,
    validate: ReturnType<typeof validators.memory>,
    result: ImportResult,
  ): void {
    // Iterated, not indexed: an import's items are parsed one at a time as they are stored (http/body.ts).
    let index = -1;
    for (const item of items) {
      index++;
      let violations = violationsOf(validate, item, `/memories/${index}`);
      if (violations.length === 0) violations = scalarViolations(item, `/memories/${index}`);
      if (violations.length > 0) {
        const id = (item as { id?: unknown } | null)?.id;
        result.errors.push({
          index,
          id: typeof id === 'string' ? id : null,
          error: 'validation_error',
          message: `Item ${index} is not a valid memory: ${violations[0]?.path} ${violations[0]?.message}`,
          details: { errors: violations },
        });
        continue;
      }
      const m = item as Memory;
      const row = admitImportItem(vis, writerTool, index, m, now, result);
      if (row === null) continue;
      let existing = this.#row(vis.principal, m.id);
      if (existing && existing.expires_ms !== null && existing.expires_ms <= now) {
        this.#deleteSeq(existing.seq); // expired: gone for clients, so no conflict
        existing = undefined;
      }
      const written = (result as ImportResult & { [WRITTEN_IDS]: string[] })[WRITTEN_IDS];
      if (!existing) {
        written.push(this.#insert(row).id);
        result.imported++;
      } else if (vis.ownTool !== null && existing.tool !== vis.ownTool) {
        // The id is taken by a memory this key cannot see (read scope own): any outcome other than "imported"
        // would tell the key that the hidden id exists, so the item is imported under a fresh id.
        written.push(this.#insertWithNewId(row).id);
        result.imported++;
      } else if (strategy === 'skip') {
        result.skipped++;
      } else if (strategy === 'duplicate') {
        written.push(this.#insertWithNewId(row).id);
        result.imported++;
      } else if (writerTool !== null && existing.tool !== writerTool) {
        result.errors.push({
          index,
          id: m.id,
          error: 'forbidden',
          message: `This key may not overwrite memories of another tool`,
          details: { tool: writerTool },
        });
      } else {
        // An overwrite is a write: created_at stays, updated_at moves forward (OMP-IMPORT-021, OMP-TIME-004/005).
        const updatedAt = isoFromMs(Math.max(now, floorMs(existing.updated_at) + 1));
        this.#replace(existing, {
          ...row,
          seq: existing.seq,
          created_at: existing.created_at,
          created_key: existing.created_key,
          updated_at: updatedAt,
          updated_key: sortKey(updatedAt),
        });
        written.push(m.id);
        result.imported++;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- reads

  /** One visible memory, or undefined. */
  get(vis: Visibility, id: string): MemoryRow | undefined {
    this.purgeExpired();
    return this.#visible(vis, id, this.#now());
  }

  /** How many memories the caller sees (health `memories_count`). */
  count(vis: Visibility): number {
    this.purgeExpired();
    const all =
      vis.ownTool === null
        ? this.#countPrincipal(vis.principal)
        : this.#countFilter({ principal: vis.principal, tool: vis.ownTool });
    // Control level: the count of a list without a state filter, so active memories only (SPEC.md §20.1).
    const own = vis.ownTool === null ? '' : ' AND tool = ?';
    const inactive = this.#sql(
      `SELECT count(*) AS n FROM memories INDEXED BY memories_not_active WHERE principal = ? AND state <> 'active'${own}`,
    ).get(...(vis.ownTool === null ? [vis.principal] : [vis.principal, vis.ownTool])) as { n: number };
    return all - inactive.n;
  }

  #countPrincipal(principal: string): number {
    const row = this.#sql('SELECT n FROM principal_counts WHERE principal = ?').get(principal) as
      | { n: number }
      | undefined;
    return row?.n ?? 0;
  }

  /** Whether every stored memory belongs to this principal (the usual single-user store). */
  #soleOwner(principal: string): boolean {
    const row = this.#sql(
      'SELECT count(*) AS others FROM principal_counts WHERE n > 0 AND principal <> ?',
    ).get(principal) as { others: number };
    return row.others === 0;
  }

  #filterMatch(f: Parameters<typeof filterMatch>[0]): string {
    return filterMatch(f, this.#soleOwner(f.principal));
  }

  /**
   * The number of a principal's memories matching filters (every state): a lookup in the maintained counts
   * (storage/filter-counts.ts) for at most one tag, else an intersection in the filter index.
   */
  #countFilter(f: Parameters<typeof filterMatch>[0]): number {
    const tags = [...new Set(f.tags ?? [])];
    if (tags.length <= 1) {
      const key = countKey({ type: f.type, tool: f.tool, namespace: f.namespace, tag: tags[0] });
      if (key === null) return this.#countPrincipal(f.principal);
      const row = this.#sql('SELECT n FROM filter_counts WHERE principal = ? AND k = ?').get(
        f.principal,
        key,
      ) as { n: number } | undefined;
      return row?.n ?? 0;
    }
    const row = this.#sql('SELECT count(*) AS n FROM memories_filter WHERE memories_filter MATCH ?').get(
      this.#filterMatch(f),
    ) as { n: number };
    return row.n;
  }

  /** The exact total of a list (OMP-LIST-012): by plain SQL under a control scope, else from the counts. */
  #listTotal(vis: Visibility, f: Filters, scope: { where: string; params: SQLInputValue[] } | null): number {
    if (scope) {
      const { where, params } = scoped(conditions(vis.principal, f), scope);
      return (
        this.#sql(`SELECT count(*) AS n FROM memories AS m WHERE ${where}`).get(...params) as { n: number }
      ).n;
    }
    return this.#totals.through(JSON.stringify(['list', vis.principal, f]), this.generation, () =>
      isFiltered(f)
        ? this.#countFilter({ principal: vis.principal, ...f })
        : this.#countPrincipal(vis.principal),
    );
  }

  /**
   * Control level: a read's state filter and its app's access rules as SQL, or null when they leave nothing out
   * (no rules, and no memory of the principal is in a state the filter excludes), so the usual paths stay as fast.
   */
  #scope(vis: Visibility, filters: Filters): { where: string; params: SQLInputValue[] } | null {
    const parts: { where: string; params: SQLInputValue[] }[] = [];
    const states = narrowStates(filters.states);
    if (states !== undefined) {
      const excluded = this.#sql(
        `SELECT 1 FROM memories INDEXED BY memories_not_active WHERE principal = ? AND state <> 'active'
         AND state NOT IN (${states.map(() => '?').join(', ')}) LIMIT 1`,
      ).get(vis.principal, ...states);
      if (excluded !== undefined || !states.includes('active')) parts.push(stateSql(states));
    }
    if (vis.rules) parts.push(vis.rules.sql());
    if (parts.length === 0) return null;
    return { where: parts.map((x) => x.where).join(' AND '), params: parts.flatMap((x) => x.params) };
  }

  /** One page of a list (SPEC.md §5.2). */
  list(vis: Visibility, filters: Filters, sort: SortOrder, limit: number, offset: number): Page {
    this.purgeExpired();
    const tool = effectiveTool(vis, filters);
    if (tool === false) return { rows: [], total: 0 };
    const f = { ...filters, tool };
    return this.#snapshot((version) => {
      const scope = this.#scope(vis, f);
      const total = this.#listTotal(vis, f, scope);
      if (offset >= total) return { rows: [], total };
      const page = { rows: this.#pageRows(vis, f, scope, sort, total, limit, offset, null), total };
      return { ...page, resume: resumeAfter(this.#secret, version, vis, filters, sort, page, offset) };
    });
  }

  /**
   * Run reads in one read transaction (one snapshot), given the list version it sees: the counts, the rows and
   * the version a cursor's resume is signed with then agree, whatever the writer commits meanwhile.
   */
  #snapshot<T>(fn: (version: number) => T): T {
    const db = this.#db;
    const own = !db.isTransaction;
    if (own) db.exec('BEGIN');
    try {
      return fn((this.#sql('SELECT n FROM list_version').get() as { n: number }).n);
    } finally {
      if (own) db.exec('COMMIT');
    }
  }

  /**
   * The rows of a page: `offset` rows after the keyset position `after` (or the start) skipped, then `limit`.
   * Few matches (no control scope): taken from the filter index and sorted. Many: the walk of the sort index
   * stops after the page; the matches are dense, so the walk is short.
   */
  #pageRows(
    vis: Visibility,
    f: Filters,
    scope: { where: string; params: SQLInputValue[] } | null,
    sort: SortOrder,
    total: number,
    limit: number,
    offset: number,
    after: { key: string; id: string } | null,
  ): MemoryRow[] {
    const { index, orderBy } = ORDER[sort];
    const past = after === null ? null : pastSql(sort, after);
    if (!scope && isFiltered(f) && total <= SORT_MATCHES_LIMIT) {
      return this.#sql(
        `SELECT ${rowColumns('m')} FROM memories_filter CROSS JOIN memories AS m ON m.seq = memories_filter.rowid
         WHERE memories_filter MATCH ? AND m.principal = ?${past ? ` AND ${past.where}` : ''}
         ORDER BY ${orderBy} LIMIT ? OFFSET ?`,
      ).all(
        this.#filterMatch({ principal: vis.principal, ...f }),
        vis.principal,
        ...(past?.params ?? []),
        limit,
        offset,
      ) as unknown as MemoryRow[];
    }
    const c = scoped(conditions(vis.principal, f), scope);
    const where = past ? `${c.where} AND ${past.where}` : c.where;
    return this.#sql(
      `SELECT ${rowColumns('m')} FROM memories AS m INDEXED BY ${index} WHERE ${where}
       ORDER BY ${orderBy} LIMIT ? OFFSET ?`,
    ).all(...c.params, ...(past?.params ?? []), limit, offset) as unknown as MemoryRow[];
  }

  /**
   * One page of a list after a keyset position (SPEC.md §5.2, cursor pagination): the memories strictly after
   * (`key`, `id`) in the order of `sort`, the total, and how many matches precede the page (OMP-LIST-022).
   * Walks the sort index from the position, so writes elsewhere in the order never shift the page and a page
   * deep in the result costs what the first does. The total and the count before come from the cursor's
   * resume when the data has not changed since it was issued (Resume), else they are counted.
   */
  listAfter(
    vis: Visibility,
    filters: Filters,
    sort: SortOrder,
    limit: number,
    after: { key: string; id: string; resume?: Resume | undefined } | null,
  ): Page & { before: number } {
    this.purgeExpired();
    const tool = effectiveTool(vis, filters);
    if (tool === false) return { rows: [], total: 0, before: 0 };
    const f = { ...filters, tool };
    return this.#snapshot((version) => {
      const scope = this.#scope(vis, f);
      const known = verifiedResume(this.#secret, version, vis, filters, sort, after);
      const total = known?.total ?? this.#listTotal(vis, f, scope);
      const rows = this.#pageRows(vis, f, scope, sort, total, limit, 0, after);
      let before = 0;
      if (known) before = known.before;
      else if (after !== null) {
        const c = scoped(conditions(vis.principal, f), scope);
        const past = pastSql(sort, after);
        before = (
          this.#sql(`SELECT count(*) AS n FROM memories AS m WHERE ${c.where} AND NOT ${past.where}`).get(
            ...c.params,
            ...past.params,
          ) as { n: number }
        ).n;
      }
      const page = { rows, total };
      return {
        ...page,
        before,
        resume: resumeAfter(this.#secret, version, vis, filters, sort, page, before),
      };
    });
  }

  /**
   * Bulk delete (SPEC.md §5.6) in one transaction: the visible memories matching every criterion that the writer
   * may delete (only its own tool's for a per-tool key). `expectedCount` that differs deletes nothing (412).
   */
  bulkDelete(
    vis: Visibility,
    writerTool: string | null,
    criteria: Filters & { createdBefore?: string | undefined; ids?: readonly string[] | undefined },
    options: { dryRun: boolean; expectedCount?: number | undefined; onMismatch: (matched: number) => Error },
  ): Promise<{ matched: number; deleted: number }> {
    return this.#write(() => {
      const tool = effectiveTool(vis, criteria);
      if (tool === false || (writerTool !== null && tool !== undefined && tool !== writerTool)) {
        if (options.expectedCount !== undefined && options.expectedCount !== 0) throw options.onMismatch(0);
        return { matched: 0, deleted: 0 };
      }
      const { where, params } = conditions(vis.principal, { ...criteria, tool: writerTool ?? tool });
      // Expired memories are already erased for clients (OMP-ERASE-001): never matched, purged on the next read.
      const extra: string[] = ['(m.expires_ms IS NULL OR m.expires_ms > ?)'];
      params.push(this.#now());
      if (criteria.createdBefore !== undefined) {
        extra.push('m.created_key < ?');
        params.push(sortKey(criteria.createdBefore));
      }
      if (criteria.ids !== undefined) {
        extra.push(`m.id IN (${criteria.ids.map(() => '?').join(', ')})`);
        params.push(...criteria.ids);
      }
      if (vis.rules) {
        const r = vis.rules.sql();
        extra.push(r.where);
        params.push(...r.params);
      }
      const seqs = this.#db
        .prepare(
          `SELECT m.seq AS seq, m.id AS id FROM memories AS m WHERE ${[where, ...extra].join(' AND ')}`,
        )
        .all(...params) as Array<{ seq: number; id: string }>;
      if (options.expectedCount !== undefined && options.expectedCount !== seqs.length) {
        throw options.onMismatch(seqs.length);
      }
      if (options.dryRun) return { matched: seqs.length, deleted: 0 };
      for (const { seq } of seqs) this.#deleteSeq(seq);
      const out = { matched: seqs.length, deleted: seqs.length };
      Object.defineProperty(out, WRITTEN_IDS, { value: seqs.map((x) => x.id), enumerable: false });
      return out;
    });
  }

  /**
   * Keyword search (SPEC.md §6.1): memories with any query term, in BM25 order (SQLite's bm25 formula over the
   * query's terms), so more and rarer query terms rank first; ties by created_at then id, both descending. The
   * in-memory keyword index ranks and counts (search/keyword-index.ts); the page's rows come from the table.
   */
  search(
    vis: Visibility,
    terms: readonly QueryTerm[],
    filters: Filters,
    limit: number,
    offset: number,
  ): Page {
    this.purgeExpired();
    const tool = effectiveTool(vis, filters);
    if (tool === false || terms.length === 0) return { rows: [], total: 0 };
    const { states, ...rest } = filters;
    const unknown = Object.keys(rest).filter(
      (k) => !KEYWORD_FILTERS.has(k) && (rest as Record<string, unknown>)[k] !== undefined,
    );
    // A filter the index does not hold would be ignored silently: refuse instead (pass it as `accept`).
    if (unknown.length > 0) throw new Error(`keyword search cannot apply filter ${unknown.join(', ')}`);
    if (this.#readOnly) throw new Error('keyword search runs on the writer (its index follows the writes)');
    this.#keywords ??= KeywordIndex.load(this.#db);
    const index = this.#keywords;
    const phrases = this.#corrected(index, terms).flatMap((t) => t.terms);
    const { seqs, total } = index.search(
      phrases,
      { principal: vis.principal, ...rest, tool },
      offset + limit,
      this.#controlAccept(index, vis, states),
    );
    return { rows: this.#rowsBySeq(seqs.slice(offset)), total };
  }

  /**
   * The control level's restrictions (SPEC.md §20: states, an app's access rules) as a predicate on the keyword
   * index's seqs, or undefined when nothing is restricted. Memories not active are few (a partial index holds
   * them), so their states are read once per search; the rules judge the id and namespace the index holds.
   */
  #controlAccept(
    index: KeywordIndex,
    vis: Visibility,
    filter: readonly string[] | undefined,
  ): ((seq: number) => boolean) | undefined {
    const states = narrowStates(filter);
    const rules = vis.rules ?? null;
    if (states === undefined && rules === null) return undefined;
    const notActive =
      states === undefined
        ? null
        : new Map(
            (
              this.#sql(
                `SELECT seq, state FROM memories INDEXED BY memories_not_active WHERE principal = ? AND state <> 'active'`,
              ).all(vis.principal) as { seq: number; state: string }[]
            ).map((r) => [r.seq, r.state]),
          );
    return (seq) => {
      if (notActive !== null && !states?.includes(notActive.get(seq) ?? 'active')) return false;
      return rules === null || rules.allows(index.identity(seq));
    };
  }

  /** The rows of these seqs, in this order. */
  #rowsBySeq(seqs: readonly number[]): MemoryRow[] {
    if (seqs.length === 0) return [];
    const rows = this.#sql(
      `SELECT ${ROW_COLUMNS} FROM memories WHERE seq IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(seqs)) as unknown as MemoryRow[];
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    return seqs.map((s) => bySeq.get(s)).filter((r): r is MemoryRow => r !== undefined);
  }

  /** The query terms with typo corrections from the keyword index's vocabulary (search/typos.ts). */
  #corrected(index: KeywordIndex, terms: readonly QueryTerm[]): QueryTerm[] {
    const known = (term: string) => index.docFrequency(term) > 0;
    const startingWith = (first: string) => index.startingWith(first);
    return withCorrections(terms, known, startingWith);
  }

  /**
   * Every visible memory in export order (created_at, id ascending), read page by page with keyset pagination:
   * no read transaction stays open while the response streams, and memory use does not grow with the store.
   */
  *exportPages(vis: Visibility, pageSize = 500): Generator<MemoryRow[]> {
    this.purgeExpired();
    let key = '';
    let id = '';
    const own = vis.ownTool === null ? '' : ' AND tool = ?';
    const stmt = this.#sql(
      `SELECT ${ROW_COLUMNS} FROM memories INDEXED BY memories_by_created
       WHERE principal = ? AND (created_key, id) > (?, ?) AND (expires_ms IS NULL OR expires_ms > ?)${own}
       ORDER BY created_key, id LIMIT ?`,
    );
    for (;;) {
      const args: SQLInputValue[] = [vis.principal, key, id, this.#now()];
      if (vis.ownTool !== null) args.push(vis.ownTool);
      const rows = stmt.all(...args, pageSize) as unknown as MemoryRow[];
      if (rows.length === 0) return;
      const rules = vis.rules;
      yield rules ? rows.filter((r) => rules.allows(r)) : rows;
      const last = rows[rows.length - 1] as MemoryRow;
      key = last.created_key;
      id = last.id;
      if (rows.length < pageSize) return;
    }
  }

  /** Write everything queued, stop the purge timer and close the database. */
  close(): void {
    if (this.#purgeTimer) clearInterval(this.#purgeTimer);
    this.#writes.close();
    this.#db.close();
  }
}

function keywordDoc(seq: number, row: NewRow, text: string): KeywordDoc {
  return {
    seq,
    text,
    principal: row.principal,
    tool: row.tool,
    type: row.type,
    namespace: row.namespace,
    tags: JSON.parse(row.tags) as string[],
    createdKey: row.created_key,
    id: row.id,
  };
}

function attrsOf(row: NewRow): Parameters<typeof filterText>[0] {
  return {
    principal: row.principal,
    tool: row.tool,
    type: row.type,
    namespace: row.namespace,
    tags: JSON.parse(row.tags) as string[],
  };
}

/** The tool a read is restricted to, combining read scope `own` with a `tool` filter; false when they clash. */
function effectiveTool(vis: Visibility, f: Filters): string | undefined | false {
  if (vis.ownTool === null) return f.tool;
  if (f.tool !== undefined && f.tool !== vis.ownTool) return false;
  return vis.ownTool;
}

/** Whether a list filters on anything but its principal (the state filter aside: see MemoryStore.#scope). */
function isFiltered(f: Filters): boolean {
  return f.tool !== undefined || f.type !== undefined || f.namespace !== undefined || !!f.tags?.length;
}

/** The condition "strictly after the keyset position" in the order of `sort`, on alias `m`. */
function pastSql(
  sort: SortOrder,
  at: { key: string; id: string },
): { where: string; params: SQLInputValue[] } {
  const column = sort.startsWith('created') ? 'm.created_key' : 'm.updated_key';
  const op = sort.endsWith('desc') ? '<' : '>';
  // A row value: SQLite turns it into a range of the sort index, where the OR form would walk from the start.
  return { where: `(${column}, m.id) ${op} (?, ?)`, params: [at.key, at.id] };
}

/** Conditions with a control scope added (SPEC.md §20), when there is one. */
function scoped(
  c: { where: string; params: SQLInputValue[] },
  scope: { where: string; params: SQLInputValue[] } | null,
): { where: string; params: SQLInputValue[] } {
  return scope ? { where: `${c.where} AND ${scope.where}`, params: [...c.params, ...scope.params] } : c;
}

/** SQL conditions on alias `m` for a principal and filters; parameters only, never interpolated values. */
function conditions(principal: string, f: Filters): { where: string; params: SQLInputValue[] } {
  const where = ['m.principal = ?'];
  const params: SQLInputValue[] = [principal];
  if (f.tool !== undefined) {
    where.push('m.tool = ?');
    params.push(f.tool);
  }
  if (f.type !== undefined) {
    where.push('m.type = ?');
    params.push(f.type);
  }
  if (f.namespace !== undefined) {
    where.push('m.namespace = ?');
    params.push(f.namespace);
  }
  for (const tag of f.tags ?? []) {
    // Tags are [a-z0-9_:-]+, so the quoted tag occurs in the stored JSON array exactly when it is an element.
    where.push('instr(m.tags, ?) > 0');
    params.push(JSON.stringify(tag));
  }
  return { where: where.join(' AND '), params };
}
