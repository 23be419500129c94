/** Create, get, update, delete; identifiers (SPEC §3.2, §5). */
import { check } from '../core/registry.ts';
import type { Memory } from '../core/wire.ts';
import { deriveCases } from '../negative/derive.ts';
import {
  createTimed,
  deleteMemory,
  expect422,
  expectNothingStored,
  exportAll,
  list,
  memPath,
  randomId,
  search,
  serverTimeIn,
  uniqueToken,
  withoutEmbedding,
} from './helpers.ts';

check('OMP-CRUD-001', 'MUST answer a valid create with 201 and the stored memory', async (t) => {
  // The full body, and the smallest valid one (no source.timestamp, tags, namespace, expires_at or metadata).
  const bodies = [t.body(), { content: `minimal ${t.tag}`, type: 'episodic', source: { tool: t.run.tool } }];
  await t.each(bodies, async (b) => {
    const res = await t.api.post('/v1/memories', b);
    const m = res.expect<Memory>(201, 'memory');
    if (!m || typeof m !== 'object' || m.content !== b.content)
      t.fail(`the 201 body is not the stored memory`, res);
  });
});

check(
  'OMP-CRUD-001.boundaries',
  'MUST accept every create body the schema accepts at its bounds (maxLength, maxItems, maxProperties, …)',
  async (t) => {
    const base = t.body({ expires_at: '2099-12-31T23:59:59Z', metadata: { k: 1 } });
    const cases = deriveCases('create-request', base).filter((c) => c.valid);
    const searchLevel = t.run.declared.has('search');
    await t.each(
      cases.filter((c) => !(searchLevel && c.path === '/embedding')),
      async (c) => {
        const res = await t.api.post('/v1/memories', c.body);
        if (res.status !== 201) t.fail(`${c.label}: a valid body was refused: ${res.describe()}`, res);
        res.expectBody('memory');
      },
    );
  },
);

check('OMP-CRUD-002', 'MUST echo every member the client wrote, with the value it wrote', async (t) => {
  const body = t.body({
    content: 'Deploys of myapp go through `make release` — ünïcödé ✓ 😀',
    type: 'procedural',
    source: { tool: 'cursor', session_id: 'cur_7781', user_id: 'u-42', timestamp: '2026-11-20T09:30:00Z' },
    tags: t.tags('deploy', 'a:b_c-d'),
    expires_at: '2099-11-20T00:00:00Z',
    metadata: { confidence: 0.8, nested: { list: [1, 'two', null, true] }, empty: {} },
  });
  const res = await t.api.post('/v1/memories', body);
  const m = res.expect<Memory>(201, 'memory');
  for (const k of ['content', 'type', 'tags', 'namespace', 'expires_at', 'metadata', 'source'] as const)
    t.equal(m[k], body[k], `member ${k}`, res);
});

check('OMP-CRUD-003', 'SHOULD send Location: /v1/memories/{id} on create', async (t) => {
  const res = await t.api.post('/v1/memories', t.body());
  const m = res.expect<Memory>(201, 'memory');
  const loc = res.headers.location;
  if (!loc) return t.fail('no Location header', res);
  if (!loc.endsWith(`/v1/memories/${m.id}`))
    t.fail(`Location is "${loc}", want a path ending /v1/memories/${m.id}`, res);
});

check(
  'OMP-CRUD-004',
  'MUST reject with 422 validation_error every create body the schema rejects, and store nothing',
  async (t) => {
    const base = t.body({ expires_at: '2099-12-31T23:59:59Z', metadata: { k: 1 } });
    const cases = deriveCases('create-request', base).filter((c) => !c.valid);
    await t.each(cases, async (c) => {
      const res = await t.api.post('/v1/memories', c.body);
      if (res.status !== 422) t.fail(`${c.label}: expected 422 validation_error, got ${res.describe()}`, res);
      res.expectError(422, 'validation_error');
    });
    await expectNothingStored(t);
    t.note(`${cases.length} schema-derived invalid bodies`);
  },
);

check('OMP-CRUD-005', 'MUST return a created memory from get, list, search and export at once', async (t) => {
  const token = uniqueToken(t);
  const m = await t.create({ content: `read your writes ${token}` });
  const g = await t.api.get(memPath(m.id));
  g.expect(200, 'memory');
  const { body: l, res: lres } = await list(t.api, { tags: t.tag });
  if (!l.memories.some((x) => x.id === m.id)) t.fail('list does not contain the new memory', lres);
  const { body: s, res: sres } = await search(t.api, { q: token });
  if (!s.memories.some((x) => x.id === m.id)) t.fail('search does not find the new memory', sres);
  const { body: e, res: eres } = await exportAll(t.api);
  if (!e.memories.some((x) => x.id === m.id)) t.fail('export does not contain the new memory', eres);
});

check('OMP-CRUD-006', 'MUST answer get with 200 and the memory as last written', async (t) => {
  const m = await t.create({ metadata: { a: [1, 2, { b: 'c' }] } });
  const res = await t.api.get(memPath(m.id));
  t.equal(
    withoutEmbedding(res.expect<Memory>(200, 'memory')),
    withoutEmbedding(m),
    'get vs create response',
    res,
  );
  const u = (await t.api.put(memPath(m.id), { content: 'changed by the conformance run' })).setUp<Memory>(
    'OMP-CRUD-010',
    'memory',
  );
  const res2 = await t.api.get(memPath(m.id));
  t.equal(
    withoutEmbedding(res2.expect<Memory>(200, 'memory')),
    withoutEmbedding(u),
    'get vs update response',
    res2,
  );
});

check('OMP-CRUD-007', 'MUST answer get of an unknown id with 404 memory_not_found', async (t) => {
  (await t.api.get(memPath(randomId()))).expectError(404, 'memory_not_found');
});

check('OMP-CRUD-010', 'MUST answer a valid update with 200 and the whole memory as stored', async (t) => {
  const m = await t.create();
  const res = await t.api.put(memPath(m.id), { content: 'updated content', type: 'episodic' });
  const u = res.expect<Memory>(200, 'memory');
  if (u.content !== 'updated content' || u.type !== 'episodic')
    t.fail('the update response does not show the update', res);
  const g = (await t.api.get(memPath(m.id))).expect<Memory>(200, 'memory');
  t.equal(withoutEmbedding(u), withoutEmbedding(g), 'update response vs stored memory', res);
});

check('OMP-CRUD-011', 'MUST leave every member absent from an update body unchanged', async (t) => {
  const m = await t.create({
    type: 'procedural',
    source: { tool: 'omp-conformance', session_id: 's1', user_id: 'u1', timestamp: '2026-01-01T00:00:00Z' },
    tags: t.tags('keep'),
    expires_at: '2099-01-01T00:00:00Z',
    metadata: { keep: true },
  });
  const updates: Array<Record<string, unknown>> = [
    { content: 'only content changes' },
    { type: 'episodic' },
    { tags: t.tags('x') },
  ];
  let prev = m;
  for (const u of updates) {
    const res = await t.api.put(memPath(m.id), u);
    const after = res.expect<Memory>(200, 'memory');
    for (const k of [
      'content',
      'type',
      'source',
      'tags',
      'namespace',
      'expires_at',
      'metadata',
      'created_at',
      'id',
    ] as const) {
      if (k in u) continue;
      t.equal(after[k], prev[k], `after PUT ${JSON.stringify(u)}, member ${k}`, res);
    }
    prev = after;
  }
});

check(
  'OMP-CRUD-012',
  'MUST clear namespace, expires_at and embedding set to null by an update',
  async (t) => {
    let m: Memory;
    const withEmbedding = await t.api.post(
      '/v1/memories',
      t.body({ expires_at: '2099-01-01T00:00:00Z', embedding: [0.1, 0.2, 0.3] }),
    );
    if (withEmbedding.status === 201) m = withEmbedding.expect<Memory>(201, 'memory');
    else {
      t.note(`a 3-dimension embedding was refused (${withEmbedding.status}); clearing embedding not tested`);
      m = await t.create({ expires_at: '2099-01-01T00:00:00Z' });
    }
    if (m.namespace !== t.ns || m.expires_at === null)
      t.fail(
        'the memory was not stored with the namespace and expires_at sent, so clearing them cannot be observed',
        withEmbedding,
      );
    const res = await t.api.put(memPath(m.id), { namespace: null, expires_at: null });
    const u = res.expect<Memory>(200, 'memory');
    if (u.namespace !== null)
      t.fail(`namespace is ${JSON.stringify(u.namespace)} after null, want null`, res);
    if (u.expires_at !== null)
      t.fail(`expires_at is ${JSON.stringify(u.expires_at)} after null, want null`, res);
    if (withEmbedding.status === 201 && !t.run.declared.has('search')) {
      const r2 = await t.api.put(memPath(m.id), { embedding: null });
      r2.expect(200, 'memory');
      const g = await t.api.get(memPath(m.id));
      const gm = g.expect<Memory>(200, 'memory');
      if (gm.embedding !== undefined) t.fail('embedding still returned after it was set to null', g);
    }
  },
);

check('OMP-CRUD-013', 'MUST replace tags and metadata whole on update (no merge)', async (t) => {
  const m = await t.create({ tags: t.tags('old1', 'old2'), metadata: { a: 1, b: 2 } });
  const res = await t.api.put(memPath(m.id), { tags: t.tags('new1'), metadata: { c: 3 } });
  const u = res.expect<Memory>(200, 'memory');
  t.equal(u.tags, t.tags('new1'), 'tags after replacement', res);
  t.equal(u.metadata, { c: 3 }, 'metadata after replacement', res);
  const g = await t.api.get(memPath(m.id));
  const gm = g.expect<Memory>(200, 'memory');
  t.equal(gm.tags, t.tags('new1'), 'stored tags', g);
  t.equal(gm.metadata, { c: 3 }, 'stored metadata', g);
});

check('OMP-CRUD-014', 'MUST reject null content, type, tags or metadata in an update with 422', async (t) => {
  const m = await t.create();
  await t.each(['content', 'type', 'tags', 'metadata'], async (k) => {
    const res = await t.api.put(memPath(m.id), { [k]: null });
    expect422(t, res, `PUT {"${k}": null}`);
  });
  const g = (await t.api.get(memPath(m.id))).expect<Memory>(200, 'memory');
  t.equal(withoutEmbedding(g), withoutEmbedding(m), 'memory after rejected updates');
});

check('OMP-CRUD-015', 'MUST reject an empty update body with 422', async (t) => {
  const m = await t.create();
  expect422(t, await t.api.put(memPath(m.id), {}), 'PUT {}');
});

check('OMP-CRUD-016', 'MUST answer an update of an unknown id with 404 memory_not_found', async (t) => {
  (await t.api.put(memPath(randomId()), { content: 'x' })).expectError(404, 'memory_not_found');
});

check(
  'OMP-CRUD-017',
  'MUST reject id, source, created_at or updated_at in an update with 422, unchanged',
  async (t) => {
    const m = await t.create();
    const bodies: Array<Record<string, unknown>> = [
      { id: randomId() },
      { id: m.id, content: 'x' },
      { source: { tool: 'other' } },
      { created_at: '2020-01-01T00:00:00.000Z' },
      { updated_at: '2020-01-01T00:00:00.000Z' },
    ];
    await t.each(bodies, async (b) =>
      expect422(t, await t.api.put(memPath(m.id), b), `PUT ${JSON.stringify(b)}`),
    );
    const g = (await t.api.get(memPath(m.id))).expect<Memory>(200, 'memory');
    t.equal(withoutEmbedding(g), withoutEmbedding(m), 'memory after rejected updates');
  },
);

check('OMP-CRUD-018', 'MUST return the updated memory from get after an update', async (t) => {
  const m = await t.create();
  await t.api.put(memPath(m.id), { content: 'new content after update', tags: t.tags('after') });
  const res = await t.api.get(memPath(m.id));
  const g = res.expect<Memory>(200, 'memory');
  if (g.content !== 'new content after update')
    t.fail(`get returns content ${JSON.stringify(g.content)}`, res);
  t.equal(g.tags, t.tags('after'), 'tags after update', res);
});

check('OMP-CRUD-019', 'MUST answer delete of a visible memory with 204 and an empty body', async (t) => {
  const m = await t.create();
  (await t.api.del(memPath(m.id))).expectNoContent();
  t.forget(m.id);
});

check(
  'OMP-CRUD-020',
  'MUST make a deleted memory gone: 404 on get/update/delete, absent from list/search/export',
  async (t) => {
    const token = uniqueToken(t);
    const m = await t.create({ content: `to be deleted ${token}` });
    await deleteMemory(t, m.id);
    (await t.api.get(memPath(m.id))).expectError(404, 'memory_not_found');
    (await t.api.put(memPath(m.id), { content: 'resurrect' })).expectError(404, 'memory_not_found');
    (await t.api.del(memPath(m.id))).expectError(404, 'memory_not_found');
    const { body: l, res: lres } = await list(t.api, { tags: t.tag });
    if (l.memories.some((x) => x.id === m.id)) t.fail('list still contains the deleted memory', lres);
    const { body: s, res: sres } = await search(t.api, { q: token });
    if (s.memories.some((x) => x.id === m.id)) t.fail('search still finds the deleted memory', sres);
    const { body: e, res: eres } = await exportAll(t.api);
    if (e.memories.some((x) => x.id === m.id)) t.fail('export still contains the deleted memory', eres);
  },
);

check('OMP-CRUD-021', 'MUST answer delete of an unknown id with 404 memory_not_found', async (t) => {
  (await t.api.del(memPath(randomId()))).expectError(404, 'memory_not_found');
});

check('OMP-ID-001', 'MUST assign ids matching ^mem_[a-z0-9]{16}$', async (t) => {
  const res = await t.api.post('/v1/memories', t.body());
  const m = res.expect<Memory>(201);
  if (typeof m.id !== 'string' || !/^mem_[a-z0-9]{16}$/.test(m.id))
    t.fail(`id ${JSON.stringify(m.id)} does not match the pattern`, res);
});

check('OMP-ID-002', 'MUST assign distinct ids to distinct memories (10 concurrent creates)', async (t) => {
  const ms = await Promise.all(Array.from({ length: 10 }, () => t.create()));
  const unique = new Set(ms.map((m) => m.id));
  if (unique.size !== ms.length) t.fail(`10 creates yielded ${unique.size} distinct ids`);
});

check(
  'OMP-ID-004',
  'MUST answer a path id not matching the id pattern with 404 memory_not_found',
  async (t) => {
    const bad = [
      'not-an-id',
      'mem_short',
      'mem_0123456789abcdefg',
      'mem_0123456789ABCDEF',
      '%F0%9F%98%80',
      'mem_01234567%2089abcd',
    ];
    await t.each(bad, async (id) => {
      const path = `/v1/memories/${id}`;
      (await t.api.get(path)).expectError(404, 'memory_not_found');
      (await t.api.put(path, { content: 'x' })).expectError(404, 'memory_not_found');
      (await t.api.del(path)).expectError(404, 'memory_not_found');
    });
  },
);

check('OMP-ID-005', 'MUST compare ids exactly (an upper-cased id does not match)', async (t) => {
  const m = await t.create();
  const upper = `mem_${m.id.slice(4).toUpperCase()}`;
  if (upper === m.id) {
    t.note('the id has no letters to upper-case; compared with a changed last character instead');
  }
  const res = await t.api.get(
    `/v1/memories/${upper === m.id ? `${m.id.slice(0, -1)}${m.id.endsWith('a') ? 'b' : 'a'}` : upper}`,
  );
  res.expectError(404, 'memory_not_found');
});

check('OMP-TIME-004', 'MUST set created_at on create and never change it', async (t) => {
  const m = await t.create();
  for (const u of [{ content: 'first change' }, { tags: t.tags('second') }, { metadata: { third: 3 } }]) {
    const res = await t.api.put(memPath(m.id), u);
    const after = res.setUp<Memory>('OMP-CRUD-010', 'memory');
    if (after.created_at !== m.created_at)
      t.fail(`created_at changed from ${m.created_at} to ${after.created_at} on update`, res);
  }
  const g = await t.api.get(memPath(m.id));
  const gm = g.expect<Memory>(200, 'memory');
  if (gm.created_at !== m.created_at)
    t.fail(`stored created_at changed from ${m.created_at} to ${gm.created_at}`, g);
});

check(
  'OMP-TIME-005',
  'MUST move updated_at strictly forward on every update, even within one millisecond',
  async (t) => {
    const m = await t.create();
    let prev = m.updated_at;
    // Every kind of update moves it, in quick succession: content, then each other member alone.
    const updates: Array<Record<string, unknown>> = [
      { content: 'rapid update 1' },
      { content: 'rapid update 2' },
      { tags: t.tags('bumped') },
      { type: 'episodic' },
      { metadata: { bumped: true } },
      { namespace: `${t.ns}-b` },
      { expires_at: '2099-01-01T00:00:00Z' },
    ];
    for (const [i, body] of updates.entries()) {
      const res = await t.api.put(memPath(m.id), body);
      const u = res.setUp<Memory>('OMP-CRUD-010', 'memory');
      if (!(Date.parse(u.updated_at) > Date.parse(prev)))
        t.fail(
          `updated_at went from ${prev} to ${u.updated_at} on update ${i + 1} (${Object.keys(body).join(', ')}); want strictly later`,
          res,
        );
      prev = u.updated_at;
    }
  },
);

check('OMP-TIME-006', 'MUST give a new memory updated_at equal to created_at', async (t) => {
  const res = await t.api.post('/v1/memories', t.body());
  const m = res.expect<Memory>(201, 'memory');
  if (m.updated_at !== m.created_at) t.fail(`created_at ${m.created_at} ≠ updated_at ${m.updated_at}`, res);
});

check(
  'OMP-TIME-002',
  'MUST write server-generated timestamps with exactly three fractional digits',
  async (t) => {
    let res = await t.api.post('/v1/memories', t.body({ source: { tool: 'omp-conformance' } }));
    const defaulted = res.status === 201;
    // A server that refuses a create without source.timestamp breaks OMP-MEM-011 and OMP-CRUD-001, not this.
    if (!defaulted) {
      t.note(
        `a create without source.timestamp was refused (${res.status}); the defaulted timestamp is not judged`,
      );
      res = await t.api.post('/v1/memories', t.body());
    }
    const m = res.expect<Memory>(201, 'memory');
    const form = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    const stamps: Array<[string, unknown]> = [
      ['created_at', m.created_at],
      ['updated_at', m.updated_at],
    ];
    if (defaulted) stamps.push(['defaulted source.timestamp', m.source?.timestamp]);
    for (const [k, v] of stamps)
      if (typeof v !== 'string' || !form.test(v))
        t.fail(`${k} ${JSON.stringify(v)} is not in the form YYYY-MM-DDTHH:MM:SS.sssZ`, res);
    const u = await t.api.put(memPath(m.id), { content: 'bump' });
    const um = u.setUp<Memory>('OMP-CRUD-010', 'memory');
    if (!form.test(um.updated_at))
      t.fail(`updated_at ${um.updated_at} after update is not in the server form`, u);
    const { body: e, res: eres } = await exportAll(t.api);
    if (!form.test(e.exported_at)) t.fail(`exported_at ${e.exported_at} is not in the server form`, eres);
  },
);

check('OMP-TIME-003', 'MUST return client-supplied timestamps character for character', async (t) => {
  const ts = '2026-06-29T12:00:00Z';
  const exp = '2099-01-01T00:00:00.123456789Z';
  const res = await t.api.post(
    '/v1/memories',
    t.body({ source: { tool: 'omp-conformance', timestamp: ts }, expires_at: exp }),
  );
  const m = res.expect<Memory>(201, 'memory');
  if (m.source.timestamp !== ts) t.fail(`source.timestamp ${m.source.timestamp} ≠ written ${ts}`, res);
  if (m.expires_at !== exp) t.fail(`expires_at ${m.expires_at} ≠ written ${exp}`, res);
  const g = await t.api.get(memPath(m.id));
  const gm = g.expect<Memory>(200, 'memory');
  if (gm.source.timestamp !== ts || gm.expires_at !== exp)
    t.fail('get does not return the timestamps as written', g);
  const { body: l, res: lres } = await list(t.api, { tags: t.tag });
  const lm = l.memories.find((x) => x.id === m.id);
  if (!lm || lm.source.timestamp !== ts || lm.expires_at !== exp)
    t.fail('list does not return the timestamps as written', lres);
});

check(
  'OMP-TIME-001',
  'MUST reject timestamps not in the UTC form (offsets, impossible dates, no Z) with 422',
  async (t) => {
    const bad = [
      '2099-11-23T10:00:00+02:00',
      '2099-11-23T10:00:00+00:00',
      '2099-02-30T00:00:00Z',
      '2099-11-23 10:00:00Z',
      '2099-11-23T10:00:00z',
      '2099-11-23T10:00:00',
      '2099-11-23',
      '2099-11-23T25:00:00Z',
      '2099-11-23T10:00:00.1234567890Z',
    ];
    await t.each(bad, async (v) => {
      expect422(t, await t.api.post('/v1/memories', t.body({ expires_at: v })), `expires_at ${v}`);
      expect422(
        t,
        await t.api.post(
          '/v1/memories',
          t.body({ source: { tool: 'omp-conformance', timestamp: v.replace('2099', '2026') } }),
        ),
        `source.timestamp ${v}`,
      );
    });
    await expectNothingStored(t);
  },
);

check('OMP-TIME-007', 'SHOULD set created_at within 60 s of the Date header', async (t) => {
  const res = await t.api.post('/v1/memories', t.body());
  const m = res.expect<Memory>(201, 'memory');
  const date = res.headers.date;
  if (!date) return t.fail('no Date header on the create response', res);
  const diff = Math.abs(Date.parse(m.created_at) - Date.parse(date));
  if (!(diff <= 61_000))
    t.fail(`created_at ${m.created_at} is ${Math.round(diff / 1000)} s from Date ${date}`, res);
});

check(
  'OMP-EXP-002',
  'MUST reject an expires_at not later than the server clock on create and update with 422',
  async (t) => {
    const m = await createTimed(t);
    const past = serverTimeIn(t, -60_000);
    expect422(
      t,
      await t.api.post('/v1/memories', t.body({ expires_at: past, tags: t.tags('past') })),
      `create with expires_at ${past}`,
    );
    expect422(t, await t.api.put(memPath(m.id), { expires_at: past }), `update with expires_at ${past}`);
    const { body, res } = await list(t.api, { tags: `${t.tag}` });
    if (body.memories.some((x) => x.tags.includes('past')))
      t.fail('a memory created with a past expires_at was stored', res);
  },
);
