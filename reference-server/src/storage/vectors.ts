/**
 * The vector index of the Search level: every memory's embedding as a Float32Array in memory, with the
 * attributes filters need, so a semantic search is one exact scan (dot products of unit vectors = cosine) over
 * exactly the memories the filters and the caller's visibility allow, before the top k are taken: a filtered
 * query returns `limit` results whenever that many memories pass the filters (OMP-SEARCH-023).
 *
 * Why not sqlite-vec: its vec0 tables also scan exactly up to this size, but metadata filters are limited to
 * declared columns (tags are a list here), it needs extension loading enabled on the connection, and 100k × 384
 * floats (150 MB) scan in tens of milliseconds in JavaScript (bench/RECALL.md). The vectors' durable copy is the
 * memory's `embedding` column, written in the same transaction as the memory; this index is rebuilt from it at
 * start and kept in step by the store.
 */
import type { DatabaseSync } from 'node:sqlite';
import { TopK } from '../search/top-k.ts';
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
  vector: Float32Array;
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

/** The in-memory vector index (see the file comment). */
export class VectorIndex {
  readonly dimensions: number;
  readonly #entries = new Map<number, Entry>();

  constructor(dimensions: number) {
    this.dimensions = dimensions;
  }

  /** Number of indexed memories. */
  get size(): number {
    return this.#entries.size;
  }

  /** Index (or re-index) a stored row; a row without a usable vector is removed. Returns whether it is indexed. */
  put(row: MemoryRow): boolean {
    const vector = parseVector(row.embedding, this.dimensions);
    if (!vector) {
      this.#entries.delete(row.seq);
      return false;
    }
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
      vector,
    });
    return true;
  }

  /** Forget a memory. */
  remove(seq: number): void {
    this.#entries.delete(seq);
  }

  /** Whether a memory has an indexed vector. */
  has(seq: number): boolean {
    return this.#entries.has(seq);
  }

  /** Rebuild from the database; returns the seqs of memories that have no usable vector (to be embedded). */
  load(db: DatabaseSync): number[] {
    this.#entries.clear();
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
   * Exact: every passing vector is scored.
   */
  search(query: Float32Array, filter: VectorFilter, depth: number): { ranked: Scored[]; total: number } {
    const dims = this.dimensions;
    // The k best in a bounded heap rather than a sort of every passing memory (100k objects at 100k).
    const best = new TopK(depth, (a, b) => {
      if (a.score !== b.score) return a.score > b.score;
      return newerFirst(this.#entries.get(a.seq) as Entry, this.#entries.get(b.seq) as Entry) < 0;
    });
    let total = 0;
    for (const e of this.#entries.values()) {
      if (!this.#passes(e, filter)) continue;
      const v = e.vector;
      let s = 0;
      for (let i = 0; i < dims; i++) s += (v[i] as number) * (query[i] as number);
      total++;
      best.offer(e.seq, s);
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
