/**
 * Lists bench (issue #18, items 2 and 3): filtered lists with both caches off and cursor paging at depth, against
 * the server as a child process. Short runs, for before/after comparisons on a shared machine; results go to
 * stdout (copied by hand into bench/LISTS.md with the load of the machine).
 *
 *   node reference-server/bench/lists-profile.ts [--size 100000] [--duration 5] [--db path] [--only word] [--skip word]
 *        [--bin other/checkout/reference-server/bin/omp-reference-server.js] [--server-arg=--cpu-prof ...]
 *
 * The store is built once by an import into `--db` (default bench/.data/lists-<size>.db) and reused while the
 * file exists; delete it after a schema change that needs a fresh import.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKey } from '../src/index.ts';
import { autocannon } from './autocannon.ts';
import { exportFileText, memoryAt } from './corpus.ts';
import { type Server, spawnServer } from './server-process.ts';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const SIZE = Number(arg('--size') ?? 100_000);
const DURATION = Number(arg('--duration') ?? 5);
const ONLY = arg('--only');
/** `--skip word`: leave out the workloads whose name contains the word (e.g. `random` at 1M). */
const SKIP = arg('--skip');
const DB = arg('--db') ?? join(here, '.data', `lists-${SIZE}.db`);
const SERVER_ARGS = process.argv.filter((a) => a.startsWith('--server-arg=')).map((a) => a.slice(13));
const KEY_FILE = `${DB}.bench-key`;
/** `--bin` another checkout's server (a before/after comparison; its store needs its own `--db`). */
const BIN = arg('--bin') ?? join(here, '../bin/omp-reference-server.js');

async function main(): Promise<void> {
  mkdirSync(dirname(DB), { recursive: true });
  const fresh = !existsSync(DB);
  const key = fresh ? generateKey() : readFileSync(KEY_FILE, 'utf8').trim();
  if (fresh) (await import('node:fs')).writeFileSync(KEY_FILE, key);
  const auth = { authorization: `Bearer ${key}` };
  const start = (args: string[]): Promise<Server> =>
    spawnServer([...SERVER_ARGS, BIN, '--db', DB, '--port', '0', '--embedder', 'off', ...args], {
      ...process.env,
      OMP_API_KEY: key,
    });
  if (fresh) {
    const server = await start([]);
    const t = performance.now();
    // In parts of 100k: an import body is limited to 256 MiB.
    for (let from = 0; from < SIZE; from += 100_000) {
      const items = [];
      for (let i = from; i < Math.min(SIZE, from + 100_000); i++) items.push(JSON.stringify(memoryAt(i)));
      const head = JSON.parse(exportFileText(0)) as Record<string, unknown>;
      const res = await fetch(`${server.url}/v1/import`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: `${JSON.stringify(head).slice(0, -3)}[${items.join(',')}]}`,
      });
      if (res.status !== 200) throw new Error(`import: ${res.status} ${(await res.text()).slice(0, 300)}`);
    }
    console.log(`imported ${SIZE} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await server.stop();
  }
  const server = await start(['--no-cache']);
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: auth });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { total: number; offset: number; next_cursor: string | null };
  };
  const cannon = async (name: string, path: string | (() => string), connections = 32) => {
    if ((ONLY && !name.includes(ONLY)) || (SKIP && name.includes(SKIP))) return;
    const first = typeof path === 'string' ? path : path();
    const opts = {
      url: server.url,
      connections,
      timeout: 30,
      requests: [
        {
          method: 'GET',
          path: first,
          headers: auth,
          setupRequest: (r: { path: string }) => ({ ...r, path: typeof path === 'string' ? path : path() }),
        },
      ],
    };
    await autocannon({ ...opts, connections: 1, duration: 1 });
    const load = loadavg()[0]?.toFixed(2);
    const r = await autocannon({ ...opts, duration: DURATION });
    await fetch(`${server.url}/v1/health`);
    const failures = r.errors + r.timeouts + r.non2xx;
    console.log(
      `${name.padEnd(46)} c=${String(connections).padStart(2)} ${String(Math.round(r.requests.total / DURATION)).padStart(6)} req/s  p50 ${String(r.latency.p50).padStart(5)} ms  p99 ${String(r.latency.p99).padStart(5)} ms  load ${load}${failures ? `  FAILURES ${failures}` : ''}`,
    );
  };

  const filtered = '/v1/memories?type=semantic&tags=preferences';
  const body = await get(filtered);
  console.log(
    `size ${SIZE}; type+tag matches ${body.total}; load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  /** The cursor of page `n` (1-based) of a walk, found by walking. */
  const cursorAt = async (base: string, n: number): Promise<string> => {
    let path = base;
    let cursor = '';
    for (let i = 1; i < n; i++) {
      const page = await get(path);
      if (page.next_cursor === null) throw new Error(`${base} ends before page ${n}`);
      cursor = page.next_cursor;
      path = `${base}&cursor=${cursor}`;
    }
    return path;
  };
  const offsets = (total: number) => () =>
    `${filtered}&offset=${Math.floor(Math.random() * Math.max(1, total - 20))}`;

  await cannon('list type+tag, no cache', filtered);
  await cannon('list type+tag, no cache, c=1', filtered, 1);
  await cannon('list type+tag, random offsets, no cache', offsets(body.total));
  await cannon('list type+tag, updated_at_asc', `${filtered}&sort=updated_at_asc`);
  await cannon('list unfiltered, no cache', '/v1/memories');
  await cannon('list tool+namespace, no cache', '/v1/memories?tool=cursor&namespace=project:billing');
  const all = '/v1/memories?limit=100';
  if (!ONLY || ONLY.includes('cursor')) {
    const deep = Math.floor(SIZE / 100);
    await cannon('cursor page 1 (limit 100)', all);
    await cannon(`cursor page 2 (limit 100)`, await cursorAt(all, 2));
    await cannon(`cursor page ${deep} (limit 100)`, await cursorAt(all, deep));
    const f = `${filtered}&limit=100`;
    const fdeep = Math.floor(body.total / 100);
    await cannon('cursor type+tag page 2 (limit 100)', await cursorAt(f, 2));
    await cannon(`cursor type+tag page ${fdeep} (limit 100)`, await cursorAt(f, fdeep));
  }
  console.log(
    `load after: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  await server.stop();
}

await main();
