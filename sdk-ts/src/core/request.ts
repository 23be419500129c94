/**
 * The transport: one call = one deadline, up to `maxRetries` retries, hooks around every attempt, and a
 * typed error for every failure. Besides Authorization, Accept and Content-Type, a call sends the 0.4 headers
 * (`OMP-Version`, `Idempotency-Key`, `If-Match`) only to a server that implements 0.4 (versions.ts).
 */
import {
  AbortError,
  ConnectionError,
  errorFromResponse,
  OmpError,
  RedirectError,
  retryAfterMs,
  TimeoutError,
} from './errors.ts';
import { type Hop, nextHop } from './redirect.ts';
import { backoffMs, maxRetryAfterMs, retryableNetworkError, retryableStatus } from './retry.ts';
import { expandPath, queryString } from './url.ts';
import type { Negotiation } from './versions.ts';

/** The subset of `fetch` the client calls; inject your own (a proxy agent, a test double, a polyfill). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** One outgoing attempt as hooks see it; `onRequest` may change `url` and `headers`. */
export interface HookRequest {
  /** The spec's operationId, e.g. `createMemory`. */
  operation: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** 0 for the first attempt, then 1, 2, ... */
  attempt: number;
}

/** Observation points; each may be async. A hook that throws fails the call with its error. */
export interface Hooks {
  /** Before each attempt is sent. */
  onRequest?(request: HookRequest): void | Promise<void>;
  /** After each attempt got a response, whatever its status (the body is still unread). */
  onResponse?(response: Response, request: HookRequest): void | Promise<void>;
  /** Before waiting to retry: the error that caused it and the wait in milliseconds. */
  onRetry?(error: OmpError, delayMs: number, request: HookRequest): void | Promise<void>;
}

/** Per-call overrides of the client's settings. */
export interface RequestOptions {
  /** Cancels the call (including retries and waits): it rejects with {@link AbortError}. */
  signal?: AbortSignal;
  /** Deadline in milliseconds for the whole call, retries included. */
  timeout?: number;
  /** Retries after the first attempt. */
  maxRetries?: number;
  /** Extra request headers for this call (beware CORS preflight in browsers). */
  headers?: Record<string, string>;
  /**
   * Update or delete only if the memory still has this `ETag` (from `withResponse()`); otherwise the call
   * fails with {@link PreconditionFailedError} and changes nothing (SPEC.md §5.8). Needs a 0.4 server.
   */
  ifMatch?: string;
  /**
   * The `Idempotency-Key` of a create, import or bulk delete (SPEC.md §5.9); by default a fresh UUID per call,
   * reused by its retries. Sent only to servers of 0.4 or later; pass the same key to repeat a call safely.
   */
  idempotencyKey?: string;
}

/** What a generated method asks the transport to do. */
export interface Operation {
  /** operationId, passed to hooks. */
  id: string;
  method: string;
  /** Path template such as `/v1/memories/{id}`. */
  path: string;
  /** Values of the template's placeholders, each percent-encoded by `pathSegment`. */
  params?: Record<string, string>;
  /** Query parameters. */
  query?: object | undefined;
  /** JSON body; undefined sends none. */
  body?: unknown;
  /** True when repeating the operation cannot change the outcome (see retry.ts). */
  safe: boolean;
  /** Accepts `Idempotency-Key` (SPEC.md §5.9); with one, the operation is safe to repeat. */
  idempotencyKey?: boolean;
  /** Accepts `If-Match` (SPEC.md §5.8). */
  conditional?: boolean;
}

/** Client settings after defaults. */
export interface Settings {
  baseUrl: string;
  apiKey: string | undefined;
  fetch: FetchLike;
  maxRetries: number;
  timeout: number;
  hooks: Hooks | undefined;
  headers: Record<string, string> | undefined;
  negotiation: Negotiation;
}

/** A 2xx response whose body is still unread. */
export interface Sent {
  response: Response;
  /** Read the body as JSON (undefined for 204 or empty) under the call's deadline, then release its timer. */
  json: () => Promise<unknown>;
}

/** Send `op`, retrying as the policy allows; resolves with the first 2xx, rejects with an {@link OmpError}. */
export async function send(s: Settings, op: Operation, o: RequestOptions | undefined): Promise<Sent> {
  const timeout = o?.timeout ?? s.timeout;
  const maxRetries = o?.maxRetries ?? s.maxRetries;
  const signal = o?.signal;
  const deadline = Date.now() + timeout;
  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, timeout);
  // Node: the timer alone must not keep a process alive (a dropped raw response would otherwise pin it).
  (timer as { unref?: () => void }).unref?.();
  const onAbort = () => ctrl.abort();
  const finish = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  // Maps a rejection caused by our controller to the reason it fired.
  const stopped = (cause: unknown): OmpError =>
    timedOut
      ? new TimeoutError(`Request timed out after ${timeout} ms`, { code: 'timeout', cause })
      : new AbortError('Request was aborted', { code: 'aborted', cause: signal?.reason ?? cause });

  try {
    if (signal) {
      if (signal.aborted) throw stopped(signal.reason);
      signal.addEventListener('abort', onAbort);
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (s.apiKey) headers.authorization = `Bearer ${s.apiKey}`;
    let body: string | undefined;
    if (op.body !== undefined) {
      body = JSON.stringify(op.body);
      headers['content-type'] = 'application/json';
    }
    const safe = await versionHeaders(s, op, o, headers);
    if (s.headers) Object.assign(headers, s.headers);
    if (o?.headers) Object.assign(headers, o.headers);
    const url = s.baseUrl + expandPath(op.path, op.params) + queryString(op.query);

    for (let attempt = 0; ; attempt++) {
      // A deadline that has already passed fails before sending, rather than racing a timer against the socket.
      if (Date.now() >= deadline) {
        timedOut = true;
        throw stopped(undefined);
      }
      const req: HookRequest = { operation: op.id, method: op.method, url, headers, body, attempt };
      if (s.hooks?.onRequest) await s.hooks.onRequest(req);
      let res: Response;
      try {
        res = await follow(
          s,
          { url: req.url, method: op.method, headers: req.headers, body: req.body },
          ctrl.signal,
        );
      } catch (e) {
        if (e instanceof RedirectError) throw e;
        if (ctrl.signal.aborted) throw stopped(e);
        const error = new ConnectionError(`Connection failed: ${describe(e)}`, {
          code: 'connection_error',
          cause: e,
        });
        if (!retryableNetworkError(e, safe) || attempt >= maxRetries) throw error;
        await pause(error, undefined, attempt, req);
        continue;
      }
      if (headers['omp-version'] === undefined) s.negotiation.fromHeader(res.headers.get('omp-version'));
      if (s.hooks?.onResponse) await s.hooks.onResponse(res, req);
      if (res.ok) return { response: res, json: () => readJson(res, stopped, ctrl.signal).finally(finish) };
      let text = '';
      try {
        text = await res.text();
      } catch (e) {
        // an error body cut short still tells the status; only our own abort ends the call here
        if (ctrl.signal.aborted) throw stopped(e);
      }
      const error = errorFromResponse(res.status, res.headers, text);
      if (!retryableStatus(res.status, safe) || attempt >= maxRetries) throw error;
      await pause(error, retryAfterMs(res.headers), attempt, req);
    }
  } catch (e) {
    finish();
    throw e;
  }

  /** Wait before the next attempt, or throw `error` when the server's wait is too long or passes the deadline. */
  async function pause(
    error: OmpError,
    wait: number | undefined,
    attempt: number,
    req: HookRequest,
  ): Promise<void> {
    if (wait !== undefined && wait > maxRetryAfterMs) throw error;
    const delay = backoffMs(attempt + 1, wait);
    // A retry that could not finish before the deadline is pointless: report the real failure now.
    if (Date.now() + delay >= deadline) throw error;
    if (s.hooks?.onRetry) await s.hooks.onRetry(error, delay, req);
    await sleep(delay, ctrl.signal);
    if (ctrl.signal.aborted) throw stopped(error);
  }
}

/**
 * Add the headers of the negotiated version to `headers` (OMP-CLIENT-004, OMP-CLIENT-012) and say whether the
 * request is safe to repeat: an operation that takes an `Idempotency-Key` is, once it carries one.
 */
async function versionHeaders(
  s: Settings,
  op: Operation,
  o: RequestOptions | undefined,
  headers: Record<string, string>,
): Promise<boolean> {
  if (op.path === '/v1/health') return op.safe; // health ignores OMP-Version (OMP-VER-005)
  const ifMatch = op.conditional ? o?.ifMatch : undefined;
  if (op.idempotencyKey || ifMatch !== undefined) {
    await s.negotiation.ensure(async () => {
      const health = { id: 'getHealth', method: 'GET', path: '/v1/health', safe: true };
      return (await send(s, health, o?.signal ? { signal: o.signal } : undefined)).json();
    });
  }
  const v04 = s.negotiation.atLeast('0.4');
  if (v04) headers['omp-version'] = s.negotiation.version as string;
  if (ifMatch !== undefined) {
    if (!v04) {
      throw new OmpError('If-Match needs a server that implements OMP 0.4 or later; this one does not', {
        code: 'if_match_unsupported',
      });
    }
    headers['if-match'] = ifMatch;
  }
  if (op.idempotencyKey && v04) {
    headers['idempotency-key'] = o?.idempotencyKey ?? globalThis.crypto.randomUUID();
    return true;
  }
  return op.safe;
}

/**
 * One attempt: fetch with `redirect: 'manual'` and follow redirects under the policy of redirect.ts
 * (OMP-CLIENT-008), resolving with the first response that is not a followed redirect.
 */
async function follow(s: Settings, first: Hop, signal: AbortSignal): Promise<Response> {
  const origin = new URL(s.baseUrl).origin;
  let hop = first;
  for (let hops = 0; ; hops++) {
    const res = await s.fetch(hop.url, {
      method: hop.method,
      headers: hop.headers,
      body: hop.body ?? null,
      signal,
      redirect: 'manual',
    });
    const next = nextHop(res, first, hop, origin, hops);
    if (next === undefined) return res;
    // Free the connection: the redirect's own body is never read.
    await res.body?.cancel().catch(() => {});
    hop = next;
  }
}

/** Resolve after `ms`, or early when `signal` aborts (the caller checks which). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** A short reason for a fetch rejection: undici hides the socket error in `cause`. */
function describe(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return e instanceof Error ? e.message : String(e);
}

/** The body of a 2xx as JSON; a read cut by the deadline or an abort becomes the matching error. */
async function readJson(
  res: Response,
  stopped: (cause: unknown) => OmpError,
  signal: AbortSignal,
): Promise<unknown> {
  let text: string;
  try {
    if (res.status === 204) return undefined;
    text = await res.text();
  } catch (e) {
    if (signal.aborted) throw stopped(e);
    throw new ConnectionError(`Response body cut short: ${describe(e)}`, {
      code: 'connection_error',
      cause: e,
    });
  }
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new OmpError(`Response is not valid JSON (HTTP ${res.status})`, {
      status: res.status,
      code: 'invalid_response',
      headers: res.headers,
      requestId: res.headers.get('x-request-id') ?? undefined,
      cause: e,
    });
  }
}
