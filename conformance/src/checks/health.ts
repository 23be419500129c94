/** Health and declared levels (SPEC §2, §10). */
import type { CheckContext } from '../core/harness.ts';
import { levelCapabilities } from '../core/levels.ts';
import type { Api } from '../core/omp-client.ts';
import { check } from '../core/registry.ts';
import type { Res } from '../core/response.ts';
import { LEVELS, type Level } from '../core/types.ts';
import type { Health } from '../core/wire.ts';
import { list } from './helpers.ts';

check('OMP-HEALTH-001', 'MUST answer GET /v1/health with 200 without any Authorization header', async (t) => {
  const res = await t.anon.get('/v1/health');
  res.expect(200);
});

check('OMP-HEALTH-002', 'MUST return a health body valid against the schema health', async (t) => {
  for (const api of [t.anon, t.api]) {
    const res = await api.get('/v1/health');
    res.expect(200, 'health');
    t.expectShape('health', res);
  }
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
    });
  },
);

check(
  'OMP-HEALTH-004',
  'MUST report memories_count null without a valid key and the number of visible memories with one',
  async (t) => {
    const ares = await t.anon.get('/v1/health');
    const anon = ares.expectObject<Partial<Health>>(200, 'health');
    if (anon.memories_count !== null)
      t.fail(`memories_count without a key is ${JSON.stringify(anon.memories_count)}, want null`, ares);
    const unknown = await t
      .withAuthorization('Bearer omp-conformance-unknown-key-0000000000000000')
      .get('/v1/health');
    const u = unknown.expectObject<Partial<Health>>(200, 'health');
    if (u.memories_count !== null)
      t.fail(`memories_count with an unknown key is ${JSON.stringify(u.memories_count)}, want null`, unknown);
    // Exclusive check: nothing else writes while it runs, so the count must equal the unfiltered list total.
    const before = await countsAgree(t, t.api);
    await t.create();
    const after = await countsAgree(t, t.api);
    if (after !== before + 1)
      t.fail(`memories_count went from ${before} to ${after} after one create, want +1`);
  },
  { exclusive: true },
);

/**
 * health.memories_count and the number of memories the same key can list; fails when they differ. The list's
 * `total` is tried first; when it disagrees, the pages are walked and counted, so a wrong `total` (OMP-LIST-012's
 * business) never fails this check.
 */
export async function countsAgree(t: CheckContext, api: Api): Promise<number> {
  const hres = await api.get('/v1/health');
  const h = hres.expectObject<Partial<Health>>(200, 'health');
  if (typeof h.memories_count !== 'number' && t.check.requirements[0] !== 'OMP-HEALTH-004')
    t.block('OMP-HEALTH-004', `memories_count is ${JSON.stringify(h.memories_count)} for a valid key`, hres);
  const { body } = await list(api, { limit: 1 });
  if (h.memories_count === body.total && typeof body.total === 'number') return body.total;
  const walked = (await api.listAll({})).length;
  if (h.memories_count !== walked)
    t.fail(`memories_count ${h.memories_count} ≠ the ${walked} memories the same key lists`, hres);
  return walked;
}

check(
  'OMP-HEALTH-008',
  'MUST list every implemented version in health.versions, ascending, once each, with version the last',
  async (t) => {
    const { h, res } = await health(t);
    const want = t.run.judgedVersion;
    if (!Array.isArray(h.versions))
      return t.fail(`health.versions is ${JSON.stringify(h.versions)}, not a list of versions`, res);
    const versions = h.versions.map(String);
    const order = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
    if (!versions.includes(want)) t.fail(`health.versions ${JSON.stringify(versions)} lacks ${want}`, res);
    if (JSON.stringify([...new Set(versions)].sort(order)) !== JSON.stringify(versions))
      t.fail(`health.versions ${JSON.stringify(versions)} is not ascending with each version once`, res);
    if (h.version !== versions[versions.length - 1])
      t.fail(`health.version is "${h.version}" but the newest of versions is "${versions.at(-1)}"`, res);
  },
);

check('OMP-HEALTH-005', 'MUST report the implemented spec version in health.version', async (t) => {
  // The 0.3 rule (0.4 lists every version in `versions`, OMP-HEALTH-008): `version` is the version certified.
  const { h, res } = await health(t);
  if (h.version !== t.run.judgedVersion)
    t.fail(`health.version is ${JSON.stringify(h.version)}, want "${t.run.judgedVersion}"`, res);
});

// OMP-HEALTH-006 is OMP-HEALTH-009's predecessor (0.3): the same behaviour, judged under the version certified against.
for (const id of ['OMP-HEALTH-009', 'OMP-HEALTH-006'])
  check(
    id,
    'MUST list keyword_search, and list extract/compress only when those endpoints exist',
    async (t) => {
      const { caps, res } = await health(t);
      if (!caps.includes('keyword_search')) t.fail('capabilities does not list keyword_search', res);
      for (const cap of ['extract', 'compress'] as const) {
        if (!caps.includes(cap)) continue;
        // An invalid body never reaches an AI provider; an offered endpoint answers 422, not 404.
        const r = await t.api.post(`/v1/${cap}`, {});
        if (r.status === 404) t.fail(`capability ${cap} is listed but POST /v1/${cap} answers 404`, r);
      }
    },
  );

check('OMP-HEALTH-007', 'MUST report status ok or degraded', async (t) => {
  const { h, res } = await health(t);
  if (h.status !== 'ok' && h.status !== 'degraded') t.fail(`status is ${JSON.stringify(h.status)}`, res);
  if (h.status === 'degraded') t.note('the server reports status degraded');
});

/** The health body's members as far as they are usable (the body's shape is OMP-HEALTH-002's). */
async function health(
  t: CheckContext,
): Promise<{ h: Partial<Health>; levels: string[]; caps: string[]; res: Res }> {
  const res = await t.anon.get('/v1/health');
  const h = res.expectObject<Partial<Health>>(200, 'health');
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  return { h, levels: strings(h.levels), caps: strings(h.capabilities), res };
}

check('OMP-LEVEL-001', 'MUST list core in health.levels', async (t) => {
  const { h, levels, res } = await health(t);
  if (!levels.includes('core')) t.fail(`levels ${JSON.stringify(h.levels)} lacks "core"`, res);
});

check(
  'OMP-LEVEL-002',
  'MUST list each implemented profile at most once, from core/search/full/mcp/control',
  async (t) => {
    const { h, res } = await health(t);
    // No levels list at all is the body's shape (OMP-HEALTH-002) and a missing core (OMP-LEVEL-001).
    if (!Array.isArray(h.levels))
      return t.block('OMP-HEALTH-002', `levels is ${JSON.stringify(h.levels)}, not a list of profiles`, res);
    const known = ['core', 'search', 'full', 'mcp', 'control'];
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
    const { levels, caps, res } = await health(t);
    for (const l of levels) {
      const missing = (
        LEVELS.includes(l as Level) ? levelCapabilities(l as Level, t.run.judgedVersion) : []
      ).filter((c) => !caps.includes(c));
      if (missing.length) t.fail(`level ${l} is declared but capabilities lack ${missing.join(', ')}`, res);
    }
  },
);

check(
  'OMP-LEVEL-006',
  'MUST list a level capability without its level only when it does not offer the whole level',
  async (t) => {
    const { levels, caps, res } = await health(t);
    for (const level of LEVELS) {
      if (levels.includes(level)) continue;
      const levelCaps = levelCapabilities(level, t.run.judgedVersion);
      const listed = levelCaps.filter((c) => caps.includes(c));
      if (listed.length > 0) t.note(`capabilities ${listed.join(', ')} are declared without level ${level}`);
      // Offering every capability of a level is offering the level: it must then be declared.
      if (level !== 'core' && listed.length === levelCaps.length)
        t.fail(`every capability of level ${level} is listed but the level is not declared`, res);
    }
  },
);

/** SPEC 0.3 OMP-LEVEL-005: the capabilities that belong to no level. */
const LEVELLESS = ['rate_limiting', 'extract', 'compress'];

check('OMP-LEVEL-005', 'MUST NOT list a capability of a level it does not declare', async (t) => {
  // The 0.3 rule (0.4 lets a capability be listed without its level, OMP-LEVEL-006).
  const { levels, caps, res } = await health(t);
  for (const level of LEVELS) {
    if (levels.includes(level)) continue;
    const stray = levelCapabilities(level, t.run.judgedVersion).filter(
      (c) => caps.includes(c) && !LEVELLESS.includes(c),
    );
    if (stray.length) t.fail(`capabilities list ${stray.join(', ')} but level ${level} is not declared`, res);
  }
});
