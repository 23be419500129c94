/**
 * Hostile bodies and requests (issue #14): numbers and strings survive exactly or are refused, duplicate member
 * names, nesting, Host, HEAD, the connection cap, import pre-scanning, and what per-tool keys can learn.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BodyScan, parseJson } from '../src/http/body.ts';
import { isExactDouble } from '../src/http/json-scan.ts';
import { assertError, create, memoryBody, startTestServer, type TestServer } from './helpers.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ connections: { maxConnections: 64 } });
});
afterAll(async () => {
  await srv.stop();
});

/** A create body as raw JSON text with `metadata` spliced in verbatim. */
const rawCreate = (metadata: string, extra = '') =>
  `{"content":"numbers","type":"semantic","source":{"tool":"claude"${extra}},"metadata":${metadata}}`;

describe('metadata numbers survive exactly or are refused (§3.7)', () => {
  const refused = [
    '1e400',
    '-1e400',
    '1e-400',
    '-0',
    '-0.0',
    '12345678901234567890',
    '9007199254740993',
    '0.1000000000000000055511151231257827',
  ];
  test.each(refused)('%s is 422 at its path', async (n) => {
    const res = await srv.as().post('/v1/memories', rawCreate(`{"n":${n}}`));
    assertError(res, 422, 'validation_error');
    expect(res.body.details.errors[0].path).toBe('/metadata/n');
  });

  const kept: [string, number][] = [
    ['0.1', 0.1],
    ['1.0', 1],
    ['1E2', 100],
    ['1e300', 1e300],
    ['-2.5e-7', -2.5e-7],
    ['9007199254740992', 9007199254740992],
    ['0', 0],
    ['0e-400', 0],
    ['5e-324', 5e-324],
  ];
  test.each(kept)('%s is stored as the same value', async (n, value) => {
    const res = await srv.as().post('/v1/memories', rawCreate(`{"n":${n},"deep":[{"m":${n}}]}`));
    expect(res.status).toBe(201);
    const got = await srv.as().get(`/v1/memories/${res.body.id}`);
    expect(got.body.metadata).toEqual({ n: value, deep: [{ m: value }] });
  });

  test('the rule, unit by unit', () => {
    for (const n of refused) expect(isExactDouble(n), n).toBe(false);
    for (const [n] of kept) expect(isExactDouble(n), n).toBe(true);
    expect(isExactDouble('123456789012345680000')).toBe(true); // the double's own shortest form
  });
});

describe('unpaired surrogates are refused everywhere (§4.1)', () => {
  const cases: [string, string, string][] = [
    ['session_id', rawCreate('{}', ',"session_id":"a\\ud800"'), '/source/session_id'],
    ['user_id', rawCreate('{}', ',"user_id":"\\udc00b"'), '/source/user_id'],
    ['a metadata value', rawCreate('{"k":["x\\ud83d"]}'), '/metadata/k/0'],
    ['a metadata name', rawCreate('{"\\ud800":1}'), '/metadata/\ud800'],
    ['a high surrogate before a non-surrogate escape', rawCreate('{"k":"\\ud83d\\u0041"}'), '/metadata/k'],
  ];
  test.each(cases)('in %s: 422', async (_name, body, path) => {
    const res = await srv.as().post('/v1/memories', body);
    assertError(res, 422, 'validation_error');
    expect(res.body.details.errors[0].path).toBe(path);
  });

  test('a surrogate pair is one character and is kept', async () => {
    const res = await srv
      .as()
      .post('/v1/memories', rawCreate('{"k":"\\ud83d\\ude00"}', ',"session_id":"\\ud83d\\ude00"'));
    expect(res.status).toBe(201);
    expect(res.body.metadata.k).toBe('😀');
    expect(res.body.source.session_id).toBe('😀');
  });
});

describe('duplicate member names (§4.1)', () => {
  test('a repeated member is 422 naming it, never last-wins', async () => {
    const body = '{"content":"a","content":"b","type":"semantic","source":{"tool":"claude"}}';
    const res = await srv.as().post('/v1/memories', body);
    assertError(res, 422, 'validation_error');
    expect(res.body.details.errors[0].path).toBe('/content');
  });
  test('names equal after unescaping are duplicates', async () => {
    const res = await srv.as().post('/v1/memories', rawCreate('{"a":1,"\\u0061":2}'));
    assertError(res, 422, 'validation_error');
    expect(res.body.details.errors[0].path).toBe('/metadata/a');
  });
  test('the same name in different objects is fine', async () => {
    const res = await srv.as().post('/v1/memories', rawCreate('{"a":{"a":1},"b":[{"a":2},{"a":3}]}'));
    expect(res.status).toBe(201);
  });
});

describe('nesting (OMP-HTTP-003, OMP-HTTP-018)', () => {
  test('malformed JSON nested deeper than 256 is 400, well-formed is 422', async () => {
    assertError(await srv.as().post('/v1/memories', '['.repeat(300)), 400, 'malformed_json');
    assertError(
      await srv.as().post('/v1/memories', `${'['.repeat(300)}1${']'.repeat(299)}}`),
      400,
      'malformed_json',
    );
    assertError(
      await srv.as().post('/v1/memories', `${'['.repeat(300)}${']'.repeat(300)}`),
      422,
      'validation_error',
    );
  });
  test('a syntax error after a rule violation still wins (OMP-ERR-006)', async () => {
    assertError(
      await srv.as().post('/v1/memories', rawCreate('{"n":1e400}').slice(0, -1)),
      400,
      'malformed_json',
    );
  });
  test.each([
    ['{"a":01}'],
    ['{"a":1.}'],
    ['{"a":"\\x"}'],
    ['{"a":"\u0001"}'],
    ['{"a":tru}'],
    ['{"a":1,}'],
    ['[1] 2'],
    ['{"a" 1}'],
    [''],
  ])('%j is 400', (text) => {
    expect(() => parseJson(Buffer.from(text))).toThrow(expect.objectContaining({ code: 'malformed_json' }));
  });
  test('chunk boundaries anywhere give the same answer', () => {
    const text = Buffer.from('\ufeff{"na\\u006de":[1.5e3,"x\\ud83d\\ude00",{"k":true}],"n":-0.25}');
    for (let cut = 1; cut < text.length; cut++) {
      const scan = new BodyScan();
      scan.write(text.subarray(0, cut));
      scan.write(text.subarray(cut));
      expect(scan.finish().value, `cut at ${cut}`).toEqual({ name: [1500, 'x😀', { k: true }], n: -0.25 });
    }
  });
});

/** Send raw bytes on a fresh socket and collect what comes back until the server closes it. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let got = '';
    socket.setEncoding('utf8').on('data', (d: string) => {
      got += d;
      if (got.includes('\r\n\r\n') && /Content-Length: (\d+)/i.test(got)) {
        const len = Number(/Content-Length: (\d+)/i.exec(got)?.[1]);
        if (Buffer.byteLength(got.slice(got.indexOf('\r\n\r\n') + 4)) >= len) socket.end();
      }
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

describe('HTTP framing (§4.1)', () => {
  test('an HTTP/1.1 request without Host gets the enveloped 400', async () => {
    const got = await rawExchange(srv.url, 'GET /v1/health HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(got).toMatch(/^HTTP\/1\.1 400 /);
    const body = JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4));
    expect(body.error).toBe('bad_request');
    expect(body.request_id).toMatch(/./);
  });

  test('HEAD on GET endpoints is GET without the body', async () => {
    const health = await srv.as().call('HEAD', '/v1/health');
    expect(health.status).toBe(200);
    expect(health.text).toBe('');
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Number(health.headers.get('content-length'))).toBeGreaterThan(0);
    const list = await srv.as().call('HEAD', '/v1/memories?limit=1');
    expect(list.status).toBe(200);
    assertError(await srv.as('x'.repeat(32)).post('/v1/health', {}), 405, 'method_not_allowed');
    const allow = (await srv.as().call('PATCH', '/v1/me')).headers.get('allow');
    expect(allow).toBe('GET, HEAD');
  });

  test('connections beyond the cap are closed on accept', async () => {
    const capped = await startTestServer({ connections: { maxConnections: 2 } });
    const { hostname, port } = new URL(capped.url);
    const open = () =>
      new Promise<import('node:net').Socket>((resolve) => {
        const s = connect(Number(port), hostname, () => resolve(s));
      });
    const a = await open();
    const b = await open();
    const closed = await new Promise<boolean>((resolve) => {
      const c = connect(Number(port), hostname);
      c.on('close', () => resolve(true));
      c.on('error', () => undefined);
      c.write('GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
      c.on('data', () => resolve(false));
    });
    expect(closed).toBe(true);
    a.destroy();
    b.destroy();
    await capped.stop();
  });
});

describe('import is bounded before anything is parsed (§7.3)', () => {
  const head =
    '{"omp_version":"0.3","exported_at":"2026-11-23T10:00:00.000Z","server":{"name":"t","version":"1"},"memories":[';

  test('more items than the cap: 422 on /memories, counted while streaming', async () => {
    const body = `${head}${'{},'.repeat(100_000)}{}]}`;
    const res = await srv.as().post('/v1/import', body);
    assertError(res, 422, 'validation_error');
    expect(res.body.details.errors).toEqual([
      { path: '/memories', message: expect.stringMatching(/100000 items/) },
    ]);
  });

  test('a read-only key is refused with 403 and no item is parsed', async () => {
    const body = Buffer.from(`${head}${'{"x":1},'.repeat(1000)}{"x":1}]}`);
    const parsed = parseJson(body, { member: 'memories', max: 10 ** 6 });
    expect(parsed.value).toMatchObject({ memories: [] });
    expect(parsed.items?.length).toBe(1001);
    assertError(await srv.as(srv.keys.readOnly).post('/v1/import', body.toString()), 403, 'forbidden');
  });

  test('items are parsed one by one and imported', async () => {
    const m = (i: number) => ({
      id: `mem_import${String(i).padStart(10, '0')}`,
      content: `imported ${i}`,
      type: 'semantic',
      source: { tool: 'claude', timestamp: '2026-01-01T00:00:00.000Z' },
      tags: [],
      namespace: null,
      metadata: { i, x: 0.1 },
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      expires_at: null,
    });
    const body = `${head}${[1, 2, 3].map((i) => JSON.stringify(m(i))).join(' , ')} ]}`;
    const res = await srv.as().post('/v1/import', body);
    expect(res.body).toEqual({ imported: 3, skipped: 0, errors: [] });
    expect((await srv.as().get('/v1/memories/mem_import0000000002')).body.metadata).toEqual({ i: 2, x: 0.1 });
  });

  test('an own-scoped key cannot probe hidden ids through import outcomes', async () => {
    const hidden = await create(srv.as(srv.keys.claudeAll), {
      source: { tool: 'claude' },
      content: 'secret',
    });
    const item = (id: string) => ({
      id,
      content: 'probe',
      type: 'semantic',
      source: { tool: 'cursor', timestamp: '2026-01-01T00:00:00.000Z' },
      tags: [],
      namespace: null,
      metadata: {},
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      expires_at: null,
    });
    const file = (id: string) => `${head}${JSON.stringify(item(id))}]}`;
    for (const conflict of ['skip', 'overwrite', 'duplicate']) {
      const unknown = await srv
        .as(srv.keys.cursorOwn)
        .post(`/v1/import?conflict=${conflict}`, file(`mem_unknown${conflict.slice(0, 3)}xxxxxx`));
      const taken = await srv.as(srv.keys.cursorOwn).post(`/v1/import?conflict=${conflict}`, file(hidden.id));
      expect(taken.body, conflict).toEqual(unknown.body);
    }
    expect((await srv.as().get(`/v1/memories/${hidden.id}`)).body.content).toBe('secret');
  });
});

describe('query tags', () => {
  test('a repeated tag in the query is the same filter as one, as the 0.3 document allows', async () => {
    await create(srv.as(), memoryBody({ tags: ['repeat-me'] }));
    const once = await srv.as().get('/v1/memories?tags=repeat-me');
    const twice = await srv.as().get('/v1/memories?tags=repeat-me,repeat-me');
    expect(twice.status).toBe(200);
    expect(twice.body.total).toBe(once.body.total);
    expect((await srv.as().get('/v1/memories/search?q=numbers&tags=a,a')).status).toBe(200);
  });
});

describe('README', () => {
  test('says what memories_count is for a key without the read scope, as the server does', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const row = readme.split('\n').find((l) => l.startsWith('| `memories_count` |')) ?? '';
    expect(row).toMatch(/null for a key without the `read` scope/);
    await create(srv.as(), memoryBody());
    const health = await srv.as(srv.keys.writeOnly).get('/v1/health');
    expect(health.body.memories_count).toBeNull();
  });
});
