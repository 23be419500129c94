/**
 * A store worker: a LocalStore on its own thread, serving calls from the server thread (worker-store.ts).
 * Role `writer` holds the sidecar lock, owns the read-write connection and the group commit, and (Search level)
 * the vector index, asking the server thread's embedder for vectors. Role `reader` holds a read-only
 * connection that answers reads while the writer is busy (WAL lets it read the last commit); a read that
 * would need a purge first is refused with PurgeNeededError and sent to the writer instead.
 */
import type { DatabaseSync } from 'node:sqlite';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { ConflictStrategy } from '@omp-kit/schemas/types';
import type { Embedder, EmbedRole } from '../search/embedder.ts';
import { ControlStore } from './control-store.ts';
import { lockDatabase, openDatabase, openReader } from './database.ts';
import { LocalStore } from './local-store.ts';
import { MemoryStore, type Visibility, WRITTEN_IDS } from './memory-store.ts';
import { renderedPage } from './rendered-page.ts';
import type { MemoryRow } from './rows.ts';
import { SearchStore } from './search-store.ts';
import type { Store } from './store.ts';
import {
  type Batch,
  type CallMessage,
  channelItems,
  decodeError,
  type EmbedReply,
  type EmbedRequest,
  encodeError,
  type ItemsAck,
  Outbox,
  type ReplyMessage,
  unwireVisibility,
  VISIBILITY_OPS,
  type WireVisibility,
} from './worker-protocol.ts';

/** What the server thread tells a new worker. */
export interface WorkerConfig {
  role: 'writer' | 'reader';
  path: string;
  cacheTotals: boolean;
  /** The server thread's embedder (writer at the Search level): its model and dimensions. */
  embedder: { model: string; dimensions: number } | null;
}

const port = parentPort as MessagePort;
const config = workerData as WorkerConfig;

/** The server thread's embedder, called through messages. */
function remoteEmbedder(model: string, dimensions: number): Embedder {
  const waiting = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();
  let next = 0;
  port.on('message', (m: EmbedReply) => {
    if (typeof m !== 'object' || m === null || !('embedded' in m)) return;
    const w = waiting.get(m.embedded);
    waiting.delete(m.embedded);
    if (m.error) w?.reject(decodeError(m.error));
    else w?.resolve(m.vectors ?? []);
  });
  return {
    model,
    dimensions,
    embed(texts: readonly string[], role: EmbedRole) {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        port.postMessage({ embed: id, texts: [...texts], role } satisfies EmbedRequest);
      });
    },
    close() {},
  };
}

function open(): { store: LocalStore; lock: DatabaseSync | null } {
  const memory = config.path === ':memory:';
  if (config.role === 'reader') {
    const inner = new MemoryStore(openReader(config.path), {
      cacheTotals: config.cacheTotals,
      readOnly: true,
    });
    return { store: new LocalStore(inner), lock: null };
  }
  const lock = memory ? null : lockDatabase(config.path);
  try {
    const db = openDatabase(config.path, { locking: memory ? 'exclusive' : 'shared' });
    const options = { cacheTotals: config.cacheTotals };
    const inner = config.embedder
      ? new SearchStore(db, remoteEmbedder(config.embedder.model, config.embedder.dimensions), options)
      : new MemoryStore(db, options);
    return { store: new LocalStore(inner), lock };
  } catch (err) {
    lock?.close();
    throw err;
  }
}

const { store, lock } = open();
const control = new ControlStore(store.inner.database);

/** Whether an app is paused, as this worker's connection reads it (import items, OMP-CTRL-020). */
function appPaused(principal: string, tool: string): boolean {
  return control.app(principal, tool)?.paused === 1;
}
const exports = new Map<number, AsyncIterator<MemoryRow[]>>();
let nextExport = 0;

const state = () =>
  config.role === 'writer'
    ? { generation: store.generation, backlog: store.backlog, ...store.commitStats }
    : undefined;

/** Run one call; the special ones are import (items over a channel), export pages and close. */
async function perform(op: string, args: unknown[]): Promise<unknown> {
  if (VISIBILITY_OPS.has(op)) args[0] = unwireVisibility(args[0] as WireVisibility, appPaused);
  switch (op) {
    case 'import': {
      const [vis, writerTool, items, signal, strategy] = args as [
        Visibility,
        string | null,
        MessagePort,
        Int32Array,
        ConflictStrategy,
      ];
      try {
        return await store.import(vis, writerTool, channelItems(items, signal), strategy);
      } finally {
        items.postMessage({ stop: true } satisfies ItemsAck);
      }
    }
    case 'exportOpen': {
      const id = nextExport++;
      const it = store
        .exportPages(args[0] as Parameters<LocalStore['exportPages']>[0])
        [Symbol.asyncIterator]();
      // The first page is read now, so a refusal (PurgeNeededError) comes back from this call.
      const first = await it.next();
      if (first.done) return { id: null, rows: null };
      exports.set(id, it);
      return { id, rows: first.value };
    }
    case 'exportNext': {
      const id = args[0] as number;
      const r = await exports.get(id)?.next();
      if (!r || r.done) {
        exports.delete(id);
        return null;
      }
      return r.value;
    }
    case 'exportClose': {
      const id = args[0] as number;
      await exports.get(id)?.return?.();
      exports.delete(id);
      return null;
    }
    case 'idempotencyLookup':
      return store.idempotency.lookup(args[0] as string, args[1] as string);
    case 'idempotencyRecord':
      return store.idempotency.record(
        args[0] as string,
        args[1] as string,
        args[2] as Parameters<LocalStore['idempotency']['record']>[2],
      );
    case 'listRendered': {
      // Rendered here: one string crosses to the server thread instead of a clone of every row.
      const [vis, filters, sort, limit, offset, after] = args as Parameters<
        NonNullable<Store['listRendered']>
      >;
      if (after === undefined)
        return renderedPage(await store.list(vis, filters, sort, limit, offset), offset);
      const page = await store.listAfter(vis, filters, sort, limit, after);
      return renderedPage(page, page.before);
    }
    case 'state':
      return null;
    case 'close':
      await store.close();
      lock?.close();
      return null;
    default: {
      const method = (store as unknown as Record<string, (...a: unknown[]) => unknown>)[op];
      if (typeof method !== 'function') throw new Error(`unknown store operation ${op}`);
      return method.apply(store, args);
    }
  }
}

// The replies settled in one turn (a group commit's writes settle together) go back as one message.
const replies = new Outbox<ReplyMessage>((m) => port.postMessage(m));

function serve(m: CallMessage): void {
  perform(m.op, m.args).then(
    (value) => {
      const written =
        typeof value === 'object' && value !== null
          ? (value as { [WRITTEN_IDS]?: string[] })[WRITTEN_IDS]
          : undefined;
      replies.send({ reply: m.call, value, written, state: state() });
    },
    (err: unknown) => replies.send({ reply: m.call, error: encodeError(err), state: state() }),
  );
}

port.on('message', (m: Batch<CallMessage>) => {
  if (typeof m !== 'object' || m === null || !('batch' in m)) return;
  for (const call of m.batch) serve(call);
});

// The Search level's backlog shrinks without calls (backfill): report it until it is gone.
if (config.role === 'writer' && store.backlog > 0) {
  const timer = setInterval(() => {
    replies.send({ reply: -1, state: state() });
    if (store.backlog === 0) clearInterval(timer);
  }, 250);
}
port.postMessage({ ready: true, state: state() });
