/**
 * Typo tolerance for keyword search, in the manner of Meilisearch and Elasticsearch's `fuzziness: AUTO`: a query
 * word that occurs nowhere in the index is replaced by the indexed terms within a small edit distance of it.
 * Only unknown words are expanded, so a correctly spelt word never matches its neighbours; the first character
 * must agree (typos there are rare, and it keeps the vocabulary scan to one initial letter).
 */
import type { QueryTerm } from './tokenize.ts';

/** Edits allowed for a word of this many characters: none below 5, one up to 8, two from 9. */
export function allowedEdits(length: number): number {
  if (length < 5) return 0;
  return length < 9 ? 1 : 2;
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transposition) between `a` and `b`, or
 * `max + 1` as soon as it must exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d = Math.min(d, (prev2[j - 2] as number) + 1);
      }
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[t.length] as number;
}

/** An indexed term and the number of memories holding it. */
export interface VocabTerm {
  term: string;
  docs: number;
}

/** At most this many corrections are added for one unknown word. */
const MAX_CORRECTIONS = 3;

/**
 * Add corrections to every query word none of whose terms is indexed. `known` says whether a term is indexed;
 * `startingWith` lists the indexed terms with a given first character.
 */
export function withCorrections(
  terms: readonly QueryTerm[],
  known: (term: string) => boolean,
  startingWith: (first: string) => readonly VocabTerm[],
): QueryTerm[] {
  return terms.map((qt) => {
    if (/\p{N}/u.test(qt.token) || qt.terms.some(known)) return qt;
    // The word and its stems are each compared: `alergies` is two edits from nothing indexed, but its stem
    // `alerg` is one from `allerg`, the stem of `allergic`.
    const found = new Map<string, { distance: number; docs: number }>();
    for (const term of qt.terms) {
      const edits = allowedEdits([...term].length);
      if (edits === 0) continue;
      for (const v of startingWith([...term][0] as string)) {
        const distance = editDistance(term, v.term, edits);
        const seen = found.get(v.term);
        if (distance <= edits && (!seen || distance < seen.distance))
          found.set(v.term, { distance, docs: v.docs });
      }
    }
    const extra = [...found]
      .sort(([a, x], [b, y]) => x.distance - y.distance || y.docs - x.docs || (a < b ? -1 : 1))
      .slice(0, MAX_CORRECTIONS)
      .map(([term]) => term);
    return extra.length === 0 ? qt : { token: qt.token, terms: [...qt.terms, ...extra] };
  });
}
