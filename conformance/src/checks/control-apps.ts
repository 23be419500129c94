/**
 * Control level (SPEC.md §20.2, §20.3): apps, pausing and access rules. Every app a check pauses or restricts
 * has a name unique to the check, so nothing else of the run is affected; paused apps are resumed at the end.
 */
import { check } from '../core/registry.ts';
import { type App, appName, appOf, appReq, idsIn, putApp, valid } from './control-helpers.ts';
import { memPath, uniqueToken } from './helpers.ts';

check(
  'OMP-CTRL-015',
  'MUST list every source.tool and every app of a request, once each, ordered by name',
  async (t) => {
    const byTool = appName(t, 1);
    const byHeader = appName(t, 2);
    await t.create({ source: { tool: byTool } });
    (await appReq(t.api, byHeader, 'GET', '/v1/memories', { query: { namespace: t.ns } })).setUp(
      'OMP-LIST-001',
    );
    const res = await t.api.get('/v1/apps');
    const body = valid<{ apps: App[] }>(t, res, 200, 'app-list');
    const names = body.apps.map((a) => a.name);
    for (const n of [byTool, byHeader]) if (!names.includes(n)) t.fail(`the apps do not list ${n}`, res);
    if (new Set(names).size !== names.length) t.fail('an app is listed twice', res);
    const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    t.equal(names, sorted, 'the order of the apps', res);
  },
);

check('OMP-CTRL-016', 'MUST attribute a request with OMP-App to that app', async (t) => {
  const app = appName(t);
  const m = await t.create();
  const res = await appReq(t.api, app, 'GET', memPath(m.id));
  res.expect(200);
  const a = await appOf(t, app);
  if (a.reads_count < 1) t.fail(`the app's reads_count is ${a.reads_count} after its read`);
  const log = (await t.api.get('/v1/access-log', { memory_id: m.id, operation: 'get' })).setUp<{
    entries: { app: string | null; request_id: string }[];
  }>('OMP-CTRL-030');
  const entry = log.entries.find((e) => e.request_id === res.headers['x-request-id']);
  if (!entry) return t.block('OMP-CTRL-026', 'the access log has no entry for the read');
  if (entry.app !== app) t.fail(`the entry of the read names app ${JSON.stringify(entry.app)}, want ${app}`);
});

check(
  'OMP-CTRL-017',
  'MUST count an app’s memories in every state, and first_seen_at <= last_seen_at',
  async (t) => {
    const app = appName(t);
    const a = await t.create({ source: { tool: app } });
    await t.create({ source: { tool: app } });
    (await t.api.post(`${memPath(a.id)}/state`, { state: 'archived' })).setUp('OMP-CTRL-003');
    const got = await appOf(t, app);
    if (got.memories_count !== 2) t.fail(`memories_count is ${got.memories_count}, want 2 (1 archived)`);
    if (!(got.first_seen_at <= got.last_seen_at))
      t.fail(`first_seen_at ${got.first_seen_at} > ${got.last_seen_at}`);
  },
);

check('OMP-CTRL-018', 'MUST answer an app by name, and 404 not_found for a name never seen', async (t) => {
  const app = appName(t);
  await t.create({ source: { tool: app } });
  const res = await t.api.get(`/v1/apps/${encodeURIComponent(app)}`);
  const a = valid<App>(t, res, 200, 'app');
  if (a.name !== app) t.fail(`GET /v1/apps/${app} answered app ${a.name}`, res);
  (await t.api.get(`/v1/apps/${encodeURIComponent(appName(t, 9))}`)).expectError(404, 'not_found');
});

check(
  'OMP-CTRL-019',
  'MUST set paused and rules as a PUT says, and reject an invalid body changing nothing',
  async (t) => {
    const app = appName(t);
    const rules = [{ effect: 'deny', namespace: t.ns }];
    const res = await t.api.put(`/v1/apps/${encodeURIComponent(app)}`, { paused: true, rules });
    const a = valid<App>(t, res, 200, 'app');
    t.equal({ paused: a.paused, rules: a.rules }, { paused: true, rules }, 'the app after the PUT', res);
    for (const body of [{}, { paused: 'no' }, { rules: [{ effect: 'deny' }] }, { paused: false, extra: 1 }])
      (await t.api.put(`/v1/apps/${encodeURIComponent(app)}`, body)).expectError(422, 'validation_error');
    const after = await appOf(t, app);
    t.equal(
      { paused: after.paused, rules: after.rules },
      { paused: true, rules },
      'the app after refused PUTs',
    );
    await putApp(t, app, { paused: false, rules: [] });
  },
);

check(
  'OMP-CTRL-020',
  'MUST refuse the writes of a paused app with 403 app_paused, storing nothing',
  async (t) => {
    const app = appName(t);
    const m = await t.create({ source: { tool: app } });
    await putApp(t, app, { paused: true });
    try {
      const body = t.body({ source: { tool: app }, content: `paused ${uniqueToken(t)}` });
      (await t.api.post('/v1/memories', body)).expectError(403, 'app_paused');
      (await appReq(t.api, app, 'PUT', memPath(m.id), { json: { content: 'changed' } })).expectError(
        403,
        'app_paused',
      );
      (await appReq(t.api, app, 'DELETE', memPath(m.id))).expectError(403, 'app_paused');
      const listed = await t.api.get('/v1/memories', { namespace: t.ns, state: 'active,paused,archived' });
      listed.expect(200);
      if (idsIn(listed).length !== 1)
        t.fail(`a refused write stored or deleted memories (${idsIn(listed).length} of 1)`, listed);
      const got = (await t.api.get(memPath(m.id))).expect<{ content: string }>(200);
      if (got.content === 'changed') t.fail('a refused update changed the memory');
    } finally {
      await putApp(t, app, { paused: false });
    }
  },
);

check('OMP-CTRL-021', 'MUST refuse the reads of a paused app with 403 app_paused', async (t) => {
  const app = appName(t);
  const m = await t.create();
  await putApp(t, app, { paused: true });
  try {
    (await appReq(t.api, app, 'GET', memPath(m.id))).expectError(403, 'app_paused');
    (await appReq(t.api, app, 'GET', '/v1/memories', { query: { namespace: t.ns } })).expectError(
      403,
      'app_paused',
    );
    (await appReq(t.api, app, 'POST', '/v1/memories/search', { json: { q: 'anything' } })).expectError(
      403,
      'app_paused',
    );
    (await appReq(t.api, app, 'GET', '/v1/export')).expectError(403, 'app_paused');
  } finally {
    await putApp(t, app, { paused: false });
  }
});

check(
  'OMP-CTRL-022',
  'MUST refuse apps, the access log and stats to a per-tool key with 403 forbidden',
  async (t) => {
    const { api } = t.toolKey({});
    for (const path of ['/v1/apps', '/v1/access-log', '/v1/stats'])
      (await api.get(path)).expectError(403, 'forbidden');
    (await api.put(`/v1/apps/${encodeURIComponent(appName(t))}`, { paused: true })).expectError(
      403,
      'forbidden',
    );
  },
  { needs: [{ kind: 'tool-key' }] },
);

check(
  'OMP-CTRL-023',
  'MUST make a memory a deny rule matches invisible to the app on every path',
  async (t) => {
    const app = appName(t);
    const token = uniqueToken(t);
    const secretNs = `${t.ns}:secret`;
    const secret = await t.create({ namespace: secretNs, content: `secret ${token}` });
    const open = await t.create({ content: `open ${token}` });
    await putApp(t, app, { rules: [{ effect: 'deny', namespace: secretNs }] });
    (await appReq(t.api, app, 'GET', memPath(secret.id))).expectError(404, 'memory_not_found');
    (await appReq(t.api, app, 'PUT', memPath(secret.id), { json: { content: 'x' } })).expectError(
      404,
      'memory_not_found',
    );
    (
      await appReq(t.api, app, 'POST', `${memPath(secret.id)}/state`, { json: { state: 'paused' } })
    ).expectError(404, 'memory_not_found');
    const found = await appReq(t.api, app, 'POST', '/v1/memories/search', { json: { q: token } });
    const f = found.expect<{ total: number }>(200);
    if (idsIn(found).includes(secret.id) || f.total !== 1)
      t.fail(`search shows ${f.total} memories to the app`, found);
    const listed = await appReq(t.api, app, 'GET', '/v1/memories', { query: { namespace: secretNs } });
    if (listed.expect<{ total: number }>(200).total !== 0) t.fail('a list shows the denied memory', listed);
    const exported = await appReq(t.api, app, 'GET', '/v1/export');
    exported.expect(200);
    if (idsIn(exported).includes(secret.id)) t.fail('the export shows the denied memory', exported);
    (await t.api.get(memPath(open.id))).expect(200);
    (await t.api.get(memPath(secret.id))).expect(200); // the person still sees it
  },
);

check('OMP-CTRL-024', 'MUST make every memory no allow rule matches invisible to the app', async (t) => {
  const app = appName(t);
  const allowed = await t.create();
  const other = await t.create();
  await putApp(t, app, { rules: [{ effect: 'allow', memory_id: allowed.id }] });
  const listed = await appReq(t.api, app, 'GET', '/v1/memories', { query: { namespace: t.ns } });
  listed.expect(200);
  t.equal(idsIn(listed), [allowed.id], 'what the app lists', listed);
  (await appReq(t.api, app, 'GET', memPath(other.id))).expectError(404, 'memory_not_found');
});

check(
  'OMP-CTRL-025',
  'MUST refuse an app’s create of a memory it could not access, storing nothing',
  async (t) => {
    const app = appName(t);
    const denied = `${t.ns}:denied`;
    await putApp(t, app, { rules: [{ effect: 'deny', namespace: denied }] });
    const res = await appReq(t.api, app, 'POST', '/v1/memories', { json: t.body({ namespace: denied }) });
    res.expectError(403, 'forbidden');
    const listed = await t.api.get('/v1/memories', { namespace: denied, state: 'active,paused,archived' });
    if (listed.expect<{ total: number }>(200).total !== 0)
      t.fail('the refused create stored a memory', listed);
  },
);
