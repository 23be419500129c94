/**
 * Hybrid search's fusion (OMP-SEARCH-021), shared by the SQLite and PostgreSQL stores: weighted reciprocal rank
 * fusion of the keyword ranking and the semantic ranking, score = Σ weight / (RRF_K + rank). A memory found by
 * both rises above one found by either; neither model's scores need to be comparable.
 */

/** Reciprocal rank fusion constant (Cormack et al. 2009; Elasticsearch and OpenSearch default to 60 too). */
export const RRF_K = 60;
/**
 * Weight of the keyword ranking in the fusion (the semantic ranking's is 1). Measured on the recall collection
 * (bench/RECALL.md): recall@5 / MRR 0.930 / 0.818 at 1, 0.938 / 0.829 at 0.5, 0.938 / 0.835 at 0.3. A keyword
 * list always has a first result, even when no query word means much, so it should not outvote meaning; 0.5
 * keeps exact names and rare terms able to lift a memory.
 */
export const KEYWORD_WEIGHT = 0.5;
/** Each ranking contributes at least this many candidates to a fused ranking. */
export const FUSION_DEPTH = 100;

/** The fused order of two rankings of memory seqs, best first; equal scores by `tie` (newer first). */
export function fuseRankings(
  keyword: readonly number[],
  semantic: readonly number[],
  tie: (a: number, b: number) => number,
): number[] {
  const fused = new Map<number, number>();
  const add = (seqs: readonly number[], weight: number) => {
    seqs.forEach((seq, i) => {
      fused.set(seq, (fused.get(seq) ?? 0) + weight / (RRF_K + i + 1));
    });
  };
  add(keyword, KEYWORD_WEIGHT);
  add(semantic, 1);
  return [...fused.keys()].sort((a, b) => (fused.get(b) as number) - (fused.get(a) as number) || tie(a, b));
}

/**
 * `total` of a hybrid search: the memories either ranking matches, i.e. the semantic matches plus the keyword
 * matches that have no vector (on the ranked keyword rows; never below the keyword total).
 */
export function hybridTotal(semanticTotal: number, keywordOnlyRanked: number, keywordTotal: number): number {
  return Math.max(semanticTotal + keywordOnlyRanked, keywordTotal);
}
