/**
 * `omp-mcp`: the MCP stdio adapter. An MCP client (Claude Desktop, Cursor, ...) spawns it; it serves the five
 * tools over stdin/stdout and calls the OMP server named by OMP_SERVER with OMP_API_KEY. stdout carries only
 * MCP messages, so everything it says goes to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { OmpError } from 'omp-sdk';
import { createSdkBackend } from './backend/sdk-backend.ts';
import { readConfig } from './config.ts';
import { createOmpMcpServer } from './server.ts';

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/** Start the adapter; resolves once it serves on stdio, exits the process with 1 on a configuration error. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const read = readConfig(env);
  if ('error' in read) {
    log(read.error);
    process.exit(1);
  }
  const { config } = read;
  const backend = createSdkBackend({ baseUrl: config.baseUrl, apiKey: config.apiKey });
  const mcp = await createOmpMcpServer({
    backend,
    clientName: config.clientName,
    outputSchemas: config.outputSchemas,
    log,
  });
  const transport = new StdioServerTransport();
  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    await mcp.close().catch(() => undefined);
    process.exit(0);
  };
  // Transport failures (a message over the SDK's 10 MiB line limit, unreadable stdin, malformed JSON-RPC) are
  // said on stderr; one that closes the transport ends the process with 1, so the client sees the adapter fail
  // instead of a silent exit 0 it would take for a normal shutdown.
  mcp.server.onerror = (error) => log(`omp-mcp: transport error: ${error.message}`);
  mcp.server.onclose = () => {
    if (stopping) return;
    log('omp-mcp: the stdio transport closed after an error; exiting with status 1');
    process.exit(1);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  await mcp.connect(transport);
  // Say once, on stderr, whom the key belongs to; a server that is not up yet is not fatal (clients often
  // start their MCP servers before everything else), the tools report it per call.
  backend.me().then(
    (p) =>
      log(
        `omp-mcp ${config.baseUrl}: principal ${p.principal}, ${p.tool === null ? 'global key' : `per-tool key of ${p.tool}`} (${p.scopes.join('+') || 'no scopes'})`,
      ),
    (e: unknown) =>
      log(
        `omp-mcp ${config.baseUrl}: cannot check the key yet: ${e instanceof OmpError ? `${e.code}: ${e.message}` : String(e)}`,
      ),
  );
}
