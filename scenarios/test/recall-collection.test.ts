/**
 * The recall collection is valid against its schema, its ids are unique and resolvable, and it has the size and
 * spread the issue asks for (≥ 3 personas, ≥ 150 memories, ≥ 120 queries, ≥ 3 languages with one CJK, every
 * query kind). The metric helpers are checked on hand-computed rankings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  collectionDir,
  loadCollection,
  ndcgAt,
  type RecallQuery,
  recallAt,
  reciprocalRank,
} from '../recall/collection.ts';

const schema = JSON.parse(
  readFileSync(join(collectionDir, '..', 'collection.schema.json'), 'utf8'),
) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);
const personas = loadCollection();

describe('recall collection', () => {
  it.each(personas.map((p) => [p.persona.id, p] as const))('%s is valid and self-consistent', (_, p) => {
    expect(validate(p), JSON.stringify(validate.errors)).toBe(true);
    const ids = new Set(p.memories.map((m) => m.id));
    expect(ids.size).toBe(p.memories.length);
    expect(new Set(p.queries.map((q) => q.id)).size).toBe(p.queries.length);
    for (const q of p.queries) {
      for (const id of Object.keys(q.relevant)) expect(ids, `${q.id} → ${id}`).toContain(id);
      expect(q.language).toBe(p.persona.language);
    }
  });

  it('has the size and spread of the issue', () => {
    expect(personas.length).toBeGreaterThanOrEqual(3);
    expect(personas.reduce((n, p) => n + p.memories.length, 0)).toBeGreaterThanOrEqual(150);
    const queries = personas.flatMap((p) => p.queries);
    expect(queries.length).toBeGreaterThanOrEqual(120);
    const languages = new Set(queries.map((q) => q.language));
    expect(languages.size).toBeGreaterThanOrEqual(3);
    expect([...languages].some((l) => ['ja', 'zh', 'ko'].includes(l))).toBe(true);
    for (const p of personas) {
      const kinds = new Set(p.queries.map((q) => q.kind));
      expect([...kinds].sort()).toEqual(['fragment', 'inflection', 'paraphrase', 'question', 'typo']);
    }
  });
});

describe('metrics', () => {
  const q: RecallQuery = { id: 'en-q01', q: 'x', language: 'en', kind: 'question', relevant: { a: 3, b: 1 } };
  it('recall@k counts only the highest-gain memories', () => {
    expect(recallAt(q, ['b', 'x', 'a'], 2)).toBe(0);
    expect(recallAt(q, ['b', 'x', 'a'], 3)).toBe(1);
  });
  it('reciprocal rank is 1/rank of the first answer', () => {
    expect(reciprocalRank(q, ['x', 'a'])).toBe(0.5);
    expect(reciprocalRank(q, [])).toBe(0);
  });
  it('nDCG@10 is 1 for the ideal order and less otherwise', () => {
    expect(ndcgAt(q, ['a', 'b'], 10)).toBeCloseTo(1, 10);
    const swapped = (1 / 1 + 7 / Math.log2(3)) / (7 / 1 + 1 / Math.log2(3));
    expect(ndcgAt(q, ['b', 'a'], 10)).toBeCloseTo(swapped, 10);
  });
});
