/**
 * Gallery server "framework": an OMP 0.3 server as an app developer writes it on a web framework and ships with
 * the framework's defaults (Express 4 + body-parser + passport-http-bearer, re-enacted in express.ts). Its OMP
 * logic is right; what is wrong is what the framework does on its own: HTML 404/500 pages with stack traces,
 * 400 for every validation problem (never 422), plain-text 401s, a 100 kB body limit under a declared 1 MiB,
 * the key accepted from `?access_token=`, case-insensitive routes with trailing-slash tolerance, and a 500 when
 * a query parameter is repeated. Ground truth: truth.json. Independent of the reference server and gallery lib.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GalleryServer } from '../types.ts';
import { App, bearer, json, type Request, type Response } from './express.ts';
import { brief, Clock, type Filters, type Memory, newId, Store } from './memories.ts';
import {
  Checker,
  checkCreate,
  checkItem,
  checkUpdate,
  depth,
  isObject,
  MODES,
  SORTS,
  TYPES,
  type Violation,
} from './validate.ts';

const SERVER = { name: 'memory-api', version: '1.4.2' };
const PRINCIPAL = 'usr_default';

function fail(res: Response, status: number, error: string, message: string, details: object = {}): void {
  res.status(status).json({ error, message, details });
}

/** The app's validation answer: the OMP envelope, with the status its framework habits chose. */
function invalid(res: Response, errors: Violation[]): void {
  const summary = errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ');
  fail(res, 400, 'validation_error', `Validation failed: ${summary}`, { errors });
}

function notFound(res: Response, id: string): void {
  fail(res, 404, 'memory_not_found', `No memory with id ${id}`, { id });
}

/** Query filters and paging shared by list and GET search; `tags` is assumed to be one string. */
function queryFilters(q: Record<string, string | string[]>, c: Checker): Filters {
  const f: Filters = {};
  if (q.type !== undefined) {
    if (typeof q.type !== 'string' || !TYPES.includes(q.type))
      c.add('?type', `must be one of ${TYPES.join(', ')}`);
    else f.type = q.type;
  }
  if (q.tool !== undefined) {
    c.tool(q.tool, '?tool');
    if (typeof q.tool === 'string') f.tool = q.tool;
  }
  if (q.tags !== undefined) {
    // A repeated ?tags= arrives from the query parser as an array, and .split throws: the framework answers 500.
    const tags = (q.tags as string).split(',');
    tags.forEach((t) => {
      c.tag(t, '?tags');
    });
    f.tags = tags;
  }
  if (q.namespace !== undefined) {
    c.namespace(q.namespace, '?namespace', false);
    if (typeof q.namespace === 'string') f.namespace = q.namespace;
  }
  return f;
}

function page<T>(all: T[], offset: number, limit: number): T[] {
  return all.slice(offset, offset + limit);
}

interface SearchInput {
  q: string;
  mode: string;
  filters: Filters;
  limit: number;
  offset: number;
}

function searchFromBody(body: unknown): { input?: SearchInput; errors: Violation[] } {
  const c = new Checker();
  if (!isObject(body)) return { errors: [{ path: '', message: 'must be an object' }] };
  c.only(body, ['q', 'mode', 'type', 'tool', 'tags', 'namespace', 'limit', 'offset']);
  c.wellFormed(body, '');
  const q = body.q;
  if (typeof q !== 'string' || [...q].length < 1 || [...q].length > 1000 || !/\S/.test(q))
    c.add('/q', 'must be 1 to 1000 characters, not only white space');
  if (body.mode !== undefined && (typeof body.mode !== 'string' || !MODES.includes(body.mode)))
    c.add('/mode', `must be one of ${MODES.join(', ')}`);
  if (body.type !== undefined) c.type(body.type, '/type');
  if (body.tool !== undefined) c.tool(body.tool, '/tool');
  if (body.tags !== undefined) c.tags(body.tags, '/tags');
  if (body.namespace !== undefined) c.namespace(body.namespace, '/namespace', false);
  const int = (v: unknown, at: string, min: number, max: number, dflt: number) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number') return c.add(at, `must be an integer from ${min} to ${max}`);
    return c.integer(v, at, min, max);
  };
  const limit = int(body.limit, '/limit', 1, 100, 20);
  const offset = int(body.offset, '/offset', 0, 1_000_000, 0);
  if (c.errors.length) return { errors: c.errors };
  const filters: Filters = {};
  if (body.type !== undefined) filters.type = body.type as string;
  if (body.tool !== undefined) filters.tool = body.tool as string;
  if (body.tags !== undefined) filters.tags = body.tags as string[];
  if (body.namespace !== undefined) filters.namespace = body.namespace as string;
  return {
    input: {
      q: q as string,
      mode: (body.mode as string) ?? 'keyword',
      filters,
      limit: limit as number,
      offset: offset as number,
    },
    errors: [],
  };
}

/** The app: routes in the order the developer registered them. */
function buildApp(store: Store, clock: Clock, key: string): App {
  const app = new App();
  app.use(json());

  app.get('/v1/health', (req, res) => {
    const m = /^bearer +(\S+) *$/i.exec(req.header('authorization') ?? '');
    res.json({
      status: 'ok',
      version: '0.3',
      memories_count: m?.[1] === key ? store.count() : null,
      levels: ['core'],
      capabilities: ['keyword_search'],
      limits: { max_body_bytes: 1_048_576, max_import_bytes: 33_554_432 },
      server: SERVER,
    });
  });

  app.use(
    '/v1',
    bearer((token) => (token === key ? { principal: PRINCIPAL } : undefined)),
  );

  // Added after a 5,000-level metadata object was stored and then broke every export (JSON.stringify ran out
  // of stack): bodies deeper than 64 levels are refused, with the app's usual validation status.
  app.use((req, res, next) => {
    if (depth(req.body) > 64)
      return invalid(res, [{ path: '', message: 'must not nest more than 64 levels' }]);
    next();
  });

  app.get('/v1/me', (_req, res) => {
    res.json({ principal: PRINCIPAL, tool: null, scopes: ['read', 'write'], read_scope: 'all' });
  });

  app.post('/v1/memories', (req, res) => {
    const now = Date.now();
    const errors = checkCreate(req.body, now);
    if (errors.length) return invalid(res, errors);
    const b = req.body as Record<string, unknown>;
    const at = clock.now();
    const source = { ...(b.source as Record<string, unknown>) };
    if (source.timestamp === undefined) source.timestamp = at;
    const m: Memory = {
      id: newId(),
      content: b.content as string,
      type: b.type as string,
      source,
      tags: (b.tags as string[] | undefined) ?? [],
      namespace: (b.namespace as string | null | undefined) ?? null,
      created_at: at,
      updated_at: at,
      expires_at: (b.expires_at as string | null | undefined) ?? null,
      metadata: (b.metadata as Record<string, unknown> | undefined) ?? {},
      ...(b.embedding !== undefined ? { embedding: b.embedding as number[] } : {}),
    };
    store.put(m);
    res.status(201).location(`/v1/memories/${m.id}`).json(m);
  });

  app.get('/v1/memories', (req, res) => {
    const c = new Checker();
    const filters = queryFilters(req.query, c);
    const limit = req.query.limit === undefined ? 20 : c.integer(req.query.limit, '?limit', 1, 100);
    const offset = req.query.offset === undefined ? 0 : c.integer(req.query.offset, '?offset', 0, 1_000_000);
    const sort = req.query.sort ?? 'created_at_desc';
    if (typeof sort !== 'string' || !SORTS.includes(sort))
      c.add('?sort', `must be one of ${SORTS.join(', ')}`);
    if (c.errors.length) return invalid(res, c.errors);
    const all = store.list(filters, sort as string);
    res.json({
      memories: page(all, offset as number, limit as number).map(brief),
      total: all.length,
      limit,
      offset,
    });
  });

  const runSearch = (res: Response, input: SearchInput) => {
    const all = store.search(input.q, input.filters);
    res.json({
      memories: page(all, input.offset, input.limit).map(brief),
      total: all.length,
      mode_used: 'keyword',
      limit: input.limit,
      offset: input.offset,
    });
  };

  app.post('/v1/memories/search', (req, res) => {
    const { input, errors } = searchFromBody(req.body);
    if (!input) return invalid(res, errors);
    runSearch(res, input);
  });

  app.get('/v1/memories/search', (req, res) => {
    const c = new Checker();
    const q = req.query;
    const filters = queryFilters(q, c);
    const body: Record<string, unknown> = { ...q };
    delete body.tags;
    if (filters.tags) body.tags = filters.tags;
    for (const k of ['limit', 'offset'])
      if (typeof q[k] === 'string')
        body[k] = c.integer(q[k], `?${k}`, k === 'limit' ? 1 : 0, k === 'limit' ? 100 : 1e6);
    // Unknown query parameters are dropped, as the framework's query parsing leaves them unread.
    for (const k of Object.keys(body))
      if (!['q', 'mode', 'type', 'tool', 'tags', 'namespace', 'limit', 'offset'].includes(k)) delete body[k];
    if (c.errors.length) return invalid(res, c.errors);
    const { input, errors } = searchFromBody(body);
    if (!input)
      return invalid(
        res,
        errors.map((e) => ({ ...e, path: e.path.replace(/^\//, '?') })),
      );
    runSearch(res, input);
  });

  app.get('/v1/memories/:id', (req, res) => {
    const m = store.find(req.params.id ?? '');
    if (!m) return notFound(res, req.params.id ?? '');
    res.json(m);
  });

  app.put('/v1/memories/:id', (req, res) => {
    const errors = checkUpdate(req.body, Date.now());
    if (errors.length) return invalid(res, errors);
    const m = store.find(req.params.id ?? '');
    if (!m) return notFound(res, req.params.id ?? '');
    const b = req.body as Record<string, unknown>;
    const next: Memory = { ...m };
    for (const k of ['content', 'type', 'tags', 'namespace', 'expires_at', 'metadata'] as const)
      if (k in b) (next as unknown as Record<string, unknown>)[k] = b[k];
    if ('embedding' in b) {
      if (b.embedding === null) delete next.embedding;
      else next.embedding = b.embedding as number[];
    }
    next.updated_at = clock.now(Date.parse(m.updated_at));
    store.put(next);
    res.json(next);
  });

  app.delete('/v1/memories/:id', (req, res) => {
    const m = store.find(req.params.id ?? '');
    if (!m) return notFound(res, req.params.id ?? '');
    store.delete(m.id);
    res.status(204).end();
  });

  app.get('/v1/export', (_req, res) => {
    res.json({ omp_version: '0.3', exported_at: clock.now(), server: SERVER, memories: store.exportOrder() });
  });

  app.post('/v1/import', (req, res) => importFile(req, res, store));

  return app;
}

function importFile(req: Request, res: Response, store: Store) {
  const body = req.body;
  const c = new Checker();
  if (!isObject(body)) return invalid(res, [{ path: '', message: 'must be an object' }]);
  c.only(body, ['omp_version', 'exported_at', 'server', 'memories', 'conflict']);
  const v = body.omp_version;
  if (typeof v !== 'string' || !/^[0-9]+\.[0-9]+$/.test(v)) c.add('/omp_version', 'must be MAJOR.MINOR');
  c.timestamp(body.exported_at, '/exported_at');
  if (!isObject(body.server) && typeof body.server !== 'string')
    c.add('/server', 'must be an object or a string');
  if (!Array.isArray(body.memories)) c.add('/memories', 'must be an array');
  const fromQuery = req.query.conflict;
  const fromBody = body.conflict;
  const strategies = ['skip', 'overwrite', 'duplicate'];
  if (fromQuery !== undefined && (typeof fromQuery !== 'string' || !strategies.includes(fromQuery)))
    c.add('?conflict', 'must be skip, overwrite or duplicate');
  if (fromBody !== undefined && (typeof fromBody !== 'string' || !strategies.includes(fromBody)))
    c.add('/conflict', 'must be skip, overwrite or duplicate');
  if (fromQuery !== undefined && fromBody !== undefined && fromQuery !== fromBody)
    c.add('/conflict', 'differs from ?conflict');
  if (c.errors.length) return invalid(res, c.errors);
  const [major, minor] = (v as string).split('.').map(Number);
  if (major !== 0 || (minor as number) > 3)
    return fail(res, 400, 'unsupported_version', `omp_version ${v as string} is not supported (0.1 to 0.3)`);
  const conflict = (fromQuery ?? fromBody ?? 'skip') as string;
  const result = { imported: 0, skipped: 0, errors: [] as object[] };
  (body.memories as unknown[]).forEach((item, index) => {
    const errors = checkItem(item, `/memories/${index}`);
    const it = item as Record<string, unknown>;
    if (errors.length) {
      result.errors.push({
        index,
        ...(isObject(item) && typeof it.id === 'string' ? { id: it.id } : {}),
        error: 'validation_error',
        message: errors.map((e) => `${e.path} ${e.message}`).join('; '),
        details: { errors },
      });
      return;
    }
    const m = { ...it, namespace: it.namespace ?? null, metadata: it.metadata ?? {} } as unknown as Memory;
    if (m.expires_at !== null && Date.parse(m.expires_at) <= Date.now()) {
      result.skipped++;
      return;
    }
    const held = store.find(m.id);
    if (held && conflict === 'skip') {
      result.skipped++;
      return;
    }
    if (held && conflict === 'duplicate') m.id = newId();
    store.put(m);
    result.imported++;
  });
  res.json(result);
}

/** Starts the framework server on a free loopback port. */
export async function start(): Promise<GalleryServer> {
  const key = randomBytes(24).toString('base64url');
  const app = buildApp(new Store(), new Clock(), key);
  const server = createServer(app.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token: key,
    levels: ['core'],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
