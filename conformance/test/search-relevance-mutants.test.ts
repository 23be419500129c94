/**
 * Search-level certification cannot be fooled by a label. The reference server runs with the built-in model
 * (installed by the same code as npm ci's postinstall); mutants behind a proxy then answer semantic and hybrid
 * searches with keyword results while reporting the requested mode. OMP-SEARCH-028 must fail them and pass the
 * real server. The bundled relevance set is also checked to share no word between a query and its answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, type RunningServer, startServer } from 'omp-reference-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureModel } from '../../reference-server/src/search/model-files.ts';
import { tokenize } from '../../reference-server/src/search/tokenize.ts';
import { relevanceSet } from '../src/checks/search-relevance.ts';
import type { Report } from '../src/core/report.ts';
import { runConformance } from '../src/core/runner.ts';
import { type Fault, type ProxyRequest, readJson, startProxy, withJson } from './support/proxy.ts';

let server: RunningServer;
let dir: string;
const token = generateKey();

beforeAll(async () => {
  ensureModel();
  dir = mkdtempSync(join(tmpdir(), 'omp-relevance-'));
  server = await startServer({
    dbPath: join(dir, 'omp.db'),
    keys: [{ key: token, principal: 'p' }],
    embedder: 'builtin',
  });
}, 180_000);
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const isSearch = (r: ProxyRequest) => r.url.split('?')[0] === '/v1/memories/search' && r.method === 'POST';

/** Semantic and hybrid requests run as keyword upstream; the response claims the requested mode. */
const keywordLabelledAsMode: Fault = {
  request: (q) => {
    if (!isSearch(q)) return q;
    const b = readJson(q.body) as Record<string, unknown>;
    if (b.mode !== 'semantic' && b.mode !== 'hybrid') return q;
    return {
      ...q,
      headers: { ...q.headers, 'x-wanted-mode': String(b.mode) },
      body: Buffer.from(JSON.stringify({ ...b, mode: 'keyword' })),
    };
  },
  response: (q, r) => {
    const wanted = q.headers['x-wanted-mode'];
    const j = readJson(r.body) as Record<string, unknown> | undefined;
    return wanted && j ? withJson(r, { ...j, mode_used: wanted }) : r;
  },
};

/** Semantic and hybrid answer the oldest matches first: a ranking that ignores the query. */
const unranked: Fault = {
  request: (q) => {
    if (!isSearch(q)) return q;
    const b = readJson(q.body) as Record<string, unknown>;
    if (b.mode !== 'semantic' && b.mode !== 'hybrid') return q;
    const limit = String(b.limit ?? 20);
    return {
      ...q,
      headers: { ...q.headers, 'x-limit': limit },
      body: Buffer.from(JSON.stringify({ ...b, limit: 100 })),
    };
  },
  response: (q, r) => {
    const limit = Number(q.headers['x-limit']);
    const j = readJson(r.body) as { memories?: { created_at: string; id: string }[] } | undefined;
    if (!limit || !j?.memories) return r;
    const oldest = [...j.memories].sort((x, y) => (x.created_at + x.id < y.created_at + y.id ? -1 : 1));
    return withJson(r, { ...j, memories: oldest.slice(0, limit), limit });
  },
};

async function certify(url: string): Promise<Report> {
  return runConformance({ baseUrl: url, token, only: ['OMP-SEARCH-028'], concurrency: 2 });
}

const statusOf = (r: Report) => r.checks.find((c) => c.id === 'OMP-SEARCH-028')?.status;

describe('OMP-SEARCH-028 relevance', () => {
  it('passes the real Search level', async () => {
    expect(statusOf(await certify(server.url))).toBe('pass');
  });

  it.each([
    ['keyword results labelled semantic/hybrid', keywordLabelledAsMode],
    ['results in an order that ignores the query', unranked],
  ])('fails a mutant: %s', async (_name, fault) => {
    const proxy = await startProxy(server.url, fault);
    try {
      const report = await certify(proxy.url);
      expect(statusOf(report)).toBe('fail');
      expect(report.verdict).toBe('not_conformant');
    } finally {
      await proxy.close();
    }
  });

  it('the bundled set: no query shares a word with its answer', () => {
    const set = relevanceSet();
    const words = (s: string) => new Set(tokenize(s).map((t) => t.text));
    for (const q of set.queries) {
      const answer = set.memories.find((m) => m.key === q.answer)?.content as string;
      const shared = [...words(q.q)].filter((w) => words(answer).has(w));
      expect(shared, `${q.q} / ${answer}`).toEqual([]);
    }
  });
});
