/**
 * `node reference-server/bench/stall.ts [--quick] [--runs N] [--mode thread|inline|both]`: how long
 * `GET /v1/health` waits while one client does heavy work (issue #14, item 2). The real server runs as a child
 * process on a fresh SQLite file (Core: --embedder off); a prober asks for health every 20 ms over a keep-alive connection of its own
 * and records each answer's latency: idle, during a 100k-item import, during 8 concurrent searches for a term
 * in half the corpus (response cache off), and during an export of everything. Each mode runs N times (default
 * 3) on a fresh server; the medians of p50/p99/max over the runs are printed with the load average before and
 * after (`uptime`: other work on the machine shows there). Modes: `thread`, SQLite in worker threads (the
 * default server); `inline`, SQLite on the HTTP thread (`--no-store-thread`, how the server ran before).
 * Measured, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateKey } from '../src/index.ts';
import { COMMON_TERM, exportFileText } from './corpus.ts';
import { writeStallSection } from './results-section.ts';
import { spawnServer } from './server-process.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    runs: { type: 'string' },
    mode: { type: 'string' },
    write: { type: 'boolean' },
  },
});
const N = values.quick ? 20_000 : 100_000;
const RUNS = Number(values.runs ?? 3);
const MODES = (values.mode ?? 'both') === 'both' ? ['inline', 'thread'] : [values.mode as string];
const BIN = fileURLToPath(new URL('../bin/omp-reference-server.js', import.meta.url));
const LOADS = ['idle', `${N}-item import`, '8 common-term searches', `export of ${N}`] as const;

type Stats = { probes: number; p50: number; p99: number; max: number };

function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return { probes: s.length, p50: q(0.5), p99: q(0.99), max: s.at(-1) ?? 0 };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** One run: a fresh server and database, every load in turn; health latency stats per load. */
async function run(mode: string): Promise<Stats[]> {
  const dir = mkdtempSync(join(tmpdir(), 'omp-stall-'));
  const key = generateKey();
  const args = [
    BIN,
    '--db',
    join(dir, 'omp.db'),
    '--port',
    '0',
    '--quiet',
    '--no-cache',
    '--embedder',
    'off',
  ];
  args.push('--max-import-bytes', String(2 ** 31));
  if (mode === 'inline') args.push('--no-store-thread');
  const server = await spawnServer(args, { ...process.env, OMP_API_KEY: key });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const health = (): Promise<number> => {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(`${server.url}/v1/health`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - started));
      });
      req.on('error', reject);
      req.end();
    });
  };
  /** Probe health until `work` settles. */
  const during = async (work: Promise<unknown>): Promise<number[]> => {
    console.error(`  ${mode}: load ${++step} started at load average ${load()}`);
    const latencies: number[] = [];
    let done = false;
    void work.finally(() => {
      done = true;
    });
    while (!done) {
      latencies.push(await health());
      await new Promise((r) => setTimeout(r, 20));
    }
    await work;
    return latencies;
  };
  let step = 0;
  const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  try {
    const idle = await during(new Promise((r) => setTimeout(r, 2000)));
    const file = exportFileText(N);
    const imported = await during(
      fetch(`${server.url}/v1/import`, { method: 'POST', headers: auth, body: file }).then(async (r) => {
        const result = (await r.json()) as { imported?: number };
        if (r.status !== 200 || result.imported !== N)
          throw new Error(`import: ${r.status} ${JSON.stringify(result)}`);
      }),
    );
    const searches = await during(
      Promise.all(
        Array.from({ length: 8 }, () =>
          fetch(`${server.url}/v1/memories/search`, {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ q: COMMON_TERM, limit: 20 }),
          }).then((r) => r.text()),
        ),
      ),
    );
    const exported = await during(
      fetch(`${server.url}/v1/export`, { headers: auth }).then(async (r) => {
        const text = await r.text();
        if (!text.endsWith(']}')) throw new Error('export incomplete');
      }),
    );
    return [idle, imported, searches, exported].map(stats);
  } finally {
    agent.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const started = new Date();
const loadBefore = load();
const table = [
  '| store | load | probes | p50 ms | p99 ms | max ms | p99 of each run |',
  '|---|---|---:|---:|---:|---:|---|',
];
console.log(`health latency under load: ${N} memories, ${RUNS} runs per mode, medians over runs`);
console.log(`load average before: ${loadBefore}`);
for (const mode of MODES) {
  const runs: Stats[][] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await run(mode));
  LOADS.forEach((name, li) => {
    const of = (k: keyof Stats) => median(runs.map((r) => (r[li] as Stats)[k]));
    const each = runs.map((r) => (r[li] as Stats).p99.toFixed(1)).join(', ');
    const label = mode === 'thread' ? 'worker threads' : 'inline (before)';
    const line = `| ${label} | ${name} | ${of('probes').toFixed(0)} | ${of('p50').toFixed(1)} | ${of('p99').toFixed(1)} | ${of('max').toFixed(1)} | ${each} |`;
    table.push(line);
    console.log(line);
  });
}
const loadAfter = load();
console.log(`load average after: ${loadAfter}`);
if (values.write && !values.quick) {
  writeStallSection(
    fileURLToPath(new URL('./RESULTS.md', import.meta.url)),
    [
      '## Health latency under load',
      '',
      `Written by \`node bench/stall.ts --write\` (the last step of \`npm run bench:server\`) on ${started.toISOString()}.`,
      `A prober asks \`GET /v1/health\` every 20 ms on its own keep-alive connection while one client imports ${N}`,
      'memories, runs 8 concurrent searches for a term in half of them (cache off), then exports them all; Core server',
      `(\`--embedder off\`) on a fresh file per run. ${RUNS} runs per mode, medians over runs. "inline": SQLite on the HTTP`,
      'thread (`--no-store-thread`, how the server ran before); "worker threads": the default WorkerStore.',
      `Load average (1/5/15 min) before ${loadBefore}, after ${loadAfter} (nproc 2, shared with other work).`,
      '',
      ...table,
    ].join('\n'),
  );
  console.log('wrote the health-latency section of bench/RESULTS.md');
}
