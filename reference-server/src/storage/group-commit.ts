import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** One queued write: runs inside the shared transaction; throwing rolls back only this write. */
export type WriteOp<T> = () => T;

interface Pending {
  op: WriteOp<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: every write queued during one event-loop turn runs in ONE transaction closed by ONE COMMIT
 * (one fsync under synchronous=FULL). The fsync blocks the event loop on purpose: requests keep arriving
 * meanwhile and form the next, larger batch. (Syncing the WAL on the thread pool instead was measured: smaller
 * batches, no more throughput.) Each write gets its own savepoint, so a write that fails leaves no trace
 * and does not disturb the others. Promises settle only after COMMIT has returned, so a 2xx is never sent for a
 * write that is not yet durable.
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

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#savepoint = db.prepare('SAVEPOINT w');
    this.#release = db.prepare('RELEASE w');
    this.#rollbackTo = db.prepare('ROLLBACK TO w');
  }

  /** Queue a write; resolves with its result once it is durable, rejects with what it threw. */
  run<T>(op: WriteOp<T>): Promise<T> {
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
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (err) {
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
    }
    this.stats.commits++;
    this.stats.writes += succeeded;
    if (succeeded > 0) this.onCommit();
    batch.forEach((p, i) => {
      const o = outcomes[i] as { ok: boolean; value: unknown };
      if (o.ok) p.resolve(o.value);
      else p.reject(o.value);
    });
  }

  /** Flush what is queued and refuse further writes. */
  close(): void {
    this.#closed = true;
    this.flush();
  }
}
