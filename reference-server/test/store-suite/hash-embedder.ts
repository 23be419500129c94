/**
 * A small real embedder for the store suite's Search-level runs: each lower-cased word is hashed into one of
 * 64 dimensions and the vector is L2-normalised, so texts sharing words have a higher cosine. Deterministic and
 * instant, unlike the built-in model, and enough to tell whether a store ranks by its vectors.
 */
import { createHash } from 'node:crypto';
import { type Embedder, normalise } from '../../src/search/embedder.ts';

/** The hashing bag-of-words embedder (see the file comment). */
export function hashEmbedder(dimensions = 64): Embedder & { calls: number } {
  const e = {
    model: `hash-bow-${dimensions}`,
    dimensions,
    calls: 0,
    async embed(texts: readonly string[]): Promise<Float32Array[]> {
      e.calls++;
      return texts.map((t) => {
        const v = new Float32Array(dimensions);
        for (const word of t.toLowerCase().match(/\p{L}+/gu) ?? []) {
          const i = createHash('sha1').update(word).digest().readUInt32BE(0) % dimensions;
          v[i] = (v[i] as number) + 1;
        }
        return normalise(v);
      });
    },
    close() {},
  };
  return e;
}
