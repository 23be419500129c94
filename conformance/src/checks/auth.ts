/**
 * Authentication (Core) and authorisation (Full): bearer keys, per-tool keys with scopes and read scope, and
 * isolation between principals. Full checks need keys the runner was given (the toolTokens and tokenB options).
 */
import type { CheckContext } from '../core/harness.ts';
import type { Api } from '../core/omp-client.ts';
import { check } from '../core/registry.ts';
import type { Res } from '../core/response.ts';
import type { Health, ImportResult, Memory, Principal } from '../core/wire.ts';
import { countsAgree } from './health.ts';
import {
  expectNothingStored,
  exportAll,
  exportFile,
  importItem,
  list,
  memPath,
  search,
  uniqueToken,
  withoutEmbedding,
} from './helpers.ts';

/** Every protected endpoint with a request that would succeed with a valid key. */
function protectedRequests(t: CheckContext, id: string): Array<[string, (api: Api) => Promise<Res>]> {
  return [
    ['GET /v1/memories', (a) => a.get('/v1/memories')],
    ['POST /v1/memories', (a) => a.post('/v1/memories', t.body())],
    ['GET /v1/memories/{id}', (a) => a.get(memPath(id))],
    ['PUT /v1/memories/{id}', (a) => a.put(memPath(id), { content: 'unauthorised change' })],
    ['DELETE /v1/memories/{id}', (a) => a.del(memPath(id))],
    ['POST /v1/memories/search', (a) => a.post('/v1/memories/search', { q: 'x' })],
    ['GET /v1/memories/search', (a) => a.get('/v1/memories/search', { q: 'x' })],
    ['GET /v1/export', (a) => a.get('/v1/export')],
    ['POST /v1/import', (a) => a.post('/v1/import', exportFile([importItem(t)]))],
    // A server without GET /v1/me answers 404 not_found before any key is looked at (OMP-ERR-011); that is
    // OMP-AUTH-010's finding, so the route is left out here.
    ...(t.run.meUnusable
      ? []
      : [['GET /v1/me', (a: Api) => a.get('/v1/me')] as [string, (api: Api) => Promise<Res>]]),
  ];
}

/** Expect 401 unauthorized on every protected endpoint for each way of presenting a key, and the memory untouched. */
async function all401(
  t: CheckContext,
  ways: ReadonlyArray<readonly [Api, string]>,
  wantChallenge: boolean,
): Promise<void> {
  const m = await t.create();
  const cases = ways.flatMap(([api, what]) =>
    protectedRequests(t, m.id).map((r) => [api, what, ...r] as const),
  );
  await t.each(
    cases,
    async ([api, what, name, send]) => {
      const res = await send(api);
      if (res.status !== 401)
        t.fail(`${what}: ${name} answered ${res.describe()}, want 401 unauthorized`, res);
      res.expectError(401, 'unauthorized');
      if (wantChallenge && !/^bearer\b/i.test(res.headers['www-authenticate'] ?? ''))
        t.fail(
          `${what}: ${name} 401 lacks WWW-Authenticate: Bearer (got ${JSON.stringify(res.headers['www-authenticate'] ?? null)})`,
          res,
        );
    },
    8,
  );
  const g = await t.api.getMemory(m.id);
  t.equal(withoutEmbedding(g), withoutEmbedding(m), 'the memory after unauthorised requests');
}

check(
  'OMP-AUTH-001',
  'MUST answer every endpoint but health without Authorization with 401 and WWW-Authenticate: Bearer',
  async (t) => {
    await all401(t, [[t.anon, 'no Authorization']], true);
  },
);

check('OMP-AUTH-002', 'MUST answer a malformed Authorization header with 401 unauthorized', async (t) => {
  const key = t.secret();
  const headers = [
    'Basic dXNlcjpwYXNz',
    `Token ${key}`,
    'Bearer',
    'Bearer ',
    `Bearer ${key} ${key}`,
    `Bearer  ${key}x`,
    key,
    `Bearer${key}`,
  ];
  await all401(
    t,
    headers.map((h) => [t.withAuthorization(h), `Authorization "${h.replace(key, '<token-a>')}"`] as const),
    false,
  );
});

check('OMP-AUTH-003', 'MUST answer an unknown key with 401 unauthorized', async (t) => {
  await all401(
    t,
    [
      [
        t.withAuthorization(`Bearer omp-conformance-unknown-${t.run.runId}-0123456789abcdef`),
        'an unknown key',
      ],
    ],
    false,
  );
});

check('OMP-AUTH-004', 'MUST accept the Bearer scheme name in any letter case', async (t) => {
  const key = t.secret();
  for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
    const api = t.withAuthorization(`${scheme} ${key}`);
    const res = await api.get(t.run.meUnusable ? '/v1/memories' : '/v1/me');
    if (res.status !== 200) t.fail(`scheme "${scheme}": ${res.describe()}`, res);
    const c = await api.post('/v1/memories', t.body());
    if (c.status !== 201) t.fail(`scheme "${scheme}" on create: ${c.describe()}`, c);
  }
});

check('OMP-AUTH-005', 'MUST NOT accept a key in the query string or the body', async (t) => {
  const key = t.secret();
  // Only acceptance is this requirement's; how the refusal is worded is OMP-AUTH-001's.
  await t.each(['api_key', 'key', 'token', 'access_token'], async (p) => {
    const res = await t.anon.req('GET', `/v1/memories?${p}=${encodeURIComponent(key)}`);
    if (res.status < 400) t.fail(`?${p}=<key> without a header was accepted: ${res.status}`, res);
  });
  const res = await t.anon.post('/v1/memories', { ...t.body(), api_key: key });
  if (res.status < 400) t.fail('a key in the body was accepted', res);
});

check('OMP-AUTH-006', 'MUST let a global key use every Core endpoint on its memories', async (t) => {
  const token = uniqueToken(t);
  const m = await t.create({ content: `global ${token}` });
  // Only a refusal of the key (401/403) is this requirement's; how each endpoint answers otherwise is judged by
  // that endpoint's own checks.
  const uses: Array<[string, () => Promise<Res>]> = [
    ['get', () => t.api.get(memPath(m.id))],
    ['update', () => t.api.put(memPath(m.id), { content: `global updated ${token}` })],
    ['list', () => t.api.get('/v1/memories', { tags: t.tag })],
    ['search', () => t.api.post('/v1/memories/search', { q: token })],
    ['export', () => t.api.get('/v1/export')],
    ['import', () => t.api.post('/v1/import', exportFile([importItem(t)]))],
    ['delete', () => t.api.del(memPath(m.id))],
  ];
  for (const [what, send] of uses) {
    const res = await send();
    if (res.status === 401 || res.status === 403)
      t.fail(`${what}: the global key was refused: ${res.describe()}`, res);
  }
  t.forget(m.id);
});

check(
  'OMP-AUTH-010',
  'MUST describe a global key on GET /v1/me: tool null, scopes read+write, read_scope all',
  async (t) => {
    const res = await t.api.get('/v1/me');
    const p = res.expect<Principal>(200, 'principal');
    t.expectShape('principal', res);
    if (p.tool !== null) t.fail(`tool is ${JSON.stringify(p.tool)}, want null`, res);
    if (![...p.scopes].sort().join(',').includes('read,write'))
      t.fail(`scopes ${JSON.stringify(p.scopes)}, want read and write`, res);
    if (p.read_scope !== 'all') t.fail(`read_scope ${p.read_scope}, want all`, res);
  },
);

// ---- Full: per-tool keys.

/** A memory written by another tool than the key's (created with the global key). */
async function otherToolMemory(
  t: CheckContext,
  keyTool: string,
  extra: Record<string, unknown> = {},
): Promise<Memory> {
  return t.create({ source: { tool: `${keyTool}-other` }, ...extra });
}

check(
  'OMP-AUTH-011',
  "MUST reject with 403 a create by a per-tool key whose source.tool is not the key's tool, storing nothing",
  async (t) => {
    const { api, key } = t.toolKey({ scopes: 'write' });
    const res = await api.post('/v1/memories', t.body({ source: { tool: `${key.name}-other` } }));
    res.expectError(403, 'forbidden');
    await expectNothingStored(t);
    const ok = await api.post('/v1/memories', t.body({ source: { tool: key.name } }));
    ok.expect(201, 'memory');
  },
  { needs: [{ kind: 'tool-key', scopes: 'write' }] },
);

check(
  'OMP-AUTH-012',
  "MUST reject with 403 an update or delete by a per-tool key of another tool's visible memory, unchanged",
  async (t) => {
    const { api, key } = t.toolKey({ scopes: 'read-write', readScope: 'all' });
    const m = await otherToolMemory(t, key.name);
    (await api.put(memPath(m.id), { content: 'rewritten by another tool' })).expectError(403, 'forbidden');
    (await api.del(memPath(m.id))).expectError(403, 'forbidden');
    t.equal(
      withoutEmbedding(await t.api.getMemory(m.id)),
      withoutEmbedding(m),
      'the memory after forbidden writes',
    );
    const own = await api.create(t.body({ source: { tool: key.name } }));
    (await api.put(memPath(own.id), { content: 'own memory, own tool' })).expect(200, 'memory');
  },
  { needs: [{ kind: 'tool-key', scopes: 'read-write', readScope: 'all' }] },
);

check(
  'OMP-AUTH-013',
  'MUST reject with 403 a create, update, delete or import by a key without the write scope',
  async (t) => {
    const { api, key } = t.toolKey({ scopes: 'read-only' });
    const m = await t.create({ source: { tool: key.name } });
    (await api.post('/v1/memories', t.body({ source: { tool: key.name } }))).expectError(403, 'forbidden');
    (await api.put(memPath(m.id), { content: 'no write scope' })).expectError(403, 'forbidden');
    (await api.del(memPath(m.id))).expectError(403, 'forbidden');
    const item = importItem(t, { source: { tool: key.name, timestamp: '2026-01-01T00:00:00Z' } });
    (await api.post('/v1/import', exportFile([item]))).expectError(403, 'forbidden');
    t.equal(
      withoutEmbedding(await t.api.getMemory(m.id)),
      withoutEmbedding(m),
      'the memory after forbidden writes',
    );
    if ((await t.api.get(memPath(item.id as string))).status !== 404)
      t.fail('the forbidden import stored its item');
  },
  { needs: [{ kind: 'tool-key', scopes: 'read-only' }] },
);

check(
  'OMP-AUTH-014',
  'MUST reject with 403 a get, list, search or export by a key without the read scope',
  async (t) => {
    const { api, key } = t.toolKey({ scopes: 'write-only' });
    const m = await t.create({ source: { tool: key.name } });
    (await api.get(memPath(m.id))).expectError(403, 'forbidden');
    (await api.get('/v1/memories')).expectError(403, 'forbidden');
    (await api.post('/v1/memories/search', { q: 'x' })).expectError(403, 'forbidden');
    (await api.get('/v1/memories/search', { q: 'x' })).expectError(403, 'forbidden');
    (await api.get('/v1/export')).expectError(403, 'forbidden');
    (await api.get('/v1/me')).expect(200, 'principal');
  },
  { needs: [{ kind: 'tool-key', scopes: 'write-only' }] },
);

check(
  'OMP-AUTH-015',
  "MUST hide other tools' memories from a key with read scope own (404, absent from list/search/export/total)",
  async (t) => {
    const { api, key } = t.toolKey({ scopes: 'read', readScope: 'own' });
    const token = uniqueToken(t);
    const other = await otherToolMemory(t, key.name, { content: `hidden ${token}` });
    const own = await t.create({ source: { tool: key.name }, content: `visible ${token}` });
    (await api.get(memPath(other.id))).expectError(404, 'memory_not_found');
    (await api.get(memPath(own.id))).expect(200, 'memory');
    if (key.me.scopes.includes('write')) {
      (await api.put(memPath(other.id), { content: 'x' })).expectError(404, 'memory_not_found');
      (await api.del(memPath(other.id))).expectError(404, 'memory_not_found');
    }
    const { body, res } = await list(api, { tags: t.tag });
    t.equal(
      body.memories.map((m) => m.id),
      [own.id],
      'list with the own-scope key',
      res,
    );
    if (body.total !== 1) t.fail(`list total ${body.total} counts a hidden memory`, res);
    const { body: s, res: sres } = await search(api, { q: token });
    t.equal(
      s.memories.map((m) => m.id),
      [own.id],
      'search with the own-scope key',
      sres,
    );
    if (s.total !== 1) t.fail(`search total ${s.total} counts a hidden memory`, sres);
    const { body: e, res: eres } = await exportAll(api);
    if (e.memories.some((m) => m.source.tool !== key.name))
      t.fail("export with the own-scope key contains other tools' memories", eres);
  },
  { needs: [{ kind: 'tool-key', scopes: 'read', readScope: 'own' }] },
);

check(
  'OMP-AUTH-015.count',
  "MUST NOT count other tools' memories in memories_count for a key with read scope own",
  async (t) => {
    const { api, key } = t.toolKey({ scopes: 'read', readScope: 'own' });
    await otherToolMemory(t, key.name);
    await countsAgree(t, api);
  },
  { needs: [{ kind: 'tool-key', scopes: 'read', readScope: 'own' }], exclusive: true },
);

check(
  'OMP-AUTH-016',
  'MUST let a key with read scope all see every memory of its principal',
  async (t) => {
    const { api, key } = t.toolKey({ scopes: 'read', readScope: 'all' });
    const other = await otherToolMemory(t, key.name);
    (await api.get(memPath(other.id))).expect(200, 'memory');
    const { body, res } = await list(api, { tags: t.tag });
    if (!body.memories.some((m) => m.id === other.id))
      t.fail("list with a read-all key misses another tool's memory", res);
  },
  { needs: [{ kind: 'tool-key', scopes: 'read', readScope: 'all' }] },
);

check(
  'OMP-AUTH-017',
  "MUST report a per-tool key's tool, scopes and read scope on GET /v1/me",
  async (t) => {
    for (const k of t.run.toolKeys) {
      const res = await t.apiFor(k.key).get('/v1/me');
      const p = res.expect<Principal>(200, 'principal');
      if (p.tool !== k.name)
        t.fail(`the key given for tool ${k.name} reports tool ${JSON.stringify(p.tool)}`, res);
      if (!p.scopes.length) t.fail('a per-tool key reports no scope', res);
    }
  },
  { needs: [{ kind: 'tool-key' }] },
);

check(
  'OMP-AUTH-018',
  'MUST report import items of another tool as per-item forbidden errors with a per-tool key, storing none',
  async (t) => {
    const { api, key } = t.toolKey({ scopes: 'write' });
    const mineItem = importItem(t, { source: { tool: key.name, timestamp: '2026-01-01T00:00:00Z' } });
    const foreign = importItem(t, {
      source: { tool: `${key.name}-other`, timestamp: '2026-01-01T00:00:00Z' },
    });
    const res = await api.post('/v1/import', exportFile([mineItem, foreign]));
    const r = res.expect<ImportResult>(200, 'import-result');
    if (r.imported !== 1) t.fail(`imported ${r.imported}; want 1 (the key's own tool)`, res);
    const e = r.errors.find((x) => x.index === 1);
    if (e?.error !== 'forbidden')
      t.fail(`the foreign item is not reported as forbidden: ${JSON.stringify(r.errors)}`, res);
    if ((await t.api.get(memPath(foreign.id as string))).status !== 404)
      t.fail('the foreign item was stored');
  },
  { needs: [{ kind: 'tool-key', scopes: 'write' }] },
);

// ---- Full: multi-user isolation.

check(
  'OMP-AUTH-020',
  "MUST answer get, update and delete of another principal's memory with 404, unchanged",
  async (t) => {
    const m = await t.create();
    const b = t.apiB;
    (await b.get(memPath(m.id))).expectError(404, 'memory_not_found');
    (await b.put(memPath(m.id), { content: 'written by another principal' })).expectError(
      404,
      'memory_not_found',
    );
    (await b.del(memPath(m.id))).expectError(404, 'memory_not_found');
    t.equal(
      withoutEmbedding(await t.api.getMemory(m.id)),
      withoutEmbedding(m),
      'the memory after the other principal tried',
    );
  },
  { needs: [{ kind: 'second-principal' }] },
);

check(
  'OMP-AUTH-021',
  "MUST NOT show another principal's memories in list, search, export or their totals",
  async (t) => {
    const token = uniqueToken(t);
    const m = await t.create({ content: `principal a only ${token}` });
    const b = t.apiB;
    const { body, res } = await list(b, { tags: t.tag });
    if (body.total !== 0 || body.memories.length) t.fail("list by B shows A's memory", res);
    const { body: s, res: sres } = await search(b, { q: token });
    if (s.total !== 0 || s.memories.length) t.fail("search by B finds A's memory", sres);
    const { body: e, res: eres } = await exportAll(b);
    if (e.memories.some((x) => x.id === m.id)) t.fail("export by B contains A's memory", eres);
  },
  { needs: [{ kind: 'second-principal' }] },
);

check(
  'OMP-AUTH-021.count',
  "MUST NOT count another principal's memories in memories_count",
  async (t) => {
    const b = t.apiB;
    const before = (await b.get('/v1/health')).expect<Health>(200, 'health').memories_count;
    await t.create();
    const after = await countsAgree(t, b);
    if (after !== before)
      t.fail(`B's memories_count moved from ${before} to ${after} when A created a memory`);
  },
  { needs: [{ kind: 'second-principal' }], exclusive: true },
);

check(
  'OMP-AUTH-022',
  "MUST store an imported item whose id only another principal holds as new, leaving the other's memory",
  async (t) => {
    const m = await t.create({ content: 'held by principal a' });
    const b = t.apiB;
    const item = importItem(t, { id: m.id, content: 'imported by principal b' });
    const res = await b.post('/v1/import', exportFile([item]));
    const r = res.expect<ImportResult>(200, 'import-result');
    if (r.imported !== 1 || r.skipped !== 0)
      t.fail(`B imported ${r.imported}, skipped ${r.skipped}; want a plain import`, res);
    const gb = (await b.get(memPath(m.id))).expect<Memory>(200, 'memory');
    if (gb.content !== 'imported by principal b') t.fail('B does not see its imported item under the id');
    t.equal(
      withoutEmbedding(await t.api.getMemory(m.id)),
      withoutEmbedding(m),
      "A's memory after B's import",
    );
  },
  { needs: [{ kind: 'second-principal' }] },
);

check(
  'OMP-AUTH-023',
  'MUST report one principal for all keys of a user on GET /v1/me and different ones for different users',
  async (t) => {
    const a = (await t.api.get('/v1/me')).expect<Principal>(200, 'principal');
    const bres = await t.apiB.get('/v1/me');
    const b = bres.expect<Principal>(200, 'principal');
    if (a.principal === b.principal) t.fail('two principals report the same principal', bres);
    for (const k of t.run.toolKeys) {
      const res = await t.apiFor(k.key).get('/v1/me');
      const p = res.expect<Principal>(200, 'principal');
      if (p.principal !== a.principal)
        t.fail(`tool key ${k.name} reports principal ${p.principal}, the global key ${a.principal}`, res);
    }
  },
  { needs: [{ kind: 'second-principal' }] },
);
