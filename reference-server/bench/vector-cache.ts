/**
 * The built-in model's vectors for the bench corpus, computed once and cached on disk, so stores can be seeded
 * at the Search level without running the model on every memory (about 76 memories/s on 2 cores: 22 minutes
 * per 100k). The corpus repeats itself (templates over small pools): 100k memories hold about 30k distinct
 * contents, 1M about 81k, and the model gives identical contents identical vectors. So each distinct content is
 * embedded once, as a passage, exactly as the server embeds a memory it stores (same model, same truncation,
 * rounded to the 6 decimals the stores keep), and the vectors are appended to a file keyed by corpus version and
 * model, in the order the contents first occur in the corpus. A larger store only embeds the contents it adds,
 * and an interrupted run resumes where it stopped.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Embedder } from '../src/search/embedder.ts';
import { CORPUS_VERSION, memoryAt, prng } from './corpus.ts';

/** Contents embedded per call and per append to the cache file. */
const CHUNK = 256;

/** The vector of every content of a corpus prefix. */
export interface CorpusVectors {
  /** `model`: the model's own vectors; `synthetic`: pseudo-random unit vectors of the model's size. */
  kind: 'model' | 'synthetic';
  model: string;
  dimensions: number;
  /** The stored embedding (6 decimals) of a content of the corpus prefix; throws for any other text. */
  vectorOf(content: string): number[];
}

/** The distinct contents of memories [0, n) of the corpus, in the order they first occur. */
export function distinctContents(
  n: number,
  content: (i: number) => string = (i) => memoryAt(i).content,
): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(content(i));
  return [...seen];
}

/** The cache file of a model's vectors for this corpus version. */
export function cacheFile(dir: string, model: string, dimensions: number): string {
  const slug = model
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');
  return join(dir, `corpus-v${CORPUS_VERSION}-${slug}-${dimensions}d.f32`);
}

/** A vector as the stores keep it: 6 decimals (the float32 in the file rounds back to the same number). */
const stored = (v: Float32Array): number[] => Array.from(v, (x) => Math.round(x * 1e6) / 1e6);

/** Whether process `pid` is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Embed the contents the cache file lacks and append them, one writer at a time (a lock file holding the
 * writer's pid; another run waits, and takes over the lock of a writer that died).
 */
async function extend(
  file: string,
  texts: readonly string[],
  embedder: Embedder,
  log: (line: string) => void,
): Promise<void> {
  const dims = embedder.dimensions;
  const bytes = dims * 4;
  const lock = `${file}.lock`;
  for (let said = false; ; said = true) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = Number(readFileSync(lock, 'utf8'));
      if (!alive(holder)) rmSync(lock, { force: true });
      else {
        if (!said) log(`waiting for process ${holder}, which is embedding into ${file} ...`);
        await sleep(5000);
      }
    }
  }
  try {
    // A torn last append (the run was killed mid-write) is cut off: whole vectors only.
    const size = existsSync(file) ? statSync(file).size : 0;
    if (size % bytes !== 0) truncateSync(file, size - (size % bytes));
    const have = Math.floor(size / bytes);
    const todo = texts.length - have;
    if (todo <= 0) return;
    log(`embedding ${todo} distinct contents into ${file} (once; ${have} cached) ...`);
    const t = performance.now();
    for (let i = have; i < texts.length; i += CHUNK) {
      const part = texts.slice(i, i + CHUNK);
      const vectors = await embedder.embed(part, 'passage');
      const out = new Float32Array(part.length * dims);
      for (const [j, v] of vectors.entries()) out.set(stored(v), j * dims);
      appendFileSync(file, new Uint8Array(out.buffer));
      const done = i + part.length - have;
      const rate = done / ((performance.now() - t) / 1000);
      log(
        `  ${done}/${todo} embedded, ${rate.toFixed(1)}/s, ${((todo - done) / rate / 60).toFixed(1)} min left`,
      );
    }
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Vectors for the distinct contents `texts` (corpus order), read from the cache in `dir` and completed with the
 * embedder where the cache is shorter; progress goes to `log`.
 */
export async function cachedVectors(
  dir: string,
  texts: readonly string[],
  embedder: Embedder,
  log: (line: string) => void = console.log,
): Promise<CorpusVectors> {
  const dims = embedder.dimensions;
  const bytes = dims * 4;
  mkdirSync(dir, { recursive: true });
  const file = cacheFile(dir, embedder.model, dims);
  const cached = existsSync(file) ? Math.floor(statSync(file).size / bytes) : 0;
  if (cached < texts.length) await extend(file, texts, embedder, log);
  const raw = readFileSync(file);
  // A copy: a Float32Array needs a 4-aligned offset, which a Buffer from readFileSync need not have.
  const slab = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + texts.length * bytes));
  const index = new Map(texts.map((text, i) => [text, i]));
  return {
    kind: 'model',
    model: embedder.model,
    dimensions: dims,
    vectorOf(content: string): number[] {
      const i = index.get(content);
      if (i === undefined) throw new Error(`no cached vector for ${JSON.stringify(content.slice(0, 60))}`);
      return stored(slab.subarray(i * dims, (i + 1) * dims));
    },
  };
}

/**
 * Pseudo-random unit vectors of `dimensions`, one per content (a hash of the content seeds them: equal contents
 * get equal vectors, as with the model), for when embedding the corpus is too slow. They measure a semantic
 * search's cost only: random vectors have no neighbourhoods (HNSW's worst case: every point about as far as every
 * other), and a ranking against them means nothing.
 */
export function syntheticVectors(model: string, dimensions: number): CorpusVectors {
  return {
    kind: 'synthetic',
    model,
    dimensions,
    vectorOf(content: string): number[] {
      let h = 0x811c9dc5; // FNV-1a
      for (let i = 0; i < content.length; i++) h = Math.imul(h ^ content.charCodeAt(i), 0x01000193);
      const r = prng(h >>> 0);
      const v = Array.from({ length: dimensions }, () => r() - 0.5);
      const norm = Math.hypot(...v);
      return v.map((x) => Math.round((x / norm) * 1e6) / 1e6);
    },
  };
}

/** The built-in model's vectors for memories [0, n) of the corpus, cached under `dataDir/vectors`. */
export async function corpusVectors(
  dataDir: string,
  n: number,
  log: (line: string) => void = console.log,
): Promise<CorpusVectors> {
  const { builtinEmbedder } = await import('../src/search/builtin-embedder.ts');
  const embedder = builtinEmbedder();
  try {
    return await cachedVectors(join(dataDir, 'vectors'), distinctContents(n), embedder, log);
  } finally {
    embedder.close();
  }
}

// `node bench/vector-cache.ts --size N`: fill the cache ahead of a bench run.
if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--size');
  const n = Number(at >= 0 ? process.argv[at + 1] : 100_000);
  const here = new URL('.', import.meta.url).pathname;
  const v = await corpusVectors(join(here, '.data'), n);
  console.log(`${n} memories: ${v.model}, ${v.dimensions} dimensions, cached`);
}
