/**
 * WorkerStore: the server's Store, with SQLite off the HTTP event loop (issue #14, item 2). A writer worker
 * (store-worker.ts) owns the read-write connection, the group commit and the Search level's vector index; for a
 * database file, a reader worker holds a read-only connection, so gets, lists, counts, exports and the control
 * level's reads (access log, apps, stats, history) go on while the writer runs a long import (WAL: a reader
 * sees the last commit). Searches of every mode run on the writer: semantic and hybrid because the vector index
 * lives there, keyword because the in-memory keyword index (search/keyword-index.ts) is kept in step inside each
 * write transaction, so a reader's copy would never see the writer's writes (it builds none). The server thread
 * only sends messages and renders responses: however long a query runs, health and every other request keep
 * being served.
 *
 * The control level (SPEC.md §20): state changes, app updates and access-log batches are writes, to the writer.
 * The access log's entries are buffered on the server thread and arrive as one message per batch
 * (control/access-log.ts); the app registry's paused flags and rules are kept on the server thread too
 * (control/apps.ts), so gating a request costs no message. A Visibility crosses as plain data: the app's rules
 * are compiled again in the worker, and an import's pause check reads the app table on the writer's connection.
 *
 * Durability is the writer's, unchanged: a write's promise settles when its worker has COMMITted (fsynced),
 * and the reply carries the new generation, so a response cache never serves a page older than an
 * acknowledged write. One server per database: the writer holds the sidecar lock `<db>.lock` (database.ts).
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Embedder } from '../search/embedder.ts';
import { PurgeNeededError, WRITTEN_IDS } from './memory-store.ts';
import type { MemoryRow } from './rows.ts';
import type { EmbeddingModel, IdempotencyRecords, Store } from './store.ts';
import type { WorkerConfig } from './store-worker.ts';
import {
  type Batch,
  type CallMessage,
  decodeError,
  type EmbedReply,
  type EmbedRequest,
  encodeError,
  feedItems,
  Outbox,
  type ReplyMessage,
  VISIBILITY_OPS,
  type WriterState,
  wireVisibility,
} from './worker-protocol.ts';

/** The worker's module beside this one: the TypeScript source in a checkout, compiled JavaScript in dist/. */
const WORKER_URL = new URL(
  new URL(import.meta.url).pathname.endsWith('.ts') ? './store-worker.ts' : './store-worker.js',
  import.meta.url,
);

/** One worker thread and its calls in flight. */
class StoreThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 0;
  #dead: Error | null = null;
  #terminating = false;
  #started = false;
  readonly ready: Promise<void>;
  /** Calls made in one turn (the creates of one poll, say) go to the worker as one message. */
  readonly #calls = new Outbox<CallMessage>((m, transfer) => this.#worker.postMessage(m, transfer as never));

  constructor(config: WorkerConfig, onState: (s: WriterState) => void, embedder: Embedder | null) {
    this.#worker = new Worker(WORKER_URL, { workerData: config });
    this.#worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.#worker.on(
        'message',
        (m: Batch<ReplyMessage> | EmbedRequest | { ready: true; state?: WriterState }) => {
          if ('ready' in m) {
            this.#started = true;
            if (m.state) onState(m.state);
            resolve();
            return;
          }
          if ('embed' in m) {
            this.#embed(m, embedder);
            return;
          }
          for (const reply of m.batch) this.#settle(reply, onState);
        },
      );
      const fail = (err: Error) => {
        // A worker that dies while serving leaves a server that answers every store call with a 500: say so.
        if (this.#started && !this.#terminating && !this.#dead) {
          process.stderr.write(
            `omp-reference-server: the ${config.role} store worker stopped: ${err.message}\n`,
          );
        }
        this.#dead = err;
        reject(err);
        for (const p of this.#pending.values()) p.reject(err);
        this.#pending.clear();
      };
      this.#worker.on('error', fail);
      this.#worker.on('exit', (code) => fail(new Error(`store worker exited (code ${code})`)));
    });
    this.ready.catch(() => {}); // observed by open(); later failures reject the calls
  }

  #settle(m: ReplyMessage, onState: (s: WriterState) => void): void {
    if (m.state) onState(m.state);
    const p = this.#pending.get(m.reply);
    if (!p) return;
    this.#pending.delete(m.reply);
    if (this.#pending.size === 0) this.#worker.unref();
    if (m.error) p.reject(decodeError(m.error));
    else {
      if (m.written && typeof m.value === 'object' && m.value !== null) {
        Object.defineProperty(m.value, WRITTEN_IDS, { value: m.written, enumerable: false });
      }
      p.resolve(m.value);
    }
  }

  #embed(m: EmbedRequest, embedder: Embedder | null): void {
    const answer = (r: EmbedReply, transfer: ArrayBuffer[] = []) => this.#worker.postMessage(r, transfer);
    if (!embedder) {
      answer({ embedded: m.embed, error: encodeError(new Error('no embedder')) });
      return;
    }
    embedder.embed(m.texts, m.role).then(
      (vectors) => answer({ embedded: m.embed, vectors }),
      (err: unknown) => answer({ embedded: m.embed, error: encodeError(err) }),
    );
  }

  /** Call a store operation in the worker. */
  call<T>(op: string, args: unknown[], transfer: Transferable[] = []): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    if (VISIBILITY_OPS.has(op)) {
      args = [wireVisibility(args[0] as Parameters<typeof wireVisibility>[0]), ...args.slice(1)];
    }
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.#pending.size === 1) this.#worker.ref(); // a call in flight keeps the process alive
      this.#calls.send({ call: id, op, args }, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.#terminating = true;
    await this.#worker.terminate();
  }
}

/** The Store on SQLite in worker threads (see the file comment). */
export class WorkerStore implements Store {
  readonly embeddings: EmbeddingModel | null;
  readonly idempotency: IdempotencyRecords;
  readonly #writer: StoreThread;
  readonly #reader: StoreThread | null;
  #state: WriterState = { generation: 0, backlog: 0, commits: 0, writes: 0 };
  #closing: Promise<void> | undefined;

  private constructor(writer: StoreThread, reader: StoreThread | null, embeddings: EmbeddingModel | null) {
    this.#writer = writer;
    this.#reader = reader;
    this.embeddings = embeddings;
    this.idempotency = {
      lookup: (scope, key) => this.#writer.call('idempotencyLookup', [scope, key]),
      record: (scope, key, r) => this.#writer.call('idempotencyRecord', [scope, key, r]),
    };
  }

  /**
   * Start the workers on a database file (or `:memory:`, which has no reader: nothing else can open it) and
   * wait until the database is open and migrated. Rejects as openDatabase would (in use, too new, ...).
   */
  static async open(
    path: string,
    embedder: Embedder | null,
    options: { cacheTotals?: boolean } = {},
  ): Promise<WorkerStore> {
    const cacheTotals = options.cacheTotals ?? true;
    const model = embedder ? { model: embedder.model, dimensions: embedder.dimensions } : null;
    let store: WorkerStore | undefined;
    const onState = (s: WriterState) => {
      if (store) store.#state = s;
      else initial = s;
    };
    let initial: WriterState | undefined;
    const writer = new StoreThread({ role: 'writer', path, cacheTotals, embedder: model }, onState, embedder);
    try {
      await writer.ready;
    } catch (err) {
      await writer.terminate();
      throw err;
    }
    let reader: StoreThread | null = null;
    if (path !== ':memory:') {
      reader = new StoreThread({ role: 'reader', path, cacheTotals, embedder: null }, () => {}, null);
      try {
        await reader.ready;
      } catch (err) {
        await writer.call('close', []);
        await Promise.all([writer.terminate(), reader.terminate()]);
        throw err;
      }
    }
    store = new WorkerStore(writer, reader, model);
    if (initial) store.#state = initial;
    return store;
  }

  get generation(): number {
    return this.#state.generation;
  }
  get backlog(): number {
    return this.#state.backlog;
  }
  get commitStats(): { commits: number; writes: number } {
    return { commits: this.#state.commits, writes: this.#state.writes };
  }

  /** A read: on the reader when there is one, on the writer when expired memories must be purged first. */
  async #read<T>(op: string, args: unknown[]): Promise<T> {
    if (!this.#reader) return this.#writer.call<T>(op, args);
    try {
      return await this.#reader.call<T>(op, args);
    } catch (err) {
      if (err instanceof PurgeNeededError) return this.#writer.call<T>(op, args);
      throw err;
    }
  }

  purgeExpired(): Promise<void> {
    return this.#read('purgeExpired', []);
  }
  create(...a: Parameters<Store['create']>): ReturnType<Store['create']> {
    return this.#writer.call('create', a);
  }
  get(...a: Parameters<Store['get']>): ReturnType<Store['get']> {
    return this.#read('get', a);
  }
  count(...a: Parameters<Store['count']>): ReturnType<Store['count']> {
    return this.#read('count', a);
  }
  list(...a: Parameters<Store['list']>): ReturnType<Store['list']> {
    return this.#read('list', a);
  }
  listAfter(...a: Parameters<Store['listAfter']>): ReturnType<Store['listAfter']> {
    return this.#read('listAfter', a);
  }
  listRendered(
    ...a: Parameters<NonNullable<Store['listRendered']>>
  ): ReturnType<NonNullable<Store['listRendered']>> {
    return this.#read('listRendered', a);
  }
  update(...a: Parameters<Store['update']>): ReturnType<Store['update']> {
    return this.#writer.call('update', a);
  }
  delete(...a: Parameters<Store['delete']>): ReturnType<Store['delete']> {
    return this.#writer.call('delete', a);
  }
  bulkDelete(...a: Parameters<Store['bulkDelete']>): ReturnType<Store['bulkDelete']> {
    return this.#writer.call('bulkDelete', a);
  }
  async import(
    ...[vis, writerTool, items, strategy]: Parameters<Store['import']>
  ): ReturnType<Store['import']> {
    // Items flow to the writer in chunks while its transaction consumes them: never all in flight at once.
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const result = this.#writer.call<Awaited<ReturnType<Store['import']>>>(
      'import',
      [vis, writerTool, port2, signal, strategy],
      [port2],
    );
    const fed = feedItems(port1, signal, items);
    try {
      const [r] = await Promise.all([result, fed]);
      return r;
    } finally {
      port1.close();
    }
  }
  search(...a: Parameters<Store['search']>): ReturnType<Store['search']> {
    // The in-memory keyword index is kept in step inside each write transaction: only the writer's is current.
    return this.#writer.call('search', a);
  }
  semantic(...a: Parameters<Store['semantic']>): ReturnType<Store['semantic']> {
    return this.#writer.call('semantic', a); // the vector index lives in the writer
  }
  hybrid(...a: Parameters<Store['hybrid']>): ReturnType<Store['hybrid']> {
    return this.#writer.call('hybrid', a);
  }
  async *exportPages(...a: Parameters<Store['exportPages']>): AsyncGenerator<MemoryRow[]> {
    let thread = this.#reader ?? this.#writer;
    let opened: { id: number | null; rows: MemoryRow[] | null };
    try {
      opened = await thread.call('exportOpen', a);
    } catch (err) {
      if (!(err instanceof PurgeNeededError)) throw err;
      thread = this.#writer;
      opened = await thread.call('exportOpen', a);
    }
    if (opened.rows === null || opened.id === null) return;
    let finished = false;
    try {
      yield opened.rows;
      for (;;) {
        const rows = await thread.call<MemoryRow[] | null>('exportNext', [opened.id]);
        if (rows === null) {
          finished = true;
          return;
        }
        yield rows;
      }
    } finally {
      // A consumer that stops early (client gone) frees the worker's iterator.
      if (!finished) await thread.call('exportClose', [opened.id]).catch(() => {});
    }
  }
  setStates(...a: Parameters<Store['setStates']>): ReturnType<Store['setStates']> {
    return this.#writer.call('setStates', a);
  }
  stateHistory(...a: Parameters<Store['stateHistory']>): ReturnType<Store['stateHistory']> {
    return this.#read('stateHistory', a);
  }
  apps(...a: Parameters<Store['apps']>): ReturnType<Store['apps']> {
    return this.#read('apps', a);
  }
  restrictedApps(): ReturnType<Store['restrictedApps']> {
    return this.#writer.call('restrictedApps', []);
  }
  putApp(...a: Parameters<Store['putApp']>): ReturnType<Store['putApp']> {
    return this.#writer.call('putApp', a);
  }
  toolCounts(...a: Parameters<Store['toolCounts']>): ReturnType<Store['toolCounts']> {
    return this.#read('toolCounts', a);
  }
  appendLog(...a: Parameters<Store['appendLog']>): ReturnType<Store['appendLog']> {
    // One message per batch of entries (the server thread buffers them: control/access-log.ts).
    return this.#writer.call('appendLog', a);
  }
  queryLog(...a: Parameters<Store['queryLog']>): ReturnType<Store['queryLog']> {
    return this.#read('queryLog', a);
  }
  stats(...a: Parameters<Store['stats']>): ReturnType<Store['stats']> {
    return this.#read('stats', a);
  }
  whenIndexed(): Promise<void> {
    return this.#writer.call('whenIndexed', []);
  }
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#reader?.call('close', []);
        await this.#writer.call('close', []);
      } finally {
        await Promise.all([this.#reader?.terminate(), this.#writer.terminate()]);
      }
    })();
    return this.#closing;
  }
}
