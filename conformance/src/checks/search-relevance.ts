/**
 * Search-level relevance (OMP-SEARCH-028): a label cannot pass. The bundled set (data/search-relevance.json)
 * asks questions that share no word with the memory answering them; a server that runs keyword search and
 * reports `mode_used: semantic` finds none of them, a meaning-based search finds most. (The model declaration
 * and imported embeddings, drafted here as OMP-SEARCH-027/029, are OMP-EMB-001/003: discovery.ts.)
 */
import { readFileSync } from 'node:fs';
import type { CheckContext } from '../core/harness.ts';
import { check } from '../core/registry.ts';
import type { Memory, SearchResponse } from '../core/wire.ts';
import { search } from './helpers.ts';
import { callOk } from './mcp-helpers.ts';

/** The bundled relevance set. */
export interface RelevanceSet {
  threshold: number;
  k: number;
  memories: { key: string; content: string }[];
  queries: { q: string; answer: string }[];
}

/** Read the bundled set (shipped in the package's data/ folder). */
export function relevanceSet(): RelevanceSet {
  return JSON.parse(
    readFileSync(new URL('../../data/search-relevance.json', import.meta.url), 'utf8'),
  ) as RelevanceSet;
}

/** Create the set's memories once per run, under a tag of their own so other memories cannot interfere. */
function relevanceFixture(t: CheckContext): Promise<{ tag: string; byKey: Map<string, Memory> }> {
  return t.fixture('search-relevance', async () => {
    const tag = `${t.run.tag}-rel`;
    const byKey = new Map<string, Memory>();
    for (const m of relevanceSet().memories) {
      byKey.set(m.key, await t.create({ content: m.content, tags: [t.run.tag, tag] }));
    }
    return { tag, byKey };
  });
}

check(
  'OMP-SEARCH-028',
  'MUST find paraphrased answers in the top 3 for 80% of the bundled queries, semantic and hybrid',
  async (t) => {
    const set = relevanceSet();
    const { tag, byKey } = await relevanceFixture(t);
    for (const mode of ['semantic', 'hybrid'] as const) {
      let found = 0;
      const misses: string[] = [];
      let last: Awaited<ReturnType<typeof search>>['res'] | undefined;
      for (const query of set.queries) {
        const { body, res } = await search(t.api, { q: query.q, mode, tags: [tag], limit: set.k });
        last = res;
        if (body.mode_used !== mode) t.fail(`mode ${mode}: mode_used is ${body.mode_used}`, res);
        const want = byKey.get(query.answer)?.id;
        if (body.memories.slice(0, set.k).some((m) => m.id === want)) found++;
        else misses.push(JSON.stringify(query.q));
      }
      const recall = found / set.queries.length;
      t.note(`${mode}: recall@${set.k} ${recall.toFixed(2)} (${found}/${set.queries.length})`);
      if (recall < set.threshold) {
        t.fail(
          `${mode}: recall@${set.k} ${recall.toFixed(2)} < ${set.threshold}; missed ${misses.join(', ')}`,
          last,
        );
      }
    }
  },
);

check('OMP-MCP-022', 'MUST run search_memory without mode in the best mode the server offers', async (t) => {
  const caps = t.run.capabilities;
  const want = caps.has('hybrid_search') ? 'hybrid' : caps.has('semantic_search') ? 'semantic' : 'keyword';
  const s = await t.mcp();
  const out = await callOk<SearchResponse>(t, s, 'search_memory', {
    query: 'favourite colour',
    namespace: t.ns,
  });
  if (out.mode_used !== want)
    t.fail(`search_memory without mode ran ${out.mode_used}; the server offers ${want}`);
});
