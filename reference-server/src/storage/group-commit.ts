import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** One queued write: runs inside the shared transaction; throwing rolls back only this write. */
export type WriteOp<T> = () => T;

/** fs.fdatasync's shape: sync a file's data, then call back. */
export type SyncFile = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;

interface Pending {
  op: WriteOp<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: every write queued during one event-loop turn runs in ONE transaction closed by ONE COMMIT.
 * Each write gets its own savepoint, so a write that fails leaves no trace and does not disturb the others.
 * Promises settle only once the COMMIT is on disk, so a 2xx is never sent for a write that is not yet durable.
 *
 * On a WAL database file the COMMIT itself does not wait for the disk: the transaction runs with
 * `synchronous = NORMAL` (SQLite appends the frames to the WAL without fsync) and the WAL is then fdatasync'ed on
 * the thread pool; the writes of the batch settle when that sync returns. Meanwhile this thread runs the next
 * batch, so the CPU work of one batch overlaps the fsync of the previous one, and one fsync covers every batch
 * committed while the one before it ran (bench/WRITES.md). This is what `synchronous = FULL` guarantees, fsync
 * before acknowledgement, without blocking the writer on it; a batch committed but not yet synced is visible to
 * reads on this connection and to readers (as a row of a transaction still in flight would be elsewhere),
 * and only an OS crash or power loss in that window could take it back, before any client was told it was
 * stored. Every other transaction on the connection keeps the connection's `synchronous = FULL`. A failed sync
 * fails its writes and every later one: what the disk holds is then unknown.
 */
export class GroupCommit {
  readonly #db: DatabaseSync;
  #queue: Pending[] = [];
  #scheduled = false;
  #closed = false;
  /** Called after every COMMIT that contained at least one successful write. */
  onCommit: () => void = () => {};
  /** Called inside every transaction just before its COMMIT; what it writes rides on the same fsync. */
  beforeCommit: () => void = () => {};
  /** Counters for the curious (bench, tests): transactions committed and writes they carried. */
  readonly stats = { commits: 0, writes: 0 };

  readonly #savepoint: StatementSync;
  readonly #release: StatementSync;
  readonly #rollbackTo: StatementSync;
  /** The WAL file to sync after each COMMIT, or null: COMMIT syncs itself (or there is no file: `:memory:`). */
  readonly #wal: string | null;
  #walFd: number | null = null;
  /** An fdatasync of the WAL is running on the thread pool. */
  #syncing = false;
  /** Settlers of batches committed since the running sync started: the next sync covers them. */
  #unsynced: ((err: unknown) => void)[] = [];
  /** Settlers of the batches the running sync covers. */
  #inFlight: ((err: unknown) => void)[] = [];
  /** A sync failed: nothing is acknowledged any more. */
  #failed: Error | null = null;

  readonly #fdatasync: SyncFile;

  /** `options.fdatasync` replaces fs.fdatasync (tests hold or fail a sync with it). */
  constructor(db: DatabaseSync, options: { fdatasync?: SyncFile } = {}) {
    this.#db = db;
    this.#fdatasync = options.fdatasync ?? fdatasync;
    this.#savepoint = db.prepare('SAVEPOINT w');
    this.#release = db.prepare('RELEASE w');
    this.#rollbackTo = db.prepare('ROLLBACK TO w');
    const mode = (db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode;
    const file = db.location();
    this.#wal = mode === 'wal' && file ? `${file}-wal` : null;
  }

  /** Queue a write; resolves with its result once it is durable, rejects with what it threw. */
  run<T>(op: WriteOp<T>): Promise<T> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (this.#closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ op, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Run everything queued now, in one transaction. Normally called by the scheduler. */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const db = this.#db;
    const outcomes: { ok: boolean; value: unknown }[] = [];
    const deferSync = this.#wal !== null;
    try {
      if (deferSync) db.exec('PRAGMA synchronous = NORMAL');
      db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      if (deferSync) db.exec('PRAGMA synchronous = FULL');
      for (const p of batch) p.reject(err);
      return;
    }
    let succeeded = 0;
    try {
      for (const p of batch) {
        this.#savepoint.run();
        try {
          const value = p.op();
          this.#release.run();
          outcomes.push({ ok: true, value });
          succeeded++;
        } catch (err) {
          // If SQLite itself aborted the transaction (disk full, I/O error), this throws and the batch fails.
          this.#rollbackTo.run();
          this.#release.run();
          outcomes.push({ ok: false, value: err });
        }
      }
      this.beforeCommit();
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      for (const p of batch) p.reject(err);
      return;
    } finally {
      if (deferSync) db.exec('PRAGMA synchronous = FULL');
    }
    this.stats.commits++;
    this.stats.writes += succeeded;
    if (succeeded > 0) this.onCommit();
    const settle = (syncError: unknown) =>
      batch.forEach((p, i) => {
        const o = outcomes[i] as { ok: boolean; value: unknown };
        if (syncError) p.reject(syncError);
        else if (o.ok) p.resolve(o.value);
        else p.reject(o.value);
      });
    if (!deferSync || succeeded === 0) settle(null);
    else {
      this.#unsynced.push(settle);
      if (!this.#syncing) this.#sync();
    }
  }

  /** fdatasync the WAL on the thread pool; settle what it covers; start the next one if more was committed. */
  #sync(): void {
    const settlers = this.#unsynced;
    this.#unsynced = [];
    let fd: number;
    try {
      this.#walFd ??= openSync(this.#wal as string, 'r');
      fd = this.#walFd;
    } catch (err) {
      this.#fail(err, settlers);
      return;
    }
    this.#syncing = true;
    this.#inFlight = settlers;
    this.#fdatasync(fd, (err) => {
      this.#syncing = false;
      this.#inFlight = [];
      if (err) this.#fail(err, settlers);
      else for (const settle of settlers) settle(null);
      if (this.#closed) this.#closeWal();
      else if (this.#unsynced.length > 0 && !this.#failed) this.#sync();
    });
  }

  #fail(err: unknown, settlers: ((err: unknown) => void)[]): void {
    const cause = err instanceof Error ? err.message : String(err);
    this.#failed = new Error(
      `the write-ahead log could not be synced to disk (${cause}); restart the server`,
    );
    for (const settle of [...settlers, ...this.#unsynced.splice(0)]) settle(this.#failed);
  }

  #closeWal(): void {
    if (this.#walFd !== null) closeSync(this.#walFd);
    this.#walFd = null;
  }

  /** Flush what is queued, sync what is committed, and refuse further writes. */
  close(): void {
    this.#closed = true;
    this.flush();
    // What a running sync covers is settled here too (settling a promise twice does nothing).
    const settlers = [...this.#inFlight, ...this.#unsynced.splice(0)];
    if (settlers.length > 0 && this.#walFd !== null) {
      let error: unknown = null;
      try {
        fdatasyncSync(this.#walFd);
      } catch (err) {
        error = err;
      }
      for (const settle of settlers) settle(error);
    }
    // A sync still running on the thread pool uses the descriptor: it closes it when it returns.
    if (!this.#syncing) this.#closeWal();
  }
}
