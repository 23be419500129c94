import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateKey } from '../src/index.ts';
import {
  assertError,
  assertSchema,
  type Client,
  client,
  create,
  inFuture,
  type Json,
  startTestServer,
  type TestServer,
} from './helpers.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.stop();
});

/** A server of its own, so that exports and counts see only what the test wrote. */
async function freshPrincipal(): Promise<{
  api: Client;
  stop: () => Promise<void>;
  url: string;
  key: string;
}> {
  const s = await startTestServer();
  return { api: s.as(), stop: () => s.stop(), url: s.url, key: s.token };
}

const file = (memories: unknown[], extra: Record<string, unknown> = {}) => ({
  omp_version: '0.3',
  exported_at: '2026-11-23T10:00:00.000Z',
  server: { name: 'test', version: '1' },
  memories,
  ...extra,
});

const item = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  content: `imported ${id}`,
  type: 'semantic',
  source: { tool: 'claude', timestamp: '2026-01-01T00:00:00Z' },
  tags: ['imported'],
  namespace: null,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-02T00:00:00.5Z',
  expires_at: null,
  metadata: {},
  state: 'active',
  ...overrides,
});

describe('export (§7.2)', () => {
  test('every visible memory once, in created_at then id order, JSON-equal to get, with embeddings', async () => {
    const p = await freshPrincipal();
    try {
      const made = [];
      for (let i = 0; i < 25; i++)
        made.push(
          await create(p.api, { content: `export ${i}`, embedding: i % 5 === 0 ? [i, 0.5] : undefined }),
        );
      const res = await p.api.get('/v1/export');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      assertSchema('export-file', res.body);
      expect(res.body.omp_version).toBe('0.4');
      expect(res.body.server).toEqual({ name: 'omp-reference-server', version: '0.4.0' });
      expect(res.body.exported_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(res.body).not.toHaveProperty('conflict');
      const want = [...made].sort((x, y) => (`${x.created_at}|${x.id}` < `${y.created_at}|${y.id}` ? -1 : 1));
      expect(res.body.memories).toEqual(want);
      for (const m of res.body.memories.slice(0, 6)) {
        expect((await p.api.get(`/v1/memories/${m.id}`)).body).toEqual(m);
      }
      expect(res.body.memories.filter((m: Json) => m.embedding).length).toBe(5);
    } finally {
      await p.stop();
    }
  });

  test('an empty store exports an empty list', async () => {
    const p = await freshPrincipal();
    try {
      const res = await p.api.get('/v1/export');
      assertSchema('export-file', res.body);
      expect(res.body.memories).toEqual([]);
    } finally {
      await p.stop();
    }
  });
});

describe('import (§7.3)', () => {
  test('round trip: import an export into an empty principal, export again, same memories (OMP-IMPORT-022)', async () => {
    const a = await freshPrincipal();
    const b = await freshPrincipal();
    try {
      for (let i = 0; i < 10; i++)
        await create(a.api, { content: `trip ${i}`, tags: [`t${i}`], metadata: { i }, embedding: [i] });
      await create(a.api, { content: 'with expiry', expires_at: inFuture(3_600_000), namespace: 'ns' });
      const exported = (await a.api.get('/v1/export')).body;
      const res = await b.api.post('/v1/import', exported);
      expect(res.status).toBe(200);
      assertSchema('import-result', res.body);
      expect(res.body).toEqual({ imported: 11, skipped: 0, errors: [] });
      expect((await b.api.get('/v1/export')).body.memories).toEqual(exported.memories);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test('items keep id, timestamps as written, source; 0.2 items without namespace/metadata get defaults', async () => {
    const p = await freshPrincipal();
    try {
      const legacy = item('mem_legacy0000000001') as Record<string, unknown>;
      delete legacy.namespace;
      delete legacy.metadata;
      const res = await p.api.post(
        '/v1/import',
        file([item('mem_keep000000000001'), legacy], { omp_version: '0.2', server: 'omp-server 0.2' }),
      );
      expect(res.body).toEqual({ imported: 2, skipped: 0, errors: [] });
      expect((await p.api.get('/v1/memories/mem_keep000000000001')).body).toEqual(
        item('mem_keep000000000001'),
      );
      const got = (await p.api.get('/v1/memories/mem_legacy0000000001')).body;
      expect(got).toMatchObject({ namespace: null, metadata: {}, updated_at: '2026-01-02T00:00:00.5Z' });
      // An update after import moves updated_at strictly past the imported sub-millisecond value.
      const upd = await p.api.put('/v1/memories/mem_legacy0000000001', { content: 'changed' });
      expect(upd.body.updated_at > '2026-01-02T00:00:00.5Z').toBe(true);
      expect(upd.body.created_at).toBe('2026-01-01T00:00:00Z');
    } finally {
      await p.stop();
    }
  });

  const strategies: [
    string,
    string,
    (query: string, body: Record<string, unknown>) => [string, Record<string, unknown>],
  ][] = [
    ['query', 'query', (s, b) => [`?conflict=${s}`, b]],
    ['body', 'body', (s, b) => ['', { ...b, conflict: s }]],
  ];
  test.each(strategies)('conflict strategies via %s (OMP-IMPORT-004..008)', async (_n, _w, place) => {
    const p = await freshPrincipal();
    try {
      const stored = await create(p.api, { content: 'the original' });
      const incoming = item(stored.id, { content: 'the incoming one' });

      const [q1, b1] = place('skip', file([incoming]));
      expect((await p.api.post(`/v1/import${q1}`, b1)).body).toEqual({ imported: 0, skipped: 1, errors: [] });
      expect((await p.api.get(`/v1/memories/${stored.id}`)).body).toEqual(stored);

      const [q2, b2] = place('duplicate', file([incoming]));
      expect((await p.api.post(`/v1/import${q2}`, b2)).body).toEqual({ imported: 1, skipped: 0, errors: [] });
      expect((await p.api.get(`/v1/memories/${stored.id}`)).body).toEqual(stored);
      const dup = (await p.api.get('/v1/memories/search?q=incoming')).body.memories;
      expect(dup).toHaveLength(1);
      expect(dup[0].id).not.toBe(stored.id);
      expect(dup[0]).toEqual({ ...incoming, id: dup[0].id });

      const [q3, b3] = place('overwrite', file([incoming]));
      expect((await p.api.post(`/v1/import${q3}`, b3)).body).toEqual({ imported: 1, skipped: 0, errors: [] });
      // An overwrite is a write: created_at stays, updated_at moves forward (OMP-IMPORT-021).
      const after = (await p.api.get(`/v1/memories/${stored.id}`)).body;
      expect(after).toEqual({ ...incoming, created_at: stored.created_at, updated_at: after.updated_at });
      expect(after.updated_at > stored.updated_at).toBe(true);
      expect((await p.api.get('/v1/memories/search?q=original')).body.total).toBe(0);
    } finally {
      await p.stop();
    }
  });

  test('default is skip; a later item with an earlier id conflicts with it (OMP-IMPORT-016)', async () => {
    const p = await freshPrincipal();
    try {
      const id = 'mem_twice00000000001';
      const res = await p.api.post(
        '/v1/import',
        file([item(id, { content: 'first' }), item(id, { content: 'second' })]),
      );
      expect(res.body).toEqual({ imported: 1, skipped: 1, errors: [] });
      expect((await p.api.get(`/v1/memories/${id}`)).body.content).toBe('first');
      const over = await p.api.post(
        '/v1/import?conflict=overwrite',
        file([item(id, { content: 'third' }), item(id, { content: 'fourth' })]),
      );
      expect(over.body).toEqual({ imported: 2, skipped: 0, errors: [] });
      expect((await p.api.get(`/v1/memories/${id}`)).body.content).toBe('fourth');
    } finally {
      await p.stop();
    }
  });

  test('invalid items are reported and the rest go on; expired items are skipped (OMP-IMPORT-009, -011)', async () => {
    const p = await freshPrincipal();
    try {
      const items = [
        item('mem_good000000000001'),
        { ...item('mem_bad0000000000001'), tags: ['Bad Tag'] },
        'not an object',
        { ...item('mem_bad0000000000002'), extra: 1 },
        item('mem_expired000000001', { expires_at: '2020-01-01T00:00:00Z' }),
        { id: 42 },
        item('mem_good000000000002'),
        item('mem_bad0000000000003', { content: 'unpaired \ud800 surrogate' }),
      ];
      const res = await p.api.post('/v1/import', file(items));
      expect(res.status).toBe(200);
      assertSchema('import-result', res.body);
      expect(res.body.imported).toBe(2);
      expect(res.body.skipped).toBe(1);
      expect(res.body.errors.map((e: Json) => [e.index, e.id, e.error])).toEqual([
        [1, 'mem_bad0000000000001', 'validation_error'],
        [2, null, 'validation_error'],
        [3, 'mem_bad0000000000002', 'validation_error'],
        [5, null, 'validation_error'],
        [7, 'mem_bad0000000000003', 'validation_error'],
      ]);
      expect(res.body.errors[0].details.errors[0].path).toBe('/memories/1/tags/0');
      expect(res.body.imported + res.body.skipped + res.body.errors.length).toBe(items.length);
      assertError(await p.api.get('/v1/memories/mem_bad0000000000001'), 404, 'memory_not_found');
      assertError(await p.api.get('/v1/memories/mem_expired000000001'), 404, 'memory_not_found');
    } finally {
      await p.stop();
    }
  });

  const rejected: [string, unknown, string, string][] = [
    ['not an object', [1, 2], 'validation_error', '/'],
    [
      'missing omp_version',
      { exported_at: '2026-01-01T00:00:00Z', server: 'x', memories: [] },
      'validation_error',
      '/omp_version',
    ],
    ['malformed omp_version', file([], { omp_version: 'v1' }), 'validation_error', '/omp_version'],
    ['numeric omp_version', file([], { omp_version: 0.3 }), 'validation_error', '/omp_version'],
    ['memories not an array', file([], { memories: {} }), 'validation_error', '/memories'],
    ['unknown top-level member', file([], { extra: true }), 'validation_error', '/extra'],
    ['bad conflict member', file([], { conflict: 'merge' }), 'validation_error', '/conflict'],
    [
      'major version 1',
      file([item('mem_never00000000001')], { omp_version: '1.0' }),
      'unsupported_version',
      '',
    ],
  ];
  test.each(rejected)('%s is rejected whole (OMP-IMPORT-020, -012)', async (_n, body, code, path) => {
    const res = await srv.as().post('/v1/import', body);
    assertError(res, 422, code);
    if (path) expect(res.body.details.errors.map((e: Json) => e.path)).toContain(path);
    assertError(await srv.as().get('/v1/memories/mem_never00000000001'), 404, 'memory_not_found');
  });

  test('a file of more than 100,000 items is refused whole, before any item is looked at', async () => {
    const body = `{"omp_version":"0.3","exported_at":"2026-01-01T00:00:00Z","server":"x","memories":[${'1,'.repeat(100_000)}1]}`;
    const res = await srv.as().post('/v1/import', body);
    assertError(res, 422, 'validation_error');
    expect(res.body.details.errors[0].path).toBe('/memories');
  });

  test('a newer minor version is imported, ignoring what this version does not define (OMP-IMPORT-019)', async () => {
    const p = await freshPrincipal();
    try {
      const newer = file(
        [
          {
            ...item('mem_newer00000000001'),
            rating: 5,
            source: { tool: 'claude', timestamp: '2026-01-01T00:00:00Z', device: 'x' },
          },
        ],
        {
          omp_version: '0.9',
          checksum: 'abc',
        },
      );
      expect((await p.api.post('/v1/import', newer)).body).toEqual({ imported: 1, skipped: 0, errors: [] });
      expect((await p.api.get('/v1/memories/mem_newer00000000001')).body).toEqual(
        item('mem_newer00000000001'),
      );
    } finally {
      await p.stop();
    }
  });

  test('draft files: timestamps with an offset become the same instant in UTC (OMP-IMPORT-023)', async () => {
    const p = await freshPrincipal();
    try {
      const draft = file([item('mem_draft00000000001', { created_at: '2026-01-01T02:00:00+02:00' })], {
        omp_version: '0.2',
      });
      expect((await p.api.post('/v1/import', draft)).body).toEqual({ imported: 1, skipped: 0, errors: [] });
      expect((await p.api.get('/v1/memories/mem_draft00000000001')).body.created_at).toBe(
        '2026-01-01T00:00:00.000Z',
      );
      const current = file([item('mem_draft00000000002', { created_at: '2026-01-01T02:00:00+02:00' })]);
      expect((await p.api.post('/v1/import', current)).body.errors).toHaveLength(1);
    } finally {
      await p.stop();
    }
  });

  test('accepts omp_version 0.1 to 0.4 (OMP-IMPORT-002, OMP-IMPORT-018)', async () => {
    for (const v of ['0.1', '0.2', '0.3', '0.4']) {
      const res = await srv.as().post('/v1/import', file([], { omp_version: v }));
      expect(res.body).toEqual({ imported: 0, skipped: 0, errors: [] });
    }
  });

  test('conflict: bad query value, and query and body disagreeing, are 422 (OMP-IMPORT-004, -005)', async () => {
    assertError(await srv.as().post('/v1/import?conflict=merge', file([])), 422, 'validation_error');
    const both = await srv.as().post('/v1/import?conflict=skip', file([], { conflict: 'overwrite' }));
    assertError(both, 422, 'validation_error');
    expect(both.body.details.errors[0].path).toBe('?conflict');
    expect((await srv.as().post('/v1/import?conflict=skip', file([], { conflict: 'skip' }))).status).toBe(
      200,
    );
  });

  test('a per-tool key imports only its own tool (OMP-AUTH-018)', async () => {
    const key = generateKey();
    const s = await startTestServer({ keys: [{ key, principal: 'p', tool: 'cursor' }] });
    try {
      const api = client(s.url, key);
      const res = await api.post(
        '/v1/import',
        file([
          item('mem_cursor0000000001', { source: { tool: 'cursor', timestamp: '2026-01-01T00:00:00Z' } }),
          item('mem_claude0000000001'),
        ]),
      );
      expect(res.body.imported).toBe(1);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ index: 1, id: 'mem_claude0000000001', error: 'forbidden' }),
      ]);
      assertError(await api.get('/v1/memories/mem_claude0000000001'), 404, 'memory_not_found');
    } finally {
      await s.stop();
    }
  });
});
