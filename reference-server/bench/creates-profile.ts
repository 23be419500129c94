/**
 * Durable creates, measured alone (issue #18 item 4; bench/WRITES.md): starts the real server (bin, child
 * process, request log on, Core level) on a fresh SQLite file, optionally preloads it through POST /v1/import,
 * then drives POST /v1/memories with autocannon at 32 connections and at 1, and prints req/s, p50/p99, the
 * server's CPU time per request and the group commit's writes per fsync (from the server's `stopped` line).
 *
 *   node bench/creates-profile.ts [--preload 10000] [--duration 5] [--runs 1] [--connections 32,1]
 *                                 [--cpu-prof DIR] [--server-arg ARG]... [--idempotency]
 *
 * `--cpu-prof DIR` runs the server under `node --cpu-prof` (main thread and store workers each write a profile
 * into DIR when the server stops). `--server-arg` passes an option on to the server (e.g. `--no-access-log`).
 * `--idempotency` sends a fresh Idempotency-Key with every create, as the SDKs do.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateKey } from '../src/index.ts';
import { autocannon } from './autocannon.ts';
import { createBodyAt, exportFileText } from './corpus.ts';
import { spawnServer } from './server-process.ts';

const { values } = parseArgs({
  options: {
    preload: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '5' },
    runs: { type: 'string', default: '1' },
    connections: { type: 'string', default: '32,1' },
    'cpu-prof': { type: 'string' },
    'server-arg': { type: 'string', multiple: true, default: [] },
    /** Send a fresh Idempotency-Key with every create, as the SDKs do. */
    idempotency: { type: 'boolean', default: false },
  },
});
const BIN = join(dirname(fileURLToPath(import.meta.url)), '../bin/omp-reference-server.js');
const KEY = generateKey();
const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const preload = Number(values.preload);
const duration = Number(values.duration);
const connections = (values.connections as string).split(',').map(Number);

/** CPU time a process has used (user + system), microseconds, from /proc (clock ticks of 10 ms). */
function cpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function once(run: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'omp-creates-'));
  const prof = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const server = await spawnServer(
    [
      ...prof,
      BIN,
      '--db',
      join(dir, 'bench.db'),
      '--port',
      '0',
      '--embedder',
      'off',
      ...values['server-arg'],
    ],
    { ...process.env, OMP_API_KEY: KEY },
  );
  try {
    if (preload > 0) {
      const res = await fetch(`${server.url}/v1/import`, {
        method: 'POST',
        headers,
        body: exportFileText(preload),
      });
      if (res.status !== 200) throw new Error(`preload failed: ${res.status} ${await res.text()}`);
    }
    let i = 0;
    const request = {
      method: 'POST',
      path: '/v1/memories',
      headers,
      setupRequest: (r: { headers: Record<string, string> }) => ({
        ...r,
        headers: values.idempotency ? { ...r.headers, 'idempotency-key': `k${run}-${i}` } : r.headers,
        body: JSON.stringify(createBodyAt(i++ % 5000)),
      }),
    };
    const opts = { url: server.url, requests: [request], timeout: 30 };
    await autocannon({ ...opts, connections: 1, duration: 1 }); // warm up the JIT
    for (const c of connections) {
      const before = { cpu: cpuUs(server.child.pid as number), load: load() };
      const r = await autocannon({ ...opts, connections: c, duration });
      const cpu = cpuUs(server.child.pid as number) - before.cpu;
      await fetch(`${server.url}/v1/health`); // anything still queued is answered before the next run
      const failures = r.errors + r.timeouts + r.non2xx;
      console.log(
        `run ${run} c=${String(c).padStart(2)} ${String(Math.round(r.requests.total / duration)).padStart(6)} req/s` +
          `  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  CPU ${Math.round(cpu / Math.max(1, r.requests.total))} µs/req` +
          `  load ${before.load} -> ${load()}${failures ? `  FAILURES ${failures}` : ''}`,
      );
    }
  } finally {
    await server.stop();
    const stopped = /"commits":(\d+),"writes":(\d+)/.exec(server.stderrTail());
    if (stopped) {
      const [commits, writes] = [Number(stopped[1]), Number(stopped[2])];
      console.log(
        `run ${run} group commit: ${writes} writes in ${commits} transactions (${(writes / commits).toFixed(1)} per fsync)`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`preload ${preload}, ${duration} s per measurement, connections ${connections.join(', ')}`);
for (let run = 1; run <= Number(values.runs); run++) await once(run);
