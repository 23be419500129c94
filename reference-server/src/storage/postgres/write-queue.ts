/**
 * Group commit for the Postgres store: writes queued while a transaction runs go together into the next one,
 * each inside its own savepoint, so one failing write leaves no trace and the others still commit. One commit
 * (one WAL flush with synchronous_commit on) carries many writes; every promise settles after the COMMIT.
 */
import type { Database, Queryable } from './database.ts';

interface Pending {
  fn: (tx: Queryable) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

/** The write queue of one store. */
export class WriteQueue {
  readonly #db: Database;
  readonly #onCommit: () => Promise<void>;
  #queue: Pending[] = [];
  #running: Promise<void> | null = null;
  readonly stats = { commits: 0, writes: 0 };

  constructor(db: Database, onCommit: () => Promise<void>) {
    this.#db = db;
    this.#onCommit = onCommit;
  }

  /** Run `fn` in the next transaction; resolves with its value once committed. */
  run<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#running) this.#running = this.#drain();
    });
  }

  /** Resolves once everything queued so far has committed or failed. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    // Let the writes issued in the same turn of the event loop join the first transaction.
    await new Promise((r) => setImmediate(r));
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      await this.#commit(batch);
    }
    this.#running = null;
  }

  async #commit(batch: Pending[]): Promise<void> {
    const outcomes: Outcome[] = [];
    try {
      await this.#db.transaction(async (tx) => {
        for (const w of batch) {
          await tx.query('SAVEPOINT omp_write');
          try {
            const value = await w.fn(tx);
            await tx.query('RELEASE SAVEPOINT omp_write');
            outcomes.push({ ok: true, value });
          } catch (err) {
            await tx.query('ROLLBACK TO SAVEPOINT omp_write');
            outcomes.push({ ok: false, err });
          }
        }
      });
    } catch (err) {
      for (const w of batch) w.reject(err); // the COMMIT failed: nothing of the batch is durable
      return;
    }
    const written = outcomes.filter((o) => o.ok).length;
    this.stats.commits++;
    this.stats.writes += written;
    if (written > 0) await this.#onCommit().catch(() => undefined);
    batch.forEach((w, i) => {
      const o = outcomes[i] as Outcome;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.err);
    });
  }
}
