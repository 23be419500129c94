/**
 * Gallery server "draft-02": an independent OMP server written from the published draft 0.2 (the wire facts in
 * ../shared/reference/omp-v0.2-wire-facts.md), the way the draft's author would have written it: plain node:http,
 * in memory, one API key, a draft health body (`version`, `compliance`), no `GET /v1/me`, the draft's error
 * envelope (`details.field`), draft search, unknown members ignored — plus a dozen real defects (truth.json).
 * It must stay independent of the reference server and of the gallery lib: it is what a stranger would write.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GalleryServer } from '../types.ts';
import { brief, type Filters, type Memory, newId, SORTS, type Sort, Store } from './store.ts';
import {
  checkContent,
  checkEmbedding,
  checkExpiry,
  checkMetadata,
  checkNamespace,
  checkSource,
  checkTag,
  checkTags,
  checkType,
  Invalid,
  isObject,
  isTimestamp,
} from './validate.ts';

const MAX_BODY = 64 * 1024 * 1024;
const VERSION = '0.2.0';

/** An error the handlers throw; the envelope is the draft's `{error, message, details}`. */
class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

interface Req {
  method: string;
  params: string[];
  query: URLSearchParams;
  raw: IncomingMessage;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Handler = (r: Req) => Promise<Reply> | Reply;

interface Route {
  method: string;
  path: RegExp;
  open?: boolean;
  handler: Handler;
}

function idOf(r: Req): string {
  return r.params[0] ?? '';
}

function notFound(id: string): HttpError {
  return new HttpError(404, 'memory_not_found', `Memory ${id} not found`);
}

function invalid(e: unknown): never {
  if (e instanceof Invalid) throw new HttpError(422, 'validation_error', e.message, { field: e.field });
  throw e;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'payload_too_large', 'Request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(422, 'validation_error', 'Request body must be valid JSON', { field: 'body' });
  }
}

/** Nesting depth of a parsed JSON value, counted without recursion. */
function depth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    max = Math.max(max, d);
    for (const x of Object.values(v)) stack.push([x, d + 1]);
  }
  return max;
}

async function readObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJson(req);
  // A memory nested thousands of levels deep could be stored but never serialised again (JSON.stringify
  // overflows the stack), so bodies are bounded as OMP-HTTP-018 allows.
  if (depth(body) > 64)
    throw new HttpError(422, 'validation_error', 'Request body nests more than 64 levels', { field: 'body' });
  if (!isObject(body))
    throw new HttpError(422, 'validation_error', 'Request body must be a JSON object', { field: 'body' });
  return body;
}

/** `limit` as the draft has it: default 20, max 100. */
function parseLimit(v: unknown, field = 'limit'): number {
  if (v === undefined || v === null) return 20;
  const n = Number(v);
  // defect: `>= 100` where the draft says "max 100", so limit=100 is refused.
  if (!Number.isInteger(n) || n < 1 || n >= 100)
    throw new HttpError(422, 'validation_error', `${field} must be between 1 and 100`, { field });
  return n;
}

function parseOffset(v: string | null): number {
  if (v === null) return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new HttpError(422, 'validation_error', 'offset must be a non-negative integer', {
      field: 'offset',
    });
  return n;
}

function parseFilters(q: URLSearchParams): Filters {
  const f: Filters = {};
  try {
    const type = q.get('type');
    if (type !== null) f.type = checkType(type);
    const tool = q.get('tool');
    if (tool !== null) f.tool = tool;
    const tags = q.get('tags');
    if (tags !== null) f.tags = tags.split(',').map((t, i) => checkTag(t, `tags[${i}]`));
    const ns = q.get('namespace');
    if (ns !== null) f.namespace = checkNamespace(ns) ?? undefined;
  } catch (e) {
    invalid(e);
  }
  return f;
}

/** Everything the draft defines for a create body; other members are ignored. */
function buildMemory(body: Record<string, unknown>): Memory {
  try {
    const content = checkContent(body.content);
    const type = checkType(body.type);
    const src = checkSource(body.source);
    const now = new Date().toISOString();
    const m: Memory = {
      id: newId(),
      content,
      type,
      // defect: `user_id` is not copied, so the stored source loses it.
      source: {
        tool: src.tool,
        ...(src.session_id !== undefined ? { session_id: src.session_id } : {}),
        timestamp: src.timestamp,
      },
      tags: body.tags === undefined ? [] : checkTags(body.tags),
      namespace: body.namespace === undefined ? null : checkNamespace(body.namespace),
      created_at: now,
      updated_at: now,
      expires_at: body.expires_at === undefined ? null : checkExpiry(body.expires_at),
      metadata: body.metadata === undefined ? {} : checkMetadata(body.metadata),
    };
    if (body.embedding !== undefined) m.embedding = checkEmbedding(body.embedding);
    return m;
  } catch (e) {
    invalid(e);
  }
}

/** The draft's partial update: present members replace, `null` clears; `id`, `source`, timestamps ignored. */
function applyUpdate(m: Memory, body: Record<string, unknown>): Memory {
  if (Object.keys(body).length === 0)
    throw new HttpError(422, 'validation_error', 'Nothing to update', { field: 'body' });
  const next: Memory = { ...m };
  try {
    if ('content' in body) next.content = checkContent(body.content);
    if ('type' in body) next.type = checkType(body.type);
    if ('tags' in body) next.tags = body.tags === null ? [] : checkTags(body.tags);
    if ('namespace' in body) next.namespace = checkNamespace(body.namespace);
    if ('expires_at' in body) next.expires_at = checkExpiry(body.expires_at);
    if ('metadata' in body) next.metadata = body.metadata === null ? {} : checkMetadata(body.metadata);
    if ('embedding' in body) {
      if (body.embedding === null) delete next.embedding;
      else next.embedding = checkEmbedding(body.embedding);
    }
  } catch (e) {
    invalid(e);
  }
  // defect: only a content change counts as an update of the memory, so updated_at stays put otherwise.
  if ('content' in body) next.updated_at = new Date().toISOString();
  return next;
}

/** An export item validated as a memory; unknown members are dropped, as on create. */
function importedMemory(item: unknown): Memory {
  if (!isObject(item)) throw new Invalid('item', 'item must be an object');
  if (typeof item.id !== 'string' || !/^mem_[a-z0-9]{16}$/.test(item.id))
    throw new Invalid('id', 'id must be mem_ and 16 characters of a-z, 0-9');
  const src = checkSource(item.source);
  for (const k of ['created_at', 'updated_at'])
    if (!isTimestamp(item[k])) throw new Invalid(k, `${k} must be an ISO 8601 UTC timestamp`);
  const m: Memory = {
    id: item.id,
    content: checkContent(item.content),
    type: checkType(item.type),
    source: {
      tool: src.tool,
      ...(src.session_id !== undefined ? { session_id: src.session_id } : {}),
      ...(src.user_id !== undefined ? { user_id: src.user_id } : {}),
      timestamp: src.timestamp,
    },
    tags: item.tags === undefined ? [] : checkTags(item.tags),
    namespace: item.namespace === undefined ? null : checkNamespace(item.namespace),
    created_at: item.created_at as string,
    updated_at: item.updated_at as string,
    expires_at: item.expires_at === undefined ? null : checkExpiry(item.expires_at),
    metadata: item.metadata === undefined ? {} : checkMetadata(item.metadata),
  };
  if (item.embedding !== undefined) m.embedding = checkEmbedding(item.embedding);
  return m;
}

function routes(store: Store): Route[] {
  const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
    status,
    body,
    ...(headers ? { headers } : {}),
  });
  return [
    {
      method: 'GET',
      path: /^\/v1\/health$/,
      open: true,
      handler: () =>
        json(200, {
          status: 'ok',
          version: '0.2',
          compliance: 'OMP-Core',
          memories_count: store.memories.size,
        }),
    },
    {
      method: 'POST',
      path: /^\/v1\/memories$/,
      handler: async (r) => {
        const m = buildMemory(await readObject(r.raw));
        store.put(m);
        return json(201, m, { location: `/v1/memories/${m.id}` });
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/memories$/,
      handler: (r) => {
        const filters = parseFilters(r.query);
        const limit = parseLimit(r.query.get('limit') ?? undefined);
        const offset = parseOffset(r.query.get('offset'));
        const sort = (r.query.get('sort') ?? 'created_at_desc') as Sort;
        if (!SORTS.includes(sort))
          throw new HttpError(422, 'validation_error', `sort must be one of ${SORTS.join(', ')}`, {
            field: 'sort',
          });
        const all = store.list(filters, sort);
        return json(200, {
          memories: all.slice(offset, offset + limit).map(brief),
          total: all.length,
          limit,
          offset,
        });
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/memories\/search$/,
      handler: async (r) => {
        const body = await readObject(r.raw);
        if (typeof body.q !== 'string' || body.q.trim() === '')
          throw new HttpError(422, 'validation_error', 'q is required', { field: 'q' });
        const f: Filters = {};
        let mode = 'keyword';
        try {
          if (body.type !== undefined) f.type = checkType(body.type);
          if (body.tags !== undefined) f.tags = checkTags(body.tags);
          if (body.namespace !== undefined && body.namespace !== null)
            f.namespace = checkNamespace(body.namespace) ?? undefined;
          if (body.mode !== undefined) {
            if (!['keyword', 'semantic', 'hybrid'].includes(body.mode as string))
              throw new Invalid('mode', 'mode must be keyword, semantic or hybrid');
            mode = body.mode as string;
          }
        } catch (e) {
          invalid(e);
        }
        const limit = parseLimit(body.limit);
        // Semantic and hybrid are optional in the draft and this server has no embeddings: keyword runs.
        const page = store.search(body.q, f).slice(0, limit);
        // defect: reports the requested mode, not the one that ran.
        return json(200, { memories: page.map(brief), total: page.length, mode_used: mode });
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/memories\/([^/]+)$/,
      handler: (r) => {
        const m = store.find(idOf(r));
        if (!m) throw notFound(idOf(r));
        return json(200, m);
      },
    },
    {
      method: 'PUT',
      path: /^\/v1\/memories\/([^/]+)$/,
      handler: async (r) => {
        const body = await readObject(r.raw);
        const m = store.find(idOf(r));
        // The body is validated before the lookup, so an invalid body to a missing id is a 422, not a 404.
        const next = applyUpdate(m ?? ({} as Memory), body);
        if (!m) throw notFound(idOf(r));
        store.put(next);
        return json(200, next);
      },
    },
    {
      method: 'DELETE',
      path: /^\/v1\/memories\/([^/]+)$/,
      handler: (r) => {
        // defect: deleting what is not there "succeeds" (idempotent delete), where the draft says 404.
        const m = store.find(idOf(r));
        if (m) store.delete(m.id);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/export$/,
      handler: () =>
        json(200, {
          omp_version: '0.2',
          exported_at: new Date().toISOString(),
          server: `omp-server/${VERSION}`,
          memories: store.all(),
        }),
    },
    {
      method: 'POST',
      path: /^\/v1\/import$/,
      handler: async (r) => {
        const conflict = r.query.get('conflict') ?? 'skip';
        if (!['skip', 'overwrite', 'duplicate'].includes(conflict))
          throw new HttpError(422, 'validation_error', 'conflict must be skip, overwrite or duplicate', {
            field: 'conflict',
          });
        const body = await readObject(r.raw);
        if (typeof body.omp_version !== 'string' || !/^0\.\d+$/.test(body.omp_version))
          throw new HttpError(422, 'validation_error', 'Unsupported omp_version', { field: 'omp_version' });
        if (!Array.isArray(body.memories))
          throw new HttpError(422, 'validation_error', 'memories must be an array', { field: 'memories' });
        const result = { imported: 0, skipped: 0, errors: [] as Record<string, unknown>[] };
        body.memories.forEach((item: unknown, index: number) => {
          let m: Memory;
          try {
            m = importedMemory(item);
          } catch (e) {
            if (!(e instanceof Invalid)) throw e;
            const id = isObject(item) && typeof item.id === 'string' ? { id: item.id } : {};
            result.errors.push({ index, ...id, error: 'validation_error', message: e.message });
            return;
          }
          const held = store.find(m.id);
          if (held && conflict === 'duplicate') m.id = newId();
          if (!held || conflict !== 'skip') store.put(m);
          // defect: a skipped item is counted as imported.
          result.imported++;
        });
        return json(200, result);
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/(extract|compress)$/,
      handler: () => {
        throw new HttpError(422, 'no_api_key', 'No AI provider key is configured (OMP_AI_API_KEY)');
      },
    },
  ];
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function authorised(req: IncomingMessage, key: Buffer): boolean {
  // defect: the scheme is matched case-sensitively, so `bearer <key>` is refused.
  const m = /^Bearer\s+(\S+)\s*$/.exec(req.headers.authorization ?? '');
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1]);
  return given.length === key.length && timingSafeEqual(given, key);
}

function send(res: ServerResponse, requestId: string, reply: Reply): void {
  res.statusCode = reply.status;
  res.setHeader('x-request-id', requestId);
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(reply.body));
}

function errorReply(e: unknown, requestId: string): Reply {
  if (e instanceof HttpError) {
    const headers: Record<string, string> = e.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
    return {
      status: e.status,
      headers,
      body: { error: e.code, message: e.message, details: e.details, request_id: requestId },
    };
  }
  return {
    status: 500,
    body: { error: 'internal_error', message: 'Internal server error', details: {}, request_id: requestId },
  };
}

/** Starts the draft-0.2 server on a free loopback port. */
export async function start(): Promise<GalleryServer> {
  const store = new Store();
  const token = `omp_${randomBytes(24).toString('hex')}`;
  const key = Buffer.from(token);
  const table = routes(store);
  const server = createServer(async (req, res) => {
    const requestId = `req_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      let found: { route: Route; params: string[] } | undefined;
      for (const route of table) {
        const m = route.method === method ? route.path.exec(url.pathname) : null;
        if (m) {
          found = { route, params: m.slice(1).map(decodeSegment) };
          break;
        }
      }
      if (!found) throw new HttpError(404, 'not_found', `Route ${method} ${url.pathname} not found`);
      if (!found.route.open && !authorised(req, key))
        throw new HttpError(401, 'unauthorized', 'Missing or invalid API key');
      send(
        res,
        requestId,
        await found.route.handler({ method, params: found.params, query: url.searchParams, raw: req }),
      );
    } catch (e) {
      send(res, requestId, errorReply(e, requestId));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    levels: ['core'],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
