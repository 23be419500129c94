/**
 * The framework layer of the "framework" gallery server: Express 4's defaults, re-enacted on node:http so the
 * gallery needs no dependency. What it copies, and why each matters to a conformance runner:
 * - routing is case-insensitive and ignores one trailing slash (`strict: false`, `caseSensitive: false`);
 * - a path no route matches gets finalhandler's HTML page `Cannot GET /path` (404), whatever the method, so a
 *   wrong method is a 404 too; OPTIONS is answered 200 with the allowed methods as a text/html body;
 * - `express.json()` parses only `application/json`, 100 kB at most, objects and arrays only (`strict`), and
 *   turns its failures (400 SyntaxError, 413, 415 charset) into errors for the default error handler;
 * - the default error handler renders an HTML page with the error's stack (NODE_ENV is not `production`);
 * - `res.json` adds a weak ETag and `X-Powered-By: Express`; `res.send(string)` is text/html;
 * - passport-http-bearer reads the key from the header, `access_token` in the body or in the query, answers a
 *   malformed header with 400 `Bad Request` and a missing or unknown key with 401 `Unauthorized` (text, no JSON).
 * Nothing here knows about OMP.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';

/** Express's `req`: the node request plus what the framework parsed. */
export interface Request {
  raw: IncomingMessage;
  method: string;
  path: string;
  originalUrl: string;
  query: Record<string, string | string[]>;
  params: Record<string, string>;
  body: unknown;
  user?: unknown;
  header(name: string): string | undefined;
}

/** Express's `res`, reduced to what the app uses. */
export class Response {
  readonly raw: ServerResponse;
  private readonly req: Request;
  constructor(raw: ServerResponse, req: Request) {
    this.raw = raw;
    this.req = req;
    raw.setHeader('X-Powered-By', 'Express');
  }
  status(code: number): this {
    this.raw.statusCode = code;
    return this;
  }
  set(name: string, value: string): this {
    this.raw.setHeader(name, value);
    return this;
  }
  get isHead(): boolean {
    return this.req.method === 'HEAD';
  }
  location(path: string): this {
    return this.set('Location', path);
  }
  /** `res.json`: stringify, application/json, then `send`. */
  json(body: unknown): void {
    if (!this.raw.hasHeader('Content-Type'))
      this.raw.setHeader('Content-Type', 'application/json; charset=utf-8');
    this.send(JSON.stringify(body));
  }
  /** `res.send`: a string is text/html unless a type is set; weak ETag; 304 on a matching If-None-Match. */
  send(body: string): void {
    const res = this.raw;
    if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'text/html; charset=utf-8');
    const buf = Buffer.from(body, 'utf8');
    if (res.statusCode === 204 || res.statusCode === 304) {
      res.removeHeader('Content-Type');
      res.end();
      return;
    }
    const etag = `W/"${buf.length.toString(16)}-${createHash('sha1').update(buf).digest('base64').slice(0, 27)}"`;
    res.setHeader('ETag', etag);
    if (
      (this.req.method === 'GET' || this.req.method === 'HEAD') &&
      res.statusCode >= 200 &&
      res.statusCode < 300 &&
      this.req.header('if-none-match') === etag
    ) {
      res.statusCode = 304;
      res.removeHeader('Content-Type');
      res.end();
      return;
    }
    res.setHeader('Content-Length', String(buf.length));
    res.end(this.req.method === 'HEAD' ? undefined : buf);
  }
  /** `res.end()` with no body (204). */
  end(): void {
    this.raw.end();
  }
}

/** An error with an HTTP status, as `http-errors` makes them. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string, name?: string) {
    super(message);
    this.status = status;
    if (name) this.name = name;
  }
}

export type Next = (err?: unknown) => void;
export type Middleware = (req: Request, res: Response, next: Next) => void | Promise<void>;
type Handler = (req: Request, res: Response) => void | Promise<void>;

interface Layer {
  method?: string;
  /** Mount prefix (app.use) or route pattern (app.get …). */
  match: (path: string) => Record<string, string> | null;
  fn: Middleware;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** path-to-regexp as Express 4 configures it: `:param`, case-insensitive, optional trailing slash. */
function routeMatcher(pattern: string): (path: string) => Record<string, string> | null {
  const names: string[] = [];
  const src = pattern
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        names.push(seg.slice(1));
        return '([^/]+?)';
      }
      return escapeRegExp(seg);
    })
    .join('/');
  const re = new RegExp(`^${src}\\/?$`, 'i');
  return (path) => {
    const m = re.exec(path);
    if (!m) return null;
    const params: Record<string, string> = {};
    names.forEach((n, i) => {
      const v = m[i + 1] ?? '';
      try {
        params[n] = decodeURIComponent(v);
      } catch {
        params[n] = v;
      }
    });
    return params;
  };
}

function mountMatcher(prefix: string): (path: string) => Record<string, string> | null {
  const p = prefix.toLowerCase();
  return (path) => {
    const l = path.toLowerCase();
    return l === p || l.startsWith(`${p}/`) ? {} : null;
  };
}

/** qs with Express's "extended" defaults, reduced: repeated keys and `key[]` become arrays. */
function parseQuery(search: URLSearchParams): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = {};
  for (const [rawKey, value] of search) {
    const key = rawKey.endsWith('[]') ? rawKey.slice(0, -2) : rawKey;
    const prev = q[key];
    if (prev === undefined) q[key] = rawKey.endsWith('[]') ? [value] : value;
    else q[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return q;
}

function escapeHtml(s: string): string {
  const map: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return s.replace(/[&<>"']/g, (c) => map[c] ?? c);
}

/** finalhandler's page: the stack in development, `Cannot METHOD /path` for a 404 no route answered. */
function htmlPage(message: string): string {
  const body = escapeHtml(message).replace(/\n/g, '<br>').replace(/ {2}/g, ' &nbsp;');
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>${body}</pre>\n</body>\n</html>\n`;
}

function finalResponse(res: Response, status: number, message: string): void {
  const raw = res.raw;
  if (raw.headersSent) {
    raw.destroy();
    return;
  }
  for (const h of raw.getHeaderNames()) if (h !== 'x-powered-by') raw.removeHeader(h);
  raw.statusCode = status;
  raw.setHeader('Content-Security-Policy', "default-src 'none'");
  raw.setHeader('X-Content-Type-Options', 'nosniff');
  const page = Buffer.from(htmlPage(message), 'utf8');
  raw.setHeader('Content-Type', 'text/html; charset=utf-8');
  raw.setHeader('Content-Length', String(page.length));
  raw.end(res.isHead ? undefined : page);
}

/** A tiny Express: `use`, `get`/`post`/`put`/`delete`, and `handle` for node:http. */
export class App {
  private readonly stack: Layer[] = [];

  use(prefixOrFn: string | Middleware, fn?: Middleware): this {
    if (typeof prefixOrFn === 'string')
      this.stack.push({ match: mountMatcher(prefixOrFn), fn: fn as Middleware });
    else this.stack.push({ match: () => ({}), fn: prefixOrFn });
    return this;
  }

  private route(method: string, pattern: string, handler: Handler): this {
    this.stack.push({
      method,
      match: routeMatcher(pattern),
      fn: async (req, res) => handler(req, res),
    });
    return this;
  }
  get(p: string, h: Handler): this {
    return this.route('GET', p, h);
  }
  post(p: string, h: Handler): this {
    return this.route('POST', p, h);
  }
  put(p: string, h: Handler): this {
    return this.route('PUT', p, h);
  }
  delete(p: string, h: Handler): this {
    return this.route('DELETE', p, h);
  }

  /** Methods of the routes matching a path, as Express's automatic OPTIONS answer lists them. */
  private allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const l of this.stack) if (l.method && l.match(path)) methods.add(l.method);
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }

  /** The node:http request listener. */
  handle = (raw: IncomingMessage, out: ServerResponse): void => {
    const url = new URL(raw.url ?? '/', 'http://localhost');
    const req: Request = {
      raw,
      method: raw.method ?? 'GET',
      path: url.pathname,
      originalUrl: raw.url ?? '/',
      query: parseQuery(url.searchParams),
      params: {},
      body: undefined,
      header: (name) => {
        const v = raw.headers[name.toLowerCase()];
        return Array.isArray(v) ? v.join(', ') : v;
      },
    };
    const res = new Response(out, req);
    let i = 0;
    const next: Next = (err) => {
      if (err !== undefined) return this.fail(err, req, res);
      while (i < this.stack.length) {
        const layer = this.stack[i++] as Layer;
        const method = req.method === 'HEAD' ? 'GET' : req.method;
        if (layer.method && layer.method !== method) continue;
        const params = layer.match(req.path);
        if (!params) continue;
        req.params = params;
        try {
          const r = layer.fn(req, res, next);
          if (r instanceof Promise) r.catch((e: unknown) => this.fail(e, req, res));
        } catch (e) {
          this.fail(e, req, res);
        }
        return;
      }
      if (req.method === 'OPTIONS') {
        const allow = this.allowed(req.path);
        if (allow.length) {
          res.status(200).set('Allow', allow.join(','));
          res.send(allow.join(','));
          return;
        }
      }
      finalResponse(res, 404, `Cannot ${req.method} ${req.path}`);
    };
    next();
  };

  /** Express's default error handler in development: the status of the error, its stack as HTML. */
  private fail(err: unknown, _req: Request, res: Response): void {
    const status = err instanceof HttpError ? err.status : 500;
    const stack = err instanceof Error ? (err.stack ?? String(err)) : String(err);
    finalResponse(res, status, stack);
  }
}

function mediaType(req: Request): { type: string; charset?: string } | null {
  const ct = req.header('content-type');
  if (!ct) return null;
  const [type = '', ...params] = ct.split(';').map((p) => p.trim());
  const charset = params
    .map((p) => /^charset=("?)([^"]*)\1$/i.exec(p)?.[2])
    .find((c): c is string => c !== undefined);
  return { type: type.toLowerCase(), ...(charset ? { charset: charset.toLowerCase() } : {}) };
}

/** `express.json()` with its defaults: limit 100 kB, strict, only for `application/json`. */
export function json(limit = 100 * 1024): Middleware {
  return async (req, _res, next) => {
    req.body = {};
    const mt = mediaType(req);
    if (mt?.type !== 'application/json') return next();
    if (mt.charset && mt.charset !== 'utf-8')
      return next(
        new HttpError(415, `unsupported charset "${mt.charset.toUpperCase()}"`, 'UnsupportedMediaTypeError'),
      );
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req.raw as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit)
        tooLarge = true; // keep draining, as raw-body does, so the socket stays usable
      else chunks.push(chunk);
    }
    if (tooLarge) return next(new HttpError(413, 'request entity too large', 'PayloadTooLargeError'));
    // body-parser decodes with iconv-lite: invalid UTF-8 becomes U+FFFD instead of an error.
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.length === 0) return next();
    const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
    if (first !== '{' && first !== '[')
      return next(new HttpError(400, `Unexpected token ${first ?? ''} in JSON at position 0`, 'SyntaxError'));
    try {
      req.body = JSON.parse(text);
    } catch (e) {
      return next(new HttpError(400, (e as Error).message, 'SyntaxError'));
    }
    next();
  };
}

/**
 * passport.authenticate('bearer', { session: false }) with passport-http-bearer: the key from the header, the
 * body's or the query's `access_token`; a header not of two space-separated parts is a 400.
 */
export function bearer(verify: (token: string) => unknown): Middleware {
  return (req, res, next) => {
    let token: string | undefined;
    const header = req.header('authorization');
    if (header) {
      const parts = header.split(' ');
      if (parts.length !== 2) return plain(res, 400);
      if (/^Bearer$/i.test(parts[0] ?? '')) token = parts[1];
    }
    const body = req.body as Record<string, unknown> | undefined;
    if (body && typeof body.access_token === 'string') {
      if (token) return plain(res, 400);
      token = body.access_token;
    }
    const q = req.query.access_token;
    if (typeof q === 'string') {
      if (token) return plain(res, 400);
      token = q;
    }
    if (!token) return plain(res, 401, 'Bearer realm="Users"');
    const user = verify(token);
    if (!user) return plain(res, 401, 'Bearer realm="Users", error="invalid_token"');
    req.user = user;
    next();
  };
}

/** passport's failure answer: the status text, no Content-Type. */
function plain(res: Response, status: number, challenge?: string): void {
  res.raw.statusCode = status;
  if (challenge) res.raw.setHeader('WWW-Authenticate', challenge);
  res.raw.end(STATUS_CODES[status]);
}
