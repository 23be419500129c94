/** Errors (SPEC §9), what security shows on the wire (§12) and the optional AI endpoints (§11). */
import type { CheckContext } from '../core/harness.ts';
import type { Api } from '../core/omp-client.ts';
import { check } from '../core/registry.ts';
import type { Res } from '../core/response.ts';
import { expectNothingStored, exportFile, memPath, randomId } from './helpers.ts';

const limits = (t: CheckContext) => t.run.limits;

// ---- Errors.

/** A violation path as a JSON Pointer: `source.tool` and `tags[1]` read as `/source/tool` and `/tags/1`. */
function asPointer(p: unknown): string {
  if (typeof p !== 'string') return '';
  if (p.startsWith('/') || p.startsWith('?')) return p;
  return `/${p
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .join('/')}`;
}

/** One request per error condition with the code the table gives. */
function errorBattery(t: CheckContext, id: string): Array<[string, number, string, () => Promise<Res>]> {
  return [
    ['unknown route', 404, 'not_found', () => t.api.get('/v1/unknown-route')],
    ['wrong method', 405, 'method_not_allowed', () => t.api.req('PATCH', '/v1/memories', { json: {} })],
    ['no key', 401, 'unauthorized', () => t.anon.get('/v1/memories')],
    [
      'wrong media type',
      415,
      'unsupported_media_type',
      () => t.api.req('POST', '/v1/memories', { raw: 'x', contentType: 'text/plain' }),
    ],
    ['malformed JSON', 400, 'malformed_json', () => t.api.req('POST', '/v1/memories', { raw: '{' })],
    ['invalid body', 422, 'validation_error', () => t.api.post('/v1/memories', { content: '' })],
    ['invalid query', 422, 'validation_error', () => t.api.get('/v1/memories', { limit: 101 })],
    ['unknown memory', 404, 'memory_not_found', () => t.api.get(memPath(id))],
    [
      'unsupported import version',
      422,
      'unsupported_version',
      () => t.api.post('/v1/import', exportFile([], { omp_version: '9.0' })),
    ],
  ];
}

check('OMP-ERR-001', 'MUST send every 4xx/5xx with a JSON body valid against the schema error', async (t) => {
  await t.each(errorBattery(t, randomId()), async ([what, , , send]) => {
    const res = await send();
    // A non-error answer is the fault of the requirement that demands the error, not of the envelope's.
    if (res.status < 400) return t.note(`${what}: answered ${res.status}, not an error`);
    res.expectBody();
    t.expectShape('error', res);
  });
});

check('OMP-ERR-002', 'MUST use the status and code the error table gives for each condition', async (t) => {
  await t.each(errorBattery(t, randomId()), async ([what, status, code, send]) => {
    const res = await send();
    // An error response must use the table's status and code; a non-error answer is another requirement's.
    if (res.status < 400) return t.note(`${what}: answered ${res.status}, not an error response`);
    if (res.status !== status || res.envelopeCode() !== code)
      t.fail(`${what}: want ${status} ${code}, got ${res.describe()}`, res);
  });
});

check(
  'OMP-ERR-002.update-schema',
  'MUST answer every update body the schema rejects with 422 validation_error, leaving the memory unchanged',
  async (t) => {
    const { deriveCases } = await import('../negative/derive.ts');
    const m = await t.create({ expires_at: '2099-01-01T00:00:00Z' });
    const base = {
      content: 'derived update',
      tags: t.tags(),
      namespace: t.ns,
      expires_at: '2099-06-01T00:00:00Z',
      metadata: { k: 1 },
    };
    const cases = deriveCases('update-request', base).filter((c) => !c.valid);
    let accepted = 0;
    await t.each(cases, async (c) => {
      const res = await t.api.put(memPath(m.id), c.body);
      // Accepting an invalid update is the fault of the requirement naming that member (OMP-CRUD-014, -015,
      // -017, OMP-HTTP-019…), judged by their own checks; an error response with another status or code is this one's.
      if (res.status < 400) {
        accepted++;
        return;
      }
      if (res.status !== 422 || res.envelopeCode() !== 'validation_error')
        t.fail(`${c.label}: expected 422 validation_error, got ${res.describe()}`, res);
    });
    t.note(
      `${cases.length} schema-derived invalid update bodies${accepted ? `, ${accepted} accepted (not an error response)` : ''}`,
    );
  },
);

check('OMP-ERR-003', 'MUST list violations with a JSON Pointer or ?param path and a message', async (t) => {
  const cases: Array<[string, () => Promise<Res>, string]> = [
    [
      'missing content',
      () => t.api.post('/v1/memories', { type: 'semantic', source: { tool: 'x' }, tags: t.tags() }),
      '/content',
    ],
    ['missing source.tool', () => t.api.post('/v1/memories', { ...t.body(), source: {} }), '/source/tool'],
    ['bad tag', () => t.api.post('/v1/memories', { ...t.body(), tags: [t.tag, 'Bad'] }), '/tags/1'],
    ['limit=0', () => t.api.get('/v1/memories', { limit: 0 }), '?limit'],
    ['offset=-1', () => t.api.get('/v1/memories', { offset: -1 }), '?offset'],
  ];
  await t.each(cases, async ([what, send, path]) => {
    const res = await send();
    // The details of a validation_error are this requirement's, whatever status carried it (a wrong status is
    // OMP-ERR-002's); a request not answered with a validation_error is another requirement's.
    if (res.envelopeCode() !== 'validation_error' || res.status < 400)
      return t.note(`${what}: answered ${res.describe()}, not a validation_error`);
    const env = res.expectError(res.status, 'validation_error');
    const errs = (env.details.errors ?? []) as Array<{ path?: unknown; message?: unknown }>;
    if (!errs.length) t.fail(`${what}: details.errors is empty`, res);
    for (const e of errs)
      if (
        typeof e.path !== 'string' ||
        !(e.path === '' || e.path.startsWith('/') || e.path.startsWith('?')) ||
        typeof e.message !== 'string'
      )
        t.fail(`${what}: malformed violation ${JSON.stringify(e)}`, res);
    if (!errs.some((e) => e.path === path))
      t.fail(`${what}: no violation at ${path} (got ${errs.map((e) => e.path).join(', ')})`, res);
  });
  await expectNothingStored(t);
});

check('OMP-ERR-004', 'SHOULD list every violation of a request, not only the first', async (t) => {
  const res = await t.api.post('/v1/memories', {
    content: '',
    type: 'fact',
    source: {},
    tags: [t.tag, 'Bad'],
  });
  if (res.envelopeCode() !== 'validation_error' || res.status < 400)
    return t.skip(
      'not-applicable',
      `the request was not answered with a validation_error: ${res.describe()}`,
    );
  const env = res.expectError(res.status, 'validation_error');
  // Whether every violation is listed is this requirement; the form of the paths is OMP-ERR-003's.
  const paths = ((env.details.errors ?? []) as Array<{ path?: unknown }>).map((e) => asPointer(e.path));
  const want = ['/content', '/type', '/source/tool', '/tags/1'];
  const missing = want.filter((p) => !paths.includes(p));
  if (missing.length) t.fail(`violations listed: ${paths.join(', ')}; missing ${missing.join(', ')}`, res);
});

check(
  'OMP-ERR-005',
  'MUST NOT send an HTML page, a stack trace or a source file path in an error',
  async (t) => {
    const responses: Res[] = [];
    for (const [, , , send] of errorBattery(t, randomId())) responses.push(await send());
    responses.push(await t.api.req('POST', '/v1/memories', { raw: `${'['.repeat(50_000)}` }));
    responses.push(await t.api.req('GET', '/v1/memories/%E0%A4%A'));
    for (const res of responses) {
      const text = res.text;
      if (/<!doctype html|<html[\s>]/i.test(text)) t.fail('an error response is an HTML page', res);
      if (
        /\bat [\w.<>$]+ \(?[^\s()]+:\d+:\d+\)?|Traceback \(most recent call last\)|\.(?:ts|js|mjs|py|go|rb|java|php):\d+/.test(
          text,
        )
      )
        t.fail('an error response carries a stack trace or a source location', res);
    }
  },
);

// OMP-ERR-006 is OMP-ERR-011's predecessor (0.3): the same behaviour, judged under the version certified against.
for (const id of ['OMP-ERR-011', 'OMP-ERR-006'])
  check(
    id,
    'MUST report the first fault in the order 404/405, 401, 415, 413, 400, 422, 403, 404',
    async (t) => {
      const max = limits(t).max_body_bytes;
      const cases: Array<[string, number, () => Promise<Res>]> = [
        ['unknown route without a key', 404, () => t.anon.get('/v1/unknown-route')],
        [
          'wrong method without a key',
          405,
          () => t.anon.req('PATCH', '/v1/memories', { raw: '{', contentType: 'text/plain' }),
        ],
        [
          'no key and a wrong media type',
          401,
          () => t.anon.req('POST', '/v1/memories', { raw: '{', contentType: 'text/plain' }),
        ],
        ['no key and malformed JSON', 401, () => t.anon.req('POST', '/v1/memories', { raw: '{' })],
        [
          'wrong media type and malformed JSON',
          415,
          () => t.api.req('POST', '/v1/memories', { raw: '{', contentType: 'text/plain' }),
        ],
        ['malformed JSON on an unknown id', 400, () => t.api.req('PUT', memPath(randomId()), { raw: '{' })],
        ['invalid body on an unknown id', 422, () => t.api.put(memPath(randomId()), { content: '' })],
        [
          'unknown query parameter on an unknown id',
          422,
          () => t.api.req('DELETE', `${memPath(randomId())}?x=1`),
        ],
      ];
      if (max <= 64 << 20 && t.run.limitsDeclared.has('max_body_bytes')) {
        const big = `{${' '.repeat(max + 1)}`;
        cases.push([
          'wrong media type and an oversize body',
          415,
          () => t.api.req('POST', '/v1/memories', { raw: big, contentType: 'text/plain' }),
        ]);
        cases.push(['oversize malformed body', 413, () => t.api.req('POST', '/v1/memories', { raw: big })]);
      }
      const key = t.run.toolKeys.find((k) => !k.me.scopes.includes('write'));
      if (key) {
        const ro: Api = t.apiFor(key.key);
        cases.push([
          'invalid body with a read-only key',
          422,
          () => ro.post('/v1/memories', { content: '' }),
        ]);
        cases.push(['delete of an unknown id with a read-only key', 403, () => ro.del(memPath(randomId()))]);
      } else t.note('no read-only tool key: the 422-before-403 and 403-before-404 orders were not tested');
      await t.each(cases, async ([what, status, send]) => {
        const res = await send();
        if (res.status !== status) t.fail(`${what}: want ${status}, got ${res.describe()}`, res);
      });
    },
  );

check(
  'OMP-ERR-007',
  'MUST send Retry-After (whole seconds) with a 429',
  async (t) => {
    // Every 429 the run met (checks wait them out), and a burst of its own when there was none.
    const met = () => t.run.monitor.busy.filter((e) => e.status === 429);
    const api = t.api;
    const path = t.run.meUnusable ? '/v1/memories' : '/v1/me';
    // Bursts of 300 at once for up to 20 s: a per-second limit is passed even on a slow, busy machine (only a
    // server that declares rate_limiting gets them).
    const until = Date.now() + 20_000;
    let sent = 0;
    while (!met().length && Date.now() < until) {
      await Promise.all(Array.from({ length: 300 }, () => api.req('GET', path, { retryBusy: false })));
      sent += 300;
    }
    const seen = met();
    if (!seen.length)
      return t.skip('not-applicable', `no 429 could be provoked with ${sent} requests in 20 s`);
    for (const e of seen) {
      const ra = e.responseHeaders['retry-after'];
      if (!/^\d+$/.test(ra ?? '')) t.failExchange(`a 429 with Retry-After ${JSON.stringify(ra ?? null)}`, e);
    }
    t.note(`${seen.length} 429 answers judged`);
  },
  { needs: [{ kind: 'capability', name: 'rate_limiting' }], exclusive: true },
);

/** Requests whose responses must not echo the key, beyond the run-wide watch: an unknown key and errors. */
async function keyProbes(t: CheckContext): Promise<Res[]> {
  const fake = `omp-conformance-secret-${t.run.runId}-${randomId()}`;
  return [
    await t.withAuthorization(`Bearer ${fake}`).get('/v1/memories'),
    await t.api.get('/v1/memories', { limit: 0 }),
    await t.api.get(memPath(randomId())),
    await t.api.req('POST', '/v1/memories', { raw: '{' }),
  ];
}

check(
  'OMP-ERR-010',
  'MUST NOT include the presented key in an error response',
  async (t) => {
    await keyProbes(t);
    // The run-wide watch saw every exchange of the run, these probes included.
    for (const v of t.run.monitor.violations)
      if (v.rule === 'key-echo' && (v.exchange.status ?? 0) >= 400) t.failExchange(v.message, v.exchange);
  },
  { exclusive: true },
);

check(
  'OMP-SEC-006',
  'MUST NOT include the presented key in any response',
  async (t) => {
    const m = await t.create();
    await keyProbes(t);
    if (!t.run.meUnusable) await t.api.get('/v1/me');
    await t.api.get('/v1/health');
    await t.api.get(memPath(m.id));
    await t.api.get('/v1/memories', { tags: t.tag });
    await t.api.get('/v1/export');
    for (const v of t.run.monitor.violations)
      if (v.rule === 'key-echo') t.failExchange(v.message, v.exchange);
    t.note(`${t.run.monitor.counts.seen} responses watched`);
  },
  { exclusive: true },
);

// ---- AI endpoints (optional capabilities).

check(
  'OMP-AI-002',
  'MUST answer extract/compress with 404 not_found when the capability is not listed',
  async (t) => {
    const missing = (['extract', 'compress'] as const).filter((c) => !t.run.capabilities.has(c));
    if (!missing.length) t.skip('not-applicable', 'the server lists both extract and compress');
    const bodies = {
      extract: { text: 'user: I moved to Lisbon.', source: { tool: t.run.tool } },
      compress: { memory_ids: [randomId(), randomId()], source: { tool: t.run.tool } },
    };
    for (const c of missing) (await t.api.post(`/v1/${c}`, bodies[c])).expectError(404, 'not_found');
  },
);

check(
  'OMP-AI-003',
  'MUST answer a listed AI endpoint without a configured provider with 422 no_api_key',
  async (t) => {
    const offered = (['extract', 'compress'] as const).filter((c) => t.run.capabilities.has(c));
    if (!offered.length) t.skip('not-applicable', 'the server lists neither extract nor compress');
    const a = await t.create();
    const b = await t.create();
    const bodies = {
      extract: { text: 'user: I moved to Lisbon.', source: { tool: t.run.tool }, tags: t.tags() },
      compress: { memory_ids: [a.id, b.id], source: { tool: t.run.tool } },
    };
    for (const c of offered) {
      const res = await t.api.post(`/v1/${c}`, bodies[c]);
      if (res.status === 201) {
        t.note(`${c}: an AI provider is configured (201); no_api_key cannot be observed`);
        continue;
      }
      res.expectError(422, 'no_api_key');
    }
  },
);
