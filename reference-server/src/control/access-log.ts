/**
 * The access log (SPEC.md §20.4), made cheap: a request adds an entry to a buffer on the server thread; entries
 * and app usage go to the store in batches (Store.appendLog: with the worker store, one message to the writer
 * per batch), every FLUSH_MS or FLUSH_AT entries. The store commits a batch without an fsync of its own: the
 * next memory write's fsync makes it durable (see ControlStore). Every read of the log, the apps or the stats
 * flushes first (batches reach the writer in order, before the read), so they see every request answered
 * before them. Entries are monotonic in time and numbered in that order, which is the log's order.
 */
import { type AppUsage, type LogEntry, packLog, type Store } from '../storage/store.ts';

/** How often buffered entries are written when no write transaction carries them. */
const FLUSH_MS = 500;
/** Buffered entries that force a flush at once. */
const FLUSH_AT = 2000;
/** How often entries past the retention period are removed. */
const PURGE_MS = 10 * 60_000;

/** Default retention of entries: 30 days (declared in health, OMP-CTRL-001). */
export const LOG_RETENTION_SECONDS = 30 * 86_400;

/** The buffered access log and app usage. */
export class AccessLog {
  readonly #store: Store;
  readonly #enabled: boolean;
  readonly #retentionMs: number;
  readonly #now: () => number;
  #entries: LogEntry[] = [];
  #usage = new Map<string, AppUsage>();
  #lastMs = 0;
  #lastPurge = 0;
  /** Settles once every batch sent so far has (never rejects): a flush waits for it. */
  #inflight: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(
    store: Store,
    options: { enabled?: boolean; retentionSeconds?: number; now?: () => number } = {},
  ) {
    this.#store = store;
    this.#enabled = options.enabled ?? true;
    this.#retentionMs = (options.retentionSeconds ?? LOG_RETENTION_SECONDS) * 1000;
    this.#now = options.now ?? Date.now;
    this.#timer = setInterval(() => {
      this.flush().catch(() => {}); // kept for the next flush
    }, FLUSH_MS);
    this.#timer.unref();
  }

  /** Whether entries are recorded (the bench turns it off to measure its cost). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** A timestamp that never goes back, so entry order is time order. */
  now(): number {
    const t = Math.max(this.#now(), this.#lastMs);
    this.#lastMs = t;
    return t;
  }

  /** Buffer one entry. */
  record(entry: Omit<LogEntry, 'atMs'>): void {
    if (!this.#enabled) return;
    this.#entries.push({ ...entry, atMs: this.now() });
    if (this.#entries.length >= FLUSH_AT) this.flush().catch(() => {});
  }

  /** Count a request of an app, or note a name seen as a `source.tool` (kind `seen`). */
  use(principal: string, name: string, kind: 'read' | 'write' | 'seen'): void {
    const key = `${principal}\u0000${name}`;
    let u = this.#usage.get(key);
    const seen = new Date(this.now()).toISOString();
    if (!u) {
      u = { principal, name, seen, reads: 0, writes: 0 };
      this.#usage.set(key, u);
    }
    u.seen = seen;
    if (kind === 'read') u.reads++;
    else if (kind === 'write') u.writes++;
  }

  /**
   * Send what is buffered to the store (and remove expired entries now and then); resolves once it and every
   * batch sent before it (by the timer, say) are stored, so a read that follows sees them. A batch the store
   * refuses is kept for the next flush.
   */
  async flush(): Promise<void> {
    const previous = this.#inflight;
    const mine = this.#send();
    this.#inflight = Promise.all([previous, mine.catch(() => {})]).then(() => {});
    await previous;
    await mine;
  }

  async #send(): Promise<void> {
    const now = this.#now();
    const purge = now - this.#lastPurge >= PURGE_MS;
    if (this.#entries.length === 0 && this.#usage.size === 0 && !purge) return;
    const entries = this.#entries;
    const usage = this.#usage;
    this.#entries = [];
    this.#usage = new Map();
    if (purge) this.#lastPurge = now;
    try {
      // Packed here: one string crosses to the store's worker instead of thousands of entry objects.
      const batch = packLog(entries);
      await this.#store.appendLog(batch, [...usage.values()], purge ? now - this.#retentionMs : undefined);
    } catch (err) {
      this.#entries = entries.concat(this.#entries);
      for (const [k, u] of usage) {
        const later = this.#usage.get(k);
        if (later) {
          later.reads += u.reads;
          later.writes += u.writes;
        } else this.#usage.set(k, u);
      }
      throw err;
    }
  }

  /** Flush and stop the timer. */
  close(): Promise<void> {
    clearInterval(this.#timer);
    return this.flush();
  }
}
