/**
 * `node bench/vector-scan.ts [--n 100000] [--dims 384] [--rounds 5]`: the semantic scan alone, in process. A is
 * the scalar scan the index used before (one Float32Array per memory, a float64 dot product in JavaScript, the
 * k best in a bounded heap), B is the vector index (storage/vectors.ts: the WebAssembly SIMD pass, then exact
 * rescoring of the memories that could be in the top k). Random unit vectors, one principal, depth 100 (the
 * fusion depth of hybrid); A and B alternate, and every round checks that B's top k equals A's.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { TopK } from '../src/search/top-k.ts';
import type { MemoryRow } from '../src/storage/rows.ts';
import { VectorIndex } from '../src/storage/vectors.ts';
import { prng } from './corpus.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dims: { type: 'string', default: '384' },
    rounds: { type: 'string', default: '5' },
  },
});
const N = Number(values.n);
const DIMS = Number(values.dims);
const ROUNDS = Number(values.rounds);
const DEPTH = 100;

const r = prng(1);
const unitVector = (): Float32Array => {
  const v = Float32Array.from({ length: DIMS }, () => r() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
console.log(`load average at start: ${load()}`);

const index = new VectorIndex(DIMS);
const scalar: { seq: number; principal: string; expiresMs: number | null; vector: Float32Array }[] = [];
for (let seq = 1; seq <= N; seq++) {
  const vector = unitVector();
  const embedding = `[${Array.from(vector, (x) => Math.round(x * 1e6) / 1e6).join(',')}]`;
  const row = {
    seq,
    principal: 'p',
    id: `m${seq}`,
    tool: 't',
    type: 'semantic',
    namespace: null,
    tags: '[]',
    created_key: String(seq).padStart(8, '0'),
    expires_ms: null,
    state: 'active',
    embedding,
  } as unknown as MemoryRow;
  index.put(row);
  scalar.push({ seq, principal: 'p', expiresMs: null, vector: Float32Array.from(JSON.parse(embedding)) });
}

/** A: the scalar scan as it was. */
function scalarScan(query: Float32Array): number[] {
  const best = new TopK(DEPTH, (a, b) => (a.score !== b.score ? a.score > b.score : a.seq > b.seq));
  for (const e of scalar) {
    if (e.principal !== 'p' || (e.expiresMs !== null && e.expiresMs <= 0)) continue;
    const v = e.vector;
    let s = 0;
    for (let i = 0; i < DIMS; i++) s += (v[i] as number) * (query[i] as number);
    best.offer(e.seq, s);
  }
  return best.sorted().map((x) => x.seq);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const a: number[] = [];
const b: number[] = [];
for (let round = 0; round < ROUNDS + 1; round++) {
  const query = unitVector();
  let t = performance.now();
  const want = scalarScan(query);
  const ta = performance.now() - t;
  t = performance.now();
  const got = index.search(query, { principal: 'p', now: 0 }, DEPTH).ranked.map((x) => x.seq);
  const tb = performance.now() - t;
  if (got.join() !== want.join()) throw new Error(`round ${round}: the top ${DEPTH} differ`);
  if (round === 0) continue; // warm-up
  a.push(ta);
  b.push(tb);
}
console.log(`${N} × ${DIMS}, depth ${DEPTH}, ${ROUNDS} rounds (same top k every round)`);
console.log(
  `A scalar JS scan:     median ${median(a).toFixed(1)} ms  [${a.map((x) => x.toFixed(1)).join(', ')}]`,
);
console.log(
  `B SIMD + exact rescore: median ${median(b).toFixed(1)} ms  [${b.map((x) => x.toFixed(1)).join(', ')}]`,
);
console.log(`load average at end: ${load()}`);
