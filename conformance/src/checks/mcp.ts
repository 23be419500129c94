/**
 * The MCP tools (SPEC.md §13.2, §13.3) on the MCP endpoint under test — an adapter or the server's own /mcp —
 * each effect cross-checked through the REST API with the same key. delete_all_memories is only ever sent with
 * the check's own namespace: a certification run never risks data it did not create.
 */

import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { getSchema } from '@omp-kit/schemas';
import { jsonEqual, ms, short } from '../core/assert.ts';
import { type KeyRef, PRIMARY, SECOND } from '../core/credentials.ts';
import type { CheckContext } from '../core/harness.ts';
import { check } from '../core/registry.ts';
import type { ListMemoriesResponse, Memory, SearchResponse } from '../core/wire.ts';
import { toolDefs } from '../mcp/tools.ts';
import { deriveCasesFrom } from '../negative/derive.ts';
import { list, randomId, uniqueToken } from './helpers.ts';
import {
  callErr,
  callName,
  callOk,
  callTool,
  listTools,
  mcpAdd,
  openMemoryParts,
  sorted,
} from './mcp-helpers.ts';

/** A far-future expiry in whole seconds (servers may normalise the fraction). */
function future(days = 30): string {
  return `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 19)}Z`;
}

check(
  'OMP-MCP-005',
  'MUST list the five tools, each inputSchema declaring the arguments of mcp-tools and requiring exactly its required ones',
  async (t) => {
    const tools = await listTools(t, await t.mcp());
    for (const def of toolDefs()) {
      const tool = tools.find((x) => x.name === def.name);
      if (!tool) {
        t.softFail(`tools/list has no tool ${def.name} (it lists ${tools.map((x) => x.name).join(', ')})`);
        continue;
      }
      const input = (tool.inputSchema ?? {}) as { type?: unknown; properties?: object; required?: unknown };
      if (input.type !== 'object')
        t.softFail(`${def.name}: inputSchema.type is ${short(input.type)}, want "object"`);
      const declared = Object.keys(input.properties ?? {});
      const missing = def.members.filter((m) => !declared.includes(m));
      if (missing.length) t.softFail(`${def.name}: inputSchema does not declare ${missing.join(', ')}`);
      const required = Array.isArray(input.required) ? input.required.map(String) : [];
      if (!jsonEqual(sorted(required), sorted(def.required)))
        t.softFail(
          `${def.name}: inputSchema requires ${JSON.stringify(required)}, want exactly ${JSON.stringify(def.required)}`,
        );
    }
  },
);

/** A valid argument object to derive cases from, scoped to the check's namespace and markers. */
function baseArgs(t: CheckContext, tool: string): Record<string, unknown> {
  switch (tool) {
    case 'add_memories':
      return { text: `omp conformance mcp ${t.tag}`, tags: t.tags(), namespace: t.ns, expires_at: future() };
    case 'search_memory':
      return { query: uniqueToken(t), namespace: t.ns };
    case 'list_memories':
      return { namespace: t.ns };
    case 'delete_memories':
      return { memory_ids: [randomId()] };
    default:
      return { namespace: t.ns };
  }
}

check(
  'OMP-MCP-006',
  'MUST accept every argument object valid against the input schema and reject any other with a tool error validation_error',
  async (t) => {
    const s = await t.mcp();
    let valid = 0;
    let invalid = 0;
    for (const def of toolDefs()) {
      const base = baseArgs(t, def.name);
      const cases = deriveCasesFrom(def.input, 'mcp-tools', (v) => def.validateInput(v) === true, base)
        .filter(
          (c) =>
            // Deleting tools get only arguments they must reject, and delete_all_memories only ones that keep
            // the check's namespace: a broken endpoint that ignored them must not delete anything else.
            (def.name === 'delete_memories' && !c.valid) ||
            (def.name === 'delete_all_memories' && !c.valid && c.body.namespace === t.ns) ||
            (def.name !== 'delete_memories' && def.name !== 'delete_all_memories'),
        )
        // A schema-valid cursor the server never issued is rightly a validation_error (OMP-LIST-021): only
        // malformed cursors are judged here; OMP-MCP-013 passes back a real one.
        .filter((c) => !(c.valid && 'cursor' in c.body));
      cases.push({ label: 'the base arguments', path: '', body: base, valid: true });
      await t.each(cases, async (c) => {
        const { result, raw } = await callTool(t, s, def.name, c.body);
        const code = (result.structuredContent as { error?: unknown } | undefined)?.error;
        if (c.valid) {
          valid++;
          if (result.isError && code === 'validation_error')
            t.fail(`${def.name} rejected valid arguments (${c.label}): ${short(raw, 300)}`);
        } else {
          invalid++;
          if (!result.isError || code !== 'validation_error')
            t.fail(
              `${def.name} accepted invalid arguments (${c.label}) instead of a validation_error tool error: ${short(raw, 300)}`,
            );
        }
      });
    }
    t.note(`${valid} valid and ${invalid} invalid argument objects derived from mcp-tools`);
  },
);

check(
  'OMP-MCP-007',
  'MUST return structuredContent valid against the output schema and a text item for every successful tool call',
  async (t) => {
    const s = await t.mcp();
    const token = uniqueToken(t);
    const m = await mcpAdd(t, s, { text: `mcp result shapes ${token}` });
    await callOk(t, s, 'search_memory', { query: token, namespace: t.ns });
    await callOk(t, s, 'list_memories', { namespace: t.ns });
    await callOk(t, s, 'delete_memories', { memory_ids: [m.id] });
    t.forget(m.id, s.key ?? PRIMARY);
    await callOk(t, s, 'delete_all_memories', { namespace: t.ns });
  },
);

check(
  'OMP-MCP-008',
  'SHOULD declare as outputSchema the …Result schema of mcp-tools (success output or error envelope)',
  async (t) => {
    const s = await t.mcp();
    const tools = await listTools(t, s);
    // Real outputs of each tool, the error schema's examples, and values neither side admits.
    const token = uniqueToken(t);
    const m = await mcpAdd(t, s, { text: `mcp output schemas ${token}` });
    const outputs: Record<string, unknown> = {
      add_memories: { memories: [m] },
      search_memory: await callOk(t, s, 'search_memory', { query: token, namespace: t.ns }),
      list_memories: await callOk(t, s, 'list_memories', { namespace: t.ns }),
      delete_memories: await callOk(t, s, 'delete_memories', { memory_ids: [m.id] }),
      delete_all_memories: await callOk(t, s, 'delete_all_memories', { namespace: t.ns }),
    };
    t.forget(m.id, s.key ?? PRIMARY);
    const errors = (getSchema('error').examples ?? []) as unknown[];
    const neither: unknown[] = [{}, { error: 'forbidden' }, { memories: 'x', deleted: -1 }];
    // How MCP clients judge structuredContent (MCP SDK Client.callTool): error results included.
    const client = new AjvJsonSchemaValidator();
    for (const def of toolDefs()) {
      const schema = tools.find((x) => x.name === def.name)?.outputSchema as
        | Record<string, unknown>
        | undefined;
      if (!schema) {
        t.softFail(`${def.name} declares no outputSchema`);
        continue;
      }
      let judge: (v: unknown) => boolean;
      try {
        const v = client.getValidator(schema as never);
        judge = (x) => v(x).valid;
      } catch (e) {
        t.softFail(`${def.name}: the declared outputSchema does not compile: ${(e as Error).message}`);
        continue;
      }
      for (const [what, value] of [
        ['its own success output', outputs[def.name]],
        ...errors.map((e) => ['an error envelope', e] as const),
        ...neither.map((n) => ['a value that is neither', n] as const),
      ] as const) {
        const want = def.validateResult(value) === true;
        if (judge(value) !== want)
          t.softFail(
            `${def.name}: the declared outputSchema ${want ? 'rejects' : 'accepts'} ${what} ${short(value, 100)}, which ${def.resultDef} ${want ? 'admits' : 'rejects'}`,
          );
      }
    }
  },
);

check(
  'OMP-MCP-009',
  'MUST store exactly one memory with add_memories: content text, the given type or semantic, the given members',
  async (t) => {
    const s = await t.mcp();
    const args = {
      text: `Prefers tabs\nover spaces ${t.tag}`,
      type: 'episodic',
      tags: t.tags('mcp-add'),
      namespace: t.ns,
      expires_at: future(),
      metadata: { origin: 'omp-conformance', n: 1, nested: { ok: true, list: [1, 'two'] } },
      infer: false,
    };
    const m = await mcpAdd(t, s, args);
    const want: [string, unknown, unknown][] = [
      ['content', m.content, args.text],
      ['type', m.type, args.type],
      ['tags', m.tags, args.tags],
      ['namespace', m.namespace, args.namespace],
      ['metadata', m.metadata, args.metadata],
    ];
    for (const [k, got, exp] of want)
      if (!jsonEqual(got, exp)) t.softFail(`add_memories stored ${k} ${short(got)}, want ${short(exp)}`);
    if (ms(m.expires_at) !== ms(args.expires_at))
      t.softFail(`add_memories stored expires_at ${short(m.expires_at)}, want ${args.expires_at}`);
    const stored = await t.api.getMemory(m.id);
    t.equal(stored, m, 'the memory add_memories returned differs from GET /v1/memories/{id}');
    const { body, res } = await list(t.api, { namespace: t.ns, limit: 100 });
    if (body.total !== 1)
      t.fail(`one add_memories call left ${body.total} memories in its namespace, want exactly 1`, res);
    // Without a type: semantic.
    const plain = await mcpAdd(t, s, { text: `No type given ${t.tag}` });
    if (plain.type !== 'semantic')
      t.fail(`add_memories without type stored type ${plain.type}, want semantic`);
  },
);

check(
  'OMP-MCP-010',
  'MUST set source.tool from clientInfo.name (control characters removed, 100 code points, mcp when empty)',
  async (t) => {
    const target = t.mcpRun.target;
    if (target.kind === 'stdio' && target.fixedTool)
      t.skip('not-applicable', 'the mcpCommand sets OMP_TOOL, which names the client instead of clientInfo');
    const fromUrl = target.kind === 'http' ? openMemoryParts(target.url)?.clientName : undefined;
    const long = `omp-conformance-${'x'.repeat(150)}`;
    const cases: [string, string][] = [
      [`omp\u0007conformance\u001b client`, 'ompconformance client'],
      [long, [...long].slice(0, 100).join('')],
      ['', 'mcp'],
    ];
    await t.each(
      cases,
      async ([clientName, expected]) => {
        const s = await t.openMcp({ key: PRIMARY, clientName });
        const m = await mcpAdd(t, s);
        const want = fromUrl ?? expected;
        if (m.source.tool !== want)
          t.fail(
            `clientInfo.name ${JSON.stringify(clientName)}${fromUrl ? ` (URL client_name ${fromUrl})` : ''}: source.tool is ${JSON.stringify(m.source.tool)}, want ${JSON.stringify(want)}`,
          );
        const stored = await t.api.getMemory(m.id);
        if (stored.source.tool !== want)
          t.fail(`GET shows source.tool ${JSON.stringify(stored.source.tool)}`);
      },
      3,
    );
  },
);

check(
  'OMP-MCP-010.tool-key',
  "MUST set source.tool to the per-tool key's tool, whatever the client's name",
  async (t) => {
    const { key } = t.toolKey({ scopes: 'write' });
    const s = await t.mcp(key.key); // its clientInfo name is the runner's, not the key's tool
    const m = await mcpAdd(t, s);
    if (m.source.tool !== key.me.tool)
      t.fail(`a key of tool ${key.me.tool} added a memory with source.tool ${JSON.stringify(m.source.tool)}`);
  },
  { needs: [{ kind: 'tool-key', scopes: 'write' }] },
);

check(
  'OMP-MCP-011',
  'MUST set source.session_id from session_id (and source.user_id from the URL user_id, when there is one)',
  async (t) => {
    const s = await t.mcp();
    const sessionId = `conf-session-${t.tag}`;
    const m = await mcpAdd(t, s, { session_id: sessionId });
    const stored = await t.api.getMemory(m.id);
    if (stored.source.session_id !== sessionId)
      t.fail(`session_id ${sessionId} became source.session_id ${JSON.stringify(stored.source.session_id)}`);
    const target = t.mcpRun.target;
    const parts = target.kind === 'http' ? openMemoryParts(target.url) : undefined;
    if (parts && stored.source.user_id !== parts.userId)
      t.fail(
        `the URL's user_id ${parts.userId} became source.user_id ${JSON.stringify(stored.source.user_id)}`,
      );
  },
);

/** Memories created over REST for the search and list comparisons: types, tools and tags varied, plus a decoy. */
async function restSet(t: CheckContext, token: string): Promise<Memory[]> {
  const out: Memory[] = [];
  const specs: [string, string, string[]][] = [
    ['semantic', 'omp-conformance', ['mcp-a']],
    ['episodic', 'omp-conformance-b', ['mcp-a', 'mcp-b']],
    ['procedural', 'omp-conformance', ['mcp-b']],
  ];
  for (const [i, [type, tool, tags]] of specs.entries())
    out.push(
      await t.create({
        content: `${token} memory number ${i} for the MCP comparisons`,
        type,
        source: { tool },
        tags: t.tags(...tags),
      }),
    );
  // Same words, another namespace: a tool that dropped `namespace` would find or list it.
  out.push(await t.create({ content: `${token} decoy in a sibling namespace`, namespace: `${t.ns}:decoy` }));
  return out;
}

check(
  'OMP-MCP-012',
  'MUST return from search_memory what the HTTP search returns for q = query and the same members',
  async (t) => {
    const s = await t.mcp();
    const token = uniqueToken(t);
    const created = await restSet(t, token);
    const cases: Record<string, unknown>[] = [
      { namespace: t.ns },
      { namespace: `${t.ns}:decoy` },
      { namespace: t.ns, tags: ['mcp-b'] },
      { namespace: t.ns, type: 'episodic' },
      { namespace: t.ns, tool: 'omp-conformance' },
      { namespace: t.ns, limit: 1, offset: 1 },
      { tags: [t.tag] },
    ];
    const first = await callOk<SearchResponse>(t, s, 'search_memory', { query: token, namespace: t.ns });
    const found = first.memories.map((m) => m.id);
    for (const m of created.slice(0, 3))
      if (!found.includes(m.id)) t.softFail(`search_memory does not find ${m.id}, created over REST`);
    // Without `mode`, search_memory runs the best mode the server offers (OMP-MCP-022): compare like with like.
    const caps = t.run.capabilities;
    const mode = caps.has('hybrid_search') ? 'hybrid' : caps.has('semantic_search') ? 'semantic' : 'keyword';
    await t.each(cases, async (members) => {
      const sc = await callOk<SearchResponse>(t, s, 'search_memory', { query: token, ...members });
      const res = await t.api.post('/v1/memories/search', { q: token, mode, ...members });
      const http = res.expect<SearchResponse>(200, 'search-response');
      if (!jsonEqual(sc, http))
        t.fail(
          `${callName('search_memory', { query: token, ...members })} returned ${short(sc, 200)}; the HTTP search returns ${short(http, 200)}`,
          res,
        );
    });
  },
);

check(
  'OMP-MCP-013',
  'MUST return from list_memories what the HTTP list returns for the same filters',
  async (t) => {
    const s = await t.mcp();
    await restSet(t, uniqueToken(t));
    const cases: Record<string, unknown>[] = [
      { namespace: t.ns },
      { namespace: `${t.ns}:decoy` },
      { namespace: t.ns, tags: ['mcp-a', 'mcp-b'] },
      { namespace: t.ns, type: 'procedural' },
      { namespace: t.ns, tool: 'omp-conformance-b' },
      { namespace: t.ns, limit: 2, offset: 1, sort: 'created_at_asc' },
      { namespace: t.ns, sort: 'updated_at_asc' },
      { tags: [t.tag] },
    ];
    // A server that offers cursors (0.4): the second page by the first page's next_cursor, passed back as is.
    const first = await list(t.api, { namespace: t.ns, limit: '1', sort: 'created_at_asc' });
    const cursor = (first.body as { next_cursor?: unknown } | undefined)?.next_cursor;
    if (typeof cursor === 'string') cases.push({ namespace: t.ns, limit: 1, sort: 'created_at_asc', cursor });
    else t.note('the server offers no next_cursor: list_memories was not asked to continue by cursor');
    await t.each(cases, async (filters) => {
      const sc = await callOk<ListMemoriesResponse>(t, s, 'list_memories', filters);
      const query = { ...filters, ...(Array.isArray(filters.tags) ? { tags: filters.tags.join(',') } : {}) };
      const { body, res } = await list(t.api, query as Record<string, string>);
      if (!jsonEqual(withOpaqueCursor(sc), withOpaqueCursor(body)))
        t.fail(
          `${callName('list_memories', filters)} returned ${short(sc, 200)}; the HTTP list returns ${short(body, 200)}`,
          res,
        );
    });
  },
);

/**
 * A list page with its `next_cursor` reduced to whether there is one: cursors are opaque (OMP-CLIENT-011), and
 * a server may issue a different one for the same position from one request to the next (e.g. one that
 * carries a version of the store, which any write elsewhere moves).
 */
function withOpaqueCursor(page: unknown): unknown {
  if (!page || typeof page !== 'object' || !('next_cursor' in page)) return page;
  const cursor = (page as { next_cursor: unknown }).next_cursor;
  return { ...page, next_cursor: typeof cursor === 'string' ? '(a cursor)' : cursor };
}

/** delete_memories' answer, compared as sets (the spec leaves the order open). */
function expectDeleted(
  t: CheckContext,
  got: { deleted: string[]; not_found: string[] },
  deleted: string[],
  notFound: string[],
): void {
  if (!jsonEqual(sorted(got.deleted), sorted(deleted)) || !jsonEqual(sorted(got.not_found), sorted(notFound)))
    t.fail(
      `delete_memories answered ${short(got, 300)}, want deleted ${JSON.stringify(deleted)} and not_found ${JSON.stringify(notFound)}`,
    );
}

check(
  'OMP-MCP-014',
  'MUST delete exactly the listed memories the key may delete and report every other id in not_found',
  async (t) => {
    const s = await t.mcp();
    const [a, b] = [await t.create(), await t.create()];
    const unknown = randomId();
    const got = await callOk<{ deleted: string[]; not_found: string[] }>(t, s, 'delete_memories', {
      memory_ids: [a.id, unknown],
    });
    if (got.deleted.includes(a.id)) t.forget(a.id);
    expectDeleted(t, got, [a.id], [unknown]);
    const gone = await t.api.get(`/v1/memories/${a.id}`);
    if (gone.status !== 404) t.fail(`${a.id} was reported deleted but GET answers ${gone.status}`, gone);
    await t.api.getMemory(b.id);
  },
);

check(
  'OMP-MCP-014.other-principal',
  "MUST report another principal's memory in not_found and leave it untouched",
  async (t) => {
    const s = await t.mcp();
    const theirs = await t.apiB.create(t.body());
    const mine = await t.create();
    const got = await callOk<{ deleted: string[]; not_found: string[] }>(t, s, 'delete_memories', {
      memory_ids: [theirs.id, mine.id],
    });
    if (got.deleted.includes(mine.id)) t.forget(mine.id);
    expectDeleted(t, got, [mine.id], [theirs.id]);
    await t.apiB.getMemory(theirs.id);
  },
  { needs: [{ kind: 'second-principal' }] },
);

check(
  'OMP-MCP-014.other-tool',
  "MUST report in not_found a memory a per-tool key sees but may not write (another tool's)",
  async (t) => {
    const { key, api } = t.toolKey({ scopes: 'read-write', readScope: 'all' });
    const s = await t.mcp(key.key);
    const others = await t.create({ source: { tool: `${key.me.tool}-other` } });
    const own = await api.create(t.body({ source: { tool: key.me.tool } }));
    const got = await callOk<{ deleted: string[]; not_found: string[] }>(t, s, 'delete_memories', {
      memory_ids: [others.id, own.id],
    });
    if (got.deleted.includes(own.id)) t.forget(own.id, key.key);
    expectDeleted(t, got, [own.id], [others.id]);
    await t.api.getMemory(others.id);
  },
  { needs: [{ kind: 'tool-key', scopes: 'read-write', readScope: 'all' }] },
);

/** Ids still readable with a key, of the given memories. */
async function survivors(t: CheckContext, key: KeyRef, ms_: readonly Memory[]): Promise<string[]> {
  const out: string[] = [];
  for (const m of ms_) {
    const res = await t.apiFor(key).get(`/v1/memories/${m.id}`);
    if (res.status === 200) out.push(m.id);
    else if (res.status !== 404) t.fail(`GET ${m.id} answered ${res.describe()}`, res);
  }
  return out;
}

check(
  'OMP-MCP-015',
  'MUST delete with delete_all_memories every memory of the principal in the namespace and report the count',
  async (t) => {
    const s = await t.mcp();
    const inNs = [
      await t.create(),
      await t.create({ source: { tool: 'omp-conformance-b' } }),
      await t.create({ type: 'episodic' }),
    ];
    const elsewhere = await t.create({ namespace: `${t.ns}:keep` });
    const got = await callOk<{ deleted: number }>(t, s, 'delete_all_memories', { namespace: t.ns });
    const left = await survivors(t, PRIMARY, inNs);
    for (const m of inNs) if (!left.includes(m.id)) t.forget(m.id);
    if (left.length) t.softFail(`delete_all_memories left ${left.join(', ')} in namespace ${t.ns}`);
    if (got.deleted !== inNs.length)
      t.softFail(`delete_all_memories reported ${got.deleted} deleted, want ${inNs.length}`);
    if ((await survivors(t, PRIMARY, [elsewhere])).length !== 1)
      t.softFail(
        `delete_all_memories with namespace ${t.ns} deleted ${elsewhere.id} of namespace ${t.ns}:keep`,
      );
  },
);

check(
  'OMP-MCP-016',
  "MUST NOT delete another principal's memories with delete_all_memories",
  async (t) => {
    const s = await t.mcp();
    const mine = [await t.create(), await t.create()];
    const theirs = [await t.apiB.create(t.body()), await t.apiB.create(t.body())];
    const got = await callOk<{ deleted: number }>(t, s, 'delete_all_memories', { namespace: t.ns });
    const kept = await survivors(t, SECOND, theirs);
    if (kept.length !== theirs.length) {
      for (const m of theirs) if (!kept.includes(m.id)) t.forget(m.id, SECOND);
      t.softFail(
        `delete_all_memories deleted ${theirs.length - kept.length} memories of the second principal in namespace ${t.ns}`,
      );
    }
    const left = await survivors(t, PRIMARY, mine);
    for (const m of mine) if (!left.includes(m.id)) t.forget(m.id);
    if (left.length) t.softFail(`delete_all_memories left the key's own ${left.join(', ')}`);
    if (got.deleted !== mine.length)
      t.softFail(`delete_all_memories reported ${got.deleted} deleted, want ${mine.length}`);
  },
  { also: ['OMP-MCP-015'], needs: [{ kind: 'second-principal' }] },
);

check(
  'OMP-MCP-016.tool',
  "MUST delete with a per-tool key's delete_all_memories only that tool's memories",
  async (t) => {
    const { key, api } = t.toolKey({ scopes: 'read-write' });
    const s = await t.mcp(key.key);
    const others = [
      await t.create({ source: { tool: `${key.me.tool}-other` } }),
      await t.create({ source: { tool: `${key.me.tool}-other` } }),
    ];
    const own = [
      await api.create(t.body({ source: { tool: key.me.tool } })),
      await api.create(t.body({ source: { tool: key.me.tool } })),
    ];
    const got = await callOk<{ deleted: number }>(t, s, 'delete_all_memories', { namespace: t.ns });
    const kept = await survivors(t, PRIMARY, others);
    for (const m of others) if (!kept.includes(m.id)) t.forget(m.id);
    if (kept.length !== others.length)
      t.softFail(
        `a key of tool ${key.me.tool} deleted ${others.length - kept.length} memories of another tool`,
      );
    const left = await survivors(t, PRIMARY, own);
    for (const m of own) if (!left.includes(m.id)) t.forget(m.id, key.key);
    if (left.length) t.softFail(`delete_all_memories left the tool's own ${left.join(', ')}`);
    if (got.deleted !== own.length)
      t.softFail(`delete_all_memories reported ${got.deleted} deleted, want ${own.length}`);
  },
  { also: ['OMP-MCP-015'], needs: [{ kind: 'tool-key', scopes: 'read-write' }] },
);

check(
  'OMP-MCP-017',
  'MUST answer a failed tool call with isError, the error envelope as structuredContent and a text item',
  async (t) => {
    const s = await t.mcp();
    // Refused by the tool's own argument check, and by the server (an expiry in the past, OMP-CRUD).
    const env = await callErr(
      t,
      s,
      'add_memories',
      { text: 'x', tags: ['Not Valid'], namespace: t.ns },
      'validation_error',
    );
    const errors = (env.details as { errors?: { path?: string }[] }).errors ?? [];
    if (!errors.some((e) => String(e.path).startsWith('/tags')))
      t.softFail(`the validation_error names ${short(errors)}, not /tags`);
    await callErr(
      t,
      s,
      'add_memories',
      { text: `expired ${t.tag}`, namespace: t.ns, tags: t.tags(), expires_at: '2001-01-01T00:00:00Z' },
      'validation_error',
    );
    await callErr(t, s, 'delete_memories', { memory_ids: [] }, 'validation_error');
  },
);

check(
  'OMP-MCP-018',
  'MUST fail add_memories, delete_memories and delete_all_memories with forbidden for a key without write',
  async (t) => {
    const { key } = t.toolKey({ scopes: 'read-only' });
    const s = await t.mcp(key.key);
    const mine = await t.create();
    await callErr(
      t,
      s,
      'add_memories',
      { text: `not allowed ${t.tag}`, namespace: t.ns, tags: t.tags() },
      'forbidden',
    );
    await callErr(t, s, 'delete_memories', { memory_ids: [mine.id] }, 'forbidden');
    await callErr(t, s, 'delete_all_memories', { namespace: t.ns }, 'forbidden');
    const { body, res } = await list(t.api, { namespace: t.ns });
    if (body.total !== 1 || body.memories[0]?.id !== mine.id)
      t.fail(`a read-only key changed namespace ${t.ns}: it now holds ${body.total} memories`, res);
    // Reading is what the key may do.
    await callOk(t, s, 'list_memories', { namespace: t.ns });
  },
  { needs: [{ kind: 'tool-key', scopes: 'read-only' }] },
);

check(
  'OMP-MCP-018.write-only',
  'MUST fail search_memory and list_memories with forbidden for a key without read',
  async (t) => {
    const { key } = t.toolKey({ scopes: 'write-only' });
    const s = await t.mcp(key.key);
    await callErr(t, s, 'search_memory', { query: uniqueToken(t), namespace: t.ns }, 'forbidden');
    await callErr(t, s, 'list_memories', { namespace: t.ns }, 'forbidden');
  },
  { needs: [{ kind: 'tool-key', scopes: 'write-only' }] },
);

check('OMP-MCP-019', 'MUST answer a call of an unknown tool with a JSON-RPC error', async (t) => {
  const s = await t.mcp();
  const name = `omp_conformance_no_such_tool_${t.run.runId}`;
  const out = await s.callTool(name, {});
  if (out.kind !== 'error')
    t.fail(
      `tools/call of ${name} answered a tool result, not a JSON-RPC error: ${short(t.mcpRun.o.redact(out.raw), 300)}`,
    );
});
