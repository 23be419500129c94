/**
 * SQLite against PostgreSQL (issue #17): the reference server on a SQLite file (one process), on PostgreSQL
 * (one process) and on PostgreSQL from three processes at once, each preloaded with the same corpus, driven over
 * loopback by autocannon (32 connections in all, split evenly between the processes) for create, a filtered list
 * and keyword search. Starts its own PostgreSQL (test/postgres-cluster.ts: needs the postgresql package).
 *
 *   node bench/postgres.ts [--size 10000] [--duration 5] [--write]   (--write: bench/POSTGRES.md)
 *
 * One machine runs the database, the servers and the load generator: on 2 cores, three server processes
 * compete with PostgreSQL and autocannon for the same CPUs, so the figures show overhead, not scaling.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateKey } from '../src/index.ts';
import { LocalStore } from '../src/storage/local-store.ts';
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';
import type { Store } from '../src/storage/store.ts';
import { findPostgres, startPostgres } from '../test/postgres-cluster.ts';
import { autocannon } from './autocannon.ts';
import { COMMON_TERM, createBodyAt, memoryAt, RARE_TERM } from './corpus.ts';
import { type Server, spawnServer } from './server-process.ts';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '../bin/omp-reference-server.js');
const KEY = generateKey();
const { values } = parseArgs({
  options: { size: { type: 'string' }, duration: { type: 'string' }, write: { type: 'boolean' } },
});
const SIZE = Number(values.size ?? 10_000);
const DURATION = Number(values.duration ?? 5);
const CONNECTIONS = 32;

const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
let created = 0;
const OPERATIONS: Record<string, () => Record<string, unknown>> = {
  create: () => ({
    method: 'POST',
    path: '/v1/memories',
    headers,
    setupRequest: (r: Record<string, unknown>) => ({
      ...r,
      body: JSON.stringify(createBodyAt(SIZE + created++)),
    }),
  }),
  'list, tag filter, 20': () => ({ method: 'GET', path: '/v1/memories?limit=20&tags=work', headers }),
  'keyword search, rare term': () => ({
    method: 'POST',
    path: '/v1/memories/search',
    headers,
    body: JSON.stringify({ q: RARE_TERM, limit: 10 }),
  }),
  'keyword search, common term': () => ({
    method: 'POST',
    path: '/v1/memories/search',
    headers,
    body: JSON.stringify({ q: `${COMMON_TERM} project`, limit: 10 }),
  }),
};

async function preload(store: Store): Promise<void> {
  const vis = { principal: 'owner', ownTool: null };
  for (let i = 0; i < SIZE; i += 5000) {
    const batch = Array.from({ length: Math.min(5000, SIZE - i) }, (_, j) => memoryAt(i + j));
    await store.import(vis, null, batch, 'skip');
  }
  await store.close();
}

interface Row {
  setup: string;
  operation: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  failures: number;
}
const rows: Row[] = [];

/** Drive every server at once, the connections split between them; throughput summed. */
async function drive(setup: string, servers: Server[]): Promise<void> {
  for (const [operation, request] of Object.entries(OPERATIONS)) {
    const per = Math.max(1, Math.floor(CONNECTIONS / servers.length));
    const run = (duration: number, connections: number) =>
      Promise.all(
        servers.map((s) =>
          autocannon({ url: s.url, connections, duration, requests: [request()], timeout: 30 }),
        ),
      );
    await run(1, 1); // warm up
    const results = await run(DURATION, per);
    const total = results.reduce((n, r) => n + r.requests.total, 0);
    const row: Row = {
      setup,
      operation,
      reqPerSec: Math.round(total / DURATION),
      p50: Math.max(...results.map((r) => r.latency.p50)),
      p99: Math.max(...results.map((r) => r.latency.p99)),
      failures: results.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0),
    };
    rows.push(row);
    console.log(
      `${setup.padEnd(26)} ${operation.padEnd(28)} ${String(row.reqPerSec).padStart(6)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms${row.failures ? `  FAILURES ${row.failures}` : ''}`,
    );
  }
}

const start = (args: string[], env: Record<string, string> = {}) =>
  spawnServer([BIN, '--port', '0', '--embedder', 'off', '--quiet', '--no-access-log', ...args], {
    ...process.env,
    OMP_API_KEY: KEY,
    ...env,
  });

const found = findPostgres();
if ('missing' in found) {
  console.error(`bench/postgres.ts needs PostgreSQL: ${found.missing}`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'omp-bench-pg-'));
const cluster = await startPostgres(found.bin);
try {
  const file = join(dir, 'omp.db');
  await preload(LocalStore.open(file, null));
  await preload(await PostgresStore.open(cluster.url));
  const sqlite = await start(['--db', file]);
  await drive('SQLite, 1 process', [sqlite]);
  await sqlite.stop();
  const one = await start([], { OMP_STORE: cluster.url });
  await drive('Postgres, 1 process', [one]);
  const more = await Promise.all([
    start([], { OMP_STORE: cluster.url }),
    start([], { OMP_STORE: cluster.url }),
  ]);
  await drive('Postgres, 3 processes', [one, ...more]);
  for (const s of [one, ...more]) await s.stop();
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}

if (values.write) {
  const table = rows
    .map((r) => `| ${r.setup} | ${r.operation} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.failures} |`)
    .join('\n');
  writeFileSync(
    join(here, 'POSTGRES.md'),
    `# SQLite and PostgreSQL, one and three server processes\n\nWritten by \`node bench/postgres.ts --write\` (${SIZE} memories preloaded, ${CONNECTIONS} connections in all, ${DURATION} s per row, ${cpus().length} CPUs shared by PostgreSQL, the servers and autocannon; access log off; creates are one durable commit each, grouped per process). Lists and searches repeat one request, so they are mostly answered from each process's response cache; on PostgreSQL each such answer still costs one round trip (the change counter that keeps caches of several processes exact). On 2 CPUs, three processes compete with PostgreSQL and autocannon: these rows show the overhead of more processes, not how they scale on more cores.\n\n| setup | operation | req/s | p50 ms | p99 ms | failures |\n| --- | --- | ---: | ---: | ---: | ---: |\n${table}\n`,
  );
}
