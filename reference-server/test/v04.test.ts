/**
 * What 0.4 adds (SPEC.md §1.2, §1.4, §5.2 cursors, §5.6 bulk delete, §5.8 ETags, §5.9 idempotency, §10 health),
 * against a real server over HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  assertError,
  assertSchema,
  type Client,
  client,
  create,
  type Json,
  memoryBody,
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

/** A server of its own, so that counts and walks see only what the test wrote. */
async function fresh(): Promise<{ s: TestServer; api: Client }> {
  const s = await startTestServer();
  return { s, api: s.as() };
}

describe('versions (§1.2)', () => {
  test('health lists the versions and the capability objects; needs no version header', async () => {
    const res = await client(srv.url).get('/v1/health', { 'omp-version': '9.9' });
    expect(res.status).toBe(200); // health ignores OMP-Version (OMP-VER-005)
    assertSchema('health', res.body);
    expect(res.body.versions).toEqual(['0.4']);
    expect(res.body.version).toBe('0.4');
    expect(Object.keys(res.body.capability_details).sort()).toEqual([...res.body.capabilities].sort());
    expect(res.body.retention).toEqual({ erasure_seconds: 86400, backup_seconds: null });
  });

  test('every /v1 response names the governing version; an unknown one is 400 with the supported list', async () => {
    const ok = await srv.as().get('/v1/memories');
    expect(ok.headers.get('omp-version')).toBe('0.4');
    const err = await srv.as().get('/v1/memories?limit=0');
    expect(err.headers.get('omp-version')).toBe('0.4');
    expect((await srv.as().get('/v1/nope')).headers.get('omp-version')).toBe('0.4');
    expect((await client(srv.url).get('/v1/health')).headers.get('omp-version')).toBeNull();
    for (const v of ['0.3', '1.0', 'latest']) {
      const res = await srv.as().get('/v1/memories', { 'omp-version': v });
      assertError(res, 400, 'version_not_supported');
      expect(res.body.details.supported).toEqual(['0.4']);
    }
    // Before the key is looked at (OMP-ERR-011).
    assertError(
      await client(srv.url).get('/v1/memories', { 'omp-version': '0.3' }),
      400,
      'version_not_supported',
    );
    assertError(
      await srv.as().post('/v1/memories', memoryBody(), { 'omp-version': '2.0' }),
      400,
      'version_not_supported',
    );
  });
});

describe('extensions (§1.4)', () => {
  test('x_ members are accepted and neither stored nor returned; other unknown members are still 422', async () => {
    const res = await srv.as().post('/v1/memories', {
      ...memoryBody(),
      source: { tool: 'claude', x_acme_device: 'laptop' },
      x_acme_priority: 1,
    });
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('x_acme_priority');
    expect(res.body.source).toEqual({ tool: 'claude', timestamp: res.body.created_at });
    assertError(
      await srv.as().post('/v1/memories', { ...memoryBody(), priority: 1 }),
      422,
      'validation_error',
    );
  });

  test('an update of only x_ members is empty (OMP-CRUD-015); x_ query parameters are ignored', async () => {
    const m = await create(srv.as());
    assertError(await srv.as().put(`/v1/memories/${m.id}`, { x_acme: 1 }), 422, 'validation_error');
    expect((await srv.as().get(`/v1/memories?x_acme_trace=1&limit=1`)).status).toBe(200);
    assertError(await srv.as().get('/v1/memories?trace=1'), 422, 'validation_error');
  });

  test('metadata members named x_ are user data, kept as written', async () => {
    const m = await create(srv.as(), { metadata: { x_note: 'mine' } });
    expect(m.metadata).toEqual({ x_note: 'mine' });
  });
});

describe('ETag and If-Match (§5.8)', () => {
  test('create, get and update carry a strong ETag that changes with the memory', async () => {
    const res = await srv.as().post('/v1/memories', memoryBody());
    const tag = res.headers.get('etag');
    expect(tag).toMatch(/^"[^"]+"$/);
    const got = await srv.as().get(`/v1/memories/${res.body.id}`);
    expect(got.headers.get('etag')).toBe(tag);
    const upd = await srv.as().put(`/v1/memories/${res.body.id}`, { tags: ['x'] });
    expect(upd.headers.get('etag')).not.toBe(tag);
    expect((await srv.as().get(`/v1/memories/${res.body.id}`)).headers.get('etag')).toBe(
      upd.headers.get('etag'),
    );
  });

  test('a stale If-Match is 412 and changes nothing: the second of two read-modify-writes loses nothing', async () => {
    const res = await srv.as().post('/v1/memories', memoryBody({ tags: ['a'] }));
    const seen = res.headers.get('etag') as string;
    const first = await srv
      .as()
      .put(`/v1/memories/${res.body.id}`, { tags: ['a', 'b'] }, { 'if-match': seen });
    expect(first.status).toBe(200);
    const second = await srv
      .as()
      .put(`/v1/memories/${res.body.id}`, { tags: ['a', 'c'] }, { 'if-match': seen });
    assertError(second, 412, 'precondition_failed');
    expect((await srv.as().get(`/v1/memories/${res.body.id}`)).body.tags).toEqual(['a', 'b']);
    assertError(
      await srv.as().del(`/v1/memories/${res.body.id}`, { 'if-match': seen }),
      412,
      'precondition_failed',
    );
    expect((await srv.as().get(`/v1/memories/${res.body.id}`)).status).toBe(200);
  });

  test('a matching tag, a list holding it and * proceed; a weak tag never matches; 404 beats 412', async () => {
    const m = await srv.as().post('/v1/memories', memoryBody());
    const tag = m.headers.get('etag') as string;
    assertError(
      await srv.as().put(`/v1/memories/${m.body.id}`, { tags: ['w'] }, { 'if-match': `W/${tag}` }),
      412,
      'precondition_failed',
    );
    const ok = await srv
      .as()
      .put(`/v1/memories/${m.body.id}`, { tags: ['l'] }, { 'if-match': `"nope", ${tag}` });
    expect(ok.status).toBe(200);
    expect(
      (await srv.as().put(`/v1/memories/${m.body.id}`, { tags: ['s'] }, { 'if-match': '*' })).status,
    ).toBe(200);
    expect((await srv.as().del(`/v1/memories/${m.body.id}`, { 'if-match': '*' })).status).toBe(204);
    assertError(
      await srv.as().del(`/v1/memories/${m.body.id}`, { 'if-match': tag }),
      404,
      'memory_not_found',
    );
  });
});

describe('Idempotency-Key (§5.9)', () => {
  test('a retried create returns the first response and stores one memory', async () => {
    const { s, api } = await fresh();
    try {
      const h = { 'idempotency-key': 'k-create-1' };
      const a = await api.post('/v1/memories', memoryBody(), h);
      const b = await api.post('/v1/memories', memoryBody(), h);
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(b.body).toEqual(a.body);
      expect(b.headers.get('idempotent-replayed')).toBe('true');
      expect(a.headers.get('idempotent-replayed')).toBeNull();
      expect((await api.get('/v1/memories')).body.total).toBe(1);
    } finally {
      await s.stop();
    }
  });

  test('the same key for another request is 422; another credential has its own keys', async () => {
    const h = { 'idempotency-key': 'k-reuse' };
    expect((await srv.as().post('/v1/memories', memoryBody({ content: 'one' }), h)).status).toBe(201);
    assertError(
      await srv.as().post('/v1/memories', memoryBody({ content: 'two' }), h),
      422,
      'idempotency_key_reused',
    );
    const bob = await srv.as(srv.keys.bob).post('/v1/memories', memoryBody({ content: 'two' }), h);
    expect(bob.status).toBe(201);
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
  });

  test('errors are not recorded; a bad key is 422; a replay of an erased memory is 404', async () => {
    const h = { 'idempotency-key': 'k-err' };
    assertError(await srv.as().post('/v1/memories', { content: '' }, h), 422, 'validation_error');
    expect((await srv.as().post('/v1/memories', memoryBody(), h)).status).toBe(201);
    assertError(
      await srv.as().post('/v1/memories', memoryBody(), { 'idempotency-key': 'é'.repeat(3) }),
      422,
      'validation_error',
    );
    const g = { 'idempotency-key': 'k-gone' };
    const made = await srv.as().post('/v1/memories', memoryBody(), g);
    expect((await srv.as().del(`/v1/memories/${made.body.id}`)).status).toBe(204);
    assertError(await srv.as().post('/v1/memories', memoryBody(), g), 404, 'memory_not_found');
  });

  test('concurrent requests with one key store one memory: each is the original, a replay or 409', async () => {
    const { s, api } = await fresh();
    try {
      const h = { 'idempotency-key': 'k-flight' };
      const results = await Promise.all(
        Array.from({ length: 4 }, () => api.post('/v1/memories', memoryBody(), h)),
      );
      // Whether a request finds the key in flight (409) or recorded (replay) depends on timing; never a duplicate.
      for (const r of results) expect([201, 409]).toContain(r.status);
      const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.id));
      expect(ids.size).toBe(1);
      expect((await api.get('/v1/memories')).body.total).toBe(1);
    } finally {
      await s.stop();
    }
  });
});

describe('cursor pagination (§5.2)', () => {
  test('a walk by cursors neither skips nor repeats while memories are created and deleted', async () => {
    const { s, api } = await fresh();
    try {
      const stable: string[] = [];
      for (let i = 0; i < 23; i++) stable.push((await create(api, { tags: ['walk'] })).id);
      const doomed = await create(api, { tags: ['walk'] });
      const seen: string[] = [];
      let cursor: string | null = null;
      let page = 0;
      do {
        const q: string = cursor ? `&cursor=${cursor}` : '';
        const res: { status: number; body: Json } = await api.get(`/v1/memories?tags=walk&limit=5${q}`);
        expect(res.status).toBe(200);
        assertSchema('list-response', res.body);
        seen.push(...res.body.memories.map((m: Json) => m.id));
        cursor = res.body.next_cursor;
        // Writes between pages: new memories (which sort before the walk's position) and a deletion.
        await create(api, { tags: ['walk'] });
        if (page === 1) expect((await api.del(`/v1/memories/${doomed.id}`)).status).toBe(204);
        page++;
      } while (cursor !== null && page < 20);
      expect(cursor).toBeNull();
      expect(new Set(seen).size).toBe(seen.length); // nothing twice
      for (const id of stable) expect(seen).toContain(id); // nothing skipped
    } finally {
      await s.stop();
    }
  });

  test('offset of a cursor page counts what precedes it; next_cursor is null on the last page', async () => {
    const { s, api } = await fresh();
    try {
      for (let i = 0; i < 5; i++) await create(api);
      const p1 = await api.get('/v1/memories?limit=2&sort=created_at_asc');
      const p2 = await api.get(`/v1/memories?limit=2&sort=created_at_asc&cursor=${p1.body.next_cursor}`);
      expect(p2.body.offset).toBe(2);
      expect(p2.body.total).toBe(5);
      const p3 = await api.get(`/v1/memories?limit=2&sort=created_at_asc&cursor=${p2.body.next_cursor}`);
      expect(p3.body.memories).toHaveLength(1);
      expect(p3.body.next_cursor).toBeNull();
    } finally {
      await s.stop();
    }
  });

  test('a cursor with offset, with other filters or sort, or forged, is 422 ?cursor', async () => {
    for (let i = 0; i < 3; i++) await create(srv.as());
    const first = await srv.as().get('/v1/memories?limit=1');
    const c = first.body.next_cursor as string;
    for (const path of [
      `/v1/memories?limit=1&cursor=${c}&offset=1`,
      `/v1/memories?limit=1&cursor=${c}&sort=created_at_asc`,
      `/v1/memories?limit=1&cursor=${c}&type=episodic`,
      '/v1/memories?cursor=bm90LWEtY3Vyc29y',
    ]) {
      const res = await srv.as().get(path);
      assertError(res, 422, 'validation_error');
      expect(res.body.details.errors[0].path).toBe('?cursor');
    }
  });
});

describe('bulk delete (§5.6)', () => {
  test('empty filters and all with a criterion are refused; dry run counts; expected_count guards', async () => {
    const { s, api } = await fresh();
    try {
      for (let i = 0; i < 3; i++) await create(api, { namespace: 'project:old' });
      await create(api, { namespace: 'project:new' });
      for (const body of [
        {},
        { filter: {} },
        { filter: { all: false } },
        { filter: { all: true, type: 'semantic' } },
      ]) {
        assertError(await api.post('/v1/memories/bulk-delete', body), 422, 'validation_error');
      }
      const dry = await api.post('/v1/memories/bulk-delete', {
        filter: { namespace: 'project:old' },
        dry_run: true,
      });
      expect(dry.body).toEqual({ matched: 3, deleted: 0, dry_run: true });
      const wrong = await api.post('/v1/memories/bulk-delete', {
        filter: { namespace: 'project:old' },
        expected_count: 2,
      });
      assertError(wrong, 412, 'precondition_failed');
      expect(wrong.body.details.matched).toBe(3);
      const done = await api.post('/v1/memories/bulk-delete', {
        filter: { namespace: 'project:old' },
        expected_count: 3,
      });
      expect(done.body).toEqual({ matched: 3, deleted: 3, dry_run: false });
      const left = await api.get('/v1/memories');
      expect(left.body.memories.map((m: Json) => m.namespace)).toEqual(['project:new']);
      expect((await api.get('/v1/memories/search?q=TypeScript')).body.total).toBe(1);
      expect((await api.get('/v1/export')).body.memories).toHaveLength(1);
      const all = await api.post('/v1/memories/bulk-delete', { filter: { all: true } });
      expect(all.body).toEqual({ matched: 1, deleted: 1, dry_run: false });
    } finally {
      await s.stop();
    }
  });

  test('a per-tool key deletes only its own tool; no write scope is 403; PUT is 405', async () => {
    const { s } = await fresh();
    try {
      await create(s.as(), { source: { tool: 'claude' }, namespace: 'n' });
      await create(s.as(), { source: { tool: 'cursor' }, namespace: 'n' });
      const res = await s
        .as(s.keys.claudeAll)
        .post('/v1/memories/bulk-delete', { filter: { namespace: 'n' } });
      expect(res.body).toEqual({ matched: 1, deleted: 1, dry_run: false });
      expect((await s.as().get('/v1/memories')).body.memories.map((m: Json) => m.source.tool)).toEqual([
        'cursor',
      ]);
      assertError(
        await s.as(s.keys.readOnly).post('/v1/memories/bulk-delete', { filter: { all: true } }),
        403,
        'forbidden',
      );
      const put = await s.as().put('/v1/memories/bulk-delete', {});
      assertError(put, 405, 'method_not_allowed');
      expect(put.headers.get('allow')).toBe('POST');
    } finally {
      await s.stop();
    }
  });
});
