/**
 * The event loop never blocks for long (issue #14, item 2): SQLite runs in worker threads, so while one client
 * imports or exports tens of thousands of memories, health and other clients' reads keep being answered. The
 * assertions are about order and counts, never time: health answers counted between the moment the import's
 * body has been sent and its response, and reads that complete before the import does. On the in-process store
 * (SQLite on the HTTP thread) the import is one synchronous transaction, during which nothing is answered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { COMMON_TERM, exportFileText } from '../bench/corpus.ts';
import { generateKey, type RunningServer, startServer } from '../src/index.ts';

const N = 40_000;
const key = generateKey();
const dir = mkdtempSync(join(tmpdir(), 'omp-event-loop-'));
let srv: RunningServer;
const agent = new Agent({ keepAlive: true });
/** Health probes have a connection of their own, so they never wait for a socket the work holds. */
const probes = new Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  srv = await startServer({
    dbPath: join(dir, 'omp.db'),
    apiKey: key,
    cache: false,
    maxImportBytes: 2 ** 30,
  });
});
afterAll(async () => {
  agent.destroy();
  probes.destroy();
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One request; resolves with status and body once the response has ended. */
function call(
  method: string,
  path: string,
  body?: string,
  onSent?: () => void,
  via: Agent = agent,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${srv.url}${path}`,
      {
        method,
        agent: via,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body, onSent);
  });
}

/** Ask for health over and over until `done` is set; the number of answers. */
async function probe(state: { done: boolean }): Promise<number> {
  let answered = 0;
  while (!state.done) {
    const r = await call('GET', '/v1/health', undefined, undefined, probes);
    if (r.status !== 200) throw new Error(`health answered ${r.status}`);
    if (!state.done) answered++;
  }
  return answered;
}

test('health and reads are answered while a large import is in flight', async () => {
  const created = await call(
    'POST',
    '/v1/memories',
    JSON.stringify({ content: 'before the import', type: 'semantic', source: { tool: 't' } }),
  );
  const file = exportFileText(N);
  const state = { done: false };
  let sent!: () => void;
  const bodySent = new Promise<void>((r) => {
    sent = r;
  });
  const imported = call('POST', '/v1/import', file, () => sent()).then((r) => {
    state.done = true;
    return r;
  });
  await bodySent;
  // Reads issued now are answered by the reader while the writer imports: each settles before the import.
  // (Keyword searches are not among them: they run on the writer, whose in-memory index follows the writes.)
  const id = (JSON.parse(created.text) as { id: string }).id;
  const order: string[] = [];
  const reads = [
    call('GET', '/v1/memories?limit=5').then((r) => order.push(`list ${r.status}`)),
    call('GET', `/v1/memories/${id}`).then((r) => order.push(`get ${r.status}`)),
  ];
  const healthAnswers = probe(state);
  const result = await imported;
  order.push('import');
  await Promise.all(reads);
  expect(result.status).toBe(200);
  expect(JSON.parse(result.text)).toMatchObject({ imported: N, errors: [] });
  expect(order.slice(0, 2).sort()).toEqual(['get 200', 'list 200']);
  expect(order[2]).toBe('import');
  expect(await healthAnswers).toBeGreaterThanOrEqual(10);
});

test('health is answered while an export streams, and the export is complete', async () => {
  const state = { done: false };
  const exported = call('GET', '/v1/export').then((r) => {
    state.done = true;
    return r;
  });
  const answers = probe(state);
  const r = await exported;
  expect(r.status).toBe(200);
  expect((JSON.parse(r.text) as { memories: unknown[] }).memories).toHaveLength(N + 1);
  expect(await answers).toBeGreaterThanOrEqual(3);
});

test('health is answered before eight common-term searches sent ahead of it have finished', async () => {
  const order: string[] = [];
  let sentCount = 0;
  let allSent!: () => void;
  const sent = new Promise<void>((r) => {
    allSent = r;
  });
  const searches = Array.from({ length: 8 }, () =>
    call('POST', '/v1/memories/search', JSON.stringify({ q: COMMON_TERM, limit: 20 }), () => {
      if (++sentCount === 8) allSent();
    }).then((r) => order.push(`search ${r.status}`)),
  );
  await sent;
  const health = call('GET', '/v1/health', undefined, undefined, probes).then((r) =>
    order.push(`health ${r.status}`),
  );
  await Promise.all([...searches, health]);
  expect(order).toHaveLength(9);
  expect(order.filter((o) => o === 'search 200')).toHaveLength(8);
  // Searches run in the reader worker, one after another; health never waits for them.
  expect(order.indexOf('health 200')).toBeLessThan(8);
});
