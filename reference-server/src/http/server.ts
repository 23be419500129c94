import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Socket } from 'node:net';
import { authenticate, tryAuthenticate } from '../auth/authenticate.ts';
import type { Credential, KeyRing } from '../auth/keys.ts';
import type { DashboardMount } from '../dashboard/serve.ts';
import { legacyBody, legacyHeaders, legacyRequest, type SpecVersions } from '../legacy-0-3.ts';
import type { LogSink } from '../log.ts';
import type { McpMount } from '../mcp.ts';
import { randomBytesPooled } from '../model/random.ts';
import { stripExtensions } from '../validation.ts';
import { NEWEST, negotiate, versioned } from '../versioning.ts';
import { type LazyItems, readJsonBody, requireJsonContentType } from './body.ts';
import { ApiError, envelope } from './errors.ts';
import type { Reply, Router } from './router.ts';

/** What the HTTP layer needs from the application. */
export interface HttpOptions {
  router: Router;
  keys: KeyRing;
  maxBodyBytes: number;
  maxImportBytes: number;
  log: LogSink;
  /** The MCP endpoints: requests they handle (`/mcp` and below) never reach the router. */
  mcp?: McpMount | undefined;
  /** Static files (the dashboard at /x/dashboard/): requests it handles never reach the router. */
  statics?: DashboardMount | undefined;
  /** Most items one import may carry (counted while the body streams in). */
  maxImportItems: number;
  /** Socket limits and timeouts; defaults in {@link CONNECTION_DEFAULTS}. */
  connections?: Partial<ConnectionOptions> | undefined;
  /** The versions declared; `['0.3']` puts the 0.3 façade of legacy-0-3.ts in front. Default `['0.4']`. */
  specVersions?: SpecVersions | undefined;
}

/** How many sockets the server holds and how long it waits for them. */
export interface ConnectionOptions {
  /** Open connections at most; more are closed on accept. */
  maxConnections: number;
  /** Time to receive a request's headers (slow-loris bound); answered 408. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included; answered 408. */
  requestTimeoutMs: number;
  /**
   * How long an idle keep-alive connection stays open. Long enough that an event-loop stall of a few seconds
   * never expires it under a client that is about to reuse it (which would reset a request in flight); the
   * `Keep-Alive: timeout=` the server advertises lets clients retire connections before the server does.
   */
  keepAliveTimeoutMs: number;
}

/** Defaults: generous for people, bounded for attackers. */
export const CONNECTION_DEFAULTS: ConnectionOptions = {
  maxConnections: 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 65_000,
};

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const JSON_TYPE = 'application/json; charset=utf-8';

/** A request id: the client's X-Request-Id when it is a plain token, otherwise a fresh random one. */
function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && CLIENT_REQUEST_ID.test(given)) return given;
  return `req_${randomBytesPooled(8).toString('hex')}`;
}

/** Send a JSON body (or none, for 204). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body?: string,
  headers: Record<string, string> = {},
): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, err: ApiError, requestId: string): void {
  if (res.headersSent) {
    res.destroy(); // a streamed response failed midway: cut it so the client sees an incomplete body
    return;
  }
  sendJson(res, err.status, envelope(err, requestId), err.headers);
}

/** The node:http server: routing, authentication, bodies, errors and the request log. */
export function createHttpServer(options: HttpOptions): Server {
  const { router, keys, log } = options;
  const legacy = options.specVersions?.[0] === '0.3';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = requestIdFor(req);
    res.setHeader('X-Request-Id', requestId);
    let route: string | null = null;
    let credential: Credential | null = null;
    res.on('close', () => {
      log({
        level: 'info',
        msg: 'request',
        method: req.method,
        route,
        status: res.headersSent ? res.statusCode : 0,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        tool: credential?.tool ?? null,
        request_id: requestId,
      });
    });
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      // Every /v1 response names its version (OMP-VER-001): the newest, until negotiation picks another.
      if (legacy) legacyRequest(req, path, q === -1 ? '' : url.slice(q + 1));
      else if (versioned(path)) res.setHeader('OMP-Version', NEWEST);
      // HTTP/1.1 requires Host (RFC 9112 §3.2); node:http is told not to answer it bare, so it is answered here.
      if (req.headers.host === undefined && req.httpVersionMinor >= 1) {
        req.resume();
        throw new ApiError(400, 'bad_request', 'HTTP/1.1 requests must carry a Host header');
      }
      // HEAD is GET without the body (RFC 9110 §9.3.2): node:http leaves the body out of the response.
      const { endpoint, params } = router.match(req.method ?? 'GET', path);
      route = endpoint.path;
      if (versioned(path) && !legacy) res.setHeader('OMP-Version', negotiate(req)); // before the key (OMP-ERR-011)
      credential = endpoint.auth === 'required' ? authenticate(req, keys) : tryAuthenticate(req, keys);
      let body: unknown;
      let items: LazyItems | undefined;
      if (endpoint.body) {
        requireJsonContentType(req);
        const isImport = endpoint.body === 'import';
        const read = await readJsonBody(req, {
          limit: isImport ? options.maxImportBytes : options.maxBodyBytes,
          items: isImport ? { member: 'memories', max: options.maxImportItems } : undefined,
        });
        // Extension members this server implements none of are dropped (OMP-EXT-001); import items lazily.
        body = stripExtensions(read.value);
        items = read.items;
      } else {
        req.resume(); // bodies of GET/DELETE are ignored
      }
      const reply: Reply = await endpoint.handle({
        req,
        res,
        requestId,
        params,
        query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
        credential,
        body,
        items,
      });
      if ('streamed' in reply) return;
      if (legacy && reply.body !== undefined) {
        sendJson(
          res,
          reply.status,
          legacyBody(path, req.method, reply.status, reply.body),
          legacyHeaders(reply.headers),
        );
        return;
      }
      sendJson(res, reply.status, reply.body, reply.headers);
    } catch (err) {
      if (err instanceof ApiError) {
        sendError(res, err, requestId);
        return;
      }
      log({
        level: 'error',
        msg: 'internal error',
        route,
        request_id: requestId,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
      sendError(
        res,
        new ApiError(500, 'internal_error', 'The server failed to handle the request'),
        requestId,
      );
    }
  }

  const limits = { ...CONNECTION_DEFAULTS, ...options.connections };
  const server = createServer(
    {
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // The timers above are checked this often; a stalled loop checks late, never early.
      connectionsCheckingInterval: Math.min(limits.headersTimeoutMs, 5_000),
      // Without Host, node:http would answer a bare 400; handle() answers it with the envelope.
      requireHostHeader: false,
    },
    (req, res) => {
      if (options.mcp?.handles(req)) return options.mcp(req, res); // its body must stay unread
      if (options.statics?.handles(req)) return options.statics(req, res);
      void handle(req, res);
    },
  );
  server.maxConnections = limits.maxConnections;

  // Malformed HTTP never reaches the handler; answer it with an envelope too, not Node's bare text.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const code = status === 431 ? 'payload_too_large' : status === 408 ? 'request_timeout' : 'bad_request';
    const requestId = `req_${randomBytesPooled(8).toString('hex')}`;
    const body = envelope(
      new ApiError(status, code, `Malformed or incomplete HTTP request (${STATUS_CODES[status]})`),
      requestId,
    );
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${JSON_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}
