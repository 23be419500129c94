/**
 * The MCP level (SPEC.md §13): omp-mcp's HTTP handler mounted at `/mcp`, `/mcp/{client_name}/http/{user_id}`
 * (Streamable HTTP) and `/mcp/{client_name}/sse/{user_id}` (legacy HTTP+SSE). Each MCP session calls this
 * server's own HTTP API over loopback with the caller's Authorization header, so keys, scopes and isolation
 * are exactly the HTTP API's (OMP-MCP-003, -014 to -018).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createOmpMcpHttpHandler, type OmpMcpHttpHandler, type OmpMcpHttpOptions } from 'omp-mcp';
import type { LogSink } from './log.ts';

/** What the HTTP server needs to route MCP requests: which requests are MCP's, and the listener. */
export interface McpMount {
  handles(req: IncomingMessage): boolean;
  (req: IncomingMessage, res: ServerResponse): void;
}

/** The MCP endpoints and their shutdown. */
export interface McpEndpoint {
  mount: McpMount;
  /** Close every MCP session: call before closing the HTTP server, or SSE streams would keep it open. */
  close(): Promise<void>;
}

/** The URL this server's own API answers at over loopback, whichever interface it listens on. */
export function loopbackUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`;
  if (host === '::' || host === '[::]') return `http://[::1]:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The log's route: the URL template, never the path (it carries the client name and user id). */
function routeOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] ?? '/';
  if (path === '/mcp' || path === '/mcp/') return '/mcp';
  const kind = path.split('/')[3];
  if (kind === 'http') return '/mcp/{client_name}/http/{user_id}';
  if (kind === 'sse')
    return path.endsWith('/messages')
      ? '/mcp/{client_name}/sse/{user_id}/messages'
      : '/mcp/{client_name}/sse/{user_id}';
  return '/mcp/*';
}

/** What an operator may tune of the MCP endpoints (the rest of omp-mcp's HTTP options are the server's). */
export type McpOptions = Pick<
  OmpMcpHttpOptions,
  'sessionIdleMs' | 'maxSessions' | 'maxSessionsPerKey' | 'allowedOrigins' | 'keepaliveMs'
>;

/** Build the MCP endpoints; `baseUrl` is read once the server listens (its port is known only then). */
export function createMcpEndpoint(options: {
  baseUrl: () => string;
  log: LogSink;
  options?: McpOptions | undefined;
}): McpEndpoint {
  const { log } = options;
  const handler: OmpMcpHttpHandler = createOmpMcpHttpHandler({
    ...options.options,
    baseUrl: options.baseUrl,
    log: (message) => log({ level: 'error', msg: 'mcp', error: message }),
  });
  const mount = ((req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    res.on('close', () => {
      log({
        level: 'info',
        msg: 'request',
        method: req.method,
        route: routeOf(req.url),
        status: res.headersSent ? res.statusCode : 0,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
      });
    });
    void handler(req, res);
  }) as McpMount;
  mount.handles = (req) => handler.handles(req);
  return { mount, close: () => handler.close() };
}
