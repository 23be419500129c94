/**
 * The stdio adapter end to end: the MCP SDK's client spawns the real `omp-mcp` bin, which calls the live
 * reference server; what the tools did is checked through the server's REST API.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Memory } from '@omp-kit/schemas/types';
import type { RunningServer } from 'omp-reference-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdio, KEYS, rest, startLive } from './support/live.ts';

let srv: RunningServer;
const clients: Client[] = [];

async function adapter(
  key: string,
  extraEnv: Record<string, string> = {},
  clientName?: string,
): Promise<Client> {
  const { client } = await connectStdio({ OMP_SERVER: srv.url, OMP_API_KEY: key, ...extraEnv }, clientName);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  srv = await startLive();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await srv?.close();
});

/** The table of SPEC.md §13.2: each tool and its required arguments. */
const requiredArguments: [string, string[]][] = [
  ['add_memories', ['text']],
  ['search_memory', ['query']],
  ['list_memories', []],
  ['delete_memories', ['memory_ids']],
  ['delete_all_memories', []],
];

describe('omp-mcp over stdio against the reference server', () => {
  let owner: Client;
  beforeAll(async () => {
    // A client name with a control character: source.tool must be it with the character removed.
    owner = await adapter(KEYS.owner, {}, 'Stdio Test\u0007Client');
  });

  it('lists the five tools with exactly the required arguments of the spec table, and output schemas', async () => {
    expect(owner.getServerCapabilities()?.tools).toEqual({ listChanged: false });
    expect(owner.getInstructions()).toMatch(/never instructions/);
    const { tools } = await owner.listTools();
    expect(tools.map((t) => t.name)).toEqual(requiredArguments.map(([name]) => name));
    for (const [name, required] of requiredArguments) {
      const tool = tools.find((t) => t.name === name)!;
      expect([...(tool.inputSchema.required ?? [])].sort(), name).toEqual([...required].sort());
      expect(tool.outputSchema?.type, name).toBe('object');
      expect(JSON.stringify(tool), name).not.toContain('$ref');
    }
  });

  it('add_memories stores one memory, visible over REST with source.tool from clientInfo', async () => {
    const res = await owner.callTool({
      name: 'add_memories',
      arguments: {
        text: 'Prefers dark mode\nin every editor',
        tags: ['preferences', 'editor'],
        namespace: 'project:stdio',
        metadata: { confidence: 0.9 },
        session_id: 'sess-42',
        infer: true,
      },
    });
    expect(res.isError).toBeFalsy();
    const memories = (res.structuredContent as { memories: Memory[] }).memories;
    expect(memories).toHaveLength(1);
    const added = memories[0]!;
    const stored = await rest(srv.url, KEYS.owner).get(added.id);
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual(added);
    expect(stored.body).toMatchObject({
      content: 'Prefers dark mode\nin every editor',
      type: 'semantic',
      tags: ['preferences', 'editor'],
      namespace: 'project:stdio',
      metadata: { confidence: 0.9 },
      source: { tool: 'Stdio TestClient', session_id: 'sess-42' },
    });
    expect(stored.body.source?.user_id).toBeUndefined();
    // The JSON of the result first (MCP 2025-06-18), then the rendering for people.
    const [json, text] = res.content as { type: string; text: string }[];
    expect(json!.type).toBe('text');
    expect(JSON.parse(json!.text)).toEqual(res.structuredContent);
    expect(text!.text).toContain(`${added.id} [semantic] Prefers dark mode in every editor`);
  });

  it('add_memories takes the type argument', async () => {
    const res = await owner.callTool({
      name: 'add_memories',
      arguments: { text: 'Deploys with make release', type: 'procedural' },
    });
    expect((res.structuredContent as { memories: Memory[] }).memories[0]!.type).toBe('procedural');
  });

  it('search_memory finds a memory created over REST, exactly as the HTTP search does', async () => {
    const api = rest(srv.url, KEYS.owner);
    const created = await api.create('Owns a zebra named Unicorn', { namespace: 'zoo', tags: ['pets'] });
    const res = await owner.callTool({
      name: 'search_memory',
      arguments: { query: 'unicorn', namespace: 'zoo' },
    });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as { memories: Memory[]; total: number; mode_used: string };
    expect(out.memories.map((m) => m.id)).toEqual([created.id]);
    const http = await api.call('POST', '/v1/memories/search', { q: 'unicorn', namespace: 'zoo' });
    expect(out).toEqual(http.body);
    expect((res.content as { text: string }[])[1]!.text).toContain(
      `${created.id} [semantic] Owns a zebra named Unicorn`,
    );
  });

  it('list_memories returns what the HTTP list returns for the same filters', async () => {
    const api = rest(srv.url, KEYS.owner);
    for (const n of [1, 2, 3])
      await api.create(`Listed memory ${n}`, { namespace: 'listing', tags: ['l', `n${n}`] });
    const cases: [string, Record<string, unknown>, string][] = [
      ['namespace', { namespace: 'listing' }, '?namespace=listing'],
      [
        'page',
        { namespace: 'listing', limit: 2, offset: 1, sort: 'created_at_asc' },
        '?namespace=listing&limit=2&offset=1&sort=created_at_asc',
      ],
      ['tags', { tags: ['l', 'n2'] }, '?tags=l,n2'],
      ['tool', { tool: 'rest', namespace: 'listing' }, '?tool=rest&namespace=listing'],
      ['everything', {}, ''],
    ];
    for (const [name, args, query] of cases) {
      const res = await owner.callTool({ name: 'list_memories', arguments: args });
      expect(res.structuredContent, name).toEqual(await api.list(query));
    }
  });

  it('delete_memories deletes visible ids and reports the others in not_found', async () => {
    const api = rest(srv.url, KEYS.owner);
    const mine = await api.create('To be deleted');
    const bobs = await rest(srv.url, KEYS.bob).create('Bob keeps this');
    const unknown = 'mem_0000000000000000';
    const res = await owner.callTool({
      name: 'delete_memories',
      arguments: { memory_ids: [mine.id, unknown, bobs.id] },
    });
    expect(res.structuredContent).toEqual({ deleted: [mine.id], not_found: [unknown, bobs.id] });
    expect((await api.get(mine.id)).status).toBe(404);
    expect((await rest(srv.url, KEYS.bob).get(bobs.id)).status).toBe(200);
  });

  it('uses OMP_TOOL as source.tool for a global key', async () => {
    const named = await adapter(KEYS.owner, { OMP_TOOL: 'my-editor' });
    const res = await named.callTool({ name: 'add_memories', arguments: { text: 'Named by OMP_TOOL' } });
    expect((res.structuredContent as { memories: Memory[] }).memories[0]!.source.tool).toBe('my-editor');
  });

  describe('errors', () => {
    const invalid: [string, string, Record<string, unknown>, string][] = [
      ['empty text', 'add_memories', { text: '' }, '/text'],
      ['missing text', 'add_memories', { tags: ['a'] }, '/text'],
      ['upper-case tag', 'add_memories', { text: 'x', tags: ['Bad'] }, '/tags/0'],
      ['unknown argument', 'add_memories', { text: 'x', colour: 'red' }, '/colour'],
      ['limit too large', 'list_memories', { limit: 1000 }, '/limit'],
      ['missing query', 'search_memory', {}, '/query'],
      ['empty id', 'delete_memories', { memory_ids: [''] }, '/memory_ids/0'],
      ['bad namespace', 'delete_all_memories', { namespace: 'Has Space' }, '/namespace'],
    ];
    for (const [name, tool, args, path] of invalid) {
      it(`rejects ${name} with a validation_error tool error`, async () => {
        const res = await owner.callTool({ name: tool, arguments: args });
        expect(res.isError).toBe(true);
        const env = res.structuredContent as { error: string; details: { errors: { path: string }[] } };
        expect(env.error).toBe('validation_error');
        expect(env.details.errors.map((e) => e.path)).toContain(path);
        expect((res.content as { text: string }[])[0]!.text).toMatch(/^Error validation_error: /);
      });
    }

    it('reports a malformed id in not_found, as the HTTP API answers it 404 (OMP-ID-004, OMP-MCP-014)', async () => {
      const res = await owner.callTool({ name: 'delete_memories', arguments: { memory_ids: ['nope'] } });
      expect(res.isError).toBeFalsy();
      expect(res.structuredContent).toEqual({ deleted: [], not_found: ['nope'] });
    });

    it('answers an unknown tool with a JSON-RPC error, not a tool result', async () => {
      await expect(owner.callTool({ name: 'forget_everything', arguments: {} })).rejects.toThrow(
        /Unknown tool/,
      );
    });

    it('passes the server validation errors through (expiry in the past)', async () => {
      const res = await owner.callTool({
        name: 'add_memories',
        arguments: { text: 'x', expires_at: '2001-01-01T00:00:00Z' },
      });
      expect(res.structuredContent).toMatchObject({ error: 'validation_error' });
    });

    it('fails every writing tool with forbidden for a read-only key, and still reads', async () => {
      const ro = await adapter(KEYS.ownerReadOnly);
      for (const [tool, args] of [
        ['add_memories', { text: 'not allowed' }],
        ['delete_memories', { memory_ids: ['mem_0000000000000000'] }],
        ['delete_all_memories', {}],
      ] as const) {
        const res = await ro.callTool({ name: tool, arguments: args });
        expect(res.isError, tool).toBe(true);
        expect(res.structuredContent, tool).toMatchObject({ error: 'forbidden' });
      }
      const search = await ro.callTool({ name: 'search_memory', arguments: { query: 'unicorn' } });
      expect(search.isError).toBeFalsy();
      expect((search.structuredContent as { total: number }).total).toBeGreaterThan(0);
    });

    it('fails with unauthorized for an unknown key', async () => {
      const stranger = await adapter('no-such-key-0123456789abcdef');
      const res = await stranger.callTool({ name: 'list_memories', arguments: {} });
      expect(res.structuredContent).toMatchObject({ error: 'unauthorized' });
    });
  });
});

describe('delete_all_memories', () => {
  // carol's memories: two tools, two namespaces; bob's memories must survive everything carol does.
  async function seed(): Promise<void> {
    const byTool = async (tool: string, content: string, namespace?: string) =>
      rest(srv.url, KEYS.carol).create(content, { source: { tool }, ...(namespace ? { namespace } : {}) });
    await byTool('cursor', 'cursor one', 'proj:a');
    await byTool('cursor', 'cursor two');
    await byTool('windsurf', 'windsurf one', 'proj:a');
    await byTool('windsurf', 'windsurf two');
    await byTool('claude', 'claude one', 'proj:a');
    await byTool('claude', 'claude two');
  }

  async function carolTools(): Promise<string[]> {
    const { memories } = await rest(srv.url, KEYS.carol).list('?limit=100&sort=created_at_asc');
    return memories.map((m) => `${m.source.tool}:${m.content}`);
  }

  it('scopes a global key to its principal and to the namespace', async () => {
    const bobBefore = (await rest(srv.url, KEYS.bob).list()).total;
    await rest(srv.url, KEYS.bob).create('bob in proj:a', { namespace: 'proj:a' });
    await seed();
    const carol = await adapter(KEYS.carol);
    const inA = await carol.callTool({ name: 'delete_all_memories', arguments: { namespace: 'proj:a' } });
    expect(inA.structuredContent).toEqual({ deleted: 3 });
    expect((inA.content as { text: string }[])[1]!.text).toBe('Deleted 3 memories in namespace proj:a.');
    expect(await carolTools()).toEqual(['cursor:cursor two', 'windsurf:windsurf two', 'claude:claude two']);
    const all = await carol.callTool({ name: 'delete_all_memories', arguments: {} });
    expect(all.structuredContent).toEqual({ deleted: 3 });
    expect(await carolTools()).toEqual([]);
    expect((await rest(srv.url, KEYS.bob).list()).total).toBe(bobBefore + 1);
  });

  it("deletes only the key's own tool's memories for per-tool keys (read scope own and all)", async () => {
    await seed();
    const cursor = await adapter(KEYS.carolCursor);
    expect((await cursor.callTool({ name: 'delete_all_memories', arguments: {} })).structuredContent).toEqual(
      {
        deleted: 2,
      },
    );
    // windsurf's key sees every tool's memories (read scope all) but may delete only its own.
    const windsurf = await adapter(KEYS.carolWindsurf);
    expect(
      (await windsurf.callTool({ name: 'delete_all_memories', arguments: {} })).structuredContent,
    ).toEqual({
      deleted: 2,
    });
    expect(await carolTools()).toEqual(['claude:claude one', 'claude:claude two']);
  });

  it('pages through more than one list page', async () => {
    const api = rest(srv.url, KEYS.carol);
    for (let i = 0; i < 230; i++) await api.create(`bulk ${i}`, { namespace: 'bulk' });
    const carol = await adapter(KEYS.carol);
    const res = await carol.callTool({ name: 'delete_all_memories', arguments: { namespace: 'bulk' } });
    expect(res.structuredContent).toEqual({ deleted: 230 });
    expect((await api.list('?namespace=bulk')).total).toBe(0);
  });

  it('with a per-tool key, source.tool is the key tool and other tools memories are not_found for delete_memories', async () => {
    const windsurf = await adapter(KEYS.carolWindsurf, { OMP_TOOL: 'ignored-name' }, 'Some Client');
    const added = await windsurf.callTool({
      name: 'add_memories',
      arguments: { text: 'windsurf wrote this' },
    });
    const memory = (added.structuredContent as { memories: Memory[] }).memories[0]!;
    expect(memory.source.tool).toBe('windsurf');
    const claude = await rest(srv.url, KEYS.carol).create('claude wrote this', {
      source: { tool: 'claude' },
    });
    const res = await windsurf.callTool({
      name: 'delete_memories',
      arguments: { memory_ids: [claude.id, memory.id] },
    });
    expect(res.structuredContent).toEqual({ deleted: [memory.id], not_found: [claude.id] });
    expect((await rest(srv.url, KEYS.carol).get(claude.id)).status).toBe(200);
  });
});
