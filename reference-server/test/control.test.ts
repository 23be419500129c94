/**
 * The control level (SPEC.md §20) on the reference server: states and history, apps and pausing, access rules,
 * the access log, stats and categories, over real HTTP and a real SQLite file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertSchema, type Client, create, startTestServer, type TestServer } from './helpers.ts';

let srv: TestServer;
let api: Client;

beforeAll(async () => {
  srv = await startTestServer();
  api = srv.as();
});
afterAll(async () => {
  await srv.stop();
});

const as = (app: string) => ({ 'omp-app': encodeURIComponent(app) });
const unique = (prefix: string) => `${prefix}${Math.random().toString(36).slice(2, 10)}`;

describe('memory states (§20.1)', () => {
  test('a new memory is active; archiving hides it from search and lists, reachable by a state filter', async () => {
    const word = unique('zebra');
    const m = await create(api, { content: `note about ${word}` });
    expect(m.state).toBe('active');
    const res = await api.post(`/v1/memories/${m.id}/state`, { state: 'archived', reason: 'done' });
    expect(res.status).toBe(200);
    assertSchema('memory', res.body);
    expect(res.body.state).toBe('archived');
    expect(res.body.updated_at > m.updated_at).toBe(true);
    expect(res.headers.get('etag')).not.toBe(null);
    expect((await api.get(`/v1/memories/search?q=${word}`)).body.total).toBe(0);
    expect((await api.post('/v1/memories/search', { q: word })).body.memories).toEqual([]);
    expect((await api.get(`/v1/memories/search?q=${word}&state=archived`)).body.memories[0].id).toBe(m.id);
    expect((await api.post('/v1/memories/search', { q: word, state: ['archived'] })).body.total).toBe(1);
    const list = (await api.get('/v1/memories?limit=100')).body;
    expect(list.memories.some((x: { id: string }) => x.id === m.id)).toBe(false);
    const archived = (await api.get('/v1/memories?state=archived')).body;
    expect(archived.memories.map((x: { id: string }) => x.id)).toContain(m.id);
    expect(archived.total).toBe(archived.memories.length);
    expect((await api.get(`/v1/memories/${m.id}`)).body.state).toBe('archived');
    const history = (await api.get(`/v1/memories/${m.id}/history`)).body;
    assertSchema('state-history', history);
    expect(history.entries).toMatchObject([
      { from: 'active', to: 'archived', app: null, principal: 'alice', reason: 'done' },
    ]);
    // The same state again: 200, no new entry.
    expect((await api.post(`/v1/memories/${m.id}/state`, { state: 'archived' })).status).toBe(200);
    expect((await api.get(`/v1/memories/${m.id}/history`)).body.entries).toHaveLength(1);
  });

  test('totals stay exact with non-active memories in every list path', async () => {
    const ns = unique('ns-');
    const made = [];
    for (let i = 0; i < 5; i++)
      made.push(await create(api, { namespace: ns, content: `counted ${ns} ${i}` }));
    await api.post('/v1/memories/bulk-state', { ids: [made[0].id, made[1].id], state: 'paused' });
    const page = (await api.get(`/v1/memories?namespace=${ns}&limit=2`)).body;
    expect(page.total).toBe(3);
    const all = (await api.get(`/v1/memories?namespace=${ns}&state=active,paused,archived`)).body;
    expect(all.total).toBe(5);
    const walk: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const p = (await api.get(`/v1/memories?namespace=${ns}&limit=2${q}`)).body;
      walk.push(...p.memories.map((x: { id: string }) => x.id));
      cursor = p.next_cursor;
    } while (cursor);
    expect(walk.sort()).toEqual(
      made
        .slice(2)
        .map((x) => x.id)
        .sort(),
    );
  });

  test('bulk state changes report changed, unchanged and not_found; bad bodies change nothing', async () => {
    const a = await create(api);
    const b = await create(api);
    const res = await api.post('/v1/memories/bulk-state', {
      ids: [a.id, b.id, 'mem_0000000000000000'],
      state: 'paused',
    });
    expect(res.body).toEqual({ changed: 2, unchanged: 0, not_found: ['mem_0000000000000000'] });
    const again = await api.post('/v1/memories/bulk-state', { ids: [a.id], state: 'paused' });
    expect(again.body).toEqual({ changed: 0, unchanged: 1, not_found: [] });
    expect((await api.post('/v1/memories/bulk-state', { ids: [], state: 'paused' })).status).toBe(422);
    expect((await api.post(`/v1/memories/${a.id}/state`, { state: 'deleted' })).status).toBe(422);
    expect((await api.post('/v1/memories/mem_0000000000000000/state', { state: 'active' })).status).toBe(404);
    expect((await api.get(`/v1/memories/${a.id}`)).body.state).toBe('paused');
  });

  test('export carries every state; import restores it; bulk delete matches every state', async () => {
    const other = await startTestServer();
    try {
      const o = other.as();
      const m = await create(o, { namespace: 'moving' });
      await o.post(`/v1/memories/${m.id}/state`, { state: 'archived' });
      const file = (await o.get('/v1/export')).body;
      expect(file.memories.find((x: { id: string }) => x.id === m.id).state).toBe('archived');
      const fresh = await startTestServer();
      try {
        expect((await fresh.as().post('/v1/import', file)).body.imported).toBe(1);
        expect((await fresh.as().get(`/v1/memories/${m.id}`)).body.state).toBe('archived');
      } finally {
        await fresh.stop();
      }
      const del = await o.post('/v1/memories/bulk-delete', { filter: { namespace: 'moving' } });
      expect(del.body.deleted).toBe(1);
    } finally {
      await other.stop();
    }
  });
});

describe('apps (§20.2) and access rules (§20.3)', () => {
  test('every source.tool and every OMP-App is an app; a paused app can neither write nor read', async () => {
    const name = unique('app-');
    await create(api, { source: { tool: name } });
    const apps = (await api.get('/v1/apps')).body;
    assertSchema('app-list', apps);
    expect(apps.apps.find((a: { name: string }) => a.name === name)).toMatchObject({
      paused: false,
      memories_count: 1,
    });
    const paused = await api.put(`/v1/apps/${encodeURIComponent(name)}`, { paused: true });
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toBe(true);
    const refused = await api.post('/v1/memories', {
      content: 'x',
      type: 'semantic',
      source: { tool: name },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('app_paused');
    expect((await api.get('/v1/memories', as(name))).body.error).toBe('app_paused');
    // The person (no app) still reads and changes what the paused app wrote.
    expect((await api.get(`/v1/memories?tool=${encodeURIComponent(name)}`)).body.total).toBe(1);
    await api.put(`/v1/apps/${encodeURIComponent(name)}`, { paused: false });
    expect(
      (await api.post('/v1/memories', { content: 'x', type: 'semantic', source: { tool: name } })).status,
    ).toBe(201);
    expect((await api.get(`/v1/apps/${encodeURIComponent(name)}`)).body.memories_count).toBe(2);
    expect((await api.get('/v1/apps/never-seen-app')).status).toBe(404);
    expect((await api.put('/v1/apps/x', { paused: 'yes' })).status).toBe(422);
  });

  test('a per-tool key may not use the person’s endpoints', async () => {
    const tool = srv.as(srv.keys.claudeAll);
    for (const path of ['/v1/apps', '/v1/access-log', '/v1/stats'])
      expect((await tool.get(path)).status).toBe(403);
  });

  test('deny and allow rules hide memories from the app on every path', async () => {
    const app = unique('ruled-');
    const secret = await create(api, { namespace: 'private', content: `secret ${app}` });
    const open = await create(api, { namespace: 'public', content: `open ${app}` });
    await api.put(`/v1/apps/${app}`, { rules: [{ effect: 'deny', namespace: 'private' }] });
    expect((await api.get(`/v1/memories/${secret.id}`, as(app))).status).toBe(404);
    expect((await api.get(`/v1/memories/${open.id}`, as(app))).status).toBe(200);
    const found = (await api.get(`/v1/memories/search?q=${app}`, as(app))).body;
    expect(found.memories.map((m: { id: string }) => m.id)).toEqual([open.id]);
    expect(found.total).toBe(1);
    const exported = (await api.get('/v1/export', as(app))).body.memories.map((m: { id: string }) => m.id);
    expect(exported).not.toContain(secret.id);
    const write = await api.post(
      '/v1/memories',
      { content: 'smuggle', type: 'semantic', source: { tool: app }, namespace: 'private' },
      as(app),
    );
    expect(write.status).toBe(403);
    await api.put(`/v1/apps/${app}`, { rules: [{ effect: 'allow', memory_id: open.id }] });
    expect(
      (await api.get(`/v1/memories?namespace=public`, as(app))).body.memories.map(
        (m: { id: string }) => m.id,
      ),
    ).toEqual([open.id]);
    // The person's own requests see everything.
    expect((await api.get(`/v1/memories/${secret.id}`)).status).toBe(200);
  });
});

describe('access log (§20.4)', () => {
  test('one entry per read and write, with ids, app, principal and request id; never content or keys', async () => {
    const app = unique('logger-');
    const word = unique('needle');
    const made = await api.post(
      '/v1/memories',
      { content: `content ${word}`, type: 'semantic', source: { tool: app } },
      as(app),
    );
    const got = await api.get(`/v1/memories/${made.body.id}`, as(app));
    const log = await api.get(`/v1/access-log?memory_id=${made.body.id}`);
    expect(log.status).toBe(200);
    assertSchema('access-log-page', log.body);
    expect(log.body.entries.map((e: { operation: string }) => e.operation)).toEqual(['get', 'create']);
    expect(log.body.entries[0]).toMatchObject({
      app,
      principal: 'alice',
      via: 'http',
      memory_ids: [made.body.id],
    });
    expect(log.body.entries[0].request_id).toBe(got.headers.get('x-request-id'));
    expect(log.text).not.toContain(word);
    expect(log.text).not.toContain(srv.token);
    const byApp = (await api.get(`/v1/access-log?app=${app}&operation=create`)).body.entries;
    expect(byApp).toHaveLength(1);
  });

  test('cursor paging walks every entry once; bad cursors and parameters are 422', async () => {
    const m = await create(api);
    for (let i = 0; i < 5; i++) await api.get(`/v1/memories/${m.id}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const page = (await api.get(`/v1/access-log?memory_id=${m.id}&limit=2${q}`)).body;
      seen.push(...page.entries.map((e: { id: string }) => e.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    const first = (await api.get(`/v1/access-log?memory_id=${m.id}&limit=2`)).body.next_cursor;
    expect((await api.get(`/v1/access-log?limit=2&cursor=${first}`)).status).toBe(422);
    expect((await api.get('/v1/access-log?cursor=abc')).status).toBe(422);
    expect((await api.get('/v1/access-log?since=yesterday')).status).toBe(422);
    expect((await api.get('/v1/access-log?limit=0')).status).toBe(422);
  });

  test('another principal sees none of the entries', async () => {
    const m = await create(api);
    const bob = srv.as(srv.keys.bob);
    expect((await bob.get(`/v1/access-log?memory_id=${m.id}`)).body.entries).toEqual([]);
  });
});

describe('stats and categories (§20.5)', () => {
  test('counts by state, type, app and category add up', async () => {
    const other = await startTestServer();
    try {
      const o = other.as();
      const a = await create(o, { tags: ['category:work'], source: { tool: 'cursor' } });
      await create(o, { tags: ['category:work', 'category:health'], type: 'episodic' });
      await o.post(`/v1/memories/${a.id}/state`, { state: 'archived' });
      const stats = (await o.get('/v1/stats')).body;
      assertSchema('stats', stats);
      expect(stats).toMatchObject({
        total: 2,
        by_state: { active: 1, paused: 0, archived: 1 },
        by_type: { episodic: 1, semantic: 1, procedural: 0 },
        by_app: [
          { app: 'claude', count: 1 },
          { app: 'cursor', count: 1 },
        ],
        by_category: [
          { category: 'health', count: 1 },
          { category: 'work', count: 2 },
        ],
        apps_count: 2,
      });
    } finally {
      await other.stop();
    }
  });

  test('suggestions come from the local rule and store nothing', async () => {
    const before = (await api.get('/v1/health')).body;
    const res = await api.post('/v1/category-suggestions', {
      content: 'Deploys go through make release; allergic to peanuts',
    });
    expect(res.status).toBe(200);
    assertSchema('category-suggest-result', res.body);
    expect(res.body.categories).toEqual(expect.arrayContaining(['technology', 'health']));
    expect(before.capability_details.control.category_rule).toBe('omp-keywords-1');
  });
});
