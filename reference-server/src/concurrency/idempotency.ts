/**
 * Idempotent retries (SPEC.md §5.9), after Stripe and the IETF Idempotency-Key draft: the first 2xx response to
 * a request carrying `Idempotency-Key` is kept in SQLite, per caller scope, for the retention period; a retry
 * with the same key and the same request gets that response again with `Idempotent-Replayed: true`.
 *
 * Scope: the credential's principal, tool and scopes. Two keys with the same principal, tool and scopes may share
 * records; they can read exactly the same memories, so a replay reveals nothing the other could not read.
 * The record is written after the write it describes is durable; a crash between the two loses the record, and
 * a retry after that crash is executed again (the window is one fsync). Records are written through the store's
 * group commit: with 32 clients sending keys (the SDKs send one with every create), a record in a transaction
 * of its own cost every request a second fsync, one after another on the writer thread (bench/WRITES.md).
 */
import { createHash } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { Credential } from '../auth/keys.ts';
import { ApiError, validationError } from '../http/errors.ts';
import type { Reply, RequestContext } from '../http/router.ts';
import type { IdempotencyRecord, IdempotencyRecords } from '../storage/store.ts';

/** At least 24 hours (OMP-IDEM-006); also the declared erasure period of the records' content. */
export const RETENTION_SECONDS = 86_400;

type Stored = IdempotencyRecord;

/** The `idempotency` table: one row per (scope, key), pruned after the retention period. */
export class IdempotencyStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #write: <T>(op: () => T) => Promise<T>;

  /** `write` runs a write durably (the store's group commit); by default in a transaction of its own. */
  constructor(
    db: DatabaseSync,
    now: () => number = Date.now,
    write: <T>(op: () => T) => Promise<T> = async (op) => op(),
  ) {
    this.#db = db;
    this.#now = now;
    this.#write = write;
    db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
      scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
      body TEXT, headers TEXT NOT NULL, memory_id TEXT, created_ms INTEGER NOT NULL,
      PRIMARY KEY (scope, key)) WITHOUT ROWID`);
  }

  /** The live record of a key, after pruning expired ones. */
  lookup(scope: string, key: string): Stored | undefined {
    this.#db
      .prepare('DELETE FROM idempotency WHERE created_ms < ?')
      .run(this.#now() - RETENTION_SECONDS * 1000);
    return this.#db
      .prepare(
        'SELECT fingerprint, status, body, headers, memory_id, created_ms FROM idempotency WHERE scope = ? AND key = ?',
      )
      .get(scope, key) as Stored | undefined;
  }

  /** Keep a response; resolves once it is durable. */
  record(scope: string, key: string, s: Omit<Stored, 'created_ms'>): Promise<void> {
    return this.#write(() => {
      this.#db
        .prepare('INSERT OR REPLACE INTO idempotency VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(scope, key, s.fingerprint, s.status, s.body, s.headers, s.memory_id, this.#now());
    });
  }
}

/** Keys being processed, per record store (OMP-IDEM-004): in this process, where the requests are. */
const inFlight = new WeakMap<IdempotencyRecords, Set<string>>();

/** Mark a key as being processed; false when it already is. */
function begin(records: IdempotencyRecords, scope: string, key: string): boolean {
  let keys = inFlight.get(records);
  if (!keys) {
    keys = new Set();
    inFlight.set(records, keys);
  }
  const k = `${scope}\u0000${key}`;
  if (keys.has(k)) return false;
  keys.add(k);
  return true;
}

function end(records: IdempotencyRecords, scope: string, key: string): void {
  inFlight.get(records)?.delete(`${scope}\u0000${key}`);
}

const KEY = /^[\x20-\x7e]{1,255}$/;

/** JSON with object members sorted, so JSON-equal bodies fingerprint alike. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function fingerprintOf(ctx: RequestContext): string {
  const query = [...ctx.query].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const path = (ctx.req.url ?? '').split('?')[0];
  return createHash('sha256')
    .update(`${ctx.req.method}\n${path}\n${JSON.stringify(query)}\n${canonical(ctx.body)}`)
    .digest('hex');
}

const scopeOf = (c: Credential): string =>
  JSON.stringify([c.principal, c.tool, [...c.scopes].sort(), c.readScope]);

/** The recorded response, replayed (OMP-IDEM-002), or the errors a reused or stale record gets. */
async function replay(
  found: Stored,
  fingerprint: string,
  stillThere: ((memoryId: string) => Promise<boolean>) | undefined,
): Promise<Reply> {
  if (found.fingerprint !== fingerprint) {
    throw new ApiError(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was used for a different request; use a new key for a new request',
    );
  }
  if (found.memory_id !== null && stillThere && !(await stillThere(found.memory_id))) {
    throw new ApiError(
      404,
      'memory_not_found',
      `The memory this request created (${found.memory_id}) has been deleted`,
      {
        id: found.memory_id,
      },
    );
  }
  const headers = {
    ...(JSON.parse(found.headers) as Record<string, string>),
    'Idempotent-Replayed': 'true',
  };
  return found.body === null
    ? { status: found.status, headers }
    : { status: found.status, body: found.body, headers };
}

/**
 * Run `handler` at most once per `Idempotency-Key` (OMP-IDEM-001..008). `stillThere` answers whether the memory
 * a recorded create returned is still visible, so that a replay never returns erased content (OMP-IDEM-008).
 */
export async function idempotent(
  store: IdempotencyRecords,
  ctx: RequestContext,
  credential: Credential,
  handler: () => Promise<Reply>,
  stillThere?: (memoryId: string) => Promise<boolean>,
): Promise<Reply> {
  const raw = ctx.req.headers['idempotency-key'];
  if (raw === undefined) return handler();
  const key = Array.isArray(raw) ? raw.join(',') : raw;
  if (!KEY.test(key)) {
    throw validationError([
      { path: '/', message: 'the Idempotency-Key header must be 1 to 255 printable ASCII characters' },
    ]);
  }
  const scope = scopeOf(credential);
  const fingerprint = fingerprintOf(ctx);
  const local = begin(store, scope, key);
  // Several server processes on one database (the Postgres store): the key must also be free in the others.
  const claimed = local && (store.claim === undefined || (await store.claim(scope, key).catch(() => false)));
  if (local && !claimed) end(store, scope, key);
  if (!claimed) {
    // Another request holds the key: replay what it recorded, if it has finished meanwhile.
    const found = await store.lookup(scope, key);
    if (found) return replay(found, fingerprint, stillThere);
    throw new ApiError(
      409,
      'idempotency_key_in_use',
      'A request with this Idempotency-Key is still being processed',
    );
  }
  try {
    // Looked up once the key is ours, so no other request can record it between the lookup and the handler.
    const recorded = await store.lookup(scope, key);
    if (recorded) return await replay(recorded, fingerprint, stillThere);
    const reply = await handler();
    if ('streamed' in reply || reply.status < 200 || reply.status > 299) return reply; // only 2xx (OMP-IDEM-005)
    const memoryId =
      ctx.req.method === 'POST' && reply.status === 201 && reply.body
        ? ((JSON.parse(reply.body) as { id?: string }).id ?? null)
        : null;
    await store.record(scope, key, {
      fingerprint,
      status: reply.status,
      body: reply.body ?? null,
      headers: JSON.stringify(reply.headers ?? {}),
      memory_id: memoryId,
    });
    return reply;
  } finally {
    end(store, scope, key);
    await store.release?.(scope, key).catch(() => {}); // a claim left behind goes stale (storage decides when)
  }
}
