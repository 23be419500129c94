/**
 * Test support: a real server on a free port over a real SQLite file in a temp dir, started in-process
 * (startServer) or as a child process (the bin), plus a tiny HTTP client that returns status, headers and body.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  generateKey,
  type KeyConfig,
  type RunningServer,
  type StartOptions,
  startServer,
} from '../src/index.ts';

/** The bin, as `npx omp-reference-server` runs it. */
export const BIN = fileURLToPath(new URL('../bin/omp-reference-server.js', import.meta.url));

/** Keys of a Full-level fixture: two principals, per-tool keys with every scope combination that matters. */
export function fixtureKeys() {
  return {
    /** alice, global key. */
    owner: generateKey(),
    /** alice, tool `cursor`, read+write, read scope own. */
    cursorOwn: generateKey(),
    /** alice, tool `claude`, read+write, read scope all. */
    claudeAll: generateKey(),
    /** alice, tool `viewer`, read only. */
    readOnly: generateKey(),
    /** alice, tool `writer`, write only. */
    writeOnly: generateKey(),
    /** bob, global key: the second principal. */
    bob: generateKey(),
  };
}
export type FixtureKeys = ReturnType<typeof fixtureKeys>;

/** The KeyConfig list for fixture keys. */
export function keyConfigs(k: FixtureKeys): KeyConfig[] {
  return [
    { key: k.owner, principal: 'alice' },
    { key: k.cursorOwn, principal: 'alice', tool: 'cursor', read_scope: 'own' },
    { key: k.claudeAll, principal: 'alice', tool: 'claude', read_scope: 'all' },
    { key: k.readOnly, principal: 'alice', tool: 'viewer', scopes: ['read'] },
    { key: k.writeOnly, principal: 'alice', tool: 'writer', scopes: ['write'] },
    { key: k.bob, principal: 'bob' },
  ];
}

/** A parsed JSON response body; tests assert its shape, so it is deliberately loose. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are untyped JSON until a test checks them
export type Json = any;

/** One HTTP exchange's outcome. */
export interface Res<T = Json> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/** Plain requests with one key (or none). `body` objects are sent as JSON; strings and Buffers raw. */
export function client(url: string, key?: string) {
  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Res> {
    const h: Record<string, string> = { ...headers };
    if (key !== undefined && !('authorization' in h)) h.authorization = `Bearer ${key}`;
    let payload: string | Uint8Array<ArrayBuffer> | undefined;
    if (body !== undefined) {
      payload =
        typeof body === 'string'
          ? body
          : Buffer.isBuffer(body)
            ? Uint8Array.from(body)
            : JSON.stringify(body);
      if (!('content-type' in h)) h['content-type'] = 'application/json';
    }
    const res = await fetch(`${url}${path}`, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }
  return {
    call,
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body: unknown, headers?: Record<string, string>) =>
      call('POST', path, body, headers),
    put: (path: string, body: unknown, headers?: Record<string, string>) => call('PUT', path, body, headers),
    del: (path: string, headers?: Record<string, string>) => call('DELETE', path, undefined, headers),
  };
}
export type Client = ReturnType<typeof client>;

/** A started test server. */
export interface TestServer {
  url: string;
  /** The global key of alice. */
  token: string;
  keys: FixtureKeys;
  dir: string;
  dbPath: string;
  server: RunningServer;
  /** A client for alice's global key, or for another key. */
  as(key?: string): Client;
  stop(): Promise<void>;
}

/** Start a server in-process on port 0 with fixture keys and a database file in a fresh temp dir. */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'omp-ref-test-'));
  const dbPath = join(dir, 'omp.db');
  const keys = fixtureKeys();
  const server = await startServer({ dbPath, keys: keyConfigs(keys), ...options });
  return {
    url: server.url,
    token: keys.owner,
    keys,
    dir,
    dbPath,
    server,
    as: (key: string | undefined = keys.owner) => client(server.url, key),
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A server started as a child process from the bin. */
export interface ChildServer {
  url: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Spawn the bin with arguments and wait for its "listening on" line. */
export function startChild(args: string[], env: Record<string, string> = {}): Promise<ChildServer> {
  // Core unless a test asks for the Search level: the CLI's default model would embed every write.
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, OMP_EMBEDDER: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  // No start timer: a busy machine may take long to start a server; the test's own timeout bounds a hang.
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      child.stdout?.off('data', onData);
      resolve({ url: m[1] as string, child, stdout: () => out, stderr: () => err, exited });
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      reject(new Error(`server exited (${code}) before listening: ${out}${err}`));
    });
  });
}

/** A valid create body, with overrides. */
export function memoryBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    content: 'User prefers TypeScript over JavaScript',
    type: 'semantic',
    source: { tool: 'claude' },
    ...overrides,
  };
}

/** Create a memory and return it; fails the test on a non-201. */
export async function create(c: Client, overrides: Record<string, unknown> = {}): Promise<Json> {
  const res = await c.post('/v1/memories', memoryBody(overrides));
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.body;
}

/** An ISO timestamp `ms` from now. */
export const inFuture = (ms: number): string => new Date(Date.now() + ms).toISOString();

/** Wait. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

import { toViolations, validatorFor } from '@omp-kit/schemas';

/** Throw unless `value` is valid against the named normative schema. */
export function assertSchema(name: string, value: unknown): void {
  const validate = validatorFor(name);
  if (!validate(value)) {
    throw new Error(
      `not a valid ${name}: ${JSON.stringify(toViolations(validate.errors))}\n${JSON.stringify(value)}`,
    );
  }
}

/** Throw unless a response is an error envelope with this status and code, carrying its X-Request-Id. */
export function assertError(res: Res, status: number, code: string): void {
  if (res.status !== status || res.body?.error !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${res.text}`);
  }
  assertSchema('error', res.body);
  if (!res.headers.get('content-type')?.startsWith('application/json')) throw new Error('error is not JSON');
  const id = res.headers.get('x-request-id');
  if (!id || res.body.request_id !== id) throw new Error('request_id does not match X-Request-Id');
}
