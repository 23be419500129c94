import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertError, client, memoryBody, type Res, startTestServer, type TestServer } from './helpers.ts';

let srv: TestServer;
const LIMIT = 262_144;
beforeAll(async () => {
  srv = await startTestServer({ maxBodyBytes: LIMIT, maxImportBytes: 33_554_432 });
});
afterAll(async () => {
  await srv.stop();
});

/** Send raw bytes and collect the whole response text (the server closes or we stop after a timeout). */
function raw(bytes: string | Buffer, waitMs = 1500): Promise<string> {
  const u = new URL(srv.url);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      out += d;
    });
    const done = (): void => resolve(out);
    socket.on('close', done);
    socket.on('error', done);
    setTimeout(() => {
      socket.destroy();
      done();
    }, waitMs);
    socket.write(bytes);
  });
}

describe('routes (OMP-HTTP-021, -011, -014, OMP-AI-002)', () => {
  const unknown = [
    '/',
    '/v1',
    '/v2/memories',
    '/v1/memories/',
    '/v1/memory',
    '/v1/extract',
    '/v1/compress',
    '/v1/memories/mem_aaaaaaaaaaaaaaaa/x',
    '/favicon.ico',
    '/v1/health/',
  ];
  test.each(unknown)('%s is 404 not_found, even without a key', async (path) => {
    assertError(await client(srv.url).get(path), 404, 'not_found');
    assertError(await client(srv.url).post(path, {}), 404, 'not_found');
  });

  const wrong: [string, string, string][] = [
    ['PATCH', '/v1/memories', 'GET, HEAD, POST'],
    ['DELETE', '/v1/memories', 'GET, HEAD, POST'],
    ['POST', '/v1/memories/mem_aaaaaaaaaaaaaaaa', 'DELETE, GET, HEAD, PUT'],
    ['PUT', '/v1/memories/search', 'GET, HEAD, POST'],
    ['POST', '/v1/health', 'GET, HEAD'],
    ['POST', '/v1/export', 'GET, HEAD'],
    ['GET', '/v1/import', 'POST'],
    ['HEAD', '/v1/import', 'POST'],
    ['DELETE', '/v1/me', 'GET, HEAD'],
    ['OPTIONS', '/v1/memories', 'GET, HEAD, POST'],
  ];
  test.each(wrong)('%s %s is 405 with Allow (before auth)', async (method, path, allow) => {
    const res = await client(srv.url).call(method, path);
    expect(res.status).toBe(405);
    const got = (res.headers.get('allow') ?? '')
      .split(',')
      .map((s) => s.trim())
      .sort()
      .join(', ');
    expect(got).toBe(allow);
    if (method !== 'HEAD') assertError(res, 405, 'method_not_allowed');
  });
});

describe('bodies (OMP-HTTP-002, -003, -008, -009)', () => {
  const types: [string, string | undefined, number][] = [
    ['missing', undefined, 415],
    ['text/plain', 'text/plain', 415],
    ['form', 'application/x-www-form-urlencoded', 415],
    ['json with charset', 'application/json; charset=utf-8', 201],
    ['upper case', 'APPLICATION/JSON', 201],
    ['charset in capitals', 'application/json;charset=UTF-8', 201],
    ['other charset', 'application/json; charset=latin1', 415],
    ['json suffix type', 'application/merge-patch+json', 415],
  ];
  test.each(types)('Content-Type %s', async (_n, type, want) => {
    const headers: Record<string, string> = { authorization: `Bearer ${srv.token}` };
    if (type !== undefined) headers['content-type'] = type;
    const res = await fetch(`${srv.url}/v1/memories`, {
      method: 'POST',
      headers,
      body: JSON.stringify(memoryBody()),
    });
    expect(res.status).toBe(want);
    if (want === 415)
      assertError(
        { status: res.status, headers: res.headers, text: '', body: await res.json() },
        415,
        'unsupported_media_type',
      );
  });

  const malformed: [string, string | Buffer][] = [
    ['truncated JSON', '{"content": "x"'],
    ['not JSON', 'hello'],
    ['empty body', ''],
    ['trailing garbage', '{}x'],
    ['single quotes', "{'a': 1}"],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['overlong UTF-8', Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])],
  ];
  test.each(malformed)('%s is 400 malformed_json, without echoing the body', async (_n, body) => {
    for (const path of ['/v1/memories', '/v1/memories/search', '/v1/import']) {
      const res = await srv.as().post(path, body);
      assertError(res, 400, 'malformed_json');
    }
    const put = await srv.as().put('/v1/memories/mem_aaaaaaaaaaaaaaaa', body);
    assertError(put, 400, 'malformed_json');
  });

  test('a UTF-8 byte order mark is accepted', async () => {
    const res = await srv
      .as()
      .post(
        '/v1/memories',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(memoryBody()))]),
      );
    expect(res.status).toBe(201);
  });

  test('a body at the limit is processed, one byte more is 413 (declared length)', async () => {
    const make = (size: number): string => {
      const base = JSON.stringify({ q: 'x', extra: '' });
      return JSON.stringify({ q: 'x', extra: 'y'.repeat(size - base.length) });
    };
    const atLimit = await srv.as().post('/v1/memories/search', make(LIMIT));
    assertError(atLimit, 422, 'validation_error'); // processed: the unknown member is reported
    const over = await srv.as().post('/v1/memories/search', make(LIMIT + 1));
    assertError(over, 413, 'payload_too_large');
  });

  test('an oversized chunked body is cut off while streaming and still answered 413', async () => {
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(`${srv.url}/v1/memories`);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { authorization: `Bearer ${srv.token}`, 'content-type': 'application/json' },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < 8 * LIMIT) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(status.status).toBe(413);
    expect(JSON.parse(status.body).error).toBe('payload_too_large');
  });

  test('import has its own, larger limit', async () => {
    const big = JSON.stringify({
      omp_version: '0.3',
      exported_at: '2026-01-01T00:00:00Z',
      server: 'x'.repeat(100),
      memories: [],
      pad: 'z'.repeat(LIMIT * 2),
    });
    const res = await srv.as().post('/v1/import', big);
    assertError(res, 422, 'validation_error'); // read and judged, not 413
  });
});

describe('error precedence (OMP-ERR-011)', () => {
  const cases: [string, () => Promise<Res>, number, string][] = [
    [
      '404 route beats 401',
      () => client(srv.url).post('/v1/nothing', 'x', { 'content-type': 'text/plain' }),
      404,
      'not_found',
    ],
    ['405 beats 401', () => client(srv.url).call('PATCH', '/v1/memories', 'x'), 405, 'method_not_allowed'],
    [
      '401 beats 415',
      () => client(srv.url).post('/v1/memories', 'x', { 'content-type': 'text/plain' }),
      401,
      'unauthorized',
    ],
    [
      '415 beats 413',
      () => srv.as().post('/v1/memories', 'x'.repeat(LIMIT + 10), { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    ],
    ['413 beats 400', () => srv.as().post('/v1/memories', '{'.repeat(LIMIT + 10)), 413, 'payload_too_large'],
    ['400 beats 422', () => srv.as().post('/v1/memories?unknown=1', '{bad'), 400, 'malformed_json'],
    [
      '422 beats 403',
      () => srv.as(srv.keys.readOnly).put('/v1/memories/mem_aaaaaaaaaaaaaaaa', {}),
      422,
      'validation_error',
    ],
    [
      '403 beats 404',
      () => srv.as(srv.keys.readOnly).del('/v1/memories/mem_aaaaaaaaaaaaaaaa'),
      403,
      'forbidden',
    ],
    [
      '422 beats 404 memory_not_found',
      () => srv.as().put('/v1/memories/nope', { content: '' }),
      422,
      'validation_error',
    ],
    [
      'query 422 on GET one',
      () => srv.as().get('/v1/memories/mem_aaaaaaaaaaaaaaaa?x=1'),
      422,
      'validation_error',
    ],
  ];
  test.each(cases)('%s', async (_n, run, status, code) => {
    assertError(await run(), status, code);
  });

  test('health ignores query parameters, so monitors can add cache-busters (OMP-HTTP-024, SPEC.md §4.1)', async () => {
    const res = await client(srv.url).get('/v1/health?x=1&_=1700000000');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  test('unknown query parameters are 422 on every other endpoint (OMP-HTTP-020)', async () => {
    const api = srv.as();
    for (const res of [
      await api.post('/v1/memories?x=1', memoryBody()),
      await api.post('/v1/memories/search?x=1', { q: 'a' }),
      await api.get('/v1/export?x=1'),
      await api.post('/v1/import?x=1', {
        omp_version: '0.3',
        exported_at: '2026-01-01T00:00:00Z',
        server: 'x',
        memories: [],
      }),
      await api.get('/v1/me?x=1'),
      await api.del('/v1/memories/mem_aaaaaaaaaaaaaaaa?x=1'),
    ]) {
      assertError(res, 422, 'validation_error');
      expect(res.body.details.errors[0].path).toBe('?x');
    }
  });
});

describe('every response is JSON with a request id (OMP-HTTP-001, -012, OMP-ERR-005)', () => {
  test('success and error responses carry X-Request-Id; a client id is echoed', async () => {
    const ok = await client(srv.url).get('/v1/health');
    expect(ok.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{16}$/);
    const mine = await client(srv.url).get('/v1/nowhere', { 'x-request-id': 'trace-123.abc' });
    expect(mine.headers.get('x-request-id')).toBe('trace-123.abc');
    expect(mine.body.request_id).toBe('trace-123.abc');
    const weird = await client(srv.url).get('/v1/nowhere', { 'x-request-id': 'has spaces and "quotes"' });
    expect(weird.headers.get('x-request-id')).toMatch(/^req_/);
  });

  test('malformed HTTP gets a JSON envelope, not Node text', async () => {
    const out = await raw('GARBAGE /\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400 /);
    expect(out).toContain('application/json');
    const body = JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4));
    expect(body).toMatchObject({ error: 'bad_request', details: {} });
  });

  test('oversized headers get a JSON envelope', async () => {
    const out = await raw(`GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4)).error).toBe('payload_too_large');
  });

  test('errors never contain HTML, stack traces or file paths', async () => {
    const responses = [
      await client(srv.url).get('/v1/<script>'),
      await srv.as().post('/v1/memories', '{"content":'),
      await srv.as().post('/v1/import', { omp_version: 7 }),
      await srv.as().get('/v1/memories?limit=abc'),
    ];
    for (const r of responses) {
      expect(r.text).not.toMatch(/<html|<script|\bat \w+ \(|\/src\/|node:internal|\.ts:\d+/i);
    }
  });
});
