/**
 * Control level (SPEC.md §20, §20.1): the declaration in health, memory states, their history, and where
 * non-active memories are left out. Every memory a check changes is its own (namespace `t.ns`).
 */
import { PRIMARY } from '../core/credentials.ts';
import type { CheckContext } from '../core/harness.ts';
import { check } from '../core/registry.ts';
import type { Health } from '../core/wire.ts';
import { type ControlMemory, idsIn, postState, setState, valid } from './control-helpers.ts';
import { memPath, randomId, uniqueToken } from './helpers.ts';
import { callOk } from './mcp-helpers.ts';

/** The search modes the server declares (keyword always). */
function modes(t: CheckContext): string[] {
  const out = ['keyword'];
  if (t.run.capabilities.has('semantic_search')) out.push('semantic');
  if (t.run.capabilities.has('hybrid_search')) out.push('hybrid');
  return out;
}

check(
  'OMP-CTRL-001',
  'MUST declare the level control and the capability control with the log retention',
  async (t) => {
    const res = await t.anon.get('/v1/health');
    const h = res.expect<Health & { capability_details?: Record<string, Record<string, unknown>> }>(200);
    if (!h.levels?.includes('control'))
      t.fail(`levels ${JSON.stringify(h.levels)} does not list control`, res);
    if (!h.capabilities?.includes('control'))
      t.fail(`capabilities ${JSON.stringify(h.capabilities)} does not list control`, res);
    const r = h.capability_details?.control?.access_log_retention_seconds;
    if (typeof r !== 'number' || !Number.isInteger(r) || r < 86_400)
      t.fail(
        `capability_details.control.access_log_retention_seconds is ${JSON.stringify(r)}, want >= 86400`,
        res,
      );
  },
);

check('OMP-CTRL-002', 'MUST return state on every memory, active for a new one', async (t) => {
  const token = uniqueToken(t);
  const m = (await t.create({ content: `state ${token}` })) as ControlMemory;
  if (m.state !== 'active') t.fail(`a created memory has state ${JSON.stringify(m.state)}, want active`);
  const got = (await t.api.get(memPath(m.id))).expect<ControlMemory>(200);
  if (got.state !== 'active') t.fail(`get returns state ${JSON.stringify(got.state)}`);
  const listed = (await t.api.get('/v1/memories', { namespace: t.ns })).expect<{ memories: ControlMemory[] }>(
    200,
  );
  const found = (await t.api.post('/v1/memories/search', { q: token })).expect<{ memories: ControlMemory[] }>(
    200,
  );
  for (const [what, ms] of [
    ['list', listed.memories],
    ['search', found.memories],
  ] as const) {
    const mine = ms.find((x) => x.id === m.id);
    if (!mine) return t.block('OMP-CTRL-005', `${what} does not return the new memory`);
    if (mine.state !== 'active') t.fail(`${what} returns state ${JSON.stringify(mine.state)}`);
  }
});

check(
  'OMP-CTRL-003',
  'MUST change a state and return the memory in it, with a later updated_at and new ETag',
  async (t) => {
    const m = await t.create();
    const before = await t.api.get(memPath(m.id));
    const res = await postState(t.api, m.id, 'archived', 'no longer true');
    const after = valid<ControlMemory>(t, res, 200, 'memory');
    if (after.state !== 'archived' || after.id !== m.id)
      t.fail(`the answer is ${after.id} in ${after.state}`, res);
    const got = await t.api.get(memPath(m.id));
    const g = got.expect<ControlMemory>(200);
    if (g.state !== 'archived') t.fail(`get then returns state ${JSON.stringify(g.state)}`, got);
    if (!(g.updated_at > m.updated_at))
      t.fail(`updated_at ${g.updated_at} is not later than ${m.updated_at}`, got);
    const etag = (r: typeof got) => r.headers.etag;
    if (etag(got) === undefined || etag(got) === etag(before))
      t.fail(`the ETag did not change (${etag(got)})`, got);
  },
);

check(
  'OMP-CTRL-004',
  'MUST NOT return or count a non-active memory in search, in any mode, without a state filter',
  async (t) => {
    const token = uniqueToken(t);
    const hidden = await t.create({ content: `archived ${token}` });
    const shown = await t.create({ content: `active ${token}` });
    await setState(t, hidden.id, 'archived');
    for (const mode of modes(t)) {
      const res = await t.api.post('/v1/memories/search', { q: `${token}`, mode, namespace: t.ns });
      const body = res.expect<{ total: number }>(200);
      const ids = idsIn(res);
      if (ids.includes(hidden.id)) t.fail(`a ${mode} search returns the archived memory`, res);
      if (mode === 'keyword' && (!ids.includes(shown.id) || body.total !== 1))
        t.fail(`a keyword search counts ${body.total} memories, want the 1 active one`, res);
      const filtered = await t.api.post('/v1/memories/search', {
        q: token,
        mode,
        namespace: t.ns,
        state: ['archived'],
      });
      filtered.expect(200);
      if (mode === 'keyword' && !idsIn(filtered).includes(hidden.id))
        t.fail('a search with state [archived] does not find the archived memory', filtered);
    }
    const get = await t.api.get('/v1/memories/search', { q: token });
    if (idsIn(get).includes(hidden.id)) t.fail('GET /v1/memories/search returns the archived memory', get);
  },
);

check(
  'OMP-CTRL-005',
  'MUST list only active memories by default, and exactly the listed states with state',
  async (t) => {
    const active = await t.create();
    const paused = await t.create();
    const archived = await t.create();
    await setState(t, paused.id, 'paused');
    await setState(t, archived.id, 'archived');
    const expectIds = async (query: Record<string, string>, want: string[]) => {
      const res = await t.api.get('/v1/memories', { namespace: t.ns, ...query });
      const body = res.expect<{ total: number }>(200);
      const ids = idsIn(res).sort();
      t.equal(ids, [...want].sort(), `the ids of a list with ${JSON.stringify(query)}`, res);
      if (body.total !== want.length) t.fail(`total is ${body.total}, want ${want.length}`, res);
    };
    await expectIds({}, [active.id]);
    await expectIds({ state: 'paused' }, [paused.id]);
    await expectIds({ state: 'paused,archived' }, [paused.id, archived.id]);
    await expectIds({ state: 'active,paused,archived' }, [active.id, paused.id, archived.id]);
  },
);

check(
  'OMP-CTRL-006',
  'MUST record each change in the history, oldest first, and nothing for the current state',
  async (t) => {
    const m = await t.create();
    await postState(t.api, m.id, 'paused', 'check this');
    await postState(t.api, m.id, 'paused');
    await postState(t.api, m.id, 'active');
    const res = await t.api.get(`${memPath(m.id)}/history`);
    const h = valid<{ memory_id: string; entries: Record<string, unknown>[] }>(t, res, 200, 'state-history');
    const me = (await t.api.get('/v1/me')).setUp<{ principal: string }>('OMP-AUTH-010');
    const want = [
      { from: 'active', to: 'paused', reason: 'check this', principal: me.principal },
      { from: 'paused', to: 'active', reason: null, principal: me.principal },
    ];
    t.equal(
      h.entries.map((e) => ({ from: e.from, to: e.to, reason: e.reason, principal: e.principal })),
      want,
      'the history',
      res,
    );
  },
);

check('OMP-CTRL-007', 'MUST reject an invalid state change with 422 and change nothing', async (t) => {
  const m = await t.create();
  for (const body of [
    {},
    { state: 'deleted' },
    { state: 'paused', reason: '' },
    { state: 'paused', extra: 1 },
  ]) {
    const res = await t.api.post(`${memPath(m.id)}/state`, body);
    res.expectError(422, 'validation_error');
  }
  for (const body of [{ ids: [], state: 'paused' }, { ids: [m.id] }, { ids: [m.id], state: 'gone' }]) {
    (await t.api.post('/v1/memories/bulk-state', body)).expectError(422, 'validation_error');
  }
  const got = (await t.api.get(memPath(m.id))).expect<ControlMemory>(200);
  if (got.state !== 'active') t.fail(`a refused change left the memory ${got.state}`);
});

check(
  'OMP-CTRL-008',
  'MUST change exactly the listed memories in a bulk state change and count them',
  async (t) => {
    const a = await t.create();
    const b = await t.create();
    const c = await t.create();
    await setState(t, b.id, 'archived');
    const res = await t.api.post('/v1/memories/bulk-state', { ids: [a.id, b.id], state: 'archived' });
    const r = valid<{ changed: number; unchanged: number; not_found: string[] }>(
      t,
      res,
      200,
      'bulk-state-result',
    );
    t.equal(r, { changed: 1, unchanged: 1, not_found: [] }, 'the result', res);
    for (const [m, want] of [
      [a, 'archived'],
      [b, 'archived'],
      [c, 'active'],
    ] as const) {
      const got = (await t.api.get(memPath(m.id))).expect<ControlMemory>(200);
      if (got.state !== want) t.fail(`${m.id} is ${got.state}, want ${want}`);
    }
  },
);

check(
  'OMP-CTRL-009',
  'MUST answer 404 for a state change or history of an unknown id, and report it in bulk',
  async (t) => {
    const ghost = randomId();
    (await postState(t.api, ghost, 'paused')).expectError(404, 'memory_not_found');
    (await t.api.get(`${memPath(ghost)}/history`)).expectError(404, 'memory_not_found');
    const m = await t.create();
    const res = await t.api.post('/v1/memories/bulk-state', { ids: [m.id, ghost], state: 'paused' });
    const r = res.expect<{ not_found: string[] }>(200);
    t.equal(r.not_found, [ghost], 'not_found', res);
  },
);

check('OMP-CTRL-010', 'MUST get, update and delete a memory in every state as an active one', async (t) => {
  for (const state of ['paused', 'archived']) {
    const m = await t.create();
    await setState(t, m.id, state);
    (await t.api.get(memPath(m.id))).expect(200);
    const upd = await t.api.put(memPath(m.id), { content: `changed while ${state}` });
    const u = upd.expect<ControlMemory>(200);
    if (u.content !== `changed while ${state}` || u.state !== state)
      t.fail(`an update of a ${state} memory answered ${u.content} in ${u.state}`, upd);
    (await t.api.del(memPath(m.id))).expectNoContent();
    t.forget(m.id);
  }
});

check('OMP-CTRL-011', 'MUST export memories in every state, each with its state', async (t) => {
  const m = await t.create();
  await setState(t, m.id, 'archived');
  const res = await t.api.get('/v1/export');
  const file = res.expect<{ memories: ControlMemory[] }>(200);
  const item = file.memories.find((x) => x.id === m.id);
  if (!item) return t.fail('the export leaves out an archived memory', res);
  if (item.state !== 'archived') t.fail(`the export gives it state ${JSON.stringify(item.state)}`, res);
});

check('OMP-CTRL-012', 'MUST import an item with its state, and as active without one', async (t) => {
  const now = '2026-01-01T00:00:00Z';
  const item = (id: string, extra: Record<string, unknown>) => ({
    id,
    content: `imported ${id}`,
    type: 'semantic',
    source: { tool: t.run.tool, timestamp: now },
    tags: t.tags(),
    namespace: t.ns,
    created_at: now,
    updated_at: now,
    expires_at: null,
    metadata: {},
    ...extra,
  });
  const [a, b] = [randomId(), randomId()];
  const res = await t.api.post('/v1/import', {
    omp_version: '0.4',
    exported_at: now,
    server: { name: 'omp-conformance', version: '0' },
    memories: [item(a, { state: 'archived' }), item(b, {})],
  });
  for (const id of [a, b]) t.run.ledger.add(id, PRIMARY, t.check.id);
  res.expect(200);
  const ga = (await t.api.get(memPath(a))).expect<ControlMemory>(200);
  const gb = (await t.api.get(memPath(b))).expect<ControlMemory>(200);
  if (ga.state !== 'archived') t.fail(`an item imported as archived is ${JSON.stringify(ga.state)}`);
  if (gb.state !== 'active') t.fail(`an item imported without state is ${JSON.stringify(gb.state)}`);
});

check(
  'OMP-CTRL-013',
  'MUST NOT return or count a non-active memory in search_memory or list_memories',
  async (t) => {
    const token = uniqueToken(t);
    const hidden = await t.create({ content: `mcp archived ${token}` });
    const shown = await t.create({ content: `mcp active ${token}` });
    await setState(t, hidden.id, 'archived');
    const s = await t.mcp();
    const found = await callOk<{ memories: { id: string }[]; total: number }>(t, s, 'search_memory', {
      query: token,
      namespace: t.ns,
    });
    const listed = await callOk<{ memories: { id: string }[]; total: number }>(t, s, 'list_memories', {
      namespace: t.ns,
    });
    for (const [tool, r] of [
      ['search_memory', found],
      ['list_memories', listed],
    ] as const) {
      const ids = r.memories.map((m) => m.id);
      if (ids.includes(hidden.id)) t.fail(`${tool} returns the archived memory`);
      if (!ids.includes(shown.id)) t.block('OMP-MCP-013', `${tool} does not return the active memory`);
      if (r.total !== 1) t.fail(`${tool} counts ${r.total}, want 1`);
    }
  },
  { needs: [{ kind: 'mcp-server' }] },
);

check('OMP-CTRL-014', 'MUST match memories in every state in a bulk delete', async (t) => {
  const a = await t.create();
  const b = await t.create();
  await setState(t, b.id, 'archived');
  const res = await t.api.post('/v1/memories/bulk-delete', { filter: { namespace: t.ns } });
  const r = res.expect<{ deleted: number }>(200);
  if (r.deleted !== 2) t.fail(`a bulk delete of 1 active and 1 archived memory deleted ${r.deleted}`, res);
  for (const m of [a, b]) {
    t.forget(m.id);
    (await t.api.get(memPath(m.id))).expectError(404, 'memory_not_found');
  }
});
