/**
 * `node reference-server/bench/stall.ts [--quick]`: how long `GET /v1/health` waits while one client does heavy
 * work, the figure a worker thread for SQLite would improve (issue #14, item 2). The real server runs as a child
 * process on a SQLite file; a prober asks for health every 20 ms over a keep-alive connection and records the
 * latency of each answer, with no load, during a 100k-item import, and during 8 concurrent searches for a term
 * in half the corpus (response cache off). Prints p50/p99/max per load and the machine's load average.
 * Measured, never asserted.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKey } from '../src/index.ts';
import { COMMON_TERM, exportFileText } from './corpus.ts';

const QUICK = process.argv.includes('--quick');
const N = QUICK ? 20_000 : 100_000;
const BIN = fileURLToPath(new URL('../bin/omp-reference-server.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'omp-stall-'));
const key = generateKey();

const child = spawn(
  process.execPath,
  [
    BIN,
    '--db',
    join(dir, 'omp.db'),
    '--port',
    '0',
    '--quiet',
    '--no-cache',
    '--max-import-bytes',
    String(2 ** 31),
  ],
  { env: { ...process.env, OMP_API_KEY: key }, stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((resolve) => {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1] as string);
  });
});

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function health(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/health`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - started));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Probe health until `work` settles; the latencies of every probe. */
async function during(work: Promise<unknown>): Promise<number[]> {
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
}

function summary(name: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0).toFixed(1);
  return `${name.padEnd(34)} probes ${String(s.length).padStart(4)}  p50 ${q(0.5).padStart(7)} ms  p99 ${q(0.99).padStart(7)} ms  max ${(s.at(-1) ?? 0).toFixed(1).padStart(7)} ms`;
}

const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
const idle = await during(new Promise((r) => setTimeout(r, 2000)));
const file = exportFileText(N);
const imported = await during(
  fetch(`${url}/v1/import`, { method: 'POST', headers: auth, body: file }).then((r) => r.text()),
);
const searches = await during(
  Promise.all(
    Array.from({ length: 8 }, () =>
      fetch(`${url}/v1/memories/search`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ q: COMMON_TERM, limit: 20 }),
      }).then((r) => r.text()),
    ),
  ),
);
console.log(
  `health latency under load (${N} memories; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})`,
);
console.log(summary('idle', idle));
console.log(summary(`during a ${N}-item import`, imported));
console.log(summary('during 8 common-term searches', searches));
agent.destroy();
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
rmSync(dir, { recursive: true, force: true });
