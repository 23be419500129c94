/**
 * A small LRU of values computed from the store, valid for one store generation. Any committed write or purge
 * bumps the generation, so a hit is always exactly what the computation would return now. Two uses:
 *   - rendered list and search pages: repeated identical reads (agents re-asking the same question, a page
 *     polled by a dashboard) become a map lookup;
 *   - `total`s: paging through one result (same filters, other offsets) counts the matches once per
 *     generation instead of once per page, which is most of the cost of a page at 100k memories.
 */
export class GenerationCache<T> {
  readonly #entries = new Map<string, { generation: number; value: T; size: number }>();
  readonly #maxEntries: number;
  readonly #maxSize: number;
  readonly #sizeOf: (value: T) => number;
  #size = 0;
  readonly enabled: boolean;

  constructor(
    options: { enabled?: boolean; maxEntries?: number; maxSize?: number; sizeOf?: (value: T) => number } = {},
  ) {
    this.enabled = options.enabled ?? true;
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    this.#sizeOf = options.sizeOf ?? (() => 1);
  }

  /** The cached value for a key if it was computed at this generation. */
  get(key: string, generation: number): T | undefined {
    if (!this.enabled) return undefined;
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    this.#entries.delete(key);
    if (hit.generation !== generation) {
      this.#size -= hit.size;
      return undefined;
    }
    this.#entries.set(key, hit); // most recently used last
    return hit.value;
  }

  /** Remember a value computed at a generation, evicting the least recently used entries beyond the bounds. */
  set(key: string, generation: number, value: T): void {
    if (!this.enabled) return;
    const size = this.#sizeOf(value);
    if (size > this.#maxSize / 4) return;
    const old = this.#entries.get(key);
    if (old) {
      this.#size -= old.size;
      this.#entries.delete(key);
    }
    this.#entries.set(key, { generation, value, size });
    this.#size += size;
    for (const [k, v] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#size <= this.#maxSize) break;
      this.#entries.delete(k);
      this.#size -= v.size;
    }
  }

  /** Cached value, or computed (and cached) with `compute` at the current generation. */
  through(key: string, generation: number, compute: () => T): T {
    const hit = this.get(key, generation);
    if (hit !== undefined) return hit;
    const value = compute();
    this.set(key, generation, value);
    return value;
  }

  /** `through` for an asynchronous computation; the value is kept under the generation asked for. */
  async throughAsync(key: string, generation: number, compute: () => Promise<T>): Promise<T> {
    const hit = this.get(key, generation);
    if (hit !== undefined) return hit;
    const value = await compute();
    this.set(key, generation, value);
    return value;
  }
}

/** The page cache: rendered JSON bodies, bounded to 32 MiB of text. */
export const pageCache = (enabled: boolean): GenerationCache<string> =>
  new GenerationCache<string>({
    enabled,
    maxEntries: 1000,
    maxSize: 32 * 1024 * 1024,
    sizeOf: (s) => s.length,
  });
