/**
 * The access log (SPEC.md §20.4), made cheap: entries and app usage are buffered in memory and written in
 * batches, inside the next group-commit transaction when there is one (its fsync carries them) and otherwise
 * by a timer. Every read of the log, the apps or the stats flushes first, so they see every request answered
 * before them. Entries are monotonic in time and numbered in that order, which is the log's order. A flush of
 * its own commits without an fsync: the next memory write's fsync makes it durable (see ControlStore).
 */
import type { AppUsage, ControlStore, LogEntry } from '../storage/control-store.ts';

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
  readonly #store: ControlStore;
  readonly #enabled: boolean;
  readonly #retentionMs: number;
  readonly #now: () => number;
  #entries: LogEntry[] = [];
  #usage = new Map<string, AppUsage>();
  #lastMs = 0;
  #lastPurge = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(
    store: ControlStore,
    options: { enabled?: boolean; retentionSeconds?: number; now?: () => number } = {},
  ) {
    this.#store = store;
    this.#enabled = options.enabled ?? true;
    this.#retentionMs = (options.retentionSeconds ?? LOG_RETENTION_SECONDS) * 1000;
    this.#now = options.now ?? Date.now;
    this.#timer = setInterval(() => this.flush(), FLUSH_MS);
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
    if (this.#entries.length >= FLUSH_AT) this.flush();
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

  /** Write what is buffered inside the transaction that is open (the group commit's `beforeCommit`). */
  flushInto(): void {
    if (this.#entries.length === 0 && this.#usage.size === 0) return;
    const entries = this.#entries;
    const usage = this.#usage;
    this.#entries = [];
    this.#usage = new Map();
    try {
      this.#store.insertLog(entries);
      this.#store.addUsage(usage.values());
    } catch (err) {
      // Never fail the memory writes of the batch for the log: keep the entries for the next flush.
      this.#entries = entries.concat(this.#entries);
      for (const [k, u] of usage) if (!this.#usage.has(k)) this.#usage.set(k, u);
      throw err;
    }
  }

  /** Write what is buffered in a transaction of its own; remove expired entries now and then. */
  flush(): void {
    const now = this.#now();
    const purge = now - this.#lastPurge >= PURGE_MS;
    if (this.#entries.length === 0 && this.#usage.size === 0 && !purge) return;
    this.#store.transaction(
      () => {
        this.flushInto();
        if (purge) {
          this.#lastPurge = now;
          this.#store.purgeLog(now - this.#retentionMs);
        }
      },
      { durable: false },
    );
  }

  /** Flush and stop the timer. */
  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
