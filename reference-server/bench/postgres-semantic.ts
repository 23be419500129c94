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
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Filters } from '../src/storage/memory-store.ts';
import type { Store, Visibility } from '../src/storage/store.ts';
import { beforeAfterWithVectors, load1 } from './postgres-before-after.ts';
import { median } from './stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { size: { type: 'string' }, requests: { type: 'string' }, before: { type: 'string' } },
});
const SIZE = Number(values.size ?? 100_000);
const REQUESTS = Number(values.requests ?? 21);

const vis: Visibility = { principal: 'owner', ownTool: null };
const SEARCHES: Record<string, Filters> = {
  unfiltered: { states: ['active'] },
  'type+tag': { states: ['active'], type: 'semantic', tags: ['preferences'] },
};
const QUESTION = 'what does the user prefer for breakfast';

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

await beforeAfterWithVectors(
  'postgres-semantic.ts',
  { size: SIZE, before: values.before, root: join(here, '../..') },
  measure,
);
