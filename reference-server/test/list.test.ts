import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  assertError,
  assertSchema,
  type Client,
  create,
  type Json,
  startTestServer,
  type TestServer,
} from './helpers.ts';

let srv: TestServer;
let api: Client;
/** Memories created for this file, oldest first. */
const made: Json[] = [];

const TYPES = ['semantic', 'episodic', 'procedural'];
const TOOLS = ['claude', 'cursor'];
const TAGS = [['a'], ['a', 'b'], ['b'], [], ['a', 'b', 'c']];
const SPACES = ['ns1', null, 'ns2'];

beforeAll(async () => {
  srv = await startTestServer();
  api = srv.as();
  // Sequential creates: distinct created_at values are not guaranteed (same millisecond), ties go by id.
  for (let i = 0; i < 30; i++) {
    made.push(
      await create(api, {
        content: `memory number ${i}`,
        type: TYPES[i % 3],
        source: { tool: TOOLS[i % 2] },
        tags: TAGS[i % 5],
        namespace: SPACES[i % 3],
      }),
    );
  }
  // Touch some so updated_at order differs from created_at order.
  for (const i of [3, 17, 8]) {
    const r = await api.put(`/v1/memories/${made[i].id}`, { content: `memory number ${i} (edited)` });
    made[i] = r.body;
  }
});
afterAll(async () => {
  await srv.stop();
});

type Pred = (m: Json) => boolean;
const cmp = (key: 'created_at' | 'updated_at', dir: 1 | -1) => (x: Json, y: Json) => {
  const k = (m: Json) => `${m[key]}|${m.id}`;
  return k(x) < k(y) ? -dir : k(x) > k(y) ? dir : 0;
};

describe('filters (OMP-LIST-002..008, -012)', () => {
  const cases: [string, string, Pred][] = [
    ['no filter', '', () => true],
    ['type', 'type=episodic', (m) => m.type === 'episodic'],
    ['tool', 'tool=cursor', (m) => m.source.tool === 'cursor'],
    ['one tag', 'tags=a', (m) => m.tags.includes('a')],
    ['two tags (AND)', 'tags=a,b', (m) => m.tags.includes('a') && m.tags.includes('b')],
    ['three tags', 'tags=c,b,a', (m) => m.tags.includes('c')],
    ['namespace', 'namespace=ns1', (m) => m.namespace === 'ns1'],
    ['type + tag', 'type=semantic&tags=b', (m) => m.type === 'semantic' && m.tags.includes('b')],
    [
      'all filters',
      'type=procedural&tool=cursor&tags=a&namespace=ns2',
      (m) =>
        m.type === 'procedural' &&
        m.source.tool === 'cursor' &&
        m.tags.includes('a') &&
        m.namespace === 'ns2',
    ],
    ['unknown tool', 'tool=nobody', () => false],
    ['unknown tag', 'tags=zzz', () => false],
  ];
  test.each(cases)('%s', async (_name, query, pred) => {
    const want = made.filter(pred).sort(cmp('created_at', -1));
    const res = await api.get(`/v1/memories?${query}&limit=100`);
    expect(res.status).toBe(200);
    assertSchema('list-response', res.body);
    expect(res.body.total).toBe(want.length);
    expect(res.body.memories.map((m: Json) => m.id)).toEqual(want.map((m) => m.id));
    expect(res.body.memories).toEqual(want);
  });
});

describe('order and pages (OMP-LIST-009, -010, -013..015)', () => {
  const sorts: [string, (x: Json, y: Json) => number][] = [
    ['created_at_desc', cmp('created_at', -1)],
    ['created_at_asc', cmp('created_at', 1)],
    ['updated_at_desc', cmp('updated_at', -1)],
    ['updated_at_asc', cmp('updated_at', 1)],
  ];
  test.each(sorts)(
    'sort=%s, walked in pages of 7, yields every memory once in order',
    async (sort, order) => {
      const want = [...made].sort(order).map((m) => m.id);
      const seen: string[] = [];
      for (let offset = 0; offset < 35; offset += 7) {
        const res = await api.get(`/v1/memories?sort=${sort}&limit=7&offset=${offset}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ total: 30, limit: 7, offset });
        seen.push(...res.body.memories.map((m: Json) => m.id));
      }
      expect(seen).toEqual(want);
    },
  );

  test('filtered pages, both strategies (sorted matches and index walk), agree', async () => {
    const want = made
      .filter((m) => m.tags.includes('a'))
      .sort(cmp('created_at', -1))
      .map((m) => m.id);
    const seen: string[] = [];
    for (let offset = 0; offset < want.length; offset += 4) {
      seen.push(
        ...(await api.get(`/v1/memories?tags=a&limit=4&offset=${offset}`)).body.memories.map(
          (m: Json) => m.id,
        ),
      );
    }
    expect(seen).toEqual(want);
  });

  test('defaults are limit 20, offset 0, created_at_desc', async () => {
    const res = await api.get('/v1/memories');
    expect(res.body).toMatchObject({ limit: 20, offset: 0, total: 30 });
    expect(res.body.memories.map((m: Json) => m.id)).toEqual(
      [...made]
        .sort(cmp('created_at', -1))
        .slice(0, 20)
        .map((m) => m.id),
    );
  });

  test('an offset beyond total is 200 with no memories and the right total (OMP-LIST-014)', async () => {
    const res = await api.get('/v1/memories?offset=1000000&type=semantic');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ memories: [], total: 10, limit: 20, offset: 1000000, next_cursor: null });
  });

  test('list never carries embeddings (OMP-MEM-016)', async () => {
    const m = await create(srv.as(srv.keys.bob), { embedding: [1, 2, 3] });
    const res = await srv.as(srv.keys.bob).get('/v1/memories');
    expect(res.body.memories.find((x: Json) => x.id === m.id)).not.toHaveProperty('embedding');
  });
});

describe('bad query values are 422, never clamped (OMP-LIST-006, -007, -011, OMP-HTTP-020, -007)', () => {
  const bad: [string, string, string][] = [
    ['limit 0', 'limit=0', '?limit'],
    ['limit 101', 'limit=101', '?limit'],
    ['limit not a number', 'limit=ten', '?limit'],
    ['limit with a sign', 'limit=+5', '?limit'],
    ['limit with leading zero', 'limit=020', '?limit'],
    ['limit as exponent', 'limit=2e1', '?limit'],
    ['limit fraction', 'limit=1.5', '?limit'],
    ['limit empty', 'limit=', '?limit'],
    ['negative offset', 'offset=-1', '?offset'],
    ['offset too large', 'offset=1000001', '?offset'],
    ['huge offset', 'offset=99999999999999999999999', '?offset'],
    ['bad sort', 'sort=newest', '?sort'],
    ['bad type', 'type=factual', '?type'],
    ['upper-case tag', 'tags=Coding', '?tags'],
    ['empty tag segment', 'tags=a,,b', '?tags'],
    ['trailing comma', 'tags=a,', '?tags'],
    ['bad namespace', 'namespace=Bad%20NS', '?namespace'],
    ['empty tool', 'tool=', '?tool'],
    ['unknown parameter', 'q=hello', '?q'],
    ['repeated parameter', 'type=semantic&type=episodic', '?type'],
  ];
  test.each(bad)('%s', async (_name, query, path) => {
    const res = await api.get(`/v1/memories?${query}`);
    assertError(res, 422, 'validation_error');
    expect(res.body.details.errors.map((e: Json) => e.path)).toContain(path);
  });
});

describe('cached pages and totals follow every write', () => {
  test('the same list and search requests see creates, updates, deletes at once (OMP-CRUD-005)', async () => {
    const bob = srv.as(srv.keys.bob);
    const q = '/v1/memories?tags=coherent&limit=5&offset=0';
    const s = '/v1/memories/search?q=lemur';
    expect((await bob.get(q)).body.total).toBe(0);
    expect((await bob.get(s)).body.total).toBe(0);
    const m = await create(bob, { content: 'a lemur', tags: ['coherent'] });
    expect((await bob.get(q)).body.memories.map((x: Json) => x.id)).toEqual([m.id]);
    expect((await bob.get(s)).body.total).toBe(1);
    await bob.put(`/v1/memories/${m.id}`, { tags: ['other'], content: 'a fox' });
    expect((await bob.get(q)).body.total).toBe(0);
    expect((await bob.get(s)).body.total).toBe(0);
    await bob.put(`/v1/memories/${m.id}`, { tags: ['coherent'], content: 'a lemur again' });
    expect((await bob.get(`${q.replace('offset=0', 'offset=1')}`)).body.total).toBe(1);
    await bob.del(`/v1/memories/${m.id}`);
    expect((await bob.get(q)).body).toMatchObject({ total: 0, memories: [] });
    expect((await bob.get(s)).body.total).toBe(0);
  });
});
