/** Keyword tokenisation and relevance as SPEC.md §6.1 defines them, and timestamp helpers of §3.6. */

const RUN = /[\p{L}\p{M}\p{N}]+/gu;
const HAS_LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
const MARKS = /\p{M}/gu;

/** Fold a token: drop diacritics (decompose, remove marks), then case-fold (upper then lower handles ß → ss). */
function fold(token: string): string {
  return token.normalize('NFD').replace(MARKS, '').toUpperCase().toLowerCase();
}

/** The folded tokens of a text, in order (§6.1 rule 1 and 2). */
export function tokenise(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(RUN)) if (HAS_LETTER_OR_NUMBER.test(m[0])) out.push(fold(m[0]));
  return out.filter((t) => t.length > 0);
}

/** Relevance of a content for the distinct query tokens, or null when it does not match them all (AND). */
export function relevance(queryTokens: ReadonlySet<string>, content: string): number | null {
  const tokens = tokenise(content);
  const present = new Set(tokens);
  for (const q of queryTokens) if (!present.has(q)) return null;
  // The query tokens' share of the content: shorter contents dominated by the query rank first (§6.1 rule 4).
  const hits = tokens.filter((t) => queryTokens.has(t)).length;
  return hits / tokens.length;
}

const TS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Whether a string is a timestamp of §3.6: UTC with `Z`, 0 to 9 fractional digits, a real calendar date. */
export function isTimestamp(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const m = TS.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 59 || d < 1) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

/** A sortable key of a timestamp: seconds part plus nine fractional digits. */
export function tsKey(s: string): string {
  const m = TS.exec(s);
  if (!m) return s;
  return `${s.slice(0, 19)}.${(m[7] ?? '').padEnd(9, '0')}`;
}

/** Format a millisecond time as the server writes it: three fractional digits, or six with `micro`. */
export function formatTime(ms: number, micro = false): string {
  const iso = new Date(ms).toISOString();
  return micro ? iso.replace('Z', '000Z') : iso;
}

/** Milliseconds of a timestamp (fraction beyond ms dropped). */
export function tsMs(s: string): number {
  return Date.parse(`${s.slice(0, 19)}Z`) + Number((TS.exec(s)?.[7] ?? '').padEnd(3, '0').slice(0, 3));
}

const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (s: string) => !LONE.test(s);

/** Whether a JSON value holds a string with an unpaired surrogate anywhere (not Unicode text, §4.1). */
export function hasLoneSurrogate(v: unknown): boolean {
  if (typeof v === 'string') return !wellFormed(v);
  if (Array.isArray(v)) return v.some(hasLoneSurrogate);
  if (v && typeof v === 'object')
    return Object.entries(v).some(([k, x]) => !wellFormed(k) || hasLoneSurrogate(x));
  return false;
}
