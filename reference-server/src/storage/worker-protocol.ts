/**
 * What the server's thread and its store workers say to each other (worker-store.ts, store-worker.ts):
 * calls and their replies, errors that keep their kind across the thread boundary, and the channel an import's
 * items flow through.
 */
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { ApiError } from '../http/errors.ts';
import { type AccessRule, compileRules } from './control-scope.ts';
import { PurgeNeededError, type Visibility } from './memory-store.ts';
import { CountMismatchError } from './store.ts';

/** Messages sent during one event-loop turn, as one message: `{ batch: [...] }` (see Outbox). */
export interface Batch<T> {
  batch: T[];
}

/**
 * Messages to one port, sent together: everything queued during one event-loop turn goes as ONE postMessage
 * when the turn ends (setImmediate). A message wakes the receiving thread, and waking it costs more than the
 * copying: with 32 clients the writer's replies to one group commit, and the server thread's creates read in
 * one poll, each went as 32 messages (bench/WRITES.md). Order is kept; transfer lists are joined.
 */
export class Outbox<T> {
  readonly #post: (m: Batch<T>, transfer: Transferable[]) => void;
  #queue: T[] = [];
  #transfer: Transferable[] = [];
  #scheduled = false;

  constructor(post: (m: Batch<T>, transfer: Transferable[]) => void) {
    this.#post = post;
  }

  /** Queue a message; it goes out with the others of this turn. */
  send(message: T, transfer: readonly Transferable[] = []): void {
    this.#queue.push(message);
    this.#transfer.push(...transfer);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Send what is queued now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    const transfer = this.#transfer;
    this.#queue = [];
    this.#transfer = [];
    this.#post({ batch }, transfer);
  }
}

/** A call of a store method in a worker. */
export interface CallMessage {
  call: number;
  op: string;
  args: unknown[];
}

/** A worker's answer to a call; the writer adds what the server thread mirrors. */
export interface ReplyMessage {
  reply: number;
  value?: unknown;
  /** The ids a write stored or deleted (WRITTEN_IDS of its result, a symbol that postMessage drops). */
  written?: string[];
  error?: WireError;
  state?: WriterState;
}

/** The writer's state the server thread keeps a copy of (the Store's synchronous getters). */
export interface WriterState {
  generation: number;
  backlog: number;
  commits: number;
  writes: number;
}

/** A worker asks the server thread's embedder for vectors. */
export interface EmbedRequest {
  embed: number;
  texts: string[];
  role: 'query' | 'passage';
}

/** The server thread's answer to an EmbedRequest. */
export interface EmbedReply {
  embedded: number;
  vectors?: Float32Array[];
  error?: WireError;
}

/** The operations whose first argument is a Visibility (converted by wireVisibility on the way). */
export const VISIBILITY_OPS: ReadonlySet<string> = new Set([
  'get',
  'count',
  'list',
  'listAfter',
  'listRendered',
  'update',
  'delete',
  'bulkDelete',
  'import',
  'search',
  'semantic',
  'hybrid',
  'exportOpen',
  'setStates',
]);

/** A Visibility as it crosses threads: the control level's compiled rules and pause check are functions. */
export interface WireVisibility {
  principal: string;
  ownTool: string | null;
  /** The app's access rules as stored (compiled again in the worker); null: no restriction. */
  rules: readonly AccessRule[] | null;
  /** Whether import items of paused apps are refused (the worker reads the flags from its connection). */
  checkPaused: boolean;
}

/** A Visibility for postMessage. */
export function wireVisibility(vis: Visibility): WireVisibility {
  return {
    principal: vis.principal,
    ownTool: vis.ownTool,
    rules: vis.rules?.rules ?? null,
    checkPaused: vis.paused !== undefined,
  };
}

/** The Visibility a wired one stands for; `paused` answers from the worker's own reading of the app table. */
export function unwireVisibility(
  w: WireVisibility,
  paused: (principal: string, tool: string) => boolean,
): Visibility {
  return {
    principal: w.principal,
    ownTool: w.ownTool,
    rules: w.rules === null ? null : compileRules(w.rules),
    paused: w.checkPaused ? (tool) => paused(w.principal, tool) : undefined,
  };
}

/** An error as it crosses threads. */
export type WireError =
  | {
      kind: 'api';
      status: number;
      code: string;
      message: string;
      details: Record<string, unknown>;
      headers: Record<string, string>;
    }
  | { kind: 'count'; matched: number }
  | { kind: 'purge' }
  | { kind: 'error'; name: string; message: string; stack?: string | undefined };

/** Encode an error for postMessage. */
export function encodeError(err: unknown): WireError {
  if (err instanceof ApiError) {
    return {
      kind: 'api',
      status: err.status,
      code: err.code,
      message: err.message,
      details: err.details,
      headers: err.headers,
    };
  }
  if (err instanceof CountMismatchError) return { kind: 'count', matched: err.matched };
  if (err instanceof PurgeNeededError) return { kind: 'purge' };
  const e = err instanceof Error ? err : new Error(String(err));
  return { kind: 'error', name: e.name, message: e.message, stack: e.stack };
}

/** The error an encoded one stands for, of the same class. */
export function decodeError(w: WireError): Error {
  switch (w.kind) {
    case 'api':
      return new ApiError(w.status, w.code, w.message, w.details, w.headers);
    case 'count':
      return new CountMismatchError(w.matched);
    case 'purge':
      return new PurgeNeededError();
    default: {
      const e = new Error(w.message);
      e.name = w.name;
      if (w.stack) e.stack = `${w.stack}\n    (in a store worker)`;
      return e;
    }
  }
}

/** Items per message of an import's channel. */
export const IMPORT_CHUNK = 500;
/** Chunks the server thread sends ahead of the worker's consumption: bounds the items held in flight. */
export const IMPORT_WINDOW = 4;

/** Messages on an import's channel: server thread → worker. */
export type ItemsMessage = { items: unknown[] } | { end: true } | { abort: string };
/** Messages on an import's channel: worker → server thread. */
export type ItemsAck = { consumed: number } | { stop: true };

/**
 * The worker's side of an import's items: a synchronous iterable, as the store's import transaction reads it,
 * that takes chunks off the channel and blocks the (worker's) thread on `signal` until the next one arrives.
 * Each chunk taken is acknowledged, which lets the server thread send another (at most IMPORT_WINDOW ahead).
 */
export function channelItems(port: MessagePort, signal: Int32Array): Iterable<unknown> {
  return {
    *[Symbol.iterator]() {
      for (;;) {
        const seen = Atomics.load(signal, 0);
        const m = receiveMessageOnPort(port);
        if (!m) {
          // The sender posts, then bumps the counter and notifies: a post after `seen` was read wakes us.
          Atomics.wait(signal, 0, seen, 1000);
          continue;
        }
        const msg = m.message as ItemsMessage;
        if ('end' in msg) return;
        if ('abort' in msg) throw new Error(`import items failed: ${msg.abort}`);
        port.postMessage({ consumed: 1 } satisfies ItemsAck);
        yield* msg.items;
      }
    },
  };
}

/**
 * The server thread's side: send the items in chunks, at most IMPORT_WINDOW unacknowledged, yielding to the
 * event loop between chunks (items may be parsed lazily as they are taken: that work is spread out too).
 * Stops when the worker says it has stopped reading (the import ended early or failed). An item that cannot be
 * produced aborts the import (nothing is stored). The caller closes the port once the import has settled.
 */
export async function feedItems(
  port: MessagePort,
  signal: Int32Array,
  items: Iterable<unknown>,
): Promise<void> {
  let inFlight = 0;
  let stopped = false;
  let wake: (() => void) | null = null;
  port.on('message', (m: ItemsAck) => {
    if ('stop' in m) stopped = true;
    else inFlight -= m.consumed;
    wake?.();
  });
  const post = (m: ItemsMessage): void => {
    port.postMessage(m);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  try {
    const it = items[Symbol.iterator]();
    for (let done = false; !done && !stopped; ) {
      const chunk: unknown[] = [];
      while (chunk.length < IMPORT_CHUNK) {
        const next = it.next();
        if (next.done) {
          done = true;
          break;
        }
        chunk.push(next.value);
      }
      if (chunk.length > 0) {
        post({ items: chunk });
        inFlight++;
      }
      while (!stopped && inFlight >= IMPORT_WINDOW) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      await new Promise((r) => setImmediate(r));
    }
    if (!stopped) post({ end: true });
  } catch (err) {
    if (!stopped) post({ abort: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
