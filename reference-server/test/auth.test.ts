import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  assertError,
  assertSchema,
  client,
  create,
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

describe('bearer keys (§8.1)', () => {
  const bad: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['scheme without a key', { authorization: 'Bearer' }],
    ['scheme and blank', { authorization: 'Bearer   ' }],
    ['two keys', { authorization: 'Bearer aaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbb' }],
    ['comma-separated keys', { authorization: 'Bearer aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbb' }],
    ['unknown key', { authorization: 'Bearer not-a-key-this-server-knows-at-all' }],
  ];
  const endpoints: [string, string, unknown][] = [
    ['GET', '/v1/memories', undefined],
    ['POST', '/v1/memories', {}],
    ['GET', '/v1/memories/mem_aaaaaaaaaaaaaaaa', undefined],
    ['PUT', '/v1/memories/mem_aaaaaaaaaaaaaaaa', {}],
    ['DELETE', '/v1/memories/mem_aaaaaaaaaaaaaaaa', undefined],
    ['POST', '/v1/memories/search', {}],
    ['GET', '/v1/memories/search', undefined],
    ['GET', '/v1/export', undefined],
    ['POST', '/v1/import', {}],
    ['GET', '/v1/me', undefined],
  ];
  test.each(bad)(
    '%s is 401 with a Bearer challenge on every endpoint (OMP-AUTH-001..003)',
    async (_n, headers) => {
      for (const [method, path, body] of endpoints) {
        const res = await client(srv.url).call(method, path, body, headers);
        assertError(res, 401, 'unauthorized');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
        expect(res.text).not.toContain('not-a-key-this-server-knows'); // OMP-ERR-010
      }
    },
  );

  test.each(['bearer', 'BEARER', 'BeArEr'])('scheme %s is accepted (OMP-AUTH-004)', async (scheme) => {
    const res = await client(srv.url).get('/v1/me', { authorization: `${scheme} ${srv.token}` });
    expect(res.status).toBe(200);
  });

  test('a key in the query string is not a key (OMP-AUTH-005)', async () => {
    const res = await client(srv.url).get(`/v1/memories?api_key=${srv.token}`);
    assertError(res, 401, 'unauthorized');
    expect(res.text).not.toContain(srv.token);
  });

  test('health needs no key, ignores a bad one, counts for a good one (OMP-HEALTH-001..004)', async () => {
    const anon = await client(srv.url).get('/v1/health');
    expect(anon.status).toBe(200);
    assertSchema('health', anon.body);
    expect(anon.body).toMatchObject({
      status: 'ok',
      version: '0.4',
      versions: ['0.4'],
      memories_count: null,
      levels: ['core', 'full', 'mcp', 'control'],
      capabilities: ['keyword_search', 'per_tool_keys', 'multi_user', 'mcp_http', 'mcp_sse', 'control'],
      limits: { max_body_bytes: 1048576, max_import_bytes: 268435456, idempotency_retention_seconds: 86400 },
      server: { name: 'omp-reference-server', version: '0.4.0' },
    });
    const badKey = await client(srv.url, 'wrong-key-wrong-key-wrong').get('/v1/health');
    expect(badKey.status).toBe(200);
    expect(badKey.body.memories_count).toBeNull();
    const malformed = await client(srv.url).get('/v1/health', { authorization: 'Basic abc' });
    expect(malformed.status).toBe(200);
    expect(typeof (await srv.as().get('/v1/health')).body.memories_count).toBe('number');
    // a key that may not read learns nothing from health either (OMP-HEALTH-004)
    expect((await srv.as(srv.keys.writeOnly).get('/v1/health')).body.memories_count).toBeNull();
    expect(typeof (await srv.as(srv.keys.readOnly).get('/v1/health')).body.memories_count).toBe('number');
  });
});

describe('GET /v1/me (§8.4)', () => {
  const cases: [string, keyof TestServer['keys'], Record<string, unknown>][] = [
    ['global key', 'owner', { principal: 'alice', tool: null, scopes: ['read', 'write'], read_scope: 'all' }],
    [
      'per-tool own',
      'cursorOwn',
      { principal: 'alice', tool: 'cursor', scopes: ['read', 'write'], read_scope: 'own' },
    ],
    [
      'per-tool all',
      'claudeAll',
      { principal: 'alice', tool: 'claude', scopes: ['read', 'write'], read_scope: 'all' },
    ],
    ['read only', 'readOnly', { principal: 'alice', tool: 'viewer', scopes: ['read'], read_scope: 'all' }],
    ['write only', 'writeOnly', { principal: 'alice', tool: 'writer', scopes: ['write'], read_scope: 'all' }],
    [
      'second principal',
      'bob',
      { principal: 'bob', tool: null, scopes: ['read', 'write'], read_scope: 'all' },
    ],
  ];
  test.each(cases)('%s', async (_n, key, want) => {
    const res = await srv.as(srv.keys[key]).get('/v1/me');
    expect(res.status).toBe(200);
    assertSchema('principal', res.body);
    expect(res.body).toEqual(want);
  });
});

describe('per-tool keys (§8.2)', () => {
  let cursorMem: Json;
  let claudeMem: Json;
  beforeAll(async () => {
    cursorMem = await create(srv.as(srv.keys.cursorOwn), {
      content: 'tapir cursor note',
      source: { tool: 'cursor' },
    });
    claudeMem = await create(srv.as(srv.keys.claudeAll), {
      content: 'tapir claude note',
      source: { tool: 'claude' },
    });
  });

  test('create with another source.tool is 403 and stores nothing (OMP-AUTH-011)', async () => {
    const before = (await srv.as().get('/v1/health')).body.memories_count;
    const res = await srv
      .as(srv.keys.cursorOwn)
      .post('/v1/memories', { content: 'x', type: 'semantic', source: { tool: 'claude' } });
    assertError(res, 403, 'forbidden');
    expect((await srv.as().get('/v1/health')).body.memories_count).toBe(before);
  });

  test('read scope own hides other tools everywhere (OMP-AUTH-015)', async () => {
    const own = srv.as(srv.keys.cursorOwn);
    assertError(await own.get(`/v1/memories/${claudeMem.id}`), 404, 'memory_not_found');
    assertError(await own.put(`/v1/memories/${claudeMem.id}`, { content: 'x' }), 404, 'memory_not_found');
    assertError(await own.del(`/v1/memories/${claudeMem.id}`), 404, 'memory_not_found');
    const list = await own.get('/v1/memories?limit=100');
    expect(list.body.memories.every((m: Json) => m.source.tool === 'cursor')).toBe(true);
    expect(list.body.total).toBe(list.body.memories.length);
    const search = await own.post('/v1/memories/search', { q: 'tapir' });
    expect(search.body.memories.map((m: Json) => m.id)).toEqual([cursorMem.id]);
    expect(search.body.total).toBe(1);
    expect((await own.get('/v1/memories/search?q=tapir&tool=claude')).body.total).toBe(0);
    const exported = await own.get('/v1/export');
    expect(exported.body.memories.every((m: Json) => m.source.tool === 'cursor')).toBe(true);
    expect((await own.get('/v1/health')).body.memories_count).toBe(list.body.total);
    expect((await own.get(`/v1/memories/${cursorMem.id}`)).status).toBe(200);
  });

  test('read scope all sees every tool, but may change only its own (OMP-AUTH-012, -016)', async () => {
    const all = srv.as(srv.keys.claudeAll);
    expect((await all.get(`/v1/memories/${cursorMem.id}`)).status).toBe(200);
    expect((await all.post('/v1/memories/search', { q: 'tapir' })).body.total).toBe(2);
    assertError(await all.put(`/v1/memories/${cursorMem.id}`, { content: 'hijack' }), 403, 'forbidden');
    assertError(await all.del(`/v1/memories/${cursorMem.id}`), 403, 'forbidden');
    expect((await srv.as().get(`/v1/memories/${cursorMem.id}`)).body).toEqual(cursorMem);
    expect((await all.put(`/v1/memories/${claudeMem.id}`, { tags: ['mine'] })).status).toBe(200);
  });

  test('a key without write scope is refused every write (OMP-AUTH-013)', async () => {
    const ro = srv.as(srv.keys.readOnly);
    assertError(
      await ro.post('/v1/memories', { content: 'x', type: 'semantic', source: { tool: 'viewer' } }),
      403,
      'forbidden',
    );
    assertError(await ro.put(`/v1/memories/${cursorMem.id}`, { content: 'x' }), 403, 'forbidden');
    assertError(await ro.del(`/v1/memories/${cursorMem.id}`), 403, 'forbidden');
    assertError(await ro.del('/v1/memories/mem_doesnotexist0000'), 403, 'forbidden'); // 403 before 404
    const file = { omp_version: '0.3', exported_at: '2026-01-01T00:00:00Z', server: 'x', memories: [] };
    assertError(await ro.post('/v1/import', file), 403, 'forbidden');
    expect((await ro.get('/v1/memories')).status).toBe(200);
  });

  test('a key without read scope is refused every read (OMP-AUTH-014)', async () => {
    const wo = srv.as(srv.keys.writeOnly);
    assertError(await wo.get('/v1/memories'), 403, 'forbidden');
    assertError(await wo.get(`/v1/memories/${cursorMem.id}`), 403, 'forbidden');
    assertError(await wo.post('/v1/memories/search', { q: 'tapir' }), 403, 'forbidden');
    assertError(await wo.get('/v1/memories/search?q=tapir'), 403, 'forbidden');
    assertError(await wo.get('/v1/export'), 403, 'forbidden');
    expect((await wo.get('/v1/me')).status).toBe(200);
    expect(
      (await wo.post('/v1/memories', { content: 'w', type: 'semantic', source: { tool: 'writer' } })).status,
    ).toBe(201);
  });

  test('validation comes before permission (OMP-ERR-011: 422 before 403)', async () => {
    const res = await srv.as(srv.keys.readOnly).post('/v1/memories', { content: '' });
    assertError(res, 422, 'validation_error');
  });
});

describe('multi-user isolation (§8.3)', () => {
  test("another principal's memories do not exist for bob", async () => {
    const alice = srv.as();
    const bob = srv.as(srv.keys.bob);
    const secret = await create(alice, {
      content: 'alice secret pangolin',
      tags: ['private'],
      namespace: 'home',
    });
    const bobCountBefore = (await bob.get('/v1/health')).body.memories_count;
    assertError(await bob.get(`/v1/memories/${secret.id}`), 404, 'memory_not_found');
    assertError(await bob.put(`/v1/memories/${secret.id}`, { content: 'x' }), 404, 'memory_not_found');
    assertError(await bob.del(`/v1/memories/${secret.id}`), 404, 'memory_not_found');
    expect((await bob.post('/v1/memories/search', { q: 'pangolin' })).body.total).toBe(0);
    expect((await bob.get('/v1/memories?tags=private')).body.total).toBe(0);
    expect((await bob.get('/v1/memories?namespace=home')).body.total).toBe(0);
    expect((await bob.get('/v1/export')).body.memories.some((m: Json) => m.id === secret.id)).toBe(false);
    expect((await bob.get('/v1/health')).body.memories_count).toBe(bobCountBefore);
    expect((await alice.get(`/v1/memories/${secret.id}`)).body).toEqual(secret);
    const meA = (await alice.get('/v1/me')).body.principal;
    const meA2 = (await srv.as(srv.keys.cursorOwn).get('/v1/me')).body.principal;
    expect(meA).toBe(meA2);
    expect((await bob.get('/v1/me')).body.principal).not.toBe(meA); // OMP-AUTH-023
  });

  test("an import never touches another principal's memory with the same id (OMP-AUTH-022)", async () => {
    const alice = srv.as();
    const bob = srv.as(srv.keys.bob);
    const theirs = await create(alice, { content: 'alice original capybara' });
    const item = { ...theirs, content: 'bob version capybara' };
    const file = {
      omp_version: '0.3',
      exported_at: '2026-01-01T00:00:00Z',
      server: 'test',
      memories: [item],
    };
    const res = await bob.post('/v1/import?conflict=overwrite', file);
    expect(res.body).toEqual({ imported: 1, skipped: 0, errors: [] });
    expect((await bob.get(`/v1/memories/${theirs.id}`)).body.content).toBe('bob version capybara');
    expect((await alice.get(`/v1/memories/${theirs.id}`)).body).toEqual(theirs);
    await bob.del(`/v1/memories/${theirs.id}`);
    expect((await alice.get(`/v1/memories/${theirs.id}`)).status).toBe(200);
  });
});
