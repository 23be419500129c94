/**
 * `npm run bench:server`: the reference server's benchmark, uncached figures first. Starts the real server (bin,
 * child process, request log on) on copies of seeded SQLite stores of 10k and 100k memories (bench/seed.ts) and
 * drives it over loopback with bench/load-driver.ts. Every figure is the median of 3 repetitions (range shown),
 * with the 1-minute load average before and after. Rows: get by id, filtered list, the last page by offset and
 * by cursor, keyword searches, a mixed workload (10 % creates, 45 % lists, 45 % searches), durable creates at
 * 32 and 1 connections, export and import; the same reads with the response cache on as separate rows; how each
 * cost grows with the store; SQLite against PostgreSQL with 1 and 3 server processes; the access log's cost;
 * node:sqlite against better-sqlite3. Writes bench/RESULTS.md. About 15 minutes on 2 cores.
 *
 *   --quick          small stores (2k, 10k) and 1-second runs, to try the bench itself; writes nothing
 *   --size N         (repeatable) only stores of these sizes; prints, writes nothing unless --write-growth
 *   --write-growth   write the rows and growth table of this run to bench/GROWTH.md (bench:server:1m)
 *   --search-only    with --size: only the keyword search rows (no writes, transfers or PostgreSQL)
 *   --postgres       with --size: also the SQLite/PostgreSQL comparison, at the largest size
 *   --postgres-only  with --size: only that comparison, printed as Markdown (writes nothing)
 *   --out FILE       write the results to FILE instead of bench/RESULTS.md (also for --quick and --size runs)
 *   --no-postgres    skip the SQLite/PostgreSQL comparison
 *   --no-semantic    leave semantic and hybrid search out of that comparison (they need the built-in model,
 *                    and its vectors of the corpus, embedded once into bench/.data/vectors: bench/vector-cache.ts)
 *   --synthetic-vectors  seed that comparison with pseudo-random unit vectors instead of the model's (cost only)
 *   --access-log[=word]  only the access log's cost (SPEC.md §20.4), optionally only workloads matching word
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKey } from '../src/index.ts';
import { modelInstalled } from '../src/search/model-files.ts';
import { accessLogCost, type LogCost } from './access-log.ts';
import { COMMON_TERM, RARE_TERM } from './corpus.ts';
import { compareDrivers } from './drivers.ts';
import { growthMarkdown, growthTable } from './growth.ts';
import { describeMachine } from './machine.ts';
import { measure, type Row } from './measure.ts';
import { type SideBySide, sideBySide, sideBySideMarkdown } from './postgres-side-by-side.ts';
import { stallSection } from './results-section.ts';
import { copySeed, removeStore, seededFile } from './seed.ts';
import { type Server, spawnServer } from './server-process.ts';
import { fmt, fmtSpread } from './stats.ts';
import { type Transfer, timedExports, timedImports } from './transfer.ts';
import { type CorpusVectors, corpusVectors, syntheticVectors } from './vector-cache.ts';
import {
  createOp,
  DEEP_LIMIT,
  deepCursorOp,
  deepCursors,
  deepOffsetOp,
  FILTERED_LIST,
  filteredListOp,
  getOp,
  mixedOps,
  searchOps,
} from './workloads.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** RESULTS.md keeps everything from this line on when the bench rewrites the file. */
const KEPT_MARKER = '<!-- kept by bench/run.ts: sections measured by other commands -->';
const dataDir = join(here, '.data');
const BIN = join(here, '../bin/omp-reference-server.js');
const KEY = generateKey();
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const ACCESS_LOG_ONLY = argv.some((a) => a === '--access-log' || a.startsWith('--access-log='));
const ACCESS_LOG_FILTER = argv.find((a) => a.startsWith('--access-log='))?.split('=')[1];
const SIZE_ARGS = argv.flatMap((a, i) => (a === '--size' ? [Number(argv[i + 1])] : []));
const PARTIAL = SIZE_ARGS.length > 0 || argv.includes('--search-only');
const WRITE_GROWTH = argv.includes('--write-growth');
const SEARCH_ONLY = argv.includes('--search-only');
const OUT = argv.includes('--out') ? (argv[argv.indexOf('--out') + 1] ?? '') : '';
const WRITE = argv.includes('--out') || (!QUICK && !PARTIAL);
const SIZES = (SIZE_ARGS.length > 0 ? SIZE_ARGS : QUICK ? [2_000, 10_000] : [10_000, 100_000]).sort(
  (a, b) => a - b,
);
const LARGEST = SIZES[SIZES.length - 1] as number;
const POSTGRES_ONLY = argv.includes('--postgres-only');
const POSTGRES =
  !argv.includes('--no-postgres') &&
  !SEARCH_ONLY &&
  (!PARTIAL || argv.includes('--postgres') || POSTGRES_ONLY);
const SEMANTIC = POSTGRES && !argv.includes('--no-semantic') && modelInstalled();
/** Seconds per repetition, and repetitions per figure. */
const SECONDS = QUICK ? 1 : 3;
const REPS = 3;
/** Import through HTTP up to this size (1M would take a quarter of an hour per repetition). */
const MAX_HTTP_IMPORT = 100_000;

const auth = { authorization: `Bearer ${KEY}` };
const headers = { ...auth, 'content-type': 'application/json' };
const opts = { seconds: SECONDS, reps: REPS, headers };
const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

/** Core only: these figures are for storage, keyword search and transfer; bench:recall measures the Search level. */
function startServer(args: string[], env: Record<string, string> = {}): Promise<Server> {
  return spawnServer([BIN, '--port', '0', '--embedder', 'off', ...args], {
    ...process.env,
    OMP_API_KEY: KEY,
    ...env,
  });
}

const rows: Row[] = [];
const transfers: Transfer[] = [];
const commitNotes: string[] = [];
const matchNotes: string[] = [];

/** A row that could not be measured at all (its setup failed), so the table says why. */
function failedRow(store: string, setup: string, operation: string, err: unknown): Row {
  const why = err instanceof Error ? err.message : String(err);
  console.log(`${store} ${setup} ${operation} FAILED: ${why}`);
  const none = { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return {
    store,
    setup,
    operation,
    connections: 32,
    reqPerSec: none,
    p50: none,
    p99: none,
    requests: 0,
    failures: 0,
    why,
    cpuUs: 0,
    rss: 0,
    load: [loadavg()[0] as number, loadavg()[0] as number],
  };
}

/** Run `fn` with a server, always stopping it; a failure to start becomes a failed row. */
async function withServer(
  store: string,
  setup: string,
  args: string[],
  fn: (s: Server) => Promise<void>,
): Promise<Server | undefined> {
  let server: Server;
  try {
    server = await startServer(args);
  } catch (err) {
    rows.push(failedRow(store, setup, 'start the server', err));
    return undefined;
  }
  try {
    await fn(server);
  } catch (err) {
    rows.push(failedRow(store, setup, 'a step of this setup', err));
  } finally {
    await server.stop();
  }
  return server;
}

/** Total of a list or search response, for the notes. */
async function total(url: string, path: string, body?: string): Promise<number> {
  const res = await fetch(url + path, body ? { method: 'POST', headers, body } : { headers: auth });
  return ((await res.json()) as { total: number }).total;
}

/** Every row of one store size. */
async function benchStore(n: number): Promise<void> {
  const store = label(n);
  const db = join(dataDir, `store-${store}.db`);
  await copySeed(dataDir, n, db);
  const s = searchOps();
  const m = (
    servers: Server[],
    ops: Parameters<typeof measure>[1],
    setup: string,
    connections = 32,
    name?: string,
  ) => measure(servers, ops, { store, setup, connections, ...(name ? { label: name } : {}) }, opts);

  // Uncached reads: every request counts, filters and ranks.
  await withServer(store, 'SQLite, no cache', ['--db', db, '--no-cache'], async (server) => {
    const list = await total(server.url, FILTERED_LIST);
    const common = await total(server.url, '/v1/memories/search', JSON.stringify({ q: COMMON_TERM }));
    const rare = await total(server.url, '/v1/memories/search', JSON.stringify({ q: RARE_TERM }));
    matchNotes.push(
      `${store}: the filtered list matches ${list} (${((list / n) * 100).toFixed(0)} %); "${COMMON_TERM}" matches ${common}; "${RARE_TERM}" matches ${rare}.`,
    );
    console.log(matchNotes[matchNotes.length - 1]);
    const setup = 'SQLite, no cache';
    if (SEARCH_ONLY) {
      for (const op of [s.rare, s.common, s.question]) rows.push(...(await m([server], [op], setup)));
      for (const op of [s.common, s.question]) rows.push(...(await m([server], [op], setup, 1)));
      return;
    }
    rows.push(...(await m([server], [getOp(n)], setup)));
    rows.push(...(await m([server], [filteredListOp()], setup)));
    const page = Math.floor(n / DEEP_LIMIT);
    rows.push(...(await m([server], [deepOffsetOp(n - DEEP_LIMIT, page)], setup)));
    try {
      const deep = await deepCursors(server.url, auth, n);
      rows.push(...(await m([server], [deepCursorOp(deep.cursors, deep.page)], setup)));
    } catch (err) {
      rows.push(failedRow(store, setup, `list page ${page} by cursor`, err));
    }
    for (const op of [s.rare, s.common, s.question]) rows.push(...(await m([server], [op], setup)));
    for (const op of [s.common, s.question]) rows.push(...(await m([server], [op], setup, 1)));
  });

  if (SEARCH_ONLY) return removeStore(db);
  // The same reads with the response cache on (the same request repeated: mostly cache hits).
  await withServer(store, 'SQLite, cached', ['--db', db], async (server) => {
    for (const op of [filteredListOp(), s.rare, s.common])
      rows.push(...(await m([server], [op], 'SQLite, cached')));
  });

  // Writes last: they grow the store.
  const writer = await withServer(store, 'SQLite, no cache', ['--db', db, '--no-cache'], async (server) => {
    rows.push(...(await m([server], mixedOps(), 'SQLite, no cache', 32, 'mixed')));
    rows.push(...(await m([server], [createOp()], 'SQLite, no cache')));
    rows.push(...(await m([server], [createOp()], 'SQLite, no cache', 1)));
  });
  const stopped = /"msg":"stopped","commits":(\d+),"writes":(\d+)/.exec(writer?.stderrTail() ?? '');
  if (stopped && Number(stopped[2]) > 0) {
    const perCommit = Number(stopped[2]) / Number(stopped[1]);
    commitNotes.push(
      `${store}: ${stopped[2]} writes were committed in ${stopped[1]} transactions (${perCommit.toFixed(1)} per fsync on average).`,
    );
    console.log(commitNotes[commitNotes.length - 1]);
  }

  transfers.push(await timedExports(() => startServer(['--db', db]), store, n, REPS, auth));
  if (n <= MAX_HTTP_IMPORT) {
    const importDb = join(dataDir, `import-${store}.db`);
    transfers.push(await timedImports((f) => startServer(['--db', f]), importDb, store, n, REPS, auth));
  }
  for (const t of transfers.filter((x) => x.store === store))
    console.log(
      `${store.padEnd(5)} ${t.what}: ${fmtSpread(t.seconds)} s, ${t.mib.toFixed(1)} MiB, server RSS ${t.rssBefore.toFixed(0)} -> peak ${t.rssPeak.toFixed(0)} MiB ${t.why ?? t.detail}`,
    );
  removeStore(db);
}

/** The issue's targets against this run's figures: [target, measured, met]. */
function targets(): [string, string, boolean][] {
  const big = label(LARGEST);
  const row = (setup: string, start: string, c = 32) =>
    rows.find(
      (r) => r.store === big && r.setup === setup && r.operation.startsWith(start) && r.connections === c,
    );
  const out: [string, string, boolean][] = [];
  // [target, setup, operation prefix, connections, req/s at least, p99 ms at most]: issue #18 (writes and
  // lists without caches), issue #13 (keyword search for an agent's question), then the first round's targets.
  const goals: [string, string, string, number, number, number][] = [
    ['durable create >= 5,000 req/s, p99 <= 30 ms', 'SQLite, no cache', 'create', 32, 5000, 30],
    ['durable create, one client, >= 1,000 req/s', 'SQLite, no cache', 'create', 1, 1000, Infinity],
    [
      'filtered list >= 2,000 req/s, p99 <= 50 ms (no cache)',
      'SQLite, no cache',
      'list type+tag',
      32,
      2000,
      50,
    ],
    ['8-word question p99 <= 50 ms, one client (no cache)', 'SQLite, no cache', 'search 8-word', 1, 0, 50],
    ['8-word question >= 500 req/s (no cache)', 'SQLite, no cache', 'search 8-word', 32, 500, Infinity],
    ['filtered list p99 <= 20 ms (no cache)', 'SQLite, no cache', 'list type+tag', 32, 0, 20],
    ['filtered list p99 <= 20 ms (cached)', 'SQLite, cached', 'list type+tag', 32, 0, 20],
    ['search rare term p99 <= 20 ms (no cache)', 'SQLite, no cache', 'search rare', 32, 0, 20],
    ['search common term p99 <= 20 ms (no cache)', 'SQLite, no cache', 'search common', 32, 0, 20],
    ['search common term p99 <= 20 ms (cached)', 'SQLite, cached', 'search common', 32, 0, 20],
  ];
  for (const [name, setup, start, c, minRate, maxP99] of goals) {
    const r = row(setup, start, c);
    if (!r) continue;
    const measured = [
      ...(minRate > 0 ? [`${fmt(r.reqPerSec.median)} req/s`] : []),
      ...(Number.isFinite(maxP99) ? [`p99 ${fmt(r.p99.median)} ms`] : []),
    ].join(', ');
    out.push([`${big}: ${name}`, measured, r.reqPerSec.median >= minRate && r.p99.median <= maxP99]);
  }
  const exp = transfers.find((t) => t.store === big && t.what.startsWith('export') && !t.why);
  if (exp) {
    out.push([`${big}: export <= 2 s`, `${fmt(exp.seconds.median)} s`, exp.seconds.median <= 2]);
    const growth = exp.rssPeak - exp.rssBefore;
    out.push([`${big}: export RSS growth <= 100 MB`, `${growth.toFixed(1)} MiB`, growth * 1.048576 <= 100]);
  }
  const imp = transfers.find((t) => t.store === big && t.what.startsWith('import') && !t.why);
  if (imp) out.push([`${big}: import <= 5 s`, `${fmt(imp.seconds.median)} s`, imp.seconds.median <= 5]);
  return out;
}

/** Rows as a Markdown table. */
function rowTable(selected: readonly Row[]): string[] {
  const out = [
    '| store | setup | operation | conns | req/s median (range) | p50 ms median (range) | p99 ms median (range) | CPU µs/req | RSS MiB | failures | load before→after |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of selected)
    out.push(
      `| ${r.store} | ${r.setup} | ${r.operation} | ${r.connections} | ${fmtSpread(r.reqPerSec)} | ${fmtSpread(r.p50)} | ${fmtSpread(r.p99)} | ${r.cpuUs} | ${r.rss} | ${r.failures}${r.why ? ` — ${r.why.replaceAll('|', '/').replaceAll('\n', ' ').slice(0, 120)}` : ''} | ${fmt(r.load[0])}→${fmt(r.load[1])} |`,
    );
  return out;
}

/** The growth table for the uncached rows (mixed workload included, per operation). */
function growthSection(): string {
  const uncached = rows.filter((r) => r.setup === 'SQLite, no cache' && !r.operation.endsWith(': all'));
  return growthMarkdown(growthTable(uncached, SIZES, label), SIZES, label);
}

function transferTable(): string[] {
  const out = [
    '| store | what | seconds median (range) | MiB | server RSS before | server RSS peak | |',
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const t of transfers)
    out.push(
      `| ${t.store} | ${t.what} | ${fmtSpread(t.seconds)} | ${t.mib.toFixed(1)} | ${t.rssBefore.toFixed(0)} | ${t.rssPeak.toFixed(0)} | ${t.why ? `FAILED: ${t.why}` : t.detail} |`,
    );
  return out;
}

function writeResults(
  machine: Record<string, string>,
  drivers: ReturnType<typeof compareDrivers>,
  pg: SideBySide | undefined,
  logCost: LogCost[],
  minutes: number,
): void {
  const uncached = rows.filter((r) => r.setup === 'SQLite, no cache' && !r.operation.startsWith('mixed'));
  const lines: string[] = [
    '# Reference server benchmark',
    '',
    `Written by \`${argv.length > 0 ? `node bench/run.ts ${argv.join(' ')}` : 'npm run bench:server'}\` (reference-server/bench/run.ts) on ${new Date().toISOString()}; the run took ${minutes.toFixed(1)} minutes.`,
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    ...Object.entries(machine).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    'Server and load generator (bench/load-driver.ts: keep-alive node:http, one request at a time per connection)',
    'share the machine; requests go over loopback. The server runs as its own process from the bin, with its',
    'request log on (to a pipe), WAL and `synchronous=FULL`. Stores are copies of one seeded file per size',
    `(bench/seed.ts), so every run starts from the same state. Every figure is the median of ${REPS} runs of ${SECONDS} s`,
    '(range in parentheses) after a 1-second warm-up; "load" is the 1-minute load average before the first and after',
    "the last run. CPU µs/req is the server process's own CPU time per request.",
    '',
    '## Uncached (headline)',
    '',
    'The server runs with `--no-cache`: every request counts, filters and ranks. Deep pages are the last page',
    `(limit ${DEEP_LIMIT}) of the whole store, by offset and by cursor (SPEC.md §5.2; the 1,000th page at 100k).`,
    '',
    ...matchNotes,
    '',
    ...rowTable(uncached),
    '',
    ...commitNotes,
    '',
    '## Mixed workload (no cache)',
    '',
    '32 connections; each request is a create (10 %), the filtered list (45 %) or a keyword search (45 %: rare term,',
    'common term or the question); p50 and p99 per operation, req/s per operation and in all.',
    '',
    ...rowTable(rows.filter((r) => r.operation.startsWith('mixed'))),
    '',
    '## Cached',
    '',
    'The default server (response cache on), the same request repeated: mostly cache hits. Not the headline.',
    '',
    ...rowTable(rows.filter((r) => r.setup === 'SQLite, cached')),
    '',
    '## Export and import',
    '',
    `Import through POST /v1/import into an empty store (up to ${label(MAX_HTTP_IMPORT)}); export of the whole store.`,
    '',
    ...transferTable(),
    '',
    '## Cost as the store grows',
    '',
    'Median p50 per operation and store size (no cache). A bounded page should stay flat or grow',
    'logarithmically. An offset page grows with its offset by design; a cursor page need not, beyond counting the',
    '`offset` and `total` its response carries (OMP-LIST-022, OMP-LIST-012). 1M: `npm run bench:server:1m`',
    '(bench/GROWTH.md).',
    '',
    growthSection(),
    '',
    `## SQLite and PostgreSQL side by side (issue #17), ${label(Math.min(LARGEST, 100_000))}`,
    '',
  ];
  if (pg)
    lines.push(
      'No cache on any setup; 32 connections in all, spread evenly over the processes. Create, list and keyword',
      'rows run at the Core level (`--embedder off`); semantic and hybrid rows at the Search level (`--embedder',
      "builtin`), each request embedding its query with the model, as a user's request does. Both stores are",
      "seeded with the model's own vectors of the corpus through import (client-supplied embeddings): each distinct",
      'content embedded once and cached (bench/vector-cache.ts; 100k memories hold about 30k distinct contents).',
      '',
      sideBySideMarkdown(pg, availableParallelism()),
    );
  else lines.push('Not run (`--no-postgres`).');
  lines.push(
    '',
    '## Access log cost (control level, SPEC.md §20.4)',
    '',
    'The same store and requests with the access log on and off (`--no-access-log`); target: at most 10 % slower.',
    '',
    '| operation | log on req/s | log off req/s | slower | log on CPU µs/req | log off CPU µs/req | more CPU |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...logCost.map(
      (c) =>
        `| ${c.operation} | ${fmt(c.on)} | ${fmt(c.off)} | ${((1 - c.on / c.off) * 100).toFixed(1)} % | ${c.cpuOn} | ${c.cpuOff} | ${((c.cpuOn / c.cpuOff - 1) * 100).toFixed(1)} % |`,
    ),
    '',
    '## Targets',
    '',
    '| target | measured | met |',
    '|---|---|---|',
    ...targets().map((t) => `| ${t[0]} | ${t[1]} | ${t[2] ? 'yes' : '**no**'} |`),
    '',
    '## SQLite driver: node:sqlite versus better-sqlite3',
    '',
    `Same schema and statements, in-process, file databases with WAL; ${drivers.note}.`,
    '',
    '| workload | node:sqlite ms | better-sqlite3 ms |',
    '|---|---:|---:|',
    ...drivers.rows.map(([k, a, b]) => `| ${k} | ${fmt(a)} | ${b === null ? 'n/a' : fmt(b)} |`),
  );
  // The health-latency section is stall.ts's (npm run bench runs it next): kept until it rewrites it.
  const file = OUT || join(here, 'RESULTS.md');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const stall = stallSection(previous);
  if (stall) lines.push('', stall);
  lines.push('');
  // Sections measured by other commands (bench:search-level, partial runs) follow the marker and are kept.
  const at = previous.indexOf(KEPT_MARKER);
  writeFileSync(file, `${lines.join('\n')}\n${at < 0 ? '' : `\n${previous.slice(at)}`}`);
}

/** bench:server:1m: this run's rows and growth table in bench/GROWTH.md. */
function writeGrowth(machine: Record<string, string>, minutes: number): void {
  const text = [
    '# Cost as the store grows',
    '',
    `Written by \`node bench/run.ts ${argv.join(' ')}\` on ${new Date().toISOString()} (${minutes.toFixed(1)} minutes). Medians of ${REPS} runs of ${SECONDS} s; see RESULTS.md for the method.`,
    '',
    ...Object.entries(machine).map(([k, v]) => `- ${k}: ${v}`),
    '',
    growthSection(),
    '',
    ...matchNotes,
    '',
    ...rowTable(rows),
    '',
    ...transferTable(),
    '',
  ].join('\n');
  writeFileSync(join(here, 'GROWTH.md'), text);
}

/** The corpus vectors of the side by side: the model's (cached), or synthetic with --synthetic-vectors. */
async function benchVectors(n: number): Promise<CorpusVectors> {
  if (!argv.includes('--synthetic-vectors')) return corpusVectors(dataDir, n);
  const { builtinEmbedder } = await import('../src/search/builtin-embedder.ts');
  const e = builtinEmbedder();
  e.close();
  return syntheticVectors(e.model, e.dimensions);
}

const loadNow = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

async function main(): Promise<void> {
  const started = performance.now();
  mkdirSync(dataDir, { recursive: true });
  const machine = describeMachine(dataDir);
  machine['load average at start (1/5/15 min)'] = loadNow();
  console.log(
    Object.entries(machine)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
  );
  const logDb = join(dataDir, 'access-log.db');
  const logRun = async (rounds: number) => {
    await copySeed(dataDir, SIZES[0] as number, logDb);
    const cost = await accessLogCost(
      logDb,
      SIZES[0] as number,
      label(SIZES[0] as number),
      (a) => startServer(a),
      {
        seconds: SECONDS,
        rounds,
        headers,
        only: ACCESS_LOG_FILTER,
      },
    );
    removeStore(logDb);
    return cost;
  };
  if (ACCESS_LOG_ONLY) {
    await logRun(3);
    return;
  }
  for (const n of SIZES) await seededFile(dataDir, n); // seeding is not part of any figure
  if (!POSTGRES_ONLY) for (const n of SIZES) await benchStore(n);
  const growth = growthTable(
    rows.filter((r) => r.setup === 'SQLite, no cache' && !r.operation.endsWith(': all')),
    SIZES,
    label,
  );
  console.log('\ncost as the store grows (p50 ms):');
  for (const g of growth)
    console.log(
      `  ${g.operation.padEnd(56)} ${g.p50.map((p) => fmt(p).padStart(8)).join(' ')}  ×${fmt(g.ratio)}  ${g.growth}`,
    );
  let pg: SideBySide | undefined;
  if (POSTGRES) {
    const n = Math.min(LARGEST, 100_000);
    console.log(`\nSQLite and PostgreSQL side by side at ${label(n)} ...`);
    try {
      pg = await sideBySide({
        dataDir,
        n,
        label: label(n),
        seconds: SECONDS,
        reps: REPS,
        headers,
        start: startServer,
        ...(SEMANTIC ? { vectors: await benchVectors(n) } : {}),
      });
    } catch (err) {
      pg = { rows: [], health: [], skipped: err instanceof Error ? err.message : String(err) };
    }
    if (pg.skipped) console.log(`PostgreSQL not measured: ${pg.skipped}`);
    else if (POSTGRES_ONLY) console.log(`\n${sideBySideMarkdown(pg, availableParallelism())}`);
  }
  const logCost = PARTIAL ? [] : await logRun(1);
  let drivers: ReturnType<typeof compareDrivers> = { rows: [], note: 'not run' };
  if (!PARTIAL) {
    console.log('comparing SQLite drivers (installs better-sqlite3 into bench/.deps on first run) ...');
    try {
      drivers = compareDrivers(dataDir, QUICK ? 10_000 : 50_000);
    } catch (err) {
      drivers = { rows: [], note: `not measured: ${err instanceof Error ? err.message : String(err)}` };
    }
    for (const [k, a, b] of drivers.rows)
      console.log(
        `  ${k.padEnd(48)} node:sqlite ${fmt(a)} ms   better-sqlite3 ${b === null ? 'n/a' : `${fmt(b)} ms`}`,
      );
    console.log(`  ${drivers.note}`);
  }
  const minutes = (performance.now() - started) / 60_000;
  machine['load average at end (1/5/15 min)'] = loadNow();
  for (const [name, measured, met] of targets())
    console.log(`target ${met ? 'met    ' : 'MISSED '} ${name}: ${measured}`);
  if (WRITE) writeResults(machine, drivers, pg, logCost, minutes);
  if (WRITE_GROWTH) writeGrowth(machine, minutes);
  const wrote = WRITE
    ? `; wrote ${OUT || 'bench/RESULTS.md'}`
    : WRITE_GROWTH
      ? '; wrote bench/GROWTH.md'
      : ' (RESULTS.md not written)';
  console.log(`done in ${minutes.toFixed(1)} min${wrote}`);
  // Seeded stores stay cached in bench/.data/seed; everything else of the run goes.
  for (const f of ['driver-node.db', 'driver-better.db', 'side-by-side.db']) removeStore(join(dataDir, f));
  rmSync(join(dataDir, 'tmp'), { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
