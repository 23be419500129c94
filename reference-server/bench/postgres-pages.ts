/**
 * List and search pages of the Postgres store before and after they stopped reading each row's JSON `embedding`
 * (issue #17): pages never carry it, but reading it detoasts a few KiB per row. At the store (no HTTP): a real
 * PostgreSQL started here (test/postgres-cluster.ts), the bench corpus imported once with a 384-dimension hash
 * embedder (the built-in model's size), then the first page of the default list (20), a type+tag list, a
 * 100-memory page, the rare-term keyword search and a semantic top 10. `--before <dir>` names a checkout that
 * reads the column (e.g. a worktree of an older main): its store seeds and is measured first, then this one's.
 * Per operation: median wall time of `--requests` serial calls and CPU per call, of this process and PostgreSQL's
 * (both do the work: PostgreSQL detoasts, node decodes the text); load average on every line.
 *
 *   node bench/postgres-pages.ts [--size 100000] [--requests 200] [--before /work/wt/before]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { queryTerms } from '../src/search/tokenize.ts';
import type { Page } from '../src/storage/memory-store.ts';
import type { Store, Visibility } from '../src/storage/store.ts';
import { RARE_TERM } from './corpus.ts';
import { beforeAfterWithVectors, load1 } from './postgres-before-after.ts';
import { postgresCpuCounter } from './postgres-side-by-side.ts';
import { median } from './stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { size: { type: 'string' }, requests: { type: 'string' }, before: { type: 'string' } },
});
const SIZE = Number(values.size ?? 100_000);
const REQUESTS = Number(values.requests ?? 200);

const vis: Visibility = { principal: 'owner', ownTool: null };
const active = { states: ['active'] };
const OPERATIONS: Record<string, (s: Store) => Promise<Page>> = {
  'list, first 20': (s) => s.list(vis, active, 'created_at_desc', 20, 0),
  'list type+tag, first 20': (s) =>
    s.list(vis, { ...active, type: 'semantic', tags: ['preferences'] }, 'created_at_desc', 20, 0),
  'list, first 100': (s) => s.list(vis, active, 'created_at_desc', 100, 0),
  [`keyword "${RARE_TERM}", 20`]: (s) => s.search(vis, queryTerms(RARE_TERM), active, 20, 0),
  'semantic top 10': (s) => s.semantic(vis, 'what does the user prefer for breakfast', active, 10, 0),
};

async function measure(label: string, store: Store, pgCpuUs: () => number): Promise<void> {
  for (const [name, op] of Object.entries(OPERATIONS)) {
    for (let i = 0; i < 3; i++) await op(store); // warm-up: plans, the keyword index, pgvector's graph
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    const pg0 = pgCpuUs();
    let rows = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      rows = (await op(store)).rows.length;
      times.push(performance.now() - t0);
    }
    const own = process.cpuUsage(cpu0);
    const pg = pgCpuUs() - pg0;
    const perCall = (x: number) => Math.round(x / REQUESTS).toString();
    console.log(
      `${label.padEnd(7)} ${name.padEnd(26)} ${rows} rows: ${median(times).toFixed(2).padStart(6)} ms, CPU µs/call ${perCall(own.user + own.system + pg).padStart(5)} (node ${perCall(own.user + own.system)}, PostgreSQL ${perCall(pg)})  load ${load1()}`,
    );
  }
}

await beforeAfterWithVectors(
  'postgres-pages.ts',
  { size: SIZE, before: values.before, root: join(here, '../..') },
  (label, store, cluster) => measure(label, store, postgresCpuCounter(new URL(cluster.url).port)),
);
