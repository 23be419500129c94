/**
 * The vector index of the Search level: every memory's embedding in a WebAssembly slab (search/vector-slab.ts),
 * with the attributes filters need, so a semantic search is one exact scan (dot products of unit vectors =
 * cosine) over exactly the memories the filters and the caller's visibility allow, before the top k are taken:
 * a filtered query returns `limit` results whenever that many memories pass the filters (OMP-SEARCH-023).
 *
 * Exact means the top k by the reference score (a float64 dot product in index order, what this index ranked by
 * when it was scalar JavaScript): the SIMD pass scores every passing memory within a proven bound of that score,
 * the k-th best lower bound rules out every memory whose upper bound is below it, and the few left are rescored
 * with the reference sum (test/vector-index.test.ts compares with a brute-force scan).
 *
 * Why not sqlite-vec: its vec0 tables also scan exactly up to this size, but metadata filters are limited to
 * declared columns (tags are a list here), it needs extension loading enabled on the connection, and the npm
 * registry mirror has only its WebAssembly build. The vectors' durable copy is the memory's `embedding`
 * column, written in the same transaction as the memory; this index is rebuilt from it at start and kept in
 * step by the store.
 */
import type { DatabaseSync } from 'node:sqlite';
import { TopK } from '../search/top-k.ts';
import { VectorSlab } from '../search/vector-slab.ts';
import type { AccessRules } from './control-scope.ts';
import type { MemoryRow } from './rows.ts';

/** What a semantic search may see and how it is narrowed (the store has resolved read scope `own` into `tool`). */
export interface VectorFilter {
  principal: string;
  tool?: string | undefined;
  type?: string | undefined;
  namespace?: string | undefined;
  tags?: readonly string[] | undefined;
  now: number;
  /** Control level: only memories in these states (SPEC.md §20.1). */
  states?: readonly string[] | undefined;
  /** Control level: the request's app's access rules (SPEC.md §20.3). */
  rules?: AccessRules | null | undefined;
}

interface Entry {
  seq: number;
  principal: string;
  id: string;
  tool: string;
  type: string;
  namespace: string | null;
  tags: readonly string[];
  createdKey: string;
  expiresMs: number | null;
  state: string;
  /** Where the vector is in the slab. */
  slot: number;
  /** Its Euclidean length (for the SIMD score's error bound); Infinity when a component overflowed. */
  norm: number;
}

/** One scored memory. */
export interface Scored {
  seq: number;
  score: number;
}

/** A parsed stored embedding of the expected length, or null (absent, malformed or another model's size). */
export function parseVector(json: string | null, dimensions: number): Float32Array | null {
  if (json === null) return null;
  try {
    const v = JSON.parse(json) as unknown;
    if (!Array.isArray(v) || v.length !== dimensions) return null;
    return Float32Array.from(v as number[]);
  } catch {
    return null;
  }
}

/** Ties order by created_at descending, then id descending, as every search does (OMP-SEARCH-010). */
function newerFirst(a: Entry, b: Entry): number {
  if (a.createdKey !== b.createdKey) return a.createdKey < b.createdKey ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Euclidean length, Infinity when not finite (such a vector is always rescored). */
function lengthOf(v: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] as number) * (v[i] as number);
  const n = Math.sqrt(sum);
  return Number.isFinite(n) ? n : Number.POSITIVE_INFINITY;
}

/** The in-memory vector index (see the file comment). */
export class VectorIndex {
  readonly dimensions: number;
  readonly #entries = new Map<number, Entry>();
  readonly #slab: VectorSlab;
  /** Bumped by every change, so a caller that awaited between two reads can tell whether the index moved. */
  version = 0;

  constructor(dimensions: number) {
    this.dimensions = dimensions;
    this.#slab = new VectorSlab(dimensions);
  }

  /** Number of indexed memories. */
  get size(): number {
    return this.#entries.size;
  }

  /** Index (or re-index) a stored row; a row without a usable vector is removed. Returns whether it is indexed. */
  put(row: MemoryRow): boolean {
    this.version++;
    const vector = parseVector(row.embedding, this.dimensions);
    if (!vector) {
      this.remove(row.seq);
      return false;
    }
    const old = this.#entries.get(row.seq);
    let slot: number;
    if (old) {
      slot = old.slot;
      this.#slab.set(slot, vector);
    } else slot = this.#slab.add(vector);
    this.#entries.set(row.seq, {
      seq: row.seq,
      principal: row.principal,
      id: row.id,
      tool: row.tool,
      type: row.type,
      namespace: row.namespace,
      tags: JSON.parse(row.tags) as string[],
      createdKey: row.created_key,
      expiresMs: row.expires_ms,
      state: row.state,
      slot,
      norm: lengthOf(vector),
    });
    return true;
  }

  /** Forget a memory. */
  remove(seq: number): void {
    const e = this.#entries.get(seq);
    if (!e) return;
    this.version++;
    this.#slab.free(e.slot);
    this.#entries.delete(seq);
  }

  /** Forget every memory whose seq is not in `live` (rows deleted behind the index's back). */
  retain(live: ReadonlySet<number>): void {
    for (const seq of [...this.#entries.keys()]) if (!live.has(seq)) this.remove(seq);
  }

  /** Whether a memory has an indexed vector. */
  has(seq: number): boolean {
    return this.#entries.has(seq);
  }

  /** Rebuild from the database; returns the seqs of memories that have no usable vector (to be embedded). */
  load(db: DatabaseSync): number[] {
    this.version++;
    this.#entries.clear();
    this.#slab.clear();
    const missing: number[] = [];
    const page = db.prepare(
      `SELECT seq, principal, id, tool, type, namespace, tags, created_key, expires_ms, embedding, state
       FROM memories WHERE seq > ? ORDER BY seq LIMIT 2000`,
    );
    for (let after = 0; ; ) {
      const rows = page.all(after) as unknown as MemoryRow[];
      if (rows.length === 0) break;
      for (const r of rows) if (!this.put(r)) missing.push(r.seq);
      after = (rows[rows.length - 1] as MemoryRow).seq;
    }
    return missing;
  }

  #passes(e: Entry, f: VectorFilter): boolean {
    if (e.principal !== f.principal) return false;
    if (e.expiresMs !== null && e.expiresMs <= f.now) return false;
    if (f.tool !== undefined && e.tool !== f.tool) return false;
    if (f.type !== undefined && e.type !== f.type) return false;
    if (f.namespace !== undefined && e.namespace !== f.namespace) return false;
    if (f.tags) for (const t of f.tags) if (!e.tags.includes(t)) return false;
    if (f.states && !f.states.includes(e.state)) return false;
    if (f.rules && !f.rules.allows(e)) return false;
    return true;
  }

  /**
   * The `depth` most similar memories passing the filter, best first (ties: newer first), and how many passed.
   * Exact: every passing vector is scored (see the file comment for how the SIMD pass stays exact).
   */
  search(query: Float32Array, filter: VectorFilter, depth: number): { ranked: Scored[]; total: number } {
    const passing: Entry[] = [];
    const approx = this.#slab.scores(query, this.#entries.size, (list) => {
      for (const e of this.#entries.values()) {
        if (!this.#passes(e, filter)) continue;
        list[passing.length] = e.slot;
        passing.push(e);
      }
      return passing.length;
    });
    const total = passing.length;
    if (depth <= 0 || total === 0) return { ranked: [], total };
    // Each SIMD score is within bound[i] of the reference score (typed arrays: these loops run over every
    // passing memory, as the scan does).
    const bound = new Float64Array(total);
    const lower = new Float64Array(total);
    const queryNorm = lengthOf(query);
    for (let i = 0; i < total; i++) {
      const b = this.#slab.scoreBound((passing[i] as Entry).norm, queryNorm);
      bound[i] = b;
      const l = (approx[i] as number) - b;
      lower[i] = Number.isNaN(l) ? Number.NEGATIVE_INFINITY : l;
    }
    // The depth-th best lower bound: at least `depth` memories score at least this by the reference sum.
    const floor = kthLargest(depth, lower);
    // The k best by the reference score, among the memories whose upper bound reaches the floor (NaN: rescored).
    const best = new TopK(depth, (a, b) => {
      if (a.score !== b.score) return a.score > b.score;
      return newerFirst(this.#entries.get(a.seq) as Entry, this.#entries.get(b.seq) as Entry) < 0;
    });
    for (let i = 0; i < total; i++) {
      if ((approx[i] as number) + (bound[i] as number) < floor) continue;
      const e = passing[i] as Entry;
      best.offer(e.seq, this.#slab.exact(e.slot, query));
    }
    return { ranked: best.sorted(), total };
  }

  /** Order seqs by (created_at, id) descending: the tie-break of fused rankings. */
  compareNewerFirst(a: number, b: number): number {
    const x = this.#entries.get(a);
    const y = this.#entries.get(b);
    if (!x || !y) return 0;
    return newerFirst(x, y);
  }
}

/** The k-th largest of `values`, or -Infinity when there are fewer than k: a min-heap of the k largest. */
function kthLargest(k: number, values: Float64Array): number {
  const n = values.length;
  if (n < k) return Number.NEGATIVE_INFINITY;
  const heap = values.slice(0, k);
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  for (let i = k; i < n; i++) {
    const x = values[i] as number;
    if (x <= (heap[0] as number)) continue;
    heap[0] = x;
    siftDown(heap, 0);
  }
  return heap[0] as number;
}

function siftDown(h: Float64Array, i: number): void {
  const n = h.length;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let least = i;
    if (l < n && (h[l] as number) < (h[least] as number)) least = l;
    if (r < n && (h[r] as number) < (h[least] as number)) least = r;
    if (least === i) return;
    const t = h[i] as number;
    h[i] = h[least] as number;
    h[least] = t;
    i = least;
  }
}
