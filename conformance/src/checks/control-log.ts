/**
 * Control level (SPEC.md §20.4, §20.5): the access log, stats and category suggestions. Log queries filter by
 * memory ids or app names unique to the check, so concurrent checks never disturb what a check counts.
 */
import { PRIMARY } from '../core/credentials.ts';
import { check } from '../core/registry.ts';
import { type App, appName, appReq, type LogEntry, logOf, valid } from './control-helpers.ts';
import { memPath, uniqueToken } from './helpers.ts';

check('OMP-CTRL-026', 'MUST add one entry per read, naming it and the memories it returned', async (t) => {
  const app = appName(t);
  const token = uniqueToken(t);
  const m = await t.create({ content: `read ${token}` });
  const reads: [string, () => Promise<unknown>][] = [
    ['get', () => appReq(t.api, app, 'GET', memPath(m.id))],
    ['list', () => appReq(t.api, app, 'GET', '/v1/memories', { query: { namespace: t.ns } })],
    ['search', () => appReq(t.api, app, 'POST', '/v1/memories/search', { json: { q: token } })],
  ];
  for (const [, read] of reads) await read();
  const { entries, res } = await logOf(t, { app });
  const ops = entries.map((e) => e.operation).sort();
  t.equal(ops, ['get', 'list', 'search'], 'the operations logged for the app', res);
  for (const e of entries) t.equal(e.memory_ids, [m.id], `memory_ids of the ${e.operation} entry`, res);
});

check('OMP-CTRL-027', 'MUST add one entry per write, naming it and the memories it wrote', async (t) => {
  const app = appName(t);
  const created = await appReq(t.api, app, 'POST', '/v1/memories', { json: t.body() });
  const m = created.setUp<{ id: string }>('OMP-CRUD-001');
  t.run.ledger.add(m.id, PRIMARY, t.check.id);
  await appReq(t.api, app, 'PUT', memPath(m.id), { json: { content: 'updated' } });
  await appReq(t.api, app, 'POST', `${memPath(m.id)}/state`, { json: { state: 'paused' } });
  (await appReq(t.api, app, 'DELETE', memPath(m.id))).expectNoContent();
  t.forget(m.id);
  const { entries, res } = await logOf(t, { app });
  t.equal(
    entries.map((e) => [e.operation, e.memory_ids]).reverse(),
    [
      ['create', [m.id]],
      ['update', [m.id]],
      ['state_change', [m.id]],
      ['delete', [m.id]],
    ],
    'the writes logged for the app, oldest first',
    res,
  );
});

check('OMP-CTRL-028', 'MUST carry the X-Request-Id of the response and the key’s principal', async (t) => {
  const m = await t.create();
  const read = await t.api.get(memPath(m.id));
  read.expect(200);
  const me = (await t.api.get('/v1/me')).setUp<{ principal: string }>('OMP-AUTH-010');
  const { entries, res } = await logOf(t, { memory_id: m.id, operation: 'get' });
  const rid = read.headers['x-request-id'];
  if (!rid) t.block('OMP-HTTP-012', 'the response carries no X-Request-Id', read);
  const e = entries.find((x) => x.request_id === rid);
  if (!e) return t.fail(`no entry of the read carries request_id ${rid}`, res);
  if (e.principal !== me.principal)
    t.fail(`the entry names principal ${e.principal}, want ${me.principal}`, res);
});

check('OMP-CTRL-029', 'MUST NOT put content, tags, namespace, metadata or keys in the log', async (t) => {
  const token = uniqueToken(t);
  const m = await t.create({ content: `secret ${token}`, metadata: { marker: `meta${token}` } });
  (await t.api.get(memPath(m.id))).expect(200);
  const { res } = await logOf(t, { memory_id: m.id });
  for (const [what, value] of [
    ['content', token],
    ['a tag', t.tag],
    ['the namespace', t.ns],
    ['the key', t.secret()],
  ] as const)
    if (res.text.includes(value)) t.fail(`the access log contains ${what}`, res);
});

check(
  'OMP-CTRL-030',
  'MUST return exactly the entries that satisfy every filter, newest first',
  async (t) => {
    const a = appName(t, 1);
    const b = appName(t, 2);
    const m = await t.create();
    for (let i = 0; i < 3; i++) await appReq(t.api, a, 'GET', memPath(m.id));
    await appReq(t.api, b, 'GET', memPath(m.id));
    const all = await t.api.get('/v1/access-log', { memory_id: m.id });
    const page = valid<{ entries: LogEntry[] }>(t, all, 200, 'access-log-page');
    const ofA = page.entries.filter((e) => e.app === a);
    if (ofA.length !== 3) t.fail(`${ofA.length} entries of app ${a}, want 3`, all);
    const ats = page.entries.map((e) => e.at);
    t.equal(ats, [...ats].sort().reverse(), 'the order of entries (at, newest first)', all);
    const filtered = await t.api.get('/v1/access-log', { memory_id: m.id, app: a });
    const f = filtered.expect<{ entries: LogEntry[] }>(200);
    if (f.entries.length !== 3 || f.entries.some((e) => e.app !== a))
      t.fail('the app filter is not exact', filtered);
    const since = f.entries[1]?.at as string;
    const later = await t.api.get('/v1/access-log', { memory_id: m.id, app: a, since });
    const l = later.expect<{ entries: LogEntry[] }>(200);
    if (l.entries.some((e) => e.at < since) || l.entries.length < 2)
      t.fail(`since ${since} is not applied`, later);
    const before = await t.api.get('/v1/access-log', { memory_id: m.id, until: since });
    if (before.expect<{ entries: LogEntry[] }>(200).entries.some((e) => e.at >= since))
      t.fail(`until ${since} is not exclusive`, before);
  },
);

check('OMP-CTRL-031', 'MUST walk the log by cursor exactly once, and reject foreign cursors', async (t) => {
  const m = await t.create();
  for (let i = 0; i < 4; i++) (await t.api.get(memPath(m.id))).expect(200);
  // Every entry of the memory before the walk (other reads of it may add more meanwhile).
  const all = (await logOf(t, { memory_id: m.id, limit: 100 })).entries.map((e) => e.id);
  if (all.length < 5) t.block('OMP-CTRL-026', `the log holds ${all.length} entries of 5 requests`);
  const seen: string[] = [];
  let cursor: string | null = null;
  let first: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const res = await t.api.get('/v1/access-log', {
      memory_id: m.id,
      limit: 2,
      ...(cursor ? { cursor } : {}),
    });
    const p = res.expect<{ entries: LogEntry[]; next_cursor: string | null }>(200);
    seen.push(...p.entries.map((e) => e.id));
    first ??= p.next_cursor ?? null;
    cursor = p.next_cursor;
    if (!cursor) break;
  }
  if (new Set(seen).size !== seen.length) t.fail(`the walk returned an entry twice: ${seen.join(', ')}`);
  const missed = all.filter((id) => !seen.includes(id));
  if (missed.length > 0) t.fail(`the walk missed entries ${missed.join(', ')}`);
  if (!first) return t.fail('a first page of 2 of 5 entries has no next_cursor');
  const other = await t.api.get('/v1/access-log', { limit: 2, cursor: first });
  other.expectError(422, 'validation_error');
  const forged = await t.api.get('/v1/access-log', { cursor: 'bm90LWEtY3Vyc29y' });
  const err = forged.expectError(422, 'validation_error');
  const paths = ((err.details.errors as { path?: string }[] | undefined) ?? []).map((e) => e.path);
  if (!paths.includes('?cursor')) t.fail(`the error names ${JSON.stringify(paths)}, not ?cursor`, forged);
});

check('OMP-CTRL-032', 'MUST reject invalid access-log parameters with 422', async (t) => {
  for (const q of [
    { memory_id: 'not-an-id' },
    { operation: 'read' },
    { since: 'yesterday' },
    { until: '2026-02-30T00:00:00Z' },
    { limit: 0 },
    { limit: 101 },
    { color: 'red' },
  ])
    (await t.api.get('/v1/access-log', q)).expectError(422, 'validation_error');
});

check(
  'OMP-CTRL-033',
  'MUST NOT show a key the entries of another principal',
  async (t) => {
    const m = await t.create();
    (await t.api.get(memPath(m.id))).expect(200);
    const res = await t.apiB.get('/v1/access-log', { memory_id: m.id });
    const body = res.expect<{ entries: LogEntry[] }>(200);
    if (body.entries.length > 0) t.fail(`another principal sees ${body.entries.length} entries`, res);
  },
  { needs: [{ kind: 'second-principal' }] },
);

check(
  'OMP-CTRL-035',
  'MUST count stats by state, type and app consistently with the memories',
  async (t) => {
    const res = await t.api.get('/v1/stats');
    const s = valid<{
      total: number;
      by_state: Record<string, number>;
      by_type: Record<string, number>;
      by_app: { app: string; count: number }[];
      apps_count: number;
    }>(t, res, 200, 'stats');
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    if (sum(s.by_state) !== s.total)
      t.fail(`by_state adds up to ${sum(s.by_state)}, total is ${s.total}`, res);
    if (sum(s.by_type) !== s.total) t.fail(`by_type adds up to ${sum(s.by_type)}, total is ${s.total}`, res);
    const byApp = s.by_app.reduce((a, b) => a + b.count, 0);
    if (byApp !== s.total) t.fail(`by_app adds up to ${byApp}, total is ${s.total}`, res);
    const all = await t.api.get('/v1/memories', { state: 'active,paused,archived', limit: 1 });
    const listed = all.expect<{ total: number }>(200).total;
    if (listed !== s.total) t.fail(`total is ${s.total}, a list of every state counts ${listed}`, res);
    const apps = (await t.api.get('/v1/apps')).setUp<{ apps: App[] }>('OMP-CTRL-015');
    if (apps.apps.length !== s.apps_count)
      t.fail(`apps_count ${s.apps_count}, GET /v1/apps lists ${apps.apps.length}`);
  },
  { exclusive: true },
);

check('OMP-CTRL-036', 'MUST count each category tag in by_category', async (t) => {
  const name = `c${uniqueToken(t)}`.slice(0, 41);
  await t.create({ tags: t.tags(`category:${name}`) });
  const b = await t.create({ tags: t.tags(`category:${name}`) });
  (await t.api.post(`${memPath(b.id)}/state`, { state: 'archived' })).setUp('OMP-CTRL-003');
  const res = await t.api.get('/v1/stats');
  const s = res.expect<{ by_category: { category: string; count: number }[] }>(200);
  const mine = s.by_category.find((c) => c.category === name);
  if (mine?.count !== 2)
    t.fail(`by_category counts ${mine?.count ?? 0} memories of category ${name}, want 2`, res);
});

check(
  'OMP-CTRL-037',
  'MUST answer category suggestions and store nothing',
  async (t) => {
    const before = (await t.api.get('/v1/stats')).setUp<{ total: number }>('OMP-CTRL-035').total;
    const res = await t.api.post('/v1/category-suggestions', {
      content: 'Prefers TypeScript; deploys go through make release after the smoke test',
    });
    valid(t, res, 200, 'category-suggest-result');
    const after = (await t.api.get('/v1/stats')).setUp<{ total: number }>('OMP-CTRL-035').total;
    if (after !== before) t.fail(`a suggestion changed the number of memories from ${before} to ${after}`);
  },
  { exclusive: true },
);
