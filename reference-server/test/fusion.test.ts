/** Hybrid search's rank fusion (search/fusion.ts), shared by the SQLite and PostgreSQL stores: table-driven. */
import { expect, test } from 'vitest';
import { fuseRankings, hybridTotal } from '../src/search/fusion.ts';

const newerFirst = (a: number, b: number) => b - a; // seqs stand in for creation order here

test.each([
  {
    why: 'found by both rankings beats first place in one',
    keyword: [1, 2],
    semantic: [3, 2],
    want: [2, 3, 1],
  },
  { why: 'semantic first place outweighs keyword first place', keyword: [1], semantic: [2], want: [2, 1] },
  { why: 'no matches, nothing fused', keyword: [], semantic: [], want: [] },
  { why: 'one ranking alone keeps its order', keyword: [5, 6], semantic: [], want: [5, 6] },
  {
    why: 'keyword weight 0.5: keyword #1 (0.5/61) below semantic #2 (1/62)',
    keyword: [7],
    semantic: [8, 9],
    want: [8, 9, 7],
  },
])('$why', ({ keyword, semantic, want }) => {
  expect(fuseRankings(keyword, semantic, newerFirst)).toEqual(want);
});

test('equal fused scores fall back to the tie order (newer first)', () => {
  // Keyword #1 scores 0.5 / 61 and semantic #62 scores 1 / 122: the same number.
  const fillers = Array.from({ length: 61 }, (_, i) => 1000 + i);
  const order = fuseRankings([100], [...fillers, 200], newerFirst);
  expect(order.indexOf(200) + 1).toBe(order.indexOf(100));
});

test('total: semantic matches plus ranked keyword matches without a vector, never below the keyword total', () => {
  expect(hybridTotal(10, 2, 5)).toBe(12);
  expect(hybridTotal(1, 0, 7)).toBe(7);
});
