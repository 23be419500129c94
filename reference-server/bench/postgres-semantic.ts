/**
 * A semantic search of the Postgres store before and after its total came from the maintained counts (issue #17),
 * at the store (no HTTP): a real PostgreSQL started here (test/postgres-cluster.ts), the bench corpus imported
 * once with a 384-dimension hash embedder (the built-in model's size; cost of the store only, not of a model),
 * pgvector's HNSW index where it is installed, then top-10 searches unfiltered and by type+tag. `--before <dir>`
 * names a checkout whose total counts every match (e.g. /work/main): its store seeds and is measured first, then
 * this one's, which migrates the database. Medians of `--requests` serial searches; load average on every line.
 *
 *   node bench/postgres-semantic.ts [--size 100000] [--requests 21] [--before /work/main]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Embedder } from '../src/search/embedder.ts';
import type { Filters } from '../src/storage/memory-store.ts';
import type { Store, Visibility } from '../src/storage/store.ts';
import { findPostgres, startPostgres } from '../test/postgres-cluster.ts';
import { hashEmbedder } from '../test/store-suite/hash-embedder.ts';
import { memoryAt } from './corpus.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { size: { type: 'string' }, requests: { type: 'string' }, before: { type: 'string' } },
});
const SIZE = Number(values.size ?? 100_000);
const REQUESTS = Number(values.requests ?? 21);

type Opener = { open(url: string, o?: { poolSize?: number; embedder?: Embedder }): Promise<Store> };
const load = async (root: string): Promise<Opener> =>
  (await import(join(root, 'reference-server/src/storage/postgres/postgres-store.ts')))
    .PostgresStore as Opener;

const vis: Visibility = { principal: 'owner', ownTool: null };
const SEARCHES: Record<string, Filters> = {
  unfiltered: { states: ['active'] },
  'type+tag': { states: ['active'], type: 'semantic', tags: ['preferences'] },
};
const QUESTION = 'what does the user prefer for breakfast';

const load1 = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function measure(label: string, store: Store): Promise<void> {
  for (const [name, f] of Object.entries(SEARCHES)) {
    const times: number[] = [];
    let total = 0;
    for (let i = 0; i < REQUESTS + 2; i++) {
      const t0 = performance.now();
      const page = await store.semantic(vis, QUESTION, f, 10, 0);
      if (i >= 2) times.push(performance.now() - t0); // two warm-up searches
      total = page.total;
    }
    console.log(
      `${label.padEnd(7)} ${name.padEnd(11)} top 10 of ${total}: ${median(times).toFixed(2).padStart(7)} ms  load ${load1()}`,
    );
  }
}

const found = findPostgres();
if ('missing' in found) {
  console.error(`bench/postgres-semantic.ts needs PostgreSQL: ${found.missing}`);
  process.exit(1);
}
const cluster = await startPostgres(found.bin);
try {
  const embedder = hashEmbedder(384);
  const mine = await load(join(here, '../..'));
  const opener = values.before ? await load(values.before) : mine;
  const first = await opener.open(cluster.url, { poolSize: 4, embedder });
  const t0 = performance.now();
  for (let i = 0; i < SIZE; i += 5000) {
    const batch = Array.from({ length: Math.min(5000, SIZE - i) }, (_, j) => memoryAt(i + j));
    await first.import(vis, null, batch, 'skip');
  }
  console.log(
    `imported ${SIZE} memories in ${((performance.now() - t0) / 1000).toFixed(1)} s, load ${load1()}`,
  );
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('ANALYZE'); // as autovacuum would soon (and the store does after a large import)
  await admin.end();
  if (values.before) {
    await measure('before', first);
    await first.close();
  }
  const second = values.before ? await mine.open(cluster.url, { poolSize: 4, embedder }) : first;
  await measure('after', second);
  await second.close();
} finally {
  await cluster.stop();
}
