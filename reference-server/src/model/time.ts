/**
 * Timestamps. Server-set ones are written with exactly three fractional digits (OMP-TIME-002); client-supplied
 * ones are stored as written and echoed byte for byte (OMP-TIME-003), so the store keeps two derived forms
 * beside each: a sort key that orders lexicographically, and an integer millisecond value for expiry checks.
 */

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** A server-set timestamp, e.g. `2026-11-23T10:24:05.123Z`. */
export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString();
}

function parts(ts: string): RegExpExecArray {
  const m = TIMESTAMP.exec(ts);
  if (!m) throw new Error('not an OMP timestamp'); // callers pass schema-validated values only
  return m;
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn`: nine fractional digits, so string order is time order for any input precision. */
export function sortKey(ts: string): string {
  const m = parts(ts);
  return `${ts.slice(0, 19)}.${(m[7] ?? '').padEnd(9, '0')}`;
}

/**
 * The instant rounded up to a whole millisecond. With an integer `now`, `instant <= now` holds exactly when
 * `ceilMs(instant) <= now`, which is the expiry test of OMP-EXP-001.
 */
export function ceilMs(ts: string): number {
  const m = parts(ts);
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  // Date.UTC maps years 0..99 to 19xx; build the date in a safe year, then set the real one.
  const date = new Date(Date.UTC(2000, (mo ?? 1) - 1, d, h, mi, s));
  date.setUTCFullYear(y ?? 2000);
  const frac = (m[7] ?? '').padEnd(9, '0');
  const wholeMs = Number(frac.slice(0, 3));
  const rest = Number(frac.slice(3));
  return date.getTime() + wholeMs + (rest > 0 ? 1 : 0);
}

/** The exact instant truncated to a millisecond, for "strictly later than" arithmetic on updated_at. */
export function floorMs(ts: string): number {
  const m = parts(ts);
  const frac = (m[7] ?? '').padEnd(9, '0');
  return ceilMs(`${ts.slice(0, 19)}Z`) + Number(frac.slice(0, 3));
}
