/**
 * SQLite and PostgreSQL side by side (issue #17): the same corpus and requests, uncached (`--no-cache`), on the
 * reference server over a SQLite file (one process), over PostgreSQL with one process, and over PostgreSQL with
 * three processes (connections spread evenly); create, filtered list and keyword search. Besides throughput it
 * records the CPU time per request of the servers and of PostgreSQL, which predicts the ceiling on more cores.
 * Starts its own PostgreSQL (test/postgres-cluster.ts: needs the Debian postgresql package).
 */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';
import { findPostgres, startPostgres } from '../test/postgres-cluster.ts';
import type { Operation } from './load-driver.ts';
import { cpuUs, measure, type Row } from './measure.ts';
import { copySeed, fillStore } from './seed.ts';
import type { Server } from './server-process.ts';
import { fmt, fmtSpread } from './stats.ts';
import { createOp, filteredListOp, searchOps } from './workloads.ts';

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
}

/** The side-by-side rows, or why PostgreSQL could not be measured. */
export interface SideBySide {
  rows: Row[];
  skipped?: string;
  seedSeconds?: number;
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
function postgresCpuCounter(port: string): () => number {
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
async function measureAll(
  c: SideBySideContext,
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

/** Run the comparison at c.n memories. */
export async function sideBySide(c: SideBySideContext): Promise<SideBySide> {
  const rows: Row[] = [];
  const file = await copySeed(c.dataDir, c.n, `${c.dataDir}/side-by-side.db`);
  const sqlite = await c.start(['--db', file, '--no-cache']);
  try {
    rows.push(...(await measureAll(c, 'SQLite, 1 process', [sqlite], [...reads(), createOp()])));
  } finally {
    await sqlite.stop();
  }
  const found = findPostgres();
  if ('missing' in found) return { rows, skipped: found.missing };
  const cluster = await startPostgres(found.bin);
  const servers: Server[] = [];
  try {
    const t = performance.now();
    console.log(`seeding PostgreSQL with ${c.n} memories ...`);
    await fillStore(await PostgresStore.open(cluster.url), c.n);
    // Planner statistics now, as autovacuum would within a minute or so: without them the first rows measure
    // plans made for an empty table (measured: a filtered list at 12 req/s without them, 1,599 with them).
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('ANALYZE');
    await admin.end();
    const seedSeconds = (performance.now() - t) / 1000;
    console.log(`seeded PostgreSQL in ${seedSeconds.toFixed(1)} s`);
    const port = new URL(cluster.url).port;
    const pgCpu = postgresCpuCounter(port);
    const env = { OMP_STORE: cluster.url };
    // Reads on both setups before any create, so both read the same store.
    servers.push(await c.start(['--no-cache'], env));
    const one = await measureAll(c, 'Postgres, 1 process', servers, reads(), pgCpu);
    servers.push(await c.start(['--no-cache'], env), await c.start(['--no-cache'], env));
    const three = await measureAll(c, 'Postgres, 3 processes', servers, reads(), pgCpu);
    one.push(...(await measureAll(c, 'Postgres, 1 process', servers.slice(0, 1), [createOp()], pgCpu)));
    three.push(...(await measureAll(c, 'Postgres, 3 processes', servers, [createOp()], pgCpu)));
    rows.push(...one, ...three);
    return { rows, seedSeconds };
  } catch (err) {
    return { rows, skipped: `PostgreSQL run failed: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    for (const s of servers) await s.stop();
    await cluster.stop();
  }
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
