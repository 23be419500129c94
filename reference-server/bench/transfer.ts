/**
 * Export and import timings: GET /v1/export streamed to the end and POST /v1/import of a corpus export file,
 * with the server's resident memory sampled during each, repeated and reduced to medians.
 */

import { exportFileText } from './corpus.ts';
import { memory } from './measure.ts';
import { removeStore } from './seed.ts';
import type { Server } from './server-process.ts';
import { type Spread, spread } from './stats.ts';

/** One export or import figure. */
export interface Transfer {
  store: string;
  what: string;
  seconds: Spread;
  mib: number;
  rssBefore: number;
  rssPeak: number;
  detail: string;
  why?: string;
}

/** Run `fn` while sampling the server's RSS every 5 ms; returns seconds, RSS before and peak. */
async function sampled(
  server: Server,
  fn: () => Promise<void>,
): Promise<{ seconds: number; before: number; peak: number }> {
  const pid = server.child.pid as number;
  const before = memory(pid).rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, memory(pid).rss);
  }, 5);
  const t = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, memory(pid).rss);
  return { seconds: (performance.now() - t) / 1000, before, peak };
}

/** Export the whole store `reps` times from a freshly started server (so RSS growth is the export's own). */
export async function timedExports(
  start: () => Promise<Server>,
  store: string,
  n: number,
  reps: number,
  headers: Record<string, string>,
): Promise<Transfer> {
  const server = await start();
  const seconds: number[] = [];
  let mib = 0;
  let first: { before: number; peak: number } | undefined;
  let count = 0;
  try {
    for (let r = 0; r < reps; r++) {
      let bytes = 0;
      const s = await sampled(server, async () => {
        const res = await fetch(`${server.url}/v1/export`, { headers });
        if (!res.ok) throw new Error(`export: HTTP ${res.status}`);
        const chunks: Buffer[] = [];
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
          chunks.push(Buffer.from(chunk));
        const text = Buffer.concat(chunks).toString('utf8');
        bytes = text.length;
        count = (JSON.parse(text) as { memories: unknown[] }).memories.length;
      });
      if (count < n) throw new Error(`export returned ${count} of ${n} memories`);
      seconds.push(s.seconds);
      mib = bytes / 2 ** 20;
      first ??= s;
    }
    const t: Transfer = {
      store,
      what: `export ${count} memories`,
      seconds: spread(seconds),
      mib,
      rssBefore: first?.before ?? 0,
      rssPeak: first?.peak ?? 0,
      detail: `RSS growth ${((first?.peak ?? 0) - (first?.before ?? 0)).toFixed(1)} MiB (first export)`,
    };
    return t;
  } catch (err) {
    return failed(store, `export ${n} memories`, err);
  } finally {
    await server.stop();
  }
}

/** Import n corpus memories through POST /v1/import into an empty store, `reps` times (a fresh store each). */
export async function timedImports(
  start: (db: string) => Promise<Server>,
  dbFile: string,
  store: string,
  n: number,
  reps: number,
  headers: Record<string, string>,
): Promise<Transfer> {
  const body = exportFileText(n);
  const seconds: number[] = [];
  let first: { before: number; peak: number } | undefined;
  try {
    for (let r = 0; r < reps; r++) {
      removeStore(dbFile);
      const server = await start(dbFile);
      try {
        const s = await sampled(server, async () => {
          const res = await fetch(`${server.url}/v1/import`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body,
          });
          const result = (await res.json()) as { imported: number };
          if (res.status !== 200 || result.imported !== n)
            throw new Error(`import: HTTP ${res.status} ${JSON.stringify(result).slice(0, 200)}`);
        });
        seconds.push(s.seconds);
        first ??= s;
      } finally {
        await server.stop();
      }
    }
    const med = spread(seconds);
    return {
      store,
      what: `import ${n} memories`,
      seconds: med,
      mib: Buffer.byteLength(body) / 2 ** 20,
      rssBefore: first?.before ?? 0,
      rssPeak: first?.peak ?? 0,
      detail: `${Math.round(n / med.median)} memories/s`,
    };
  } catch (err) {
    return failed(store, `import ${n} memories`, err);
  } finally {
    removeStore(dbFile);
  }
}

function failed(store: string, what: string, err: unknown): Transfer {
  const why = err instanceof Error ? err.message : String(err);
  console.log(`${store} ${what} FAILED: ${why}`);
  return { store, what, seconds: spread([]), mib: 0, rssBefore: 0, rssPeak: 0, detail: '', why };
}
