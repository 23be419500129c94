/**
 * The MCP level (SPEC.md §13) of the reference server: omp-mcp's handler mounted at /mcp on the server's own
 * port, reached by the MCP SDK's Streamable HTTP and SSE clients with the API's bearer keys. The tools
 * themselves are tested in adapters/mcp and certified by omp-conformance; this is the mount.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loopbackUrl } from '../src/mcp.ts';
import { client as httpClient, type Res, startTestServer, type TestServer } from './helpers.ts';

let srv: TestServer;
const clients: Client[] = [];

beforeAll(async () => {
  srv = await startTestServer();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await srv?.stop();
});

async function connect(path: string, key: string, transport: 'http' | 'sse' = 'http'): Promise<Client> {
  const url = new URL(`${srv.url}${path}`);
  const requestInit = { headers: { authorization: `Bearer ${key}` } };
  const client = new Client({ name: 'ref-test', version: '1.0.0' });
  await client.connect(
    transport === 'http'
      ? new StreamableHTTPClientTransport(url, { requestInit })
      : new SSEClientTransport(url, { requestInit }),
  );
  clients.push(client);
  await client.listTools(); // so callTool checks every result against the declared output schemas
  return client;
}

describe('MCP endpoints (§13.1)', () => {
  test('Streamable HTTP at /mcp: the five tools, memories added as the key principal, visible over REST', async () => {
    const client = await connect('/mcp', srv.token);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'add_memories',
      'search_memory',
      'list_memories',
      'delete_memories',
      'delete_all_memories',
    ]);
    const res = await client.callTool({ name: 'add_memories', arguments: { text: 'Said over /mcp' } });
    const added = (res.structuredContent as { memories: { id: string; source: object }[] }).memories[0]!;
    expect(added.source).toMatchObject({ tool: 'ref-test' });
    expect((await srv.as().get(`/v1/memories/${added.id}`)).status).toBe(200);
    expect((await srv.as(srv.keys.bob).get(`/v1/memories/${added.id}`)).status).toBe(404);
  });

  test('OpenMemory URLs: Streamable HTTP and legacy SSE, source from the URL', async () => {
    for (const [path, transport] of [
      ['/mcp/cursor/http/u-1', 'http'],
      ['/mcp/cline/sse/u-2', 'sse'],
    ] as const) {
      const client = await connect(path, srv.token, transport);
      const res = await client.callTool({ name: 'add_memories', arguments: { text: `via ${path}` } });
      const [tool, , user] = path.split('/').slice(2);
      expect(
        (res.structuredContent as { memories: { source: object }[] }).memories[0]!.source,
        path,
      ).toMatchObject({ tool, user_id: user });
    }
  });

  test('a read-only key gets the tool error forbidden through the SDK client (error results pass its output check)', async () => {
    const client = await connect('/mcp', srv.keys.readOnly);
    const res = await client.callTool({ name: 'delete_all_memories', arguments: {} });
    expect(res.isError).toBe(true);
    expect(res.structuredContent).toMatchObject({ error: 'forbidden' });
  });

  /** The MCP endpoints answer errors with the OMP envelope (no request id: they are not the API's router). */
  function assertEnvelope(res: Res, status: number, code: string): void {
    expect(res.status, res.text).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ error: code, details: {} });
    expect(typeof res.body.message).toBe('string');
  }

  test('401 unauthorized envelope without a valid key, 404 and 405 as envelopes (OMP-MCP-003)', async () => {
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} };
    const accept = { accept: 'application/json, text/event-stream' };
    assertEnvelope(await httpClient(srv.url).post('/mcp', init, accept), 401, 'unauthorized');
    assertEnvelope(
      await httpClient(srv.url, 'no-such-key-0123456789abcdef0123').post('/mcp', init, accept),
      401,
      'unauthorized',
    );
    assertEnvelope(await srv.as().get('/mcp/nowhere'), 404, 'not_found');
    const put = await srv.as().put('/mcp', init);
    assertEnvelope(put, 405, 'method_not_allowed');
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE, OPTIONS');
  });

  test('health declares level mcp and capabilities mcp_http, mcp_sse (OMP-MCP-004)', async () => {
    const { body } = await srv.as().get('/v1/health');
    expect(body.levels).toContain('mcp');
    expect(body.capabilities).toEqual(expect.arrayContaining(['mcp_http', 'mcp_sse']));
  });

  test('loopbackUrl: a wildcard interface is reached over loopback', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', 'http://127.0.0.1:1'],
      ['0.0.0.0', 'http://127.0.0.1:1'],
      ['::', 'http://[::1]:1'],
      ['::1', 'http://[::1]:1'],
      ['localhost', 'http://localhost:1'],
    ];
    for (const [host, want] of cases) expect(loopbackUrl(host, 1), host).toBe(want);
  });
});
