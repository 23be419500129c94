/**
 * The OMP memory tools from an MCP client's side, with the MCP TypeScript SDK's client:
 *
 * 1. stdio: does what Claude Desktop or Cursor does with `stdio.config.json`: starts the real `omp-mcp`
 *    adapter as a child process with that file's environment, lists the tools, adds a memory, searches it,
 *    and shows a tool error;
 * 2. HTTP: does what a client does with `http.config.json`: connects to a server's `/mcp` endpoint with the
 *    `Authorization` header, and finds the memory added over stdio.
 *
 *   node examples/mcp/call-tools.ts                                    # starts a throw-away reference server
 *   OMP_SERVER=http://127.0.0.1:3456 OMP_API_KEY=... node examples/mcp/call-tools.ts   # your own server
 *
 * The reference server does not serve `/mcp` itself (it does not declare the MCP level), so for part 2 this
 * script mounts omp-mcp's HTTP handler on a port of its own, which is what a server at the MCP level offers.
 * If your server declares the `mcp` level, its own `/mcp` is used.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type CallToolResult, CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

/** The part of an MCP client config file this script reads. */
interface ClientConfig {
  mcpServers: {
    omp: {
      command?: string;
      args?: string[];
      env?: Record<string, string>;
      url?: string;
      headers?: Record<string, string>;
    };
  };
}

/** The placeholders the config files ship with. */
const PLACEHOLDER_ORIGIN = 'http://127.0.0.1:3456';
const PLACEHOLDER_KEY = 'your-key';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const readConfig = (file: string): ClientConfig['mcpServers']['omp'] =>
  (JSON.parse(readFileSync(here(file), 'utf8')) as ClientConfig).mcpServers.omp;

/** A tool result's text items, joined. */
function text(result: { content?: unknown }): string {
  const items = (result.content ?? []) as { type: string; text?: string }[];
  return items
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

/**
 * `tools/call`, sent as a raw request. `Client.callTool` of MCP SDK 1.x checks even error results against the
 * tool's output schema (adapters/mcp/README.md, Troubleshooting), which would replace the OMP error envelope
 * with a schema complaint; a raw request returns the result as the adapter sent it.
 */
async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return client.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema);
}

/** Where to connect: OMP_SERVER + OMP_API_KEY, or a reference server started for this run. */
async function target(): Promise<{ url: string; apiKey: string; stop: () => Promise<void> }> {
  if (process.env.OMP_SERVER) {
    const apiKey = process.env.OMP_API_KEY;
    if (!apiKey) throw new Error('OMP_SERVER is set, so OMP_API_KEY must be too');
    return { url: process.env.OMP_SERVER.replace(/\/+$/, ''), apiKey, stop: async () => {} };
  }
  const { generateKey, startServer } = await import('omp-reference-server');
  const dir = mkdtempSync(join(tmpdir(), 'omp-mcp-example-'));
  const apiKey = generateKey();
  const server = await startServer({ dbPath: join(dir, 'omp.db'), apiKey });
  console.log(`started the reference server at ${server.url} (stopped at exit)`);
  return {
    url: server.url,
    apiKey,
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Part 1: the stdio adapter, started the way stdio.config.json tells a client to. */
async function connectStdio(url: string, apiKey: string): Promise<Client> {
  const entry = readConfig('stdio.config.json');
  // The config says `npx -y omp-mcp` (the published package); from this checkout we run the same bin directly.
  const bin = here('../../adapters/mcp/bin/omp-mcp.js');
  console.log(`stdio: ${entry.command} ${(entry.args ?? []).join(' ')}  ->  node ${bin}`);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin],
    // The config's environment with its placeholders filled in; PATH so the adapter's Node finds its way.
    env: { PATH: process.env.PATH ?? '', ...entry.env, OMP_SERVER: url, OMP_API_KEY: apiKey },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'omp-example-call-tools', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (e) {
    throw new Error(`omp-mcp did not start: ${e instanceof Error ? e.message : String(e)}\n${stderr}`);
  }
  const info = client.getServerVersion();
  console.log(`stdio: connected to ${info?.name} ${info?.version}`);
  return client;
}

/** Lists the tools, adds a memory, searches it, shows a tool error. Returns the added memory's id. */
async function overStdio(client: Client, namespace: string): Promise<string> {
  const { tools } = await client.listTools();
  console.log(`stdio: tools/list -> ${tools.map((t) => t.name).join(', ')}`);

  const added = await callTool(client, 'add_memories', {
    text: 'Prefers dark mode in every editor',
    tags: ['preferences', 'editor'],
    namespace,
  });
  if (added.isError) throw new Error(`add_memories failed: ${text(added)}`);
  const memory = (added.structuredContent as { memories: { id: string; source: { tool: string } }[] })
    .memories[0];
  if (!memory) throw new Error('add_memories stored nothing');
  console.log(`stdio: add_memories -> ${memory.id} (source.tool ${memory.source.tool})`);

  const found = await callTool(client, 'search_memory', { query: 'dark mode', namespace });
  if (found.isError) throw new Error(`search_memory failed: ${text(found)}`);
  const total = (found.structuredContent as { total: number }).total;
  console.log(
    `stdio: search_memory "dark mode" -> ${total} hit(s)\n${text(found).replace(/^/gm, '        ')}`,
  );
  if (total !== 1) throw new Error(`search_memory found ${total} memories, expected 1`);

  // A tool error is a result with isError and the OMP error envelope, not a protocol failure.
  const bad = await callTool(client, 'add_memories', { text: 'x', tags: ['Not Lower Case'] });
  const envelope = bad.structuredContent as { error: string };
  console.log(
    `stdio: add_memories with a bad tag -> isError ${bad.isError}, ${envelope.error}: ${text(bad)}`,
  );
  if (!bad.isError || envelope.error !== 'validation_error') throw new Error('expected a validation_error');

  return memory.id;
}

/** Part 2: the HTTP endpoint, reached the way http.config.json tells a client to. */
async function overHttp(url: string, apiKey: string, namespace: string, id: string): Promise<void> {
  const entry = readConfig('http.config.json');
  let mcpUrl = (entry.url ?? '').replace(PLACEHOLDER_ORIGIN, url);
  let stopEndpoint = async (): Promise<void> => {};

  const health = (await (await fetch(`${url}/v1/health`)).json()) as { levels: string[] };
  if (!health.levels.includes('mcp')) {
    // Mount omp-mcp's HTTP handler beside the server: the endpoint an MCP-level server serves itself.
    const { createOmpMcpHttpHandler } = await import('omp-mcp');
    const mcp = createOmpMcpHttpHandler({ baseUrl: url });
    const endpoint = createServer((req, res) => {
      if (mcp.handles(req)) void mcp(req, res);
      else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const port = (endpoint.address() as AddressInfo).port;
    mcpUrl = `http://127.0.0.1:${port}/mcp`;
    console.log(
      `http: the server does not declare the mcp level; mounted omp-mcp's /mcp handler at ${mcpUrl}`,
    );
    stopEndpoint = async () => {
      await mcp.close(); // SSE streams and sessions first, or the HTTP server would wait for them
      await new Promise<void>((resolve) => endpoint.close(() => resolve()));
    };
  }
  try {
    const headers = Object.fromEntries(
      Object.entries(entry.headers ?? {}).map(([k, v]) => [k, v.replace(PLACEHOLDER_KEY, apiKey)]),
    );
    const client = new Client({ name: 'omp-example-http', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers } }));
    const { tools } = await client.listTools();
    console.log(`http: tools/list at ${mcpUrl} -> ${tools.length} tools`);
    const found = await callTool(client, 'search_memory', { query: 'editor', namespace });
    if (found.isError) throw new Error(`search_memory over HTTP failed: ${text(found)}`);
    const ids = (found.structuredContent as { memories: { id: string }[] }).memories.map((m) => m.id);
    console.log(`http: search_memory "editor" -> ${ids.join(', ') || 'nothing'}`);
    if (!ids.includes(id)) throw new Error('the memory added over stdio was not found over HTTP');
    await client.close();
  } finally {
    await stopEndpoint();
  }
}

async function main(): Promise<void> {
  const t = await target();
  const namespace = `example:mcp-${randomBytes(4).toString('hex')}`;
  let client: Client | undefined;
  try {
    client = await connectStdio(t.url, t.apiKey);
    const id = await overStdio(client, namespace);
    await overHttp(t.url, t.apiKey, namespace, id);
    // Leave nothing behind: delete what we added, with the tool meant for it.
    const deleted = await callTool(client, 'delete_memories', { memory_ids: [id] });
    console.log(`stdio: delete_memories -> ${JSON.stringify(deleted.structuredContent)}`);
    console.log('call-tools complete');
  } finally {
    await client?.close(); // ends the omp-mcp child process
    await t.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
