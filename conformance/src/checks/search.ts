/** Keyword search (SPEC §6.1) and, for servers declaring Search, semantic and hybrid search (§6.2). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CheckContext } from '../core/harness.ts';
import type { Query } from '../core/omp-client.ts';
import { check } from '../core/registry.ts';
import type { Memory, SearchResponse } from '../core/wire.ts';
import { deriveCases } from '../negative/derive.ts';
import { expect422, exportFile, idSet, ids, importItem, memPath, search, uniqueToken } from './helpers.ts';
import { certifiesAtLeast } from './spec-versions.ts';

/** The shared read-only search fixture: memories around run-unique tokens. */
export interface SearchFixture {
  A: string;
  B: string;
  C: string;
  D: string;
  E: string;
  tag: string;
  ns: [string, string];
  tools: [string, string];
  s: Memory[];
  ties: Memory[];
  short: Memory;
  long: Memory;
  /** Ranking: `both` holds F and G, `oneOfTwo` only F (OMP-SEARCH-033). */
  both: Memory;
  oneOfTwo: Memory;
  /** Ranking: H is in five memories (`commons`), I in one (`rare`) (OMP-SEARCH-034). */
  commons: Memory[];
  rare: Memory;
  /** The run's token prefix: every fixture token starts with it. */
  T: string;
  F: string;
  G: string;
  H: string;
  I: string;
  /** A memory whose only token ending in an accent is `${J}é` (OMP-SEARCH-004). */
  J: string;
  accent: Memory;
}

/** Build (once per run) the search fixture. */
export function searchFixture(t: CheckContext): Promise<SearchFixture> {
  return t.fixture('search', async () => {
    const T = `zq${t.run.runId}`;
    const [A, B, C, D, E] = ['a', 'b', 'c', 'd', 'e'].map((x) => `${T}${x}${x}`) as [
      string,
      string,
      string,
      string,
      string,
    ];
    const tag = `${t.run.tag}-sf`;
    const ns: [string, string] = [`${t.run.ns}:sf-a`, `${t.run.ns}:sf-b`];
    const tools: [string, string] = ['omp-conformance-search-a', 'omp-conformance-search-b'];
    const mk = (content: string, type: string, tool: string, extraTags: string[], namespace: string) =>
      t.api.create({ content, type, source: { tool }, tags: [t.run.tag, tag, ...extraTags], namespace });
    const s: Memory[] = [];
    s.push(await mk(`${A} ${B} deploy release`, 'procedural', tools[0], ['sf-x'], ns[0]));
    s.push(await mk(`${A} only here`, 'semantic', tools[1], [], ns[1]));
    s.push(await mk(`${B} and ${A} OR not`, 'episodic', tools[0], ['sf-x'], ns[1]));
    s.push(await mk(`Café crème ${C}`, 'semantic', tools[0], [], ns[0]));
    s.push(await mk(`${A}suffix ${B}`, 'semantic', tools[0], [], ns[0]));
    const ties: Memory[] = [];
    for (let i = 0; i < 3; i++) ties.push(await mk(`${D} same words`, 'semantic', tools[0], [], ns[0]));
    const short = await mk(`${E} apple`, 'semantic', tools[0], [], ns[0]);
    const filler = Array.from({ length: 40 }, (_, i) => `filler${i}`).join(' ');
    const long = await mk(`${E} ${filler}`, 'semantic', tools[0], [], ns[0]);
    const [F, G, H, I] = ['f', 'g', 'h', 'i'].map((x) => `${T}${x}${x}`) as [string, string, string, string];
    const oneOfTwo = await mk(`${F} walnut basket`, 'semantic', tools[0], [], ns[0]);
    const both = await mk(`${F} ${G} basket`, 'semantic', tools[0], [], ns[0]);
    const commons: Memory[] = [];
    for (let i = 0; i < 5; i++) commons.push(await mk(`${H} lantern ${i}`, 'semantic', tools[0], [], ns[0]));
    const rare = await mk(`${I} lantern x`, 'semantic', tools[0], [], ns[0]);
    const J = `${T}jj`;
    const accent = await mk(`${J}é alone`, 'semantic', tools[0], [], ns[0]);
    return {
      ...{ A, B, C, D, E, T, tag, ns, tools, s, ties, short, long },
      ...{ both, oneOfTwo, commons, rare, F, G, H, I, J, accent },
    };
  });
}

/** Search expecting exactly a set of memories (order-insensitive). */
async function exact(
  t: CheckContext,
  body: Record<string, unknown>,
  want: Memory[],
  what: string,
): Promise<SearchResponse> {
  const { body: r, res } = await search(t.api, body);
  t.equal(idSet(r.memories), idSet(want), `${what} (q=${JSON.stringify(body.q)}): found ids`, res);
  // total is OMP-SEARCH-013's; only that check judges it here.
  if (t.check.requirements[0] === 'OMP-SEARCH-013' && r.total !== want.length)
    t.fail(`${what}: total ${r.total}, want ${want.length}`, res);
  return r;
}

check('OMP-SEARCH-001', 'MUST answer a valid search with 200 and a search-response body', async (t) => {
  const f = await searchFixture(t);
  t.expectShape('search-response', (await search(t.api, { q: f.A })).res);
  t.expectShape('search-response', (await search(t.api, { q: 'anything at all' })).res);
});

check('OMP-SEARCH-002', 'MUST answer GET /v1/memories/search exactly as the equivalent POST', async (t) => {
  const f = await searchFixture(t);
  const cases: Array<[Record<string, unknown>, Query]> = [
    [{ q: f.A }, { q: f.A }],
    [
      { q: `${f.A} ${f.B}`, limit: 1, offset: 1 },
      { q: `${f.A} ${f.B}`, limit: 1, offset: 1 },
    ],
    [
      { q: f.A, tags: [f.tag, 'sf-x'], type: 'episodic' },
      { q: f.A, tags: `${f.tag},sf-x`, type: 'episodic' },
    ],
    [
      { q: f.A, namespace: f.ns[1], tool: f.tools[1] },
      { q: f.A, namespace: f.ns[1], tool: f.tools[1] },
    ],
  ];
  await t.each(cases, async ([post, get]) => {
    const [{ body: p }, res] = await Promise.all([
      search(t.api, post),
      t.api.get('/v1/memories/search', get),
    ]);
    const g = res.expect<SearchResponse>(200, 'search-response');
    t.equal(
      { ids: ids(g.memories), total: g.total, mode_used: g.mode_used, limit: g.limit, offset: g.offset },
      { ids: ids(p.memories), total: p.total, mode_used: p.mode_used, limit: p.limit, offset: p.offset },
      `GET vs POST for ${JSON.stringify(post)}`,
      res,
    );
  });
});

check('OMP-SEARCH-003', 'MUST support keyword mode and use it when mode is absent', async (t) => {
  const f = await searchFixture(t);
  const { body: a, res } = await search(t.api, { q: f.A });
  if (a.mode_used !== 'keyword') t.fail(`without mode, mode_used is ${a.mode_used}`, res);
  const { body: b, res: r2 } = await search(t.api, { q: f.A, mode: 'keyword' });
  if (b.mode_used !== 'keyword') t.fail(`mode keyword reports mode_used ${b.mode_used}`, r2);
  t.equal(idSet(b.memories), idSet(a.memories), 'mode keyword vs no mode', r2);
});

check('OMP-SEARCH-004', 'MUST match tokens case-insensitively and ignoring diacritics', async (t) => {
  const f = await searchFixture(t);
  // One token per query, unique to the run: what matches depends on case and diacritics alone, not on how the
  // server combines tokens (OMP-SEARCH-030) or on anyone else's data.
  const queries: Array<[string, string]> = [
    [`${f.J}é`, 'as written'],
    [`${f.J.toUpperCase()}E`, 'upper case without the accent'],
    [`${f.J}e`, 'without the accent'],
    [`${f.J.toUpperCase()}É`, 'upper case with the accent'],
    [`${f.J}e\u0301`, 'decomposed accent'],
    [`${f.J}è`, 'another accent'],
  ];
  await t.each(queries, async ([q, what]) => {
    const { body, res } = await search(t.api, { q });
    if (!body.memories.some((m) => m.id === f.accent.id))
      t.fail(`${what} (q=${JSON.stringify(q)}): not found`, res);
  });
});

check(
  'OMP-SEARCH-030',
  'MUST return every memory containing at least one query token as a whole token',
  async (t) => {
    // What 0.4 changed in keyword search (any token, ranking, tokenisation): not a 0.3 server's rule.
    const f = await searchFixture(t);
    const [s0, s1, s2, , s4] = f.s as [Memory, Memory, Memory, Memory, Memory];
    await exact(t, { q: f.A }, [s0, s1, s2], 'one token (not the token with a suffix)');
    await exact(t, { q: `${f.A} ${f.B}` }, [s0, s1, s2, s4], 'two tokens (any of them)');
    await exact(t, { q: `${f.B} ${f.T}none` }, [s0, s2, s4], 'a token nobody has beside one that exists');
    await exact(t, { q: `${f.A} ${f.A} ${f.A}` }, [s0, s1, s2], 'a repeated token');
  },
);

check(
  'OMP-SEARCH-005',
  'MUST return exactly the memories containing every query token as a whole token',
  async (t) => {
    // The 0.3 rule (0.4 matches any token and ranks, OMP-SEARCH-030 to 035).
    const f = await searchFixture(t);
    const [s0, s1, s2, , s4] = f.s as [Memory, Memory, Memory, Memory, Memory];
    await exact(t, { q: f.A }, [s0, s1, s2], 'one token (not the token with a suffix)');
    await exact(t, { q: `${f.A} ${f.B}` }, [s0, s2], 'two tokens (AND)');
    await exact(t, { q: f.B }, [s0, s2, s4], 'second token');
    await exact(t, { q: f.A.slice(0, -1) }, [], 'a prefix of a token');
    await exact(t, { q: `${f.A} ${f.A} ${f.A}` }, [s0, s1, s2], 'a repeated token');
  },
);

check('OMP-SEARCH-031', 'MUST NOT return a memory with no token matching a query token', async (t) => {
  const f = await searchFixture(t);
  await exact(t, { q: `${f.T}qqqqqqqqqqqq` }, [], 'a token far from every stored token');
  await exact(t, { q: f.A.slice(0, Math.ceil(f.A.length / 2)) }, [], 'the first half of a token');
});

/** Search expecting at least a set of memories (the store may hold other matches of a common word). */
async function including(t: CheckContext, body: Record<string, unknown>, want: Memory[], what: string) {
  const { body: r, res } = await search(t.api, { ...body, limit: 100 });
  const got = new Set(ids(r.memories));
  const missing = want.filter((m) => !got.has(m.id)).map((m) => m.id);
  if (missing.length) t.fail(`${what} (q=${JSON.stringify(body.q)}): missing ${missing.join(', ')}`, res);
}

check('OMP-SEARCH-006', 'MUST treat quotes, operators and AND/OR/NOT as plain text', async (t) => {
  const f = await searchFixture(t);
  const [s0, s1, s2, , s4] = f.s as [Memory, Memory, Memory, Memory, Memory];
  if (!certifiesAtLeast(t, '0.4')) {
    // A 0.3 server matches every token (OMP-SEARCH-005 of 0.3): the same words as plain text, under that rule.
    t.note('the server does not list 0.4: judged with the 0.3 rule that every query token must occur');
    await exact(t, { q: `"${f.A} ${f.B}"` }, [s0, s2], 'quotes');
    await exact(t, { q: `${f.A} OR ${f.B}` }, [s2], 'OR is an ordinary word');
    await exact(t, { q: `${f.A} NOT ${f.B}` }, [s2], 'NOT is an ordinary word');
    await exact(t, { q: `(${f.A}) AND ${f.B}` }, [s2], 'parentheses and AND');
    await exact(t, { q: `${f.A} -${f.B}` }, [s0, s2], 'minus separates');
    await exact(t, { q: `${f.A}*` }, [s0, s1, s2], 'star separates');
    await exact(t, { q: `+${f.A} ^${f.B}` }, [s0, s2], 'plus and caret separate');
    await exact(t, { q: `${f.A}:${f.B}` }, [s0, s2], 'colon separates');
    await exact(t, { q: `${f.A} NEAR(${f.B})` }, [], 'NEAR is an ordinary word');
    return;
  }
  const all = [s0, s1, s2, s4];
  await exact(t, { q: `"${f.A} ${f.B}"` }, all, 'quotes are no phrase');
  await including(t, { q: `${f.A} NOT ${f.B}` }, all, 'NOT excludes nothing');
  await including(t, { q: `(${f.A}) AND ${f.B}` }, all, 'AND requires nothing');
  await exact(t, { q: `${f.A} -${f.B}` }, all, 'minus excludes nothing');
  await exact(t, { q: `${f.A}*` }, [s0, s1, s2], 'star is no prefix operator');
  await exact(t, { q: `+${f.A} ^${f.B}` }, all, 'plus and caret separate');
  await exact(t, { q: `${f.A}:${f.B}` }, all, 'colon is no column filter');
  await including(t, { q: `${f.A} NEAR(${f.B})` }, all, 'NEAR is an ordinary word');
});

check('OMP-SEARCH-007', 'MUST answer a query without tokens with 200, no memories and total 0', async (t) => {
  await t.each(['😀🎉', '!!!', '***', '"" \'\'', '-- ++ ::', '( )', '🎉🎉 ✓ ★ →'], async (q) => {
    const { body, res } = await search(t.api, { q });
    if (body.memories.length || body.total !== 0)
      t.fail(`q=${JSON.stringify(q)}: ${body.total} results, want none`, res);
  });
});

check(
  'OMP-SEARCH-008',
  'MUST NOT answer a schema-valid search with 5xx whatever q contains',
  async (t) => {
    const nasty = [
      '"',
      '"unbalanced',
      "'",
      "'; DROP TABLE memories; --",
      'a AND',
      'OR',
      'NOT NOT',
      'NEAR(a b, 2)',
      '^^^',
      'a:b:c',
      'col:value',
      '*',
      'a*b*',
      '(((',
      ')))',
      '{}[]',
      '\\',
      '%',
      '_',
      '%_%',
      '\u0000',
      '\u0001\u001f',
      '\ud83d',
      'ﷺ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ٱلْعَرَبِيَّة עברית',
      '\u202e reversed',
      'x'.repeat(1000),
      `${'a '.repeat(499)}a`,
      '😀'.repeat(1000),
      'SELECT * FROM memories',
      '$where: 1',
      '<script>alert(1)</script>',
      'e\u0301\u0301\u0301',
      '0x41 1e309 NaN',
    ];
    await t.each(
      nasty,
      async (q) => {
        const res = await t.api.post('/v1/memories/search', { q });
        if (res.status >= 500)
          t.fail(`q=${JSON.stringify(q.slice(0, 40))}: server error ${res.describe()}`, res);
        // A lone surrogate is schema-valid but not Unicode text: the spec only forbids a 5xx for it.
        const wellFormed = (q as string & { isWellFormed(): boolean }).isWellFormed();
        if (res.status !== 200 && wellFormed && t.isValid({ q }, 'search-request'))
          t.fail(`q=${JSON.stringify(q.slice(0, 40))} is valid but was answered ${res.describe()}`, res);
        if (!wellFormed) return; // a lone surrogate cannot be percent-encoded
        const g = await t.api.get('/v1/memories/search', { q });
        if (g.status >= 500)
          t.fail(`GET q=${JSON.stringify(q.slice(0, 40))}: server error ${g.describe()}`, g);
      },
      6,
    );
  },
  { also: ['OMP-HTTP-013'] },
);

check(
  'OMP-SEARCH-009',
  'MUST apply type, tool, tags and namespace filters to search exactly as to list',
  async (t) => {
    const f = await searchFixture(t);
    const [s0, s1, s2] = f.s as [Memory, Memory, Memory];
    await exact(t, { q: f.A, type: 'procedural' }, [s0], 'type filter');
    await exact(t, { q: f.A, tool: f.tools[1] }, [s1], 'tool filter');
    await exact(t, { q: f.A, tags: ['sf-x'] }, [s0, s2], 'tags filter');
    await exact(t, { q: f.A, tags: ['sf-x', f.tag] }, [s0, s2], 'two tags (AND)');
    await exact(t, { q: f.A, tags: ['sf-x', `nobody-${t.run.runId}`] }, [], 'a tag nobody has');
    await exact(t, { q: f.A, namespace: f.ns[1] }, [s1, s2], 'namespace filter');
    await exact(t, { q: f.A, namespace: f.ns[1], type: 'episodic', tool: f.tools[0] }, [s2], 'three filters');
  },
);

check(
  'OMP-SEARCH-010',
  'MUST order equal relevance by created_at descending, then id descending',
  async (t) => {
    const f = await searchFixture(t);
    const want = [...f.ties].sort((a, b) => {
      const d = Date.parse(b.created_at) - Date.parse(a.created_at);
      return d !== 0 ? d : a.id < b.id ? 1 : -1;
    });
    const { body, res } = await search(t.api, { q: f.D });
    t.equal(ids(body.memories), ids(want), 'order of equally relevant matches', res);
    // Equal created_at too (set by import), imported in ascending id order: only the id decides.
    const token = uniqueToken(t, 9);
    const at = '2026-01-01T00:00:00.000Z';
    const items = [0, 1, 2]
      .map(() => importItem(t, { content: `${token} same words`, created_at: at, updated_at: at }))
      .sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
    const imp = await t.api.post('/v1/import', exportFile(items));
    const r = imp.json as { imported?: unknown } | undefined;
    if (imp.status !== 200 || r?.imported !== items.length)
      t.block('OMP-IMPORT-010', `could not import memories with equal created_at: ${imp.describe()}`, imp);
    const { body: b2, res: r2 } = await search(t.api, { q: token });
    t.equal(
      ids(b2.memories),
      items.map((i) => String(i.id)).reverse(),
      'order of equally relevant matches with equal created_at (id descending)',
      r2,
    );
  },
);

check(
  'OMP-SEARCH-011',
  'SHOULD rank a memory where the query is a larger share of the content first',
  async (t) => {
    const f = await searchFixture(t);
    const { body, res } = await search(t.api, { q: f.E });
    t.equal(ids(body.memories), [f.short.id, f.long.id], 'short match before long match', res);
  },
);

check(
  'OMP-SEARCH-033',
  'SHOULD rank a memory with more of the query tokens above one with fewer',
  async (t) => {
    // What 0.4 changed in keyword search (any token, ranking, tokenisation): not a 0.3 server's rule.
    const f = await searchFixture(t);
    const { body, res } = await search(t.api, { q: `${f.F} ${f.G}` });
    t.equal(ids(body.memories), [f.both.id, f.oneOfTwo.id], 'both tokens before one token', res);
  },
);

check(
  'OMP-SEARCH-034',
  'SHOULD rank a memory with a rare query token above one with only a common one',
  async (t) => {
    // What 0.4 changed in keyword search (any token, ranking, tokenisation): not a 0.3 server's rule.
    const f = await searchFixture(t);
    const { body, res } = await search(t.api, { q: `${f.H} ${f.I}` });
    if (body.memories[0]?.id !== f.rare.id)
      t.fail(
        `first result is ${body.memories[0]?.id}, want the memory with the rare token ${f.rare.id}`,
        res,
      );
  },
);

/** The tokenisation vectors of the spec (spec/vectors/tokenize.json). */
function tokenVectors(): { text: string; tokens: string[]; note: string }[] {
  const file = fileURLToPath(import.meta.resolve('@omp-kit/spec/vectors/tokenize.json'));
  return (
    JSON.parse(readFileSync(file, 'utf8')) as { vectors: { text: string; tokens: string[]; note: string }[] }
  ).vectors;
}

check(
  'OMP-SEARCH-032',
  'MUST tokenise and fold text as the spec defines (spec/vectors/tokenize.json)',
  async (t) => {
    // What 0.4 changed in keyword search (any token, ranking, tokenisation): not a 0.3 server's rule.
    const vectors = tokenVectors().filter((v) => v.tokens.length > 0);
    const tag = `${t.run.tag}-tok`;
    const made = new Map<string, Memory>();
    for (const v of vectors) made.set(v.text, await t.create({ content: v.text, tags: [t.run.tag, tag] }));
    await t.each(
      vectors,
      async (v) => {
        for (const token of new Set(v.tokens)) {
          // The tag filter keeps other memories of the store out; the token alone is the whole query.
          const { body, res } = await search(t.api, { q: token, tags: [tag], limit: 100 });
          const want = made.get(v.text) as Memory;
          if (!body.memories.some((m) => m.id === want.id))
            t.fail(`token ${JSON.stringify(token)} does not find ${JSON.stringify(v.text)} (${v.note})`, res);
        }
      },
      4,
    );
    t.note(`${vectors.length} texts, ${vectors.reduce((n, v) => n + new Set(v.tokens).size, 0)} tokens`);
  },
);

check(
  'OMP-SEARCH-012',
  'MUST apply limit and offset to search as to list (bounds, defaults, slices)',
  async (t) => {
    const f = await searchFixture(t);
    await t.each([0, 101, -1, 1.5, '5'], async (limit) =>
      expect422(
        t,
        await t.api.post('/v1/memories/search', { q: f.A, limit }),
        `limit ${JSON.stringify(limit)}`,
      ),
    );
    await t.each([-1, 1_000_001, 0.5], async (offset) =>
      expect422(
        t,
        await t.api.post('/v1/memories/search', { q: f.A, offset }),
        `offset ${JSON.stringify(offset)}`,
      ),
    );
    const { body: full, res } = await search(t.api, { q: f.A });
    if (full.limit !== 20 || full.offset !== 0)
      t.fail(`defaults: limit ${full.limit}, offset ${full.offset}; want 20, 0`, res);
    for (const [offset, limit] of [
      [0, 1],
      [1, 1],
      [2, 5],
      [3, 5],
    ] as const) {
      const { body, res: r } = await search(t.api, { q: f.A, limit, offset });
      t.equal(
        ids(body.memories),
        ids(full.memories).slice(offset, offset + limit),
        `offset ${offset} limit ${limit}`,
        r,
      );
      if (body.limit !== limit || body.offset !== offset)
        t.fail(`limit/offset echoed as ${body.limit}/${body.offset}`, r);
    }
    const g = await t.api.get('/v1/memories/search', { q: f.A, limit: 0 });
    expect422(t, g, 'GET limit=0');
  },
);

check(
  'OMP-SEARCH-013',
  'MUST report the number of all matches as total regardless of limit and offset',
  async (t) => {
    const f = await searchFixture(t);
    for (const [limit, offset] of [
      [1, 0],
      [1, 2],
      [2, 10],
    ] as const) {
      const { body, res } = await search(t.api, { q: f.A, limit, offset });
      if (body.total !== 3) t.fail(`limit ${limit} offset ${offset}: total ${body.total}, want 3`, res);
    }
  },
);

check('OMP-SEARCH-014', 'MUST name the mode that produced the results in mode_used', async (t) => {
  const f = await searchFixture(t);
  const { body, res } = await search(t.api, { q: f.A, mode: 'keyword' });
  if (body.mode_used !== 'keyword') t.fail(`mode keyword reported mode_used ${body.mode_used}`, res);
  for (const mode of ['semantic', 'hybrid'] as const) {
    const { body: b, res: r } = await search(t.api, { q: f.A, mode });
    const offered = t.run.capabilities.has(`${mode}_search`);
    if (b.mode_used !== (offered ? mode : 'keyword'))
      t.fail(`mode ${mode} reported mode_used ${b.mode_used} (capability ${offered ? '' : 'not '}listed)`, r);
  }
});

check(
  'OMP-SEARCH-015',
  'MUST fall back to keyword (mode_used keyword) for a mode it does not offer',
  async (t) => {
    const f = await searchFixture(t);
    const modes = (['semantic', 'hybrid'] as const).filter((m) => !t.run.capabilities.has(`${m}_search`));
    if (!modes.length) t.skip('not-applicable', 'the server offers both semantic and hybrid search');
    const { body: kw } = await search(t.api, { q: f.A });
    for (const mode of modes) {
      const { body, res } = await search(t.api, { q: f.A, mode });
      if (body.mode_used !== 'keyword')
        t.fail(`mode ${mode} is not offered but mode_used is ${body.mode_used}`, res);
      t.equal(ids(body.memories), ids(kw.memories), `mode ${mode} results vs keyword results`, res);
    }
  },
);

check(
  'OMP-SEARCH-016',
  'MUST reject with 422 validation_error every search body (or query) the schema rejects',
  async (t) => {
    const cases = deriveCases('search-request', { q: 'omp conformance', tags: [t.tag], limit: 5 }).filter(
      (c) => !c.valid,
    );
    await t.each(cases, async (c) => {
      const res = await t.api.post('/v1/memories/search', c.body);
      if (res.status !== 422) t.fail(`${c.label}: expected 422 validation_error, got ${res.describe()}`, res);
      res.expectError(422, 'validation_error');
    });
    const bad = [
      '',
      '?q=',
      '?q=%20%20',
      '?q=x&mode=fuzzy',
      '?q=x&type=fact',
      '?q=x&tags=Upper',
      '?q=x&limit=101',
      '?q=x&offset=-1',
      '?q=x&bogus=1',
      '?q=x&q=y',
    ];
    await t.each(bad, async (qs) =>
      expect422(t, await t.api.req('GET', `/v1/memories/search${qs}`), `GET search${qs || ' without q'}`),
    );
    t.note(`${cases.length} schema-derived invalid bodies`);
  },
);

// ---- Search level (semantic and hybrid): run only against servers that declare it.

check(
  'OMP-SEARCH-020',
  'MUST run mode semantic by embedding similarity and report mode_used semantic',
  async (t) => {
    const f = await searchFixture(t);
    const { body, res } = await search(t.api, { q: f.A, mode: 'semantic' });
    if (body.mode_used !== 'semantic') t.fail(`mode_used is ${body.mode_used}`, res);
  },
);

check('OMP-SEARCH-021', 'MUST run mode hybrid and report mode_used hybrid', async (t) => {
  const f = await searchFixture(t);
  const { body, res } = await search(t.api, { q: f.A, mode: 'hybrid' });
  if (body.mode_used !== 'hybrid') t.fail(`mode_used is ${body.mode_used}`, res);
});

check('OMP-SEARCH-022', 'MUST compute an embedding for a memory stored without one', async (t) => {
  const m = await t.create({ content: 'The user prefers green tea in the morning' });
  const res = await t.api.get(memPath(m.id));
  const g = res.expect<Memory>(200, 'memory');
  if (!Array.isArray(g.embedding) || g.embedding.length === 0)
    t.fail('get returns no embedding for the memory', res);
});

check('OMP-SEARCH-023', 'MUST apply filters, limit and offset to semantic and hybrid searches', async (t) => {
  const f = await searchFixture(t);
  for (const mode of ['semantic', 'hybrid']) {
    const { body, res } = await search(t.api, {
      q: f.A,
      mode,
      namespace: f.ns[1],
      type: 'episodic',
      limit: 100,
    });
    if (body.memories.some((m) => m.namespace !== f.ns[1] || m.type !== 'episodic'))
      t.fail(`${mode}: filters not applied`, res);
    const { body: one, res: r1 } = await search(t.api, { q: f.A, mode, tags: [f.tag], limit: 1 });
    if (one.memories.length > 1 || one.limit !== 1) t.fail(`${mode}: limit not applied`, r1);
  }
});

check(
  'OMP-SEARCH-024',
  'SHOULD rank a paraphrase above an unrelated memory in semantic search',
  async (t) => {
    const a = await t.create({ content: 'The user is allergic to peanuts and must avoid them' });
    const b = await t.create({ content: 'Quarterly revenue grew by twelve percent in the third quarter' });
    const { body, res } = await search(t.api, {
      q: 'food intolerance nuts',
      mode: 'semantic',
      tags: [t.tag],
    });
    const ia = ids(body.memories).indexOf(a.id);
    const ib = ids(body.memories).indexOf(b.id);
    if (ia < 0 || (ib >= 0 && ib < ia))
      t.fail('the paraphrase does not rank above the unrelated memory', res);
  },
);

// OMP-SEARCH-025 is OMP-EMB-002's predecessor (0.3): the same behaviour, judged under the version certified against.
for (const id of ['OMP-EMB-002', 'OMP-SEARCH-025'])
  check(id, "MUST reject an embedding whose dimensions differ from the model's with 422", async (t) => {
    const m = await t.create({ content: 'dimension probe' });
    const g = (await t.api.get(memPath(m.id))).expect<Memory>(200, 'memory');
    const dims = g.embedding?.length ?? 0;
    if (!dims) t.fail('the server stored no embedding, so its dimensions are unknown');
    const wrong = Array.from({ length: dims === 4096 ? dims - 1 : dims + 1 }, () => 0.01);
    expect422(
      t,
      await t.api.post('/v1/memories', t.body({ embedding: wrong })),
      `an embedding of ${wrong.length} dimensions`,
    );
  });
