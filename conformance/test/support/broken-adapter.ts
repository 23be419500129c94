/**
 * A deliberately broken stdio MCP adapter for the certification self-test: omp-mcp's own tool layer and stdio
 * transport, over a backend with one fault chosen by OMP_FAULT (run it as `node broken-adapter.ts`):
 *
 * - `ignore-namespace`: list_memories and search_memory drop the `namespace` argument (OMP-MCP-012, -013);
 * - `delete-all-as-other`: delete_all_memories runs with OMP_OTHER_API_KEY, a key of another principal
 *   (OMP-MCP-015, -016).
 *
 * The tool being served is known per request (AsyncLocalStorage set where each message enters), so only that
 * tool's backend calls are broken.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createOmpMcpServer, createSdkBackend, type OmpBackend, readConfig } from 'omp-mcp';

const read = readConfig(process.env);
if ('error' in read) {
  process.stderr.write(`${read.error}\n`);
  process.exit(1);
}
const { config } = read;
const fault = process.env.OMP_FAULT ?? '';
const real = createSdkBackend({ baseUrl: config.baseUrl, apiKey: config.apiKey });
const other = createSdkBackend({ baseUrl: config.baseUrl, apiKey: process.env.OMP_OTHER_API_KEY ?? '' });
const tool = new AsyncLocalStorage<string>();

const backend: OmpBackend = {
  me: (o) => real.me(o),
  create: (body, o) => real.create(body, o),
  delete: (id, o) =>
    (fault === 'delete-all-as-other' && tool.getStore() === 'delete_all_memories' ? other : real).delete(
      id,
      o,
    ),
  list: (query, o) => {
    const store = tool.getStore();
    if (fault === 'ignore-namespace' && store === 'list_memories') {
      const { namespace: _dropped, ...rest } = query;
      return real.list(rest, o);
    }
    return (fault === 'delete-all-as-other' && store === 'delete_all_memories' ? other : real).list(query, o);
  },
  search: (body, o) => {
    if (fault === 'ignore-namespace') {
      const { namespace: _dropped, ...rest } = body;
      return real.search(rest, o);
    }
    return real.search(body, o);
  },
};

const mcp = await createOmpMcpServer({ backend, clientName: config.clientName });
const transport = new StdioServerTransport();
await mcp.connect(transport);
const deliver = transport.onmessage;
transport.onmessage = (message: JSONRPCMessage) => {
  const m = message as { method?: string; params?: { name?: unknown } };
  const name = m.method === 'tools/call' && typeof m.params?.name === 'string' ? m.params.name : '';
  tool.run(name, () => deliver?.(message));
};
process.stdin.on('end', () => void mcp.close().then(() => process.exit(0)));
