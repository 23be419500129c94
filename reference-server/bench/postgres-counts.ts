/**
 * The Postgres store's list totals and search `n` with and without maintained counts (issue #17), at the store
 * (no HTTP, no response cache): a real PostgreSQL started here (test/postgres-cluster.ts), the bench corpus
 * imported once, then each request repeated serially (latency: one client) and by 8 clients at once
 * (throughput). `--before <dir>` names a checkout without the counts (e.g. /work/main): its store is measured
 * first on the same database, then this one's, which migrates the database (timed: the backfill) and measures
 * again. PostgreSQL's own CPU per request is read from /proc like bench/postgres-side-by-side.ts does.
 *
 *   node bench/postgres-counts.ts [--size 100000] [--requests 40] [--before /work/main]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { queryTerms } from '../src/search/tokenize.ts';
import type { Filters } from '../src/storage/memory-store.ts';
import type { Store, Visibility } from '../src/storage/store.ts';
import { RARE_TERM } from './corpus.ts';
import { adminQuery, benchPostgres, load1, seedCorpus, storeOf } from './postgres-before-after.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { size: { type: 'string' }, requests: { type: 'string' }, before: { type: 'string' } },
});
const SIZE = Number(values.size ?? 100_000);
const REQUESTS = Number(values.requests ?? 40);
const CLIENTS = 8;

const vis: Visibility = { principal: 'owner', ownTool: null };
const active: Filters = { states: ['active'] };
const OPERATIONS: Record<string, (s: Store) => Promise<unknown>> = {
  'list, type+tag, 20': (s) =>
    s.list(vis, { ...active, type: 'semantic', tags: ['preferences'] }, 'created_at_desc', 20, 0),
  'list, unfiltered, 20': (s) => s.list(vis, active, 'created_at_desc', 20, 0),
  'keyword search, rare term': (s) => s.search(vis, queryTerms(RARE_TERM), active, 10, 0),
};

/** CPU seconds (user + system) of every PostgreSQL process whose command line names this port's cluster. */
function postgresCpu(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.startsWith('postgres')) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

async function measure(label: string, store: Store): Promise<void> {
  for (const [name, op] of Object.entries(OPERATIONS)) {
    for (let i = 0; i < 3; i++) await op(store); // warm up
    const cpu0 = postgresCpu();
    const t0 = performance.now();
    for (let i = 0; i < REQUESTS; i++) await op(store);
    const serial = (performance.now() - t0) / REQUESTS;
    const cpu = ((postgresCpu() - cpu0) * 1000) / REQUESTS;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = 0; i < REQUESTS / 2; i++) await op(store);
      }),
    );
    const perSec = (CLIENTS * (REQUESTS / 2)) / ((performance.now() - t1) / 1000);
    console.log(
      `${label.padEnd(8)} ${name.padEnd(26)} ${serial.toFixed(1).padStart(7)} ms/req serial  ${cpu.toFixed(1).padStart(6)} ms PG CPU/req  ${perSec.toFixed(0).padStart(6)} req/s x${CLIENTS}  load ${load1()}`,
    );
  }
}

const cluster = await benchPostgres('postgres-counts.ts');
try {
  const after = await storeOf(join(here, '../..'));
  const opener = values.before ? await storeOf(values.before) : after;
  const first = await opener.open(cluster.url, { poolSize: CLIENTS });
  console.log(`imported ${SIZE} memories in ${(await seedCorpus(first, vis, SIZE)).toFixed(1)} s`);
  await adminQuery(cluster.url, 'ANALYZE');
  if (values.before) {
    await measure('before', first);
    await first.close();
    const t1 = performance.now();
    const second = await after.open(cluster.url, { poolSize: CLIENTS });
    console.log(`migration (count backfill) ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    await measure('after', second);
    await second.close();
  } else {
    await measure('after', first);
    await first.close();
  }
} finally {
  await cluster.stop();
}
