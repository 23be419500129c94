/**
 * MCP over HTTP for an OMP server's own endpoints (SPEC.md §13.1): Streamable HTTP at `/mcp` and
 * `/mcp/{client_name}/http/{user_id}`, the legacy HTTP+SSE transport at `/mcp/{client_name}/sse/{user_id}`
 * (messages posted to `.../sse/{user_id}/messages?sessionId=...`). Each session serves the tool layer over a
 * backend that calls the OMP API at `baseUrl` (typically the server itself over loopback) with the caller's
 * own `Authorization` header, so keys, scopes and isolation are exactly the HTTP API's.
 *
 * The handler is a plain node:http request listener for every path under the mount path; the request body
 * must not have been read.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { ErrorEnvelope, Principal } from '@omp-kit/schemas/types';
import { type FetchLike, OmpError } from 'omp-sdk';
import { createSdkBackend } from '../backend/sdk-backend.ts';
import type { BulkDeleteOptions, OmpBackend } from '../backend/types.ts';
import { codeForStatus, statusOf, toEnvelope } from '../errors.ts';
import { createOmpMcpServer } from '../server.ts';
import { PRINCIPAL_AUTH_KEY } from '../tools/register.ts';
import { type McpRoute, matchRoute } from './routes.ts';

/** Options of {@link createOmpMcpHttpHandler}. */
export interface OmpMcpHttpOptions {
  /**
   * Where the OMP HTTP API answers, e.g. the server's own `http://127.0.0.1:PORT`; a function when the port is
   * known only once the server listens (read at each new session and key check).
   */
  baseUrl: string | (() => string);
  /** Path the handler is mounted at; default `/mcp`. */
  mountPath?: string | undefined;
  /** Close a Streamable HTTP session after this long without a request; default 30 minutes. */
  sessionIdleMs?: number | undefined;
  /** Open sessions (both transports) at most; default 1,000. More initialisations get HTTP 503 (§13.1). */
  maxSessions?: number | undefined;
  /** Open sessions per key at most; default 32. More initialisations with that key get HTTP 429 (§13.1). */
  maxSessionsPerKey?: number | undefined;
  /** Interval of the SSE comment that keeps an idle legacy stream (and proxies) alive; default 15 s. */
  keepaliveMs?: number | undefined;
  /**
   * Browser origins allowed besides loopback ones (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`),
   * e.g. `https://app.example`; `*` allows any. A request with another `Origin` is refused with 403, which is
   * what keeps a web page from reaching a local server through DNS rebinding. Requests without `Origin` (every
   * non-browser client) are not affected.
   */
  allowedOrigins?: readonly string[] | undefined;
  /** Retries of the backend's retry-safe calls; default 0 (a loopback call that failed will fail again). */
  maxRetries?: number | undefined;
  /** A fetch implementation for the backend calls. */
  fetch?: FetchLike | undefined;
  /** Where unexpected failures are reported. */
  log?: ((message: string) => void) | undefined;
  /** Declare the tools' output schemas; default true (see `OmpToolsOptions.outputSchemas`). */
  outputSchemas?: boolean | undefined;
  /**
   * A server's own bulk delete for delete_all_memories, bound to the caller's `Authorization` header (see
   * `OmpBackend.deleteAll`); without it the tool lists and deletes one by one over the API.
   */
  deleteAll?:
    | ((
        authorization: string,
        filter: { namespace?: string | undefined },
        options?: BulkDeleteOptions,
      ) => Promise<number>)
    | undefined;
}

/** A node:http request listener for the MCP endpoints, plus shutdown. */
export interface OmpMcpHttpHandler {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Whether a request's path is the mount path or below it: the requests to pass to this handler. */
  handles(req: IncomingMessage): boolean;
  /** Close every open session (call before closing the HTTP server, or SSE streams keep it open). */
  close(): Promise<void>;
  /** Number of open sessions, for health and tests. */
  readonly sessionCount: number;
}

interface Session {
  kind: 'http' | 'sse';
  route: McpRoute;
  /** SHA-256 of the Authorization header that opened the session: later requests must present the same. */
  keyDigest: Buffer;
  mcp: McpServer;
  transport: StreamableHTTPServerTransport | SSEServerTransport;
  lastSeen: number;
  /** Give back the session's place under the caps (idempotent). */
  release: () => void;
}

/** The JSON-RPC error code of a refused session (implementation-defined server error range, §13.1). */
export const SESSION_LIMIT_CODE = -32029;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const JSON_TYPE = 'application/json; charset=utf-8';

function sendEnvelope(
  res: ServerResponse,
  status: number,
  env: ErrorEnvelope,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': JSON_TYPE, ...headers });
  res.end(JSON.stringify(env));
}

/** The JSON-RPC answer the MCP transports give for an unknown session, so clients re-initialise. */
function sendSessionNotFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': JSON_TYPE });
  res.end(
    JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }),
  );
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A `WWW-Authenticate` challenge (RFC 6750 §3); `error` only when a key was presented. */
function challenge(error?: 'invalid_token' | 'invalid_request', description?: string): string {
  if (!error) return 'Bearer realm="omp"';
  const text = (description ?? '').replace(/[^\x20-\x7e]|["\\]/g, '');
  return `Bearer realm="omp", error="${error}", error_description="${text}"`;
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      f();
    }
  };
}

/** A node:http handler serving the OMP tools over Streamable HTTP and HTTP+SSE. */
export function createOmpMcpHttpHandler(options: OmpMcpHttpOptions): OmpMcpHttpHandler {
  const mountPath = (options.mountPath ?? '/mcp').replace(/\/+$/, '');
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const maxSessions = options.maxSessions ?? 1_000;
  const maxPerKey = options.maxSessionsPerKey ?? 32;
  const keepaliveMs = options.keepaliveMs ?? 15_000;
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const sessions = new Map<string, Session>();
  // Places taken under the caps: open sessions plus initialisations in progress.
  let taken = 0;
  const takenByKey = new Map<string, number>();

  /** Take a place under both caps for a new session, or answer the request with the cap's error. */
  function reserve(keyDigest: Buffer, res: ServerResponse): (() => void) | undefined {
    const key = keyDigest.toString('hex');
    const mine = takenByKey.get(key) ?? 0;
    const scope = mine >= maxPerKey ? 'key' : taken >= maxSessions ? 'server' : undefined;
    if (scope) {
      const limit = scope === 'key' ? maxPerKey : maxSessions;
      res.writeHead(scope === 'key' ? 429 : 503, { 'content-type': JSON_TYPE, 'retry-after': '60' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: {
            code: SESSION_LIMIT_CODE,
            message:
              scope === 'key'
                ? `This key already has ${limit} open MCP sessions; close one (HTTP DELETE with its Mcp-Session-Id) or wait for idle ones to expire`
                : `The server has ${limit} open MCP sessions; try again later`,
            data: { error: scope === 'key' ? 'rate_limited' : 'unavailable', scope, limit },
          },
          id: null,
        }),
      );
      return undefined;
    }
    taken++;
    takenByKey.set(key, mine + 1);
    return once(() => {
      taken--;
      const left = (takenByKey.get(key) ?? 1) - 1;
      if (left === 0) takenByKey.delete(key);
      else takenByKey.set(key, left);
    });
  }

  /** Whether a browser origin may use the endpoints (MCP transports: Origin validation against DNS rebinding). */
  function originAllowed(origin: string): boolean {
    if (allowedOrigins.has('*') || allowedOrigins.has(origin)) return true;
    try {
      const u = new URL(origin);
      return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.has(u.hostname);
    } catch {
      return false; // `null` and other opaque origins
    }
  }

  const backendFor = (authorization: string): OmpBackend => {
    const backend = createSdkBackend({
      baseUrl: typeof options.baseUrl === 'function' ? options.baseUrl() : options.baseUrl,
      authorization,
      maxRetries: options.maxRetries ?? 0,
      fetch: options.fetch,
    });
    const bulk = options.deleteAll;
    if (bulk) backend.deleteAll = (filter, o) => bulk(authorization, filter, o);
    return backend;
  };

  // Streamable HTTP sessions end with a DELETE or when idle; SSE sessions end with their stream.
  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const [id, s] of sessions) {
        if (s.kind === 'http' && now - s.lastSeen > idleMs) void closeSession(id);
      }
    },
    Math.min(idleMs, 60_000),
  );
  sweeper.unref();

  async function closeSession(id: string): Promise<void> {
    const s = sessions.get(id);
    if (!s) return;
    forget(id);
    await s.mcp.close().catch(() => undefined);
  }

  /** Drop a session from the map and give back its place under the caps. */
  function forget(id: string): void {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    s.release();
  }

  /**
   * The key's principal, asked of the OMP API with the request's own Authorization header, or undefined after
   * answering the request with the API's error (401 before any MCP message is read, OMP-MCP-003).
   */
  async function authenticate(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{ principal: Principal; authorization: string } | undefined> {
    const authorization = req.headers.authorization;
    if (!authorization) {
      sendEnvelope(
        res,
        401,
        {
          error: 'unauthorized',
          message: 'MCP requests need an Authorization: Bearer <key> header',
          details: {},
        },
        { 'www-authenticate': challenge() },
      );
      return undefined;
    }
    try {
      return { principal: await backendFor(authorization).me(), authorization };
    } catch (error) {
      // The API's answer to the key check, passed on: 401 with its challenge, 429 and 503 with Retry-After;
      // no answer at all is 503 (OMP-ERR-008 wants a Retry-After there too).
      const status = statusOf(error) ?? 503;
      const headers: Record<string, string> = {};
      // 401: say why (RFC 6750 error="invalid_token"), so OAuth-capable clients report the key instead of
      // starting a sign-in this server does not offer.
      if (status === 401) headers['www-authenticate'] = challenge('invalid_token', toEnvelope(error).message);
      const retryAfter = error instanceof OmpError ? error.headers?.get('retry-after') : undefined;
      if (retryAfter) headers['retry-after'] = retryAfter;
      else if (status === 503 || status === 429) headers['retry-after'] = '1';
      sendEnvelope(res, codeForStatus[status] ? status : 503, toEnvelope(error), headers);
      return undefined;
    }
  }

  /** Attach the principal so tool calls of this request need not ask `GET /v1/me` again. */
  function withAuth(req: IncomingMessage, principal: Principal): IncomingMessage {
    (req as IncomingMessage & { auth?: unknown }).auth = {
      token: '',
      clientId: principal.principal,
      scopes: principal.scopes,
      extra: { [PRINCIPAL_AUTH_KEY]: principal },
    };
    return req;
  }

  /** The open session a request names, when it was opened with the same key on the same route. */
  function sessionFor(id: string | undefined, route: McpRoute, authorization: string): Session | undefined {
    const s = id === undefined ? undefined : sessions.get(id);
    if (!s || s.route.clientName !== route.clientName || s.route.userId !== route.userId) return undefined;
    return timingSafeEqual(s.keyDigest, digest(authorization)) ? s : undefined;
  }

  async function newServer(route: McpRoute, authorization: string): Promise<McpServer> {
    return await createOmpMcpServer({
      backend: backendFor(authorization),
      clientName: route.clientName,
      userId: route.userId,
      outputSchemas: options.outputSchemas,
      log: options.log,
    });
  }

  async function streamable(req: IncomingMessage, res: ServerResponse, route: McpRoute): Promise<void> {
    const auth = await authenticate(req, res);
    if (!auth) return;
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId !== undefined) {
      const s = sessionFor(sessionId, route, auth.authorization);
      if (!s || !(s.transport instanceof StreamableHTTPServerTransport)) return sendSessionNotFound(res);
      s.lastSeen = Date.now();
      await s.transport.handleRequest(withAuth(req, auth.principal), res);
      return;
    }
    // No session yet: only an initialize request opens one; the transport answers anything else with 400.
    const keyDigest = digest(auth.authorization);
    const release = reserve(keyDigest, res);
    if (!release) return;
    let kept = false;
    try {
      const mcp = await newServer(route, auth.authorization);
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          kept = true;
          sessions.set(id, { kind: 'http', route, keyDigest, mcp, transport, lastSeen: Date.now(), release });
        },
      });
      transport.onclose = () => {
        if (transport.sessionId !== undefined) forget(transport.sessionId);
      };
      await mcp.connect(transport);
      await transport.handleRequest(withAuth(req, auth.principal), res);
      if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) await mcp.close();
    } finally {
      if (!kept) release();
    }
  }

  async function sseStream(req: IncomingMessage, res: ServerResponse, route: McpRoute): Promise<void> {
    const auth = await authenticate(req, res);
    if (!auth) return;
    const keyDigest = digest(auth.authorization);
    const release = reserve(keyDigest, res);
    if (!release) return;
    let mcp: McpServer;
    try {
      mcp = await newServer(route, auth.authorization);
    } catch (error) {
      release();
      throw error;
    }
    const transport = new SSEServerTransport(`${route.path}/messages`, res);
    const id = transport.sessionId;
    sessions.set(id, { kind: 'sse', route, keyDigest, mcp, transport, lastSeen: Date.now(), release });
    // A comment line now and then keeps an idle stream open through clients' read timeouts and proxies.
    const keepalive = setInterval(() => {
      if (res.writable) res.write(': keepalive\n\n');
    }, keepaliveMs);
    keepalive.unref();
    res.on('close', () => {
      clearInterval(keepalive);
      forget(id);
    });
    transport.onclose = () => {
      forget(id);
    };
    await mcp.connect(transport); // writes the stream's headers and its `endpoint` event
  }

  async function ssePost(
    req: IncomingMessage,
    res: ServerResponse,
    route: McpRoute,
    url: URL,
  ): Promise<void> {
    const auth = await authenticate(req, res);
    if (!auth) return;
    const s = sessionFor(url.searchParams.get('sessionId') ?? undefined, route, auth.authorization);
    if (!s || !(s.transport instanceof SSEServerTransport)) return sendSessionNotFound(res);
    s.lastSeen = Date.now();
    await s.transport.handlePostMessage(withAuth(req, auth.principal), res);
  }

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = matchRoute(url.pathname, mountPath);
    const method = req.method ?? 'GET';
    try {
      // Unknown path, then method, then key (OMP-ERR-011).
      if (!route) {
        return sendEnvelope(res, 404, {
          error: 'not_found',
          message: `No MCP endpoint at ${url.pathname}`,
          details: {},
        });
      }
      const origin = req.headers.origin;
      if (origin !== undefined) {
        if (!originAllowed(origin)) {
          return sendEnvelope(res, 403, {
            error: 'forbidden',
            message: `Origin ${origin.slice(0, 100)} may not use this MCP endpoint (see the server's allowed origins)`,
            details: {},
          });
        }
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('access-control-expose-headers', 'mcp-session-id, www-authenticate');
        res.setHeader('vary', 'Origin');
      }
      if (method === 'OPTIONS') {
        // CORS preflight (and a plain OPTIONS): what the URL allows.
        const allow = [...route.methods, 'OPTIONS'].join(', ');
        const headers: Record<string, string> = { allow };
        if (origin !== undefined) {
          headers['access-control-allow-methods'] = allow;
          headers['access-control-allow-headers'] =
            'authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id';
          headers['access-control-max-age'] = '600';
        }
        res.writeHead(204, headers);
        res.end();
        return;
      }
      if (!route.methods.includes(method)) {
        return sendEnvelope(
          res,
          405,
          {
            error: 'method_not_allowed',
            message: `${method} is not allowed on ${url.pathname}`,
            details: {},
          },
          { allow: [...route.methods, 'OPTIONS'].join(', ') },
        );
      }
      if (route.transport === 'http') await streamable(req, res, route);
      else if (route.transport === 'sse') await sseStream(req, res, route);
      else await ssePost(req, res, route, url);
    } catch (error) {
      options.log?.(
        `omp-mcp http: ${method} ${url.pathname} failed: ${error instanceof Error ? error.stack : String(error)}`,
      );
      sendEnvelope(res, 500, {
        error: 'internal_error',
        message: 'The MCP endpoint failed unexpectedly',
        details: {},
      });
    }
  };

  return Object.defineProperties(handler, {
    handles: {
      value: (req: IncomingMessage): boolean => {
        const path = (req.url ?? '/').split('?')[0]!;
        return path === mountPath || path.startsWith(`${mountPath}/`);
      },
    },
    close: {
      value: async (): Promise<void> => {
        clearInterval(sweeper);
        await Promise.all([...sessions.keys()].map((id) => closeSession(id)));
      },
    },
    sessionCount: { get: () => sessions.size },
  }) as OmpMcpHttpHandler;
}
