/**
 * Keyword-search text analysis (SPEC.md §6.1). Three layers:
 *
 * 1. `tokenize` — the normative part, pinned by spec/vectors/tokenize.json: NFKC, runs of letters, marks and
 *    numbers, CJK runs cut into overlapping bigrams (Lucene's CJK analyzer does the same), case and diacritic
 *    folding. Every server must produce these tokens.
 * 2. `termsOf` — this server's index terms for a token: the token itself plus its Snowball stems in English,
 *    German, Spanish and French (`@orama/stemmers`), folded the same way. The language of a memory is not known
 *    and guessing it from a sentence is unreliable, so every stem is indexed; a stem shared across languages
 *    (`allergies` / `Allergien` → `allergi`) is a useful conflation, not noise.
 * 3. `queryTerms` — a query's tokens, minus the stop words of the query's language when that language can be
 *    told from the stop words it contains (questions can; two-word fragments cannot and keep every token), each
 *    with the terms that match it.
 *
 * Index text handed to SQLite is the space-separated terms, indexed with FTS5's `ascii` tokenizer: every
 * non-ASCII character is a token character there, so SQLite cannot split or fold a term differently from us.
 */
import { stemmer as english } from '@orama/stemmers/english';
import { stemmer as french } from '@orama/stemmers/french';
import { stemmer as german } from '@orama/stemmers/german';
import { stemmer as spanish } from '@orama/stemmers/spanish';
import { stopwords as enStop } from '@orama/stopwords/english';
import { stopwords as frStop } from '@orama/stopwords/french';
import { stopwords as deStop } from '@orama/stopwords/german';
import { stopwords as esStop } from '@orama/stopwords/spanish';

/** The Unicode version whose character properties the spec pins (§6.1); Node 24 ships a later one. */
export const UNICODE_VERSION = '16.0';

const RUN = /[\p{L}\p{M}\p{N}]+/gu;
const HAS_LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
/** Han, Hiragana, Katakana and Hangul, by Script_Extensions so that ー, 々 and the iteration marks belong. */
const CJK = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u;
const CJK_SPLIT = /([\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]+)/u;
/** Combining Diacritical Marks: the accents of Latin, Greek and Cyrillic letters after NFKD. */
const DIACRITICS = /[\u0300-\u036f]/g;

/** Characters where JavaScript's uppercase-then-lowercase differs from Unicode full case folding. */
const FOLD_EXCEPTIONS = /[\u0131\u1e9e\u13a0-\u13fd\uab70-\uabbf]/u;

/**
 * Unicode full case folding (CaseFolding.txt, statuses C and F). Uppercasing then lowercasing is exactly that
 * for every assigned character but three groups, handled one by one: dotless ı stays ı, capital ẞ folds to ss,
 * and Cherokee folds to its capital letters (the case pairs were added after the capitals).
 */
function caseFold(s: string): string {
  if (!FOLD_EXCEPTIONS.test(s)) return s.toUpperCase().toLowerCase();
  let out = '';
  for (const ch of s) {
    if (ch === '\u0131') out += ch;
    else if (ch === '\u1e9e') out += 'ss';
    else if (/[\u13a0-\u13fd\uab70-\uabbf]/u.test(ch)) out += ch.toUpperCase();
    else out += ch.toUpperCase().toLowerCase();
  }
  return out;
}

/**
 * Fold one token (SPEC.md §6.1 rule 2): full case folding, then compatibility decomposition, the Combining
 * Diacritical Marks (U+0300–U+036F) removed, and canonical composition. Case folding runs first so that the
 * dot İ leaves behind goes with the other diacritics; NFC recomposes kana with their voicing marks (ガ stays ガ).
 */
export function fold(token: string): string {
  return caseFold(token).normalize('NFKD').replace(DIACRITICS, '').normalize('NFC');
}

/** A token and whether it came from a CJK run (a bigram or a one-character run). */
export interface Token {
  text: string;
  cjk: boolean;
}

const HAN = /\p{sc=Han}/u;
const HIRAGANA_ONLY = /^[\p{sc=Hiragana}ー]+$/u;

function cjkTokens(run: string, out: Token[], hanUnigrams: boolean): void {
  const chars = [...run];
  if (chars.length === 1) {
    out.push({ text: fold(run), cjk: true });
    return;
  }
  for (let i = 0; i + 1 < chars.length; i++)
    out.push({ text: fold(`${chars[i]}${chars[i + 1]}`), cjk: true });
  // A Han character is often a word by itself (猫, 弟, 母): the server also indexes it alone, so that 弟は and
  // 弟の meet. Kana and Hangul characters alone are syllables, too common to be worth a term.
  if (hanUnigrams) for (const c of chars) if (HAN.test(c)) out.push({ text: fold(c), cjk: true });
}

/**
 * The tokens of a text in order, repeats included (SPEC.md §6.1 rules 1–2; spec/vectors/tokenize.json).
 * `hanUnigrams` adds each Han character of a longer CJK run as a token of its own, after the run's bigrams:
 * this server's choice for its index and queries, not part of the normative tokens.
 */
export function tokenize(text: string, hanUnigrams = false): Token[] {
  const out: Token[] = [];
  for (const [run] of text.normalize('NFKC').matchAll(RUN)) {
    if (!HAS_LETTER_OR_NUMBER.test(run)) continue; // marks alone (a variation selector) are not a token
    for (const part of run.split(CJK_SPLIT)) {
      if (part === '' || !HAS_LETTER_OR_NUMBER.test(part)) continue;
      if (CJK.test(part)) cjkTokens(part, out, hanUnigrams);
      else out.push({ text: fold(part), cjk: false });
    }
  }
  return out;
}

const STEMMERS = [english, german, spanish, french];
const stemCache = new Map<string, string[]>();

/** The index terms of one token: itself, and for words of 3+ characters their folded stems. */
export function termsOf(token: Token): string[] {
  if (token.cjk || token.text.length < 3 || /\p{N}/u.test(token.text)) return [token.text];
  const cached = stemCache.get(token.text);
  if (cached) return cached;
  const terms = new Set([token.text]);
  for (const stem of STEMMERS) {
    const s = fold(stem(token.text));
    if (s.length >= 2) terms.add(s);
  }
  const out = [...terms];
  if (stemCache.size > 50_000) stemCache.clear(); // bounded: stems of arbitrary input are not kept forever
  stemCache.set(token.text, out);
  return out;
}

/** The text indexed for a memory's content: its distinct-per-position terms, space-separated. */
export function indexText(content: string): string {
  const out: string[] = [];
  for (const token of tokenize(content, true)) out.push(...termsOf(token));
  return out.join(' ');
}

const STOP_LISTS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['en', new Set(enStop.map(fold))],
  ['de', new Set(deStop.map(fold))],
  ['es', new Set(esStop.map(fold))],
  ['fr', new Set(frStop.map(fold))],
]);

/** The language whose stop words the query uses most (at least two of them), or null. */
function stopLanguage(tokens: readonly Token[]): ReadonlySet<string> | null {
  let best: ReadonlySet<string> | null = null;
  let bestHits = 1;
  for (const list of STOP_LISTS.values()) {
    const hits = tokens.filter((t) => !t.cjk && list.has(t.text)).length;
    if (hits > bestHits) {
      best = list;
      bestHits = hits;
    }
  }
  return best;
}

/** At most this many distinct query tokens are searched (SPEC.md §6.1 lets a server bound the work). */
export const MAX_QUERY_TOKENS = 32;

/** One query token and the index terms that match it. */
export interface QueryTerm {
  token: string;
  terms: string[];
}

/**
 * The distinct tokens of a query that take part in matching, each with its terms; empty when the query has no
 * token (OMP-SEARCH-007). Stop words go only when something else remains.
 */
export function queryTerms(q: string): QueryTerm[] {
  const seen = new Set<string>();
  const tokens = tokenize(q, true).filter((t) => !seen.has(t.text) && seen.add(t.text));
  const stop = stopLanguage(tokens);
  // Japanese has no stop-word list to detect, but its grammar (particles, endings: は, を, ですか) is written
  // in hiragana and its content words mostly in kanji and katakana: a query drops its hiragana-only bigrams.
  const kept = tokens.filter((t) => (t.cjk ? !HIRAGANA_ONLY.test(t.text) : !stop?.has(t.text)));
  const chosen = (kept.length > 0 ? kept : tokens).slice(0, MAX_QUERY_TOKENS);
  return chosen.map((t) => ({ token: t.text, terms: termsOf(t) }));
}

/** One term as an FTS5 string literal: never an operator, whatever it contains (OMP-SEARCH-006). */
export function ftsString(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

/** An FTS5 expression matching any term of any query token (OR); callers never pass an empty list. */
export function anyOf(terms: readonly QueryTerm[]): string {
  const all = new Set(terms.flatMap((t) => t.terms));
  return [...all].map(ftsString).join(' OR ');
}
