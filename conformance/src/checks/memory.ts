/** The memory object's members (SPEC §3.1). */
import type { CheckContext } from '../core/harness.ts';
import { SETUP_TIMESTAMP } from '../core/omp-client.ts';
import { check } from '../core/registry.ts';
import type { Memory } from '../core/wire.ts';
import { expect422, expectNothingStored, exportAll, list, memPath, search, uniqueToken } from './helpers.ts';

/** Send each body to create; each must be a 422 validation_error; then nothing may be stored. */
async function rejectsAll(t: CheckContext, bodies: Array<[string, Record<string, unknown>]>): Promise<void> {
  await t.each(bodies, async ([label, body]) => expect422(t, await t.api.post('/v1/memories', body), label));
  await expectNothingStored(t);
}

check(
  'OMP-MEM-001',
  'MUST return memories valid against the schema memory from every endpoint',
  async (t) => {
    // Its own round through every endpoint (so it judges something when run alone)…
    const token = uniqueToken(t);
    const created = await t.api.post('/v1/memories', t.body({ content: `schema everywhere ${token}` }));
    const m = created.json as Memory | undefined;
    const seen = [created];
    if (created.status === 201 && typeof m?.id === 'string') {
      seen.push(await t.api.get(memPath(m.id)));
      seen.push(await t.api.put(memPath(m.id), { content: `schema everywhere updated ${token}` }));
    }
    for (const res of seen) if (res.status < 300 && res.isJson) res.expectBody('memory');
    await list(t.api, { tags: t.tag }).catch(() => undefined);
    await search(t.api, { q: token }).catch(() => undefined);
    await exportAll(t.api).catch(() => undefined);
    // …then every memory any check of the run read, each distinct fault once with the exchange that shows it.
    const shapes = t.run.shapes;
    for (const v of shapes.violations('memory'))
      t.failExchange(`a returned memory: ${v.message}`, v.exchange);
    t.note(
      `${shapes.seen.memory} memory bodies and the memories of ${shapes.seen['list-response']} list, ${shapes.seen['search-response']} search and ${shapes.seen['export-file']} export bodies watched`,
    );
  },
  { exclusive: true },
);

check(
  'OMP-MEM-002',
  'MUST reject empty, over-long (10,000 code points) or white-space content with 422',
  async (t) => {
    await rejectsAll(t, [
      ['empty content', t.body({ content: '' })],
      ['white-space content', t.body({ content: ' \t\n ' })],
      ['10,001 code points', t.body({ content: 'a'.repeat(10_001) })],
      ['10,001 emoji code points', t.body({ content: '😀'.repeat(10_001) })],
    ]);
    // Lengths count code points: 10,000 emoji (20,000 UTF-16 units) are valid.
    const res = await t.api.post(
      '/v1/memories',
      t.body({ content: '😀'.repeat(10_000), tags: t.tags('emoji') }),
    );
    if (res.status !== 201) t.fail(`10,000 emoji code points were refused: ${res.describe()}`, res);
  },
);

check(
  'OMP-MEM-003',
  'MUST store and return content exactly (no trimming, case change or normalisation)',
  async (t) => {
    const contents = [
      '  leading and trailing spaces  ',
      'MiXeD CaSe',
      'e\u0301 decomposed vs é composed',
      'line1\nline2\ttab',
      'zero\u200bwidth ﬁ ligature',
      'quote " and \\ backslash',
    ];
    await t.each(contents, async (c) => {
      const res = await t.api.post('/v1/memories', t.body({ content: c }));
      const m = res.expect<Memory>(201, 'memory');
      if (m.content !== c)
        t.fail(`content ${JSON.stringify(c)} came back as ${JSON.stringify(m.content)}`, res);
      const g = await t.api.get(memPath(m.id));
      if (g.expect<Memory>(200, 'memory').content !== c)
        t.fail(`stored content differs from ${JSON.stringify(c)}`, g);
    });
  },
);

check('OMP-MEM-004', 'MUST reject a type other than episodic, semantic or procedural with 422', async (t) => {
  await rejectsAll(t, [
    ['type Semantic', t.body({ type: 'Semantic' })],
    ['type fact', t.body({ type: 'fact' })],
    ['type empty', t.body({ type: '' })],
    ['type number', t.body({ type: 1 })],
  ]);
});

check(
  'OMP-MEM-005',
  'MUST reject malformed tags with 422 and never change the case of or normalise tags',
  async (t) => {
    await rejectsAll(t, [
      ['upper-case tag', t.body({ tags: [...t.tags(), 'Upper'] })],
      ['empty tag', t.body({ tags: [...t.tags(), ''] })],
      ['51-character tag', t.body({ tags: [...t.tags(), 'a'.repeat(51)] })],
      ['tag with a space', t.body({ tags: [...t.tags(), 'two words'] })],
      ['tag with a dot', t.body({ tags: [...t.tags(), 'a.b'] })],
      ['tag with é', t.body({ tags: [...t.tags(), 'café'] })],
      ['tag with trailing space', t.body({ namespace: `${t.ns}-x`, tags: [`${t.tag} `] })],
    ]);
    const odd = ['a'.repeat(50), 'x:y_z-0', '0'];
    const res = await t.api.post('/v1/memories', t.body({ tags: t.tags(...odd) }));
    if (res.status !== 201) t.fail(`valid tags at the bounds were refused: ${res.describe()}`, res);
  },
);

check(
  'OMP-MEM-019',
  'MUST NOT change the case of, trim or otherwise normalise tags and namespaces',
  async (t) => {
    const odd = ['a'.repeat(50), 'x:y_z-0', '0', '-', '__', 'a::b'];
    const ns = `${t.ns}:-_x::y`;
    const res = await t.api.post('/v1/memories', t.body({ tags: t.tags(...odd), namespace: ns }));
    const m = res.expect<Memory>(201, 'memory');
    t.equal(m.tags, t.tags(...odd), 'tags as written', res);
    t.equal(m.namespace, ns, 'namespace as written', res);
    const g = await t.api.get(memPath(m.id));
    const gm = g.expect<Memory>(200, 'memory');
    t.equal([gm.tags, gm.namespace], [t.tags(...odd), ns], 'stored tags and namespace', g);
    // Values a normalising server would "fix" must be refused, never stored in another form.
    const fixable: Array<[string, Record<string, unknown>]> = [
      ['an upper-case tag', t.body({ tags: [...t.tags(), 'Upper'] })],
      ['a padded tag', t.body({ tags: [...t.tags(), ' padded '] })],
      ['an upper-case namespace', t.body({ namespace: `${t.ns}:Upper` })],
    ];
    for (const [what, body] of fixable) {
      const r = await t.api.post('/v1/memories', body);
      if (r.status < 300) t.fail(`${what} was stored instead of refused: ${r.describe()}`, r);
    }
  },
);

check('OMP-MEM-006', 'MUST reject more than 20 tags or a repeated tag with 422', async (t) => {
  const many = Array.from({ length: 19 }, (_, i) => `t${i}`);
  await rejectsAll(t, [
    ['21 tags', t.body({ tags: [t.tag, ...many, 'extra'] })],
    ['a repeated tag', t.body({ tags: [...t.tags(), 'dup', 'dup'] })],
  ]);
  const res = await t.api.post('/v1/memories', t.body({ tags: [t.tag, ...many] }));
  if (res.status !== 201) t.fail(`20 tags were refused: ${res.describe()}`, res);
});

check('OMP-MEM-007', 'MUST return tags in the order written (create, get, list, export)', async (t) => {
  const tags = t.tags('zeta', 'alpha', 'mid', 'beta');
  const res = await t.api.post('/v1/memories', t.body({ tags }));
  const m = res.expect<Memory>(201, 'memory');
  t.equal(m.tags, tags, 'tags in the create response', res);
  const g = await t.api.get(memPath(m.id));
  t.equal(g.expect<Memory>(200, 'memory').tags, tags, 'tags from get', g);
  const { body, res: lres } = await list(t.api, { tags: t.tag });
  t.equal(body.memories.find((x) => x.id === m.id)?.tags, tags, 'tags from list', lres);
  const { body: e, res: eres } = await exportAll(t.api);
  t.equal(e.memories.find((x) => x.id === m.id)?.tags, tags, 'tags from export', eres);
});

check('OMP-MEM-008', 'MUST reject an empty, over-long or ill-formed namespace with 422', async (t) => {
  await rejectsAll(t, [
    ['empty namespace', t.body({ namespace: '' })],
    ['101-character namespace', t.body({ namespace: 'n'.repeat(101) })],
    ['upper-case namespace', t.body({ namespace: 'Project:X' })],
    ['namespace with a slash', t.body({ namespace: 'a/b' })],
    ['namespace with a space', t.body({ namespace: 'a b' })],
  ]);
  const ns = `${t.ns}-${'n'.repeat(100 - t.ns.length - 1)}`;
  const res = await t.api.post('/v1/memories', t.body({ namespace: ns }));
  const m = res.expect<Memory>(201, 'memory');
  if (m.namespace !== ns) t.fail('a 100-character namespace did not come back as written', res);
});

check(
  'OMP-MEM-009',
  'MUST default omitted tags, namespace, expires_at and metadata to [], null, null and {}',
  async (t) => {
    const res = await t.api.post('/v1/memories', {
      content: `defaults ${t.tag}`,
      type: 'semantic',
      source: { tool: t.run.tool, timestamp: SETUP_TIMESTAMP },
    });
    const m = res.expect<Memory>(201, 'memory');
    t.equal(m.tags, [], 'tags', res);
    t.equal(m.namespace, null, 'namespace', res);
    t.equal(m.expires_at, null, 'expires_at', res);
    t.equal(m.metadata, {}, 'metadata', res);
    const g = await t.api.get(memPath(m.id));
    const gm = g.expect<Memory>(200, 'memory');
    t.equal([gm.tags, gm.namespace, gm.expires_at, gm.metadata], [[], null, null, {}], 'stored defaults', g);
  },
);

check(
  'OMP-MEM-010',
  'MUST reject a source without tool, or with an ill-formed tool, session_id or user_id, with 422',
  async (t) => {
    const src = (s: Record<string, unknown>) => t.body({ source: s });
    await rejectsAll(t, [
      ['source without tool', src({ session_id: 's' })],
      ['empty tool', src({ tool: '' })],
      ['101-code-point tool', src({ tool: 'é'.repeat(101) })],
      ['tool with a control character', src({ tool: 'bad\u0001tool' })],
      ['tool with DEL', src({ tool: 'bad\u007ftool' })],
      ['empty session_id', src({ tool: 'x', session_id: '' })],
      ['256-code-point session_id', src({ tool: 'x', session_id: 's'.repeat(256) })],
      ['empty user_id', src({ tool: 'x', user_id: '' })],
      ['256-code-point user_id', src({ tool: 'x', user_id: 'u'.repeat(256) })],
      ['source not an object', src('claude' as never)],
    ]);
    const res = await t.api.post(
      '/v1/memories',
      src({
        tool: '🤖'.repeat(100),
        session_id: 's'.repeat(255),
        user_id: 'u'.repeat(255),
        timestamp: SETUP_TIMESTAMP,
      }),
    );
    if (res.status !== 201) t.fail(`a source at the length bounds was refused: ${res.describe()}`, res);
  },
);

check('OMP-MEM-011', 'MUST default source.timestamp to created_at', async (t) => {
  const res = await t.api.post('/v1/memories', t.body({ source: { tool: 'omp-conformance' } }));
  const m = res.expect<Memory>(201, 'memory');
  if (m.source.timestamp !== m.created_at)
    t.fail(`source.timestamp ${m.source.timestamp} ≠ created_at ${m.created_at}`, res);
});

check('OMP-MEM-012', 'MUST return every source member the client wrote, with its value', async (t) => {
  const source = {
    tool: 'Claude Desktop 1.2',
    session_id: 'sess_äbc 123',
    user_id: 'user@example.com',
    timestamp: '2026-06-29T12:00:00.5Z',
  };
  const res = await t.api.post('/v1/memories', t.body({ source }));
  t.equal(res.expect<Memory>(201, 'memory').source, source, 'source', res);
  const { body, res: lres } = await list(t.api, { tags: t.tag });
  t.equal(body.memories[0]?.source, source, 'source from list', lres);
});

check(
  'OMP-MEM-013',
  'MUST reject metadata that is not an object, has over 10 members or a bad member name, with 422',
  async (t) => {
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
    await rejectsAll(t, [
      ['metadata array', t.body({ metadata: [] })],
      ['metadata string', t.body({ metadata: 'x' })],
      ['metadata null', t.body({ metadata: null })],
      ['11 members', t.body({ metadata: eleven })],
      ['empty member name', t.body({ metadata: { '': 1 } })],
      ['65-code-point member name', t.body({ metadata: { ['é'.repeat(65)]: 1 } })],
    ]);
    const ok = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [i === 0 ? 'é'.repeat(64) : `k${i}`, i]),
    );
    const res = await t.api.post('/v1/memories', t.body({ metadata: ok }));
    if (res.status !== 201) t.fail(`metadata at the bounds was refused: ${res.describe()}`, res);
  },
);

check('OMP-MEM-014', 'MUST return metadata JSON-equal to what was written', async (t) => {
  const metadata = {
    float: 0.1,
    big: 12345678901234,
    neg: -3.5e-7,
    text: 'ünï 😀 "quoted"',
    nested: { deep: { deeper: [1, [2, [3]]] } },
    nil: null,
    yes: true,
    empty_obj: {},
    empty_arr: [],
  };
  const res = await t.api.post('/v1/memories', t.body({ metadata }));
  const m = res.expect<Memory>(201, 'memory');
  t.equal(m.metadata, metadata, 'metadata from create', res);
  const g = await t.api.get(memPath(m.id));
  t.equal(g.expect<Memory>(200, 'memory').metadata, metadata, 'metadata from get', g);
});

check(
  'OMP-MEM-015',
  'MUST reject an embedding that is not an array of 1 to 4,096 numbers with 422',
  async (t) => {
    await rejectsAll(t, [
      ['empty embedding', t.body({ embedding: [] })],
      ['4,097 numbers', t.body({ embedding: Array.from({ length: 4097 }, () => 0.5) })],
      ['a string item', t.body({ embedding: [0.1, 'x'] })],
      ['a null item', t.body({ embedding: [0.1, null] })],
      ['not an array', t.body({ embedding: 0.1 })],
    ]);
  },
);

check('OMP-MEM-016', 'MUST NOT include embedding in list or search results', async (t) => {
  const token = uniqueToken(t);
  const withEmb = await t.api.post(
    '/v1/memories',
    t.body({ content: `embedded ${token}`, embedding: [0.1, 0.2, 0.3] }),
  );
  if (withEmb.status !== 201) {
    t.note(
      `a 3-dimension embedding was refused (${withEmb.status}); testing a memory without a client embedding`,
    );
    await t.create({ content: `embedded ${token}` });
  }
  const { body, res } = await list(t.api, { tags: t.tag });
  if (body.memories.some((m) => 'embedding' in m)) t.fail('list memories carry embedding', res);
  const { body: s, res: sres } = await search(t.api, { q: token });
  if (!s.memories.length) t.fail('search did not find the memory', sres);
  if (s.memories.some((m) => 'embedding' in m)) t.fail('search memories carry embedding', sres);
});

check(
  'OMP-MEM-017',
  'MUST include tags, namespace, expires_at and metadata in every returned memory',
  async (t) => {
    const token = uniqueToken(t);
    const res = await t.api.post('/v1/memories', {
      content: `bare ${token}`,
      type: 'semantic',
      source: { tool: t.run.tool, timestamp: SETUP_TIMESTAMP },
    });
    const m = res.expect<Memory>(201, 'memory');
    const has = (x: Record<string, unknown>, where: string, r?: typeof res) => {
      for (const k of ['tags', 'namespace', 'expires_at', 'metadata'])
        if (!(k in x)) t.fail(`${where}: member ${k} is missing`, r);
    };
    has(m as unknown as Record<string, unknown>, 'create', res);
    const g = await t.api.get(memPath(m.id));
    has(g.expect<Record<string, unknown>>(200), 'get', g);
    const u = await t.api.put(memPath(m.id), { content: `bare updated ${token}` });
    has(u.setUp<Record<string, unknown>>('OMP-CRUD-010'), 'update', u);
    const { body: s, res: sres } = await search(t.api, { q: token });
    const sm = s.memories.find((x) => x.id === m.id);
    if (!sm) t.fail('search did not find the memory', sres);
    has(sm as unknown as Record<string, unknown>, 'search', sres);
    const { body: l, res: lres } = await list(t.api, { tags: t.tag, limit: 50 });
    for (const x of l.memories) has(x as unknown as Record<string, unknown>, 'list', lres);
    const { body: e, res: eres } = await exportAll(t.api);
    const em = e.memories.find((x) => x.id === m.id);
    if (em) has(em as unknown as Record<string, unknown>, 'export', eres);
  },
);

check('OMP-MEM-018', 'SHOULD return a client-supplied embedding unchanged from get and export', async (t) => {
  const embedding = [0.125, -0.5, 1, 0, 3.25e-5];
  const res = await t.api.post('/v1/memories', t.body({ embedding }));
  if (res.status === 422 && t.run.declared.has('search'))
    t.skip('not-applicable', 'the Search server refuses an embedding of foreign dimensions (OMP-EMB-002)');
  const m = res.expect<Memory>(201, 'memory');
  const g = await t.api.get(memPath(m.id));
  t.equal(g.expect<Memory>(200, 'memory').embedding, embedding, 'embedding from get', g);
  const { body, res: eres } = await exportAll(t.api);
  t.equal(body.memories.find((x) => x.id === m.id)?.embedding, embedding, 'embedding from export', eres);
});
