/** HTTP conventions (SPEC §4): media types, malformed bodies, strictness, limits, routes, methods. */
import { Readable } from 'node:stream';
import { jsonEqual } from '../core/assert.ts';
import type { CheckContext } from '../core/harness.ts';
import { SETUP_TIMESTAMP } from '../core/omp-client.ts';
import { check } from '../core/registry.ts';
import type { Res } from '../core/response.ts';
import type { Memory } from '../core/wire.ts';
import { expect422, exportFile, importItem, memPath, randomId, withoutEmbedding } from './helpers.ts';
import { certifiesAtLeast } from './spec-versions.ts';

const limits = (t: CheckContext) => t.run.limits;

/** A create body padded (in metadata) to exactly `bytes` bytes of JSON. */
function paddedBody(t: CheckContext, bytes: number): string {
  const body = t.body({ metadata: { pad: '' } });
  const empty = Buffer.byteLength(JSON.stringify(body), 'utf8');
  if (bytes < empty) throw new Error('runner bug: limit smaller than a body');
  (body.metadata as { pad: string }).pad = 'x'.repeat(bytes - empty);
  return JSON.stringify(body);
}

/** A streamed import body of `bytes` bytes: a valid-looking prefix, then padding (never held in memory). */
function streamedImport(bytes: number): { stream: () => Readable; length: number; describe: string } {
  const head =
    '{"omp_version":"0.3","exported_at":"2026-01-01T00:00:00Z","server":"pad","memories":[],"x_pad":"';
  const tail = '"}';
  const padLen = bytes - head.length - tail.length;
  return {
    length: bytes,
    describe: `${head}… (${bytes} bytes of padding)…${tail}`,
    stream: () =>
      Readable.from(
        (function* () {
          yield Buffer.from(head);
          const chunk = Buffer.alloc(1 << 20, 0x78);
          let left = padLen;
          while (left > 0) {
            const n = Math.min(left, chunk.length);
            yield n === chunk.length ? chunk : chunk.subarray(0, n);
            left -= n;
          }
          yield Buffer.from(tail);
        })(),
      ),
  };
}

check('OMP-HTTP-001', 'MUST send Content-Type application/json on every body and an empty 204', async (t) => {
  const m = await t.create();
  const [health, listed, got, missing, unauthorised, invalid, exported] = await Promise.all([
    t.anon.get('/v1/health'),
    t.api.get('/v1/memories', { tags: t.tag }),
    t.api.get(memPath(m.id)),
    t.api.get(memPath(randomId())),
    t.anon.get('/v1/memories'),
    t.api.get('/v1/memories', { limit: 0 }),
    t.api.get('/v1/export'),
  ]);
  const responses: Array<[string, Res]> = [
    ['health', health],
    ['list', listed],
    ['get', got],
    ['404', missing],
    ['401', unauthorised],
    ['422', invalid],
    ['export', exported],
  ];
  for (const [what, res] of responses) {
    const ct = res.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(ct))
      t.fail(`${what}: Content-Type ${JSON.stringify(ct)}`, res);
  }
  const del = await t.api.del(memPath(m.id));
  t.forget(m.id);
  // A 200 where 204 is due is OMP-CRUD-019's; this requirement is that a 204, when sent, has no body.
  if (del.status === 204 && del.raw.bytes !== 0) t.fail(`a 204 with a ${del.raw.bytes}-byte body`, del);
});

check('OMP-HTTP-002', 'MUST reject POST/PUT without Content-Type application/json with 415', async (t) => {
  const m = await t.create();
  const json = JSON.stringify(t.body());
  const bad: Array<[string, string | null]> = [
    ['no Content-Type', null],
    ['text/plain', 'text/plain'],
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
    ['application/jsonx', 'application/jsonx'],
    ['multipart/form-data', 'multipart/form-data; boundary=x'],
  ];
  const requests = [
    ['POST', '/v1/memories', json],
    ['PUT', memPath(m.id), '{"content":"changed with a wrong media type"}'],
    ['POST', '/v1/memories/search', '{"q":"x"}'],
    ['POST', '/v1/import', JSON.stringify(exportFile([importItem(t)]))],
  ] as const;
  await t.each(
    bad.flatMap(([label, ct]) => requests.map((r) => [label, ct, ...r] as const)),
    async ([label, ct, method, path, body]) => {
      const res = await t.api.req(method, path, { raw: body, contentType: ct });
      if (res.status !== 415) t.fail(`${method} ${path} with ${label}: ${res.describe()}, want 415`, res);
      res.expectError(415, 'unsupported_media_type');
    },
  );
  t.equal(withoutEmbedding(await t.api.getMemory(m.id)), withoutEmbedding(m), 'memory after 415s');
  await t.each(
    ['application/json; charset=utf-8', 'APPLICATION/JSON', 'Application/Json;charset=UTF-8'],
    async (ct) => {
      const res = await t.api.req('POST', '/v1/memories', { raw: JSON.stringify(t.body()), contentType: ct });
      if (res.status !== 201) t.fail(`Content-Type "${ct}" was refused: ${res.describe()}`, res);
    },
  );
});

check(
  'OMP-HTTP-003',
  'MUST reject a body that is not well-formed JSON or not UTF-8 with 400 malformed_json',
  async (t) => {
    const m = await t.create();
    const bodies: Array<[string, string | Uint8Array]> = [
      ['truncated JSON', '{"content": "abc'],
      ['trailing comma', '{"content": "abc",}'],
      ['single quotes', "{'content': 'abc'}"],
      ['empty body', ''],
      ['two values', '{} {}'],
      ['NaN', '{"q": NaN}'],
      [
        'invalid UTF-8',
        Buffer.concat([Buffer.from('{"content":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      ],
      [
        'lone continuation byte',
        Buffer.concat([Buffer.from('{"q":"'), Buffer.from([0x80]), Buffer.from('"}')]),
      ],
    ];
    await t.each(bodies, async ([label, raw]) => {
      for (const [method, path] of [
        ['POST', '/v1/memories'],
        ['PUT', memPath(m.id)],
        ['POST', '/v1/memories/search'],
        ['POST', '/v1/import'],
      ] as const) {
        const res = await t.api.req(method, path, { raw });
        if (res.status !== 400) t.fail(`${method} ${path} with ${label}: ${res.describe()}, want 400`, res);
        res.expectError(400, 'malformed_json');
      }
    });
    t.equal(
      withoutEmbedding(await t.api.getMemory(m.id)),
      withoutEmbedding(m),
      'memory after malformed bodies',
    );
  },
);

check('OMP-HTTP-004', 'MUST reject a JSON body whose top level is not an object with 422', async (t) => {
  const m = await t.create();
  await t.each(['[]', '"text"', '42', 'null', 'true', '[{"content":"x"}]'], async (raw) => {
    for (const [method, path] of [
      ['POST', '/v1/memories'],
      ['PUT', memPath(m.id)],
      ['POST', '/v1/memories/search'],
    ] as const)
      expect422(t, await t.api.req(method, path, { raw }), `${method} ${path} with ${raw}`);
  });
});

/** Unknown request members rejected with 422 naming them; under 0.3 an x_ member is unknown too (no extensions). */
async function rejectsUnknownMembers(t: CheckContext, extensionsUnknown: boolean): Promise<void> {
  const m = await t.create();
  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ['POST', '/v1/memories', { ...t.body(), colour: 'blue' }, 'colour'],
    ['POST', '/v1/memories', { ...t.body(), id: randomId() }, 'id'],
    ['POST', '/v1/memories', { ...t.body(), created_at: '2026-01-01T00:00:00.000Z' }, 'created_at'],
    ['POST', '/v1/memories', { ...t.body(), updated_at: '2026-01-01T00:00:00.000Z' }, 'updated_at'],
    [
      'POST',
      '/v1/memories',
      { ...t.body(), source: { tool: 'x', timestamp: SETUP_TIMESTAMP, extra: 1 } },
      'extra',
    ],
    ['PUT', memPath(m.id), { content: 'x', colour: 'blue' }, 'colour'],
    ['POST', '/v1/memories/search', { q: 'x', fuzzy: true }, 'fuzzy'],
    // Not x_: an x_ member is an extension member (SPEC.md §1.4), accepted by a 0.4 server.
    ['POST', '/v1/import', exportFile([], { note: 'hi' }), 'note'],
  ];
  if (extensionsUnknown)
    cases.push(
      ['POST', '/v1/memories', { ...t.body(), x_note: 'hi' }, 'x_note'],
      ['POST', '/v1/import', exportFile([], { x_note: 'hi' }), 'x_note'],
    );
  await t.each(cases, async ([method, path, body, member]) => {
    const res = await t.api.req(method, path, { json: body });
    expect422(t, res, `${method} ${path} with member ${member}`);
    const errs = (
      (res.json as { details?: { errors?: Array<{ path?: string }> } }).details?.errors ?? []
    ).map((e) => e.path ?? '');
    // A JSON Pointer is what OMP-ERR-003 asks for; here any path that names the member will do.
    if (!errs.some((p) => p.split(/[/.[\]]/).includes(member)))
      t.fail(`the 422 does not name ${member}: paths ${JSON.stringify(errs)}`, res);
  });
}

check('OMP-HTTP-019', 'MUST reject a body with an unknown (non-x_) member with 422 naming it', (t) =>
  rejectsUnknownMembers(t, false),
);

check('OMP-HTTP-005', 'MUST reject a body with a member the schema does not define with 422 naming it', (t) =>
  rejectsUnknownMembers(t, true),
);

// OMP-HTTP-006 is OMP-HTTP-020's predecessor (0.3): the same behaviour, judged under the version certified against.
for (const id of ['OMP-HTTP-020', 'OMP-HTTP-006'])
  check(id, 'MUST reject a query parameter the endpoint does not define (and not x_) with 422', async (t) => {
    const m = await t.create();
    const paths = [
      '/v1/memories?colour=blue',
      '/v1/memories?q=x',
      `${memPath(m.id)}?fields=id`,
      '/v1/memories/search?q=x&sort=created_at_desc',
      '/v1/export?format=csv',
      // A server without GET /v1/me answers 404 there whatever the query (OMP-AUTH-010's finding).
      ...(t.run.meUnusable ? [] : ['/v1/me?verbose=1']),
    ];
    // 0.3 had no extension space: an x_ parameter is as unknown as any other there.
    if (!certifiesAtLeast(t, '0.4')) paths.push('/v1/memories?x_conformance_trace=1');
    const others: Array<[string, () => Promise<Res>]> = [
      ['PUT ?upsert=1', () => t.api.req('PUT', `${memPath(m.id)}?upsert=1`, { json: { content: 'x' } })],
      ['POST ?dry_run=1', () => t.api.req('POST', '/v1/memories?dry_run=1', { json: t.body() })],
      ['import ?mode=merge', () => t.api.req('POST', '/v1/import?mode=merge', { json: exportFile([]) })],
    ];
    await t.each(
      [...paths.map((p): [string, () => Promise<Res>] => [`GET ${p}`, () => t.api.req('GET', p)]), ...others],
      async ([what, send]) => expect422(t, await send(), what),
    );
    // Last: a server that ignores the parameter deletes the memory.
    expect422(t, await t.api.req('DELETE', `${memPath(m.id)}?force=true`), 'DELETE ?force=true');
    (await t.api.get(memPath(m.id))).expect(200, 'memory');
  });

check('OMP-HTTP-007', 'MUST reject a repeated query parameter with 422', async (t) => {
  const qs = [
    '/v1/memories?limit=5&limit=5',
    '/v1/memories?type=semantic&type=episodic',
    '/v1/memories?tags=a&tags=b',
    '/v1/memories/search?q=a&q=b',
  ];
  await t.each(qs, async (p) => expect422(t, await t.api.req('GET', p), `GET ${p}`));
  expect422(
    t,
    await t.api.req('POST', '/v1/import?conflict=skip&conflict=skip', { json: exportFile([]) }),
    'import ?conflict twice',
  );
});

check(
  'OMP-HTTP-008',
  'MUST reject a body larger than limits.max_body_bytes with 413 payload_too_large',
  async (t) => {
    const max = limits(t).max_body_bytes;
    const m = await t.create();
    const over = paddedBody(t, max + 1);
    const res = await t.api.req('POST', '/v1/memories', { raw: over });
    res.expectError(413, 'payload_too_large');
    const put = await t.api.req('PUT', memPath(m.id), {
      raw: JSON.stringify({ metadata: { pad: 'x'.repeat(max) } }),
    });
    put.expectError(413, 'payload_too_large');
    const s = await t.api.req('POST', '/v1/memories/search', { raw: JSON.stringify({ q: 'x'.repeat(max) }) });
    s.expectError(413, 'payload_too_large');
    t.equal(withoutEmbedding(await t.api.getMemory(m.id)), withoutEmbedding(m), 'memory after a 413');
  },
  { needs: [{ kind: 'limit', name: 'max_body_bytes', atMost: 64 << 20 }] },
);

check(
  'OMP-HTTP-008.import',
  'MUST reject an import body larger than limits.max_import_bytes with 413 payload_too_large',
  async (t) => {
    const max = limits(t).max_import_bytes;
    const res = await t.api.req('POST', '/v1/import', { body: streamedImport(max + 1) });
    res.expectError(413, 'payload_too_large');
  },
  { needs: [{ kind: 'limit', name: 'max_import_bytes', atMost: 512 << 20 }], timeoutMs: 120_000 },
);

check(
  'OMP-HTTP-009',
  'MUST process, not reject with 413, a body of exactly limits.max_body_bytes',
  async (t) => {
    const l = limits(t);
    const res = await t.api.req('POST', '/v1/memories', { raw: paddedBody(t, l.max_body_bytes) });
    if (res.status !== 201)
      t.fail(`a body of exactly max_body_bytes (${l.max_body_bytes}) was refused: ${res.describe()}`, res);
  },
  { needs: [{ kind: 'limit', name: 'max_body_bytes', atMost: 64 << 20 }] },
);

check(
  'OMP-HTTP-017',
  'MUST declare max_body_bytes ≥ 262,144 and max_import_bytes ≥ 33,554,432',
  async (t) => {
    const res = await t.anon.get('/v1/health');
    const h = res.expect<{ limits?: { max_body_bytes?: unknown; max_import_bytes?: unknown } }>(200);
    const l = h.limits ?? {};
    // A limit not declared at all is the health body's shape (OMP-HEALTH-002); this requirement is its size.
    if (l.max_body_bytes === undefined && l.max_import_bytes === undefined)
      t.block('OMP-HEALTH-002', 'the health body declares no limits', res);
    if (!(typeof l.max_body_bytes === 'number' && l.max_body_bytes >= 262_144))
      t.fail(`max_body_bytes is ${JSON.stringify(l.max_body_bytes)}, want an integer ≥ 262,144`, res);
    if (!(typeof l.max_import_bytes === 'number' && l.max_import_bytes >= 33_554_432))
      t.fail(`max_import_bytes is ${JSON.stringify(l.max_import_bytes)}, want an integer ≥ 33,554,432`, res);
  },
);

// OMP-HTTP-010 is OMP-HTTP-021's predecessor (0.3): the same behaviour, judged under the version certified against.
for (const id of ['OMP-HTTP-021', 'OMP-HTTP-010'])
  check(id, 'MUST answer a path neither the API nor a vendor extension defines with 404', async (t) => {
    const paths = [
      '/v1/nope',
      '/v1/memory',
      '/v2/memories',
      `${memPath(randomId())}/tags`,
      '/v1/memories/search/extra',
      '/v1/health/live',
    ];
    // 0.3 had no vendor paths: /v1/x/… is as undefined as any other path there.
    if (!certifiesAtLeast(t, '0.4')) paths.push('/v1/x/omp-conformance/probe');
    await t.each(paths, async (p) => {
      (await t.api.get(p)).expectError(404, 'not_found');
    });
    (await t.api.post('/v1/nope', {})).expectError(404, 'not_found');
  });

check(
  'OMP-HTTP-011',
  'MUST answer a defined path with an unsupported method with 405 and an Allow header',
  async (t) => {
    const id = randomId();
    const cases: Array<[string, string, string[]]> = [
      ['DELETE', '/v1/memories', ['GET', 'POST']],
      ['PUT', '/v1/memories', ['GET', 'POST']],
      ['PATCH', memPath(id), ['GET', 'PUT', 'DELETE']],
      ['POST', memPath(id), ['GET', 'PUT', 'DELETE']],
      ['POST', '/v1/health', ['GET']],
      ['DELETE', '/v1/me', ['GET']],
      ['GET', '/v1/import', ['POST']],
      ['POST', '/v1/export', ['GET']],
      ['DELETE', '/v1/memories/search', ['GET', 'POST']],
    ];
    await t.each(cases, async ([method, path, allowed]) => {
      const res = await t.api.req(method, path, method === 'GET' || method === 'DELETE' ? {} : { json: {} });
      if (res.status !== 405) t.fail(`${method} ${path}: ${res.describe()}, want 405`, res);
      res.expectError(405, 'method_not_allowed');
      const allow = (res.headers.allow ?? '').toUpperCase().split(/\s*,\s*/);
      const missing = allowed.filter((m) => !allow.includes(m));
      if (missing.length)
        t.fail(
          `${method} ${path}: Allow ${JSON.stringify(res.headers.allow ?? null)} lacks ${missing.join(', ')}`,
          res,
        );
    });
  },
);

check(
  'OMP-HTTP-012',
  'SHOULD send X-Request-Id and repeat it as request_id in error envelopes',
  async (t) => {
    const ok = await t.api.get('/v1/memories', { limit: 1 });
    if (!ok.headers['x-request-id']) t.fail('a 200 response has no X-Request-Id', ok);
    for (const res of [await t.api.get(memPath(randomId())), await t.api.get('/v1/memories', { limit: 0 })]) {
      const h = res.headers['x-request-id'];
      const env = res.json as { request_id?: string } | undefined;
      if (!h) t.fail('an error response has no X-Request-Id', res);
      if (env?.request_id !== h)
        t.fail(`request_id ${JSON.stringify(env?.request_id)} ≠ X-Request-Id ${JSON.stringify(h)}`, res);
    }
  },
);

check('OMP-HTTP-013', 'MUST NOT answer any request with 5xx because of its content', async (t) => {
  const m = await t.create();
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const deepObj = `{"content":"x","type":"semantic","source":{"tool":"x"},"metadata":{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}`;
  const raws: Array<[string, string, string | Uint8Array]> = [
    ['POST', '/v1/memories', deep],
    ['POST', '/v1/memories', deepObj],
    [
      'POST',
      '/v1/memories',
      '{"content":"x","type":"semantic","source":{"tool":"x"},"metadata":{"n":1e400}}',
    ],
    ['POST', '/v1/memories', '{"content":"\\ud800 lone surrogate","type":"semantic","source":{"tool":"x"}}'],
    [
      'POST',
      '/v1/memories',
      '{"content":"nul \\u0000 byte","type":"semantic","source":{"tool":"x"},"tags":["' + t.tag + '"]}',
    ],
    ['POST', '/v1/memories', '{"content":"a","content":"b","type":"semantic","source":{"tool":"x"}}'],
    [
      'POST',
      '/v1/memories',
      '{"content":"x","type":"semantic","source":{"tool":"x"},"embedding":[1e308,-1e308,5e-324]}',
    ],
    ['PUT', memPath(m.id), deep],
    ['POST', '/v1/memories/search', '{"q":"\\ud800"}'],
    ['POST', '/v1/memories/search', '{"q":"x","limit":1e400}'],
    ['POST', '/v1/memories/search', '{"q":"x","limit":99999999999999999999999}'],
    [
      'POST',
      '/v1/import',
      '{"omp_version":"0.3","exported_at":"2026-01-01T00:00:00Z","server":"x","memories":[null,1,"x",[],{}]}',
    ],
    ['POST', '/v1/import', deep],
  ];
  await t.each(
    raws,
    async ([method, path, raw]) => {
      const res = await t.api.req(method, path, { raw });
      res.expectNot5xx();
    },
    3,
  );
  const gets = [
    '/v1/memories?limit=99999999999999999999999',
    '/v1/memories?offset=-99999999999999999999',
    '/v1/memories?tags=%00',
    '/v1/memories?namespace=%FF%FE',
    '/v1/memories?%zz=1',
    '/v1/memories?tags=' + 'a,'.repeat(2000) + 'a',
    `/v1/memories?type=${'x'.repeat(8000)}`,
    '/v1/memories/%00',
    '/v1/memories/%E2%80%AE',
    `/v1/memories/${'a'.repeat(5000)}`,
    '/v1/memories/search?q=%FF',
    '/v1/memories/search?q=%00',
    '/v1/memories/..%2F..%2Fetc%2Fpasswd',
  ];
  await t.each(gets, async (p) => (await t.api.req('GET', p)).expectNot5xx(), 3);
});

check('OMP-HTTP-016', 'MUST NOT change any stored memory with a request answered 4xx', async (t) => {
  // Each attempt gets a memory of its own, so an attempt the server wrongly accepts (another requirement's
  // fault) cannot make a later, rightly rejected one look as if it changed something.
  const attempts: Array<[string, (m: Memory) => Promise<Res>]> = [
    ['bad tag', (m) => t.api.put(memPath(m.id), { tags: ['Bad Tag'] })],
    [
      'unknown member with a valid change',
      (m) => t.api.put(memPath(m.id), { content: 'changed', colour: 'x' }),
    ],
    [
      'null content with a valid change',
      (m) => t.api.put(memPath(m.id), { content: null, metadata: { v: 2 } }),
    ],
    [
      'source with a valid change',
      (m) => t.api.put(memPath(m.id), { source: { tool: 'x' }, content: 'changed' }),
    ],
    [
      'past expires_at with a valid change',
      (m) => t.api.put(memPath(m.id), { expires_at: '2001-01-01T00:00:00Z', content: 'changed' }),
    ],
    ['unknown query parameter on delete', (m) => t.api.req('DELETE', `${memPath(m.id)}?hard=1`)],
    [
      'unknown query parameter on update',
      (m) => t.api.req('PUT', `${memPath(m.id)}?x=1`, { json: { content: 'changed' } }),
    ],
    ['malformed JSON', (m) => t.api.req('PUT', memPath(m.id), { raw: '{"content": "changed"' })],
    [
      'no Content-Type',
      (m) => t.api.req('PUT', memPath(m.id), { raw: '{"content":"changed"}', contentType: null }),
    ],
    ['no key', (m) => t.anon.put(memPath(m.id), { content: 'changed' })],
    [
      'import overwrite with an invalid conflict',
      (m) =>
        t.api.post('/v1/import', exportFile([{ ...withoutEmbedding(m), content: 'changed' }]), {
          conflict: 'merge',
        }),
    ],
  ];
  let judged = 0;
  await t.each(attempts, async ([what, send]) => {
    const m = await t.create({ metadata: { v: 1 } });
    const before = await t.api.getMemory(m.id);
    const res = await send(before);
    // Only a request answered 4xx is this requirement's; accepting a bad request is the fault of the
    // requirement that demands its rejection, judged by that requirement's own check.
    if (res.status < 400 || res.status >= 500) {
      t.note(`${what}: answered ${res.status}, not a 4xx, so not judged here`);
      return;
    }
    judged++;
    const g = await t.api.get(memPath(m.id));
    if (g.status === 404) t.fail(`${what} (answered ${res.status}) deleted the memory`, g);
    const now = g.expectObject<Memory>(200, 'memory');
    if (!jsonEqual(withoutEmbedding(now), withoutEmbedding(before)))
      t.fail(`${what} (answered ${res.status}) changed the memory`, g);
  });
  if (judged === 0) t.skip('not-applicable', 'no request of this check was answered with a 4xx');
});
