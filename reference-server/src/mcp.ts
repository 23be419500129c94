/**
 * The MCP level (SPEC.md §13): omp-mcp's HTTP handler mounted at `/mcp`, `/mcp/{client_name}/http/{user_id}`
 * (Streamable HTTP) and `/mcp/{client_name}/sse/{user_id}` (legacy HTTP+SSE). Each MCP session calls this
 * server's own HTTP API over loopback with the caller's Authorization header, so keys, scopes and isolation
 * are exactly the HTTP API's (OMP-MCP-003, -014 to -018).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type BulkDeleteOptions,
  createOmpMcpHttpHandler,
  type OmpMcpHttpHandler,
  type OmpMcpHttpOptions,
  ToolFailure,
} from 'omp-mcp';
import { credentialOf } from './auth/authenticate.ts';
import type { Credential, KeyRing } from './auth/keys.ts';
import type { Control } from './control/control.ts';
import type { ApiError } from './http/errors.ts';
import type { LogSink } from './log.ts';
import type { MemoryStore } from './storage/memory-store.ts';

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

/** Memories deleted between two yields to the event loop (and progress reports) in a bulk delete. */
const BULK_CHUNK = 256;

/**
 * delete_all_memories as one operation on the store, for the key in `authorization`: every memory the key may
 * delete (its tool's only, for a per-tool key; no read scope needed), within `namespace` when given. Deletes go
 * in chunks whose writes the store commits together, with a yield to the event loop between chunks so other
 * requests keep being served.
 */
export function bulkDeleter(keys: KeyRing, store: MemoryStore, control?: Control) {
  return async (
    authorization: string,
    filter: { namespace?: string | undefined },
    options: BulkDeleteOptions = {},
  ): Promise<number> => {
    let c: Credential;
    try {
      c = credentialOf(authorization, keys);
    } catch (error) {
      const e = error as ApiError;
      throw new ToolFailure({ error: e.code, message: e.message, details: e.details }, e.status);
    }
    if (!c.canWrite)
      throw new ToolFailure(
        {
          error: 'forbidden',
          message: 'This key lacks the write scope that delete_all_memories needs.',
          details: {},
        },
        403,
      );
    // Control level: the app is the key's tool or the MCP client's name; a paused app may not delete
    // (OMP-CTRL-020), and its access rules hide memories from it (OMP-CTRL-023).
    const app = c.tool ?? options.app ?? null;
    const appState = app === null || !control ? null : control.apps.get(c.principal, app);
    if (app !== null && appState?.paused)
      throw new ToolFailure(
        { error: 'app_paused', message: `The app ${app} is paused`, details: { app } },
        403,
      );
    // What the key may delete: its principal's memories, only its own tool's for a per-tool key.
    const vis = { principal: c.principal, ownTool: c.tool, rules: appState?.compiled ?? null };
    const ids: string[] = [];
    for (const rows of store.exportPages(vis)) {
      for (const r of rows)
        if (filter.namespace === undefined || r.namespace === filter.namespace) ids.push(r.id);
    }
    let deleted = 0;
    const gone: string[] = [];
    for (let i = 0; i < ids.length; i += BULK_CHUNK) {
      if (options.signal?.aborted) break;
      const chunk = ids.slice(i, i + BULK_CHUNK);
      const outcomes = await Promise.allSettled(chunk.map((id) => store.delete(vis, c.tool, id)));
      outcomes.forEach((o, j) => {
        if (o.status === 'fulfilled') gone.push(chunk[j] as string); // gone meanwhile: not counted
      });
      deleted = gone.length;
      options.onProgress?.(Math.min(i + BULK_CHUNK, ids.length), ids.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (control) {
      if (app !== null) control.log.use(c.principal, app, 'write');
      const requestId = `req_mcp_${Date.now().toString(36)}`;
      control.log.record({
        principal: c.principal,
        operation: 'bulk_delete',
        via: 'mcp',
        app,
        memoryIds: gone,
        requestId,
      });
    }
    return deleted;
  };
}

/** Build the MCP endpoints; `baseUrl` is read once the server listens (its port is known only then). */
export function createMcpEndpoint(options: {
  baseUrl: () => string;
  log: LogSink;
  options?: McpOptions | undefined;
  /** With the key ring and the store, delete_all_memories runs as one bulk operation (bulkDeleter). */
  keys?: KeyRing | undefined;
  store?: MemoryStore | undefined;
  /** The control level: paused apps, access rules and the access log for delete_all_memories. */
  control?: Control | undefined;
}): McpEndpoint {
  const { log } = options;
  const handler: OmpMcpHttpHandler = createOmpMcpHttpHandler({
    ...options.options,
    baseUrl: options.baseUrl,
    log: (message) => log({ level: 'error', msg: 'mcp', error: message }),
    deleteAll:
      options.keys && options.store ? bulkDeleter(options.keys, options.store, options.control) : undefined,
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
