/**
 * The recall collection (scenarios/recall/README.md): loading, and the ranking metrics every consumer computes
 * the same way (the bench, the server tests and the conformance runner's relevance checks).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One memory of a persona, as created through the API. */
export interface RecallMemory {
  id: string;
  content: string;
  type: 'semantic' | 'episodic' | 'procedural' | 'working';
  tags: string[];
}

/** The ways agents phrase a query (see the schema's `kind`). */
export type QueryKind = 'question' | 'fragment' | 'paraphrase' | 'typo' | 'inflection';

/** One query with graded relevant memory ids (gain 1–3). */
export interface RecallQuery {
  id: string;
  q: string;
  language: string;
  kind: QueryKind;
  relevant: Record<string, number>;
}

/** One persona file. */
export interface RecallPersona {
  persona: { id: string; name: string; language: string; description: string };
  memories: RecallMemory[];
  queries: RecallQuery[];
}

/** The folder holding the persona files. */
export const collectionDir = join(dirname(fileURLToPath(import.meta.url)), 'collection');

/** Every persona file of the collection, in file-name order. */
export function loadCollection(dir: string = collectionDir): RecallPersona[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RecallPersona);
}

/** The ids a query counts as "found": those of its highest gain. */
export function answerIds(q: RecallQuery): Set<string> {
  const best = Math.max(...Object.values(q.relevant));
  return new Set(
    Object.entries(q.relevant)
      .filter(([, g]) => g === best)
      .map(([id]) => id),
  );
}

/** Whether an answering memory is among the first `k` results. */
export function recallAt(q: RecallQuery, ranked: readonly string[], k: number): number {
  const answers = answerIds(q);
  return ranked.slice(0, k).some((id) => answers.has(id)) ? 1 : 0;
}

/** 1/rank of the first answering memory within the first `k` (default 10), else 0. */
export function reciprocalRank(q: RecallQuery, ranked: readonly string[], k = 10): number {
  const answers = answerIds(q);
  const i = ranked.slice(0, k).findIndex((id) => answers.has(id));
  return i < 0 ? 0 : 1 / (i + 1);
}

/** nDCG@k with gains 2^g − 1 and log2(rank + 1) discounts. */
export function ndcgAt(q: RecallQuery, ranked: readonly string[], k: number): number {
  const dcg = (gains: number[]) => gains.reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
  const got = ranked.slice(0, k).map((id) => q.relevant[id] ?? 0);
  const ideal = Object.values(q.relevant)
    .sort((a, b) => b - a)
    .slice(0, k);
  const best = dcg(ideal);
  return best === 0 ? 0 : dcg(got) / best;
}

/** Mean recall@5, MRR and nDCG@10 over queries with their ranked ids. */
export function summarise(runs: readonly { query: RecallQuery; ranked: readonly string[] }[]): {
  n: number;
  recall5: number;
  mrr: number;
  ndcg10: number;
} {
  const n = runs.length;
  if (n === 0) return { n, recall5: 0, mrr: 0, ndcg10: 0 };
  const mean = (f: (r: (typeof runs)[number]) => number) => runs.reduce((s, r) => s + f(r), 0) / n;
  return {
    n,
    recall5: mean((r) => recallAt(r.query, r.ranked, 5)),
    mrr: mean((r) => reciprocalRank(r.query, r.ranked)),
    ndcg10: mean((r) => ndcgAt(r.query, r.ranked, 10)),
  };
}
