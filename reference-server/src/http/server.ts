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
import type { LogSink } from '../log.ts';
import type { McpMount } from '../mcp.ts';
import { randomBytesPooled } from '../model/random.ts';
import { stripExtensions } from '../validation.ts';
import { NEWEST, negotiate, versioned } from '../versioning.ts';
import { parseJson, readBody, requireJsonContentType } from './body.ts';
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
}

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
      if (versioned(path)) res.setHeader('OMP-Version', NEWEST);
      const { endpoint, params } = router.match(req.method ?? 'GET', path);
      route = endpoint.path;
      if (versioned(path)) res.setHeader('OMP-Version', negotiate(req)); // before the key (OMP-ERR-011)
      credential = endpoint.auth === 'required' ? authenticate(req, keys) : tryAuthenticate(req, keys);
      let body: unknown;
      if (endpoint.body) {
        requireJsonContentType(req);
        const limit = endpoint.body === 'import' ? options.maxImportBytes : options.maxBodyBytes;
        body = stripExtensions(parseJson(await readBody(req, limit)));
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
      });
      if ('streamed' in reply) return;
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

  const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: 120_000 }, (req, res) => {
    if (options.mcp?.handles(req)) return options.mcp(req, res); // its body must stay unread
    void handle(req, res);
  });

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
