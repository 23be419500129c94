/**
 * What a check sees: API clients bound to credentials, response assertions that validate against the normative
 * schemas, a check-unique tag and namespace for isolation, the ledger, shared fixtures and the server clock.
 */
import { type SchemaName, toViolations, validatorFor } from '@omp-kit/schemas';
import type { Exchange, HttpClient, HttpResponse, RequestSpec } from '../http/client.ts';
import { TransportError } from '../http/client.ts';
import type { McpSession } from '../mcp/session.ts';
import type { McpRun, OpenOptions } from '../mcp/target.ts';
import { firstDifference, isJsonContentType, jsonEqual, ms, short } from './assert.ts';
import type { Ledger } from './ledger.ts';
import type { ExchangeMonitor } from './monitor.ts';
import type { Failure, Level, Need, ResolvedCheck, SkipKind } from './types.ts';
import type { Health, Memory, Principal } from './wire.ts';

/** Thrown by an assertion: the check fails (or warns, at SHOULD level). */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(failure.message);
    this.failure = failure;
  }
}

/** Thrown to skip the rest of a check with a reason. */
export class SkipSignal extends Error {
  override name = 'SkipSignal';
  readonly kind: SkipKind;
  constructor(kind: SkipKind, reason: string) {
    super(reason);
    this.kind = kind;
  }
}

/** A key the runner was given, with what /v1/me said about it. */
export interface ToolKey {
  label: string;
  name: string;
  token: string;
  me: Principal;
}

/** State shared by every check of one run. */
export interface RunState {
  runId: string;
  /** Tag carried by everything the run creates. */
  tag: string;
  /** Prefix of every namespace the run uses. */
  ns: string;
  /** Default source.tool of memories the run creates with a global key. */
  tool: string;
  client: HttpClient;
  /** Secrets by label: 'token-a', 'token-b', 'tool:<name>'. */
  credentials: Map<string, string>;
  toolKeys: ToolKey[];
  health: Health;
  declared: Set<Level>;
  capabilities: Set<string>;
  ledger: Ledger;
  fixtures: Map<string, Promise<unknown>>;
  signal: AbortSignal;
  /** Local-minus-server clock offset estimates in ms (server = local - skew). */
  skews: number[];
  /** Run-wide watch over every exchange (envelope, Content-Type). */
  monitor: ExchangeMonitor;
  /** The MCP endpoint under test and its sessions; null when the run certifies no MCP endpoint. */
  mcp: McpRun | null;
}

/** Query values: repeated keys come from arrays. */
export type Query = Record<string, string | number | boolean | undefined | Array<string | number>>;

/** Build `?a=1&b=2` from a query object (undefined values dropped). */
export function queryString(q: Query | undefined): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v])
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(one))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** One response plus assertions that fail the owning check with the exchange attached. */
export class Res {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
  readonly raw: HttpResponse;
  private readonly t: CheckContext;
  private parsed: { ok: true; value: unknown } | { ok: false } | undefined;

  constructor(t: CheckContext, raw: HttpResponse) {
    this.t = t;
    this.raw = raw;
    this.status = raw.status;
    this.headers = raw.headers;
    this.text = raw.text;
  }

  /** Parsed JSON body, or undefined when the body is not JSON. */
  get json(): unknown {
    if (!this.parsed) {
      try {
        this.parsed = { ok: true, value: JSON.parse(this.text) };
      } catch {
        this.parsed = { ok: false };
      }
    }
    return this.parsed.ok ? this.parsed.value : undefined;
  }

  /** Whether the body parsed as JSON. */
  get isJson(): boolean {
    void this.json;
    return this.parsed?.ok === true;
  }

  /** A one-line description of what came back, for messages. */
  describe(): string {
    const ct = this.headers['content-type'] ?? 'no Content-Type';
    const env = this.envelopeCode();
    return `${this.status}${env ? ` ${env}` : ''} (${ct}): ${short(this.text.replace(/\s+/g, ' '), 160)}`;
  }

  /** The `error` member when the body is an object carrying one. */
  envelopeCode(): string | undefined {
    const j = this.json;
    if (j && typeof j === 'object' && !Array.isArray(j)) {
      const e = (j as Record<string, unknown>).error;
      if (typeof e === 'string') return e;
    }
    return undefined;
  }

  /** Assert status, JSON content type and (optionally) the schema; returns the body typed as T. */
  expect<T = unknown>(status: number, schema?: SchemaName): T {
    if (this.status !== status) this.t.fail(`expected ${status}, got ${this.describe()}`, this);
    return this.expectBody<T>(schema);
  }

  /** Assert JSON content type and schema of the body, whatever the status. */
  expectBody<T = unknown>(schema?: SchemaName): T {
    if (!isJsonContentType(this.headers['content-type']))
      this.t.fail(
        `expected Content-Type application/json, got ${this.headers['content-type'] ?? 'none'}`,
        this,
      );
    if (!this.isJson) this.t.fail(`body is not valid JSON: ${short(this.text, 160)}`, this);
    if (schema) this.t.validate(this.json, schema, this);
    if (schema === 'memory') this.sameMemory();
    return this.json as T;
  }

  /** A memory answered for `/v1/memories/{id}` must be that memory, not another one (e.g. a canned example). */
  private sameMemory(): void {
    const { method, url } = this.raw.exchange;
    if (method !== 'GET' && method !== 'PUT') return;
    const m = /\/v1\/memories\/([^/?]+)(?:\?|$)/.exec(url);
    if (!m?.[1] || m[1] === 'search') return;
    const id = (this.json as { id?: unknown }).id;
    if (id !== decodeURIComponent(m[1]))
      this.t.fail(`${method} of ${decodeURIComponent(m[1])} answered memory ${JSON.stringify(id)}`, this);
  }

  /** Assert an error: the status, a JSON envelope valid against the error schema and (optionally) its code. */
  expectError(
    status: number,
    code?: string,
  ): { error: string; message: string; details: Record<string, unknown> } {
    if (this.status !== status)
      this.t.fail(`expected ${status}${code ? ` ${code}` : ''}, got ${this.describe()}`, this);
    const env = this.expectBody<{ error: string; message: string; details: Record<string, unknown> }>(
      'error',
    );
    if (code && env.error !== code) this.t.fail(`expected error code "${code}", got "${env.error}"`, this);
    return env;
  }

  /** Assert a 204 with an empty body. */
  expectNoContent(): void {
    if (this.status !== 204) this.t.fail(`expected 204, got ${this.describe()}`, this);
    if (this.raw.bytes !== 0) this.t.fail(`a 204 must have an empty body, got ${this.raw.bytes} bytes`, this);
  }

  /** Assert the status is not 5xx. */
  expectNot5xx(): void {
    if (this.status >= 500) this.t.fail(`server error: ${this.describe()}`, this);
  }
}

/** Request options of the API helper. */
export interface ReqOptions {
  json?: unknown;
  raw?: string | Uint8Array;
  body?: RequestSpec['body'];
  query?: Query;
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Resend after 429/503 (default true); false for checks about rate limiting itself. */
  retryBusy?: boolean;
}

/** An API client bound to one credential (or none, or a raw Authorization header). */
export class Api {
  readonly label: string | null;
  private readonly t: CheckContext;
  private readonly authorization: string | null;

  constructor(t: CheckContext, label: string | null, authorization: string | null) {
    this.t = t;
    this.label = label;
    this.authorization = authorization;
  }

  /** Send any request; resolves with whatever the server answers. */
  async req(method: string, path: string, o: ReqOptions = {}): Promise<Res> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (this.authorization !== null && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization'))
      headers.authorization = this.authorization;
    const body =
      o.body ?? (o.raw !== undefined ? { raw: o.raw } : o.json !== undefined ? { json: o.json } : undefined);
    const spec: RequestSpec = {
      method,
      path: path + queryString(o.query),
      headers,
      credential: this.label,
      signal: this.t.signal,
      ...(body ? { body } : {}),
      ...(o.contentType !== undefined ? { contentType: o.contentType } : {}),
      ...(o.retryBusy === false ? { retryBusy: false } : {}),
    };
    const raw = await this.t.send(spec);
    const res = new Res(this.t, raw);
    this.t.noteCreated(method, path, res, this.label, o.json);
    return res;
  }

  get(path: string, query?: Query): Promise<Res> {
    return this.req('GET', path, query ? { query } : {});
  }
  post(path: string, json: unknown, query?: Query): Promise<Res> {
    return this.req('POST', path, { json, ...(query ? { query } : {}) });
  }
  put(path: string, json: unknown): Promise<Res> {
    return this.req('PUT', path, { json });
  }
  del(path: string): Promise<Res> {
    return this.req('DELETE', path);
  }

  /** Create a memory from a full body; asserts 201 and the memory schema. */
  async create(body: Record<string, unknown>): Promise<Memory> {
    const res = await this.post('/v1/memories', body);
    const m = res.expect<Memory>(201, 'memory');
    // What later steps rely on must be what was stored (OMP-CRUD-002), or the check would verify nothing.
    for (const k of ['content', 'type', 'tags', 'namespace'] as const)
      if (k in body && JSON.stringify(m[k]) !== JSON.stringify(body[k]))
        this.t.fail(`the created memory's ${k} is ${short(m[k])}, not the ${short(body[k])} sent`, res);
    return m;
  }

  /** GET one memory; asserts 200 and the schema. */
  async getMemory(id: string): Promise<Memory> {
    return (await this.get(`/v1/memories/${encodeURIComponent(id)}`)).expect<Memory>(200, 'memory');
  }

  /** Every memory of a filtered list, walking pages of 100. */
  async listAll(query: Query): Promise<Memory[]> {
    const out: Memory[] = [];
    for (let offset = 0; offset < 10_000; offset += 100) {
      const page = (await this.get('/v1/memories', { ...query, limit: 100, offset })).expect<{
        memories: Memory[];
        total: number;
      }>(200, 'list-response');
      out.push(...page.memories);
      if (page.memories.length < 100) break;
    }
    return out;
  }
}

let checkSeq = 0;

/** The context of one running check. */
export class CheckContext {
  readonly check: ResolvedCheck;
  readonly run: RunState;
  /** Tag unique to this check (and the run's tag is always there too). */
  readonly tag: string;
  /** Namespace unique to this check. */
  readonly ns: string;
  readonly failures: Failure[] = [];
  readonly notes: string[] = [];
  requests = 0;
  /** Aborted when the run is interrupted or the check times out. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private counter = 0;
  private apiCache = new Map<string, Api>();
  private readonly sessions: McpSession[] = [];

  constructor(check: ResolvedCheck, run: RunState) {
    this.check = check;
    this.run = run;
    const n = (++checkSeq).toString(36);
    this.tag = `${run.tag}-${n}`;
    this.ns = `${run.ns}:${n}`;
    this.signal = AbortSignal.any([run.signal, this.controller.signal]);
  }

  /** Abort everything this check still has in flight (its deadline passed). */
  abort(): void {
    this.controller.abort();
  }

  /** The MCP side of the run (a runner bug when the check runs without one: selection prevents it). */
  get mcpRun(): McpRun {
    if (!this.run.mcp) throw new Error('runner bug: an MCP check ran without an MCP endpoint');
    return this.run.mcp;
  }

  /** The run's shared MCP session with one key on the endpoint under test; skips when that key cannot be used. */
  async mcp(label = 'token-a'): Promise<McpSession> {
    const why = this.mcpRun.unusableKey(label);
    if (why) this.skip('missing-input', why);
    if (label === 'token-b' && !this.run.credentials.has('token-b'))
      this.skip('missing-input', 'needs a key of a second principal (--token-b / OMP_TOKEN_B)');
    return this.mcpRun.pooled(label);
  }

  /** A new MCP session of this check's own (another clientInfo, URL or transport), closed when the check ends. */
  async openMcp(opts: OpenOptions): Promise<McpSession> {
    const why = opts.server ? undefined : this.mcpRun.unusableKey(opts.label);
    if (why) this.skip('missing-input', why);
    const s = await this.mcpRun.session(opts);
    this.sessions.push(s);
    return s;
  }

  /** Release what the check opened (its own MCP sessions). */
  async dispose(): Promise<void> {
    const run = this.run.mcp;
    if (run) await Promise.all(this.sessions.splice(0).map((s) => run.release(s)));
  }

  /** Send through the run's client, counting the request. */
  async send(spec: RequestSpec): Promise<HttpResponse> {
    this.requests++;
    return this.run.client.send(spec);
  }

  /** The API with the primary global key (token A). */
  get api(): Api {
    return this.apiFor('token-a');
  }

  /** The API with the second principal's key; skips (missing input) when none was given. */
  get apiB(): Api {
    if (!this.run.credentials.has('token-b'))
      this.skip('missing-input', 'needs a key of a second principal (--token-b / OMP_TOKEN_B)');
    return this.apiFor('token-b');
  }

  /** The API with no Authorization header. */
  get anon(): Api {
    return this.cachedApi('\u0000anon', () => new Api(this, null, null));
  }

  /** An API sending this exact Authorization header value (for malformed/unknown key checks). */
  withAuthorization(value: string): Api {
    return new Api(this, null, value);
  }

  /** An API for a credential label ('token-a', 'token-b', 'tool:<name>'). */
  apiFor(label: string): Api {
    return this.cachedApi(label, () => {
      const token = this.run.credentials.get(label);
      if (token === undefined) throw new Error(`runner bug: no credential ${label}`);
      return new Api(this, label, `Bearer ${token}`);
    });
  }

  /** A per-tool key matching the need, or skip (missing input). */
  toolKey(want: Omit<Extract<Need, { kind: 'tool-key' }>, 'kind'> = {}): { api: Api; key: ToolKey } {
    const key = findToolKey(this.run.toolKeys, want);
    if (!key)
      this.skip('missing-input', `needs a per-tool key ${describeToolNeed(want)} (--tool-token name=KEY)`);
    return { api: this.apiFor(key.label), key };
  }

  private cachedApi(key: string, make: () => Api): Api {
    let a = this.apiCache.get(key);
    if (!a) {
      a = make();
      this.apiCache.set(key, a);
    }
    return a;
  }

  /** A create body with the run's markers: check tag + run tag, check namespace, default tool and a unique content. */
  body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      content: `omp conformance memory ${this.tag} ${++this.counter}`,
      type: 'semantic',
      source: { tool: this.run.tool },
      tags: this.tags(),
      namespace: this.ns,
      ...overrides,
    };
  }

  /** The markers every memory carries, plus extra tags. */
  tags(...extra: string[]): string[] {
    return [this.run.tag, this.tag, ...extra];
  }

  /** Create a memory with token A from `body(overrides)`. */
  create(overrides: Record<string, unknown> = {}): Promise<Memory> {
    return this.api.create(this.body(overrides));
  }

  /** Record in the ledger whatever a response says the server created. */
  noteCreated(method: string, path: string, res: Res, label: string | null, sent: unknown): void {
    if (label === null || res.status >= 300 || res.status < 200) return;
    const p = path.split('?')[0];
    const add = (id: unknown) => {
      if (typeof id === 'string' && id.length > 0) this.run.ledger.add(id, label, this.check.id);
    };
    if (method === 'POST' && p === '/v1/memories') add((res.json as { id?: unknown } | undefined)?.id);
    else if (method === 'POST' && (p === '/v1/extract' || p === '/v1/compress')) {
      const mems = (res.json as { memories?: unknown } | undefined)?.memories;
      if (Array.isArray(mems)) for (const m of mems) add((m as { id?: unknown } | null)?.id);
    } else if (method === 'POST' && p === '/v1/import') {
      const mems = (sent as { memories?: unknown } | undefined)?.memories;
      if (Array.isArray(mems)) for (const m of mems) add((m as { id?: unknown } | null)?.id);
    }
  }

  /** Mark a memory as deleted by the check itself. */
  forget(id: string, label = 'token-a'): void {
    this.run.ledger.remove(id, label);
  }

  /** Validate a value against a normative schema; fails the check with the violations. */
  validate(value: unknown, schema: SchemaName, res?: Res): void {
    const v = validatorFor(schema);
    if (!v(value)) {
      const vs = toViolations(v.errors)
        .slice(0, 5)
        .map((x) => `${x.path} ${x.message}`);
      this.fail(`body does not match schema ${schema}: ${vs.join('; ')}`, res);
    }
  }

  /** Whether a value is valid against a schema (no failure). */
  isValid(value: unknown, schema: SchemaName): boolean {
    return validatorFor(schema)(value) === true;
  }

  /** Fail now. */
  fail(message: string, res?: Res): never {
    throw new CheckFailure(this.failure(message, res));
  }

  /** Record a failure shown by an already recorded exchange and go on. */
  failExchange(message: string, exchange: Exchange): void {
    this.failures.push({ message, exchange, curl: exchange.curl });
  }

  /** Record a failure and go on. */
  softFail(message: string, res?: Res): void {
    this.failures.push(this.failure(message, res));
  }

  private failure(message: string, res?: Res): Failure {
    return res ? { message, exchange: res.raw.exchange, curl: res.raw.exchange.curl } : { message };
  }

  /** Fail unless `cond`. */
  assert(cond: unknown, message: string, res?: Res): asserts cond {
    if (!cond) this.fail(message, res);
  }

  /** Fail unless two JSON values are equal (object member order ignored); names the first difference. */
  equal(actual: unknown, expected: unknown, what: string, res?: Res): void {
    if (!jsonEqual(actual, expected)) this.fail(`${what}: ${firstDifference(actual, expected)}`, res);
  }

  /** Skip the rest of the check. */
  skip(kind: SkipKind, reason: string): never {
    throw new SkipSignal(kind, reason);
  }

  /** A note shown in the report (not a failure). */
  note(message: string): void {
    this.notes.push(message);
  }

  /** Run one body per case; a failed case is recorded and the others still run. Errors still abort. */
  async each<T>(cases: readonly T[], fn: (c: T) => Promise<void>, concurrency = 4): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++] as T;
        try {
          await fn(c);
        } catch (e) {
          if (e instanceof CheckFailure) this.failures.push(e.failure);
          else throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
  }

  /** Shared, lazily built, read-only fixture (built once per run by whichever check needs it first). */
  fixture<T>(name: string, build: () => Promise<T>): Promise<T> {
    let p = this.run.fixtures.get(name) as Promise<T> | undefined;
    if (!p) {
      p = build();
      this.run.fixtures.set(name, p);
    }
    return p;
  }

  /** Wait, aborting with the run. */
  sleep(msDelay: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, msDelay);
      this.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(new TransportError('aborted', 'run aborted'));
        },
        { once: true },
      );
    });
  }

  /** Record a skew estimate from a memory the server just created. */
  observeServerTime(m: Memory, localBefore: number, localAfter: number): void {
    const server = ms(m.created_at);
    if (Number.isFinite(server)) this.run.skews.push((localBefore + localAfter) / 2 - server);
  }

  /** Best estimate of the server's clock now (ms since epoch). */
  serverNow(): number {
    const s = this.run.skews;
    const skew = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
    return Date.now() - skew;
  }
}

/** Find a tool key satisfying a need. */
export function findToolKey(
  keys: readonly ToolKey[],
  want: Omit<Extract<Need, { kind: 'tool-key' }>, 'kind'>,
): ToolKey | undefined {
  return keys.find((k) => {
    const r = k.me.scopes.includes('read');
    const w = k.me.scopes.includes('write');
    if (want.readScope && k.me.read_scope !== want.readScope) return false;
    switch (want.scopes) {
      case 'read':
        return r;
      case 'write':
        return w;
      case 'read-only':
        return r && !w;
      case 'write-only':
        return w && !r;
      case 'read-write':
        return r && w;
      default:
        return true;
    }
  });
}

/** Human description of a tool-key need. */
export function describeToolNeed(want: Omit<Extract<Need, { kind: 'tool-key' }>, 'kind'>): string {
  const parts: string[] = [];
  if (want.scopes) parts.push(`with scopes ${want.scopes}`);
  if (want.readScope) parts.push(`with read_scope ${want.readScope}`);
  return parts.join(' and ') || '(any)';
}
