/**
 * Fast seeding of benchmark stores: the corpus is written once in-process through the store's own import (big
 * transactions, no HTTP, no JSON parse), into a file cached under bench/.data/seed keyed by corpus version,
 * schema version and size; every run copies the cached file, so runs start from the same state. 1M memories
 * take about a minute this way instead of a quarter of an hour through POST /v1/import.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStore } from '../src/storage/local-store.ts';
import { migrations } from '../src/storage/migrations.ts';
import type { Store } from '../src/storage/store.ts';
import { CORPUS_VERSION, memoryAt } from './corpus.ts';
import type { CorpusVectors } from './vector-cache.ts';

/** The principal of the server's `OMP_API_KEY` (its default `--principal`). */
export const PRINCIPAL = 'owner';
const BATCH = 20_000;

/** The SQLite file and its companions that make up one store. */
const SUFFIXES = ['', '-wal', '-shm'];

/** Remove a SQLite store file with its WAL, shared memory and generated-key files. */
export function removeStore(file: string): void {
  for (const s of [...SUFFIXES, '.key']) rmSync(file + s, { force: true });
}

/**
 * Import memories [0, n) of the corpus into a store, in transactions of BATCH, each with its model vector when
 * `vectors` is given (bench/vector-cache.ts: client-supplied embeddings, as an export carries them); closes the
 * store.
 */
export async function fillStore(store: Store, n: number, from = 0, vectors?: CorpusVectors): Promise<void> {
  const vis = { principal: PRINCIPAL, ownTool: null };
  for (let i = from; i < n; i += BATCH) {
    const end = Math.min(n, i + BATCH);
    const items = (function* () {
      for (let j = i; j < end; j++) {
        const m = memoryAt(j);
        yield vectors ? { ...m, embedding: vectors.vectorOf(m.content) } : m;
      }
    })();
    const r = await store.import(vis, null, items, 'skip');
    if (r.imported + r.skipped !== end - i) throw new Error(`seeding: ${JSON.stringify(r).slice(0, 300)}`);
  }
  await store.close();
}

/**
 * Path of the cached seed of `n` memories (built on first use), for this corpus and schema version; with
 * `vectors`, a separate seed whose memories carry that model's vectors.
 */
export async function seededFile(
  dataDir: string,
  n: number,
  log = console.log,
  vectors?: CorpusVectors,
): Promise<string> {
  const dir = join(dataDir, 'seed');
  mkdirSync(dir, { recursive: true });
  const model = vectors ? `-${vectors.kind}-vectors-${vectors.model.replace(/[^A-Za-z0-9.]+/g, '-')}` : '';
  const file = join(dir, `corpus-v${CORPUS_VERSION}-schema${migrations.length}-${n}${model}.db`);
  if (existsSync(file)) return file;
  const building = `${file}.building-${process.pid}`;
  removeStore(building);
  const t = performance.now();
  log(`seeding ${n} memories into ${file} (once; later runs copy it) ...`);
  await fillStore(LocalStore.open(building, null), n, 0, vectors);
  // Closing checkpoints the WAL into the main file; a leftover WAL would belong to the old name.
  for (const s of ['-wal', '-shm']) if (existsSync(building + s)) renameSync(building + s, file + s);
  renameSync(building, file);
  log(`seeded ${n} memories in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return file;
}

/** Copy the cached seed of `n` memories (with `vectors`) to `target`, replacing any store there; returns `target`. */
export async function copySeed(
  dataDir: string,
  n: number,
  target: string,
  vectors?: CorpusVectors,
): Promise<string> {
  const source = await seededFile(dataDir, n, console.log, vectors);
  removeStore(target);
  for (const s of SUFFIXES) if (existsSync(source + s)) copyFileSync(source + s, target + s);
  return target;
}
