/**
 * The MCP endpoints under pressure (issue #14, SPEC.md §13.1): session caps and idle expiry, SSE keepalive,
 * RFC 6750 challenges, Origin validation and preflight, trailing slashes, per-id delete outcomes, and
 * delete_all_memories as one bulk operation with progress. Clients are the real MCP SDK's.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SESSION_LIMIT_CODE } from 'omp-mcp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { create, startTestServer, type TestServer } from './helpers.ts';

let srv: TestServer;
const clients: Client[] = [];

beforeAll(async () => {
  srv = await startTestServer({ mcp: { keepaliveMs: 100, allowedOrigins: ['https://app.example'] } });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await srv?.stop();
});

function transportFor(path: string, key: string, base = srv.url): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(`${base}${path}`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
}

async function connect(
  path: string,
  key: string,
  base = srv.url,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = transportFor(path, key, base);
  const client = new Client({ name: 'hardening-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  await client.listTools();
  return { client, transport };
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

function rawPost(
  path: string,
  key: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
  base = srv.url,
) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

describe('session caps (§13.1)', () => {
  test('per key and in total, answered with the JSON-RPC error; a closed session frees its place', async () => {
    const capped = await startTestServer({ mcp: { maxSessionsPerKey: 2, maxSessions: 3 } });
    const base = capped.url;
    const keys = capped.keys;
    try {
      const a1 = await connect('/mcp', keys.owner, base);
      await connect('/mcp', keys.owner, base);
      // A third session of the same key: 429 and the specified JSON-RPC error, before any session is made.
      const third = await rawPost('/mcp', keys.owner, initialize, {}, base);
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
      const body = await third.json();
      expect(body).toMatchObject({
        jsonrpc: '2.0',
        id: null,
        error: { code: SESSION_LIMIT_CODE, data: { error: 'rate_limited', scope: 'key', limit: 2 } },
      });
      // The SDK client sees the failure too.
      await expect(connect('/mcp', keys.owner, base)).rejects.toThrow();
      // Another key still gets one (3 in total), then the server's cap: 503.
      const b1 = await connect('/mcp', keys.bob, base);
      const fourth = await rawPost('/mcp', keys.claudeAll, initialize, {}, base);
      expect(fourth.status).toBe(503);
      expect((await fourth.json()).error).toMatchObject({
        code: SESSION_LIMIT_CODE,
        data: { scope: 'server' },
      });
      // Ending a session (DELETE) gives its place back.
      await a1.transport.terminateSession();
      await a1.client.close();
      await connect('/mcp', keys.claudeAll, base);
      await b1.transport.terminateSession();
      await b1.client.close();
    } finally {
      await capped.stop();
    }
  });

  test('idle sessions expire and free their place', async () => {
    const idle = await startTestServer({ mcp: { maxSessionsPerKey: 1, sessionIdleMs: 1500 } });
    try {
      const first = await connect('/mcp', idle.token, idle.url);
      // Polled, not timed: the sweeper runs every 1.5 s; on a busy machine it may take longer.
      let status = 0;
      for (let i = 0; i < 300 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const res = await fetch(`${idle.url}/mcp`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${idle.token}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body: JSON.stringify(initialize),
        });
        status = res.status;
        await res.body?.cancel();
      }
      expect(status).toBe(200);
      // The expired session is gone for its client.
      await expect(first.client.listTools()).rejects.toThrow();
    } finally {
      await idle.stop();
    }
  });
});

describe('legacy SSE keepalive', () => {
  test('an idle stream carries comment lines', async () => {
    const res = await fetch(`${srv.url}/mcp/claude/sse/u1`, {
      headers: { authorization: `Bearer ${srv.keys.writeOnly}`, accept: 'text/event-stream' },
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes(': keepalive\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    expect(text).toMatch(/^event: endpoint\n/);
    expect(text).toContain(': keepalive\n\n');
    await reader.cancel();
  });
});

describe('401 challenges and OAuth metadata', () => {
  test('a wrong key says invalid_token with the reason, on MCP and on the API; no key gets a bare challenge', async () => {
    const wrong = await rawPost('/mcp', 'w'.repeat(40), initialize);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe(
      'Bearer realm="omp", error="invalid_token", error_description="Unknown API key"',
    );
    const api = await fetch(`${srv.url}/v1/me`, { headers: { authorization: `Bearer ${'w'.repeat(40)}` } });
    expect(api.headers.get('www-authenticate')).toBe(
      'Bearer realm="omp", error="invalid_token", error_description="Unknown API key"',
    );
    const none = await rawPost('/mcp', undefined, initialize);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="omp"');
  });

  test('no OAuth metadata is offered', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-authorization-server',
      '/register',
    ]) {
      expect((await fetch(`${srv.url}${path}`)).status, path).toBe(404);
    }
  });
});

describe('Origin (DNS rebinding) and CORS', () => {
  test('a foreign Origin is 403; loopback and allow-listed origins pass with CORS headers', async () => {
    const evil = await rawPost('/mcp', srv.token, initialize, { origin: 'http://evil.example:3456' });
    expect(evil.status).toBe(403);
    expect((await evil.json()).error).toBe('forbidden');
    const nul = await rawPost('/mcp', srv.token, initialize, { origin: 'null' });
    expect(nul.status).toBe(403);
    for (const origin of ['http://localhost:6274', 'https://app.example']) {
      const res = await rawPost('/mcp', undefined, initialize, { origin });
      expect(res.status, origin).toBe(401);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-expose-headers')).toMatch(/mcp-session-id/);
    }
  });

  test('OPTIONS answers the preflight', async () => {
    const res = await fetch(`${srv.url}/mcp/cursor/http/u1`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:6274',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, mcp-session-id',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:6274');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE, OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization.*mcp-session-id/);
    const plain = await fetch(`${srv.url}/mcp`, { method: 'OPTIONS' });
    expect(plain.status).toBe(204);
    expect(plain.headers.get('allow')).toBe('GET, POST, DELETE, OPTIONS');
  });
});

describe('tools', () => {
  test('a trailing slash on an OpenMemory URL is the same endpoint', async () => {
    const { client } = await connect('/mcp/cursor/http/u-9/', srv.keys.bob);
    const res = await client.callTool({ name: 'add_memories', arguments: { text: 'trailing slash' } });
    expect((res.structuredContent as { memories: { source: object }[] }).memories[0]?.source).toMatchObject({
      tool: 'cursor',
      user_id: 'u-9',
    });
  });

  test('delete_memories reports a malformed id like an unknown one and deletes the rest', async () => {
    const { client } = await connect('/mcp', srv.keys.bob);
    const m = await create(srv.as(srv.keys.bob), { content: 'to delete' });
    const ids = ['not-an-id', '0b1f6c1e-6b1a-4f0e-9d55-0d5f2c1a9b7e', 'mem_0000000000000000', m.id];
    const res = await client.callTool({ name: 'delete_memories', arguments: { memory_ids: ids } });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toEqual({ deleted: [m.id], not_found: ids.slice(0, 3) });
    expect(JSON.parse((res.content as { text: string }[])[0]!.text)).toEqual(res.structuredContent);
  });

  test('delete_all_memories: one bulk operation with progress, also for a write-only key', async () => {
    const bulk = await startTestServer();
    try {
      const items = Array.from({ length: 1200 }, (_, i) => ({
        id: `mem_bulk${String(i).padStart(12, '0')}`,
        content: `bulk ${i}`,
        type: 'semantic',
        source: { tool: i % 2 ? 'writer' : 'claude', timestamp: '2026-01-01T00:00:00.000Z' },
        tags: [],
        namespace: null,
        metadata: {},
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
        expires_at: null,
      }));
      const file = {
        omp_version: '0.3',
        exported_at: '2026-01-01T00:00:00.000Z',
        server: { name: 't', version: '1' },
        memories: items,
      };
      expect((await bulk.as().post('/v1/import', file)).body.imported).toBe(1200);
      // The write-only key of tool `writer` deletes its tool's 600, which it cannot even list.
      const { client } = await connect('/mcp', bulk.keys.writeOnly, bulk.url);
      const progress: number[] = [];
      const res = await client.callTool({ name: 'delete_all_memories', arguments: {} }, undefined, {
        onprogress: (p) => {
          progress.push(p.progress);
          expect(p.total).toBe(600);
        },
      });
      expect(res.structuredContent).toEqual({ deleted: 600 });
      expect(progress.length).toBeGreaterThanOrEqual(1);
      expect(progress.at(-1)).toBe(600);
      expect((await bulk.as().get('/v1/memories?tool=writer')).body.total).toBe(0);
      expect((await bulk.as().get('/v1/memories?tool=claude')).body.total).toBe(600);
      // A read-only key may not.
      const viewer = await connect('/mcp', bulk.keys.readOnly, bulk.url);
      const denied = await viewer.client.callTool({ name: 'delete_all_memories', arguments: {} });
      expect(denied.isError).toBe(true);
      expect((denied.structuredContent as { error: string }).error).toBe('forbidden');
    } finally {
      await bulk.stop();
    }
  });
});
