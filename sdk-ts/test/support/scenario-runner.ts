/**
 * Runs one language-neutral SDK scenario (scenarios/README.md) with this SDK, mirroring the Python runner
 * (sdk-python/tests/scenario_runner.py) and the Go runner (sdk-go/scenarios_test.go). Anything the runner cannot
 * interpret (an unknown member, call, argument, expectation, token or placeholder) throws {@link ScenarioError}:
 * a failure, never a skip.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createAjv } from '@omp-kit/schemas';
import {
  AuthenticationError,
  type ClientOptions,
  ConflictError,
  ConnectionError,
  NotFoundError,
  OmpClient,
  OmpError,
  PermissionError,
  PreconditionFailedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from '../../src/index.ts';

/** The line the harness prints on stdout. */
export interface HarnessInfo {
  url: string;
  proxy_url: string;
  token: string;
  token_b: string;
  url_03: string;
  proxy_url_03: string;
}

/** A running harness and how to stop it. */
export interface Harness extends HarnessInfo {
  stop(): Promise<void>;
}

/** The scenario uses something this runner does not know: a failure, never a skip. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
type ErrorClass = abstract new (...args: never[]) => OmpError;

/** Error kinds of the scenarios, by the SDK class of the same name. */
const ERROR_KINDS: Record<string, ErrorClass> = {
  ValidationError,
  AuthenticationError,
  PermissionError,
  NotFoundError,
  ConflictError,
  PreconditionFailedError,
  RateLimitError,
  ServerError,
  ConnectionError,
  TimeoutError,
};
const SCENARIO_KEYS = new Set(['description', 'requirements', 'server', 'client', 'faults', 'steps']);
const STEP_KEYS = new Set(['call', 'args', 'save', 'save_etag', 'token', 'expect']);
const CLIENT_KEYS = new Set(['max_retries', 'timeout_ms', 'token']);
const EXPECT_KEYS = new Set([
  'ok',
  'error',
  'status',
  'code',
  'match',
  'equals',
  'length',
  'unique_ids',
  'ids_equal',
  'absent_ids',
  'same_member',
  'absent_member',
]);
const RESULT_KEYS = [
  'match',
  'equals',
  'length',
  'unique_ids',
  'ids_equal',
  'absent_ids',
  'same_member',
  'absent_member',
] as const;
const INVALID_KEY = 'omp-scenario-invalid-key-0123456789abcdef';

/** The repository root (this file is sdk-ts/test/support/). */
export const repoRoot: string = join(import.meta.dirname, '..', '..', '..');
/** Where the shared scenarios live. */
export const casesDir: string = join(repoRoot, 'scenarios', 'cases');

const validateScenario = createAjv({ allErrors: true }).compile(
  JSON.parse(readFileSync(join(repoRoot, 'scenarios', 'scenario.schema.json'), 'utf8')) as object,
);

/** Start `node scenarios/harness/start.ts` (it exports no start function) and read its first stdout line. */
export async function startHarness(): Promise<Harness> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [join(repoRoot, 'scenarios', 'harness', 'start.ts')],
    {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    // Closing stdin is the harness's signal to stop; kill our own child by its handle if it lingers.
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string | undefined>((resolve) => {
    lines.once('line', resolve);
    lines.once('close', () => resolve(undefined));
  });
  try {
    const info = JSON.parse(first ?? '') as HarnessInfo;
    if (!info.url || !info.proxy_url || !info.token || !info.token_b || !info.url_03 || !info.proxy_url_03)
      throw new Error('incomplete');
    return { ...info, stop };
  } catch {
    await stop();
    throw new Error(`the scenario harness did not start (printed ${JSON.stringify(first)}): ${stderr}`);
  }
}

/** `${run}`: 8 characters of [a-z0-9], unique to one run of one scenario. */
export function runToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: 8 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

const WHOLE = /^\$\{([a-z_][a-z0-9_]*)((?:\.[^.}]+)*)\}$/;
const ANY_PLACEHOLDER = /\$\{[^}]*\}/;

/** Replace `${name.path}` (a whole string) by a saved value and `${run}` anywhere by the run token. */
export function substitute(value: Json, saved: ReadonlyMap<string, Json>, run: string): Json {
  if (typeof value === 'string') {
    const m = WHOLE.exec(value);
    if (m && m[1] !== 'run') {
      const name = m[1] as string;
      if (!saved.has(name)) throw new ScenarioError(`${value}: nothing was saved as ${name}`);
      let node = saved.get(name) as Json;
      for (const seg of (m[2] ?? '').split('.').filter(Boolean)) {
        if (Array.isArray(node) && /^\d+$/.test(seg) && Number(seg) < node.length)
          node = node[Number(seg)] as Json;
        else if (isObject(node) && Object.hasOwn(node, seg)) node = node[seg] as Json;
        else throw new ScenarioError(`${value}: ${name} has no member ${seg}`);
      }
      return structuredClone(node);
    }
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the scenarios' own placeholder syntax
    const text = value.replaceAll('${run}', run);
    if (ANY_PLACEHOLDER.test(text)) {
      throw new ScenarioError(`cannot substitute ${value}: only \${run} may appear inside a longer string`);
    }
    return text;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, saved, run));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, saved, run)]));
  }
  return value;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep JSON equality: arrays by order, objects by members (an absent member differs from null). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => jsonEqual(x, b[i] as Json))
    );
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k] as Json, b[k] as Json))
    );
  }
  return a === b;
}

/** Every member of `expected` deep-equal to `actual`'s, recursively into objects (arrays compared whole). */
export function jsonMatch(actual: Json, expected: Json, where = ''): string[] {
  if (isObject(expected)) {
    if (!isObject(actual)) return [`${where || '/'}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([k, v]) =>
      Object.hasOwn(actual, k)
        ? jsonMatch(actual[k] as Json, v, `${where}/${k}`)
        : [`${where}/${k}: missing (expected ${JSON.stringify(v)})`],
    );
  }
  return jsonEqual(actual, expected)
    ? []
    : [`${where || '/'}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

function ids(result: Json, label: string): unknown[] {
  if (!Array.isArray(result)) throw new Error(`${label}: the result is not an array: ${show(result)}`);
  return result.filter(isObject).map((item) => item.id);
}

/** The member at a dotted path (`headers.idempotency-key`), or undefined when absent. */
function memberAt(item: Json, path: string): Json | undefined {
  let node: Json | undefined = item;
  for (const seg of path.split('.')) {
    if (!isObject(node) || !Object.hasOwn(node, seg)) return undefined;
    node = node[seg];
  }
  return node;
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 500 ? `${s.slice(0, 500)}…` : s;
}

/** Assert one step's expectation; throw ScenarioError for keys this runner does not know. */
export function check(expect: JsonObject, result: Json, error: unknown, label: string): void {
  const unknown = Object.keys(expect).filter((k) => !EXPECT_KEYS.has(k));
  if (unknown.length) throw new ScenarioError(`${label}: unknown expectation(s) ${unknown.join(', ')}`);
  if ('ok' in expect === 'error' in expect)
    throw new ScenarioError(`${label}: an expectation needs exactly one of ok and error`);
  if ('error' in expect) {
    const kind = expect.error;
    const cls = typeof kind === 'string' && Object.hasOwn(ERROR_KINDS, kind) ? ERROR_KINDS[kind] : undefined;
    if (!cls) throw new ScenarioError(`${label}: unknown error kind ${show(kind)}`);
    for (const key of RESULT_KEYS) {
      if (key in expect) throw new ScenarioError(`${label}: ${key} cannot apply to an error`);
    }
    if (error === undefined)
      throw new Error(`${label}: expected ${kind}, but the call succeeded with ${show(result)}`);
    if (!(error instanceof cls)) {
      throw new Error(
        `${label}: expected ${kind}, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
        { cause: error },
      );
    }
    if ('status' in expect && error.status !== expect.status) {
      throw new Error(`${label}: expected status ${expect.status}, got ${error.status} (${error.message})`);
    }
    if ('code' in expect && error.code !== expect.code) {
      throw new Error(`${label}: expected code ${expect.code}, got ${error.code} (${error.message})`);
    }
    return;
  }
  if (expect.ok !== true) throw new ScenarioError(`${label}: ok must be true`);
  if (error !== undefined) {
    throw new Error(
      `${label}: expected success, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
      { cause: error },
    );
  }
  if ('status' in expect || 'code' in expect)
    throw new ScenarioError(`${label}: status and code apply only with error`);
  if ('match' in expect) {
    const problems = jsonMatch(result, expect.match as Json);
    if (problems.length) throw new Error(`${label}: match failed:\n  ${problems.join('\n  ')}`);
  }
  if ('equals' in expect && !jsonEqual(result, expect.equals as Json)) {
    throw new Error(`${label}: expected ${show(expect.equals)}\n  got ${show(result)}`);
  }
  if ('length' in expect) {
    if (typeof expect.length !== 'number') throw new ScenarioError(`${label}: length must be a number`);
    if (!Array.isArray(result))
      throw new Error(`${label}: length: the result is not an array: ${show(result)}`);
    if (result.length !== expect.length)
      throw new Error(`${label}: expected ${expect.length} items, got ${result.length}`);
  }
  if ('unique_ids' in expect) {
    if (expect.unique_ids !== true) throw new ScenarioError(`${label}: unique_ids must be true`);
    const got = ids(result, label);
    if (new Set(got).size !== got.length) throw new Error(`${label}: ids repeat among ${got.length} items`);
  }
  if ('same_member' in expect) {
    const path = expect.same_member;
    if (typeof path !== 'string') throw new ScenarioError(`${label}: same_member must be a string`);
    if (!Array.isArray(result) || result.length === 0)
      throw new Error(`${label}: same_member: the result is not a non-empty array: ${show(result)}`);
    const values = result.map((item) => memberAt(item, path));
    if (values.some((v) => v === undefined || v === null) || new Set(values.map((v) => show(v))).size !== 1)
      throw new Error(`${label}: ${path} is not one value on every item: ${show(values)}`);
  }
  if ('absent_member' in expect) {
    const path = expect.absent_member;
    if (typeof path !== 'string') throw new ScenarioError(`${label}: absent_member must be a string`);
    if (!Array.isArray(result)) throw new Error(`${label}: absent_member: the result is not an array`);
    const having = result.filter((item) => memberAt(item, path) !== undefined);
    if (having.length) throw new Error(`${label}: items that have ${path}: ${show(having)}`);
  }
  for (const key of ['ids_equal', 'absent_ids'] as const) {
    if (!(key in expect)) continue;
    const want = expect[key];
    if (!Array.isArray(want) || !want.every((w) => typeof w === 'string')) {
      throw new ScenarioError(`${label}: ${key} must be an array of strings`);
    }
    const got = new Set(ids(result, label));
    if (key === 'ids_equal') {
      const w = new Set<unknown>(want);
      const missing = [...w].filter((id) => !got.has(id));
      const extra = [...got].filter((id) => !w.has(id));
      if (missing.length || extra.length) {
        throw new Error(`${label}: ids differ: missing ${show(missing)}, unexpected ${show(extra)}`);
      }
    } else {
      const present = want.filter((id) => got.has(id));
      if (present.length) throw new Error(`${label}: ids present that should not be: ${show(present)}`);
    }
  }
}

function only(args: JsonObject, allowed: string[], call: string): void {
  const extra = Object.keys(args).filter((k) => !allowed.includes(k));
  if (extra.length) throw new ScenarioError(`${call}: unknown argument(s) ${extra.join(', ')}`);
}

function object(args: JsonObject, key: string, call: string, required: boolean): JsonObject {
  const value = args[key];
  if (value === undefined && !required) return {};
  if (!isObject(value)) throw new ScenarioError(`${call}: ${key} must be an object`);
  return value;
}

function stringArg(args: JsonObject, key: string, call: string): string {
  const value = args[key];
  if (typeof value !== 'string') throw new ScenarioError(`${call}: ${key} must be a string`);
  return value;
}

/** What the SDK returned, as the plain JSON the expectations are written in (a page is its body). */
function plain(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A call's result, and the response's ETag when it had one. */
export interface CallResult {
  result: Json;
  etag?: string | undefined;
}

/** `{ [name]: string }` for an optional string argument, `{}` without it. */
function option(args: JsonObject, key: string, name: string, call: string): Record<string, string> {
  return key in args ? { [name]: stringArg(args, key, call) } : {};
}

/** Walk a list page by page, writing between pages as `between_pages` says; every item, in order. */
async function walk(client: OmpClient, args: JsonObject, call: string): Promise<Json> {
  const between = object(args, 'between_pages', call, true);
  only(between, ['create', 'delete_first'], `${call} between_pages`);
  const out: unknown[] = [];
  for await (const page of client.memories.list(object(args, 'query', call, false) as never).pages()) {
    out.push(...page.memories);
    if (!page.hasNextPage()) break;
    if ('create' in between) await client.memories.create(object(between, 'create', call, true) as never);
    if (between.delete_first === true && page.memories[0]) await client.memories.delete(page.memories[0].id);
  }
  return plain(out);
}

/** Perform one scenario call with the SDK; return its result as the README's table defines it. */
export async function callSdk(
  client: OmpClient,
  call: string,
  args: JsonObject,
  proxyUrl: string,
): Promise<CallResult> {
  // The scenario's JSON goes to the SDK as is: the SDK's types are compile-time only, the server validates.
  const m = client.memories;
  const withEtag = async (p: { withResponse(): Promise<{ data: unknown; etag: string | undefined }> }) => {
    const r = await p.withResponse();
    return { result: plain(r.data), etag: r.etag };
  };
  switch (call) {
    case 'createMemory':
      only(args, ['body', 'idempotency_key'], call);
      return withEtag(
        m.create(
          object(args, 'body', call, true) as never,
          option(args, 'idempotency_key', 'idempotencyKey', call),
        ),
      );
    case 'getMemory':
      only(args, ['id'], call);
      return withEtag(m.get(stringArg(args, 'id', call)));
    case 'updateMemory':
      only(args, ['id', 'body', 'if_match'], call);
      return withEtag(
        m.update(
          stringArg(args, 'id', call),
          object(args, 'body', call, true) as never,
          option(args, 'if_match', 'ifMatch', call),
        ),
      );
    case 'deleteMemory':
      only(args, ['id', 'if_match'], call);
      return withEtag(m.delete(stringArg(args, 'id', call), option(args, 'if_match', 'ifMatch', call)));
    case 'listMemories.walk':
      only(args, ['query', 'between_pages'], call);
      return { result: await walk(client, args, call) };
    default:
      return { result: await callOther(client, call, args, proxyUrl) };
  }
}

async function callOther(client: OmpClient, call: string, args: JsonObject, proxyUrl: string): Promise<Json> {
  const m = client.memories;
  switch (call) {
    case 'listMemories':
    case 'listMemories.all': {
      only(args, ['query'], call);
      const pages = m.list(object(args, 'query', call, false) as never);
      return plain(call === 'listMemories' ? await pages : await collect(pages));
    }
    case 'searchMemories':
    case 'searchMemories.all': {
      only(args, ['body'], call);
      const pages = m.search(object(args, 'body', call, true) as never);
      return plain(call === 'searchMemories' ? await pages : await collect(pages));
    }
    case 'exportMemories':
      only(args, [], call);
      return plain(await client.export());
    case 'importMemories': {
      only(args, ['file', 'conflict'], call);
      const file = object(args, 'file', call, true) as never;
      if (!('conflict' in args)) return plain(await client.import(file));
      return plain(await client.import(file, { conflict: stringArg(args, 'conflict', call) as never }));
    }
    case 'getHealth':
      only(args, [], call);
      return plain(await client.health());
    case 'getMe':
      only(args, [], call);
      return plain(await client.me());
    case '$faults': {
      only(args, ['method', 'path', 'origin'], call);
      const res = await fetch(`${proxyUrl}/__faults`);
      if (!res.ok) throw new ScenarioError(`GET /__faults: ${res.status} ${await res.text()}`);
      const seen = ((await res.json()) as { requests: JsonObject[] }).requests;
      return seen.filter(
        (r) =>
          (!('method' in args) || r.method === stringArg(args, 'method', call)) &&
          (!('path' in args) || r.path === stringArg(args, 'path', call)) &&
          (!('origin' in args) || r.origin === stringArg(args, 'origin', call)),
      );
    }
    default:
      throw new ScenarioError(`unknown call ${call}`);
  }
}

/** Run one scenario (a parsed file) against the harness; throws on the first failing or uninterpretable step. */
export async function runScenario(scenario: unknown, harness: HarnessInfo): Promise<void> {
  if (!isObject(scenario)) throw new ScenarioError('the scenario is not an object');
  const unknown = Object.keys(scenario).filter((k) => !SCENARIO_KEYS.has(k));
  if (unknown.length) throw new ScenarioError(`unknown scenario member(s) ${unknown.join(', ')}`);
  if (!validateScenario(scenario)) {
    throw new ScenarioError(
      `the scenario does not fit scenario.schema.json: ${show(validateScenario.errors)}`,
    );
  }
  const opts = object(scenario, 'client', 'client', false);
  const unknownOpts = Object.keys(opts).filter((k) => !CLIENT_KEYS.has(k));
  if (unknownOpts.length) throw new ScenarioError(`unknown client option(s) ${unknownOpts.join(', ')}`);
  const steps = scenario.steps;
  if (!Array.isArray(steps) || steps.length === 0) throw new ScenarioError('the scenario has no steps');

  const viaProxy = 'faults' in scenario;
  const old = scenario.server === '0.3';
  const proxyUrl = old ? harness.proxy_url_03 : harness.proxy_url;
  // Like the Go runner: every scenario resets the proxy's log; one with faults installs them and uses the proxy.
  const put = await fetch(`${proxyUrl}/__faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(viaProxy ? scenario.faults : []),
  });
  if (!put.ok) throw new ScenarioError(`the proxy refused the faults: ${put.status} ${await put.text()}`);

  const run = runToken();
  const keys: Record<string, string | undefined> = {
    a: harness.token,
    b: harness.token_b,
    none: undefined,
    invalid: INVALID_KEY,
  };
  // One client per key for the whole scenario, as a program keeps its client (and what it learnt of the server).
  const clients = new Map<string, OmpClient>();
  const clientFor = (token: Json): OmpClient => {
    if (typeof token !== 'string' || !Object.hasOwn(keys, token))
      throw new ScenarioError(`unknown token ${show(token)}`);
    const known = clients.get(token);
    if (known) return known;
    const options: ClientOptions = {
      baseUrl: viaProxy ? proxyUrl : old ? harness.url_03 : harness.url,
      apiKey: keys[token],
    };
    if ('max_retries' in opts) options.maxRetries = opts.max_retries as number;
    if ('timeout_ms' in opts) options.timeout = opts.timeout_ms as number;
    const client = new OmpClient(options);
    clients.set(token, client);
    return client;
  };
  const defaultToken = opts.token ?? 'a';
  const saved = new Map<string, Json>();

  for (const [i, step] of steps.entries()) {
    if (!isObject(step)) throw new ScenarioError(`step ${i + 1}: not an object`);
    const extra = Object.keys(step).filter((k) => !STEP_KEYS.has(k));
    if (extra.length) throw new ScenarioError(`step ${i + 1}: unknown member(s) ${extra.join(', ')}`);
    const call = step.call;
    if (typeof call !== 'string') throw new ScenarioError(`step ${i + 1}: call must be a string`);
    const label = `step ${i + 1} (${call})`;
    if (call === '$faults' && !viaProxy) {
      throw new ScenarioError(`${label}: $faults needs a faults member (the client must use the proxy)`);
    }
    const args = substitute(step.args ?? {}, saved, run);
    if (!isObject(args)) throw new ScenarioError(`${label}: args must be an object`);
    const expect = substitute(step.expect ?? null, saved, run);
    if (!isObject(expect)) throw new ScenarioError(`${label}: expect must be an object`);
    const client = clientFor(step.token ?? defaultToken);
    let result: Json = null;
    let etag: string | undefined;
    let error: unknown;
    try {
      ({ result, etag } = await callSdk(client, call, args, proxyUrl));
    } catch (e) {
      if (!(e instanceof OmpError)) throw e; // a ScenarioError, or a bug: never an outcome to compare
      error = e;
    }
    check(expect, result, error, label);
    if ('save' in step) {
      if (typeof step.save !== 'string') throw new ScenarioError(`${label}: save must be a string`);
      if (error !== undefined) throw new ScenarioError(`${label}: cannot save a failed call`);
      saved.set(step.save, result);
    }
    if ('save_etag' in step) {
      if (typeof step.save_etag !== 'string') throw new ScenarioError(`${label}: save_etag must be a string`);
      if (etag === undefined) throw new Error(`${label}: the response carried no ETag to save`);
      saved.set(step.save_etag, etag);
    }
  }
}
