/**
 * `npm run bench:server`: the reference server's benchmark. Starts the real server (bin, child process,
 * request log on) on SQLite files under bench/.data, loads stores of 10k and 100k memories through
 * POST /v1/import, drives it with autocannon over loopback (32 connections) and records req/s, p50/p99 and
 * server RSS for get, filtered list, keyword search (a rare term and a term in half the corpus, with and
 * without the response cache), export, import and create. Then compares node:sqlite with better-sqlite3.
 * Prints the figures and writes bench/RESULTS.md. About 5 minutes on 2 cores.
 *
 * `--access-log` runs only the control level's cost check (SPEC.md §20.4): create and search throughput with
 * the access log on and off (`--no-access-log`), in alternating rounds on the same store, and the slowdown.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKey } from '../src/index.ts';
import { COMMON_TERM, createBodyAt, exportFileText, memoryAt, QUESTION, RARE_TERM } from './corpus.ts';
import { compareDrivers } from './drivers.ts';
import { describeMachine } from './machine.ts';
import { stallSection } from './results-section.ts';
import { type Server, spawnServer } from './server-process.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** RESULTS.md keeps everything from this line on when the bench rewrites the file. */
const KEPT_MARKER = '<!-- kept by bench/run.ts: sections measured by other commands -->';
const dataDir = join(here, '.data');
const BIN = join(here, '../bin/omp-reference-server.js');
const KEY = generateKey();
const QUICK = process.argv.includes('--quick'); // smaller stores and shorter runs, to try the bench itself
const ACCESS_LOG_ONLY = process.argv.some((a) => a === '--access-log' || a.startsWith('--access-log='));
/** `--access-log=get` runs only the workloads whose name contains the word. */
const ACCESS_LOG_FILTER = process.argv.find((a) => a.startsWith('--access-log='))?.split('=')[1];
/** `--size N` (repeatable) measures only stores of those sizes; `--search-only` only the search rows. */
const SIZE_ARGS = process.argv.flatMap((a, i) => (a === '--size' ? [Number(process.argv[i + 1])] : []));
const SEARCH_ONLY = process.argv.includes('--search-only');
const PARTIAL = SIZE_ARGS.length > 0 || SEARCH_ONLY;
const SIZES = SIZE_ARGS.length > 0 ? SIZE_ARGS : QUICK ? [2_000, 10_000] : [10_000, 100_000];
const DURATION = QUICK ? 2 : 6;

// autocannon is CommonJS without type definitions; this is the part of its API the bench uses.
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface CannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: CannonRequest) => CannonRequest;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (
  opts: Record<string, unknown>,
) => Promise<CannonResult>;

/** Core only: these figures are for storage, keyword search and transfer; bench:recall measures the Search level. */
function startServer(db: string, args: string[] = []): Promise<Server> {
  return spawnServer([BIN, '--db', db, '--port', '0', '--embedder', 'off', ...args], {
    ...process.env,
    OMP_API_KEY: KEY,
  });
}

/** Resident set size and its peak, MiB, from /proc. */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

const auth = { authorization: `Bearer ${KEY}` };
const jsonAuth = { ...auth, 'content-type': 'application/json' };

interface Row {
  store: string;
  operation: string;
  connections: number;
  reqPerSec: number;
  requests: number;
  p50: number;
  p99: number;
  failures: number;
  rss: number;
  /** Server CPU time (user + system) per request, microseconds. */
  cpuUs: number;
}
const rows: Row[] = [];

/** CPU time a process has used (user + system), microseconds, from /proc (clock ticks of 10 ms). */
function cpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function cannon(
  server: Server,
  store: string,
  operation: string,
  request: CannonRequest,
  connections = 32,
  duration = DURATION,
): Promise<Row> {
  const opts = { url: server.url, connections, requests: [request], timeout: 30 };
  await autocannon({ ...opts, connections: 1, duration: 1 }); // warm up (JIT, caches) without leaving a backlog
  const cpuBefore = cpuUs(server.child.pid as number);
  const r = await autocannon({ ...opts, duration });
  const cpu = cpuUs(server.child.pid as number) - cpuBefore;
  // Requests still queued in the server when autocannon stops would delay the next measurement: a request
  // made now is answered only after they have run.
  await fetch(`${server.url}/v1/health`);
  const row: Row = {
    store,
    operation,
    connections,
    reqPerSec: Math.round(r.requests.total / duration),
    requests: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failures: r.errors + r.timeouts + r.non2xx,
    rss: Math.round(memory(server.child.pid as number).rss),
    cpuUs: Math.round(cpu / Math.max(1, r.requests.total)),
  };
  rows.push(row);
  console.log(
    `${store.padEnd(5)} ${operation.padEnd(44)} c=${String(connections).padStart(2)} ${String(row.reqPerSec).padStart(6)} req/s  p50 ${String(row.p50).padStart(5)} ms  p99 ${String(row.p99).padStart(5)} ms  RSS ${row.rss} MiB  CPU ${row.cpuUs} µs/req${row.failures ? `  FAILURES ${row.failures}` : ''}`,
  );
  return row;
}

interface Transfer {
  store: string;
  what: string;
  seconds: number;
  mib: number;
  rssBefore: number;
  rssPeak: number;
  detail: string;
}
const transfers: Transfer[] = [];

async function timedImport(server: Server, store: string, n: number): Promise<void> {
  const body = exportFileText(n);
  const before = memory(server.child.pid as number).rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, memory(server.child.pid as number).rss);
  }, 10);
  const t = performance.now();
  const res = await fetch(`${server.url}/v1/import`, { method: 'POST', headers: jsonAuth, body });
  const result = (await res.json()) as { imported: number; skipped: number; errors: unknown[] };
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  if (res.status !== 200 || result.imported !== n)
    throw new Error(`import failed: ${res.status} ${JSON.stringify(result).slice(0, 300)}`);
  const t2: Transfer = {
    store,
    what: `import ${n} memories`,
    seconds,
    mib: Buffer.byteLength(body) / 2 ** 20,
    rssBefore: before,
    rssPeak: peak,
    detail: `${Math.round(n / seconds)} memories/s`,
  };
  transfers.push(t2);
  console.log(
    `${store.padEnd(5)} import ${n}: ${seconds.toFixed(2)} s for ${t2.mib.toFixed(1)} MiB; server RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MiB`,
  );
}

async function timedExport(server: Server, store: string, n: number): Promise<void> {
  const pid = server.child.pid as number;
  const before = memory(pid).rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, memory(pid).rss);
  }, 5);
  const t = performance.now();
  const res = await fetch(`${server.url}/v1/export`, { headers: auth });
  const chunks: Buffer[] = [];
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, memory(pid).rss);
  const text = Buffer.concat(chunks).toString('utf8');
  const count = (JSON.parse(text) as { memories: unknown[] }).memories.length;
  if (count < n) throw new Error(`export returned ${count} of ${n} memories`);
  const t2: Transfer = {
    store,
    what: `export ${count} memories`,
    seconds,
    mib: text.length / 2 ** 20,
    rssBefore: before,
    rssPeak: peak,
    detail: `RSS growth ${(peak - before).toFixed(1)} MiB`,
  };
  transfers.push(t2);
  console.log(
    `${store.padEnd(5)} export ${count}: ${seconds.toFixed(2)} s for ${t2.mib.toFixed(1)} MiB; server RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MiB`,
  );
}

const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
const randomId = (n: number) => memoryAt(Math.floor(Math.random() * n)).id;

async function benchStore(n: number): Promise<void> {
  const store = label(n);
  const db = join(dataDir, `store-${store}.db`);
  for (const suffix of ['', '-wal', '-shm', '.key']) rmSync(db + suffix, { force: true });
  let server = await startServer(db);
  await timedImport(server, store, n);

  const list = '/v1/memories?type=semantic&tags=preferences';
  const listBody = (await (await fetch(`${server.url}${list}`, { headers: auth })).json()) as {
    total: number;
  };
  const common = (await (
    await fetch(`${server.url}/v1/memories/search?q=${COMMON_TERM}`, { headers: auth })
  ).json()) as { total: number };
  const rare = (await (
    await fetch(`${server.url}/v1/memories/search?q=${RARE_TERM}`, { headers: auth })
  ).json()) as { total: number };
  console.log(
    `${store.padEnd(5)} list filter matches ${listBody.total}; "${COMMON_TERM}" matches ${common.total}; "${RARE_TERM}" matches ${rare.total}`,
  );

  const searchCommon: CannonRequest = {
    method: 'POST',
    path: '/v1/memories/search',
    headers: jsonAuth,
    body: JSON.stringify({ q: COMMON_TERM }),
  };
  const searchRare: CannonRequest = {
    method: 'POST',
    path: '/v1/memories/search',
    headers: jsonAuth,
    body: JSON.stringify({ q: RARE_TERM }),
  };
  // Pages among the first thousand matches; deep offsets cost a walk proportional to the offset.
  const randomOffset = (total: number) => Math.floor(Math.random() * Math.max(1, Math.min(total - 20, 1000)));
  if (!SEARCH_ONLY)
    await cannon(server, store, 'get one memory (random id)', {
      method: 'GET',
      path: '/v1/memories/x',
      headers: auth,
      setupRequest: (r) => ({ ...r, path: `/v1/memories/${randomId(n)}` }),
    });
  if (!SEARCH_ONLY) {
    await cannon(server, store, `list type+tag (${listBody.total} matches), same page`, {
      method: 'GET',
      path: list,
      headers: auth,
    });
    await cannon(server, store, 'list type+tag, random pages', {
      method: 'GET',
      path: list,
      headers: auth,
      setupRequest: (r) => ({ ...r, path: `${list}&offset=${randomOffset(listBody.total)}` }),
    });
  }
  await cannon(server, store, `search rare term (${rare.total} matches), same query`, searchRare);
  await cannon(server, store, `search common term (${common.total} matches), same query`, searchCommon);
  await cannon(server, store, 'search common term, random pages', {
    ...searchCommon,
    setupRequest: (r) => ({ ...r, body: JSON.stringify({ q: COMMON_TERM, offset: randomOffset(1000) }) }),
  });
  await server.stop();

  // The same reads with both caches off: every request counts and ranks.
  server = await startServer(db, ['--no-cache']);
  if (!SEARCH_ONLY)
    await cannon(server, store, 'list type+tag, no cache', { method: 'GET', path: list, headers: auth });
  await cannon(server, store, 'search rare term, no cache', searchRare);
  await cannon(server, store, 'search common term, no cache', searchCommon);
  await cannon(server, store, 'search common term, no cache', searchCommon, 1);
  const searchQuestion: CannonRequest = { ...searchCommon, body: JSON.stringify({ q: QUESTION }) };
  await cannon(server, store, 'search 8-word question, no cache', searchQuestion);
  await cannon(server, store, 'search 8-word question, no cache', searchQuestion, 1);
  await server.stop();
  if (SEARCH_ONLY) return;

  // Export right after a fresh start, so RSS growth is the export's own.
  server = await startServer(db);
  await new Promise((r) => setTimeout(r, 300));
  await timedExport(server, store, n);

  if (n === SIZES[SIZES.length - 1]) {
    let i = 0;
    const createReq: CannonRequest = {
      method: 'POST',
      path: '/v1/memories',
      headers: jsonAuth,
      setupRequest: (r) => ({ ...r, body: JSON.stringify(createBodyAt(i++ % 5000)) }),
    };
    await cannon(server, store, 'create (fsync-durable, group commit)', createReq, 32, DURATION + 4);
    await cannon(server, store, 'create, one client at a time', createReq, 1);
  }
  await server.stop();
  const stopped = /\{"level":"info","msg":"stopped","commits":(\d+),"writes":(\d+)\}/.exec(
    server.stderrTail(),
  );
  if (stopped && Number(stopped[2]) > 0) {
    const writesPerCommit = Number(stopped[2]) / Number(stopped[1]);
    console.log(
      `${store.padEnd(5)} group commit: ${stopped[2]} writes in ${stopped[1]} transactions (${writesPerCommit.toFixed(1)} per fsync)`,
    );
    commitNote = `${stopped[2]} create requests were committed in ${stopped[1]} transactions: ${writesPerCommit.toFixed(1)} writes per fsync on average.`;
  }
}
let commitNote = '';

/**
 * The access log's cost (SPEC.md §20.4, issue #16 target <= 10 %): [operation, on req/s, off req/s, on CPU µs per
 * request, off CPU µs per request]. On a shared machine throughput swings with other load; the server's own CPU
 * time per request is the steadier measure of what the log costs.
 */
const logCost: [string, number, number, number, number][] = [];

/**
 * Create and search with the access log on and off, on one store, alternating on/off rounds so that load from
 * elsewhere on the machine falls on both alike; each figure is the median of its rounds.
 */
async function benchAccessLog(n: number, rounds = 3): Promise<void> {
  const store = label(n);
  const db = join(dataDir, `log-${store}.db`);
  for (const suffix of ['', '-wal', '-shm', '.key']) rmSync(db + suffix, { force: true });
  const seed = await startServer(db);
  await timedImport(seed, store, n);
  await seed.stop();
  let i = 0;
  const workloads: [string, CannonRequest, string[]][] = [
    [
      'create (fsync-durable, group commit)',
      {
        method: 'POST',
        path: '/v1/memories',
        headers: jsonAuth,
        setupRequest: (r) => ({ ...r, body: JSON.stringify(createBodyAt(i++ % 5000)) }),
      },
      [],
    ],
    [
      'search common term, same query (cached page)',
      {
        method: 'POST',
        path: '/v1/memories/search',
        headers: jsonAuth,
        body: JSON.stringify({ q: COMMON_TERM }),
      },
      [],
    ],
    [
      'search rare term, no cache',
      {
        method: 'POST',
        path: '/v1/memories/search',
        headers: jsonAuth,
        body: JSON.stringify({ q: RARE_TERM }),
      },
      ['--no-cache'],
    ],
    [
      'get one memory (random id)',
      {
        method: 'GET',
        path: '/v1/memories/x',
        headers: auth,
        setupRequest: (r) => ({ ...r, path: `/v1/memories/${randomId(n)}` }),
      },
      [],
    ],
  ];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  for (const [name, request, args] of workloads) {
    if (ACCESS_LOG_FILTER !== undefined && !name.includes(ACCESS_LOG_FILTER)) continue;
    const on: number[] = [];
    const off: number[] = [];
    const cpuOn: number[] = [];
    const cpuOff: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const logged of r % 2 === 0 ? [true, false] : [false, true]) {
        const server = await startServer(db, logged ? args : [...args, '--no-access-log']);
        const row = await cannon(server, store, `${name}, log ${logged ? 'on' : 'off'}`, request);
        (logged ? on : off).push(row.reqPerSec);
        (logged ? cpuOn : cpuOff).push(row.cpuUs);
        await server.stop();
      }
    }
    logCost.push([name, median(on), median(off), median(cpuOn), median(cpuOff)]);
    const slower = (1 - median(on) / median(off)) * 100;
    const cpuMore = (median(cpuOn) / median(cpuOff) - 1) * 100;
    console.log(
      `${store.padEnd(5)} access log cost, ${name}: ${median(on)} vs ${median(off)} req/s (${slower.toFixed(1)} % slower); CPU ${median(cpuOn)} vs ${median(cpuOff)} µs/req (${cpuMore.toFixed(1)} % more)`,
    );
  }
}

/** The issue's targets against this run's figures: [target, measured, met]. */
function targets(): [string, string, boolean][] {
  const big = label(SIZES[SIZES.length - 1] as number);
  const row = (store: string, start: string, c = 32) =>
    rows.find((r) => r.store === store && r.operation.startsWith(start) && r.connections === c);
  const out: [string, string, boolean][] = [];
  const create = row(big, 'create (fsync');
  if (create)
    out.push(['create >= 5,000 req/s, fsync-durable', `${create.reqPerSec} req/s`, create.reqPerSec >= 5000]);
  for (const [name, start] of [
    ['filtered list p99 <= 20 ms (same page)', 'list type+tag ('],
    ['filtered list p99 <= 20 ms (random pages)', 'list type+tag, random'],
    ['filtered list p99 <= 20 ms (no cache)', 'list type+tag, no cache'],
    ['search rare term p99 <= 20 ms (same query)', 'search rare term ('],
    ['search rare term p99 <= 20 ms (no cache)', 'search rare term, no cache'],
    ['search common term p99 <= 20 ms (same query)', 'search common term ('],
    ['search common term p99 <= 20 ms (no cache)', 'search common term, no cache'],
  ] as const) {
    const r = row(big, start);
    if (r) out.push([`${big}: ${name}`, `p99 ${r.p99} ms`, r.p99 <= 20]);
  }
  const exp = transfers.find((t) => t.store === big && t.what.startsWith('export'));
  if (exp) {
    out.push([`${big}: export <= 2 s`, `${exp.seconds.toFixed(2)} s`, exp.seconds <= 2]);
    const growth = exp.rssPeak - exp.rssBefore;
    out.push([`${big}: export RSS growth <= 100 MB`, `${growth.toFixed(1)} MiB`, growth * 1.048576 <= 100]);
  }
  const imp = transfers.find((t) => t.store === big && t.what.startsWith('import'));
  if (imp) out.push([`${big}: import <= 5 s`, `${imp.seconds.toFixed(2)} s`, imp.seconds <= 5]);
  return out;
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function writeResults(
  machine: Record<string, string>,
  drivers: ReturnType<typeof compareDrivers>,
  minutes: number,
): void {
  const lines: string[] = [];
  lines.push('# Reference server benchmark', '');
  lines.push(
    `Written by \`npm run bench:server\` (reference-server/bench/run.ts) on ${new Date().toISOString()}; the run took ${minutes.toFixed(1)} minutes.`,
    '',
  );
  lines.push('## Machine', '', '| | |', '|---|---|');
  for (const [k, v] of Object.entries(machine)) lines.push(`| ${k} | ${v} |`);
  lines.push(
    '',
    'Server and load generator (autocannon) share the machine; requests go over loopback. The server runs as',
  );
  lines.push(
    'its own process from the bin, with its request log on (to a pipe), WAL and `synchronous=FULL`.',
    '',
  );
  lines.push(
    '## HTTP',
    '',
    '| store | operation | connections | requests | req/s | p50 ms | p99 ms | failures | server RSS MiB |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of rows)
    lines.push(
      `| ${r.store} | ${r.operation} | ${r.connections} | ${r.requests} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.failures} | ${r.rss} |`,
    );
  if (commitNote) lines.push('', commitNote);
  lines.push(
    '',
    '## Export and import',
    '',
    '| store | what | seconds | MiB | server RSS before | server RSS peak | |',
    '|---|---|---:|---:|---:|---:|---|',
  );
  for (const t of transfers)
    lines.push(
      `| ${t.store} | ${t.what} | ${t.seconds.toFixed(2)} | ${t.mib.toFixed(1)} | ${t.rssBefore.toFixed(0)} | ${t.rssPeak.toFixed(0)} | ${t.detail} |`,
    );
  lines.push(
    '',
    '## Access log cost (control level, SPEC.md §20.4)',
    '',
    'The same store and requests with the access log on and off (`--no-access-log`); target: at most 10 % slower.',
    '',
    '| operation | log on req/s | log off req/s | slower | log on CPU µs/req | log off CPU µs/req | more CPU |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const [name, on, off, con, coff] of logCost)
    lines.push(
      `| ${name} | ${on} | ${off} | ${((1 - on / off) * 100).toFixed(1)} % | ${con} | ${coff} | ${((con / coff - 1) * 100).toFixed(1)} % |`,
    );
  lines.push('', '## Targets', '', '| target | measured | met |', '|---|---|---|');
  for (const t of targets()) lines.push(`| ${t[0]} | ${t[1]} | ${t[2] ? 'yes' : '**no**'} |`);
  lines.push(
    '',
    '## SQLite driver: node:sqlite versus better-sqlite3',
    '',
    `Same schema and statements, in-process, file databases with WAL; ${drivers.note}.`,
    '',
  );
  lines.push('| workload | node:sqlite ms | better-sqlite3 ms |', '|---|---:|---:|');
  for (const [k, a, b] of drivers.rows) lines.push(`| ${k} | ${fmt(a)} | ${b === null ? 'n/a' : fmt(b)} |`);
  // The health-latency section is stall.ts's (npm run bench runs it next): kept until it rewrites it.
  const file = join(here, 'RESULTS.md');
  const stall = existsSync(file) ? stallSection(readFileSync(file, 'utf8')) : '';
  if (stall) lines.push('', stall);
  lines.push('');
  // Sections measured by other commands (bench:search-level, partial runs) follow the marker and are kept.
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = previous.indexOf(KEPT_MARKER);
  const kept = at < 0 ? '' : `\n${previous.slice(at)}`;
  writeFileSync(file, `${lines.join('\n')}\n${kept}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  mkdirSync(dataDir, { recursive: true });
  const machine = describeMachine(dataDir);
  machine['load average at start (1/5/15 min)'] = loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
  console.log(
    Object.entries(machine)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
  );
  if (ACCESS_LOG_ONLY) {
    await benchAccessLog(SIZES[0] as number);
    rmSync(dataDir, { recursive: true, force: true });
    return;
  }
  for (const n of SIZES) await benchStore(n);
  if (!PARTIAL) await benchAccessLog(SIZES[0] as number, 1);
  console.log('comparing SQLite drivers (installs better-sqlite3 into bench/.deps on first run) ...');
  const drivers = PARTIAL ? { rows: [], note: 'not run' } : compareDrivers(dataDir, QUICK ? 10_000 : 50_000);
  for (const [k, a, b] of drivers.rows)
    console.log(
      `  ${k.padEnd(48)} node:sqlite ${fmt(a)} ms   better-sqlite3 ${b === null ? 'n/a' : `${fmt(b)} ms`}`,
    );
  console.log(`  ${drivers.note}`);
  const minutes = (performance.now() - started) / 60_000;
  machine['load average at end (1/5/15 min)'] = loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
  for (const [name, measured, met] of targets())
    console.log(`target ${met ? 'met    ' : 'MISSED '} ${name}: ${measured}`);
  if (!QUICK && !PARTIAL) writeResults(machine, drivers, minutes);
  console.log(
    `done in ${minutes.toFixed(1)} min${QUICK || PARTIAL ? ' (quick or partial run: RESULTS.md not written)' : '; wrote bench/RESULTS.md'}`,
  );
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
