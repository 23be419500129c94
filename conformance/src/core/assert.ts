/** Small pure helpers for comparing JSON values and describing differences in failure messages. */

/** Deep JSON equality: member order of objects is not significant, array order is. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (typeof a === 'object') {
    if (Array.isArray(b)) return false;
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const ak = Object.keys(ao);
    if (ak.length !== Object.keys(bo).length) return false;
    return ak.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
  }
  return false;
}

/** First differing JSON Pointer between two values, with both sides, for a readable failure message. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (jsonEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length)
        return `${path || '/'}: length ${a.length} ≠ ${b.length} (${short(a)} vs ${short(b)})`;
      for (let i = 0; i < a.length; i++) {
        const d = firstDifference(a[i], b[i], `${path}/${i}`);
        if (d) return d;
      }
    } else {
      const ao = a as Record<string, unknown>;
      const bo = b as Record<string, unknown>;
      for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
        if (!Object.hasOwn(ao, k)) return `${path}/${k}: absent ≠ ${short(bo[k])}`;
        if (!Object.hasOwn(bo, k)) return `${path}/${k}: ${short(ao[k])} ≠ absent`;
        const d = firstDifference(ao[k], bo[k], `${path}/${k}`);
        if (d) return d;
      }
    }
  }
  return `${path || '/'}: ${short(a)} ≠ ${short(b)}`;
}

/** A JSON value shortened for a message. */
export function short(v: unknown, max = 120): string {
  let s: string;
  try {
    s = v === undefined ? 'undefined' : JSON.stringify(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Whether a Content-Type header is JSON (application/json, parameters allowed, case-insensitive). */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  return value.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** Parse a server timestamp to epoch ms, or NaN. */
export function ms(ts: unknown): number {
  return typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
}
