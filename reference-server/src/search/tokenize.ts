/**
 * Keyword-search text handling (SPEC.md §6.1). Tokens are maximal runs of Unicode letters, combining marks and
 * numbers. SQLite's unicode61 tokenizer uses Unicode 6.1 tables and treats some symbols (newer emoji, unassigned
 * code points) as token characters, so the store never hands it raw content: `indexText` turns every other
 * character into a space first, and queries are built from `queryTokens`, each quoted as an FTS5 string. SQLite
 * then only folds case and removes diacritics, and the two sides cannot disagree about what a token is.
 */

const SEPARATORS = /[^\p{L}\p{M}\p{N}]+/gu;
const TOKEN = /[\p{L}\p{M}\p{N}]+/gu;

/** The text given to the full-text index for a memory's content: only tokens, separated by single spaces. */
export function indexText(content: string): string {
  return content.replace(SEPARATORS, ' ');
}

/** The distinct tokens of a query, in order of first appearance; empty when the query has none (OMP-SEARCH-007). */
export function queryTokens(q: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const [token] of q.matchAll(TOKEN)) {
    const key = token.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(token);
  }
  return out;
}

/** One token as an FTS5 string literal: never an operator, whatever it contains (OMP-SEARCH-006). */
export function ftsString(token: string): string {
  return `"${token.replaceAll('"', '""')}"`;
}

/** An FTS5 expression requiring every token (AND); callers never pass an empty list. */
export function allOf(tokens: readonly string[]): string {
  return tokens.map(ftsString).join(' AND ');
}
