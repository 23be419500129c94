/** Health and declared levels (SPEC §2, §10). */
import { loadCatalogue } from '../core/catalogue.ts';
import type { Api, CheckContext, Res } from '../core/context.ts';
import { check } from '../core/registry.ts';
import type { Health } from '../core/wire.ts';
import { list } from './helpers.ts';

/** SPEC §2 table: the capability names each level implies. */
const LEVEL_CAPABILITIES: Record<string, string[]> = {
  core: ['keyword_search'],
  search: ['semantic_search', 'hybrid_search', 'embeddings'],
  full: ['per_tool_keys', 'multi_user'],
  mcp: ['mcp_http', 'mcp_sse'],
};

check('OMP-HEALTH-001', 'MUST answer GET /v1/health with 200 without any Authorization header', async (t) => {
  const res = await t.anon.get('/v1/health');
  res.expect(200);
});

check('OMP-HEALTH-002', 'MUST return a health body valid against the schema health', async (t) => {
  (await t.anon.get('/v1/health')).expect(200, 'health');
  (await t.api.get('/v1/health')).expect(200, 'health');
});

check(
  'OMP-HEALTH-003',
  'MUST answer health with 200 whatever key is presented (missing, malformed, unknown)',
  async (t) => {
    const headers = [
      'Bearer omp-conformance-unknown-key-0000000000000000',
      'Basic Zm9vOmJhcg==',
      'Bearer',
      'garbage',
    ];
    await t.each(headers, async (h) => {
      const res = await t.withAuthorization(h).get('/v1/health');
      if (res.status !== 200) t.fail(`Authorization "${h}": expected 200, got ${res.describe()}`, res);
      res.expectBody('health');
    });
  },
);

check(
  'OMP-HEALTH-004',
  'MUST report memories_count null without a valid key and the number of visible memories with one',
  async (t) => {
    const anon = (await t.anon.get('/v1/health')).expect<Health>(200, 'health');
    if (anon.memories_count !== null)
      t.fail(`memories_count without a key is ${anon.memories_count}, want null`);
    const unknown = await t
      .withAuthorization('Bearer omp-conformance-unknown-key-0000000000000000')
      .get('/v1/health');
    const u = unknown.expect<Health>(200, 'health');
    if (u.memories_count !== null)
      t.fail(`memories_count with an unknown key is ${u.memories_count}, want null`, unknown);
    // Exclusive check: nothing else writes while it runs, so the count must equal the unfiltered list total.
    const before = await countsAgree(t, t.api);
    await t.create();
    const after = await countsAgree(t, t.api);
    if (after !== before + 1)
      t.fail(`memories_count went from ${before} to ${after} after one create, want +1`);
  },
  { exclusive: true },
);

/** health.memories_count and list total for one key; fails when they differ. */
export async function countsAgree(t: CheckContext, api: Api): Promise<number> {
  const hres = await api.get('/v1/health');
  const h = hres.expect<Health>(200, 'health');
  const { body, res } = await list(api, { limit: 1 });
  if (h.memories_count !== body.total)
    t.fail(
      `memories_count ${h.memories_count} ≠ list total ${body.total} for the same key`,
      h.memories_count === null ? hres : res,
    );
  return body.total;
}

check(
  'OMP-HEALTH-008',
  'MUST list every implemented version in health.versions, ascending, once each, with version the last',
  async (t) => {
    const res = await t.anon.get('/v1/health');
    const h = res.expect<Health>(200, 'health');
    const want = loadCatalogue().specVersion;
    const versions = h.versions ?? [];
    const order = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
    if (!versions.includes(want)) t.fail(`health.versions ${JSON.stringify(versions)} lacks ${want}`, res);
    if (JSON.stringify([...new Set(versions)].sort(order)) !== JSON.stringify(versions))
      t.fail(`health.versions ${JSON.stringify(versions)} is not ascending with each version once`, res);
    if (h.version !== versions[versions.length - 1])
      t.fail(`health.version is "${h.version}" but the newest of versions is "${versions.at(-1)}"`, res);
  },
);

check(
  'OMP-HEALTH-009',
  'MUST list keyword_search, and list extract/compress only when those endpoints exist',
  async (t) => {
    const res = await t.anon.get('/v1/health');
    const h = res.expect<Health>(200, 'health');
    if (!h.capabilities.includes('keyword_search')) t.fail('capabilities does not list keyword_search', res);
    for (const cap of ['extract', 'compress'] as const) {
      if (!h.capabilities.includes(cap)) continue;
      // An invalid body never reaches an AI provider; an offered endpoint answers 422, not 404.
      const r = await t.api.post(`/v1/${cap}`, {});
      if (r.status === 404) t.fail(`capability ${cap} is listed but POST /v1/${cap} answers 404`, r);
    }
  },
);

check('OMP-HEALTH-007', 'MUST report status ok or degraded', async (t) => {
  const res = await t.anon.get('/v1/health');
  const h = res.expect<Health>(200, 'health');
  if (h.status !== 'ok' && h.status !== 'degraded') t.fail(`status is ${JSON.stringify(h.status)}`, res);
  if (h.status === 'degraded') t.note('the server reports status degraded');
});

async function health(t: CheckContext): Promise<{ h: Health; res: Res }> {
  const res = await t.anon.get('/v1/health');
  return { h: res.expect<Health>(200, 'health'), res };
}

check('OMP-LEVEL-001', 'MUST list core in health.levels', async (t) => {
  const { h, res } = await health(t);
  if (!Array.isArray(h.levels) || !h.levels.includes('core'))
    t.fail(`levels ${JSON.stringify(h.levels)} lacks "core"`, res);
});

check(
  'OMP-LEVEL-002',
  'MUST list each implemented profile at most once, from core/search/full/mcp',
  async (t) => {
    const { h, res } = await health(t);
    const known = ['core', 'search', 'full', 'mcp'];
    if (new Set(h.levels).size !== h.levels.length)
      t.fail(`levels repeats a profile: ${JSON.stringify(h.levels)}`, res);
    const odd = h.levels.filter((l) => !known.includes(l));
    if (odd.length) t.fail(`levels lists unknown profiles ${JSON.stringify(odd)}`, res);
  },
);

check(
  'OMP-LEVEL-004',
  'MUST list every capability the table associates with each declared level',
  async (t) => {
    const { h, res } = await health(t);
    for (const l of h.levels) {
      const missing = (LEVEL_CAPABILITIES[l] ?? []).filter((c) => !h.capabilities.includes(c));
      if (missing.length) t.fail(`level ${l} is declared but capabilities lack ${missing.join(', ')}`, res);
    }
  },
);

check(
  'OMP-LEVEL-006',
  'MUST list a level capability without its level only when it does not offer the whole level',
  async (t) => {
    const { h, res } = await health(t);
    for (const [level, caps] of Object.entries(LEVEL_CAPABILITIES)) {
      if (h.levels.includes(level as Health['levels'][number])) continue;
      const listed = caps.filter((c) => h.capabilities.includes(c));
      if (listed.length > 0) t.note(`capabilities ${listed.join(', ')} are declared without level ${level}`);
      // Offering every capability of a level is offering the level: it must then be declared.
      if (level !== 'core' && listed.length === caps.length)
        t.fail(`every capability of level ${level} is listed but the level is not declared`, res);
    }
  },
);
