/**
 * A deep cursor page of the Postgres store before and after signed resumes (issue #17), at the store (no HTTP):
 * a real PostgreSQL started here (test/postgres-cluster.ts), the bench corpus imported once, then the page of
 * `--limit` memories after position `--depth` (by default the 1,000th page of 100 at 100k) read repeatedly, and
 * a whole walk by cursor. `--before <dir>` names a checkout without resumes (e.g. /work/main): its store seeds
 * and is measured first, then this one's, which migrates the database and is measured with and without the
 * cursor's resume. Medians of `--requests` serial reads; the load average is printed with every line.
 *
 *   node bench/postgres-cursor.ts [--size 100000] [--depth 99900] [--limit 100] [--requests 21] [--before /work/main]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { SortOrder } from '@omp-kit/schemas/types';
import type { Filters, Page, Resume } from '../src/storage/memory-store.ts';
import type { MemoryRow } from '../src/storage/rows.ts';
import type { Store, Visibility } from '../src/storage/store.ts';
import { adminQuery, benchPostgres, load1, seedCorpus, storeOf } from './postgres-before-after.ts';
import { median } from './stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    depth: { type: 'string' },
    limit: { type: 'string' },
    requests: { type: 'string' },
    before: { type: 'string' },
  },
});
const SIZE = Number(values.size ?? 100_000);
const LIMIT = Number(values.limit ?? 100);
const DEPTH = Number(values.depth ?? SIZE - LIMIT);
const REQUESTS = Number(values.requests ?? 21);

const vis: Visibility = { principal: 'owner', ownTool: null };
const sort: SortOrder = 'created_at_desc';
/** The lists the HTTP API reads (only active memories unless states are named), unfiltered and by type+tag. */
const LISTS: Record<string, Filters> = {
  unfiltered: { states: ['active'] },
  'type+tag': { states: ['active'], type: 'semantic', tags: ['preferences'] },
};

type At = { key: string; id: string; resume?: Resume | undefined };
const after = (page: Page): At | null => {
  const last = page.rows[page.rows.length - 1] as MemoryRow | undefined;
  return last ? { key: last.created_key, id: last.id, resume: page.resume } : null;
};

/** Median ms of the page after `at`, read REQUESTS times. */
async function deepPage(store: Store, f: Filters, at: At): Promise<{ ms: number; before: number }> {
  const times: number[] = [];
  let before = 0;
  for (let i = 0; i < REQUESTS + 2; i++) {
    const t0 = performance.now();
    const page = await store.listAfter(vis, f, sort, LIMIT, at);
    if (i >= 2) times.push(performance.now() - t0); // two warm-up reads
    before = page.before;
  }
  return { ms: median(times), before };
}

/** Seconds to walk the whole list by cursor, LIMIT per page, each page resumed from the previous one's cursor. */
async function walk(store: Store, f: Filters): Promise<{ s: number; pages: number }> {
  const t0 = performance.now();
  let page = await store.listAfter(vis, f, sort, LIMIT, null);
  let pages = 1;
  for (let at = after(page); at && page.before + page.rows.length < page.total; at = after(page)) {
    page = await store.listAfter(vis, f, sort, LIMIT, at);
    pages++;
  }
  return { s: (performance.now() - t0) / 1000, pages };
}

async function measure(label: string, store: Store, resumes: boolean): Promise<void> {
  for (const [name, f] of Object.entries(LISTS)) {
    const total = (await store.list(vis, f, sort, 1, 0)).total;
    const depth = Math.min(DEPTH, Math.max(0, total - LIMIT));
    // The position before the page: the memory at depth - 1, and (after) the resume a cursor there carries.
    const prev = await store.list(vis, f, sort, 1, depth - 1);
    const at = after(prev) as At;
    const counted = await deepPage(store, f, { key: at.key, id: at.id });
    let line = `${label.padEnd(7)} ${name.padEnd(11)} page after ${depth}/${total}: ${counted.ms.toFixed(2).padStart(7)} ms counted`;
    if (resumes) {
      const first = await store.listAfter(vis, f, sort, LIMIT, null);
      if (!first.resume) throw new Error('this store gives no resume');
      // A resume at the position: the page before it, read by cursor, carries one.
      const before = await store.listAfter(vis, f, sort, 1, { key: at.key, id: at.id });
      const resumed = await deepPage(store, f, after(before) as At);
      if (resumed.before !== counted.before + 1) throw new Error('the resumed page is not the counted one');
      line += `  ${resumed.ms.toFixed(2).padStart(6)} ms resumed (page after ${depth + 1})`;
    }
    const w = await walk(store, f);
    line += `  walk of ${w.pages} pages ${w.s.toFixed(1)} s  load ${load1()}`;
    console.log(line);
  }
}

const cluster = await benchPostgres('postgres-cursor.ts');
try {
  const mine = await storeOf(join(here, '../..'));
  const opener = values.before ? await storeOf(values.before) : mine;
  const first = await opener.open(cluster.url, { poolSize: 4 });
  const seconds = await seedCorpus(first, vis, SIZE);
  console.log(`imported ${SIZE} memories in ${seconds.toFixed(1)} s, load ${load1()}`);
  await adminQuery(cluster.url, 'ANALYZE'); // (this branch also runs one after a large import)
  if (values.before) {
    await measure('before', first, false);
    await first.close();
    const second = await mine.open(cluster.url, { poolSize: 4 });
    await measure('after', second, true);
    await second.close();
  } else {
    await measure('after', first, true);
    await first.close();
  }
} finally {
  await cluster.stop();
}
