/**
 * A small LRU of rendered list and search pages, valid for one store generation. Any committed write or purge
 * bumps the generation, so a hit is always exactly what the query would return now. It turns repeated
 * identical reads (agents re-asking the same question, dashboards polling a page) into a map lookup; an
 * uncached read of a term in half of 100k memories costs tens of milliseconds of BM25 in SQLite.
 */
export class ResponseCache {
  readonly #entries = new Map<string, { generation: number; body: string }>();
  readonly #maxEntries: number;
  readonly #maxChars: number;
  #chars = 0;
  readonly enabled: boolean;

  constructor(options: { enabled?: boolean; maxEntries?: number; maxChars?: number } = {}) {
    this.enabled = options.enabled ?? true;
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#maxChars = options.maxChars ?? 32 * 1024 * 1024;
  }

  /** The cached body for a key if it was rendered at this generation. */
  get(key: string, generation: number): string | undefined {
    if (!this.enabled) return undefined;
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    this.#entries.delete(key);
    if (hit.generation !== generation) {
      this.#chars -= hit.body.length;
      return undefined;
    }
    this.#entries.set(key, hit); // most recently used last
    return hit.body;
  }

  /** Remember a body rendered at a generation, evicting the least recently used entries beyond the bounds. */
  set(key: string, generation: number, body: string): void {
    if (!this.enabled || body.length > this.#maxChars / 4) return;
    const old = this.#entries.get(key);
    if (old) {
      this.#chars -= old.body.length;
      this.#entries.delete(key);
    }
    this.#entries.set(key, { generation, body });
    this.#chars += body.length;
    for (const [k, v] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#chars <= this.#maxChars) break;
      this.#entries.delete(k);
      this.#chars -= v.body.length;
    }
  }
}
