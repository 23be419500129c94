/**
 * LocalStore: the Store on node:sqlite in the calling thread. Every query runs synchronously on the caller's
 * event loop, so a long import or export stalls everything else on that thread: the server uses it inside its
 * store workers (worker-store.ts), and tests and benchmarks may use it directly (`storeThread: false`).
 */
import { etagOf, ifMatchPasses, preconditionFailed } from '../concurrency/etag.ts';
import type { Embedder } from '../search/embedder.ts';
import { ControlStore } from './control-store.ts';
import { type OpenOptions, openDatabase } from './database.ts';
import { MemoryStore, type MemoryStoreOptions } from './memory-store.ts';
import type { MemoryRow } from './rows.ts';
import { SearchStore } from './search-store.ts';
import { CountMismatchError, type EmbeddingModel, type IdempotencyRecords, type Store } from './store.ts';

/** An If-Match check run inside the write (OMP-ETAG-003..005): 412 unless it names the current tag. */
function precondition(ifMatch: string | undefined): ((current: MemoryRow) => void) | undefined {
  if (ifMatch === undefined) return undefined;
  return (current) => {
    if (!ifMatchPasses(ifMatch, etagOf(current))) {
      throw preconditionFailed('The memory has changed since the ETag in If-Match; read it again', {
        etag: etagOf(current),
      });
    }
  };
}

/** The Store over a MemoryStore (Core) or SearchStore (Search level) on this thread. */
export class LocalStore implements Store {
  readonly inner: MemoryStore;
  readonly embeddings: EmbeddingModel | null;
  readonly idempotency: IdempotencyRecords;
  /** The control level's tables (SPEC.md §20) on the same connection. */
  readonly #control: ControlStore;

  constructor(inner: MemoryStore) {
    this.inner = inner;
    this.#control = new ControlStore(inner.database);
    this.embeddings =
      inner instanceof SearchStore
        ? { model: inner.embedder.model, dimensions: inner.embedder.dimensions }
        : null;
    const records = inner.idempotency;
    this.idempotency = {
      lookup: async (scope, key) => records.lookup(scope, key),
      record: async (scope, key, r) => records.record(scope, key, r),
    };
  }

  /** Open a database file (or `:memory:`) with an optional embedder (the Search level). */
  static open(
    path: string,
    embedder: Embedder | null,
    options: MemoryStoreOptions & OpenOptions = {},
  ): LocalStore {
    const db = openDatabase(path, options);
    return new LocalStore(embedder ? new SearchStore(db, embedder, options) : new MemoryStore(db, options));
  }

  get generation(): number {
    return this.inner.generation;
  }
  get backlog(): number {
    return this.inner instanceof SearchStore ? this.inner.backlog : 0;
  }
  get commitStats(): { commits: number; writes: number } {
    return { ...this.inner.commitStats };
  }

  #search(): SearchStore {
    if (!(this.inner instanceof SearchStore)) throw new Error('this store has no embedder (Core level)');
    return this.inner;
  }

  async purgeExpired(): Promise<void> {
    this.inner.purgeExpired();
  }
  create(...a: Parameters<Store['create']>): ReturnType<Store['create']> {
    return this.inner.create(...a);
  }
  async get(...a: Parameters<Store['get']>): ReturnType<Store['get']> {
    return this.inner.get(...a);
  }
  async count(...a: Parameters<Store['count']>): ReturnType<Store['count']> {
    return this.inner.count(...a);
  }
  async list(...a: Parameters<Store['list']>): ReturnType<Store['list']> {
    return this.inner.list(...a);
  }
  async listAfter(...a: Parameters<Store['listAfter']>): ReturnType<Store['listAfter']> {
    return this.inner.listAfter(...a);
  }
  update(...[vis, tool, id, patch, ifMatch]: Parameters<Store['update']>): ReturnType<Store['update']> {
    return this.inner.update(vis, tool, id, patch, precondition(ifMatch));
  }
  delete(...[vis, tool, id, ifMatch]: Parameters<Store['delete']>): ReturnType<Store['delete']> {
    return this.inner.delete(vis, tool, id, precondition(ifMatch));
  }
  bulkDelete(
    ...[vis, tool, criteria, options]: Parameters<Store['bulkDelete']>
  ): ReturnType<Store['bulkDelete']> {
    return this.inner.bulkDelete(vis, tool, criteria, {
      ...options,
      onMismatch: (matched) => new CountMismatchError(matched),
    });
  }
  import(...a: Parameters<Store['import']>): ReturnType<Store['import']> {
    return this.inner.import(...a);
  }
  async search(...a: Parameters<Store['search']>): ReturnType<Store['search']> {
    return this.inner.search(...a);
  }
  async semantic(...a: Parameters<Store['semantic']>): ReturnType<Store['semantic']> {
    return this.#search().semantic(...a);
  }
  async hybrid(...a: Parameters<Store['hybrid']>): ReturnType<Store['hybrid']> {
    return this.#search().hybrid(...a);
  }
  setStates(...a: Parameters<Store['setStates']>): ReturnType<Store['setStates']> {
    return this.inner.setStates(...a);
  }
  async stateHistory(principal: string, memoryId: string): ReturnType<Store['stateHistory']> {
    return this.#control.history(principal, memoryId);
  }
  async apps(principal: string): ReturnType<Store['apps']> {
    return this.#control.apps(principal);
  }
  async restrictedApps(): ReturnType<Store['restrictedApps']> {
    return this.#control.restrictedApps();
  }
  async putApp(...[principal, name, paused, rules, now]: Parameters<Store['putApp']>): Promise<void> {
    this.#control.transaction(() => this.#control.putApp(principal, name, paused, rules, now));
  }
  async toolCounts(principal: string): ReturnType<Store['toolCounts']> {
    this.inner.purgeExpired();
    return this.#control.toolCounts(principal);
  }
  async appendLog(...[batch, usage, purgeBeforeMs]: Parameters<Store['appendLog']>): Promise<void> {
    if (batch === null && usage.length === 0 && purgeBeforeMs === undefined) return;
    this.#control.transaction(
      () => {
        this.#control.insertLog(batch);
        this.#control.addUsage(usage);
        if (purgeBeforeMs !== undefined) this.#control.purgeLog(purgeBeforeMs);
      },
      { durable: false },
    );
  }
  async queryLog(...a: Parameters<Store['queryLog']>): ReturnType<Store['queryLog']> {
    return this.#control.queryLog(...a);
  }
  async stats(principal: string): ReturnType<Store['stats']> {
    this.inner.purgeExpired();
    return this.#control.stats(principal);
  }
  async *exportPages(...a: Parameters<Store['exportPages']>): AsyncGenerator<MemoryRow[]> {
    yield* this.inner.exportPages(...a);
  }
  whenIndexed(): Promise<void> {
    return this.inner instanceof SearchStore ? this.inner.whenIndexed() : Promise.resolve();
  }
  async close(): Promise<void> {
    this.inner.close();
  }
}
