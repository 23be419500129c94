/**
 * Vectors in one WebAssembly memory, scored by a SIMD loop: the exact scan of a semantic search at 100k × 384
 * dimensions took 31–34 ms of CPU as scalar JavaScript over one Float32Array per memory; the same dot products as
 * f32x4 in WebAssembly take a fraction of that (bench/RESULTS.md, "Search level at 100k"). Each vector has a
 * slot of `stride` floats (its dimensions rounded up to a multiple of 8, zero-padded), so the loop has no tail.
 *
 * The SIMD sums are float32 and add in another order than the reference (a float64 sum in index order, the
 * score a search ranks by), so they are used only to pick candidates: `scoreBound` is a proven bound on the
 * difference, and vectors.ts rescores every memory that could be in the top k with the reference sum. The
 * module is dot-scan.wat beside this file, compiled with wabt 1.0.39 (`wat2wasm --enable-simd`); no build step
 * and no native dependency.
 */

/** dot-scan.wat compiled (270 bytes), base64; test/dot-scan-drift.test.ts recompiles the source and compares. */
export const DOT_SCAN_WASM =
  'AGFzbQEAAAABCgFgBn9/f39/fwADAgEABQMBAAEHEwIGbWVtb3J5AgAGc2NvcmVzAAAK2QEB1gECBH8CeyACQQJ0IQkCQANAIAYgBE8NASABIAMgBkECdGooAgAgCWxqIQf9DAAAAAAAAAAAAAAAAAAAAAAhCv0MAAAAAAAAAAAAAAAAAAAAACELQQAhCANAIAogByAIav0ABAAgACAIav0ABAD95gH95AEhCiALIAcgCGr9AAQQIAAgCGr9AAQQ/eYB/eQBIQsgCEEgaiEIIAggCUkNAAsgCiAL/eQBIQogBSAGQQJ0aiAK/R8AIAr9HwGSIAr9HwIgCv0fA5KSOAIAIAZBAWohBgwACwsL';

type ScoresFn = (q: number, base: number, stride: number, list: number, n: number, out: number) => void;

let compiled: WebAssembly.Module | undefined;

const PAGE = 65_536;

/** Float32 vectors in numbered slots of a WebAssembly memory, scored against a query in one call. */
export class VectorSlab {
  readonly dimensions: number;
  /** Floats per slot: dimensions rounded up to a multiple of 8 (two f32x4 per loop turn). */
  readonly stride: number;
  readonly #memory: WebAssembly.Memory;
  readonly #scores: ScoresFn;
  /** The query sits at byte 0; slots start at `#base`. */
  readonly #base: number;
  #heap: Float32Array;
  /** Slots handed out so far (the high-water mark); freed ones are reused first. */
  #used = 0;
  #free: number[] = [];

  constructor(dimensions: number) {
    this.dimensions = dimensions;
    this.stride = Math.ceil(dimensions / 8) * 8;
    compiled ??= new WebAssembly.Module(Buffer.from(DOT_SCAN_WASM, 'base64'));
    const instance = new WebAssembly.Instance(compiled);
    this.#memory = instance.exports.memory as WebAssembly.Memory;
    this.#scores = instance.exports.scores as ScoresFn;
    this.#base = this.stride * 4;
    this.#heap = new Float32Array(this.#memory.buffer);
  }

  /**
   * The most a SIMD score can differ from the reference score of the same vectors: |fl(x·y) − x·y| ≤ γₙ·|x|·|y|
   * with γₙ ≈ n·2⁻²⁴ for float32 products and sums of n terms (Higham, Accuracy and Stability of Numerical
   * Algorithms, §3.1), and |x|·|y| ≤ ‖x‖·‖y‖; twice that for margin, which also covers the reference's own
   * float64 rounding, plus an absolute term for underflow.
   */
  scoreBound(norm: number, queryNorm: number): number {
    return (this.stride + 8) * 2 ** -23 * norm * queryNorm + 1e-30;
  }

  /** Store a vector in a free slot; returns the slot. */
  add(v: Float32Array): number {
    const slot = this.#free.pop() ?? this.#used++;
    this.#reserve(this.#base + this.#used * this.stride * 4);
    this.set(slot, v);
    return slot;
  }

  /** Overwrite a slot's vector. */
  set(slot: number, v: Float32Array): void {
    const at = (this.#base >> 2) + slot * this.stride;
    this.#heap.set(v.subarray(0, this.dimensions), at);
    this.#heap.fill(0, at + this.dimensions, at + this.stride);
  }

  /** Give a slot back. */
  free(slot: number): void {
    this.#free.push(slot);
  }

  /** Forget every slot (the memory stays allocated for the next fill). */
  clear(): void {
    this.#used = 0;
    this.#free = [];
  }

  /** The reference score: the float64 dot product of a slot with `query`, in index order. */
  exact(slot: number, query: Float32Array): number {
    const h = this.#heap;
    const at = (this.#base >> 2) + slot * this.stride;
    let s = 0;
    for (let i = 0; i < this.dimensions; i++) s += (h[at + i] as number) * (query[i] as number);
    return s;
  }

  /**
   * SIMD scores of `query` against the slots that `fill` writes into the list it is given (at most `max` of
   * them); `fill` returns how many it wrote. The returned array is valid until the next call on this slab.
   */
  scores(query: Float32Array, max: number, fill: (list: Int32Array) => number): Float32Array {
    const list = this.#base + this.#used * this.stride * 4;
    const out = list + max * 4;
    this.#reserve(out + max * 4);
    this.set(-1, query); // the slot before slot 0: byte 0, where the loop reads the query
    const n = fill(new Int32Array(this.#memory.buffer, list, max));
    this.#scores(0, this.#base, this.stride, list, n, out);
    return new Float32Array(this.#memory.buffer, out, n);
  }

  /** Grow the memory to at least `bytes` (by half again at least, so filling a store grows it a few times). */
  #reserve(bytes: number): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes <= have) return;
    const want = Math.max(bytes, Math.ceil(have * 1.5));
    this.#memory.grow(Math.ceil((want - have) / PAGE));
    this.#heap = new Float32Array(this.#memory.buffer);
  }
}
