/** Version negotiation, extension members and structured discovery (SPEC.md §1.2, §1.4, §10). */
import { check } from '../core/registry.ts';
import type { Memory } from '../core/wire.ts';
import { expect422, list, memPath } from './helpers.ts';
import { declaredVersions } from './spec-versions.ts';

check(
  'OMP-VER-001',
  'MUST send OMP-Version with the governing version on every /v1 response but health',
  async (t) => {
    const versions = declaredVersions(t);
    const m = await t.create();
    const probes = [
      await t.api.get(memPath(m.id)),
      await t.api.get('/v1/memories', { limit: 0 }), // an error response too
      await t.anon.get('/v1/memories'),
      await t.api.get('/v1/me'),
      await t.api.get('/v1/omp-conformance-no-such-path'),
    ];
    for (const res of probes) {
      const v = res.headers['omp-version'];
      if (!v || !versions.includes(v))
        t.fail(`OMP-Version is ${JSON.stringify(v)}, want one of ${versions.join(', ')}`, res);
    }
  },
);

check(
  'OMP-VER-002',
  'MUST answer a request without OMP-Version under the newest listed version',
  async (t) => {
    const newest = declaredVersions(t).at(-1);
    const res = await t.api.req('GET', '/v1/memories', { query: { limit: 1 }, versionHeader: false });
    if (res.headers['omp-version'] !== newest)
      t.fail(`OMP-Version is ${JSON.stringify(res.headers['omp-version'])}, want the newest, ${newest}`, res);
  },
);

check('OMP-VER-003', 'MUST answer under the version the OMP-Version header names', async (t) => {
  for (const v of declaredVersions(t)) {
    const res = await t.api.req('GET', '/v1/memories', {
      query: { limit: 1 },
      headers: { 'omp-version': v },
    });
    res.expect(200);
    if (res.headers['omp-version'] !== v)
      t.fail(`asked for ${v}, answered under ${res.headers['omp-version']}`, res);
  }
});

check(
  'OMP-VER-004',
  'MUST answer an unsupported or malformed OMP-Version with 400 version_not_supported listing the versions',
  async (t) => {
    const versions = declaredVersions(t);
    for (const v of ['99.0', '0.999', 'latest', '']) {
      const res = await t.api.req('POST', '/v1/memories', { json: t.body(), headers: { 'omp-version': v } });
      if (v === '' && res.status !== 400) continue; // an empty header may be dropped on the way
      res.expectError(400, 'version_not_supported');
      const supported = (res.json as { details?: { supported?: unknown } }).details?.supported;
      t.equal(supported, versions, `details.supported for OMP-Version ${JSON.stringify(v)}`, res);
    }
    const { body } = await list(t.api, { tags: t.tag });
    if (body.memories.length !== 0) t.fail('a request with an unsupported version stored a memory');
  },
);

check('OMP-VER-005', 'MUST answer health whatever OMP-Version says', async (t) => {
  const res = await t.anon.req('GET', '/v1/health', { headers: { 'omp-version': '99.0' } });
  res.expect(200, 'health');
});

check(
  'OMP-EXT-001',
  'MUST NOT reject or store body members named x_… (top level, source, import items)',
  async (t) => {
    const body = {
      ...t.body(),
      x_conformance_probe: 1,
      source: { tool: t.run.tool, x_conformance_probe: 'a' },
    };
    const res = await t.api.post('/v1/memories', body);
    const m = res.expect<Memory>(201, 'memory');
    if ('x_conformance_probe' in m || 'x_conformance_probe' in m.source)
      t.fail('the server returned an extension member it does not implement', res);
    const upd = await t.api.put(memPath(m.id), { tags: t.tags('ext'), x_conformance_probe: true });
    upd.expect(200, 'memory');
    const only = await t.api.put(memPath(m.id), { x_conformance_probe: true });
    expect422(t, only, 'an update whose only member is an extension member (empty, OMP-CRUD-015)');
  },
);

check('OMP-EXT-002', 'MUST accept and ignore query parameters named x_…', async (t) => {
  const m = await t.create();
  (await t.api.get(memPath(m.id), { x_conformance_trace: 1 })).expect(200, 'memory');
  const { body } = await list(t.api, { tags: t.tag, x_conformance_trace: 'yes' });
  if (body.memories.length !== 1)
    t.fail(`an x_ parameter changed the list: ${body.memories.length} memories listed, want 1`);
});

check(
  'OMP-HEALTH-010',
  'MUST give capability_details one object per listed capability and no other',
  async (t) => {
    const res = await t.anon.get('/v1/health');
    const h = res.expect<{ capabilities: string[]; capability_details?: Record<string, unknown> }>(
      200,
      'health',
    );
    const details = Object.keys(h.capability_details ?? {}).sort();
    t.equal(details, [...h.capabilities].sort(), 'capability_details members vs capabilities', res);
  },
);

check('OMP-ERASE-004', 'MUST declare retention with erasure_seconds and backup_seconds', async (t) => {
  const res = await t.anon.get('/v1/health');
  const h = res.expect<{ retention?: { erasure_seconds?: unknown; backup_seconds?: unknown } }>(
    200,
    'health',
  );
  if (typeof h.retention?.erasure_seconds !== 'number')
    t.fail('health has no retention.erasure_seconds', res);
  if (!(h.retention && 'backup_seconds' in h.retention))
    t.fail('health has no retention.backup_seconds', res);
});
