/**
 * The vector index's SIMD scan (storage/vectors.ts over search/vector-slab.ts) against a brute-force scan: every
 * passing memory scored with the reference sum (float64, in index order), sorted by score, then created_at and
 * id descending. Same ranked seqs, same scores, same total, on random, clustered (scores a hair apart), duplicate,
 * non-unit, float32-overflowing and odd-sized vectors, with filters, after removals and slot reuse, and on real
 * embeddings from the built-in model. No timings.
 */
import { describe, expect, test } from 'vitest';
import { memoryAt, prng, QUESTION } from '../bench/corpus.ts';
import { builtinEmbedder } from '../src/search/builtin-embedder.ts';
import { ensureModel } from '../src/search/model-files.ts';
import { openDatabase } from '../src/storage/database.ts';
import type { MemoryRow } from '../src/storage/rows.ts';
import { SearchStore } from '../src/storage/search-store.ts';
import { type Scored, type VectorFilter, VectorIndex } from '../src/storage/vectors.ts';
import { hashEmbedder } from './store-suite/hash-embedder.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');

interface Item {
  row: MemoryRow;
  vector: number[];
}

function rowOf(seq: number, vector: number[], r: () => number, createdKey?: string): MemoryRow {
  const tags = ['a', 'b', 'c'].filter(() => r() < 0.5);
  return {
    seq,
    principal: r() < 0.8 ? 'alice' : 'bob',
    id: `m${String(seq).padStart(6, '0')}`,
    content: '',
    type: r() < 0.5 ? 'semantic' : 'episodic',
    tool: r() < 0.5 ? 't1' : 't2',
    source: '{}',
    tags: JSON.stringify(tags),
    namespace: null,
    metadata: '{}',
    embedding: JSON.stringify(vector),
    created_at: '',
    updated_at: '',
    expires_at: null,
    // Few distinct keys, so score ties fall through to the id.
    created_key: createdKey ?? `2026-01-0${1 + Math.floor(r() * 3)}`,
    updated_key: '',
    expires_ms: r() < 0.1 ? NOW - 1 : null,
    state: 'active',
  };
}

/** The oracle: score every passing item with the float64 sum in index order, sort all, take `depth`. */
function bruteForce(items: Item[], query: Float32Array, f: VectorFilter, depth: number) {
  const scored: { row: MemoryRow; score: number }[] = [];
  for (const { row, vector } of items) {
    if (row.principal !== f.principal) continue;
    if (row.expires_ms !== null && row.expires_ms <= f.now) continue;
    if (f.tool !== undefined && row.tool !== f.tool) continue;
    if (f.type !== undefined && row.type !== f.type) continue;
    const tags = JSON.parse(row.tags) as string[];
    if (f.tags && !f.tags.every((t) => tags.includes(t))) continue;
    const v = Float32Array.from(vector);
    let s = 0;
    for (let i = 0; i < v.length; i++) s += (v[i] as number) * (query[i] as number);
    scored.push({ row, score: s });
  }
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      (a.row.created_key < b.row.created_key ? 1 : a.row.created_key > b.row.created_key ? -1 : 0) ||
      (a.row.id < b.row.id ? 1 : -1),
  );
  return {
    ranked: scored.slice(0, depth).map((s) => ({ seq: s.row.seq, score: s.score })),
    total: scored.length,
  };
}

type Gen = (r: () => number, dims: number, i: number) => number[];

const unit = (v: number[]): number[] => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const random = (r: () => number, dims: number): number[] =>
  unit(Array.from({ length: dims }, () => r() - 0.5));
/** All near one direction: cosines within ~1e-4 of each other, where float32 rounding could reorder them. */
const clustered: Gen = (r, dims) =>
  unit(Array.from({ length: dims }, (_, i) => (i === 0 ? 1 : (r() - 0.5) * 1e-3)));
/** Ten distinct vectors repeated: exact score ties everywhere. */
const duplicates: Gen = (_r, dims, i) => random(prng(i % 10), dims);
const scaled =
  (scale: number): Gen =>
  (r, dims) =>
    random(r, dims).map((x) => x * scale);
/** Components whose float32 products overflow (the SIMD score is Infinity or NaN; the reference is finite). */
const overflowing: Gen = (r, dims, i) =>
  i % 7 === 0 ? random(r, dims).map((x) => x * 1e25) : random(r, dims);

const FILTERS: { name: string; f: Omit<VectorFilter, 'now'> }[] = [
  { name: 'principal only', f: { principal: 'alice' } },
  { name: 'tool + type', f: { principal: 'alice', tool: 't1', type: 'semantic' } },
  { name: 'two tags', f: { principal: 'alice', tags: ['a', 'b'] } },
  { name: 'the smaller principal', f: { principal: 'bob' } },
];

const CASES: { name: string; gen: Gen; dims: number; n: number; query?: Gen }[] = [
  { name: 'random unit vectors, 384 dims', gen: random, dims: 384, n: 2000 },
  { name: 'clustered (near-equal cosines)', gen: clustered, dims: 384, n: 2000, query: clustered },
  { name: 'duplicate vectors (ties)', gen: duplicates, dims: 64, n: 2000 },
  { name: 'non-unit, large', gen: scaled(1000), dims: 384, n: 1000 },
  { name: 'non-unit, small', gen: scaled(1e-3), dims: 384, n: 1000 },
  { name: 'float32 overflow', gen: overflowing, dims: 32, n: 500, query: scaled(1e20) },
  { name: 'odd dimensions (5)', gen: random, dims: 5, n: 2000 },
  { name: 'odd dimensions (13)', gen: clustered, dims: 13, n: 2000, query: clustered },
];
const DEPTHS = [1, 10, 100, 5000];

function expectSame(got: { ranked: Scored[]; total: number }, want: { ranked: Scored[]; total: number }) {
  expect(got.total).toBe(want.total);
  expect(got.ranked.map((s) => s.seq)).toEqual(want.ranked.map((s) => s.seq));
  expect(got.ranked.map((s) => s.score)).toEqual(want.ranked.map((s) => s.score));
}

describe('the SIMD scan returns the brute-force top k', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const r = prng(c.dims * 31 + c.n);
      const index = new VectorIndex(c.dims);
      const items: Item[] = [];
      for (let i = 1; i <= c.n; i++) {
        const vector = c.gen(r, c.dims, i);
        const item = { row: rowOf(i, vector, r), vector };
        items.push(item);
        expect(index.put(item.row)).toBe(true);
      }
      for (let q = 0; q < 3; q++) {
        const query = Float32Array.from((c.query ?? random)(r, c.dims, q));
        for (const { f } of FILTERS) {
          for (const depth of DEPTHS) {
            const filter = { ...f, now: NOW };
            expectSame(index.search(query, filter, depth), bruteForce(items, query, filter, depth));
          }
        }
      }
    }, 60_000);
  }

  test('after removals, re-puts and slot reuse', () => {
    const dims = 48;
    const r = prng(7);
    const index = new VectorIndex(dims);
    let items = new Map<number, Item>();
    let seq = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 400; i++) {
        const vector = random(r, dims);
        const item = { row: rowOf(++seq, vector, r), vector };
        items.set(seq, item);
        index.put(item.row);
      }
      for (const s of [...items.keys()]) {
        const x = r();
        if (x < 0.3) {
          index.remove(s);
          items.delete(s);
        } else if (x < 0.4) {
          const vector = clustered(r, dims, 0);
          const item = { row: { ...(items.get(s) as Item).row, embedding: JSON.stringify(vector) }, vector };
          items.set(s, item);
          index.put(item.row);
        } else if (x < 0.45) {
          // A row whose embedding is unusable leaves the index.
          index.put({ ...(items.get(s) as Item).row, embedding: '[1,2]' });
          items.delete(s);
        }
      }
      items = new Map([...items].sort((a, b) => a[0] - b[0]));
      expect(index.size).toBe(items.size);
      const query = Float32Array.from(clustered(r, dims, 0));
      for (const { f } of FILTERS) {
        for (const depth of DEPTHS) {
          const filter = { ...f, now: NOW };
          expectSame(
            index.search(query, filter, depth),
            bruteForce([...items.values()], query, filter, depth),
          );
        }
      }
    }
  }, 60_000);

  test('depth 0 and an empty index', () => {
    const index = new VectorIndex(8);
    const query = Float32Array.from(random(prng(1), 8));
    expect(index.search(query, { principal: 'alice', now: NOW }, 10)).toEqual({ ranked: [], total: 0 });
    index.put(rowOf(1, random(prng(2), 8), () => 0.5));
    expect(index.search(query, { principal: 'alice', now: NOW }, 0)).toEqual({ ranked: [], total: 1 });
  });
});

describe('real embeddings from the built-in model', () => {
  test('bench corpus memories and questions: same top k as brute force', async () => {
    ensureModel();
    const embedder = builtinEmbedder();
    try {
      const contents = Array.from({ length: 120 }, (_, i) => memoryAt(i, 5).content);
      const vectors = await embedder.embed(contents, 'passage');
      const queries = await embedder.embed(
        [QUESTION, 'what does the user eat', contents[3] as string, 'zzz'],
        'query',
      );
      const r = prng(11);
      const index = new VectorIndex(embedder.dimensions);
      const items: Item[] = [];
      // Each vector twice (same content stored twice: exact ties), stored as the server stores them (6 decimals).
      for (let i = 0; i < vectors.length * 2; i++) {
        const vector = Array.from(
          vectors[i % vectors.length] as Float32Array,
          (x) => Math.round(x * 1e6) / 1e6,
        );
        const item = { row: rowOf(i + 1, vector, r, '2026-01-01'), vector };
        items.push(item);
        index.put(item.row);
      }
      for (const query of queries) {
        for (const { f } of FILTERS) {
          for (const depth of [1, 5, 20, 1000]) {
            const filter = { ...f, now: NOW };
            expectSame(index.search(query, filter, depth), bruteForce(items, query, filter, depth));
          }
        }
      }
    } finally {
      embedder.close();
    }
  }, 120_000);
});

describe('an import re-indexes only what it wrote', () => {
  const item = (i: number, extra: Record<string, unknown> = {}) => {
    const at = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
    return {
      id: `mem_imported${String(i).padStart(8, '0')}`,
      content: `imported memory ${i} about ${['otters', 'badgers', 'tea', 'jazz'][i % 4]}`,
      type: 'semantic',
      source: { tool: i % 3 === 0 ? 'claude' : 'cursor', timestamp: at },
      tags: [],
      namespace: null,
      created_at: at,
      updated_at: at,
      expires_at: null,
      metadata: {},
      ...extra,
    };
  };

  test('after skip, overwrite and duplicate imports over live and expired memories: same as a full reload', async () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = () => now;
    const db = openDatabase(':memory:');
    const embedder = hashEmbedder(32);
    const store = new SearchStore(db, embedder, { now: clock });
    const vis = { principal: 'alice', ownTool: null };
    await store.import(
      vis,
      null,
      Array.from({ length: 60 }, (_, i) => item(i)),
      'skip',
    );
    const soon = new Date(now + 1000).toISOString();
    await store.import(
      vis,
      null,
      Array.from({ length: 10 }, (_, i) => item(100 + i, { expires_at: soon })),
      'skip',
    );
    now += 5000; // the ten above have expired
    const changed = (i: number) => item(i, { content: `changed ${i} about tea and jazz` });
    await store.import(vis, null, [0, 1, 2, 3, 100, 101].map(changed), 'overwrite');
    await store.import(vis, null, [4, 5, 102, 200].map(changed), 'duplicate');
    await store.import(vis, null, [6, 103, 201].map(changed), 'skip');
    await store.import({ principal: 'bob', ownTool: null }, null, [item(0), item(7)], 'skip');

    const fresh = new SearchStore(db, embedder, { now: clock });
    for (const who of [vis, { principal: 'bob', ownTool: null }, { principal: 'alice', ownTool: 'claude' }]) {
      for (const q of ['tea and jazz', 'otters', 'badgers changed']) {
        const want = await fresh.semantic(who, q, {}, 100, 0);
        const got = await store.semantic(who, q, {}, 100, 0);
        expect(got.total).toBe(want.total);
        expect(got.rows.map((r) => r.id)).toEqual(want.rows.map((r) => r.id));
      }
    }
    expect((await store.semantic(vis, 'tea', {}, 100, 0)).total).toBeGreaterThan(60);
  }, 60_000);
});
