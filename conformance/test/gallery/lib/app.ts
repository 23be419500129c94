/**
 * An independent, in-memory OMP 0.3 server written from spec/SPEC.md (not from the reference server), on plain
 * `node:http`, with switchable faults and valid variations (options.ts). Core level only: two principals with a
 * global key each. Bodies are validated with the published 0.3 JSON Schemas (the frozen copy in
 * spec/releases/0.3/schemas, loaded through `@omp-kit/schemas`), as a third-party 0.3 implementer would; every
 * other rule of the spec is written out here.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createAjv, loadSchemasFrom, toViolations, type Violation } from '@omp-kit/schemas';
import { releaseSchemaDir } from '@omp-kit/spec';
import type { GalleryServer } from '../types.ts';
import type { Faults, ServerOptions, Variations } from './options.ts';
import { formatTime, hasLoneSurrogate, isTimestamp, relevance, tokenise, tsKey } from './text.ts';

type Json = Record<string, unknown>;
/** A stored memory: the wire object (members in wire order) plus its sort keys. */
type Memory = Json & { id: string; created_at: string; updated_at: string; expires_at: string | null };

const MAX_BODY = 262_144;
const MAX_IMPORT = 33_554_432;
const ID = /^mem_[a-z0-9]{16}$/;
const TAG = /^[a-z0-9_:-]{1,50}$/;
const NAMESPACE = /^[a-z0-9_:-]{1,100}$/;
const TYPES = ['episodic', 'semantic', 'procedural'];
const SORTS = ['created_at_desc', 'created_at_asc', 'updated_at_desc', 'updated_at_asc'];
const MEMBER_ORDER = [
  'id',
  'content',
  'type',
  'source',
  'tags',
  'namespace',
  'created_at',
  'updated_at',
  'expires_at',
  'embedding',
  'metadata',
];

// A 0.3 server: the schemas of the version it implements, not the current draft's.
const schemas03 = loadSchemasFrom(releaseSchemaDir('0.3') ?? '');
const ajv = createAjv({ allErrors: true, schemas: schemas03 });
const validator = (name: string) => {
  const id = schemas03.get(name)?.$id;
  const fn = id ? ajv.getSchema(id) : undefined;
  if (!fn) throw new Error(`schema ${name} did not compile`);
  return fn;
};
const validate = {
  create: validator('create-request'),
  update: validator('update-request'),
  search: validator('search-request'),
  memory: validator('memory'),
  exportFile: validator('export-file'),
};

/** Whether a JSON value nests arrays and objects more than 64 levels deep (OMP-HTTP-018 lets us refuse it). */
function tooDeep(v: unknown, depth: number): boolean {
  if (!v || typeof v !== 'object') return false;
  if (depth >= 64) return true;
  return Object.values(v).some((x) => tooDeep(x, depth + 1));
}

/** An error answer: status, code, message, details. */
class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Json;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    code: string,
    message: string,
    details: Json = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

const invalid = (violations: Violation[]) =>
  new HttpError(
    422,
    'validation_error',
    `Request is invalid: ${violations.map((v) => `${v.path} ${v.message}`).join('; ')}`,
    { errors: violations },
  );

/** A parsed request after routing. */
interface Req {
  method: string;
  path: string;
  query: Map<string, string>;
  /** Names that appeared more than once in the query string. */
  repeated: string[];
  headers: http.IncomingHttpHeaders;
  raw: http.IncomingMessage;
}

/** Per-principal state. */
interface Principal {
  name: string;
  memories: Map<string, Memory>;
}

/** A key: its principal, the tool it is bound to (null: a global key), its scopes and read scope (§8.2). */
interface Key {
  p: Principal;
  tool: string | null;
  scopes: ReadonlyArray<'read' | 'write'>;
  readScope: 'all' | 'own';
}

/** Per-tool keys of a Full server: one per scope shape (§8.2). */
const TOOL_KEYS = [
  { tool: 'cursor', scopes: ['read', 'write'], readScope: 'own' },
  { tool: 'claude', scopes: ['read', 'write'], readScope: 'all' },
  { tool: 'reader', scopes: ['read'], readScope: 'all' },
  { tool: 'writer', scopes: ['write'], readScope: 'all' },
] as const;

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Start an in-memory OMP server on 127.0.0.1 and a free port. */
export async function startOmpServer(options: ServerOptions): Promise<GalleryServer> {
  const f: Faults = options.faults ?? {};
  const v: Variations = options.variations ?? {};
  const token = `gal_${randomBytes(24).toString('hex')}`;
  const tokenB = `gal_${randomBytes(24).toString('hex')}`;
  const alice: Principal = { name: 'usr_alice', memories: new Map() };
  const globalKey = (p: Principal): Key => ({
    p,
    tool: null,
    scopes: ['read', 'write'],
    readScope: 'all',
  });
  const keys = new Map<string, Key>([
    [token, globalKey(alice)],
    [tokenB, globalKey({ name: 'usr_bob', memories: new Map() })],
  ]);
  const toolTokens: Record<string, string> = {};
  if (options.full)
    for (const k of TOOL_KEYS) {
      toolTokens[k.tool] = `gal_${randomBytes(24).toString('hex')}`;
      keys.set(toolTokens[k.tool] as string, {
        p: alice,
        tool: k.tool,
        scopes: k.scopes,
        readScope: k.readScope,
      });
    }
  let lastMs = 0;
  let droppable = 0;

  /** A server clock that never repeats a millisecond, so successive writes are strictly ordered. */
  const now = () => {
    lastMs = Math.max(Date.now(), lastMs + 1);
    return lastMs;
  };
  const stamp = (ms: number) => formatTime(ms, f.microsecondTimestamps);
  const newId = () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const rnd = [...randomBytes(16)].map((b) => alphabet[b % 36]).join('');
    if (!v.timeOrderedIds) return `mem_${rnd}`;
    return `mem_${Date.now().toString(36).padStart(9, '0').slice(-9)}${rnd.slice(0, 7)}`;
  };

  const isExpired = (m: Memory) =>
    m.expires_at !== null && tsKey(m.expires_at) <= tsKey(formatTime(Date.now()));
  const hidden = (k: Key, m: Memory) => k.readScope === 'own' && (m.source as Json).tool !== k.tool;
  /** Memories visible to a key; expired ones are purged (OMP-EXP-006 allows it). */
  const visible = (k: Key, ignoreReadScope = false): Memory[] => {
    for (const [id, m] of k.p.memories) if (isExpired(m)) k.p.memories.delete(id);
    return [...k.p.memories.values()].filter((m) => ignoreReadScope || !hidden(k, m));
  };
  const find = (k: Key, id: string): Memory => {
    const m = k.p.memories.get(id);
    if (!m || isExpired(m) || hidden(k, m))
      throw new HttpError(404, 'memory_not_found', `No memory with id ${id}`, { id });
    return m;
  };
  /** Refuse a key without the scope an operation needs (§8.2). */
  const need = (k: Key, scope: 'read' | 'write') => {
    if (!k.scopes.includes(scope))
      throw new HttpError(403, 'forbidden', `This key lacks the ${scope} scope`, { scope });
  };
  /** Refuse a per-tool key acting on another tool's memory (§8.2). */
  const ownTool = (k: Key, tool: unknown) => {
    if (k.tool !== null && tool !== k.tool)
      throw new HttpError(403, 'forbidden', `This key may only write memories of ${k.tool}`, {
        tool: k.tool,
      });
  };

  /** The wire form of a memory: canonical member order, `embedding` only where asked. */
  const wire = (m: Memory, withEmbedding: boolean, extra: Json = {}): Json => {
    const out: Json = {};
    for (const k of MEMBER_ORDER) {
      if (k === 'embedding' && (!withEmbedding || m.embedding === undefined)) continue;
      out[k] = m[k];
    }
    return { ...out, ...extra };
  };

  // ---- validation helpers -------------------------------------------------------------------------------
  const schemaViolations = (fn: ReturnType<typeof validator>, body: unknown, prefix = ''): Violation[] =>
    fn(body) ? [] : toViolations(fn.errors, prefix);

  /** Timestamp and surrogate rules the schemas cannot say (calendar dates, future expiry, Unicode text). */
  const extraViolations = (body: Json, opts: { futureExpiry: boolean }, prefix = ''): Violation[] => {
    const out: Violation[] = [];
    const src = body.source as Json | undefined;
    if (src && typeof src === 'object' && 'timestamp' in src && !isTimestamp(src.timestamp))
      out.push({ path: `${prefix}/source/timestamp`, message: 'must be an RFC 3339 UTC timestamp' });
    if (body.expires_at !== undefined && body.expires_at !== null) {
      if (!isTimestamp(body.expires_at))
        out.push({ path: `${prefix}/expires_at`, message: 'must be an RFC 3339 UTC timestamp' });
      else if (opts.futureExpiry && tsKey(body.expires_at as string) <= tsKey(formatTime(Date.now())))
        out.push({ path: `${prefix}/expires_at`, message: 'must lie in the future' });
    }
    if (hasLoneSurrogate(body)) out.push({ path: prefix || '/', message: 'contains an unpaired surrogate' });
    return out;
  };

  const checkQuery = (req: Req, allowed: string[]) => {
    const violations: Violation[] = [];
    for (const name of req.repeated) violations.push({ path: `?${name}`, message: 'must not be repeated' });
    if (!f.ignoreUnknownQuery)
      for (const name of req.query.keys())
        if (!allowed.includes(name))
          violations.push({ path: `?${name}`, message: 'is not a parameter here' });
    return violations;
  };

  const decimal = (s: string | undefined, min: number, max: number): number | null => {
    if (s === undefined || !/^(0|[1-9][0-9]*)$/.test(s)) return null;
    const n = Number(s);
    return n >= min && n <= max ? n : null;
  };

  /** Filters, paging and sort from a list query string (§5.2). */
  const listQuery = (req: Req) => {
    const q = req.query;
    const violations = checkQuery(req, ['type', 'tool', 'tags', 'namespace', 'limit', 'offset', 'sort']);
    const type = q.get('type');
    if (type !== undefined && !TYPES.includes(type))
      violations.push({ path: '?type', message: 'unknown type' });
    const tool = q.get('tool');
    if (tool !== undefined && !/^[^\u0000-\u001f\u007f]{1,100}$/u.test(tool))
      violations.push({ path: '?tool', message: 'must be a tool name' });
    const tagsRaw = q.get('tags');
    const tags = tagsRaw === undefined ? undefined : tagsRaw.split(',');
    if (tags?.some((t) => !TAG.test(t)))
      violations.push({ path: '?tags', message: 'must be tags joined by commas' });
    const namespace = q.get('namespace');
    if (namespace !== undefined && !NAMESPACE.test(namespace))
      violations.push({ path: '?namespace', message: 'must be a namespace' });
    const limit = q.has('limit') ? decimal(q.get('limit'), 1, f.listLimitMax ?? 100) : 20;
    if (limit === null) violations.push({ path: '?limit', message: 'must be an integer from 1 to 100' });
    const offset = q.has('offset') ? decimal(q.get('offset'), 0, 1_000_000) : 0;
    if (offset === null)
      violations.push({ path: '?offset', message: 'must be an integer from 0 to 1000000' });
    const sort = q.get('sort') ?? 'created_at_desc';
    if (!SORTS.includes(sort)) violations.push({ path: '?sort', message: 'unknown sort order' });
    if (violations.length) throw invalid(violations);
    return {
      filter: { type, tool, tags, namespace },
      limit: limit as number,
      offset: offset as number,
      sort,
    };
  };

  interface Filter {
    type?: string | undefined;
    tool?: string | undefined;
    tags?: string[] | undefined;
    namespace?: string | undefined;
  }
  const matches = (m: Memory, fl: Filter) =>
    (fl.type === undefined || m.type === fl.type) &&
    (fl.tool === undefined || (m.source as Json).tool === fl.tool) &&
    (fl.namespace === undefined || m.namespace === fl.namespace) &&
    (fl.tags === undefined || fl.tags.every((t) => (m.tags as string[]).includes(t)));

  const byTime = (field: 'created_at' | 'updated_at', dir: 1 | -1) => (a: Memory, b: Memory) => {
    const ka = tsKey(a[field]);
    const kb = tsKey(b[field]);
    if (ka !== kb) return ka < kb ? -dir : dir;
    return a.id < b.id ? -dir : a.id > b.id ? dir : 0;
  };

  // ---- handlers ----------------------------------------------------------------------------------------
  const health = (req: Req): Reply => {
    const who = principalOf(req.headers.authorization, true);
    const capabilities = options.full
      ? ['keyword_search', 'per_tool_keys', 'multi_user']
      : ['keyword_search'];
    if (v.rateLimitPerSecond) capabilities.push('rate_limiting');
    const body: Json = {
      status: 'ok',
      version: '0.3',
      memories_count: who?.scopes.includes('read') && !f.healthCountAlwaysNull ? visible(who).length : null,
      levels: options.full ? ['core', 'full'] : ['core'],
      capabilities: v.otherOrders ? [...capabilities].reverse() : capabilities,
      limits: { max_body_bytes: MAX_BODY, max_import_bytes: MAX_IMPORT },
      server: { name: options.name, version: '1.4.2' },
      ...f.healthExtra,
    };
    return { status: 200, body };
  };

  const me = (req: Req, who: Key): Reply => {
    const violations = checkQuery(req, []);
    if (violations.length) throw invalid(violations);
    return {
      status: 200,
      body: {
        principal: who.p.name,
        tool: who.tool,
        scopes: v.otherOrders ? [...who.scopes].reverse() : who.scopes,
        read_scope: who.readScope,
      },
    };
  };

  const create = (req: Req, who: Key, body: unknown): Reply => {
    const b = body as Json;
    const violations = [...checkQuery(req, []), ...schemaViolations(validate.create, b)];
    violations.push(...extraViolations(b, { futureExpiry: true }));
    if (violations.length) throw invalid(violations);
    need(who, 'write');
    ownTool(who, (b.source as Json).tool);
    const ms = now();
    const at = stamp(ms);
    const source = { ...(b.source as Json) };
    if (source.timestamp === undefined) source.timestamp = at;
    let id = newId();
    while (who.p.memories.has(id)) id = newId();
    const m = {
      id,
      content: b.content,
      type: b.type,
      source,
      tags: b.tags ?? [],
      namespace: b.namespace ?? null,
      created_at: at,
      updated_at: at,
      expires_at: b.expires_at ?? null,
      metadata: b.metadata ?? {},
      ...(b.embedding !== undefined ? { embedding: b.embedding } : {}),
    } as Memory;
    who.p.memories.set(id, m);
    const headers: Record<string, string> = {};
    if (!f.noLocation) {
      const host = req.headers.host ?? '127.0.0.1';
      headers.Location = v.absoluteLocation ? `http://${host}/v1/memories/${id}` : `/v1/memories/${id}`;
    }
    return { status: 201, body: wire(m, true), headers };
  };

  const list = (req: Req, who: Key): Reply => {
    const { filter, limit, offset, sort } = listQuery(req);
    need(who, 'read');
    const field = sort.startsWith('created_at') ? 'created_at' : 'updated_at';
    const all = visible(who)
      .filter((m) => matches(m, filter))
      .sort(byTime(field, sort.endsWith('_asc') ? 1 : -1));
    return {
      status: 200,
      body: {
        memories: all.slice(offset, offset + limit).map((m) => wire(m, false)),
        total: f.totalIsPageLength
          ? all.slice(offset, offset + limit).length
          : f.ownScopeTotalLeak
            ? visible(who, true).filter((m) => matches(m, filter)).length
            : all.length,
        limit,
        offset,
      },
    };
  };

  /** A search request from a GET query string, as the members of a POST body (§6). */
  const searchFromQuery = (req: Req): Json => {
    const violations = checkQuery(req, ['q', 'mode', 'type', 'tool', 'tags', 'namespace', 'limit', 'offset']);
    const out: Json = {};
    for (const [k, val] of req.query) {
      if (k === 'limit' || k === 'offset') {
        if (!/^(0|[1-9][0-9]*)$/.test(val)) violations.push({ path: `?${k}`, message: 'must be an integer' });
        else out[k] = Number(val);
      } else if (k === 'tags') out.tags = val.split(',');
      else out[k] = val;
    }
    if (f.ignoreUnknownQuery)
      for (const k of Object.keys(out))
        if (!['q', 'mode', 'type', 'tool', 'tags', 'namespace', 'limit', 'offset'].includes(k)) delete out[k];
    if (violations.length) throw invalid(violations);
    return out;
  };

  const search = (req: Req, who: Key, body: unknown): Reply => {
    const fromQuery = req.method === 'GET';
    const b = fromQuery ? searchFromQuery(req) : (body as Json);
    const violations = fromQuery ? [] : checkQuery(req, []);
    const schema = schemaViolations(validate.search, b);
    violations.push(
      ...(fromQuery ? schema.map((x) => ({ ...x, path: `?${x.path.split('/')[1] ?? ''}` })) : schema),
    );
    if (hasLoneSurrogate(b)) violations.push({ path: '/q', message: 'contains an unpaired surrogate' });
    if (violations.length) throw invalid(violations);
    need(who, 'read');
    const q = new Set(tokenise(b.q as string));
    const limit = (b.limit as number | undefined) ?? 20;
    const offset = (b.offset as number | undefined) ?? 0;
    const filter: Filter = {
      type: b.type as string | undefined,
      tool: b.tool as string | undefined,
      tags: b.tags as string[] | undefined,
      namespace: b.namespace as string | undefined,
    };
    const hits: Array<{ m: Memory; score: number }> = [];
    if (q.size > 0)
      for (const m of visible(who)) {
        if (!matches(m, filter)) continue;
        const score = relevance(q, m.content as string);
        if (score !== null) hits.push({ m, score });
      }
    const newest = byTime('created_at', -1);
    hits.sort((a, z) => z.score - a.score || newest(a.m, z.m));
    return {
      status: 200,
      body: {
        memories: hits
          .slice(offset, offset + limit)
          .map((h) => wire(h.m, false, f.searchScore ? { score: Number(h.score.toFixed(4)) } : {})),
        total: hits.length,
        mode_used: 'keyword',
        limit,
        offset,
      },
    };
  };

  const getOne = (req: Req, who: Key, id: string): Reply => {
    const violations = checkQuery(req, []);
    if (violations.length) throw invalid(violations);
    if (!f.getIgnoresReadScope) need(who, 'read');
    return { status: 200, body: wire(find(who, id), true) };
  };

  const update = (req: Req, who: Key, body: unknown, id: string): Reply => {
    const b = body as Json;
    const empty = f.emptyUpdateAccepted && Object.keys(b).length === 0;
    const violations = [...checkQuery(req, []), ...(empty ? [] : schemaViolations(validate.update, b))];
    violations.push(...extraViolations(b, { futureExpiry: !f.noExpiryCheckOnUpdate }));
    if (violations.length) throw invalid(violations);
    need(who, 'write');
    const m = find(who, id);
    if (!f.toolCheckOnUpdateMissing) ownTool(who, (m.source as Json).tool);
    const before = { ...m };
    for (const k of ['content', 'type', 'tags', 'metadata'] as const) if (b[k] !== undefined) m[k] = b[k];
    if (f.mergeTagsOnUpdate && Array.isArray(b.tags))
      m.tags = [...new Set([...(before.tags as string[]), ...(b.tags as string[])])].slice(0, 20);
    for (const k of ['namespace', 'expires_at'] as const)
      if (b[k] !== undefined) m[k] = b[k] as string | null;
    if (b.embedding === null) delete m.embedding;
    else if (b.embedding !== undefined) m.embedding = b.embedding;
    // Strictly later than the previous value, even when the clock has not moved (OMP-TIME-005).
    const prev = m.updated_at;
    let ms = now();
    while (tsKey(stamp(ms)) <= tsKey(prev)) ms = Math.max(ms + 1, Date.parse(`${prev.slice(0, 19)}Z`) + 1000);
    lastMs = Math.max(lastMs, ms);
    m.updated_at = stamp(ms);
    return { status: 200, body: wire(m, true) };
  };

  const remove = (req: Req, who: Key, id: string): Reply => {
    const violations = checkQuery(req, []);
    if (violations.length) throw invalid(violations);
    need(who, 'write');
    const m = find(who, id);
    ownTool(who, (m.source as Json).tool);
    who.p.memories.delete(id);
    return f.deleteReturnsMemory ? { status: 200, body: wire(m, true) } : { status: 204 };
  };

  const exportAll = (req: Req, who: Key): Reply => {
    const violations = checkQuery(req, []);
    if (violations.length) throw invalid(violations);
    need(who, 'read');
    const memories = visible(who).sort(byTime('created_at', f.exportNewestFirst ? -1 : 1));
    return {
      status: 200,
      body: {
        omp_version: '0.3',
        exported_at: stamp(now()),
        server: { name: options.name, version: '1.4.2' },
        memories: memories.map((m) => wire(m, true)),
      },
    };
  };

  const importFile = (req: Req, who: Key, body: unknown): Reply => {
    const b = body as Json;
    const violations = checkQuery(req, ['conflict']);
    // The top level only: items are judged one by one below.
    violations.push(
      ...schemaViolations(validate.exportFile, {
        ...b,
        memories: Array.isArray(b.memories) ? [] : b.memories,
      }),
    );
    let conflict = (req.query.get('conflict') ?? b.conflict ?? 'skip') as string;
    if (req.query.has('conflict') && b.conflict !== undefined && req.query.get('conflict') !== b.conflict)
      violations.push({ path: '?conflict', message: 'differs from the body member conflict' });
    if (!['skip', 'overwrite', 'duplicate'].includes(conflict)) {
      if (f.importUnknownConflictAsSkip) conflict = 'skip';
      else violations.push({ path: '?conflict', message: 'must be skip, overwrite or duplicate' });
    }
    if (violations.length)
      throw invalid(violations.filter((x, i, a) => a.findIndex((y) => y.path === x.path) === i));
    const [major, minor] = String(b.omp_version).split('.').map(Number) as [number, number];
    if (major !== 0 || minor > 3)
      throw new HttpError(
        422,
        'unsupported_version',
        `omp_version ${String(b.omp_version)} is not supported`,
        {
          omp_version: b.omp_version,
        },
      );
    // One transaction: work on a copy and swap it in at the end.
    need(who, 'write');
    const next = new Map([...who.p.memories].filter(([, m]) => !isExpired(m)));
    const result = { imported: 0, skipped: 0, errors: [] as Json[] };
    (b.memories as unknown[]).forEach((item, index) => {
      const it = item as Json;
      const bad =
        item && typeof item === 'object' && !Array.isArray(item)
          ? [...schemaViolations(validate.memory, it, `/memories/${index}`)]
          : [{ path: `/memories/${index}`, message: 'must be an object' }];
      if (bad.length === 0) {
        for (const k of ['created_at', 'updated_at'] as const)
          if (!isTimestamp(it[k]))
            bad.push({ path: `/memories/${index}/${k}`, message: 'must be a timestamp' });
        bad.push(...extraViolations(it, { futureExpiry: false }, `/memories/${index}`));
      }
      if (bad.length) {
        result.errors.push({
          index,
          ...(typeof it?.id === 'string' ? { id: it.id } : {}),
          error: 'validation_error',
          message: bad.map((x) => `${x.path} ${x.message}`).join('; '),
          details: { errors: bad },
        });
        return;
      }
      const m = { ...it, namespace: it.namespace ?? null, metadata: it.metadata ?? {} } as unknown as Memory;
      const held = next.get(m.id);
      if (
        who.tool !== null &&
        ((m.source as Json).tool !== who.tool || (held && (held.source as Json).tool !== who.tool))
      ) {
        result.errors.push({
          index,
          id: m.id,
          error: 'forbidden',
          message: `This key may only import memories of ${who.tool}`,
        });
        return;
      }
      if (isExpired(m)) {
        result.skipped++;
        return;
      }
      if (next.has(m.id)) {
        if (conflict === 'skip') {
          result.skipped++;
          return;
        }
        if (conflict === 'duplicate') {
          let id = newId();
          while (next.has(id)) id = newId();
          m.id = id;
        }
      }
      next.set(m.id, m);
      result.imported++;
    });
    who.p.memories = next;
    return { status: 200, body: result };
  };

  // ---- routing -----------------------------------------------------------------------------------------
  interface Route {
    methods: Record<string, (req: Req, who: Key, body: unknown, id: string) => Promise<Reply> | Reply>;
    open?: boolean;
  }
  const routeOf = (path: string): { route: Route; id: string } | null => {
    if (path === '/v1/health') return { route: { methods: { GET: health }, open: true }, id: '' };
    if (f.vendorLiveness && path === '/v1/health/live')
      return {
        route: { methods: { GET: () => ({ status: 200, body: { status: 'ok' } }) }, open: true },
        id: '',
      };
    if (path === '/v1/me') return { route: { methods: { GET: me } }, id: '' };
    if (path === '/v1/memories') return { route: { methods: { GET: list, POST: create } }, id: '' };
    if (path === '/v1/memories/search') return { route: { methods: { GET: search, POST: search } }, id: '' };
    if (path === '/v1/export') return { route: { methods: { GET: exportAll } }, id: '' };
    if (path === '/v1/import') return { route: { methods: { POST: importFile } }, id: '' };
    const m = /^\/v1\/memories\/([^/]+)$/.exec(path);
    if (m) {
      const methods: Route['methods'] = {
        GET: (r, w, _b, id) => getOne(r, w, id),
        PUT: (r, w, b, id) => update(r, w, b, id),
        DELETE: (r, w, _b, id) => remove(r, w, id),
      };
      if (f.vendorPatch) methods.PATCH = (r, w, b, id) => update(r, w, b, id);
      let id = m[1] as string;
      try {
        id = decodeURIComponent(id);
      } catch {
        /* an undecodable segment is not an id: 404 below */
      }
      return { route: { methods }, id };
    }
    return null;
  };

  /** The key's principal; `lenient` is the health endpoint's own optional-auth parser, which ignores case. */
  /** Per-key token buckets (§9.4: limits are per key). */
  const buckets = new Map<string, { tokens: number; at: number }>();
  const limit = (key: string, raw: http.IncomingMessage) => {
    const rate = v.rateLimitPerSecond;
    if (!rate) return;
    const t = Date.now();
    const b = buckets.get(key) ?? { tokens: rate, at: t };
    b.tokens = Math.min(rate, b.tokens + ((t - b.at) / 1000) * rate);
    b.at = t;
    buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    raw.resume();
    const seconds = Math.max(1, Math.ceil((1 - b.tokens) / rate));
    throw new HttpError(
      429,
      'rate_limited',
      `Too many requests; retry after ${seconds} s`,
      { retry_after: seconds },
      { 'Retry-After': f.retryAfterAsDate ? new Date(t + seconds * 1000).toUTCString() : String(seconds) },
    );
  };

  const principalOf = (header: string | undefined, lenient = false): Key | null => {
    if (!header) return null;
    const strict = f.bearerCaseSensitive && !lenient;
    const m = (strict ? /^Bearer +([^\s]+) *$/ : /^bearer +([^\s]+) *$/i).exec(header);
    return (m && keys.get(m[1] as string)) || null;
  };

  const parseQuery = (search: string) => {
    const query = new Map<string, string>();
    const repeated: string[] = [];
    if (search.length > 1)
      for (const part of search.slice(1).split('&')) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        const dec = (s: string) => {
          try {
            return decodeURIComponent(s.replace(/\+/g, ' '));
          } catch {
            return s;
          }
        };
        const k = dec(eq < 0 ? part : part.slice(0, eq));
        const val = dec(eq < 0 ? '' : part.slice(eq + 1));
        if (query.has(k)) repeated.push(k);
        else query.set(k, val);
      }
    return { query, repeated };
  };

  /** Read the body up to `limit` bytes; a larger one is a 413 (the rest is drained, not stored). */
  const readBody = (raw: http.IncomingMessage, limit: number): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const declared = Number(raw.headers['content-length'] ?? 0);
      const tooLarge = () =>
        new HttpError(413, 'payload_too_large', `The body exceeds the limit of ${limit} bytes`, { limit });
      if (declared > limit) {
        raw.resume();
        reject(tooLarge());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      raw.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) over = true;
        else chunks.push(c);
      });
      raw.on('end', () => (over ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
      raw.on('error', reject);
    });

  const handle = async (raw: http.IncomingMessage): Promise<Reply> => {
    const url = raw.url ?? '/';
    const qIndex = url.indexOf('?');
    const path = qIndex < 0 ? url : url.slice(0, qIndex);
    const { query, repeated } = parseQuery(qIndex < 0 ? '' : url.slice(qIndex));
    const method = raw.method ?? 'GET';
    const req: Req = { method, path, query, repeated, headers: raw.headers, raw };
    // ERR-006 order: unknown path, method, key, media type, size, JSON, validation, permission, not found.
    const found = routeOf(path);
    if (!found) throw new HttpError(404, 'not_found', `No such path: ${path}`, { path });
    const handler = found.route.methods[method];
    if (!handler) {
      const allow = Object.keys(found.route.methods);
      throw new HttpError(
        405,
        'method_not_allowed',
        `${method} is not allowed on ${path}`,
        { allowed: allow },
        { Allow: (v.headerSpelling ? allow.reverse() : allow).join(', ') },
      );
    }
    if (found.route.open) return handler(req, undefined as unknown as Key, undefined, found.id);
    const who = principalOf(raw.headers.authorization);
    if (!who) {
      raw.resume();
      throw new HttpError(
        401,
        'unauthorized',
        !raw.headers.authorization
          ? 'An Authorization header is required'
          : f.echoKeyIn401
            ? `Unknown API key: ${raw.headers.authorization.replace(/^\S+\s+/, '')}`
            : 'The key is malformed or unknown',
        {},
        { 'WWW-Authenticate': 'Bearer realm="omp"' },
      );
    }
    limit(raw.headers.authorization as string, raw);
    let body: unknown;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      const ct = String(raw.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase();
      if (ct !== 'application/json') {
        raw.resume();
        throw new HttpError(415, 'unsupported_media_type', 'Content-Type must be application/json');
      }
      const buf = await readBody(raw, path === '/v1/import' ? MAX_IMPORT : MAX_BODY);
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
        body = JSON.parse(text);
      } catch {
        throw new HttpError(400, 'malformed_json', 'The body is not well-formed JSON in UTF-8');
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw invalid([{ path: '/', message: 'must be a JSON object' }]);
      if (tooDeep(body, 0)) throw invalid([{ path: '/', message: 'nests more than 64 levels' }]);
    } else raw.resume();
    if (found.id !== '' && !ID.test(found.id)) {
      // Not an id, so no memory has it; validation of query and body still comes first (ERR-006).
      try {
        await handler(req, { ...who, p: { name: who.p.name, memories: new Map() } }, body, found.id);
      } catch (e) {
        if (!(e instanceof HttpError) || e.status !== 404) throw e;
      }
      throw new HttpError(404, 'memory_not_found', `No memory with id ${found.id}`, { id: found.id });
    }
    return handler(req, who, body, found.id);
  };

  // ---- response writing --------------------------------------------------------------------------------
  const reorder = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(reorder);
    if (x && typeof x === 'object')
      return Object.fromEntries(
        Object.entries(x)
          .reverse()
          .map(([k, y]) => [k, reorder(y)]),
      );
    return x;
  };

  const send = (res: http.ServerResponse, reply: Reply, requestId: string) => {
    const headers: Record<string, string> = { 'X-Request-Id': requestId, ...reply.headers };
    let text = '';
    if (reply.body !== undefined) {
      const body = v.reverseMembers ? reorder(reply.body) : reply.body;
      text = v.asciiPrettyJson
        ? JSON.stringify(body, null, 2).replace(
            /[\u0080-\uffff]/g,
            (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
          )
        : JSON.stringify(body);
      headers['Content-Type'] = v.headerSpelling
        ? 'application/json;charset=UTF-8'
        : 'application/json; charset=utf-8';
      headers['Content-Length'] = String(Buffer.byteLength(text));
    }
    if (v.connectionClose) headers.Connection = 'close';
    const flat: string[] = [];
    for (const [k, val] of Object.entries(headers)) flat.push(v.upperCaseHeaders ? k.toUpperCase() : k, val);
    res.writeHead(reply.status, flat);
    res.end(text);
  };

  const server = http.createServer((raw, res) => {
    const requestId = `req_${randomBytes(6).toString('hex')}`;
    if (
      f.dropEvery &&
      // Only requests the spec calls safe to repeat (§9.3): GET, PUT, DELETE and search.
      (['GET', 'PUT', 'DELETE'].includes(raw.method ?? '') ||
        (raw.method === 'POST' && (raw.url ?? '').split('?')[0] === '/v1/memories/search')) &&
      ++droppable % f.dropEvery === 0
    ) {
      // A flaky hop: the connection is reset before the request is read, so nothing happened on the server.
      raw.socket.resetAndDestroy();
      return;
    }
    const run = async () => {
      if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
      try {
        send(res, await handle(raw), requestId);
      } catch (e) {
        const err =
          e instanceof HttpError ? e : new HttpError(500, 'internal_error', 'The server failed', {}, {});
        if (!(e instanceof HttpError)) console.error('gallery server fault:', e);
        let details = v.otherOrders
          ? { ...err.details, request_path: (raw.url ?? '/').split('?')[0] }
          : err.details;
        if (f.dottedErrorPaths && Array.isArray(details.errors))
          details = {
            ...details,
            errors: (details.errors as Violation[]).map((x) => ({
              ...x,
              path: x.path.startsWith('?') ? x.path : x.path.slice(1).replaceAll('/', '.'),
            })),
          };
        const bodyId = f.mismatchedRequestId ? `req_${randomBytes(6).toString('hex')}` : requestId;
        const omit = f.omitEmptyDetails && Object.keys(details).length === 0;
        send(
          res,
          {
            status: err.status,
            body: {
              error: err.code,
              message: err.message,
              ...(omit ? {} : { details }),
              request_id: bodyId,
              ...f.errorExtra,
            },
            headers: err.headers,
          },
          requestId,
        );
      }
    };
    void run();
  });
  server.keepAliveTimeout = 30_000;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    tokenB,
    ...(options.full ? { toolTokens } : {}),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
