/**
 * `npm run bench:postgres:1m` (issue #17): the reference server on PostgreSQL at 1M memories, one process and
 * three, uncached. Seeds a fresh PostgreSQL through the store's import (batches of 20k) and ANALYZE, timed;
 * then each process's first keyword search (it builds the process's keyword index; timed), and create, the
 * filtered list, deep pages by cursor and the rare-term, common-term and question keyword searches under load
 * (32 connections), the two larger searches also a few at a time (latency and CPU per request alone). With
 * `--semantic`, the corpus's model vectors (bench/vector-cache.ts, embedded once) are imported with the
 * memories, the HNSW index is built after them (timed), and semantic search under load and hybrid search one
 * at a time are measured too. Writes bench/POSTGRES-1M.md with `--write`.
 *
 *   node bench/postgres-1m.ts [--size 1000000] [--seconds 3] [--reps 3] [--semantic] [--write]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateKey } from '../src/index.ts';
import { findPostgres, startPostgres } from '../test/postgres-cluster.ts';
import { COMMON_TERM, QUESTION, RARE_TERM } from './corpus.ts';
import { describeMachine } from './machine.ts';
import { cpuUs, memory, type Row } from './measure.ts';
import {
  healthLine,
  measureAll,
  type PostgresSeed,
  postgresCpuCounter,
  seedLine,
  seedPostgres,
} from './postgres-side-by-side.ts';
import { type Server, spawnServer } from './server-process.ts';
import { fmt, fmtSpread, median } from './stats.ts';
import { corpusVectors } from './vector-cache.ts';
import {
  createOp,
  DEEP_LIMIT,
  deepCursorOp,
  deepCursors,
  filteredListOp,
  searchOps,
  semanticOps,
} from './workloads.ts';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '../bin/omp-reference-server.js');
const KEY = generateKey();
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '3' },
    reps: { type: 'string', default: '3' },
    serial: { type: 'string', default: '3' },
    semantic: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const N = Number(values.size);
const LABEL = N >= 1_000_000 ? `${N / 1_000_000}M` : `${N / 1000}k`;
const SERIAL = Number(values.serial);
const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const ctx = { seconds: Number(values.seconds), reps: Number(values.reps), headers, label: LABEL };
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

function start(args: string[], env: Record<string, string>): Promise<Server> {
  return spawnServer([BIN, '--port', '0', '--embedder', 'off', ...args], {
    ...process.env,
    OMP_API_KEY: KEY,
    ...env,
  });
}

/** A request too slow to drive with 32 connections at this size: `count` of them one at a time. */
interface Serial {
  setup: string;
  operation: string;
  ms: number[];
  cpuUs: number;
  failures: string[];
  load: [number, number];
}

async function serial(
  setup: string,
  operation: string,
  server: Server,
  body: string,
  pgCpu: () => number,
): Promise<Serial> {
  const l0 = loadavg()[0] as number;
  const cpu = () => cpuUs(server.child.pid as number) + pgCpu();
  const ms: number[] = [];
  const failures: string[] = [];
  const c0 = cpu();
  for (let i = 0; i < SERIAL; i++) {
    const t = performance.now();
    const res = await fetch(`${server.url}/v1/memories/search`, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(600_000),
    });
    const text = await res.text();
    if (res.ok) ms.push(performance.now() - t);
    else failures.push(`HTTP ${res.status}: ${text.slice(0, 120)}`);
  }
  const r: Serial = {
    setup,
    operation,
    ms,
    cpuUs: Math.round((cpu() - c0) / SERIAL),
    failures,
    load: [l0, loadavg()[0] as number],
  };
  console.log(
    `${setup} ${operation}: ${ms.map((x) => x.toFixed(0)).join(', ')} ms, CPU ${r.cpuUs} µs/req${failures.length ? ` FAILED ${failures[0]}` : ''}`,
  );
  return r;
}

const search = (q: string, mode = 'keyword') => JSON.stringify({ q, mode });

/**
 * The first keyword search of a process builds its keyword index from the table (storage/postgres/keyword.ts),
 * longer at 1M than the load driver waits for a request: made here, one at a time and without a timeout, so the
 * rows measure searches; its time is reported.
 */
async function firstSearch(setup: string, server: Server, warmups: string[]): Promise<void> {
  const t = performance.now();
  const res = await fetch(`${server.url}/v1/memories/search`, {
    method: 'POST',
    headers,
    body: search(RARE_TERM),
    signal: AbortSignal.timeout(1_800_000),
  });
  await res.text();
  const nth = warmups.filter((w) => w.startsWith(`${setup},`)).length + 1;
  const rss = memory(server.child.pid as number).rss;
  const line = `${setup}, process ${nth}: HTTP ${res.status} after ${((performance.now() - t) / 1000).toFixed(1)} s; the process's resident memory then ${rss.toFixed(0)} MiB (load ${load()})`;
  console.log(`first keyword search: ${line}`);
  warmups.push(line);
}

async function main(): Promise<void> {
  const found = findPostgres();
  if ('missing' in found) throw new Error(`PostgreSQL is needed: ${found.missing}`);
  const started = performance.now();
  const machine = describeMachine(here);
  machine['load average at start (1/5/15 min)'] = load();
  console.log(machine);
  const vectors = values.semantic ? await corpusVectors(join(here, '.data'), N) : undefined;
  const cluster = await startPostgres(found.bin);
  const rows: Row[] = [];
  const slow: Serial[] = [];
  const health: string[] = [];
  const warmups: string[] = [];
  const servers: Server[] = [];
  let seed: PostgresSeed | undefined;
  let matches = '';
  try {
    const seedLoad = load();
    seed = await seedPostgres(cluster.url, N, vectors);
    machine['load average after seeding'] = `${load()} (before: ${seedLoad})`;
    const pgCpu = postgresCpuCounter(new URL(cluster.url).port);
    const env = { OMP_STORE: cluster.url };
    servers.push(await start(['--no-cache'], env));
    const first = servers[0] as Server;
    await firstSearch('Core', first, warmups);
    const total = async (body: string) =>
      (
        (await (
          await fetch(`${first.url}/v1/memories/search`, { method: 'POST', headers, body })
        ).json()) as {
          total: number;
        }
      ).total;
    const s = searchOps();
    const deep = await deepCursors(first.url, headers, N);
    const cheap = [filteredListOp(), deepCursorOp(deep.cursors, deep.page), s.rare, s.common, s.question];
    rows.push(...(await measureAll(ctx, 'Postgres, 1 process', servers, cheap, pgCpu)));
    for (const [op, q] of [
      [s.common.name, COMMON_TERM],
      [s.question.name, QUESTION],
    ] as const)
      slow.push(await serial('Postgres, 1 process', op, first, search(q), pgCpu));
    matches = `"${COMMON_TERM}" matches ${await total(search(COMMON_TERM))}, the question ${await total(search(QUESTION))}.`;
    servers.push(await start(['--no-cache'], env), await start(['--no-cache'], env));
    for (const x of servers.slice(1)) await firstSearch('Core', x, warmups);
    rows.push(...(await measureAll(ctx, 'Postgres, 3 processes', servers, cheap, pgCpu)));
    if (vectors) {
      const searchServers: Server[] = [];
      const args = ['--no-cache', '--embedder', 'builtin'];
      try {
        searchServers.push(await start(args, env));
        const one = searchServers[0] as Server;
        await firstSearch('Search level', one, warmups);
        health.push(await healthLine('Postgres, 1 process', one, headers));
        const sem = semanticOps();
        rows.push(...(await measureAll(ctx, 'Postgres, 1 process', searchServers, [sem.semantic], pgCpu)));
        slow.push(
          await serial('Postgres, 1 process', sem.hybrid.name, one, search(QUESTION, 'hybrid'), pgCpu),
        );
        searchServers.push(await start(args, env), await start(args, env));
        for (const x of searchServers.slice(1)) await firstSearch('Search level', x, warmups);
        rows.push(...(await measureAll(ctx, 'Postgres, 3 processes', searchServers, [sem.semantic], pgCpu)));
      } finally {
        for (const x of searchServers) await x.stop();
      }
    }
    // Creates last: they grow the store (and add memories without vectors).
    rows.push(...(await measureAll(ctx, 'Postgres, 1 process', servers.slice(0, 1), [createOp()], pgCpu)));
    rows.push(...(await measureAll(ctx, 'Postgres, 3 processes', servers, [createOp()], pgCpu)));
  } finally {
    for (const x of servers) await x.stop();
    await cluster.stop();
  }
  const minutes = (performance.now() - started) / 60_000;
  machine['load average at end (1/5/15 min)'] = load();
  const text = markdown(machine, rows, slow, seed, health, warmups, matches, minutes);
  console.log(text);
  if (values.write) {
    mkdirSync(here, { recursive: true });
    writeFileSync(join(here, 'POSTGRES-1M.md'), text);
  }
}

function markdown(
  machine: Record<string, string>,
  rows: Row[],
  slow: Serial[],
  seed: PostgresSeed | undefined,
  health: string[],
  warmups: string[],
  matches: string,
  minutes: number,
): string {
  const argv = process.argv.slice(2).join(' ');
  return [
    `# The reference server on PostgreSQL at ${LABEL} memories`,
    '',
    `Written by \`node bench/postgres-1m.ts ${argv}\` (reference-server/bench/postgres-1m.ts) on ${new Date().toISOString()}; the run took ${minutes.toFixed(1)} minutes. PostgreSQL 15 (Debian, default settings but maintenance_work_mem for the index build), started fresh by the bench; servers with \`--no-cache\`, at the Core level (\`--embedder off\`) except the semantic rows. Each row under load is the median of ${ctx.reps} runs of ${ctx.seconds} s (range in parentheses), 32 connections in all spread over the processes; CPU µs/req counts the servers and PostgreSQL. The same machine runs PostgreSQL, the servers and the load generator, and is shared with other work: see the load columns.`,
    '',
    ...Object.entries(machine).map(([k, v]) => `- ${k}: ${v}`),
    '',
    seed ? seedLine(seed) : 'Seeding failed.',
    '',
    'The first keyword search of each server process, which builds its keyword index from the table (one at a time, before the rows below):',
    '',
    ...warmups.map((w) => `- ${w}`),
    '',
    `Deep pages: the last ${DEEP_LIMIT}-memory pages of the unfiltered list, reached by cursor. ${matches}`,
    '',
    '| setup | operation | req/s (range) | p50 ms | p99 ms | CPU µs/req | failures | load before→after |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (x) =>
        `| ${x.setup} | ${x.operation} | ${fmtSpread(x.reqPerSec)} | ${fmtSpread(x.p50)} | ${fmtSpread(x.p99)} | ${x.cpuUs} | ${x.failures}${x.why ? ` (${x.why.slice(0, 80)})` : ''} | ${fmt(x.load[0])}→${fmt(x.load[1])} |`,
    ),
    '',
    `One at a time: ${SERIAL} requests, no timeout (the latency of a search alone; the hybrid search is not driven under load at ${LABEL}).`,
    '',
    '| setup | operation | each request, ms | median ms | CPU µs/req | failures | load before→after |',
    '|---|---|---|---:|---:|---:|---|',
    ...slow.map(
      (x) =>
        `| ${x.setup} | ${x.operation} | ${x.ms.map((m) => fmt(m)).join(', ')} | ${fmt(median(x.ms))} | ${x.cpuUs} | ${x.failures.length}${x.failures[0] ? ` (${x.failures[0]})` : ''} | ${fmt(x.load[0])}→${fmt(x.load[1])} |`,
    ),
    '',
    ...(health.length > 0 ? ['GET /v1/health:', '', ...health.map((h) => `- ${h}`), ''] : []),
    `${availableParallelism()} cores.`,
    '',
  ].join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
