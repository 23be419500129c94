/**
 * Small statistics for the benchmark: exact latency percentiles from recorded samples, the median and range of
 * repetitions, and how a cost grows with the store (the growth table's verdict).
 */

/** Latency samples of one operation, milliseconds; exact percentiles (runs are seconds long, samples are few). */
export class Latencies {
  #samples: number[] = [];
  #sorted = true;

  /** Record one request's latency, ms. */
  record(ms: number): void {
    this.#samples.push(ms);
    this.#sorted = false;
  }

  get count(): number {
    return this.#samples.length;
  }

  /** The p-th percentile (0 < p <= 100) by the nearest-rank method; NaN without samples. */
  percentile(p: number): number {
    if (this.#samples.length === 0) return Number.NaN;
    if (!this.#sorted) {
      this.#samples.sort((a, b) => a - b);
      this.#sorted = true;
    }
    const rank = Math.ceil((p / 100) * this.#samples.length);
    return this.#samples[Math.min(this.#samples.length, Math.max(1, rank)) - 1] as number;
  }
}

/** Median of the finite values (mean of the middle two for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 === 1 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
}

/** A median with the range of the repetitions it came from. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median, minimum and maximum of repeated measurements (finite values only). */
export function spread(values: readonly number[]): Spread {
  const xs = values.filter(Number.isFinite);
  if (xs.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** A number for a table: integers above 100, one decimal above 10, two below; '-' for NaN. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return '-';
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** "median (min–max)" for a table cell. */
export function fmtSpread(s: Spread): string {
  if (!Number.isFinite(s.median)) return '-';
  return s.min === s.max ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

/** How a cost grows from the smallest to the largest store. */
export type Growth = 'flat' | 'logarithmic' | 'sublinear' | 'linear or worse';

/**
 * Classify a cost that went from `small` to `large` while the store grew `sizeLarge / sizeSmall` = R times.
 * Flat: at most 1.3 times (timer and machine noise); logarithmic: at most 1 + log10(R) times (2× for 10k -> 100k,
 * 3× for 10k -> 1M); linear or worse: at least R / 2 times; sublinear in between.
 */
export function classifyGrowth(small: number, large: number, sizeSmall: number, sizeLarge: number): Growth {
  const ratio = large / small;
  const r = sizeLarge / sizeSmall;
  if (ratio <= 1.3) return 'flat';
  if (ratio <= 1 + Math.log10(r)) return 'logarithmic';
  if (ratio >= r / 2) return 'linear or worse';
  return 'sublinear';
}
