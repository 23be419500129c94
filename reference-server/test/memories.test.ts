import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  assertError,
  assertSchema,
  type Client,
  create,
  inFuture,
  type Json,
  memoryBody,
  sleep,
  startTestServer,
  type TestServer,
} from './helpers.ts';

let srv: TestServer;
let api: Client;
beforeAll(async () => {
  srv = await startTestServer();
  api = srv.as();
});
afterAll(async () => {
  await srv.stop();
});

describe('create', () => {
  test('stores every member and fills the defaults (OMP-MEM-009, OMP-MEM-011, OMP-TIME-006)', async () => {
    const res = await api.post('/v1/memories', memoryBody({ tags: ['preferences', 'coding'] }));
    expect(res.status).toBe(201);
    assertSchema('memory', res.body);
    const m = res.body;
    expect(m.id).toMatch(/^mem_[a-z0-9]{16}$/);
    expect(res.headers.get('location')).toBe(`/v1/memories/${m.id}`);
    expect(m).toMatchObject({
      tags: ['preferences', 'coding'],
      namespace: null,
      expires_at: null,
      metadata: {},
    });
    expect(m.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(m.updated_at).toBe(m.created_at);
    expect(m.source).toEqual({ tool: 'claude', timestamp: m.created_at });
    expect(m).not.toHaveProperty('embedding');
    const date = Date.parse(res.headers.get('date') as string);
    expect(Math.abs(Date.parse(m.created_at) - date)).toBeLessThan(60_000);
  });

  test('echoes what the client wrote, byte for byte (OMP-MEM-003, OMP-TIME-003, OMP-MEM-014)', async () => {
    const body = {
      content: '  Café 🎉 "quoted" \u0065\u0301 — not trimmed  ',
      type: 'procedural',
      source: {
        tool: 'cursor',
        session_id: 's1',
        user_id: 'u1',
        timestamp: '2026-01-02T03:04:05.123456789Z',
      },
      tags: ['b', 'a', 'project:x_y-z'],
      namespace: 'project:myapp',
      expires_at: '2999-12-31T23:59:59Z',
      metadata: { confidence: 0.8, nested: { a: [1, null, 'x'] }, '': undefined },
      embedding: [0.1, -2, 3e-7],
    };
    delete (body.metadata as Record<string, unknown>)[''];
    const res = await api.post('/v1/memories', body);
    expect(res.status).toBe(201);
    const m = res.body;
    for (const k of [
      'content',
      'type',
      'source',
      'tags',
      'namespace',
      'expires_at',
      'metadata',
      'embedding',
    ]) {
      expect(m[k], k).toEqual((body as Record<string, unknown>)[k]);
    }
    const got = await api.get(`/v1/memories/${m.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(m); // OMP-CRUD-006: JSON-equal to what the write returned
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['empty content', memoryBody({ content: '' }), '/content'],
    ['white-space content', memoryBody({ content: ' \n\t ' }), '/content'],
    ['content over 10,000 code points', memoryBody({ content: '😀'.repeat(10_001) }), '/content'],
    ['unknown type', memoryBody({ type: 'factual' }), '/type'],
    ['upper-case tag', memoryBody({ tags: ['Coding'] }), '/tags/0'],
    ['duplicate tags', memoryBody({ tags: ['a', 'a'] }), '/tags'],
    ['21 tags', memoryBody({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }), '/tags'],
    ['tag of 51 chars', memoryBody({ tags: ['a'.repeat(51)] }), '/tags/0'],
    ['bad namespace', memoryBody({ namespace: 'Project X' }), '/namespace'],
    ['source without tool', memoryBody({ source: {} }), '/source/tool'],
    ['tool with a control character', memoryBody({ source: { tool: 'a\u0007b' } }), '/source/tool'],
    [
      'timestamp with an offset',
      memoryBody({ source: { tool: 'x', timestamp: '2026-01-01T00:00:00+02:00' } }),
      '/source/timestamp',
    ],
    [
      'impossible date',
      memoryBody({ source: { tool: 'x', timestamp: '2026-02-30T00:00:00Z' } }),
      '/source/timestamp',
    ],
    [
      'metadata with 11 members',
      memoryBody({ metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i])) }),
      '/metadata',
    ],
    ['metadata not an object', memoryBody({ metadata: [1] }), '/metadata'],
    ['empty embedding', memoryBody({ embedding: [] }), '/embedding'],
    ['embedding of strings', memoryBody({ embedding: ['a'] }), '/embedding/0'],
    ['server-set id', memoryBody({ id: 'mem_0000000000000000' }), '/id'],
    ['server-set created_at', memoryBody({ created_at: '2026-01-01T00:00:00Z' }), '/created_at'],
    ['unknown member', memoryBody({ importance: 3 }), '/importance'],
    ['expiry in the past', memoryBody({ expires_at: '2020-01-01T00:00:00Z' }), '/expires_at'],
    ['missing content', { type: 'semantic', source: { tool: 'x' } }, '/content'],
  ];
  test.each(invalid)('422 for %s, and nothing is stored (OMP-CRUD-004)', async (_name, body, path) => {
    const before = (await api.get('/v1/health')).body.memories_count;
    const res = await api.post('/v1/memories', body);
    assertError(res, 422, 'validation_error');
    expect(res.body.details.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await api.get('/v1/health')).body.memories_count).toBe(before);
  });

  test('lists every violation, not only the first (OMP-ERR-004)', async () => {
    const res = await api.post('/v1/memories', { content: '', type: 'x', source: {}, tags: ['A'] });
    assertError(res, 422, 'validation_error');
    const paths = res.body.details.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/content', '/type', '/source/tool', '/tags/0']));
  });

  test('pathological but well-formed input is a 4xx, never a 5xx (OMP-HTTP-013)', async () => {
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const nested = await api.post(
      '/v1/memories',
      `{"content":"x","type":"semantic","source":{"tool":"t"},"metadata":{"a":${deep}}}`,
    );
    assertError(nested, 422, 'validation_error');
    const surrogate = await api.post(
      '/v1/memories',
      '{"content":"a\\ud800b","type":"semantic","source":{"tool":"t\\udc00"}}',
    );
    assertError(surrogate, 422, 'validation_error');
    expect(surrogate.body.details.errors.map((e: Json) => e.path)).toEqual(['/content', '/source/tool']);
    const big = await api.post(
      '/v1/memories',
      memoryBody({ metadata: { n: 1e308, s: 'x'.repeat(100_000) } }),
    );
    expect(big.status).toBe(201);
    const paired = await create(api, { content: 'emoji 😀 pairs are fine' });
    expect((await api.get(`/v1/memories/${paired.id}`)).body.content).toBe('emoji 😀 pairs are fine');
  });

  test('top-level value that is not an object is a 422 (OMP-HTTP-004)', async () => {
    for (const body of ['[]', '"text"', '42', 'null']) {
      assertError(await api.post('/v1/memories', body), 422, 'validation_error');
    }
  });
});

describe('get, update, delete', () => {
  test('update is partial; null clears; tags and metadata replace whole (§5.4)', async () => {
    const m = await create(api, {
      tags: ['a', 'b'],
      namespace: 'ns',
      metadata: { x: 1, y: 2 },
      embedding: [1, 2],
      expires_at: inFuture(3_600_000),
    });
    const res = await api.put(`/v1/memories/${m.id}`, { tags: ['c'], metadata: { z: 3 }, namespace: null });
    expect(res.status).toBe(200);
    assertSchema('memory', res.body);
    expect(res.body).toMatchObject({
      content: m.content,
      type: m.type,
      tags: ['c'],
      metadata: { z: 3 },
      namespace: null,
    });
    expect(res.body.embedding).toEqual([1, 2]);
    expect(res.body.expires_at).toBe(m.expires_at);
    expect(res.body.source).toEqual(m.source);
    expect(res.body.created_at).toBe(m.created_at);
    expect(res.body.updated_at > m.updated_at).toBe(true);

    const cleared = await api.put(`/v1/memories/${m.id}`, {
      embedding: null,
      expires_at: null,
      content: 'new text',
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).not.toHaveProperty('embedding');
    expect(cleared.body.expires_at).toBeNull();
    expect(cleared.body.content).toBe('new text');
    expect((await api.get(`/v1/memories/${m.id}`)).body).toEqual(cleared.body);
  });

  test('updated_at moves strictly forward on rapid updates (OMP-TIME-005)', async () => {
    const m = await create(api);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => api.put(`/v1/memories/${m.id}`, { content: `v${i}` })),
    );
    const stamps = results.map((r) => r.body.updated_at as string).sort();
    expect(new Set(stamps).size).toBe(5);
    expect((stamps[0] as string) > m.updated_at).toBe(true);
  });

  const badUpdates: [string, unknown, string][] = [
    ['empty object', {}, '/'],
    ['content null', { content: null }, '/content'],
    ['type null', { type: null }, '/type'],
    ['tags null', { tags: null }, '/tags'],
    ['metadata null', { metadata: null }, '/metadata'],
    ['id', { id: 'mem_aaaaaaaaaaaaaaaa' }, '/id'],
    ['source', { source: { tool: 'x' } }, '/source'],
    ['created_at', { created_at: '2026-01-01T00:00:00Z' }, '/created_at'],
    ['updated_at', { updated_at: '2026-01-01T00:00:00Z' }, '/updated_at'],
    ['expiry in the past', { expires_at: '2001-01-01T00:00:00Z' }, '/expires_at'],
  ];
  test.each(badUpdates)('PUT with %s is a 422 and changes nothing', async (_name, body, path) => {
    const m = await create(api);
    const res = await api.put(`/v1/memories/${m.id}`, body);
    assertError(res, 422, 'validation_error');
    expect(res.body.details.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await api.get(`/v1/memories/${m.id}`)).body).toEqual(m);
  });

  test('delete answers 204 with no body, then everything is 404 (OMP-CRUD-019, -020)', async () => {
    const m = await create(api, { content: 'zebrafish deletion marker' });
    const res = await api.del(`/v1/memories/${m.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    assertError(await api.get(`/v1/memories/${m.id}`), 404, 'memory_not_found');
    assertError(await api.put(`/v1/memories/${m.id}`, { content: 'x' }), 404, 'memory_not_found');
    assertError(await api.del(`/v1/memories/${m.id}`), 404, 'memory_not_found');
    expect((await api.get('/v1/memories/search?q=zebrafish')).body.total).toBe(0);
    const exported = await api.get('/v1/export');
    expect(exported.body.memories.some((x: { id: string }) => x.id === m.id)).toBe(false);
  });

  const notFound: [string, string][] = [
    ['unknown id', '/v1/memories/mem_zzzzzzzzzzzzzzzz'],
    ['not an id at all', '/v1/memories/hello'],
    ['upper-case id', '/v1/memories/MEM_AAAAAAAAAAAAAAAA'],
    ['percent-encoded garbage', '/v1/memories/%E0%A4%A'],
  ];
  test.each(notFound)('%s is 404 memory_not_found for GET, PUT and DELETE (OMP-ID-004)', async (_n, path) => {
    assertError(await api.get(path), 404, 'memory_not_found');
    assertError(await api.put(path, { content: 'x' }), 404, 'memory_not_found');
    assertError(await api.del(path), 404, 'memory_not_found');
  });

  test('ids compare exactly (OMP-ID-005)', async () => {
    const m = await create(api);
    assertError(await api.get(`/v1/memories/${m.id.toUpperCase()}`), 404, 'memory_not_found');
  });
});

describe('expiry (§3.8)', () => {
  test('a memory disappears everywhere at its expiry, and expiry can be cleared', async () => {
    const bob = srv.as(srv.keys.bob); // a principal of its own, so counts are exact
    const countBefore = (await bob.get('/v1/health')).body.memories_count;
    const expiresAt = inFuture(2500); // generous, so a slow machine still sees both before the instant
    const soon = await create(bob, { content: 'ephemeral okapi', expires_at: expiresAt });
    const kept = await create(bob, { content: 'ephemeral okapi kept', expires_at: expiresAt });
    expect((await bob.put(`/v1/memories/${kept.id}`, { expires_at: null })).status).toBe(200);
    expect((await bob.get('/v1/memories/search?q=okapi')).body.total).toBe(2);
    await sleep(Date.parse(expiresAt) - Date.now() + 50);
    assertError(await bob.get(`/v1/memories/${soon.id}`), 404, 'memory_not_found');
    assertError(await bob.put(`/v1/memories/${soon.id}`, { content: 'x' }), 404, 'memory_not_found');
    assertError(await bob.del(`/v1/memories/${soon.id}`), 404, 'memory_not_found');
    const search = await bob.get('/v1/memories/search?q=okapi');
    expect(search.body.memories.map((x: { id: string }) => x.id)).toEqual([kept.id]);
    expect(search.body.total).toBe(1);
    const list = await bob.get('/v1/memories?limit=100');
    expect(list.body.memories.some((x: { id: string }) => x.id === soon.id)).toBe(false);
    expect((await bob.get('/v1/export')).body.memories.some((x: { id: string }) => x.id === soon.id)).toBe(
      false,
    );
    expect((await bob.get('/v1/health')).body.memories_count).toBe(countBefore + 1);
  });
});
