/**
 * Group commit for the Postgres store: writes queued while a transaction runs go together into the next one,
 * each inside its own savepoint, so one failing write leaves no trace and the others still commit. The
 * maintained counts the writes change (counts.ts) are summed and written once, just before the COMMIT. One commit
 * (one WAL flush with synchronous_commit on) carries many writes; every promise settles after the COMMIT.
 *
 * When the transaction itself fails (the COMMIT, or the connection under it), no write of the batch may be
 * reported lost that was stored, nor stored that was reported lost:
 * - the transaction's id is read first, and after a failure its fate is asked of the database
 *   (txid_status): `committed` (the acknowledgement was lost, not the commit) settles the batch as if the
 *   COMMIT had answered;
 * - `aborted` means nothing is stored: a batch of several writes is retried one write per transaction, so a
 *   write that fails at commit (a deferred constraint) fails alone; a single write is retried once when the
 *   failure was transient (connection lost, serialization failure, deadlock, shutdown), then refused with 503
 *   `unavailable` (nothing stored, retry later) or its own error;
 * - when the fate cannot be learned (the database unreachable), the writes fail with the error: they may or
 *   may not be stored, which a client resolves by retrying with its Idempotency-Key or reading.
 */
import { ApiError } from '../../http/errors.ts';
import { CountDeltas } from './counts.ts';
import type { Database, Queryable } from './database.ts';

/** A write: its statements on `tx`, and the changes it makes to the maintained counts in `counts` (counts.ts). */
export type Write<T> = (tx: Queryable, counts: CountDeltas) => Promise<T>;

interface Pending {
  fn: Write<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

/** SQLSTATE classes and codes after which the same transaction may succeed when run again. */
const TRANSIENT = /^(08|40001|40P01|57P0[123]|53300)/;
/** Node socket errors of a lost connection. */
const TRANSIENT_NODE = /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT)$/;

/** Whether a failed transaction may succeed when run again. */
export function transient(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (TRANSIENT.test(code) || TRANSIENT_NODE.test(code)) return true;
  return typeof e?.message === 'string' && /Connection terminated/i.test(e.message);
}

/** 503 for writes the database refused for a passing reason: nothing was stored. */
const unavailable = (): ApiError =>
  new ApiError(
    503,
    'unavailable',
    'The database could not commit the write; nothing was stored. Retry shortly.',
    {},
    { 'Retry-After': '1' },
  );

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The write queue of one store. */
export class WriteQueue {
  readonly #db: Database;
  readonly #onCommit: () => Promise<void>;
  #queue: Pending[] = [];
  #running: Promise<void> | null = null;
  readonly stats = { commits: 0, writes: 0, retries: 0 };

  constructor(db: Database, onCommit: () => Promise<void>) {
    this.#db = db;
    this.#onCommit = onCommit;
  }

  /** Run `fn` in the next transaction; resolves with its value once committed. */
  run<T>(fn: Write<T>): Promise<T> {
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
      await this.#commit(batch, 0);
    }
    this.#running = null;
  }

  async #commit(batch: Pending[], attempt: number): Promise<void> {
    const outcomes: Outcome[] = [];
    let txid: string | null = null;
    try {
      await this.#db.transaction(async (tx) => {
        const { rows } = await tx.query<{ x: string }>('SELECT txid_current()::text AS x');
        txid = rows[0]?.x ?? null;
        const counts = new CountDeltas();
        for (const w of batch) {
          await tx.query('SAVEPOINT omp_write');
          try {
            const mine = new CountDeltas();
            const value = await w.fn(tx, mine);
            await tx.query('RELEASE SAVEPOINT omp_write');
            counts.merge(mine); // a write rolled back to its savepoint counts nothing
            outcomes.push({ ok: true, value });
          } catch (err) {
            await tx.query('ROLLBACK TO SAVEPOINT omp_write');
            outcomes.push({ ok: false, err });
          }
        }
        // Last, in one statement per table with the keys sorted (counts.ts): no deadlock between processes.
        await counts.flush(tx);
      });
    } catch (err) {
      const fate = txid === null ? 'aborted' : await this.#fate(txid);
      if (fate === 'committed' && outcomes.length === batch.length) {
        await this.#settle(batch, outcomes); // only the acknowledgement was lost
        return;
      }
      if (fate !== 'aborted') {
        for (const w of batch) w.reject(err); // stored or not: unknown
        return;
      }
      this.stats.retries++;
      if (batch.length > 1) {
        // Nothing is stored: each write alone, so the one that broke the batch fails by itself.
        for (const w of batch) await this.#commit([w], 1);
        return;
      }
      if (transient(err) && attempt < 2) {
        await sleep(50 * (attempt + 1));
        await this.#commit(batch, attempt + 1);
        return;
      }
      for (const w of batch) w.reject(transient(err) ? unavailable() : err);
      return;
    }
    await this.#settle(batch, outcomes);
  }

  async #settle(batch: Pending[], outcomes: Outcome[]): Promise<void> {
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

  /** What became of a transaction whose COMMIT did not answer: asked a few times while the database recovers. */
  async #fate(txid: string): Promise<'committed' | 'aborted' | 'unknown'> {
    for (let i = 0; i < 5; i++) {
      try {
        const { rows } = await this.#db.query<{ s: string | null }>('SELECT txid_status($1::bigint) AS s', [
          txid,
        ]);
        const s = rows[0]?.s;
        if (s === 'committed' || s === 'aborted') return s;
        if (s === null || s === undefined) return 'unknown'; // too old to tell (never the case this soon)
        // 'in progress': the server has not yet noticed the lost connection.
      } catch {
        // The database is unreachable for now.
      }
      await sleep(100 * (i + 1));
    }
    return 'unknown';
  }
}
