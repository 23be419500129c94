/**
 * SQLite and PostgreSQL side by side (issue #17): the same corpus and requests, uncached (`--no-cache`), on the
 * reference server over a SQLite file (one process), over PostgreSQL with one process, and over PostgreSQL with
 * three processes (connections spread evenly); create, filtered list and keyword search at the Core level
 * (`--embedder off`), and, when the corpus's model vectors are given (bench/vector-cache.ts), semantic and hybrid
 * search at the Search level (`--embedder builtin`: every request embeds its query with the model). Besides
 * throughput it records the CPU time per request of the servers and of PostgreSQL, which predicts the ceiling on
 * more cores, and the seeding: import, ANALYZE, and pgvector's HNSW index built once the rows are in.
 * Starts its own PostgreSQL (test/postgres-cluster.ts: needs the Debian postgresql package).
 */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { poolDatabase } from '../src/storage/postgres/database.ts';
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';
import { prepareVectors } from '../src/storage/postgres/vectors.ts';
import { findPostgres, startPostgres } from '../test/postgres-cluster.ts';
import { QUESTION } from './corpus.ts';
import type { Operation } from './load-driver.ts';
import { cpuUs, measure, type Row } from './measure.ts';
import { copySeed, fillStore } from './seed.ts';
import type { Server } from './server-process.ts';
import { fmt, fmtSpread, median } from './stats.ts';
import type { CorpusVectors } from './vector-cache.ts';
import { createOp, filteredListOp, searchOps, semanticOps } from './workloads.ts';

/** PostgreSQL's memory for building the HNSW index: pgvector builds fast only while the graph fits in it. */
export const INDEX_BUILD_MEMORY = '3GB';

/** What the side-by-side needs from the caller. */
export interface SideBySideContext {
  dataDir: string;
  n: number;
  label: string;
  seconds: number;
  reps: number;
  headers: Record<string, string>;
  /** Start a reference server with extra arguments and environment. */
  start: (args: string[], env?: Record<string, string>) => Promise<Server>;
  /** The model's vectors of the corpus: adds the Search-level rows. */
  vectors?: CorpusVectors;
}

/** How PostgreSQL was seeded. */
export interface PostgresSeed {
  /** Import of the memories (with their vectors when given), seconds. */
  importSeconds: number;
  analyzeSeconds: number;
  /** Which vectors the memories carry (bench/vector-cache.ts), if any. */
  vectors?: CorpusVectors['kind'];
  /** The HNSW index, built after the import (as the first Search-level server start builds it). */
  index?: { seconds: number; pgvector: string | null; mib: number; memory: string };
  /** Table, its TOAST and indexes, MiB. */
  tableMiB: number;
}

/** The side-by-side rows, or why PostgreSQL could not be measured. */
export interface SideBySide {
  rows: Row[];
  skipped?: string;
  seed?: PostgresSeed;
  /** What GET /v1/health answered, per setup (Search-level servers). */
  health: string[];
  /** The model's own cost of embedding the question once, in this process: CPU µs and wall ms (medians). */
  queryEmbedding?: { cpuUs: number; ms: number };
}

/**
 * What embedding the question costs the built-in model alone (the part of every semantic and hybrid request
 * that no store changes): `count` embeddings one at a time, CPU time of this process (all the engine's threads).
 */
export async function queryEmbeddingCost(count = 20): Promise<{ cpuUs: number; ms: number }> {
  const { builtinEmbedder } = await import('../src/search/builtin-embedder.ts');
  const e = builtinEmbedder();
  try {
    await e.embed([QUESTION], 'query');
    const cpu: number[] = [];
    const ms: number[] = [];
    for (let i = 0; i < count; i++) {
      const c = process.cpuUsage();
      const t = performance.now();
      await e.embed([QUESTION], 'query');
      ms.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu.push(d.user + d.system);
    }
    return { cpuUs: Math.round(median(cpu)), ms: median(ms) };
  } finally {
    e.close();
  }
}

/** One admin statement on the database at `url`. */
async function adminQuery<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return (await admin.query<T>(sql)).rows;
  } finally {
    await admin.end();
  }
}

/**
 * Seed PostgreSQL with memories [0, n) of the corpus through the store's import (batches of 20k), ANALYZE, and
 * with `vectors`, build the HNSW index after the rows are in (one bulk build instead of n graph inserts).
 */
export async function seedPostgres(
  url: string,
  n: number,
  vectors?: CorpusVectors,
  log: (line: string) => void = console.log,
): Promise<PostgresSeed> {
  let t = performance.now();
  log(`seeding PostgreSQL with ${n} memories${vectors ? ' and their vectors' : ''} ...`);
  await fillStore(await PostgresStore.open(url), n, 0, vectors);
  const importSeconds = (performance.now() - t) / 1000;
  log(`imported in ${importSeconds.toFixed(1)} s`);
  // Planner statistics now, as autovacuum would within a minute or so: without them the first rows measure
  // plans made for an empty table (measured: a filtered list at 12 req/s without them, 1,599 with them).
  t = performance.now();
  await adminQuery(url, 'ANALYZE');
  const analyzeSeconds = (performance.now() - t) / 1000;
  let index: PostgresSeed['index'];
  if (vectors) {
    const db = new URL(url).pathname.slice(1);
    await adminQuery(url, `ALTER DATABASE ${db} SET maintenance_work_mem = '${INDEX_BUILD_MEMORY}'`);
    t = performance.now();
    const pool = poolDatabase(url, 1);
    const support = await prepareVectors(pool, vectors.dimensions);
    await pool.end();
    const seconds = (performance.now() - t) / 1000;
    const [size] = await adminQuery<{ mib: number }>(
      url,
      `SELECT (pg_relation_size('memories_vec_hnsw_${vectors.dimensions}') / 1048576.0)::float8 AS mib`,
    );
    index = { seconds, pgvector: support.pgvector, mib: size?.mib ?? 0, memory: INDEX_BUILD_MEMORY };
    log(
      `HNSW index (pgvector ${support.pgvector}) built in ${seconds.toFixed(1)} s, ${index.mib.toFixed(0)} MiB`,
    );
  }
  const [table] = await adminQuery<{ mib: number }>(
    url,
    "SELECT (pg_total_relation_size('memories') / 1048576.0)::float8 AS mib",
  );
  return {
    importSeconds,
    analyzeSeconds,
    ...(vectors ? { vectors: vectors.kind } : {}),
    ...(index ? { index } : {}),
    tableMiB: table?.mib ?? 0,
  };
}

/** GET /v1/health of a server, summarised on one line. */
export async function healthLine(setup: string, s: Server, headers: Record<string, string>): Promise<string> {
  const res = await fetch(`${s.url}/v1/health`, { headers });
  const h = (await res.json()) as {
    status: string;
    memories_count: number | null;
    levels: string[];
    capability_details?: { embeddings?: { model: string; dimensions: number } };
  };
  const e = h.capability_details?.embeddings;
  return `${setup}: HTTP ${res.status}, status "${h.status}", memories_count ${h.memories_count}, levels ${h.levels.join(', ')}, embeddings ${e ? `${e.model}, ${e.dimensions} dimensions` : 'none'}`;
}

/** CPU time (µs) of each process of the PostgreSQL listening on `port`: the postmaster and its children. */
function postgresCpu(port: string): Map<number, number> {
  let postmaster = 0;
  const parents: [number, number][] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      parents.push([pid, Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])]);
      if (!postmaster) {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        // pg_ctl starts it as `postgres -D <data> -p <port> ...`
        if (cmd[0]?.endsWith('/postgres') && cmd[cmd.indexOf('-p') + 1] === port) postmaster = pid;
      }
    } catch {
      // the process ended while we looked
    }
  }
  const out = new Map<number, number>();
  if (postmaster)
    for (const [pid, ppid] of parents)
      if (pid === postmaster || ppid === postmaster) out.set(pid, cpuUs(pid));
  return out;
}

/**
 * A running total of PostgreSQL's CPU time, µs, for differences between two calls. Backends come and go: a new
 * one counts from zero, and one that ended between two calls loses only what it used since the last call.
 */
export function postgresCpuCounter(port: string): () => number {
  const last = new Map<number, number>();
  let total = 0;
  return () => {
    for (const [pid, cpu] of postgresCpu(port)) {
      total += Math.max(0, cpu - (last.get(pid) ?? 0));
      last.set(pid, cpu);
    }
    return total;
  };
}

/** The reads of the comparison: filtered list and keyword searches. */
function reads(): Operation[] {
  const s = searchOps();
  return [filteredListOp(), s.rare, s.common, s.question];
}

/** Measure each operation on the servers (32 connections in all). */
export async function measureAll(
  c: Pick<SideBySideContext, 'seconds' | 'reps' | 'headers' | 'label'>,
  setup: string,
  servers: Server[],
  ops: Operation[],
  extraCpuUs?: () => number,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const op of ops) {
    const o = { seconds: c.seconds, reps: c.reps, headers: c.headers, ...(extraCpuUs ? { extraCpuUs } : {}) };
    rows.push(...(await measure(servers, [op], { store: c.label, setup, connections: 32 }, o)));
  }
  return rows;
}

/** The Search-level reads: semantic and hybrid search of the question. */
function searchLevelReads(): Operation[] {
  const s = semanticOps();
  return [s.semantic, s.hybrid];
}

/** Run the comparison at c.n memories. */
export async function sideBySide(c: SideBySideContext): Promise<SideBySide> {
  const rows: Row[] = [];
  const health: string[] = [];
  const file = await copySeed(c.dataDir, c.n, `${c.dataDir}/side-by-side.db`);
  const sqlite = await c.start(['--db', file, '--no-cache']);
  try {
    rows.push(...(await measureAll(c, 'SQLite, 1 process', [sqlite], [...reads(), createOp()])));
  } finally {
    await sqlite.stop();
  }
  const searchArgs = ['--no-cache', '--embedder', 'builtin'];
  const queryEmbedding = c.vectors ? await queryEmbeddingCost() : undefined;
  const extra = queryEmbedding ? { queryEmbedding } : {};
  if (c.vectors) {
    const vfile = await copySeed(c.dataDir, c.n, `${c.dataDir}/side-by-side.db`, c.vectors);
    const server = await c.start(['--db', vfile, ...searchArgs]);
    try {
      health.push(await healthLine('SQLite, 1 process', server, c.headers));
      rows.push(...(await measureAll(c, 'SQLite, 1 process', [server], searchLevelReads())));
    } finally {
      await server.stop();
    }
  }
  const found = findPostgres();
  if ('missing' in found) return { rows, health, ...extra, skipped: found.missing };
  const cluster = await startPostgres(found.bin);
  const servers: Server[] = [];
  let seed: PostgresSeed | undefined;
  try {
    seed = await seedPostgres(cluster.url, c.n, c.vectors);
    const port = new URL(cluster.url).port;
    const pgCpu = postgresCpuCounter(port);
    const env = { OMP_STORE: cluster.url };
    // Reads on both setups before any create, so both read the same store.
    servers.push(await c.start(['--no-cache'], env));
    const one = await measureAll(c, 'Postgres, 1 process', servers, reads(), pgCpu);
    servers.push(await c.start(['--no-cache'], env), await c.start(['--no-cache'], env));
    const three = await measureAll(c, 'Postgres, 3 processes', servers, reads(), pgCpu);
    if (c.vectors) {
      const search: Server[] = [];
      try {
        search.push(await c.start(searchArgs, env));
        health.push(await healthLine('Postgres, 1 process', search[0] as Server, c.headers));
        one.push(...(await measureAll(c, 'Postgres, 1 process', search, searchLevelReads(), pgCpu)));
        search.push(await c.start(searchArgs, env), await c.start(searchArgs, env));
        three.push(...(await measureAll(c, 'Postgres, 3 processes', search, searchLevelReads(), pgCpu)));
      } finally {
        for (const s of search) await s.stop();
      }
    }
    // Core-level creates last: they add memories without vectors, which a Search-level server would backfill.
    one.push(...(await measureAll(c, 'Postgres, 1 process', servers.slice(0, 1), [createOp()], pgCpu)));
    three.push(...(await measureAll(c, 'Postgres, 3 processes', servers, [createOp()], pgCpu)));
    rows.push(...one, ...three);
    return { rows, health, seed, ...extra };
  } catch (err) {
    const why = `PostgreSQL run failed: ${err instanceof Error ? err.message : String(err)}`;
    return { rows, health, ...extra, ...(seed ? { seed } : {}), skipped: why };
  } finally {
    for (const s of servers) await s.stop();
    await cluster.stop();
  }
}

/** How PostgreSQL was seeded, in one sentence. */
export function seedLine(s: PostgresSeed): string {
  const index = s.index
    ? `; then the HNSW index (pgvector ${s.index.pgvector ?? 'missing: exact scans'}, cosine, m 16, ef_construction 64: pgvector's defaults) was built over them in ${fmt(s.index.seconds)} s (maintenance_work_mem ${s.index.memory}; ${fmt(s.index.mib)} MiB)`
    : '';
  const carrying =
    s.vectors === 'model'
      ? " (with the model's vectors)"
      : s.vectors === 'synthetic'
        ? ' (with synthetic random unit vectors: cost only, rankings meaningless)'
        : '';
  return `Seeding PostgreSQL${carrying}: the store's import took ${fmt(s.importSeconds)} s, ANALYZE ${fmt(s.analyzeSeconds)} s${index}; the table with its TOAST and indexes is ${fmt(s.tableMiB)} MiB.`;
}

/** The side-by-side as Markdown: throughput, latency, CPU per request and the 1 -> 3 process scaling. */
export function sideBySideMarkdown(r: SideBySide, cores: number): string {
  const out = [
    '| setup | operation | req/s (range) | p50 ms | p99 ms | CPU µs/req (servers + PostgreSQL) | req/s per core of that CPU | failures | load before→after |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const x of r.rows)
    out.push(
      `| ${x.setup} | ${x.operation} | ${fmtSpread(x.reqPerSec)} | ${fmtSpread(x.p50)} | ${fmtSpread(x.p99)} | ${x.cpuUs} | ${x.cpuUs > 0 ? Math.round(1e6 / x.cpuUs) : '-'} | ${x.failures}${x.why ? ` (${x.why.slice(0, 80)})` : ''} | ${fmt(x.load[0])}→${fmt(x.load[1])} |`,
    );
  if (r.skipped) out.push('', `PostgreSQL not measured: ${r.skipped}`);
  if (r.seed) out.push('', seedLine(r.seed));
  if (r.queryEmbedding)
    out.push(
      '',
      `Embedding the question with the built-in model alone (in the bench process, median of 20): ${fmt(r.queryEmbedding.ms)} ms and ${r.queryEmbedding.cpuUs} µs of CPU. Every semantic and hybrid request pays it; the rest of their CPU per request is the store's ranking and the HTTP work.`,
    );
  if (r.health.length > 0)
    out.push('', 'GET /v1/health of the Search-level servers:', '', ...r.health.map((h) => `- ${h}`));
  const ops = [...new Set(r.rows.map((x) => x.operation))];
  const scaling: string[] = [];
  for (const op of ops) {
    const one = r.rows.find((x) => x.operation === op && x.setup === 'Postgres, 1 process');
    const three = r.rows.find((x) => x.operation === op && x.setup === 'Postgres, 3 processes');
    if (!one || !three) continue;
    const ratio = three.reqPerSec.median / one.reqPerSec.median;
    const ceiling = three.cpuUs > 0 ? (8 * 1e6) / three.cpuUs : Number.NaN;
    scaling.push(
      `| ${op} | ${fmt(one.reqPerSec.median)} | ${fmt(three.reqPerSec.median)} | ${Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '-'} | ${fmt(ceiling)} |`,
    );
  }
  if (scaling.length > 0)
    out.push(
      '',
      `Scaling from 1 to 3 server processes on ${cores} cores shared with PostgreSQL and the load generator. The last column is what the CPU time per request predicts for 8 cores given wholly to servers and PostgreSQL (8 × 10⁶ / CPU µs per request): a ceiling, reached only if the work spreads over cores and nothing serializes (durable creates also wait for PostgreSQL's WAL flush, which grouping shares but does not remove).`,
      '',
      '| operation | Postgres 1 process req/s | 3 processes req/s | 3 / 1 | CPU-bound ceiling on 8 cores, req/s |',
      '|---|---:|---:|---:|---:|',
      ...scaling,
    );
  return out.join('\n');
}
