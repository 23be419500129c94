/** List: filters, totals, pagination, ordering, query validation (SPEC §5.2). */
import type { CheckContext } from '../core/harness.ts';
import type { Query } from '../core/omp-client.ts';
import { check } from '../core/registry.ts';
import type { Memory } from '../core/wire.ts';
import { expect422, idSet, ids, list, memPath } from './helpers.ts';

/** The shared read-only list fixture: 24 memories varied over type, tool, tags and namespace. */
export interface ListFixture {
  tag: string;
  ns: [string, string];
  tools: [string, string];
  memories: Memory[];
}

const TYPES = ['episodic', 'semantic', 'procedural'] as const;

/**
 * Build (once per run) the list fixture: 24 memories created concurrently (their order comes from the
 * created_at values the server gave, so no order of creation is assumed), four of them updated afterwards.
 * Every list check narrows by the fixture's tag, so the tag filter must isolate the fixture first: when it does
 * not, those checks are blocked by OMP-LIST-004, the check of that filter, instead of failing one by one.
 */
export function listFixture(t: CheckContext): Promise<ListFixture> {
  return t.fixture('list', async () => {
    const tag = `${t.run.tag}-lf`;
    const ns: [string, string] = [`${t.run.ns}:lf-a`, `${t.run.ns}:lf-b`];
    const tools: [string, string] = ['omp-conformance-tool-a', 'omp-conformance-tool-b'];
    const memories = await Promise.all(
      Array.from({ length: 24 }, (_, i) => {
        const tags = [t.run.tag, tag];
        if (i % 2 === 0) tags.push('lf-even');
        if (i % 3 === 0) tags.push('lf-three');
        return t.api.create({
          content: `list fixture ${i} ${tag}`,
          type: TYPES[i % 3],
          source: { tool: tools[i % 5 === 0 ? 1 : 0] },
          tags,
          namespace: ns[i % 4 === 0 ? 0 : 1],
        });
      }),
    );
    // Move updated_at of a few memories so the updated_at orders differ from the created_at orders.
    for (const i of [3, 17, 0, 11]) {
      const m = memories[i] as Memory;
      const res = await t.api.put(memPath(m.id), { metadata: { touched: i } });
      const u = res.json as Memory | undefined;
      if (res.status !== 200 || typeof u?.updated_at !== 'string')
        t.block('OMP-CRUD-010', `the list fixture could not update a memory: ${res.describe()}`, res);
      memories[i] = u;
    }
    return { tag, ns, tools, memories };
  });
}

/** The fixture, once its tag isolates it: blocked by OMP-LIST-004 when the tag filter does not. */
async function isolatedFixture(t: CheckContext): Promise<ListFixture> {
  const f = await listFixture(t);
  const probe = await t.fixture(
    'list-isolation',
    async () => {
      const res = await t.api.get('/v1/memories', { tags: f.tag, limit: 50 });
      const got = (res.json as { memories?: unknown } | undefined)?.memories;
      if (res.status !== 200 || !Array.isArray(got))
        return `GET /v1/memories?tags=<fixture tag> answered ${res.describe()}`;
      const want = idSet(f.memories);
      const listed = (got as Memory[]).map((m) => m?.id).sort();
      return JSON.stringify(listed) === JSON.stringify(want)
        ? null
        : `listing by the fixture's tag gave ${listed.length} memories, not exactly the fixture's ${want.length}`;
    },
    'OMP-LIST-001',
  );
  if (probe !== null && t.check.requirements[0] !== 'OMP-LIST-004')
    t.block('OMP-LIST-004', `the tag filter does not isolate the list fixture: ${probe}`);
  return f;
}

/**
 * The sorts the server accepts on the fixture (once per run). A sort it refuses is OMP-LIST-010's finding;
 * checks about slicing and paging judge the sorts it does serve.
 */
async function acceptedSorts(t: CheckContext, f: ListFixture): Promise<string[]> {
  const accepted = await t.fixture('list-sorts', async () => {
    const ok: string[] = [];
    for (const sort of SORTS) {
      const res = await t.api.get('/v1/memories', { tags: f.tag, sort, limit: 1 });
      if (res.status === 200) ok.push(sort);
    }
    return ok;
  });
  const refused = SORTS.filter((s) => !accepted.includes(s));
  if (refused.length) t.note(`sorts refused by the server, not judged here: ${refused.join(', ')}`);
  if (!accepted.length) t.block('OMP-LIST-010', 'the server accepts none of the sorts');
  return accepted;
}

/** Expected order of a sort. */
export function sortMemories(ms: readonly Memory[], sort: string): Memory[] {
  const [field, dir] = sort.startsWith('created_at')
    ? ['created_at', sort.slice(11)]
    : ['updated_at', sort.slice(11)];
  const sign = dir === 'asc' ? 1 : -1;
  return [...ms].sort((a, b) => {
    const ta = Date.parse((a as unknown as Record<string, string>)[field] as string);
    const tb = Date.parse((b as unknown as Record<string, string>)[field] as string);
    if (ta !== tb) return sign * (ta - tb);
    return sign * (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

const SORTS = ['created_at_desc', 'created_at_asc', 'updated_at_desc', 'updated_at_asc'];

/** Filters and their predicates over the fixture. */
function filters(f: ListFixture): Array<{ name: string; query: Query; keep: (m: Memory) => boolean }> {
  return [
    { name: 'type=procedural', query: { type: 'procedural' }, keep: (m) => m.type === 'procedural' },
    { name: `tool=${f.tools[1]}`, query: { tool: f.tools[1] }, keep: (m) => m.source?.tool === f.tools[1] },
    {
      name: 'tags=lf-even,lf-three',
      query: { tags: `${f.tag},lf-even,lf-three` },
      keep: (m) => m.tags?.includes('lf-even') && m.tags?.includes('lf-three'),
    },
    { name: `namespace=${f.ns[0]}`, query: { namespace: f.ns[0] }, keep: (m) => m.namespace === f.ns[0] },
  ];
}

/** Check one filter: exact set (by the fixture tag) and total. */
async function exactFilter(
  t: CheckContext,
  f: ListFixture,
  query: Query,
  keep: (m: Memory) => boolean,
  what: string,
) {
  const want = f.memories.filter(keep);
  const { body, res } = await list(t.api, { tags: f.tag, ...query, limit: 50 });
  const stray = body.memories.filter((m) => !keep(m));
  if (stray.length)
    t.fail(`${what}: ${stray.length} listed memories do not satisfy the filter (e.g. ${stray[0]?.id})`, res);
  t.equal(idSet(body.memories), idSet(want), `${what}: listed ids`, res);
  return { body, res, want };
}

check('OMP-LIST-001', 'MUST answer a valid list with 200 and a list-response body', async (t) => {
  const f = await listFixture(t);
  t.expectShape('list-response', (await list(t.api, { tags: f.tag })).res);
  t.expectShape('list-response', (await list(t.api, {})).res);
});

check('OMP-LIST-002', 'MUST list only memories of the type given', async (t) => {
  const f = await isolatedFixture(t);
  for (const type of TYPES) await exactFilter(t, f, { type }, (m) => m.type === type, `type=${type}`);
  const { body, res } = await list(t.api, { type: 'procedural', limit: 50 });
  if (body.memories.some((m) => m.type !== 'procedural'))
    t.fail('type=procedural (no other filter) lists other types', res);
});

check('OMP-LIST-003', 'MUST list only memories whose source.tool equals the tool given', async (t) => {
  const f = await isolatedFixture(t);
  for (const tool of f.tools)
    await exactFilter(t, f, { tool }, (m) => m.source?.tool === tool, `tool=${tool}`);
  const { body, res } = await list(t.api, { tool: f.tools[1], limit: 50 });
  if (body.memories.some((m) => m.source?.tool !== f.tools[1]))
    t.fail('tool filter alone lists other tools', res);
});

check('OMP-LIST-004', 'MUST list only memories carrying every tag given (AND)', async (t) => {
  const f = await isolatedFixture(t);
  await exactFilter(t, f, { tags: `${f.tag},lf-even` }, (m) => m.tags?.includes('lf-even'), 'tags=…,lf-even');
  await exactFilter(
    t,
    f,
    { tags: `${f.tag},lf-even,lf-three` },
    (m) => m.tags?.includes('lf-even') && m.tags?.includes('lf-three'),
    'tags=…,lf-even,lf-three',
  );
  const { body, res } = await list(t.api, { tags: `${f.tag},lf-even,no-such-tag-${t.run.runId}` });
  if (body.memories.length) t.fail('a tag nobody carries still matched (tags must combine with AND)', res);
});

check('OMP-LIST-005', 'MUST list only memories in the namespace given', async (t) => {
  const f = await listFixture(t);
  for (const ns of f.ns) {
    const { body, res } = await list(t.api, { namespace: ns, limit: 50 });
    t.equal(
      idSet(body.memories),
      idSet(f.memories.filter((m) => m.namespace === ns)),
      `namespace=${ns}`,
      res,
    );
  }
});

check(
  'OMP-LIST-006',
  'MUST reject a limit that is not an integer 1..100 with 422, and default it to 20',
  async (t) => {
    const f = await isolatedFixture(t);
    await t.each(
      ['0', '101', '-1', '1.5', 'abc', '', '+20', '020', '2e1', ' 20', '1000000000000000000000'],
      async (v) => {
        expect422(
          t,
          await t.api.req('GET', `/v1/memories?limit=${encodeURIComponent(v)}`),
          `limit=${JSON.stringify(v)}`,
        );
      },
    );
    const { body, res } = await list(t.api, { tags: f.tag });
    if (body.limit !== 20) t.fail(`without limit, the response says limit ${body.limit}, want 20`, res);
    if (body.memories.length !== 20)
      t.fail(`without limit, ${body.memories.length} of 24 memories listed, want 20`, res);
    for (const limit of [1, 100]) {
      const { body: b, res: r } = await list(t.api, { tags: f.tag, limit });
      if (b.memories.length !== Math.min(limit, 24)) t.fail(`limit=${limit} listed ${b.memories.length}`, r);
    }
  },
);

check(
  'OMP-LIST-007',
  'MUST reject an offset that is not an integer 0..1,000,000 with 422, and default it to 0',
  async (t) => {
    const f = await isolatedFixture(t);
    await t.each(['-1', '1000001', 'x', '1.0', '', '+1', '01'], async (v) => {
      expect422(
        t,
        await t.api.req('GET', `/v1/memories?offset=${encodeURIComponent(v)}`),
        `offset=${JSON.stringify(v)}`,
      );
    });
    const { body, res } = await list(t.api, { tags: f.tag, limit: 5 });
    if (body.offset !== 0) t.fail(`without offset, the response says offset ${body.offset}, want 0`, res);
    const full = sortMemories(f.memories, 'created_at_desc');
    t.equal(ids(body.memories), ids(full.slice(0, 5)), 'first page without offset', res);
    const { body: far, res: fres } = await list(t.api, { tags: f.tag, offset: 1_000_000 });
    if (far.memories.length !== 0) t.fail('offset 1,000,000 listed memories', fres);
  },
);

check('OMP-LIST-008', 'MUST list exactly the memories satisfying all filters together', async (t) => {
  const f = await isolatedFixture(t);
  const fs = filters(f);
  for (let i = 0; i < fs.length; i++)
    for (let j = i + 1; j < fs.length; j++) {
      const a = fs[i]!;
      const b = fs[j]!;
      const query: Query = { ...a.query, ...b.query };
      if (a.query.tags || b.query.tags) query.tags = (a.query.tags ?? b.query.tags) as string;
      await exactFilter(t, f, query, (m) => a.keep(m) && b.keep(m), `${a.name} & ${b.name}`);
    }
});

check(
  'OMP-LIST-009',
  'MUST return positions offset..offset+limit-1 of the full ordered result',
  async (t) => {
    const f = await isolatedFixture(t);
    await t.each(await acceptedSorts(t, f), async (sort) => {
      // Slices of the server's own full order: whether that order is right is OMP-LIST-010's.
      const { body: all } = await list(t.api, { tags: f.tag, sort, limit: 50 });
      const full = all.memories;
      const slices = [
        [0, 5],
        [3, 5],
        [20, 10],
        [23, 1],
        [5, 50],
      ] as const;
      await t.each(slices, async ([offset, limit]) => {
        const { body, res } = await list(t.api, { tags: f.tag, sort, offset, limit });
        t.equal(
          ids(body.memories),
          ids(full.slice(offset, offset + limit)),
          `sort=${sort} offset=${offset} limit=${limit}`,
          res,
        );
      });
    });
  },
);

check(
  'OMP-LIST-010',
  'MUST order by the sort parameter, ties broken by id in the same direction',
  async (t) => {
    const f = await isolatedFixture(t);
    await t.each(SORTS, async (sort) => {
      const { body, res } = await list(t.api, { tags: f.tag, sort, limit: 50 });
      t.equal(ids(body.memories), ids(sortMemories(f.memories, sort)), `order for sort=${sort}`, res);
    });
    const { body, res } = await list(t.api, { tags: f.tag, limit: 50 });
    t.equal(
      ids(body.memories),
      ids(sortMemories(f.memories, 'created_at_desc')),
      'default order (created_at_desc)',
      res,
    );
  },
);

check('OMP-LIST-011', 'MUST reject an invalid type, sort, namespace or tags value with 422', async (t) => {
  const bad = [
    'type=fact',
    'type=Semantic',
    'sort=created_at',
    'sort=random',
    'namespace=Bad',
    'namespace=',
    'namespace=a%20b',
    'tags=Upper',
    'tags=a,,b',
    'tags=',
    'tags=a,',
    `tags=${'a'.repeat(51)}`,
  ];
  await t.each(bad, async (q) => expect422(t, await t.api.req('GET', `/v1/memories?${q}`), q));
});

check(
  'OMP-LIST-012',
  'MUST report total as the number of visible memories matching all filters',
  async (t) => {
    const f = await isolatedFixture(t);
    const { body, res } = await list(t.api, { tags: f.tag, limit: 3 });
    if (body.total !== f.memories.length)
      t.fail(`total ${body.total} for the fixture tag, want ${f.memories.length}`, res);
    for (const x of filters(f)) {
      const want = f.memories.filter(x.keep).length;
      const { body: b, res: r } = await list(t.api, { tags: f.tag, ...x.query, limit: 1, offset: 1 });
      if (b.total !== want) t.fail(`${x.name}: total ${b.total}, want ${want}`, r);
    }
  },
);

check(
  'OMP-LIST-012.read-scope',
  'MUST count in total only the memories visible to the key (read scope own hides other tools)',
  async (t) => {
    const { api, key } = t.toolKey({ scopes: 'read', readScope: 'own' });
    const own = await t.create({ source: { tool: key.name } });
    await t.create({ source: { tool: `${key.name}-other` } });
    const { body, res } = await list(api, { tags: t.tag, limit: 1 });
    // Visible (SPEC §1.1) excludes what the key's read scope hides: one of the two memories.
    if (body.total !== 1)
      t.fail(`total ${body.total} for the own-scope key, want 1 (only ${own.id} is visible)`, res);
  },
  {
    needs: [
      { kind: 'capability', name: 'per_tool_keys' },
      { kind: 'tool-key', scopes: 'read', readScope: 'own' },
    ],
  },
);

check('OMP-LIST-013', 'MUST echo the limit and offset it applied', async (t) => {
  const f = await isolatedFixture(t);
  for (const [limit, offset] of [
    [7, 2],
    [50, 0],
    [1, 23],
  ] as const) {
    const { body, res } = await list(t.api, { tags: f.tag, limit, offset });
    if (body.limit !== limit || body.offset !== offset)
      t.fail(`asked limit ${limit} offset ${offset}, got ${body.limit}/${body.offset}`, res);
  }
});

check(
  'OMP-LIST-014',
  'MUST answer an offset at or beyond total with 200, no memories and the right total',
  async (t) => {
    const f = await isolatedFixture(t);
    for (const offset of [24, 25, 999]) {
      const { body, res } = await list(t.api, { tags: f.tag, offset });
      if (body.memories.length !== 0 || body.total !== 24)
        t.fail(`offset ${offset}: ${body.memories.length} memories, total ${body.total}`, res);
    }
  },
);

check('OMP-LIST-015', 'MUST yield every matching memory exactly once when walking pages', async (t) => {
  const f = await isolatedFixture(t);
  await t.each(await acceptedSorts(t, f), async (sort) => {
    const offsets = [0, 7, 14, 21, 28, 35];
    const pages = await Promise.all(
      offsets.map((offset) => list(t.api, { tags: f.tag, sort, limit: 7, offset })),
    );
    const seen = pages.flatMap((p) => ids(p.body.memories));
    const dup = seen.filter((id, i) => seen.indexOf(id) !== i);
    if (dup.length) t.fail(`sort=${sort}: pages of 7 repeat ${dup.length} memories (e.g. ${dup[0]})`);
    const missing = f.memories.filter((m) => !seen.includes(m.id));
    if (missing.length)
      t.fail(`sort=${sort}: pages of 7 skip ${missing.length} memories (e.g. ${missing[0]?.id})`);
  });
});
