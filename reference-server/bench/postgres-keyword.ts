/**
 * The Postgres store's keyword search and durable creates before and after the in-memory keyword index
 * (storage/postgres/keyword.ts, issue #17), at the store (no HTTP, no response cache): a real PostgreSQL started
 * here (test/postgres-cluster.ts), the bench corpus imported once by the `--before` checkout's store, measured,
 * then this checkout's store opened on the same database (it migrates: timed) and measured again. Each
 * operation runs serially (latency: one client) and by 8 clients at once (throughput), `--rounds` times; the
 * medians are printed with the load average around each.
 *
 *   node bench/postgres-keyword.ts --before /work/main [--size 100000] [--requests 40] [--rounds 3]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { queryTerms } from '../src/search/tokenize.ts';
import type { Filters } from '../src/storage/memory-store.ts';
import type { Store, Visibility } from '../src/storage/store.ts';
import { COMMON_TERM, createBodyAt, QUESTION, RARE_TERM } from './corpus.ts';
import { adminQuery, benchPostgres, load1, seedCorpus, storeOf } from './postgres-before-after.ts';
import { median } from './stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    requests: { type: 'string' },
    rounds: { type: 'string' },
    before: { type: 'string' },
  },
});
const SIZE = Number(values.size ?? 100_000);
const REQUESTS = Number(values.requests ?? 40);
const ROUNDS = Number(values.rounds ?? 3);
const CLIENTS = 8;

const vis: Visibility = { principal: 'owner', ownTool: null };
const active: Filters = { states: ['active'] };
let created = 0;
const OPERATIONS: Record<string, (s: Store) => Promise<unknown>> = {
  [`search rare term "${RARE_TERM}"`]: (s) => s.search(vis, queryTerms(RARE_TERM), active, 10, 0),
  [`search common term "${COMMON_TERM}"`]: (s) => s.search(vis, queryTerms(COMMON_TERM), active, 10, 0),
  'search 8-word question': (s) => s.search(vis, queryTerms(QUESTION), active, 10, 0),
  'create (durable)': (s) => s.create('owner', createBodyAt(created++)),
};

async function measure(label: string, store: Store): Promise<void> {
  for (const [name, op] of Object.entries(OPERATIONS)) {
    for (let i = 0; i < 3; i++) await op(store); // warm up
    const serial: number[] = [];
    const rates: number[] = [];
    const loads = [load1()];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      for (let i = 0; i < REQUESTS; i++) await op(store);
      serial.push((performance.now() - t0) / REQUESTS);
      const t1 = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          for (let i = 0; i < REQUESTS / 2; i++) await op(store);
        }),
      );
      rates.push((CLIENTS * (REQUESTS / 2)) / ((performance.now() - t1) / 1000));
    }
    loads.push(load1());
    console.log(
      `${label.padEnd(7)} ${name.padEnd(32)} ${median(serial).toFixed(2).padStart(8)} ms/req serial  ${median(rates).toFixed(0).padStart(6)} req/s x${CLIENTS}  (medians of ${ROUNDS}; load ${loads.join('→')})`,
    );
  }
}

if (!values.before) {
  console.error('bench/postgres-keyword.ts needs --before <checkout> (e.g. /work/main)');
  process.exit(1);
}
const cluster = await benchPostgres('postgres-keyword.ts');
try {
  const first = await (await storeOf(values.before)).open(cluster.url, { poolSize: CLIENTS });
  await seedCorpus(first, vis, SIZE);
  await adminQuery(cluster.url, 'VACUUM ANALYZE');
  await measure('before', first);
  await first.close();
  const t0 = performance.now();
  const second = await (await storeOf(join(here, '../..'))).open(cluster.url, { poolSize: CLIENTS });
  console.log(`migration ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  const t1 = performance.now();
  await OPERATIONS[`search rare term "${RARE_TERM}"`]?.(second);
  console.log(
    `first search (builds the index of ${SIZE + created} memories) ${((performance.now() - t1) / 1000).toFixed(2)} s`,
  );
  await adminQuery(cluster.url, 'VACUUM ANALYZE');
  await measure('after', second);
  console.log(`heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  await second.close();
} finally {
  await cluster.stop();
}
