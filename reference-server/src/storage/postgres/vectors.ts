/**
 * The Search level's vectors on Postgres (SPEC.md §6.2). Every memory's vector is kept twice: its `embedding`
 * (the JSON text the API returns, as in the SQLite store) and `vec real[]` beside it, written in the same
 * statement. `real[]` works on any PostgreSQL; where the pgvector extension is installed, an HNSW index
 * (cosine) is built on the expression `vec::vector(D)` for the embedder's D dimensions (a partial index over
 * rows of that size), so one schema serves both and the index can be added later by installing the extension
 * (the next process to start then builds it without blocking the others' writes: prepareVectors).
 *
 * Filters are applied before the top k (OMP-SEARCH-023), in both modes:
 * - exact (always available): the cosine of every vector that passes the filters, computed in SQL, sorted;
 * - HNSW (pgvector): used only when at least EXACT_BELOW memories pass the filters (below that the exact scan
 *   is cheap and exact). pgvector's HNSW scan filters after the index, so a selective filter could leave fewer
 *   than `limit` results: with pgvector >= 0.8 the scan is iterative (`hnsw.iterative_scan = strict_order`:
 *   it keeps walking the graph until enough rows pass, up to pgvector's limits on tuples and memory, the latter
 *   raised here: SCAN_MEM_MULTIPLIER), and whatever the version, a result shorter than
 *   min(depth, matches) is discarded for the exact scan. So a filtered query returns `limit` results whenever
 *   that many pass, and the index only makes large unfiltered or mildly filtered queries faster (approximate).
 */
import type { Database, Queryable } from './database.ts';
import { MIGRATION_LOCK } from './migrations.ts';

/** Below this many matching memories a semantic search scans exactly, even with an HNSW index. */
export const EXACT_BELOW = 10_000;
/** pgvector's largest hnsw.ef_search: deeper rankings scan exactly. */
const MAX_EF_SEARCH = 1000;
/**
 * The memory an iterative HNSW scan may use, in multiples of work_mem (pgvector's `hnsw.scan_mem_multiplier`,
 * default 1). A scan's memory grows with every tuple it visits; when it runs out the scan ends, and the rows it
 * returned need not be the nearest that pass the filter (test/postgres-vectors.test.ts: 1 of the exact top 10
 * with the default, all of them with 8). With the default 4 MB, one type+tag search of the 100k bench corpus ran
 * out after 2,308 tuples and was ranked exactly (77 ms; 6 ms through the index with 8). 8 × work_mem is used only
 * by scans that walk that far; pgvector's `hnsw.max_scan_tuples` (20,000) still bounds the walk, after which a
 * short result is ranked exactly (bench/RESULTS.md: a 23 % filter at 1M, 800 ms, with or without this setting).
 */
const SCAN_MEM_MULTIPLIER = 8;
/** Float32's largest finite magnitude: larger client values are clamped (pgvector refuses infinities). */
const FLOAT4_MAX = 3.4028234e38;
/** Below this magnitude a value is 0 (PostgreSQL's real refuses values that underflow, such as 5e-324). */
const FLOAT4_TINY = 1e-37;

/** What the database offers for vectors. */
export interface VectorSupport {
  /** The installed pgvector version, or null: exact search only. */
  pgvector: string | null;
  /** Whether HNSW scans can be iterative (pgvector >= 0.8). */
  iterative: boolean;
}

/** The `real[]` literal of a stored embedding (JSON text), or null; values outside float4's range are clamped. */
export function vecLiteral(embedding: string | null): string | null {
  if (embedding === null) return null;
  const v = JSON.parse(embedding) as unknown;
  if (!Array.isArray(v)) return null;
  const parts = v.map((x) => {
    const n = typeof x === 'number' && !Number.isNaN(x) && Math.abs(x) >= FLOAT4_TINY ? x : 0;
    return String(Math.max(-FLOAT4_MAX, Math.min(FLOAT4_MAX, n)));
  });
  return `{${parts.join(',')}}`;
}

/** A query vector as pgvector's text input. */
export const vectorText = (v: Float32Array): string => `[${Array.from(v).join(',')}]`;

/** The name of the HNSW index of D-dimensional vectors. */
const indexName = (dims: number): string => `memories_vec_hnsw_${dims}`;

function checkDims(dims: number): number {
  // Interpolated into SQL (a typmod and the partial index's predicate cannot be parameters).
  if (!Number.isSafeInteger(dims) || dims < 1 || dims > 16000) throw new Error(`bad dimensions ${dims}`);
  return dims;
}

/** The HNSW index's definition: a partial index of the rows whose vector has `dims` numbers. */
const indexColumns = (dims: number): string =>
  `memories USING hnsw ((vec::vector(${dims})) vector_cosine_ops) WHERE cardinality(vec) = ${dims}`;

/** What the migrating transaction found and did: the pgvector version, and whether the index is still to build. */
interface Prepared {
  pgvector: string | null;
  build: boolean;
}

/**
 * Install pgvector and the HNSW index for `dims` when the extension is available (and the role may create it);
 * otherwise leave the store on exact search. Serialised with migrations, so processes starting together agree.
 * Over a table that has no vector of this size yet, the index is created in that transaction (instantly); over
 * existing vectors (pgvector installed after memories were stored) it is built CONCURRENTLY after it: a plain
 * CREATE INDEX would hold a SHARE lock for the whole build, and every write of the other server processes, queued
 * behind it, would wait minutes. This process starts once the index is valid.
 */
export async function prepareVectors(db: Database, dims: number): Promise<VectorSupport> {
  checkDims(dims);
  const prepared = await db.transaction(async (tx): Promise<Prepared> => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    const available = await tx.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
    if (available.rows.length === 0) return { pgvector: null, build: false };
    await tx.query('SAVEPOINT omp_vector');
    let build = false;
    try {
      await tx.query('CREATE EXTENSION IF NOT EXISTS vector');
      const state = await indexState(tx, dims);
      if (state === 'missing') {
        const { rows } = await tx.query(`SELECT 1 FROM memories WHERE cardinality(vec) = ${dims} LIMIT 1`);
        build = rows.length > 0;
        if (!build) await tx.query(`CREATE INDEX ${indexName(dims)} ON ${indexColumns(dims)}`);
      } else build = state !== 'valid';
      await tx.query('RELEASE SAVEPOINT omp_vector');
    } catch (err) {
      // Available but not installable here (no privilege): exact search, said once.
      await tx.query('ROLLBACK TO SAVEPOINT omp_vector');
      notUsable(err);
      return { pgvector: null, build: false };
    }
    const { rows } = await tx.query<{ v: string }>(
      "SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'",
    );
    return { pgvector: rows[0]?.v ?? null, build };
  });
  if (prepared.pgvector === null) return { pgvector: null, iterative: false };
  if (prepared.build) {
    try {
      await buildConcurrently(db, dims);
    } catch (err) {
      notUsable(err);
      return { pgvector: null, iterative: false };
    }
  }
  const [major = 0, minor = 0] = prepared.pgvector.split('.').map(Number);
  return { pgvector: prepared.pgvector, iterative: major > 0 || minor >= 8 };
}

function notUsable(err: unknown): void {
  process.stderr.write(`omp postgres: pgvector not usable, exact vector search: ${(err as Error).message}\n`);
}

/** The HNSW index of D dimensions: valid, being built (by any process), left invalid by a failed build, or none. */
async function indexState(q: Queryable, dims: number): Promise<'valid' | 'building' | 'invalid' | 'missing'> {
  const { rows } = await q.query<{ valid: boolean; building: boolean }>(
    `SELECT i.indisvalid AS valid,
            EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = i.indexrelid) AS building
     FROM pg_index i WHERE i.indexrelid = to_regclass($1)`,
    [indexName(dims)],
  );
  const row = rows[0];
  if (row === undefined) return 'missing';
  return row.valid ? 'valid' : row.building ? 'building' : 'invalid';
}

/** How often a process waiting for another's index build looks again, in ms. */
const BUILD_POLL_MS = 500;

/**
 * Build the index without blocking writes (outside any transaction), or wait for the process building it. An
 * invalid index no build is working on is what a failed or interrupted build leaves: dropped and built again.
 */
async function buildConcurrently(db: Database, dims: number): Promise<void> {
  for (let failures = 0; ; ) {
    const state = await indexState(db, dims);
    if (state === 'valid') return;
    if (state === 'building') {
      await new Promise((r) => setTimeout(r, BUILD_POLL_MS));
      continue;
    }
    try {
      if (state === 'invalid') await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${indexName(dims)}`);
      await db.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${indexName(dims)} ON ${indexColumns(dims)}`);
    } catch (err) {
      // Two processes starting the build at once: one fails on the name and waits for the other's.
      if (++failures >= 3) throw err;
    }
  }
}

/** One ranked memory: its seq and cosine similarity. */
export interface RankedSeq {
  seq: number;
  score: number;
  created_key: string;
  id: string;
}

/** Ties order by created_at descending, then id descending, as every search does (OMP-SEARCH-010). */
export function bestFirst(a: RankedSeq, b: RankedSeq): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.created_key !== b.created_key) return a.created_key < b.created_key ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The `depth` best memories by cosine among those `where` admits (alias m, parameters `params`; the query
 * vector is appended), exactly: every passing vector is scored. With pgvector the cosine is its `<=>` (C, about
 * 80 times faster than the SQL sum: 7,061 vectors of 384 dimensions 7 ms against 565); without it, SQL. Both
 * score a zero vector 0 and divide by the stored vector's norm only (query vectors are unit length).
 */
export async function exactRanking(
  q: Queryable,
  support: VectorSupport,
  where: string,
  params: unknown[],
  query: Float32Array,
  dims: number,
  depth: number,
): Promise<RankedSeq[]> {
  const d = checkDims(dims);
  const n = params.length + 1;
  const score =
    support.pgvector === null
      ? `(SELECT sum(a::float8 * b) / nullif(sqrt(sum(a::float8 * a)), 0) FROM unnest(m.vec, $${n}::real[]) AS t(a, b))`
      : `nullif(1 - ((m.vec::vector(${d})) <=> $${n}::vector(${d})), 'NaN'::float8)`;
  const { rows } = await q.query<RankedSeq>(
    `SELECT m.seq::float8 AS seq, m.created_key, m.id, coalesce(${score}, 0)::float8 AS score
     FROM memories m WHERE ${where} AND cardinality(m.vec) = ${d}
     ORDER BY 4 DESC, m.created_key DESC, m.id DESC LIMIT $${n + 1}`,
    [...params, support.pgvector === null ? `{${Array.from(query).join(',')}}` : vectorText(query), depth],
  );
  return rows;
}

/**
 * The same ranking through the HNSW index (approximate), or null when the index scan returned fewer than
 * `expected` rows (a filter the graph walk could not satisfy): the caller then ranks exactly.
 */
export async function indexRanking(
  db: Database,
  support: VectorSupport,
  where: string,
  params: unknown[],
  query: Float32Array,
  dims: number,
  depth: number,
  expected: number,
): Promise<RankedSeq[] | null> {
  if (support.pgvector === null || depth > MAX_EF_SEARCH) return null;
  const d = checkDims(dims);
  const distance = `((m.vec::vector(${d})) <=> $${params.length + 1}::vector(${d}))`;
  const rows = await db.transaction(async (tx) => {
    if (support.iterative) {
      await tx.query('SET LOCAL hnsw.iterative_scan = strict_order');
      await tx.query(`SET LOCAL hnsw.scan_mem_multiplier = ${SCAN_MEM_MULTIPLIER}`);
    }
    await tx.query(`SET LOCAL hnsw.ef_search = ${Math.max(40, depth)}`);
    const out = await tx.query<RankedSeq>(
      `SELECT m.seq::float8 AS seq, m.created_key, m.id, (1 - ${distance})::float8 AS score
       FROM memories m WHERE ${where} AND cardinality(m.vec) = ${d}
       ORDER BY ${distance} LIMIT $${params.length + 2}`,
      [...params, vectorText(query), depth],
    );
    return out.rows;
  });
  if (rows.length < expected) return null;
  return rows.sort(bestFirst);
}
