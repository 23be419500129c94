/**
 * The benchmark's operations over HTTP, built for a store of n corpus memories (bench/corpus.ts): get by id,
 * a filtered list (type + tag, about a fifth of the store), the last page of the whole store by offset and by
 * cursor (SPEC.md §5.2), keyword searches (a rare term, a term in half the store, an 8-word question), durable
 * creates, and the mixed workload (10 % creates, 45 % filtered lists, 45 % keyword searches).
 */

import { COMMON_TERM, createBodyAt, memoryAt, QUESTION, RARE_TERM } from './corpus.ts';
import type { Operation } from './load-driver.ts';

/** The filtered list: type and tag, first page (about 20 % of the corpus matches). */
export const FILTERED_LIST = '/v1/memories?type=semantic&tags=preferences';
/** Page size of the deep pages (the largest a list allows, OMP-LIST-006). */
export const DEEP_LIMIT = 100;

/** A keyword search request. */
const search = (q: string): ReturnType<Operation['next']> => ({
  method: 'POST',
  path: '/v1/memories/search',
  body: JSON.stringify({ q }),
});

/** Keyword search operations: rare term, common term, natural question. */
export function searchOps(): Record<'rare' | 'common' | 'question', Operation> {
  return {
    rare: { name: `search rare term "${RARE_TERM}"`, next: () => search(RARE_TERM) },
    common: { name: `search common term "${COMMON_TERM}" (half the store)`, next: () => search(COMMON_TERM) },
    question: { name: 'search 8-word question', next: () => search(QUESTION) },
  };
}

/**
 * Semantic and hybrid search of the 8-word question: the server embeds the query with its model on every
 * request (no cache), so these are what a user's request costs, the model included.
 */
export function semanticOps(): Record<'semantic' | 'hybrid', Operation> {
  const body = (mode: string): ReturnType<Operation['next']> => ({
    method: 'POST',
    path: '/v1/memories/search',
    body: JSON.stringify({ q: QUESTION, mode }),
  });
  return {
    semantic: { name: 'semantic search, 8-word question', next: () => body('semantic') },
    hybrid: { name: 'hybrid search, 8-word question', next: () => body('hybrid') },
  };
}

/** Get one memory by a random id of the n in the store. */
export function getOp(n: number): Operation {
  return {
    name: 'get by id (random)',
    next: () => ({ method: 'GET', path: `/v1/memories/${memoryAt(Math.floor(Math.random() * n)).id}` }),
  };
}

/** The filtered list's first page. */
export function filteredListOp(): Operation {
  return { name: 'list type+tag (~20 %), first page', next: () => ({ method: 'GET', path: FILTERED_LIST }) };
}

/** The page of DEEP_LIMIT memories at `offset` of the unfiltered list. */
export function deepOffsetOp(offset: number, page: number): Operation {
  return {
    name: `list page ${page} (limit ${DEEP_LIMIT}) by offset`,
    next: () => ({ method: 'GET', path: `/v1/memories?limit=${DEEP_LIMIT}&offset=${offset}` }),
  };
}

/** The page after one of `cursors` (the deepest pages of the unfiltered list), by cursor. */
export function deepCursorOp(cursors: readonly string[], page: number): Operation {
  return {
    name: `list page ~${page} (limit ${DEEP_LIMIT}) by cursor`,
    next: () => ({
      method: 'GET',
      path: `/v1/memories?limit=${DEEP_LIMIT}&cursor=${cursors[Math.floor(Math.random() * cursors.length)]}`,
    }),
  };
}

let created = 0;
/** A durable create of a new corpus-like memory. */
export function createOp(): Operation {
  return {
    name: 'create (durable)',
    next: () => ({
      method: 'POST',
      path: '/v1/memories',
      body: JSON.stringify(createBodyAt(created++ % 50_000)),
    }),
  };
}

/** The mixed workload: 10 % creates, 45 % filtered lists, 45 % keyword searches (rare, common, question). */
export function mixedOps(): Operation[] {
  const queries = [RARE_TERM, COMMON_TERM, QUESTION];
  return [
    { ...createOp(), name: 'create', weight: 10 },
    { ...filteredListOp(), name: 'filtered list', weight: 45 },
    {
      name: 'keyword search (rare, common, question)',
      weight: 45,
      next: () => search(queries[Math.floor(Math.random() * queries.length)] ?? RARE_TERM),
    },
  ];
}

/**
 * Cursors that lead to the last `keep` full pages of the unfiltered list (pages of DEEP_LIMIT), with the number
 * of the deepest: page n / DEEP_LIMIT, the 1,000th at 100k. Every list response carries a cursor to the page
 * after it (OMP-LIST-017), so one offset request reaches the depth and the cursors then walk from there.
 */
export async function deepCursors(
  url: string,
  headers: Record<string, string>,
  n: number,
  keep = 8,
): Promise<{ cursors: string[]; page: number }> {
  const pages = Math.floor(n / DEEP_LIMIT);
  const first = Math.max(1, pages - keep); // the page whose cursor leads to the first kept page
  const cursors: string[] = [];
  let path = `/v1/memories?limit=${DEEP_LIMIT}&offset=${(first - 1) * DEEP_LIMIT}`;
  for (let page = first; page < pages; page++) {
    const res = await fetch(url + path, { headers });
    if (!res.ok) throw new Error(`walking by cursor: HTTP ${res.status} at page ${page}`);
    const cursor = ((await res.json()) as { next_cursor: string | null }).next_cursor;
    if (cursor === null) throw new Error(`walking by cursor: the list ended at page ${page} of ${pages}`);
    cursors.push(cursor);
    path = `/v1/memories?limit=${DEEP_LIMIT}&cursor=${cursor}`;
  }
  return { cursors, page: pages };
}
