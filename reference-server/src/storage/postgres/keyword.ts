/**
 * The keyword index on Postgres full-text search. The server analyses text itself (search/tokenize.ts: folding,
 * CJK bigrams, stems) exactly as for the SQLite store and hands Postgres finished lexemes: a tsvector literal
 * with positions (no Postgres parser, dictionary or stemmer is involved), and tsqueries of quoted lexemes, so a
 * query's quotes and operators are never syntax (OMP-SEARCH-006).
 *
 * Differences from the SQLite store, inside what SPEC.md §6.1 allows: no typo conflation (OMP-SEARCH-035 is a
 * MAY); a term longer than 2046 bytes is not indexed (a Postgres lexeme limit); a token past position 16383
 * is indexed at 16383 and at most 255 positions of one term count (tsvector limits), which only flattens the
 * term frequency of very long contents. Ranking is ts_rank per query token (normalisation 1: divided by
 * 1 + log(length)), weighted by the token's BM25 idf and summed: more distinct tokens, rarer tokens and a larger
 * share of a shorter content all rank higher (OMP-SEARCH-011, 033, 034).
 */
import { type QueryTerm, termsOf, tokenize } from '../../search/tokenize.ts';

const MAX_LEXEME_BYTES = 2046;
const MAX_POSITION = 16383;
const MAX_POSITIONS = 255;

const fits = (term: string): boolean => term !== '' && Buffer.byteLength(term) <= MAX_LEXEME_BYTES;

/** A lexeme quoted for tsvector/tsquery input: never an operator, whatever it contains. */
export function quoteLexeme(term: string): string {
  return `'${term.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** The tsvector text of a memory's content: the server's index terms with their token positions. */
export function tsvectorText(content: string): string {
  const positions = new Map<string, number[]>();
  let pos = 0;
  for (const token of tokenize(content, true)) {
    pos = Math.min(pos + 1, MAX_POSITION);
    for (const term of termsOf(token)) {
      if (!fits(term)) continue;
      const list = positions.get(term) ?? [];
      if (list.length < MAX_POSITIONS && list.at(-1) !== pos) list.push(pos);
      positions.set(term, list);
    }
  }
  return [...positions].map(([t, ps]) => `${quoteLexeme(t)}:${ps.join(',')}`).join(' ');
}

/** One tsquery per query token (its terms ORed), leaving out tokens without an indexable term. */
export function tokenQueries(terms: readonly QueryTerm[]): string[] {
  const out: string[] = [];
  for (const t of terms) {
    const lexemes = [...new Set(t.terms.filter(fits))];
    if (lexemes.length > 0) out.push(lexemes.map(quoteLexeme).join(' | '));
  }
  return out;
}

/** BM25's idf of a token found in `n` of `total` memories. */
export function idf(n: number, total: number): number {
  return Math.log(1 + (total - n + 0.5) / (n + 0.5));
}
