/**
 * The hand-written runtime over real sockets: retries, Retry-After, the single deadline, aborts, error
 * classes, raw response access, hooks and headers. Every server here misbehaves on purpose.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseClient, type ClientOptions } from '../src/core/client.ts';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  NotFoundError,
  OmpError,
  PayloadTooLargeError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../src/core/errors.ts';
import type { Operation } from '../src/core/request.ts';
import { type MisbehavingServer, startMisbehavingServer } from './support/misbehaving-server.ts';

let srv: MisbehavingServer;
beforeAll(async () => {
  srv = await startMisbehavingServer();
});
afterAll(() => srv.close());

const get: Operation = {
  id: 'getMemory',
  method: 'GET',
  path: '/v1/memories/{id}',
  params: { id: 'mem_a' },
  safe: true,
};
const create: Operation = {
  id: 'createMemory',
  method: 'POST',
  path: '/v1/memories',
  body: { content: 'x' },
  safe: false,
};
const client = (o: Partial<ClientOptions> = {}) => new BaseClient({ baseUrl: srv.url, apiKey: 'k1', ...o });
const envelope = (error: string, details: object = {}) => ({
  error,
  message: `because ${error}`,
  details,
  request_id: 'req_env',
});

/** Await a rejection and return it, failing the test if the call succeeded. */
async function failure(p: PromiseLike<unknown>): Promise<OmpError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OmpError);
    return e as OmpError;
  }
  throw new Error('expected the call to fail');
}

describe('error classes: one per failure kind, from status and envelope', () => {
  const table: [string, { status: number; body: unknown; want: typeof OmpError; code: string }][] = [
    [
      '400 malformed_json',
      { status: 400, body: envelope('malformed_json'), want: ValidationError, code: 'malformed_json' },
    ],
    ['401', { status: 401, body: envelope('unauthorized'), want: AuthenticationError, code: 'unauthorized' }],
    ['403', { status: 403, body: envelope('forbidden'), want: PermissionError, code: 'forbidden' }],
    [
      '404',
      {
        status: 404,
        body: envelope('memory_not_found', { id: 'mem_a' }),
        want: NotFoundError,
        code: 'memory_not_found',
      },
    ],
    [
      '405 (no class of its own)',
      { status: 405, body: envelope('method_not_allowed'), want: OmpError, code: 'method_not_allowed' },
    ],
    [
      '413',
      {
        status: 413,
        body: envelope('payload_too_large'),
        want: PayloadTooLargeError,
        code: 'payload_too_large',
      },
    ],
    [
      '415',
      {
        status: 415,
        body: envelope('unsupported_media_type'),
        want: UnsupportedMediaTypeError,
        code: 'unsupported_media_type',
      },
    ],
    [
      '422',
      {
        status: 422,
        body: envelope('validation_error', { errors: [{ path: '/type', message: 'bad' }] }),
        want: ValidationError,
        code: 'validation_error',
      },
    ],
    ['429', { status: 429, body: envelope('rate_limited'), want: RateLimitError, code: 'rate_limited' }],
    [
      '502 html from a proxy',
      { status: 502, body: '<html>bad gateway</html>', want: ServerError, code: 'http_502' },
    ],
  ];
  it.each(table)('%s', async (_name, { status, body, want, code }) => {
    srv.script({ status, body });
    const e = await failure(client({ maxRetries: 0 }).request(create));
    expect(e).toBeInstanceOf(want);
    expect(e.constructor).toBe(want);
    expect(e.name).toBe(want.name);
    expect(e.status).toBe(status);
    expect(e.code).toBe(code);
    expect(e.headers?.get('x-request-id')).toBe('req_1');
    expect(e.requestId).toBe(typeof body === 'string' ? 'req_1' : 'req_env');
    if (typeof body !== 'string') expect(e.message).toBe(`because ${code}`);
    else expect(e.message).toContain('bad gateway');
  });

  it('ValidationError lists the violations; NotFoundError keeps the details', async () => {
    srv.script({
      status: 422,
      body: envelope('validation_error', { errors: [{ path: '?limit', message: 'too big' }] }),
    });
    const v = (await failure(client().request(get))) as ValidationError;
    expect(v.errors).toEqual([{ path: '?limit', message: 'too big' }]);
    srv.script({ status: 404, body: envelope('memory_not_found', { id: 'mem_a' }) });
    expect((await failure(client().request(get))).details).toEqual({ id: 'mem_a' });
  });
});

describe('retries', () => {
  it('retries a 503 with Retry-After: 0 until it succeeds', async () => {
    srv.script(
      { status: 503, headers: { 'retry-after': '0' }, body: envelope('unavailable') },
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 200, body: { ok: 1 } },
    );
    const delays: number[] = [];
    const data = await client({ hooks: { onRetry: (_e, d) => void delays.push(d) } }).request(get);
    expect(data).toEqual({ ok: 1 });
    expect(srv.hits).toHaveLength(3);
    expect(delays).toEqual([0, 0]);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const past = new Date(Date.now() - 10_000).toUTCString();
    srv.script({ status: 429, headers: { 'retry-after': past } }, { status: 200, body: { ok: 2 } });
    expect(await client().request(get)).toEqual({ ok: 2 });
    expect(srv.hits).toHaveLength(2);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    srv.script({ status: 503, headers: { 'retry-after': '0' }, body: envelope('unavailable') });
    const e = await failure(client({ maxRetries: 1 }).request(get));
    expect(e).toBeInstanceOf(ServerError);
    expect(e.code).toBe('unavailable');
    expect(srv.hits).toHaveLength(2);
  });

  it('maxRetries 0 (per call) sends once', async () => {
    srv.script({ status: 503, headers: { 'retry-after': '0' } });
    await failure(client().request(get, { maxRetries: 0 }));
    expect(srv.hits).toHaveLength(1);
  });

  it('backs off exponentially without Retry-After (500 on a retry-safe GET)', async () => {
    srv.script({ status: 500, body: envelope('internal_error') }, { status: 200, body: { ok: 3 } });
    const delays: number[] = [];
    expect(await client({ hooks: { onRetry: (_e, d) => void delays.push(d) } }).request(get)).toEqual({
      ok: 3,
    });
    expect(srv.hits).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(375);
    expect(delays[0]).toBeLessThanOrEqual(500);
  });

  it('does not retry a 500 on a create: it may have been stored', async () => {
    srv.script({ status: 500, body: envelope('internal_error') });
    expect(await failure(client().request(create))).toBeInstanceOf(ServerError);
    expect(srv.hits).toHaveLength(1);
  });

  it('does not retry a 429 or 503 on a create: it reached the server (SPEC.md §9.3)', async () => {
    for (const status of [429, 503]) {
      srv.script({ status, headers: { 'retry-after': '0' }, body: envelope('rate_limited') });
      expect(await failure(client().request(create))).toHaveProperty('status', status);
      expect(srv.hits).toHaveLength(1);
    }
  });

  it('does not wait for a Retry-After longer than 60 s; the error carries it', async () => {
    srv.script({ status: 429, headers: { 'retry-after': '120' }, body: envelope('rate_limited') });
    const e = (await failure(client().request(get))) as RateLimitError;
    expect(e.retryAfter).toBe(120);
    expect(srv.hits).toHaveLength(1);
  });

  it('does not start a wait that would outlast the deadline', async () => {
    srv.script({ status: 503, headers: { 'retry-after': '5' }, body: envelope('unavailable') });
    const e = await failure(client({ timeout: 1000 }).request(get));
    expect(e).toBeInstanceOf(ServerError);
    expect(srv.hits).toHaveLength(1);
  });

  it('does not retry 4xx other than 408 and 429, nor 504', async () => {
    for (const status of [404, 409, 504]) {
      srv.script({ status, body: envelope('whatever') });
      await failure(client().request(get));
      expect(srv.hits).toHaveLength(1);
    }
    srv.script(
      { status: 408, headers: { 'retry-after': '0' }, body: envelope('request_timeout') },
      { status: 200, body: {} },
    );
    await client().request(get);
    expect(srv.hits).toHaveLength(2);
  });

  it('retries a GET whose connection dropped, but not a create', async () => {
    srv.script({ destroy: true }, { status: 200, body: { ok: 4 } });
    expect(await client({ maxRetries: 1 }).request(get)).toEqual({ ok: 4 });
    expect(srv.hits).toHaveLength(2);
    srv.script({ destroy: true });
    const e = await failure(client({ maxRetries: 1 }).request(create));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.code).toBe('connection_error');
    expect(e.status).toBeUndefined();
    expect(srv.hits).toHaveLength(1);
  });

  it('retries even a create when the connection was refused (nothing was sent)', async () => {
    const port = await closedPort();
    const attempts: number[] = [];
    const c = new BaseClient({
      baseUrl: `http://127.0.0.1:${port}`,
      maxRetries: 1,
      hooks: { onRequest: (r) => void attempts.push(r.attempt) },
    });
    const e = await failure(c.request(create));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toContain('ECONNREFUSED');
    expect(attempts).toEqual([0, 1]);
  });
});

describe('one deadline and AbortSignal', () => {
  it('times out a slow response with TimeoutError and does not retry past the deadline', async () => {
    srv.script({ status: 200, body: {}, delayMs: 3000 });
    const e = await failure(client({ timeout: 200 }).request(get));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.code).toBe('timeout');
    expect(srv.hits).toHaveLength(1);
  });

  it('the deadline also covers a body that stalls after the headers', async () => {
    srv.script({ stallBody: true });
    const e = await failure(client().request(get, { timeout: 300 }));
    expect(e).toBeInstanceOf(TimeoutError);
  });

  it('the deadline spans retries: slow 503s use it up', async () => {
    srv.script({ status: 503, headers: { 'retry-after': '0' }, delayMs: 150 });
    const e = await failure(client({ timeout: 400, maxRetries: 10 }).request(get));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(srv.hits.length).toBeLessThan(10);
  });

  it('an AbortSignal cancels an in-flight call with AbortError', async () => {
    srv.script({ status: 200, body: {}, delayMs: 3000 });
    const ctrl = new AbortController();
    const p = client().request(get, { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(new Error('user gave up')), 50);
    const e = await failure(p);
    expect(e).toBeInstanceOf(AbortError);
    expect(e.code).toBe('aborted');
    expect((e.cause as Error).message).toBe('user gave up');
  });

  it('an already aborted signal sends nothing', async () => {
    srv.script({ status: 200, body: {} });
    const e = await failure(client().request(get, { signal: AbortSignal.abort() }));
    expect(e).toBeInstanceOf(AbortError);
    expect(srv.hits).toHaveLength(0);
  });

  it('an abort during a retry wait ends the call', async () => {
    srv.script({ status: 503, headers: { 'retry-after': '30' } });
    const ctrl = new AbortController();
    const p = client().request(get, { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 100);
    expect(await failure(p)).toBeInstanceOf(AbortError);
    expect(srv.hits).toHaveLength(1);
  });
});

describe('request shape, raw responses and hooks', () => {
  it('sends only Accept, Authorization and (with a body) Content-Type', async () => {
    srv.script({ status: 201, body: {} });
    const seen: string[][] = [];
    const c = client({ hooks: { onRequest: (r) => void seen.push(Object.keys(r.headers).sort()) } });
    await c.request(create);
    await c.request(get);
    expect(seen).toEqual([
      ['accept', 'authorization', 'content-type'],
      ['accept', 'authorization'],
    ]);
    expect(srv.hits[0]?.headers.authorization).toBe('Bearer k1');
    expect(srv.hits[0]?.headers['content-type']).toBe('application/json');
    expect(Object.keys(srv.hits[0]?.headers ?? {}).filter((h) => h.startsWith('x-'))).toEqual([]);
  });

  it('sends no Authorization without an apiKey', async () => {
    srv.script({ status: 200, body: {} });
    await new BaseClient({ baseUrl: `${srv.url}/` }).request(get);
    expect(srv.hits[0]?.headers.authorization).toBeUndefined();
    expect(srv.hits[0]?.url).toBe('/v1/memories/mem_a');
  });

  it.each([
    ['../export', '/v1/memories/..%2Fexport'],
    ['...', '/v1/memories/...'],
    ['a b?c#d', '/v1/memories/a%20b%3Fc%23d'],
    ['é', '/v1/memories/%C3%A9'],
  ])('percent-encodes the path segment %j', async (id, want) => {
    srv.script({ status: 200, body: {} });
    await client().request({ ...get, params: { id } });
    expect(srv.hits[0]?.url).toBe(want);
  });

  it.each(['', '.', '..'])('refuses the path segment %j without sending', async (id) => {
    srv.script({ status: 200, body: {} });
    await expect(client().request({ ...get, params: { id } })).rejects.toThrow(TypeError);
    expect(srv.hits).toHaveLength(0);
  });

  it('serialises query lists comma-separated and leaves out undefined, null and []', async () => {
    srv.script({ status: 200, body: {} });
    const query = { type: 'semantic', tags: ['a', 'b:c'], tool: undefined, namespace: null, limit: 5, x: [] };
    await client().request({ ...get, path: '/v1/memories', query });
    expect(srv.hits[0]?.url).toBe('/v1/memories?type=semantic&tags=a%2Cb%3Ac&limit=5');
  });

  it('withResponse gives data and headers; asResponse gives the unread response', async () => {
    srv.script({ status: 201, headers: { location: '/v1/memories/mem_x' }, body: { id: 'mem_x' } });
    const { data, response } = await client().request<{ id: string }>(create).withResponse();
    expect(data.id).toBe('mem_x');
    expect(response.headers.get('location')).toBe('/v1/memories/mem_x');
    const raw = await client().request(create).asResponse();
    expect(raw.status).toBe(201);
    expect(await raw.json()).toEqual({ id: 'mem_x' });
  });

  it('204 resolves to undefined; a 2xx that is not JSON is an OmpError', async () => {
    srv.script({ status: 204 });
    expect(await client().request({ ...get, method: 'DELETE' })).toBeUndefined();
    srv.script({ status: 200, body: 'not json' });
    const e = await failure(client().request(get));
    expect(e.code).toBe('invalid_response');
    expect(e.status).toBe(200);
  });

  it('onRequest may add a header; a throwing hook fails the call with its error', async () => {
    srv.script({ status: 200, body: {} });
    await client({
      hooks: {
        onRequest: (r) => {
          r.headers.traceparent = '00-abc-def-01';
        },
      },
    }).request(get);
    expect(srv.hits[0]?.headers.traceparent).toBe('00-abc-def-01');
    const boom = new Error('hook failed');
    await expect(client({ hooks: { onResponse: () => Promise.reject(boom) } }).request(get)).rejects.toBe(
      boom,
    );
  });

  it('uses an injected fetch', async () => {
    const urls: string[] = [];
    const c = new BaseClient({
      baseUrl: 'http://example.invalid',
      fetch: async (url) => {
        urls.push(url);
        return new Response('{"via":"custom"}', { status: 200 });
      },
    });
    expect(await c.request(get)).toEqual({ via: 'custom' });
    expect(urls).toEqual(['http://example.invalid/v1/memories/mem_a']);
  });

  it('rejects bad options at construction', () => {
    expect(() => new BaseClient({ baseUrl: 'localhost:8080' })).toThrow(TypeError);
    expect(() => new BaseClient({ baseUrl: srv.url, maxRetries: -1 })).toThrow(TypeError);
    expect(() => new BaseClient({ baseUrl: srv.url, timeout: 1.5 })).toThrow(TypeError);
  });
});

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
