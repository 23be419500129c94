/**
 * `createOmpMcpHttpHandler` end to end: mounted at /mcp in the live reference server's own HTTP server, its
 * backend calling that server's API over loopback with each caller's key; the MCP SDK's Streamable HTTP and
 * SSE clients talk to it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Memory } from '@omp-kit/schemas/types';
import type { RunningServer } from 'omp-reference-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOmpMcpHttpHandler, type OmpMcpHttpHandler } from '../src/index.ts';
import { KEYS, rest, startLive } from './support/live.ts';

let srv: RunningServer;
let handler: OmpMcpHttpHandler;
let mcpBase: string;
const clients: Client[] = [];

beforeAll(async () => {
  srv = await startLive();
  // Mount the handler in the reference server's own HTTP server, as the server will: /mcp and below go to
  // MCP, every other request to the OMP API as before, on the same port; the backend calls back over loopback.
  handler = createOmpMcpHttpHandler({ baseUrl: () => srv.url });
  const api = srv.httpServer.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  srv.httpServer.removeAllListeners('request');
  srv.httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (handler.handles(req)) void handler(req, res);
    else for (const listener of api) listener.call(srv.httpServer, req, res);
  });
  mcpBase = srv.url;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await handler?.close();
  await srv?.close();
});

async function connect(
  path: string,
  key: string | undefined,
  transport: 'http' | 'sse' = 'http',
  clientName = 'http-client',
): Promise<Client> {
  const requestInit = key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } };
  const url = new URL(`${mcpBase}${path}`);
  const client = new Client({ name: clientName, version: '1.0.0' });
  await client.connect(
    transport === 'http'
      ? new StreamableHTTPClientTransport(url, { requestInit })
      : new SSEClientTransport(url, { requestInit }),
  );
  clients.push(client);
  // As real clients do: list the tools first, so `callTool` checks every result (errors too) against the
  // declared output schemas.
  await client.listTools();
  return client;
}

async function raw(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(`${mcpBase}${path}`, {
    method,
    headers: {
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe('handles', () => {
  const cases: [string, boolean][] = [
    ['/mcp', true],
    ['/mcp?x=1', true],
    ['/mcp/claude/sse/u/messages?sessionId=1', true],
    ['/mcpx', false],
    ['/v1/memories', false],
  ];
  for (const [url, want] of cases) {
    it(`${url}: ${want}`, () => expect(handler.handles({ url } as IncomingMessage)).toBe(want));
  }
});

describe('HTTP refusals before any MCP message (OMP-MCP-003, OMP-ERR-011)', () => {
  const cases: [
    string,
    { method: string; path: string; headers?: Record<string, string> },
    { status: number; error: string },
  ][] = [
    ['no key', { method: 'POST', path: '/mcp' }, { status: 401, error: 'unauthorized' }],
    [
      'unknown key',
      { method: 'POST', path: '/mcp', headers: { authorization: 'Bearer nope-nope-nope-nope' } },
      { status: 401, error: 'unauthorized' },
    ],
    [
      'malformed header',
      { method: 'POST', path: '/mcp', headers: { authorization: `Basic ${KEYS.owner}` } },
      { status: 401, error: 'unauthorized' },
    ],
    ['unknown path', { method: 'POST', path: '/mcp/claude/ws/alice' }, { status: 404, error: 'not_found' }],
    [
      'method',
      { method: 'PUT', path: '/mcp', headers: { authorization: `Bearer ${KEYS.owner}` } },
      { status: 405, error: 'method_not_allowed' },
    ],
    [
      'POST to an SSE stream',
      { method: 'POST', path: '/mcp/claude/sse/alice' },
      { status: 405, error: 'method_not_allowed' },
    ],
  ];
  for (const [name, given, want] of cases) {
    it(`answers ${name} with ${want.status} ${want.error}`, async () => {
      const res = await raw(given.method, given.path, given.headers, initialize);
      expect(res.status).toBe(want.status);
      expect(JSON.parse(res.text)).toMatchObject({ error: want.error });
      if (want.status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      if (want.status === 405) expect(res.headers.get('allow')).toBeTruthy();
    });
  }

  it('keeps a session to the key that opened it', async () => {
    const init = await raw('POST', '/mcp', { authorization: `Bearer ${KEYS.owner}` }, initialize);
    expect(init.status).toBe(200);
    const session = init.headers.get('mcp-session-id')!;
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    const stolen = await raw(
      'POST',
      '/mcp',
      { authorization: `Bearer ${KEYS.bob}`, 'mcp-session-id': session },
      list,
    );
    expect(stolen.status).toBe(404);
    const other = await raw(
      'POST',
      '/mcp/x/http/y',
      { authorization: `Bearer ${KEYS.owner}`, 'mcp-session-id': session },
      list,
    );
    expect(other.status).toBe(404);
  });
});

describe('Streamable HTTP at /mcp', () => {
  it('serves the five tools and adds with source.tool from clientInfo', async () => {
    const client = await connect('/mcp', KEYS.owner, 'http', 'HTTP Client');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'add_memories',
      'search_memory',
      'list_memories',
      'delete_memories',
      'delete_all_memories',
    ]);
    const res = await client.callTool({ name: 'add_memories', arguments: { text: 'Said over /mcp' } });
    const added = (res.structuredContent as { memories: Memory[] }).memories[0]!;
    expect(added.source.tool).toBe('HTTP Client');
    expect(added.source.user_id).toBeUndefined();
    expect((await rest(srv.url, KEYS.owner).get(added.id)).body).toEqual(added);
  });

  it('uses the key of each caller: isolation and forbidden as on the HTTP API', async () => {
    const bob = await connect('/mcp', KEYS.bob);
    const ownerMemory = await rest(srv.url, KEYS.owner).create('owner secret sauce');
    const search = await bob.callTool({ name: 'search_memory', arguments: { query: 'sauce' } });
    expect((search.structuredContent as { total: number }).total).toBe(0);
    const del = await bob.callTool({ name: 'delete_memories', arguments: { memory_ids: [ownerMemory.id] } });
    expect(del.structuredContent).toEqual({ deleted: [], not_found: [ownerMemory.id] });
    const ro = await connect('/mcp', KEYS.ownerReadOnly);
    const add = await ro.callTool({ name: 'add_memories', arguments: { text: 'nope' } });
    expect(add.isError).toBe(true);
    expect(add.structuredContent).toMatchObject({ error: 'forbidden' });
  });
});

describe('OpenMemory-style URLs', () => {
  it('Streamable HTTP at /mcp/{client_name}/http/{user_id}: source.tool and source.user_id from the URL', async () => {
    const client = await connect(
      '/mcp/claude%20desktop/http/alice%40example.com',
      KEYS.owner,
      'http',
      'ignored',
    );
    const res = await client.callTool({
      name: 'add_memories',
      arguments: { text: 'Via the OpenMemory URL', session_id: 's1' },
    });
    const added = (res.structuredContent as { memories: Memory[] }).memories[0]!;
    expect(added.source).toMatchObject({
      tool: 'claude desktop',
      user_id: 'alice@example.com',
      session_id: 's1',
    });
  });

  it('a per-tool key wins over the URL client name', async () => {
    const client = await connect('/mcp/claude/http/carol', KEYS.carolCursor);
    const res = await client.callTool({ name: 'add_memories', arguments: { text: 'cursor via URL' } });
    expect((res.structuredContent as { memories: Memory[] }).memories[0]!.source).toMatchObject({
      tool: 'cursor',
      user_id: 'carol',
    });
  });

  it('legacy SSE at /mcp/{client_name}/sse/{user_id}', async () => {
    const client = await connect('/mcp/cline/sse/u1', KEYS.owner, 'sse');
    const add = await client.callTool({
      name: 'add_memories',
      arguments: { text: 'Said over SSE', namespace: 'sse' },
    });
    const added = (add.structuredContent as { memories: Memory[] }).memories[0]!;
    expect(added.source).toMatchObject({ tool: 'cline', user_id: 'u1' });
    const list = await client.callTool({ name: 'list_memories', arguments: { namespace: 'sse' } });
    expect(list.structuredContent).toEqual(await rest(srv.url, KEYS.owner).list('?namespace=sse'));
    const invalid = await client.callTool({ name: 'list_memories', arguments: { limit: 0 } });
    expect(invalid.structuredContent).toMatchObject({ error: 'validation_error' });
  });

  it('refuses an SSE stream without a key, and posts to an unknown SSE session', async () => {
    const stream = await raw('GET', '/mcp/cline/sse/u1');
    expect(stream.status).toBe(401);
    const post = await raw(
      'POST',
      '/mcp/cline/sse/u1/messages?sessionId=unknown',
      { authorization: `Bearer ${KEYS.owner}` },
      initialize,
    );
    expect(post.status).toBe(404);
  });
});

describe('sessions', () => {
  it('ends a Streamable HTTP session on DELETE and closes the rest on close()', async () => {
    const init = await raw('POST', '/mcp', { authorization: `Bearer ${KEYS.owner}` }, initialize);
    const session = init.headers.get('mcp-session-id')!;
    const before = handler.sessionCount;
    const del = await raw('DELETE', '/mcp', {
      authorization: `Bearer ${KEYS.owner}`,
      'mcp-session-id': session,
    });
    expect(del.status).toBe(200);
    expect(handler.sessionCount).toBe(before - 1);
    const after = await raw(
      'POST',
      '/mcp',
      { authorization: `Bearer ${KEYS.owner}`, 'mcp-session-id': session },
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/list',
        params: {},
      },
    );
    expect(after.status).toBe(404);
  });

  it('does not keep a session for a request that is not an initialize', async () => {
    const before = handler.sessionCount;
    const res = await raw(
      'POST',
      '/mcp',
      { authorization: `Bearer ${KEYS.owner}` },
      { jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} },
    );
    expect(res.status).toBe(400);
    expect(handler.sessionCount).toBe(before);
  });
});

describe('when the OMP API does not answer', () => {
  it('answers 503 unavailable with Retry-After', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const orphan = createOmpMcpHttpHandler({ baseUrl: `http://127.0.0.1:${deadPort}` });
    const host = createServer((req, res) => void orphan(req, res));
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(host.address() as AddressInfo).port}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.owner}`, 'content-type': 'application/json' },
        body: JSON.stringify(initialize),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ error: 'unavailable' });
    } finally {
      await orphan.close();
      await new Promise<void>((resolve) => host.close(() => resolve()));
    }
  });
});
