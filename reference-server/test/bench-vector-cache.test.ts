/** The bench's cache of model vectors (reference-server/bench/vector-cache.ts): once per content, resumable. */
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedVectors, cacheFile, distinctContents, syntheticVectors } from '../bench/vector-cache.ts';
import type { Embedder } from '../src/search/embedder.ts';

const DIMS = 4;

/** A fake model: a content's vector is derived from its length and first letter; counts what it embeds. */
function fakeEmbedder(): Embedder & { embedded: string[] } {
  const embedded: string[] = [];
  return {
    model: 'fake model/1',
    dimensions: DIMS,
    embedded,
    embed(texts, role) {
      expect(role).toBe('passage');
      embedded.push(...texts);
      return Promise.resolve(
        texts.map((t) => Float32Array.from([t.length / 100, t.charCodeAt(0) / 1000, 0.1234567, -0.5])),
      );
    },
    close() {},
  };
}

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('bench vector cache', () => {
  it('lists distinct contents in the order they first occur', () => {
    const corpus = ['b', 'a', 'b', 'c', 'a'];
    expect(distinctContents(5, (i) => corpus[i] as string)).toEqual(['b', 'a', 'c']);
    expect(distinctContents(2, (i) => corpus[i] as string)).toEqual(['b', 'a']);
  });

  it('embeds each content once, rounds as the stores do, and embeds only what a larger prefix adds', async () => {
    dir = mkdtempSync(join(tmpdir(), 'omp-vc-'));
    const first = fakeEmbedder();
    const small = await cachedVectors(dir, ['xy', 'abc'], first, () => {});
    expect(first.embedded).toEqual(['xy', 'abc']);
    expect(small.vectorOf('abc')).toEqual([0.03, 0.097, 0.123457, -0.5]);
    expect(() => small.vectorOf('zz')).toThrow(/no cached vector/);

    const second = fakeEmbedder();
    const big = await cachedVectors(dir, ['xy', 'abc', 'hello'], second, () => {});
    expect(second.embedded).toEqual(['hello']);
    expect(big.vectorOf('xy')).toEqual([0.02, 0.12, 0.123457, -0.5]);
    expect(big.vectorOf('hello')).toEqual([0.05, 0.104, 0.123457, -0.5]);
  });

  it('cuts a torn last vector off and embeds it again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'omp-vc-'));
    await cachedVectors(dir, ['one'], fakeEmbedder(), () => {});
    const file = cacheFile(dir, 'fake model/1', DIMS);
    appendFileSync(file, Buffer.alloc(6)); // a killed run's partial append
    const again = fakeEmbedder();
    const v = await cachedVectors(dir, ['one', 'three'], again, () => {});
    expect(again.embedded).toEqual(['three']);
    expect(statSync(file).size).toBe(2 * DIMS * 4);
    expect(v.vectorOf('three')).toEqual([0.05, 0.116, 0.123457, -0.5]);
  });

  it('gives synthetic unit vectors, equal for equal contents', () => {
    const v = syntheticVectors('m', 384);
    const a = v.vectorOf('same text');
    expect(v.kind).toBe('synthetic');
    expect(a).toHaveLength(384);
    expect(Math.hypot(...a)).toBeCloseTo(1, 4);
    expect(v.vectorOf('same text')).toEqual(a);
    expect(v.vectorOf('other text')).not.toEqual(a);
  });
});
