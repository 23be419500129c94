/**
 * PostgresStore: the Store (../store.ts) on PostgreSQL, for several server processes on one database (issue
 * #17). Everything a process must agree on lives in the database: memories, idempotency records, and a change
 * counter (the `omp_changes` sequence) that response caches compare. Reads filter expired memories themselves,
 * so every process sees an expiry at once; purges only reclaim space. Writes go through a group commit
 * (write-queue.ts); If-Match and the tool rules are checked on rows locked with FOR UPDATE, so a concurrent
 * write from another process cannot slip between the check and the change. With an embedder the store is at
 * the Search level (vectors.ts): every write's vector is computed before it is queued and committed with the
 * memory; semantic search ranks by cosine with the filters applied first, hybrid fuses it with the keyword
 * ranking exactly as the SQLite store does (search-store.ts). Without one, semantic and hybrid reject.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import type {
  ConflictStrategy,
  CreateMemoryRequest,
  ImportResult,
  Memory,
  SortOrder,
  UpdateMemoryRequest,
} from '@omp-kit/schemas/types';
import { resumeAfter, verifiedResume } from '../../concurrency/cursor.ts';
import { etagOf, ifMatchPasses, preconditionFailed } from '../../concurrency/etag.ts';
import { RETENTION_SECONDS } from '../../concurrency/idempotency.ts';
import { forbidden, memoryNotFound, validationError } from '../../http/errors.ts';
import { newMemoryId } from '../../model/ids.ts';
import { ceilMs, floorMs, isoFromMs, sortKey } from '../../model/time.ts';
import type { Embedder } from '../../search/embedder.ts';
import { FUSION_DEPTH, fuseRankings, hybridTotal } from '../../search/fusion.ts';
import type { QueryTerm } from '../../search/tokenize.ts';
import { withCorrections } from '../../search/typos.ts';
import { scalarViolations, validators, violationsOf } from '../../validation.ts';
import { narrowStates } from '../control-scope.ts';
import { type CountedAttributes, countKey } from '../filter-counts.ts';
import { admitImportItem, createdRow, type NewRow } from '../import-items.ts';
import { type Filters, type Page, type Resume, type Visibility, WRITTEN_IDS } from '../memory-store.ts';
import type { MemoryRow } from '../rows.ts';
import type {
  AppRow,
  AppUsage,
  ControlStats,
  LogQuery,
  LogRow,
  PackedLog,
  StateHistoryRow,
} from '../store.ts';
import {
  type BulkCriteria,
  CountMismatchError,
  type EmbeddingModel,
  type IdempotencyRecord,
  type IdempotencyRecords,
  type StateActor,
  type StateChange,
  type Store,
  type VectorIndex,
} from '../store.ts';
import * as control from './control.ts';
import { CountDeltas, type StoredAttributes } from './counts.ts';
import { type Database, type PGliteLike, pgliteDatabase, poolDatabase, type Queryable } from './database.ts';
import { KeywordMirror, tsvectorText } from './keyword.ts';
import { migrate } from './migrations.ts';
import { fromPg, toPg } from './text.ts';
import {
  EXACT_BELOW,
  exactRanking,
  indexRanking,
  prepareVectors,
  type RankedSeq,
  type VectorSupport,
  vecLiteral,
} from './vectors.ts';
import { WriteQueue } from './write-queue.ts';

const COLS =
  'm.seq::float8 AS seq, m.principal, m.id, m.content, m.type, m.tool, m.source, m.tags, m.namespace, ' +
  'm.metadata, m.embedding, m.created_at, m.updated_at, m.expires_at, m.created_key, m.updated_key, ' +
  'm.expires_ms::float8 AS expires_ms, m.state';
/**
 * COLS for list and search pages, which never carry embeddings (Page.rows): the JSON `embedding` (a few KiB per
 * row at 384 dimensions, in the TOAST) is neither detoasted nor sent. bench/postgres-pages.ts measures it.
 */
const PAGE_COLS = COLS.replace('m.embedding', 'NULL::text AS embedding');

const ORDER: Record<SortOrder, string> = {
  created_at_desc: 'm.created_key DESC, m.id DESC',
  created_at_asc: 'm.created_key ASC, m.id ASC',
  updated_at_desc: 'm.updated_key DESC, m.id DESC',
  updated_at_asc: 'm.updated_key ASC, m.id ASC',
};

/**
 * After this long a claimed Idempotency-Key whose request never finished is free again, whoever holds it: no
 * request runs that long (the server's request timeout is 300 s). Claims of a process that has died are free
 * at once (its lease, database.ts).
 */
const CLAIM_STALE_MS = 10 * 60_000;
/** The advisory-lock namespace of process leases (a lock id of its own, apart from MIGRATION_LOCK's). */
const LEASE_NAMESPACE = 0x6f6d71;

/** Rows per multi-row INSERT of an import, and per export page. */
const BATCH = 500;

/** Positional parameters collected while a statement is built; `p(v)` returns the placeholder of `v`. */
class Params {
  readonly values: unknown[] = [];
  p(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * Conditions on alias `m`: the principal, not expired, the filters, the states and an app's access rules
 * (parameters only, never interpolated).
 */
function conditions(ps: Params, vis: Visibility, f: Filters, now: number): string {
  const where = [
    `m.principal = ${ps.p(vis.principal)}`,
    `(m.expires_ms IS NULL OR m.expires_ms > ${ps.p(now)})`,
  ];
  const states = narrowStates(f.states);
  if (states !== undefined) where.push(`m.state = ANY(${ps.p([...states])}::text[])`);
  if (vis.rules) {
    // The rules' SQL is written for node:sqlite (`?` placeholders, `0` for false): the same text with $n.
    const r = vis.rules.sql();
    let i = 0;
    const sql = r.where
      .replace(/\?/g, () => {
        const v = r.params[i++];
        return ps.p(typeof v === 'string' ? toPg(v) : v);
      })
      .replace(/(^|AND )0($| AND)/, '$1false$2');
    if (sql !== '') where.push(`(${sql})`);
  }
  if (f.tool !== undefined) where.push(`m.tool = ${ps.p(toPg(f.tool))}`);
  if (f.type !== undefined) where.push(`m.type = ${ps.p(toPg(f.type))}`);
  if (f.namespace !== undefined) where.push(`m.namespace = ${ps.p(toPg(f.namespace))}`);
  if (f.tags?.length) where.push(`m.tag_list @> ${ps.p([...f.tags])}::text[]`);
  return where.join(' AND ');
}

/** Rows strictly after a keyset position in the order of `sort`. */
function pastSql(ps: Params, sort: SortOrder, at: { key: string; id: string }): string {
  const column = sort.startsWith('created') ? 'm.created_key' : 'm.updated_key';
  const op = sort.endsWith('desc') ? '<' : '>';
  return `(${column}, m.id) ${op} (${ps.p(at.key)}, ${ps.p(at.id)})`;
}

/** The tool a read is restricted to, combining read scope `own` with a `tool` filter; false when they clash. */
function effectiveTool(vis: Visibility, f: Filters): string | undefined | false {
  if (vis.ownTool === null) return f.tool;
  if (f.tool !== undefined && f.tool !== vis.ownTool) return false;
  return vis.ownTool;
}

function precondition(ifMatch: string | undefined, current: MemoryRow): void {
  if (ifMatch !== undefined && !ifMatchPasses(ifMatch, etagOf(current))) {
    throw preconditionFailed('The memory has changed since the ETag in If-Match; read it again', {
      etag: etagOf(current),
    });
  }
}

const INSERT_COLUMNS =
  'principal, id, content, type, tool, source, tags, namespace, metadata, embedding, created_at, updated_at, ' +
  'expires_at, created_key, updated_key, expires_ms';

/** Rows of a query selecting COLS, plain-text columns decoded (text.ts). */
async function memoryRows<R extends MemoryRow = MemoryRow>(
  q: Queryable,
  sql: string,
  params: unknown[],
): Promise<{ rows: R[] }> {
  const { rows } = await q.query<R>(sql, params);
  for (const r of rows) {
    r.content = fromPg(r.content);
    r.type = fromPg(r.type);
    r.tool = fromPg(r.tool);
    r.namespace = fromPg(r.namespace);
  }
  return { rows };
}

/** Insert rows in one statement (unnest of one array per column); rows whose id is taken are left out. */
async function insertRows(tx: Queryable, rows: readonly NewRow[]): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const col = <K extends keyof NewRow>(k: K) => rows.map((r) => r[k]);
  const { rows: out } = await tx.query<{ id: string; seq: number }>(
    `INSERT INTO memories (${INSERT_COLUMNS}, state, tag_list, terms, vec)
     SELECT u.principal, u.id, u.content, u.type, u.tool, u.source, u.tags, u.namespace, u.metadata, u.embedding,
       u.created_at, u.updated_at, u.expires_at, u.created_key, u.updated_key, u.expires_ms,
       u.state, ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb)), u.terms::tsvector, u.vec::real[]
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::bigint[],
       $17::text[], $18::text[], $19::text[])
       AS u(principal, id, content, type, tool, source, tags, namespace, metadata, embedding, created_at,
         updated_at, expires_at, created_key, updated_key, expires_ms, terms, state, vec)
     ON CONFLICT (principal, id) DO NOTHING
     RETURNING id, seq::float8 AS seq`,
    [
      col('principal'),
      col('id'),
      rows.map((r) => toPg(r.content)),
      rows.map((r) => toPg(r.type)),
      rows.map((r) => toPg(r.tool)),
      col('source'),
      col('tags'),
      rows.map((r) => toPg(r.namespace)),
      col('metadata'),
      col('embedding'),
      col('created_at'),
      col('updated_at'),
      col('expires_at'),
      col('created_key'),
      col('updated_key'),
      col('expires_ms'),
      rows.map((r) => tsvectorText(r.content)),
      col('state'),
      rows.map((r) => vecLiteral(r.embedding)),
    ],
  );
  return new Map(out.map((r) => [r.id, r.seq]));
}

/** Insert one row under a fresh server-assigned id, drawing again in the (astronomically rare) case of a clash. */
async function insertWithNewId(tx: Queryable, row: NewRow): Promise<MemoryRow> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = newMemoryId();
    const seq = (await insertRows(tx, [{ ...row, id }])).get(id);
    if (seq !== undefined) return { seq, ...row, id };
  }
  throw new Error('could not draw an unused memory id');
}

async function replaceRow(tx: Queryable, seq: number, after: NewRow, contentChanged: boolean): Promise<void> {
  const ps = new Params();
  const sets = [
    `id = ${ps.p(after.id)}`,
    `content = ${ps.p(toPg(after.content))}`,
    `type = ${ps.p(toPg(after.type))}`,
    `tool = ${ps.p(toPg(after.tool))}`,
    `source = ${ps.p(after.source)}`,
    `tags = ${ps.p(after.tags)}`,
    `tag_list = ARRAY(SELECT jsonb_array_elements_text(${ps.p(after.tags)}::jsonb))`,
    `namespace = ${ps.p(toPg(after.namespace))}`,
    `metadata = ${ps.p(after.metadata)}`,
    `embedding = ${ps.p(after.embedding)}`,
    `vec = ${ps.p(vecLiteral(after.embedding))}::real[]`,
    `created_at = ${ps.p(after.created_at)}`,
    `updated_at = ${ps.p(after.updated_at)}`,
    `expires_at = ${ps.p(after.expires_at)}`,
    `created_key = ${ps.p(after.created_key)}`,
    `updated_key = ${ps.p(after.updated_key)}`,
    `expires_ms = ${ps.p(after.expires_ms)}`,
    `state = ${ps.p(after.state)}`,
  ];
  if (contentChanged) sets.push(`terms = ${ps.p(tsvectorText(after.content))}::tsvector`);
  await tx.query(`UPDATE memories SET ${sets.join(', ')} WHERE seq = ${ps.p(seq)}`, ps.values);
}

/** Options of a PostgresStore. */
export interface PostgresStoreOptions {
  now?: () => number;
  /** Connections of the pool (a `postgres://` store); default 10. */
  poolSize?: number;
  /** The Search level's embedder; null or absent: Core keyword search only. */
  embedder?: Embedder | null;
  /** Semantic searches matching fewer memories scan exactly even with an HNSW index (vectors.ts). */
  exactBelow?: number;
  /**
   * An import storing at least this many memories is followed by an ANALYZE of the memories table (in the
   * background): until autovacuum gets to it the planner would plan for the table as it was (at 100k memories
   * imported into an empty table, a filtered list ran at 11.7 instead of 1,599 requests/s). Default 10,000.
   */
  analyzeAfter?: number;
}

/** A principal's list version (counts.ts): `p` the placeholder of the principal. */
const listVersion = (p: string): string =>
  `coalesce((SELECT version FROM principal_counts WHERE principal = ${p}), 0)::float8`;

/** Whether a memory of the principal has expired and awaits its purge (`p`, `now`: placeholders). */
const expiring = (p: string, now: string): string =>
  `EXISTS (SELECT 1 FROM memories WHERE expires_ms <= ${now} AND principal = ${p})`;

/** Memories embedded per batch when backfilling memories stored without a vector. */
const BACKFILL_BATCH = 32;

/** A vector as the numbers stored in `embedding`: 6 decimals, as the SQLite store stores them. */
const stored = (v: Float32Array): number[] => Array.from(v, (x) => Math.round(x * 1e6) / 1e6);

/** The Store on PostgreSQL (see the file comment). */
export class PostgresStore implements Store {
  readonly embeddings: EmbeddingModel | null;
  readonly idempotency: IdempotencyRecords;
  generation = 0;
  readonly #db: Database;
  readonly #now: () => number;
  readonly #embedder: Embedder | null;
  readonly #exactBelow: number;
  /** pgvector and its HNSW index, when the database has them (vectors.ts). */
  #vectors: VectorSupport = { pgvector: null, iterative: false };
  /** Memories still without a vector of the embedder's size (stored by a Core process or before). */
  #backlog = 0;
  #backfill: Promise<void> = Promise.resolve();
  #closing = false;
  /** This process's lease id (database.ts), the owner of its idempotency claims. */
  #lease = 0;
  readonly #writes: WriteQueue;
  /** The keyword index, in step with every process's writes (keyword.ts). */
  readonly #keywords: KeywordMirror;
  /** The last value of `omp_changes` this process has seen. */
  #changes: string | null = null;
  /** Signs cursor resumes (Resume); drawn once in the database, so a cursor resumes in any process. */
  readonly #secret: KeyObject;
  readonly #analyzeAfter: number;
  /** A running ANALYZE after a large import, and whether another import asked for one meanwhile. */
  #analyzing: Promise<void> | null = null;
  #analyzeAgain = false;

  private constructor(db: Database, secret: string, options: PostgresStoreOptions) {
    this.#db = db;
    this.#secret = createSecretKey(Buffer.from(secret, 'base64url'));
    this.#analyzeAfter = options.analyzeAfter ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#embedder = options.embedder ?? null;
    this.#exactBelow = options.exactBelow ?? EXACT_BELOW;
    this.embeddings = this.#embedder
      ? { model: this.#embedder.model, dimensions: this.#embedder.dimensions }
      : null;
    this.#writes = new WriteQueue(db, () => this.#changed());
    this.#keywords = new KeywordMirror(db);
    this.idempotency = {
      lookup: (scope, key) => this.#lookup(scope, key),
      record: (scope, key, r) => this.#record(scope, key, r),
      claim: (scope, key) => this.#claim(scope, key),
      release: async (scope, key) => {
        await this.#db.query('DELETE FROM idempotency_claims WHERE scope = $1 AND key = $2', [scope, key]);
      },
    };
  }

  /** Open a store on a database, migrating it first. */
  static async on(db: Database, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    await migrate(db);
    const { rows } = await db.query<{ secret: string }>('SELECT secret FROM cursor_secret');
    const store = new PostgresStore(db, (rows[0] as { secret: string }).secret, options);
    store.#lease = await db.lease(LEASE_NAMESPACE);
    await store.#startSearch();
    return store;
  }

  /** The vector index where pgvector is installed, and a backfill of memories without a vector. */
  async #startSearch(): Promise<void> {
    if (!this.#embedder) return;
    const dims = this.#embedder.dimensions;
    this.#vectors = await prepareVectors(this.#db, dims);
    const { rows } = await this.#db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM memories WHERE vec IS NULL OR cardinality(vec) <> ${dims}`,
    );
    this.#backlog = rows[0]?.n ?? 0;
    if (this.#backlog > 0) this.#backfill = this.#runBackfill(this.#embedder);
  }

  /** What the store offers for vectors: the pgvector version or exact search (health, logs, tests). */
  get vectorSupport(): VectorSupport {
    return { ...this.#vectors };
  }

  get vectorIndex(): VectorIndex | null {
    const version = this.#vectors.pgvector;
    return version === null ? null : { method: 'hnsw', pgvector: version, exactBelow: this.#exactBelow };
  }

  get backlog(): number {
    return this.#backlog;
  }

  whenIndexed(): Promise<void> {
    return this.#backfill;
  }

  /**
   * Embed memories that have no vector of the model's size, oldest first, outside the write queue: each UPDATE
   * only fills a vector still missing, so a write that gave the memory new content and a vector meanwhile wins.
   * Several processes may backfill at once; they only repeat work.
   */
  async #runBackfill(embedder: Embedder): Promise<void> {
    const dims = embedder.dimensions;
    const missing = `(vec IS NULL OR cardinality(vec) <> ${dims})`;
    for (let after = 0; !this.#closing; ) {
      const { rows } = await this.#db.query<{ seq: number; content: string }>(
        `SELECT seq::float8 AS seq, content FROM memories WHERE seq > $1 AND ${missing} ORDER BY seq LIMIT $2`,
        [after, BACKFILL_BATCH],
      );
      if (rows.length === 0) break;
      const vectors = await embedder.embed(
        rows.map((r) => fromPg(r.content)),
        'passage',
      );
      for (const [i, r] of rows.entries()) {
        const json = JSON.stringify(stored(vectors[i] as Float32Array));
        await this.#db.query(
          `UPDATE memories SET embedding = $1, vec = $2::real[] WHERE seq = $3 AND ${missing}`,
          [json, vecLiteral(json), r.seq],
        );
      }
      await this.#changed();
      this.#backlog = Math.max(0, this.#backlog - rows.length);
      after = (rows[rows.length - 1] as { seq: number }).seq;
    }
    if (!this.#closing) this.#backlog = 0;
  }

  /** The stored embedding of a write: the client's, checked against the model (OMP-EMB-002), or computed. */
  async #embeddingFor(
    content: string,
    supplied: number[] | null | undefined,
    path: string,
  ): Promise<number[]> {
    const embedder = this.#embedder as Embedder;
    if (supplied !== undefined && supplied !== null) {
      if (supplied.length !== embedder.dimensions) {
        throw validationError([
          {
            path,
            message: `must have ${embedder.dimensions} dimensions (model ${embedder.model}), not ${supplied.length}`,
          },
        ]);
      }
      return supplied;
    }
    const [v] = await embedder.embed([content], 'passage');
    return stored(v as Float32Array);
  }

  /** Open a store on a PostgreSQL server (`postgres://user@host:port/db`). */
  static open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    return PostgresStore.on(poolDatabase(url, options.poolSize), options);
  }

  /** Open a store on a PGlite database (in-process PostgreSQL). */
  static pglite(db: PGliteLike, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    return PostgresStore.on(pgliteDatabase(db), options);
  }

  get commitStats(): { commits: number; writes: number } {
    return { ...this.#writes.stats };
  }

  /** Another change is durable: tell every process (the sequence) and this one's caches (generation). */
  async #changed(): Promise<void> {
    this.generation++;
    this.#keywords.committed();
    const { rows } = await this.#db.query<{ v: string }>("SELECT nextval('omp_changes')::text AS v");
    // In purgeExpired's form: the first nextval of a sequence leaves last_value as it was and sets is_called.
    this.#changes = rows[0] ? `${rows[0].v}:true` : null;
  }

  async purgeExpired(): Promise<void> {
    const now = this.#now();
    const { rows } = await this.#db.query<{ v: string; e: number | null }>(
      `SELECT (SELECT last_value || ':' || is_called FROM omp_changes) AS v,
         (SELECT min(expires_ms) FROM memories)::float8 AS e`,
    );
    const r = rows[0] as { v: string; e: number | null };
    if (r.v !== this.#changes) {
      // Another process wrote since this one last looked: its cached responses are stale.
      this.#changes = r.v;
      this.generation++;
    }
    if (r.e !== null && r.e <= now) {
      // With the counts in the same transaction; a row another process purged meanwhile is not returned here.
      const deleted = await this.#db.transaction(async (tx) => {
        const { rows } = await tx.query<StoredAttributes>(
          'DELETE FROM memories WHERE expires_ms <= $1 RETURNING principal, type, tool, namespace, tags',
          [now],
        );
        const counts = new CountDeltas();
        counts.addStored(rows, -1);
        await counts.flush(tx);
        return rows.length;
      });
      if (deleted > 0) await this.#changed();
    }
  }

  // ---------------------------------------------------------------------------------------------- writes

  async create(principal: string, request: CreateMemoryRequest): Promise<MemoryRow> {
    // Search level: the vector first, so the memory and its vector commit together (OMP-SEARCH-022).
    const req = this.#embedder
      ? { ...request, embedding: await this.#embeddingFor(request.content, request.embedding, '/embedding') }
      : request;
    return this.#writes.run(async (tx, counts) => {
      const row = await insertWithNewId(tx, createdRow(principal, req, isoFromMs(this.#now())));
      counts.add(principal, row, 1);
      return row;
    });
  }

  /** The row if the caller can see it, locked until the transaction ends. */
  async #lockedVisible(tx: Queryable, vis: Visibility, id: string): Promise<MemoryRow | undefined> {
    const { rows } = await memoryRows(
      tx,
      `SELECT ${COLS} FROM memories m WHERE m.principal = $1 AND m.id = $2 FOR UPDATE`,
      [vis.principal, id],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.expires_ms !== null && row.expires_ms <= this.#now()) return undefined;
    if (vis.ownTool !== null && row.tool !== vis.ownTool) return undefined;
    if (vis.rules && !vis.rules.allows(row)) return undefined;
    return row;
  }

  async update(
    vis: Visibility,
    writerTool: string | null,
    id: string,
    request: UpdateMemoryRequest,
    ifMatch?: string,
  ): Promise<MemoryRow> {
    let patch = request;
    if (this.#embedder && request.embedding !== undefined && request.embedding !== null) {
      patch = { ...request, embedding: await this.#embeddingFor('', request.embedding, '/embedding') };
    } else if (this.#embedder && (request.content !== undefined || request.embedding === null)) {
      // New content, or the embedding cleared: the memory gets a vector of its (new) content.
      const content = request.content ?? (await this.get(vis, id))?.content;
      if (content !== undefined)
        patch = { ...request, embedding: await this.#embeddingFor(content, null, '') };
    }
    return this.#writes.run(async (tx, counts) => {
      const before = await this.#lockedVisible(tx, vis, id);
      if (!before) throw memoryNotFound(id);
      if (writerTool !== null && before.tool !== writerTool) {
        throw forbidden(`This key may only change memories of tool ${writerTool}`, { tool: writerTool });
      }
      precondition(ifMatch, before);
      const after: MemoryRow = { ...before };
      if (patch.content !== undefined) after.content = patch.content;
      if (patch.type !== undefined) after.type = patch.type;
      if (patch.tags !== undefined) after.tags = JSON.stringify(patch.tags);
      if (patch.namespace !== undefined) after.namespace = patch.namespace;
      if (patch.metadata !== undefined) after.metadata = JSON.stringify(patch.metadata);
      if (patch.expires_at !== undefined) {
        after.expires_at = patch.expires_at;
        after.expires_ms = patch.expires_at === null ? null : ceilMs(patch.expires_at);
      }
      if (patch.embedding !== undefined) {
        after.embedding = patch.embedding === null ? null : JSON.stringify(patch.embedding);
      }
      // Strictly later than before even when the clock has not moved, or moved back (OMP-TIME-005).
      after.updated_at = isoFromMs(Math.max(this.#now(), floorMs(before.updated_at) + 1));
      after.updated_key = sortKey(after.updated_at);
      await replaceRow(tx, before.seq, after, after.content !== before.content);
      counts.add(vis.principal, before, -1); // keys of unchanged attributes cancel out
      counts.add(vis.principal, after, 1);
      return after;
    });
  }

  delete(vis: Visibility, writerTool: string | null, id: string, ifMatch?: string): Promise<void> {
    return this.#writes.run(async (tx, counts) => {
      const row = await this.#lockedVisible(tx, vis, id);
      if (!row) throw memoryNotFound(id);
      if (writerTool !== null && row.tool !== writerTool) {
        throw forbidden(`This key may only delete memories of tool ${writerTool}`, { tool: writerTool });
      }
      precondition(ifMatch, row);
      await tx.query('DELETE FROM memories WHERE seq = $1', [row.seq]);
      counts.add(vis.principal, row, -1);
    });
  }

  bulkDelete(
    vis: Visibility,
    writerTool: string | null,
    criteria: BulkCriteria,
    options: { dryRun: boolean; expectedCount?: number | undefined },
  ): Promise<{ matched: number; deleted: number }> {
    return this.#writes.run(async (tx, counts) => {
      const tool = effectiveTool(vis, criteria);
      if (tool === false || (writerTool !== null && tool !== undefined && tool !== writerTool)) {
        if (options.expectedCount !== undefined && options.expectedCount !== 0)
          throw new CountMismatchError(0);
        return { matched: 0, deleted: 0 };
      }
      const ps = new Params();
      const where = [conditions(ps, vis, { ...criteria, tool: writerTool ?? tool }, this.#now())];
      if (criteria.createdBefore !== undefined) {
        where.push(`m.created_key < ${ps.p(sortKey(criteria.createdBefore))}`);
      }
      if (criteria.ids !== undefined) where.push(`m.id = ANY(${ps.p([...criteria.ids])}::text[])`);
      const { rows } = await tx.query<StoredAttributes & { seq: number; id: string }>(
        `SELECT m.seq::float8 AS seq, m.id, m.principal, m.type, m.tool, m.namespace, m.tags
         FROM memories m WHERE ${where.join(' AND ')} FOR UPDATE`,
        ps.values,
      );
      if (options.expectedCount !== undefined && options.expectedCount !== rows.length) {
        throw new CountMismatchError(rows.length);
      }
      if (options.dryRun) return { matched: rows.length, deleted: 0 };
      await tx.query('DELETE FROM memories WHERE seq = ANY($1::bigint[])', [rows.map((r) => r.seq)]);
      counts.addStored(rows, -1);
      const out = { matched: rows.length, deleted: rows.length };
      Object.defineProperty(out, WRITTEN_IDS, { value: rows.map((r) => r.id), enumerable: false });
      return out;
    });
  }

  async import(
    vis: Visibility,
    writerTool: string | null,
    source: Iterable<unknown>,
    strategy: ConflictStrategy,
  ): Promise<ImportResult> {
    const items = this.#embedder ? await this.#embedImport(this.#embedder, source) : source;
    const result = await this.#writes.run(async (tx, counts) => {
      const result: ImportResult = { imported: 0, skipped: 0, errors: [] };
      Object.defineProperty(result, WRITTEN_IDS, { value: [], enumerable: false });
      const validate = validators.exportItem();
      const now = this.#now();
      let batch: Array<{ index: number; m: Memory }> = [];
      let index = -1;
      // Iterated, not indexed: an import's items are parsed one at a time as they are stored (http/body.ts).
      for (const item of items) {
        index++;
        let violations = violationsOf(validate, item, `/memories/${index}`);
        if (violations.length === 0) violations = scalarViolations(item, `/memories/${index}`);
        if (violations.length > 0) {
          const id = (item as { id?: unknown } | null)?.id;
          result.errors.push({
            index,
            id: typeof id === 'string' ? id : null,
            error: 'validation_error',
            message: `Item ${index} is not a valid memory: ${violations[0]?.path} ${violations[0]?.message}`,
            details: { errors: violations },
          });
          continue;
        }
        batch.push({ index, m: item as Memory });
        if (batch.length >= BATCH) {
          await this.#importBatch(tx, counts, vis, writerTool, batch, strategy, now, result);
          batch = [];
        }
      }
      await this.#importBatch(tx, counts, vis, writerTool, batch, strategy, now, result);
      result.errors.sort((a, b) => a.index - b.index);
      return result;
    });
    if (result.imported >= this.#analyzeAfter) this.#analyzeSoon();
    return result;
  }

  /**
   * ANALYZE the memories table in the background (analyzeAfter): the import is acknowledged without waiting,
   * and a failure is logged, not thrown. Imports finishing while one runs get one more run after it.
   */
  #analyzeSoon(): void {
    if (this.#analyzing) {
      this.#analyzeAgain = true;
      return;
    }
    this.#analyzing = (async () => {
      do {
        this.#analyzeAgain = false;
        try {
          await this.#db.query('ANALYZE memories');
        } catch (err) {
          process.stderr.write(`omp postgres: ANALYZE after an import failed: ${(err as Error).message}\n`);
        }
      } while (this.#analyzeAgain && !this.#closing);
      this.#analyzing = null;
    })();
  }

  /**
   * Search level: items without an embedding, or with one of another model's size (an export from a server
   * with another model), get one computed from their content, in batches, before the import is queued. The
   * items are read here for that (a Core store reads them lazily).
   */
  async #embedImport(embedder: Embedder, items: Iterable<unknown>): Promise<unknown[]> {
    const needs: { item: Record<string, unknown>; content: string }[] = [];
    const prepared = Array.from(items, (item) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
      const m = item as Record<string, unknown>;
      if (typeof m.content !== 'string') return item;
      if (Array.isArray(m.embedding) && m.embedding.length === embedder.dimensions) return item;
      const copy = { ...m };
      needs.push({ item: copy, content: m.content });
      return copy;
    });
    for (let i = 0; i < needs.length; i += BATCH) {
      const part = needs.slice(i, i + BATCH);
      const vectors = await embedder.embed(
        part.map((n) => n.content),
        'passage',
      );
      part.forEach((n, j) => {
        n.item.embedding = stored(vectors[j] as Float32Array);
      });
    }
    return prepared;
  }

  /** One batch of valid items: one query for the ids already stored, one multi-row insert, then overwrites. */
  async #importBatch(
    tx: Queryable,
    counts: CountDeltas,
    vis: Visibility,
    writerTool: string | null,
    batch: ReadonlyArray<{ index: number; m: Memory }>,
    strategy: ConflictStrategy,
    now: number,
    result: ImportResult,
  ): Promise<void> {
    if (batch.length === 0) return;
    const { rows: found } = await memoryRows(
      tx,
      `SELECT ${COLS} FROM memories m WHERE m.principal = $1 AND m.id = ANY($2::text[]) FOR UPDATE`,
      [vis.principal, batch.map((b) => b.m.id)],
    );
    const existing = new Map<string, MemoryRow | NewRow>();
    const expired: number[] = [];
    for (const row of found) {
      // Expired: gone for clients, so no conflict.
      if (row.expires_ms !== null && row.expires_ms <= now) {
        expired.push(row.seq);
        counts.add(row.principal, row, -1);
      } else existing.set(row.id, row);
    }
    if (expired.length > 0) await tx.query('DELETE FROM memories WHERE seq = ANY($1::bigint[])', [expired]);
    const inserts: NewRow[] = [];
    const fresh: NewRow[] = [];
    const overwrites: Array<{ seq: number; row: NewRow; before: CountedAttributes }> = [];
    for (const { index, m } of batch) {
      const row = admitImportItem(vis, writerTool, index, m, now, result);
      if (row === null) continue;
      const current = existing.get(m.id);
      if (!current) {
        inserts.push(row);
        existing.set(row.id, row);
        result.imported++;
      } else if (vis.ownTool !== null && current.tool !== vis.ownTool) {
        // A hidden id (read scope own): any other outcome would reveal that it exists.
        fresh.push(row);
        result.imported++;
      } else if (strategy === 'skip') {
        result.skipped++;
      } else if (strategy === 'duplicate') {
        fresh.push(row);
        result.imported++;
      } else if (writerTool !== null && current.tool !== writerTool) {
        result.errors.push({
          index,
          id: m.id,
          error: 'forbidden',
          message: `This key may not overwrite memories of another tool`,
          details: { tool: writerTool },
        });
      } else {
        // An overwrite is a write: created_at stays, updated_at moves forward (OMP-IMPORT-021, OMP-TIME-004/005).
        const updatedAt = isoFromMs(Math.max(now, floorMs(current.updated_at) + 1));
        const next: NewRow = {
          ...row,
          created_at: current.created_at,
          created_key: current.created_key,
          updated_at: updatedAt,
          updated_key: sortKey(updatedAt),
        };
        if ('seq' in current) overwrites.push({ seq: current.seq, row: next, before: { ...current } });
        else Object.assign(current, next); // stored earlier in this batch: the insert carries the last version
        existing.set(m.id, 'seq' in current ? { ...next, seq: current.seq } : current);
        result.imported++;
      }
    }
    const written = (result as ImportResult & { [WRITTEN_IDS]: string[] })[WRITTEN_IDS];
    const stored = await insertRows(tx, inserts);
    // Another process may have stored one of these ids meanwhile: it is then a conflict, resolved as a duplicate
    // would be, rather than an error that undoes the whole import.
    for (const row of inserts) {
      if (stored.has(row.id)) {
        written.push(row.id);
        counts.add(row.principal, row, 1);
      } else fresh.push(row);
    }
    for (const row of fresh) {
      written.push((await insertWithNewId(tx, row)).id);
      counts.add(row.principal, row, 1);
    }
    for (const { seq, row, before } of overwrites) {
      await replaceRow(tx, seq, row, true);
      counts.add(row.principal, before, -1);
      counts.add(row.principal, row, 1);
      written.push(row.id);
    }
  }

  // ---------------------------------------------------------------------------------------------- reads

  async get(vis: Visibility, id: string): Promise<MemoryRow | undefined> {
    const ps = new Params();
    const where = conditions(ps, vis, { tool: vis.ownTool ?? undefined }, this.#now());
    const { rows } = await memoryRows(
      this.#db,
      `SELECT ${COLS} FROM memories m WHERE ${where} AND m.id = ${ps.p(id)}`,
      ps.values,
    );
    return rows[0];
  }

  async count(vis: Visibility): Promise<number> {
    // Control level: the count of a list without a state filter, so active memories only (SPEC.md §20.1).
    return (await this.#total(vis, { tool: vis.ownTool ?? undefined, states: ['active'] })).n;
  }

  /**
   * The exact number of memories a list with these filters matches (OMP-LIST-012): a lookup in the maintained
   * counts (counts.ts) when they are that number, that is with at most one tag, no app rules, no stored memory
   * in a state the filter leaves out, and no expired memory awaiting its purge (the counts hold every stored
   * row); otherwise a count of the matches. The checks and the lookup are one query, on indexes. With the
   * principal's list version, read in the same statement as the number (so no older than it): what a cursor
   * resume that carries the number is signed with.
   */
  async #total(vis: Visibility, f: Filters): Promise<{ n: number; version: number }> {
    return (await this.#maintainedTotal(vis, f)) ?? this.#count(vis, f);
  }

  /** #total from the maintained counts, or null where they are not that number. */
  async #maintainedTotal(vis: Visibility, f: Filters): Promise<{ n: number; version: number } | null> {
    const tags = [...new Set(f.tags ?? [])];
    const states = narrowStates(f.states);
    if (vis.rules || tags.length > 1 || (states !== undefined && !states.includes('active'))) return null;
    const key = countKey({ type: f.type, tool: f.tool, namespace: f.namespace, tag: tags[0] });
    const ps = new Params();
    const principal = ps.p(vis.principal);
    const lookup =
      key === null
        ? `SELECT n FROM principal_counts WHERE principal = ${principal}`
        : `SELECT n FROM filter_counts WHERE principal = ${principal} AND k = ${ps.p(key)}`;
    const excluded =
      states === undefined
        ? 'false'
        : `EXISTS (SELECT 1 FROM memories WHERE principal = ${principal} AND state <> 'active'
             AND NOT (state = ANY(${ps.p([...states])}::text[])))`;
    const { rows } = await this.#db.query<{ n: number; exact: boolean; version: number }>(
      `SELECT coalesce((${lookup}), 0)::float8 AS n, ${listVersion(principal)} AS version,
         NOT EXISTS (SELECT 1 FROM memories WHERE expires_ms <= ${ps.p(this.#now())}) AND NOT ${excluded} AS exact`,
      ps.values,
    );
    const r = rows[0];
    return r?.exact ? { n: r.n, version: r.version } : null;
  }

  /** The matches of a list (and `extra` conditions), and the principal's list version in the same snapshot. */
  async #count(
    vis: Visibility,
    f: Filters,
    extra = '',
    extraParams: (ps: Params) => string = () => '',
  ): Promise<{ n: number; version: number }> {
    const ps = new Params();
    const where = conditions(ps, vis, f, this.#now());
    const more = extraParams(ps);
    const { rows } = await this.#db.query<{ n: number; version: number }>(
      `SELECT count(*)::int AS n, ${listVersion(ps.p(vis.principal))} AS version
       FROM memories m WHERE ${where}${extra}${more}`,
      ps.values,
    );
    return rows[0] ?? { n: 0, version: 0 };
  }

  async list(
    vis: Visibility,
    filters: Filters,
    sort: SortOrder,
    limit: number,
    offset: number,
  ): Promise<Page> {
    const tool = effectiveTool(vis, filters);
    if (tool === false) return { rows: [], total: 0 };
    const f = { ...filters, tool };
    const { n: total, version } = await this.#total(vis, f);
    if (offset >= total) return { rows: [], total };
    const ps = new Params();
    const where = conditions(ps, vis, f, this.#now());
    const { rows } = await memoryRows(
      this.#db,
      `SELECT ${PAGE_COLS} FROM memories m WHERE ${where} ORDER BY ${ORDER[sort]} LIMIT ${ps.p(limit)} OFFSET ${ps.p(offset)}`,
      ps.values,
    );
    const page = { rows, total };
    return { ...page, resume: resumeAfter(this.#secret, version, vis, filters, sort, page, offset) };
  }

  /**
   * One page after a keyset position (cursor pagination), the total, and how many matches precede the page
   * (OMP-LIST-022). The page's statement also reads the principal's list version (counts.ts) and whether one
   * of its memories has expired unpurged, in its snapshot: when the cursor's resume verifies for that version
   * and no expiry is pending (an expiry changes what a list sees without a write), the total and the matches
   * before are the cursor's, and a page deep in a large store costs what the first does. Otherwise (a write of
   * the principal's memories since, in any process, a forged or foreign resume, none) both are counted, and the
   * next resume is signed with the version read before the counts: if a write slipped in between, the next
   * page finds the version moved on and counts again.
   */
  async listAfter(
    vis: Visibility,
    filters: Filters,
    sort: SortOrder,
    limit: number,
    after: { key: string; id: string; resume?: Resume | undefined } | null,
  ): Promise<Page & { before: number }> {
    const tool = effectiveTool(vis, filters);
    if (tool === false) return { rows: [], total: 0, before: 0 };
    const f = { ...filters, tool };
    if (after === null) {
      const { n: total, version } = await this.#total(vis, f);
      const page = { rows: await this.#rowsAfter(vis, f, sort, limit, null), total };
      return { ...page, before: 0, resume: resumeAfter(this.#secret, version, vis, filters, sort, page, 0) };
    }
    const { rows, version, pending } = await this.#rowsAfterVersioned(vis, f, sort, limit, after);
    const known = pending ? undefined : verifiedResume(this.#secret, version, vis, filters, sort, after);
    const total = known?.total ?? (await this.#total(vis, f)).n;
    const before =
      known?.before ?? (await this.#count(vis, f, ' AND NOT ', (ps) => pastSql(ps, sort, after))).n;
    const page = { rows, total };
    return { ...page, before, resume: resumeAfter(this.#secret, version, vis, filters, sort, page, before) };
  }

  /** The rows of a page after a keyset position (or from the start). */
  async #rowsAfter(
    vis: Visibility,
    f: Filters,
    sort: SortOrder,
    limit: number,
    after: { key: string; id: string } | null,
  ): Promise<MemoryRow[]> {
    const ps = new Params();
    const where = conditions(ps, vis, f, this.#now());
    const past = after === null ? 'true' : pastSql(ps, sort, after);
    const { rows } = await memoryRows(
      this.#db,
      `SELECT ${PAGE_COLS} FROM memories m WHERE ${where} AND ${past} ORDER BY ${ORDER[sort]} LIMIT ${ps.p(limit)}`,
      ps.values,
    );
    return rows;
  }

  /**
   * The rows of a page after a keyset position, with the principal's list version and whether an expired
   * memory of it awaits its purge, all in one snapshot (one statement; a second only when the page is empty).
   */
  async #rowsAfterVersioned(
    vis: Visibility,
    f: Filters,
    sort: SortOrder,
    limit: number,
    after: { key: string; id: string },
  ): Promise<{ rows: MemoryRow[]; version: number; pending: boolean }> {
    const now = this.#now();
    const ps = new Params();
    const where = conditions(ps, vis, f, now);
    const principal = ps.p(vis.principal);
    const state = `${listVersion(principal)} AS list_version, ${expiring(principal, ps.p(now))} AS list_pending`;
    const { rows } = await memoryRows<MemoryRow & { list_version?: number; list_pending?: boolean }>(
      this.#db,
      `SELECT ${PAGE_COLS}, ${state} FROM memories m WHERE ${where} AND ${pastSql(ps, sort, after)}
       ORDER BY ${ORDER[sort]} LIMIT ${ps.p(limit)}`,
      ps.values,
    );
    const first = rows[0];
    if (first === undefined) {
      const { rows: read } = await this.#db.query<{ list_version: number; list_pending: boolean }>(
        `SELECT ${listVersion('$1')} AS list_version, ${expiring('$1', '$2')} AS list_pending`,
        [vis.principal, now],
      );
      const r = read[0] as { list_version: number; list_pending: boolean };
      return { rows: [], version: r.list_version, pending: r.list_pending };
    }
    const out = { rows, version: first.list_version as number, pending: first.list_pending as boolean };
    for (const r of rows) {
      delete r.list_version;
      delete r.list_pending;
    }
    return out;
  }

  async search(
    vis: Visibility,
    terms: readonly QueryTerm[],
    filters: Filters,
    limit: number,
    offset: number,
  ): Promise<Page> {
    const tool = effectiveTool(vis, filters);
    if (tool === false || terms.length === 0) return { rows: [], total: 0 };
    const { states, ...rest } = filters;
    const [index, restriction] = await Promise.all([
      this.#keywords.current(),
      this.#restriction(vis.principal, narrowStates(states)),
    ]);
    const corrected = withCorrections(
      terms,
      (term) => index.docFrequency(term) > 0,
      (first) => index.startingWith(first),
    );
    const rules = vis.rules ?? null;
    const accept =
      restriction === null && rules === null
        ? undefined
        : (seq: number) =>
            (restriction === null ||
              (restriction.allow ? restriction.seqs.has(seq) : !restriction.seqs.has(seq))) &&
            (rules === null || rules.allows(index.identity(seq)));
    const { seqs, total } = index.search(
      corrected.flatMap((t) => t.terms),
      { principal: vis.principal, type: rest.type, namespace: rest.namespace, tags: rest.tags, tool },
      offset + limit,
      accept,
    );
    return { rows: await this.#rowsBySeq(seqs.slice(offset)), total };
  }

  /**
   * What the keyword index cannot tell about a principal's memories: those expired (not purged yet) and those
   * whose state the filter excludes, as seqs to leave out (`allow` false) or, when the filter excludes active
   * memories, the seqs to keep. Both are read through partial indexes and are few; null: nothing restricted.
   */
  async #restriction(
    principal: string,
    states: readonly string[] | undefined,
  ): Promise<{ allow: boolean; seqs: Set<number> } | null> {
    const now = this.#now();
    const allow = states !== undefined && !states.includes('active');
    const ps = new Params();
    const expired = `(m.expires_ms IS NOT NULL AND m.expires_ms <= ${ps.p(now)})`;
    const where =
      states === undefined
        ? expired
        : allow
          ? `m.state <> 'active' AND m.state = ANY(${ps.p([...states])}::text[]) AND NOT ${expired}`
          : `(${expired} OR (m.state <> 'active' AND m.state <> ALL(${ps.p([...states])}::text[])))`;
    const { rows } = await this.#db.query<{ seq: number }>(
      `SELECT m.seq::float8 AS seq FROM memories m WHERE m.principal = ${ps.p(principal)} AND ${where}`,
      ps.values,
    );
    if (!allow && rows.length === 0) return null;
    return { allow, seqs: new Set(rows.map((r) => r.seq)) };
  }

  /**
   * The `depth` memories most similar to `q` among those the caller sees and the filters admit, best first,
   * and how many such memories have a vector. Exact below `exactBelow` matches or without pgvector; through the
   * HNSW index otherwise, unless its walk returned short (vectors.ts).
   */
  async #rankByVector(
    vis: Visibility,
    q: string,
    filters: Filters,
    depth: number,
  ): Promise<{ ranked: RankedSeq[]; total: number }> {
    if (!this.#embedder) throw new Error('this store has no embedder (Core level)');
    const dims = this.#embedder.dimensions;
    const [query] = await this.#embedder.embed([q], 'query');
    const tool = effectiveTool(vis, filters);
    if (tool === false) return { ranked: [], total: 0 };
    const ps = new Params();
    const where = conditions(ps, vis, { ...filters, tool }, this.#now());
    const total = await this.#vectorTotal(vis, { ...filters, tool }, where, ps.values, dims);
    if (total === 0 || depth <= 0) return { ranked: [], total };
    const v = query as Float32Array;
    const viaIndex =
      total >= this.#exactBelow
        ? await indexRanking(
            this.#db,
            this.#vectors,
            where,
            ps.values,
            v,
            dims,
            depth,
            Math.min(depth, total),
          )
        : null;
    const ranked =
      viaIndex ?? (await exactRanking(this.#db, this.#vectors, where, ps.values, v, dims, depth));
    return { ranked, total };
  }

  /**
   * How many memories a semantic search with these filters matches: those with a vector of the embedder's
   * dimensions. The list's maintained total less the matches without one (found through memories_vec_dims,
   * usually none), so a search does not count every match; a count of the matches where the maintained total
   * is not the list's number (#maintainedTotal).
   */
  async #vectorTotal(
    vis: Visibility,
    f: Filters,
    where: string,
    values: readonly unknown[],
    dims: number,
  ): Promise<number> {
    const maintained = await this.#maintainedTotal(vis, f);
    const dimsOf = 'coalesce(cardinality(m.vec), 0)';
    const { rows } = await this.#db.query<{ n: number }>(
      maintained === null
        ? `SELECT count(*)::int AS n FROM memories m WHERE ${where} AND cardinality(m.vec) = ${dims}`
        : `SELECT count(*)::int AS n FROM memories m WHERE ${where} AND (${dimsOf} < ${dims} OR ${dimsOf} > ${dims})`,
      [...values],
    );
    const n = rows[0]?.n ?? 0;
    return maintained === null ? n : Math.max(0, maintained.n - n);
  }

  /** The page rows (PAGE_COLS) of seqs, in the order given (rows deleted meanwhile left out). */
  async #rowsBySeq(seqs: readonly number[]): Promise<MemoryRow[]> {
    if (seqs.length === 0) return [];
    const { rows } = await memoryRows(
      this.#db,
      `SELECT ${PAGE_COLS} FROM memories m WHERE m.seq = ANY($1::bigint[])`,
      [seqs],
    );
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    return seqs.map((s) => bySeq.get(s)).filter((r): r is MemoryRow => r !== undefined);
  }

  /** How many of these seqs have no vector of the model's size (the semantic ranking cannot match them). */
  async #withoutVector(seqs: readonly number[]): Promise<number> {
    if (seqs.length === 0) return 0;
    const { rows } = await this.#db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM memories WHERE seq = ANY($1::bigint[]) AND coalesce(cardinality(vec), 0) <> $2',
      [seqs, this.#embedder?.dimensions ?? 0],
    );
    return rows[0]?.n ?? 0;
  }

  /** Semantic search (OMP-SEARCH-020): memories by cosine similarity to the query's embedding. */
  async semantic(vis: Visibility, q: string, filters: Filters, limit: number, offset: number): Promise<Page> {
    const { ranked, total } = await this.#rankByVector(vis, q, filters, offset + limit);
    return { rows: await this.#rowsBySeq(ranked.slice(offset).map((r) => r.seq)), total };
  }

  /**
   * Hybrid search (OMP-SEARCH-021): the SQLite store's weighted reciprocal rank fusion of the keyword and the
   * semantic rankings (search-store.ts), score = Σ weight / (60 + rank), ties newer first. `total` counts the
   * memories either ranking matches.
   */
  async hybrid(
    vis: Visibility,
    q: string,
    terms: readonly QueryTerm[],
    filters: Filters,
    limit: number,
    offset: number,
  ): Promise<Page> {
    const depth = Math.max(FUSION_DEPTH, offset + limit);
    const semantic = await this.#rankByVector(vis, q, filters, depth);
    const keyword =
      terms.length > 0 ? await this.search(vis, terms, filters, depth, 0) : { rows: [], total: 0 };
    // Ties newer first: by created_key, then id, both descending.
    const keys = new Map<number, { created_key: string; id: string }>();
    for (const r of [...keyword.rows, ...semantic.ranked]) keys.set(r.seq, r);
    const order = fuseRankings(
      keyword.rows.map((r) => r.seq),
      semantic.ranked.map((r) => r.seq),
      (a, b) => {
        const x = keys.get(a) as { created_key: string; id: string };
        const y = keys.get(b) as { created_key: string; id: string };
        if (x.created_key !== y.created_key) return x.created_key < y.created_key ? 1 : -1;
        return x.id < y.id ? 1 : x.id > y.id ? -1 : 0;
      },
    );
    const keywordOnly = await this.#withoutVector(keyword.rows.map((r) => r.seq));
    const total = hybridTotal(semantic.total, keywordOnly, keyword.total);
    return { rows: await this.#rowsBySeq(order.slice(offset, offset + limit)), total };
  }

  /** Keyset pages in export order: no transaction or cursor stays open while the response streams. */
  async *exportPages(vis: Visibility): AsyncGenerator<MemoryRow[]> {
    let key = '';
    let id = '';
    for (;;) {
      const ps = new Params();
      const where = conditions(ps, vis, { tool: vis.ownTool ?? undefined }, this.#now());
      const { rows } = await memoryRows(
        this.#db,
        `SELECT ${COLS} FROM memories m WHERE ${where} AND (m.created_key, m.id) > (${ps.p(key)}, ${ps.p(id)})
         ORDER BY m.created_key, m.id LIMIT ${ps.p(BATCH)}`,
        ps.values,
      );
      if (rows.length === 0) return;
      yield rows;
      const last = rows[rows.length - 1] as MemoryRow;
      key = last.created_key;
      id = last.id;
      if (rows.length < BATCH) return;
    }
  }

  // ----------------------------------------------------------------------------------- control level

  setStates(
    vis: Visibility,
    writerTool: string | null,
    ids: readonly string[],
    state: string,
    who: StateActor,
    foreign: 'forbid' | 'report',
  ): Promise<StateChange> {
    return this.#writes.run(async (tx, counts) => {
      const now = this.#now();
      const out: StateChange = { rows: [], changed: [], unchanged: [], notFound: [] };
      for (const id of ids) {
        const before = await this.#lockedVisible(tx, vis, id);
        if (before && writerTool !== null && before.tool !== writerTool && foreign === 'forbid') {
          throw forbidden(`This key may only change memories of tool ${writerTool}`, { tool: writerTool });
        }
        if (!before || (writerTool !== null && before.tool !== writerTool)) {
          out.notFound.push(id);
          continue;
        }
        if (before.state === state) {
          out.unchanged.push(id);
          out.rows.push(before);
          continue;
        }
        const after: MemoryRow = { ...before, state };
        after.updated_at = isoFromMs(Math.max(now, floorMs(before.updated_at) + 1));
        after.updated_key = sortKey(after.updated_at);
        await tx.query('UPDATE memories SET state = $1, updated_at = $2, updated_key = $3 WHERE seq = $4', [
          state,
          after.updated_at,
          after.updated_key,
          before.seq,
        ]);
        await tx.query(
          `INSERT INTO memory_state_history (principal, memory_id, from_state, to_state, at, app, actor, reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            vis.principal,
            id,
            before.state,
            state,
            isoFromMs(now),
            toPg(who.app),
            toPg(who.actor),
            toPg(who.reason),
          ],
        );
        counts.touch(vis.principal); // no count changes, but what lists with a state filter see does
        out.changed.push(id);
        out.rows.push(after);
      }
      return out;
    });
  }

  stateHistory(principal: string, memoryId: string): Promise<StateHistoryRow[]> {
    return control.history(this.#db, principal, memoryId);
  }
  apps(principal: string): Promise<AppRow[]> {
    return control.apps(this.#db, principal);
  }
  restrictedApps(): Promise<AppRow[]> {
    return control.restrictedApps(this.#db);
  }
  putApp(principal: string, name: string, paused: boolean, rules: string, now: string): Promise<void> {
    return control.putApp(this.#db, principal, name, paused, rules, now);
  }
  toolCounts(principal: string): Promise<{ tool: string; n: number; first: string; last: string }[]> {
    return control.toolCounts(this.#db, principal, this.#now());
  }
  async appendLog(
    batch: PackedLog | null,
    usage: readonly AppUsage[],
    purgeBeforeMs?: number,
  ): Promise<void> {
    if (batch === null && usage.length === 0 && purgeBeforeMs === undefined) return;
    await this.#db.transaction(async (tx) => {
      await control.insertLog(tx, batch);
      await control.addUsage(tx, usage);
      if (purgeBeforeMs !== undefined) await control.purgeLog(tx, purgeBeforeMs);
    });
  }
  queryLog(q: LogQuery): Promise<LogRow[]> {
    return control.queryLog(this.#db, q);
  }
  stats(principal: string): Promise<ControlStats> {
    return control.stats(this.#db, principal, this.#now());
  }

  async close(): Promise<void> {
    this.#closing = true; // a backfill stops after its batch; the next start resumes it
    await this.#backfill.catch(() => undefined);
    await this.#writes.idle();
    await this.#analyzing;
    await this.#db.end();
  }

  // -------------------------------------------------------------------------------------- idempotency

  async #lookup(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    await this.#db.query('DELETE FROM idempotency WHERE created_ms < $1', [
      this.#now() - RETENTION_SECONDS * 1000,
    ]);
    const { rows } = await this.#db.query<IdempotencyRecord>(
      `SELECT fingerprint, status, body, headers, memory_id, created_ms::float8 AS created_ms
       FROM idempotency WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    return rows[0];
  }

  /**
   * Claim a key unless another live process holds it. A claim whose owner's lease is gone (the process died
   * while serving the request) is taken over at once; one older than CLAIM_STALE_MS, or of an older server
   * without leases, after that time.
   */
  async #claim(scope: string, key: string): Promise<boolean> {
    const now = this.#now();
    const { rows } = await this.#db.query(
      `INSERT INTO idempotency_claims AS c (scope, key, claimed_ms, owner) VALUES ($1, $2, $3, $5)
       ON CONFLICT (scope, key) DO UPDATE SET claimed_ms = excluded.claimed_ms, owner = excluded.owner
       WHERE c.claimed_ms < $4 OR (c.owner IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM pg_locks l
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
           AND l.classid::bigint = $6 AND l.objid::bigint = c.owner
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())))
       RETURNING 1`,
      [scope, key, now, now - CLAIM_STALE_MS, this.#lease, LEASE_NAMESPACE],
    );
    return rows.length > 0;
  }

  async #record(scope: string, key: string, r: Omit<IdempotencyRecord, 'created_ms'>): Promise<void> {
    await this.#db.query(
      `INSERT INTO idempotency (scope, key, fingerprint, status, body, headers, memory_id, created_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
         body = excluded.body, headers = excluded.headers, memory_id = excluded.memory_id,
         created_ms = excluded.created_ms`,
      [scope, key, r.fingerprint, r.status, r.body, r.headers, r.memory_id, this.#now()],
    );
  }
}
