/**
 * Top-k selection for rankings: keeps the k best of a stream in a bounded heap, O(n log k) instead of sorting
 * all n. Used by keyword search (keyword-index.ts) and semantic search (storage/vectors.ts).
 */
/** A scored memory. */
export interface Entry {
  seq: number;
  score: number;
}

/** A bounded heap keeping the k best entries under `better` (its root is the worst of them). */
export class TopK {
  readonly #k: number;
  readonly #better: (a: Entry, b: Entry) => boolean;
  readonly #heap: Entry[] = [];

  constructor(k: number, better: (a: Entry, b: Entry) => boolean) {
    this.#k = k;
    this.#better = better;
  }

  /** Consider one entry. */
  offer(seq: number, score: number): void {
    const h = this.#heap;
    if (this.#k <= 0) return;
    if (h.length < this.#k) {
      h.push({ seq, score });
      this.#up(h.length - 1);
      return;
    }
    const root = h[0] as Entry;
    // Cheap rejection first: most candidates score below the current k-th best.
    if (score < root.score) return;
    const e = { seq, score };
    if (!this.#better(e, root)) return;
    h[0] = e;
    this.#down(0);
  }

  /** The kept entries, best first. */
  sorted(): Entry[] {
    return [...this.#heap].sort((a, b) => (this.#better(a, b) ? -1 : this.#better(b, a) ? 1 : 0));
  }

  /** Sift toward the root while the entry is worse than its parent (worst on top). */
  #up(i: number): void {
    const h = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#better(h[parent] as Entry, h[i] as Entry)) break;
      [h[parent], h[i]] = [h[i] as Entry, h[parent] as Entry];
      i = parent;
    }
  }

  #down(i: number): void {
    const h = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && this.#better(h[worst] as Entry, h[l] as Entry)) worst = l;
      if (r < h.length && this.#better(h[worst] as Entry, h[r] as Entry)) worst = r;
      if (worst === i) return;
      [h[worst], h[i]] = [h[i] as Entry, h[worst] as Entry];
      i = worst;
    }
  }
}
