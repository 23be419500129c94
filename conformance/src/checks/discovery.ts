/**
 * What 0.4 adds to paths, discovery, embeddings and import versions (SPEC.md §3.9, §4.1, §7.3, §8.1, §10, §18).
 * Each check applies to a server that lists 0.4; embedding checks also need the `embeddings` capability.
 */
import type { CheckContext } from '../core/harness.ts';
import { check } from '../core/registry.ts';
import type { ImportResult, Memory } from '../core/wire.ts';
import { exportAll, exportFile, importItem, list, memPath, search } from './helpers.ts';
import { declaredVersions } from './spec-versions.ts';

interface HealthV04 {
  capabilities: string[];
  capability_details?: Record<string, { model?: string; dimensions?: number }>;
  limits: { idempotency_retention_seconds?: number };
}

async function health(t: CheckContext): Promise<HealthV04> {
  return (await t.anon.get('/v1/health')).expect<HealthV04>(200, 'health');
}

async function imported(t: CheckContext, file: Record<string, unknown>): Promise<ImportResult> {
  return (await t.api.post('/v1/import', file)).expect<ImportResult>(200, 'import-result');
}

check(
  'OMP-HTTP-022',
  'MUST answer a path with a trailing or repeated slash with 404 not_found',
  async (t) => {
    for (const p of ['/v1/memories/', '//v1/memories', '/v1//memories', '/v1/health/'])
      (await t.api.get(p)).expectError(404, 'not_found');
  },
);

check(
  'OMP-HTTP-023',
  'MUST answer PUT or DELETE on the search and bulk-delete paths with 405 and Allow',
  async (t) => {
    const cases: Array<[string, string, string[]]> = [
      ['PUT', '/v1/memories/search', ['GET', 'POST']],
      ['DELETE', '/v1/memories/search', ['GET', 'POST']],
      ['PUT', '/v1/memories/bulk-delete', ['POST']],
      ['DELETE', '/v1/memories/bulk-delete', ['POST']],
    ];
    for (const [method, path, allow] of cases) {
      const res = await t.api.req(method, path, method === 'PUT' ? { json: {} } : {});
      res.expectError(405, 'method_not_allowed');
      // HEAD beside GET is what OMP-HTTP-027 recommends: not an extra method here.
      const got = (res.headers.allow ?? '')
        .split(',')
        .map((s) => s.trim().toUpperCase())
        .filter((m) => m && !(m === 'HEAD' && allow.includes('GET')))
        .sort();
      t.equal(got, [...allow].sort(), `Allow of ${method} ${path}`, res);
    }
  },
);

check('OMP-HTTP-024', 'MUST answer health as if it had no query parameters', async (t) => {
  (await t.anon.get('/v1/health', { limit: 'abc', _: 1, sort: 'nope' })).expect(200, 'health');
});

check('OMP-AUTH-024', 'MUST accept several spaces between Bearer and the key', async (t) => {
  const token = t.secret();
  (await t.withAuthorization(`Bearer    ${token}`).get('/v1/me')).expect(200, 'principal');
});

check('OMP-LIST-016', 'MUST answer a tags filter naming a tag twice as if it named it once', async (t) => {
  await t.create();
  const { body } = await list(t.api, { tags: `${t.tag},${t.tag}` });
  if (body.memories.length !== 1)
    t.fail(`list ?tags=${t.tag},${t.tag} found ${body.memories.length}, want 1`);
  const { body: found } = await search(t.api, { q: 'conformance', tags: [t.tag, t.tag] });
  if (found.memories.length !== 1)
    t.fail(`search with tags [${t.tag}, ${t.tag}] found ${found.memories.length}, want 1`);
});

check('OMP-IDEM-006', 'MUST declare an idempotency retention of at least 86,400 seconds', async (t) => {
  const h = await health(t);
  const s = h.limits.idempotency_retention_seconds;
  if (typeof s !== 'number' || s < 86_400)
    t.fail(`limits.idempotency_retention_seconds is ${JSON.stringify(s)}`);
});

check('OMP-HEALTH-011', 'MUST run exactly the search modes whose capabilities it lists', async (t) => {
  const h = await health(t);
  await t.create();
  for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
    const listed = h.capabilities.includes(`${mode}_search`);
    const { body, res } = await search(t.api, { q: 'conformance', mode, tags: [t.tag] });
    const want = listed ? mode : 'keyword';
    if (body.mode_used !== want)
      t.fail(
        `mode ${mode} (${listed ? 'listed' : 'not listed'}) ran as ${body.mode_used}, want ${want}`,
        res,
      );
  }
});

check('OMP-EXT-004', 'MUST NOT add non-extension members beyond the schema to response bodies', async (t) => {
  // Every schema is closed except for x_ members: validating a body is checking this requirement.
  const m = await t.create();
  (await t.api.get(memPath(m.id))).expect(200, 'memory');
  await list(t.api, { tags: t.tag });
  (await t.api.get('/v1/me')).expect(200, 'principal');
  await health(t);
  await exportAll(t.api);
});

check('OMP-INTL-002', 'MUST NOT translate error codes, whatever Accept-Language says', async (t) => {
  const res = await t.api.req('POST', '/v1/memories', {
    json: { content: '' },
    headers: { 'accept-language': 'fr-FR, de;q=0.8' },
  });
  res.expectError(422, 'validation_error');
});

check(
  'OMP-IMPORT-018',
  'MUST accept export files of every 0.x version up to the newest it lists',
  async (t) => {
    for (const v of declaredVersions(t)) {
      const r = await imported(t, exportFile([importItem(t)], { omp_version: v }));
      if (r.imported !== 1)
        t.fail(`omp_version ${v}: imported ${r.imported}, errors ${JSON.stringify(r.errors)}`);
    }
  },
);

check(
  'OMP-IMPORT-019',
  'MUST import a newer minor version, ignoring the members it does not define',
  async (t) => {
    const item = importItem(t);
    const newer = { ...item, future_member: { a: 1 }, source: { ...(item.source as object), future: true } };
    const r = await imported(t, exportFile([newer], { omp_version: '0.999', future_top: [1] }));
    if (r.imported !== 1) t.fail(`imported ${r.imported}, errors ${JSON.stringify(r.errors)}`);
    const got = (await t.api.get(memPath(item.id as string))).expect<Memory>(200, 'memory');
    if ('future_member' in got || 'future' in got.source) t.fail('a member of the newer version was stored');
  },
);

check(
  'OMP-IMPORT-023',
  'MUST store a draft file’s offset timestamps as the same instant in UTC',
  async (t) => {
    const item = importItem(
      t,
      { created_at: '2026-01-01T02:00:00+02:00', updated_at: '2026-01-01T02:00:00+02:00' },
      { invalid: true },
    );
    const r = await imported(t, exportFile([item], { omp_version: '0.2' }));
    if (r.imported !== 1) t.fail(`imported ${r.imported}, errors ${JSON.stringify(r.errors)}`);
    const got = (await t.api.get(memPath(item.id as string))).expect<Memory>(200, 'memory');
    if (Date.parse(got.created_at) !== Date.parse('2026-01-01T00:00:00Z') || !got.created_at.endsWith('Z'))
      t.fail(`created_at is ${got.created_at}, want 2026-01-01T00:00:00Z in UTC`);
  },
);

/** Skip unless the server computes embeddings; its declared model otherwise. */
async function embeddings(t: CheckContext): Promise<{ model?: string; dimensions?: number }> {
  const h = await health(t);
  if (!h.capabilities.includes('embeddings')) t.skip('not-applicable', 'the server does not list embeddings');
  return h.capability_details?.embeddings ?? {};
}

check('OMP-EMB-001', 'MUST declare the embedding model and its dimensions', async (t) => {
  const e = await embeddings(t);
  if (typeof e.model !== 'string' || typeof e.dimensions !== 'number')
    t.fail(`capability_details.embeddings is ${JSON.stringify(e)}, want {model, dimensions}`);
  // The declared dimensions are those the model produces: an embedding the server computed has that many.
  const m = await t.create({ content: 'The user waters the plants on Sundays' });
  const got = await t.api.get(memPath(m.id));
  const stored = got.expect<Memory>(200, 'memory').embedding;
  if (Array.isArray(stored) && stored.length !== e.dimensions)
    t.fail(`a computed embedding has ${stored.length} dimensions, health declares ${e.dimensions}`, got);
});

check(
  'OMP-EMB-003',
  'MUST import an embedding of other dimensions by recomputing it, not as an item error',
  async (t) => {
    const e = await embeddings(t);
    const dims = (e.dimensions ?? 2) === 2 ? 3 : 2;
    const item = importItem(t, { embedding: Array.from({ length: dims }, () => 0.5) });
    const r = await imported(t, exportFile([item]));
    if (r.imported !== 1) t.fail(`imported ${r.imported}, errors ${JSON.stringify(r.errors)}`);
    const got = (await t.api.get(memPath(item.id as string))).expect<Memory>(200, 'memory');
    if (got.embedding?.length !== e.dimensions)
      t.fail(
        `the stored embedding has ${got.embedding?.length} dimensions, want the model's ${e.dimensions}`,
      );
  },
);

check('OMP-EXPORT-009', 'MUST carry the embeddings model in export files', async (t) => {
  const e = await embeddings(t);
  await t.create();
  const { body, res } = await exportAll(t.api);
  t.equal((body as { embeddings?: unknown }).embeddings, e, 'the export file’s embeddings', res);
});

check('OMP-EMB-004', 'MUST store an imported embedding as data when it computes none', async (t) => {
  const h = await health(t);
  if (h.capabilities.includes('embeddings')) t.skip('not-applicable', 'the server computes embeddings');
  const item = importItem(t, { embedding: [0.25, -0.5, 0.75] });
  const r = await imported(t, exportFile([item]));
  if (r.imported !== 1) t.fail(`imported ${r.imported}, errors ${JSON.stringify(r.errors)}`);
  const got = (await t.api.get(memPath(item.id as string))).expect<Memory>(200, 'memory');
  t.equal(got.embedding, [0.25, -0.5, 0.75], 'the stored embedding');
});
