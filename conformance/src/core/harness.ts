/**
 * The check harness: what a running check sees. API clients bound to the run's keys, a check-unique tag and
 * namespace for isolation, the ledger, shared fixtures, the server clock, and the three ways a check ends early:
 * fail (the server breaks this check's requirement), skip (not applicable, or an input the run lacks) and blocked
 * (a precondition the server does not meet, named by the ID of the check that shows it failing).
 */
import { type SchemaName, toViolations, validatorFor } from '@omp-kit/schemas';
import type { Exchange, HttpClient, HttpResponse, RequestSpec } from '../http/client.ts';
import { MAX_BUSY_RETRIES, TransportError } from '../http/client.ts';
import type { McpSession } from '../mcp/session.ts';
import type { McpRun, OpenOptions } from '../mcp/target.ts';
import { firstDifference, jsonEqual, ms } from './assert.ts';
import { type KeyRef, type Keyring, keyLabel, PRIMARY, SECOND } from './credentials.ts';
import type { Ledger } from './ledger.ts';
import type { ExchangeMonitor } from './monitor.ts';
import { Api, type ClientHost, SETUP_TIMESTAMP } from './omp-client.ts';
import type { Res } from './response.ts';
import { type ShapeKind, type ShapeMonitor, shapeProblems } from './shapes.ts';
import type { Failure, Level, Need, ResolvedCheck, SkipKind } from './types.ts';
import type { Memory, Principal } from './wire.ts';

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

/** Thrown when a precondition fails because of a server defect that check `by` verifies. */
export class BlockedSignal extends Error {
  override name = 'BlockedSignal';
  readonly by: string;
  readonly evidence: Failure | undefined;
  constructor(by: string, reason: string, evidence?: Failure) {
    super(reason);
    this.by = by;
    this.evidence = evidence;
  }
}

/**
 * Thrown when the server still answers 429 after the HTTP layer waited it out (bounded retries, Retry-After
 * honoured up to a cap): the check could not run, which a rate limit the spec allows never makes a failure.
 */
export class RateLimitedSignal extends Error {
  override name = 'RateLimitedSignal';
  readonly exchange: Exchange;
  constructor(exchange: Exchange) {
    super(
      `the server still answered 429 to ${exchange.method} ${new URL(exchange.url).pathname} after ${MAX_BUSY_RETRIES} waits per Retry-After (rate limiting is allowed, SPEC §9.4): the check could not run`,
    );
    this.exchange = exchange;
  }
}

/** A per-tool key the run was given, with what GET /v1/me said about it. */
export interface ToolKey {
  key: KeyRef;
  name: string;
  me: Principal;
}

/** Server limits the run relies on (declared in health, else the spec's minimums). */
export interface Limits {
  max_body_bytes: number;
  max_import_bytes: number;
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
  keys: Keyring;
  toolKeys: ToolKey[];
  /** Why per-tool keys could not be described (GET /v1/me unusable), with the check that shows it. */
  toolKeysBlocked?: { by: string; reason: string };
  /** The spec versions the server lists in health (`versions`, else `[version]`). */
  versions: string[];
  /**
   * The spec version certified against (spec-version.ts): its catalogue decides which checks apply, its schemas
   * judge every body.
   */
  judgedVersion: string;
  /** The OMP-Version header every request carries (a version the server lists but not its newest), if any. */
  versionHeader?: string;
  /** Declared (or, when health is unusable, assumed) levels and capabilities. */
  declared: Set<Level>;
  capabilities: Set<string>;
  limits: Limits;
  /** The limits health declares; checks of a limit need it declared (else blocked by OMP-HEALTH-002). */
  limitsDeclared: ReadonlySet<keyof Limits>;
  /** Set when GET /v1/me is unusable (OMP-AUTH-010 shows why): checks leave it out of their batteries. */
  meUnusable?: string;
  ledger: Ledger;
  fixtures: Map<string, Promise<unknown>>;
  signal: AbortSignal;
  /** Server clock readings: the created_at of a create sent at local `before` and answered at local `after`. */
  clock: Array<{ before: number; after: number; server: number }>;
  /** Run-wide watch over every exchange (envelope, Content-Type). */
  monitor: ExchangeMonitor;
  /** Run-wide watch over the shape of every body a check read. */
  shapes: ShapeMonitor;
  /** The MCP endpoint under test and its sessions; null when the run certifies no MCP endpoint. */
  mcp: McpRun | null;
}

let checkSeq = 0;

/** The context of one running check. */
export class CheckContext implements ClientHost {
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
  /** The check's latest exchange: the evidence of a failure stated without a response of its own. */
  private lastExchange: Exchange | undefined;
  private apiCache = new Map<string, Api>();
  private readonly sessions: McpSession[] = [];

  /** The check's area (the second part of its requirement ID, e.g. 'LIST'). */
  get area(): string {
    return this.check.area;
  }

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
  async mcp(key: KeyRef = PRIMARY): Promise<McpSession> {
    const why = this.mcpRun.unusableKey(key);
    if (why) this.skip('missing-input', why);
    if (!this.run.keys.has(key)) this.skip('missing-input', missingKey(key));
    return this.mcpRun.pooled(key);
  }

  /** A new MCP session of this check's own (another clientInfo, URL or transport), closed when the check ends. */
  async openMcp(opts: OpenOptions): Promise<McpSession> {
    const why = opts.server ? undefined : this.mcpRun.unusableKey(opts.key);
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

  /** The OMP-Version header the run's requests carry (the version certified), if any. */
  get versionHeader(): string | undefined {
    return this.run.versionHeader;
  }

  /**
   * Send through the run's client, counting the request. The one place a rate limit ends a check: a 429 the
   * client could not wait out stops it as rate-limited, unless the check asked to see 429s (retryBusy false).
   */
  async send(spec: RequestSpec): Promise<HttpResponse> {
    this.requests++;
    const res = await this.run.client.send(spec);
    this.lastExchange = res.exchange;
    if (res.status === 429 && spec.retryBusy !== false) throw new RateLimitedSignal(res.exchange);
    return res;
  }

  /** The API with the primary global key. */
  get api(): Api {
    return this.apiFor(PRIMARY);
  }

  /** The API with the second principal's key; skips (missing input) when none was given. */
  get apiB(): Api {
    if (!this.run.keys.has(SECOND)) this.skip('missing-input', missingKey(SECOND));
    return this.apiFor(SECOND);
  }

  /** The API with no Authorization header. */
  get anon(): Api {
    return this.cachedApi('\u0000anon', () => new Api(this, null, null));
  }

  /** An API sending this exact Authorization header value (for malformed/unknown key checks). */
  withAuthorization(value: string): Api {
    return new Api(this, null, value);
  }

  /** An API for one of the run's keys. */
  apiFor(key: KeyRef): Api {
    return this.cachedApi(keyLabel(key), () => {
      const token = this.run.keys.secret(key);
      if (token === undefined) throw new Error(`runner bug: no key ${keyLabel(key)}`);
      return new Api(this, key, `Bearer ${token}`);
    });
  }

  /** The value of one of the run's keys (for checks about how keys are presented). */
  secret(key: KeyRef = PRIMARY): string {
    const token = this.run.keys.secret(key);
    if (token === undefined) throw new Error(`runner bug: no key ${keyLabel(key)}`);
    return token;
  }

  /** A per-tool key matching the need, or skip (missing input) / blocked (its description is unavailable). */
  toolKey(want: Omit<Extract<Need, { kind: 'tool-key' }>, 'kind'> = {}): { api: Api; key: ToolKey } {
    if (this.run.toolKeysBlocked) this.block(this.run.toolKeysBlocked.by, this.run.toolKeysBlocked.reason);
    const key = findToolKey(this.run.toolKeys, want);
    if (!key)
      this.skip('missing-input', `needs a per-tool key ${describeToolNeed(want)} (the toolTokens option)`);
    return { api: this.apiFor(key.key), key };
  }

  private cachedApi(key: string, make: () => Api): Api {
    let a = this.apiCache.get(key);
    if (!a) {
      a = make();
      this.apiCache.set(key, a);
    }
    return a;
  }

  /**
   * A create body with the run's markers: check tag + run tag, check namespace, default tool and a unique
   * content. It is the most tolerant valid body: it carries `source.timestamp`, which draft 0.2 required.
   */
  body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      content: `omp conformance memory ${this.tag} ${++this.counter}`,
      type: 'semantic',
      source: { tool: this.run.tool, timestamp: SETUP_TIMESTAMP },
      tags: this.tags(),
      namespace: this.ns,
      ...overrides,
    };
  }

  /** The markers every memory carries, plus extra tags. */
  tags(...extra: string[]): string[] {
    return [this.run.tag, this.tag, ...extra];
  }

  /** Create a memory this check needs with the primary key, from `body(overrides)` (blocked when it cannot). */
  create(overrides: Record<string, unknown> = {}): Promise<Memory> {
    return this.api.create(this.body(overrides));
  }

  /** Record in the ledger whatever a response says the server created. */
  noteCreated(method: string, path: string, res: Res, key: KeyRef | null, sent: unknown): void {
    if (key === null || res.status >= 300 || res.status < 200) return;
    const p = path.split('?')[0];
    const add = (id: unknown) => {
      if (typeof id === 'string' && id.length > 0) this.run.ledger.add(id, key, this.check.id);
    };
    const id = (res.json as { id?: unknown } | undefined)?.id;
    // A memory stored from a body the schema refuses is the fault of whichever check sent it, never of the
    // memory shape's requirement (OMP-MEM-001): the shape watch leaves it out.
    const taint = (x: unknown, schema: SchemaName) => {
      if (typeof x === 'string' && !this.isValid(sent, schema)) this.run.shapes.taint(x);
    };
    if (method === 'POST' && p === '/v1/memories') {
      add(id);
      taint(id, 'create-request');
    } else if (method === 'PUT' && p?.startsWith('/v1/memories/')) taint(id, 'update-request');
    else if (method === 'POST' && (p === '/v1/extract' || p === '/v1/compress')) {
      const mems = (res.json as { memories?: unknown } | undefined)?.memories;
      if (Array.isArray(mems)) for (const m of mems) add((m as { id?: unknown } | null)?.id);
    } else if (method === 'POST' && p === '/v1/import') {
      const mems = (sent as { memories?: unknown } | undefined)?.memories;
      if (Array.isArray(mems))
        for (const m of mems) {
          const itemId = (m as { id?: unknown } | null)?.id;
          add(itemId);
          if (typeof itemId === 'string' && !this.isValid(m, 'memory')) this.run.shapes.taint(itemId);
        }
    }
  }

  /** Mark a memory as deleted by the check itself. */
  forget(id: string, key: KeyRef = PRIMARY): void {
    this.run.ledger.remove(id, key);
  }

  /** Hand a body read as `kind` to the run's shape watch (its own requirement judges it). */
  observeShape(kind: ShapeKind, res: Res): void {
    this.run.shapes.observe(kind, res.json, res.raw.exchange);
  }

  /**
   * The shape check of one response kind: fail unless the whole body is valid against the kind's schema (the
   * memories in a list, search or export body included, as the requirement's schema includes them).
   */
  expectShape(kind: ShapeKind, res: Res): void {
    if (!res.isJson) this.fail(`body is not JSON: ${res.describe()}`, res);
    const problems = shapeProblems(kind, res.json, this.run.judgedVersion);
    if (problems.length)
      this.fail(
        `body is not valid against the schema ${kind}: ${problems.map((p) => p.message).join('; ')}`,
        res,
      );
  }

  /** Validate a value against a normative schema; fails the check with the violations (schema checks only). */
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

  /** Stop now: a precondition is not met because of a server defect that check `by` verifies. */
  block(by: string, reason: string, res?: Res): never {
    throw new BlockedSignal(by, reason, res ? this.failure(reason, res) : undefined);
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
    // Every failure carries an exchange and a curl line: its own, else the check's latest request.
    const e = res?.raw.exchange ?? this.lastExchange;
    return e ? { message, exchange: e, curl: e.curl } : { message };
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
  async each<T>(cases: readonly T[], fn: (c: T) => Promise<void>, concurrency = 8): Promise<void> {
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

  /**
   * Shared, lazily built, read-only fixture (built once per run by whichever check needs it first). A fixture
   * is a precondition of every check using it: an assertion failing while it is built blocks them all by
   * `blocker` (the check of the behaviour the build relies on), never fails them.
   */
  fixture<T>(name: string, build: () => Promise<T>, blocker = 'OMP-CRUD-001'): Promise<T> {
    let p = this.run.fixtures.get(name) as Promise<T> | undefined;
    if (!p) {
      p = build().catch((e: unknown) => {
        if (e instanceof CheckFailure)
          throw new BlockedSignal(
            blocker,
            `the shared fixture "${name}" could not be built: ${e.message}`,
            e.failure,
          );
        throw e;
      });
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

  /** Record a server clock reading from a memory the server just created. */
  observeServerTime(m: Memory, localBefore: number, localAfter: number): void {
    const server = ms(m.created_at);
    if (Number.isFinite(server)) this.run.clock.push({ before: localBefore, after: localAfter, server });
  }

  /** Best estimate of the server's clock now (ms since epoch): the midpoint of the round trips. */
  serverNow(): number {
    const c = this.run.clock;
    if (!c.length) return Date.now();
    const skew = c.reduce((a, x) => a + ((x.before + x.after) / 2 - x.server), 0) / c.length;
    return Date.now() - skew;
  }

  /**
   * A time the server's clock has certainly reached: its created_at was stamped before the answer arrived, so
   * the server clock now is at least created_at plus the local time since then. For "has it expired yet?".
   */
  serverNowAtLeast(): number {
    const now = Date.now();
    const c = this.run.clock;
    return c.length ? Math.max(...c.map((x) => x.server + (now - x.after))) : now;
  }

  /** A time the server's clock has certainly not passed (stamped after the request left). For "not yet". */
  serverNowAtMost(): number {
    const now = Date.now();
    const c = this.run.clock;
    return c.length ? Math.min(...c.map((x) => x.server + (now - x.before))) : now;
  }
}

/** Why a check that needs this key cannot run (names the run option, never a CLI flag). */
export function missingKey(key: KeyRef): string {
  return key.role === 'second'
    ? 'needs a key of a second principal (the tokenB option)'
    : key.role === 'tool'
      ? `needs the per-tool key of ${key.tool} (the toolTokens option)`
      : 'needs a key (the token option)';
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
