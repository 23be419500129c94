/**
 * What the Postgres store's before/after benches share (postgres-counts, -cursor, -keyword, -semantic): the
 * store class of a checkout (this one, or `--before <dir>`'s), a throw-away PostgreSQL (test/postgres-cluster.ts),
 * the bench corpus imported through the store, and statistics taken at once, as autovacuum would soon (otherwise
 * the first plans depend on when it happens to run).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Embedder } from '../src/search/embedder.ts';
import type { Store, Visibility } from '../src/storage/store.ts';
import { findPostgres, type PostgresCluster, startPostgres } from '../test/postgres-cluster.ts';
import { hashEmbedder } from '../test/store-suite/hash-embedder.ts';
import { memoryAt } from './corpus.ts';

/** PostgresStore's static opener, as a checkout exports it. */
export type StoreOpener = {
  open(url: string, o?: { poolSize?: number; embedder?: Embedder }): Promise<Store>;
};

/** The PostgresStore class of the checkout at `root` (a repository's top folder). */
export async function storeOf(root: string): Promise<StoreOpener> {
  const module = await import(join(root, 'reference-server/src/storage/postgres/postgres-store.ts'));
  return module.PostgresStore as StoreOpener;
}

/** A PostgreSQL server of its own for the bench `name`, or exit saying what is missing. */
export async function benchPostgres(name: string): Promise<PostgresCluster> {
  const found = findPostgres();
  if ('missing' in found) {
    console.error(`bench/${name} needs PostgreSQL: ${found.missing}`);
    process.exit(1);
  }
  return startPostgres(found.bin);
}

/** Import memories [0, size) of the bench corpus in batches of 5,000; returns the seconds taken. */
export async function seedCorpus(store: Store, vis: Visibility, size: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < size; i += 5000) {
    const batch = Array.from({ length: Math.min(5000, size - i) }, (_, j) => memoryAt(i + j));
    await store.import(vis, null, batch, 'skip');
  }
  return (performance.now() - t0) / 1000;
}

/** Run statements on a connection of their own (e.g. `ANALYZE`). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** The 1-minute load average, printed beside every figure. */
export const load1 = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ')[0] as string;

/**
 * The run of a store-level before/after bench with 384-dimension vectors (postgres-semantic, -pages): a fresh
 * PostgreSQL, the corpus imported by the `--before` checkout's store (or this one's), statistics, then
 * `measure` on that store labelled `before` and on this checkout's store labelled `after` (only `after`
 * without `--before`; the second store runs this checkout's migrations on the same data).
 */
export async function beforeAfterWithVectors(
  name: string,
  o: { size: number; before: string | undefined; root: string },
  measure: (label: string, store: Store, cluster: PostgresCluster) => Promise<void>,
): Promise<void> {
  const cluster = await benchPostgres(name);
  const vis: Visibility = { principal: 'owner', ownTool: null };
  try {
    const embedder = hashEmbedder(384);
    const mine = await storeOf(o.root);
    const opener = o.before ? await storeOf(o.before) : mine;
    const first = await opener.open(cluster.url, { poolSize: 4, embedder });
    const seconds = await seedCorpus(first, vis, o.size);
    console.log(`imported ${o.size} memories in ${seconds.toFixed(1)} s, load ${load1()}`);
    await adminQuery(cluster.url, 'ANALYZE');
    if (o.before) {
      await measure('before', first, cluster);
      await first.close();
    }
    const second = o.before ? await mine.open(cluster.url, { poolSize: 4, embedder }) : first;
    await measure('after', second, cluster);
    await second.close();
  } finally {
    await cluster.stop();
  }
}
