/**
 * Request validation of the "framework" gallery server, hand-written from the OMP 0.3 schemas the way an app
 * developer writes a validation layer: every violation collected with a JSON Pointer. The app answers them with
 * 400 (its framework's habit), never 422; what is checked is right.
 */

/** One violation, as `details.errors` carries it. */
export interface Violation {
  path: string;
  message: string;
}

const TAG = /^[a-z0-9_:-]+$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;
export const TYPES = ['episodic', 'semantic', 'procedural'];
export const SORTS = ['created_at_desc', 'created_at_asc', 'updated_at_desc', 'updated_at_asc'];
export const MODES = ['keyword', 'semantic', 'hybrid'];

/** A plain JSON object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cp(s: string): number {
  return [...s].length;
}

/** An RFC 3339 UTC timestamp with `Z` that names a real calendar instant. */
export function isTimestamp(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = TIMESTAMP.exec(v);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60
  );
}

/** Nesting depth of a parsed JSON value, counted without recursion. */
export function depth(value: unknown): number {
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

/** Collects violations for one request. */
export class Checker {
  readonly errors: Violation[] = [];
  add(path: string, message: string): void {
    this.errors.push({ path, message });
  }
  /** Members not in `allowed` are violations. */
  only(obj: Record<string, unknown>, allowed: readonly string[], at = ''): void {
    for (const k of Object.keys(obj))
      if (!allowed.includes(k)) this.add(`${at}/${k}`, 'is not allowed (unknown or read-only member)');
  }
  /** Strings must be Unicode text: no lone surrogates anywhere in the value. */
  wellFormed(v: unknown, at: string): void {
    if (typeof v === 'string') {
      if (/[\uD800-\uDFFF]/u.test(v)) this.add(at, 'must not contain unpaired surrogates');
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => {
        this.wellFormed(x, `${at}/${i}`);
      });
    } else if (isObject(v)) for (const [k, x] of Object.entries(v)) this.wellFormed(x, `${at}/${k}`);
  }
  content(v: unknown, at: string): void {
    if (typeof v !== 'string' || cp(v) < 1 || cp(v) > 10_000 || !/\S/.test(v))
      this.add(at, 'must be 1 to 10000 characters, not only white space');
  }
  type(v: unknown, at: string): void {
    if (typeof v !== 'string' || !TYPES.includes(v)) this.add(at, `must be one of ${TYPES.join(', ')}`);
  }
  tag(v: unknown, at: string): void {
    if (typeof v !== 'string' || v.length < 1 || v.length > 50 || !TAG.test(v))
      this.add(at, 'must match ^[a-z0-9_:-]+$ and be 1 to 50 characters');
  }
  tags(v: unknown, at: string): void {
    if (!Array.isArray(v)) {
      this.add(at, 'must be an array');
      return;
    }
    if (v.length > 20) this.add(at, 'must have at most 20 items');
    if (new Set(v).size !== v.length) this.add(at, 'must not repeat a tag');
    v.forEach((t, i) => {
      this.tag(t, `${at}/${i}`);
    });
  }
  namespace(v: unknown, at: string, nullable = true): void {
    if (v === null && nullable) return;
    if (typeof v !== 'string' || v.length < 1 || v.length > 100 || !TAG.test(v))
      this.add(at, 'must match ^[a-z0-9_:-]+$ and be 1 to 100 characters');
  }
  tool(v: unknown, at: string): void {
    if (typeof v !== 'string' || cp(v) < 1 || cp(v) > 100 || /[\u0000-\u001f\u007f]/.test(v))
      this.add(at, 'must be 1 to 100 characters without control characters');
  }
  timestamp(v: unknown, at: string, nullable = false): void {
    if (v === null && nullable) return;
    if (!isTimestamp(v)) this.add(at, 'must be a UTC timestamp such as 2026-06-29T12:00:00Z');
  }
  /** A future expiry (or null). */
  expiry(v: unknown, at: string, now: number): void {
    if (v === null) return;
    if (!isTimestamp(v)) {
      this.timestamp(v, at);
      return;
    }
    if (Date.parse(v) <= now) this.add(at, 'must be in the future');
  }
  metadata(v: unknown, at: string): void {
    if (!isObject(v)) {
      this.add(at, 'must be an object');
      return;
    }
    const keys = Object.keys(v);
    if (keys.length > 10) this.add(at, 'must have at most 10 members');
    for (const k of keys)
      if (k.length === 0 || cp(k) > 64) this.add(`${at}/${k}`, 'name must be 1 to 64 characters');
  }
  embedding(v: unknown, at: string): void {
    if (!Array.isArray(v) || v.length < 1 || v.length > 4096 || v.some((x) => typeof x !== 'number'))
      this.add(at, 'must be an array of 1 to 4096 numbers');
  }
  source(v: unknown, at: string, needTimestamp: boolean): void {
    if (!isObject(v)) {
      this.add(at, 'must be an object');
      return;
    }
    this.only(v, ['tool', 'session_id', 'user_id', 'timestamp'], at);
    this.tool(v.tool, `${at}/tool`);
    for (const k of ['session_id', 'user_id'])
      if (v[k] !== undefined && (typeof v[k] !== 'string' || cp(v[k]) < 1 || cp(v[k]) > 255))
        this.add(`${at}/${k}`, 'must be 1 to 255 characters');
    if (v.timestamp !== undefined || needTimestamp) this.timestamp(v.timestamp, `${at}/timestamp`);
  }
  /** A query integer: decimal digits, no sign or leading zero, within bounds. */
  integer(v: unknown, at: string, min: number, max: number): number | undefined {
    const s = typeof v === 'number' ? String(v) : v;
    if (typeof s !== 'string' || !/^(0|[1-9][0-9]*)$/.test(s) || Number(s) < min || Number(s) > max) {
      this.add(at, `must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return Number(s);
  }
}

const CREATE = ['content', 'type', 'source', 'tags', 'namespace', 'expires_at', 'metadata', 'embedding'];
const UPDATE = ['content', 'type', 'tags', 'namespace', 'expires_at', 'metadata', 'embedding'];

/** Violations of a create body. */
export function checkCreate(body: unknown, now: number): Violation[] {
  const c = new Checker();
  if (!isObject(body)) return [{ path: '', message: 'must be an object' }];
  c.only(body, CREATE);
  c.wellFormed(body, '');
  c.content(body.content, '/content');
  c.type(body.type, '/type');
  c.source(body.source, '/source', false);
  if (body.tags !== undefined) c.tags(body.tags, '/tags');
  if (body.namespace !== undefined) c.namespace(body.namespace, '/namespace');
  if (body.expires_at !== undefined) c.expiry(body.expires_at, '/expires_at', now);
  if (body.metadata !== undefined) c.metadata(body.metadata, '/metadata');
  if (body.embedding !== undefined) c.embedding(body.embedding, '/embedding');
  return c.errors;
}

/** Violations of an update body. */
export function checkUpdate(body: unknown, now: number): Violation[] {
  const c = new Checker();
  if (!isObject(body)) return [{ path: '', message: 'must be an object' }];
  if (Object.keys(body).length === 0) c.add('', 'must have at least one member');
  c.only(body, UPDATE);
  c.wellFormed(body, '');
  if ('content' in body) c.content(body.content, '/content');
  if ('type' in body) c.type(body.type, '/type');
  if ('tags' in body) c.tags(body.tags, '/tags');
  if ('namespace' in body) c.namespace(body.namespace, '/namespace');
  if ('expires_at' in body) c.expiry(body.expires_at, '/expires_at', now);
  if ('metadata' in body) c.metadata(body.metadata, '/metadata');
  if ('embedding' in body && body.embedding !== null) c.embedding(body.embedding, '/embedding');
  return c.errors;
}

const ITEM = [
  'id',
  'content',
  'type',
  'source',
  'tags',
  'namespace',
  'created_at',
  'updated_at',
  'expires_at',
  'metadata',
  'embedding',
];

/** Violations of one export item (schema `memory`). */
export function checkItem(item: unknown, at: string): Violation[] {
  const c = new Checker();
  if (!isObject(item)) return [{ path: at, message: 'must be an object' }];
  c.only(item, ITEM, at);
  c.wellFormed(item, at);
  if (typeof item.id !== 'string' || !/^mem_[a-z0-9]{16}$/.test(item.id))
    c.add(`${at}/id`, 'must be a memory id');
  c.content(item.content, `${at}/content`);
  c.type(item.type, `${at}/type`);
  c.source(item.source, `${at}/source`, true);
  c.tags(item.tags, `${at}/tags`);
  if (item.namespace !== undefined) c.namespace(item.namespace, `${at}/namespace`);
  c.timestamp(item.created_at, `${at}/created_at`);
  c.timestamp(item.updated_at, `${at}/updated_at`);
  c.timestamp(item.expires_at, `${at}/expires_at`, true);
  if (item.metadata !== undefined) c.metadata(item.metadata, `${at}/metadata`);
  if (item.embedding !== undefined) c.embedding(item.embedding, `${at}/embedding`);
  return c.errors;
}
