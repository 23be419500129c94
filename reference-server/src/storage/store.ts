/**
 * The Store: everything the routes, MCP and import/export ask of storage, asynchronous so that an
 * implementation may run its queries off the HTTP event loop (worker-store.ts: SQLite in worker threads) or on
 * another machine (a Postgres store, issue #17). Storage knows nothing of HTTP: requests arrive as a
 * visibility, filters and plain values; refusals are errors (ApiError for the envelope's codes, and
 * CountMismatchError below); rows come back as stored (rows.ts renders them).
 *
 * Implementations: LocalStore (local-store.ts, node:sqlite on the calling thread: tests and benchmarks) and
 * WorkerStore (worker-store.ts, the server's default). test/store-suite runs one behaviour suite against each.
 */
import type {
  ConflictStrategy,
  CreateMemoryRequest,
  ImportResult,
  SortOrder,
  UpdateMemoryRequest,
} from '@omp-kit/schemas/types';
import type { QueryTerm } from '../search/tokenize.ts';
import type { AppRow, AppUsage, LogQuery, LogRow, PackedLog } from './control-store.ts';
import type { Filters, Page, Resume, Visibility } from './memory-store.ts';
import type { RenderedPage } from './rendered-page.ts';
import type { MemoryRow } from './rows.ts';

export type { AppRow, AppUsage, LogEntry, LogQuery, LogRow, PackedLog } from './control-store.ts';
export { packLog } from './control-store.ts';
export type { Filters, Page, Resume, Visibility } from './memory-store.ts';
export type { RenderedPage } from './rendered-page.ts';
export type { MemoryRow } from './rows.ts';

/** Who changed a memory's state, for its history (SPEC.md §20.1). */
export interface StateActor {
  app: string | null;
  actor: string;
  reason: string | null;
}

/** One entry of a memory's state history, oldest first. */
export interface StateHistoryRow {
  from_state: string;
  to_state: string;
  at: string;
  app: string | null;
  actor: string;
  reason: string | null;
}

/** Counts of a principal's memories by state, type, tool and category tag (SPEC.md §20.5). */
export interface ControlStats {
  byState: Map<string, number>;
  byType: Map<string, number>;
  byTool: { name: string; n: number }[];
  byCategory: { name: string; n: number }[];
}

/** The result of setStates: the rows after the change (changed and unchanged ones) and the ids by outcome. */
export interface StateChange {
  rows: MemoryRow[];
  changed: string[];
  unchanged: string[];
  notFound: string[];
}

/** Criteria of a bulk delete (SPEC.md §5.6): the list filters plus a creation bound and explicit ids. */
export type BulkCriteria = Filters & {
  createdBefore?: string | undefined;
  ids?: readonly string[] | undefined;
};

/** A recorded response of a request that carried an Idempotency-Key (SPEC.md §5.9). */
export interface IdempotencyRecord {
  fingerprint: string;
  status: number;
  body: string | null;
  headers: string;
  memory_id: string | null;
  created_ms: number;
}

/** Where idempotency records live: durable, shared by everything that serves the same store. */
export interface IdempotencyRecords {
  /** The live record of (scope, key), after pruning records older than the retention period. */
  lookup(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Keep a response (replacing an older record of the same scope and key). */
  record(scope: string, key: string, record: Omit<IdempotencyRecord, 'created_ms'>): Promise<void>;
  /**
   * Mark (scope, key) as being processed for every process sharing the records (OMP-IDEM-004 across server
   * processes); false when another holds it. Stores served by one process leave it out (its own set suffices).
   */
  claim?(scope: string, key: string): Promise<boolean>;
  /** Give up a claim once the request has finished (its record, if any, written). */
  release?(scope: string, key: string): Promise<void>;
}

/** The embedding model of a store at the Search level. */
export interface EmbeddingModel {
  model: string;
  dimensions: number;
}

/** The approximate index behind large semantic searches (health declares it); without one, every search is exact. */
export interface VectorIndex {
  /** The index method. */
  method: 'hnsw';
  /** The pgvector version providing it. */
  pgvector: string;
  /** Searches matching fewer memories than this scan exactly all the same. */
  exactBelow: number;
}

/** Thrown by bulkDelete when `expectedCount` differs from the number of matches; nothing was deleted. */
export class CountMismatchError extends Error {
  readonly matched: number;
  constructor(matched: number) {
    super(`${matched} memories match`);
    this.name = 'CountMismatchError';
    this.matched = matched;
  }
}

/** The asynchronous store (see the file comment). Every write resolves only once it is durable. */
export interface Store {
  /** The Search level's model, or null for a Core store (keyword search only). */
  readonly embeddings: EmbeddingModel | null;
  /** The vector index semantic search uses, if any; absent or null: exact search (every vector scored). */
  readonly vectorIndex?: VectorIndex | null;
  /**
   * Increases whenever stored data changes, as far as this process has seen; response caches compare it. After
   * `await purgeExpired()` it covers every write acknowledged before the call.
   */
  readonly generation: number;
  /** Memories still waiting for a vector (Search level); health reports `degraded` while there are any. */
  readonly backlog: number;
  /** Group-commit counters: transactions committed and the writes they carried. */
  readonly commitStats: { commits: number; writes: number };
  /** Idempotency records (SPEC.md §5.9). */
  readonly idempotency: IdempotencyRecords;

  /** Delete memories whose expiry has passed (reads do it themselves; callers use it before a cache lookup). */
  purgeExpired(): Promise<void>;

  /** Store a new memory under a server-assigned id. */
  create(principal: string, req: CreateMemoryRequest): Promise<MemoryRow>;
  /** One visible memory, or undefined. */
  get(vis: Visibility, id: string): Promise<MemoryRow | undefined>;
  /** How many memories the caller sees (health `memories_count`). */
  count(vis: Visibility): Promise<number>;
  /** One page of a list by offset (SPEC.md §5.2) and the number of matches. */
  list(vis: Visibility, filters: Filters, sort: SortOrder, limit: number, offset: number): Promise<Page>;
  /** One page after a keyset position (cursor pagination), the total, and how many matches precede it. */
  listAfter(
    vis: Visibility,
    filters: Filters,
    sort: SortOrder,
    limit: number,
    after: { key: string; id: string; resume?: Resume | undefined } | null,
  ): Promise<Page & { before: number }>;
  /**
   * Optional: `list` (at `offset`) or, when `after` is given, `listAfter`, with the page rendered where it was
   * read (storage/rendered-page.ts); a store without it is read with those and rendered by the caller.
   */
  listRendered?(
    vis: Visibility,
    filters: Filters,
    sort: SortOrder,
    limit: number,
    offset: number,
    after: { key: string; id: string; resume?: Resume | undefined } | undefined,
  ): Promise<RenderedPage>;
  /**
   * Partial update (SPEC.md §5.4). `writerTool`: the per-tool key's tool, null for a global key. `ifMatch`: an
   * entity-tag list (RFC 9110 syntax) that must name the memory's current tag, checked inside the write.
   */
  update(
    vis: Visibility,
    writerTool: string | null,
    id: string,
    patch: UpdateMemoryRequest,
    ifMatch?: string,
  ): Promise<MemoryRow>;
  /** Delete one memory; the same rules as update. */
  delete(vis: Visibility, writerTool: string | null, id: string, ifMatch?: string): Promise<void>;
  /** Bulk delete in one transaction; throws CountMismatchError when `expectedCount` is given and differs. */
  bulkDelete(
    vis: Visibility,
    writerTool: string | null,
    criteria: BulkCriteria,
    options: { dryRun: boolean; expectedCount?: number | undefined },
  ): Promise<{ matched: number; deleted: number }>;
  /**
   * Import export-file items in one transaction (SPEC.md §7.3); items are read once, in order, as the store
   * consumes them (a lazily parsed body stays lazy). A null item is reported as invalid.
   */
  import(
    vis: Visibility,
    writerTool: string | null,
    items: Iterable<unknown>,
    strategy: ConflictStrategy,
  ): Promise<ImportResult>;
  /** Keyword search (SPEC.md §6.1). */
  search(
    vis: Visibility,
    terms: readonly QueryTerm[],
    filters: Filters,
    limit: number,
    offset: number,
  ): Promise<Page>;
  /** Semantic search (Search level; rejects on a Core store). */
  semantic(vis: Visibility, q: string, filters: Filters, limit: number, offset: number): Promise<Page>;
  /** Hybrid search (Search level; rejects on a Core store). */
  hybrid(
    vis: Visibility,
    q: string,
    terms: readonly QueryTerm[],
    filters: Filters,
    limit: number,
    offset: number,
  ): Promise<Page>;
  /** Every visible memory in export order (created_at, id ascending), a page at a time, in constant memory. */
  exportPages(vis: Visibility): AsyncIterable<MemoryRow[]>;
  /**
   * Control level (SPEC.md §20.1): set the state of memories by id in one transaction, with history entries.
   * Ids the caller cannot see are reported in `notFound`; another tool's memory, for a per-tool key, too, or
   * 403 when `foreign` is `forbid`.
   */
  setStates(
    vis: Visibility,
    writerTool: string | null,
    ids: readonly string[],
    state: string,
    who: StateActor,
    foreign: 'forbid' | 'report',
  ): Promise<StateChange>;
  /** A memory's state history, oldest first (the caller has checked that it sees the memory). */
  stateHistory(principal: string, memoryId: string): Promise<StateHistoryRow[]>;
  /** Every stored app of a principal, by name (SPEC.md §20.2). */
  apps(principal: string): Promise<AppRow[]>;
  /** Every stored app that is paused or has access rules, of every principal (the app registry's start). */
  restrictedApps(): Promise<AppRow[]>;
  /** Create or change an app's pause flag and rules (JSON of the rule list); durable before it resolves. */
  putApp(principal: string, name: string, paused: boolean, rules: string, now: string): Promise<void>;
  /** Memories per `source.tool` of a principal, in every state, with their earliest and latest write. */
  toolCounts(principal: string): Promise<{ tool: string; n: number; first: string; last: string }[]>;
  /**
   * Store a batch of access-log entries (packed by packLog) and app usage (SPEC.md §20.4), and remove entries
   * older than `purgeBeforeMs` when given. Committed without an fsync of its own: the next memory write's makes
   * it durable.
   */
  appendLog(batch: PackedLog | null, usage: readonly AppUsage[], purgeBeforeMs?: number): Promise<void>;
  /** One page of a principal's access-log entries, newest first. */
  queryLog(q: LogQuery): Promise<LogRow[]>;
  /** Counts for GET /v1/stats. */
  stats(principal: string): Promise<ControlStats>;
  /** Resolves once every memory has a vector (Search level; at once otherwise). */
  whenIndexed(): Promise<void>;
  /** Commit what is queued and release the database. */
  close(): Promise<void>;
}
