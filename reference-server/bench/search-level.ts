/**
 * `npm run bench:search-level -w omp-reference-server -- [--embed N] [--vectors N] [--duration S]`: the Search
 * level with the built-in model (bench:server runs the server with `--embedder off`). Measures, with the
 * response cache off:
 *   1. embedding throughput on import: N memories without embeddings imported in one request, every one
 *      embedded before the import is acknowledged (OMP-SEARCH-022), and the import time that rate gives 100k;
 *   2. embedding throughput on create: one client at a time, and 16 clients at once;
 *   3. keyword, semantic and hybrid search of an 8-word question at a store of `--vectors` memories (default
 *      100k), 1 and 32 connections. The memories beyond the first N are imported with client-supplied random unit
 *      vectors of the model's size, because embedding 100k memories on 2 shared cores takes far longer than the
 *      bench; every semantic and hybrid search still embeds its query with the model (no query cache).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateKey } from '../src/index.ts';
import { autocannon } from './autocannon.ts';
import { createBodyAt, exportFileText, memoryAt, prng, QUESTION } from './corpus.ts';
import { spawnServer } from './server-process.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, '.data-search-level');
const BIN = join(here, '../bin/omp-reference-server.js');
const KEY = generateKey();
const { values } = parseArgs({
  options: {
    embed: { type: 'string', default: '1000' },
    vectors: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '6' },
  },
});
const EMBED = Number(values.embed);
const VECTORS = Number(values.vectors);
const DURATION = Number(values.duration);

const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

async function post(url: string, body: string): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url} → ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** An export file of memories `from`..`to` (corpus seed 3) carrying random unit vectors of `dims`. */
function withVectors(from: number, to: number, dims: number): string {
  const r = prng(from + 17);
  const parts: string[] = [];
  for (let i = from; i < to; i++) {
    const v = Array.from({ length: dims }, () => r() - 0.5);
    const norm = Math.hypot(...v);
    parts.push(
      JSON.stringify({ ...memoryAt(i, 3), embedding: v.map((x) => Math.round((x / norm) * 1e6) / 1e6) }),
    );
  }
  return `{"omp_version":"0.4","exported_at":"${new Date().toISOString()}","server":{"name":"omp-bench","version":"1"},"memories":[${parts.join(',')}]}`;
}

async function main(): Promise<void> {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}`,
  );
  const server = await spawnServer(
    [
      BIN,
      '--db',
      join(dataDir, 'search.db'),
      '--port',
      '0',
      '--embedder',
      'builtin',
      '--no-cache',
      '--quiet',
    ],
    { ...process.env, OMP_API_KEY: KEY },
  );
  try {
    const health = (await (await fetch(`${server.url}/v1/health`, { headers })).json()) as {
      capability_details?: { embeddings?: { model: string; dimensions: number } };
    };
    const emb = health.capability_details?.embeddings;
    if (!emb) throw new Error('the server does not declare embeddings: is the built-in model installed?');
    console.log(`model ${emb.model}, ${emb.dimensions} dimensions`);

    let t = performance.now();
    await post(`${server.url}/v1/import`, exportFileText(EMBED, 4));
    let s = (performance.now() - t) / 1000;
    console.log(
      `import ${EMBED} memories, each embedded: ${s.toFixed(1)} s = ${(EMBED / s).toFixed(1)} memories/s (100k: ${(100_000 / (EMBED / s) / 60).toFixed(0)} min)`,
    );

    const creates = Math.max(20, Math.round(EMBED / 10));
    t = performance.now();
    for (let i = 0; i < creates; i++)
      await post(`${server.url}/v1/memories`, JSON.stringify(createBodyAt(i)));
    s = (performance.now() - t) / 1000;
    console.log(`create, 1 client: ${creates} in ${s.toFixed(1)} s = ${(creates / s).toFixed(1)} memories/s`);
    t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < creates * 2)
          await post(`${server.url}/v1/memories`, JSON.stringify(createBodyAt(next++)));
      }),
    );
    s = (performance.now() - t) / 1000;
    console.log(
      `create, 16 clients: ${creates * 2} in ${s.toFixed(1)} s = ${((creates * 2) / s).toFixed(1)} memories/s`,
    );

    const chunk = 20_000;
    t = performance.now();
    for (let from = 0; from < VECTORS - EMBED; from += chunk) {
      await post(
        `${server.url}/v1/import`,
        withVectors(from, Math.min(from + chunk, VECTORS - EMBED), emb.dimensions),
      );
    }
    console.log(
      `store filled to ${VECTORS} with supplied vectors in ${((performance.now() - t) / 1000).toFixed(0)} s`,
    );

    for (const mode of ['keyword', 'semantic', 'hybrid']) {
      for (const connections of [1, 32]) {
        const request = {
          method: 'POST',
          path: '/v1/memories/search',
          headers,
          body: JSON.stringify({ q: QUESTION, mode }),
        };
        const opts = { url: server.url, requests: [request], timeout: 30 };
        await autocannon({ ...opts, connections: 1, duration: 1 });
        const r = await autocannon({ ...opts, connections, duration: DURATION });
        await fetch(`${server.url}/v1/health`, { headers });
        console.log(
          `${mode.padEnd(8)} c=${String(connections).padStart(2)} ${String(Math.round(r.requests.total / DURATION)).padStart(5)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms${r.errors + r.timeouts + r.non2xx ? `  FAILURES ${r.errors + r.timeouts + r.non2xx}` : ''}`,
        );
      }
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    console.log(
      `load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
