/**
 * Bulk delete and erasure (SPEC.md §5.6, §5.7). Every filter names the check's own namespace, so a run never
 * deletes a memory it did not create; `{"all": true}` is only ever sent as a dry run.
 */
import { check } from '../core/registry.ts';
import type { Memory } from '../core/wire.ts';
import { expect422, exportAll, list, memPath, mine, search } from './helpers.ts';

interface Result {
  matched: number;
  deleted: number;
  dry_run: boolean;
}

check(
  'OMP-BULK-001',
  'MUST delete exactly the visible memories matching every criterion, and answer with the counts',
  async (t) => {
    const doomed = [await t.create({ tags: t.tags('old') }), await t.create({ tags: t.tags('old') })];
    const kept = await t.create({ tags: t.tags('new') });
    const res = await t.api.post('/v1/memories/bulk-delete', {
      filter: { namespace: t.ns, tags: [t.tag, 'old'] },
    });
    t.equal(
      res.expect<Result>(200, 'bulk-delete-result'),
      { matched: 2, deleted: 2, dry_run: false },
      'the result',
      res,
    );
    t.expectShape('bulk-delete-result', res);
    for (const m of doomed) {
      (await t.api.get(memPath(m.id))).expectError(404, 'memory_not_found');
      t.forget(m.id);
    }
    (await t.api.get(memPath(kept.id))).expect(200, 'memory');
  },
);

check(
  'OMP-BULK-002',
  'MUST reject a missing or empty filter, or all with a criterion, deleting nothing',
  async (t) => {
    await t.create();
    for (const body of [
      {},
      { filter: {} },
      { filter: { all: false } },
      { filter: { all: true, namespace: t.ns } },
    ]) {
      expect422(t, await t.api.post('/v1/memories/bulk-delete', body), `bulk delete ${JSON.stringify(body)}`);
    }
    const { body } = await list(t.api, { tags: t.tag });
    if (body.memories.length !== 1)
      t.fail(`a refused bulk delete deleted memories (${body.memories.length} left of 1)`);
  },
);

check('OMP-BULK-003', 'MUST count without deleting on a dry run', async (t) => {
  await t.create();
  await t.create();
  const res = await t.api.post('/v1/memories/bulk-delete', { filter: { namespace: t.ns }, dry_run: true });
  t.equal(
    res.expect<Result>(200, 'bulk-delete-result'),
    { matched: 2, deleted: 0, dry_run: true },
    'the dry run',
    res,
  );
  const everything = await t.api.post('/v1/memories/bulk-delete', { filter: { all: true }, dry_run: true });
  everything.expect(200, 'bulk-delete-result');
  const { body } = await list(t.api, { tags: t.tag });
  if (body.memories.length !== 2) t.fail(`a dry run deleted memories (${body.memories.length} left of 2)`);
});

check(
  'OMP-BULK-004',
  'MUST answer an expected_count that differs with 412 and details.matched, deleting nothing',
  async (t) => {
    await t.create();
    await t.create();
    const res = await t.api.post('/v1/memories/bulk-delete', {
      filter: { namespace: t.ns },
      expected_count: 1,
    });
    res.expectError(412, 'precondition_failed');
    const matched = (res.json as { details?: { matched?: unknown } }).details?.matched;
    if (matched !== 2) t.fail(`details.matched is ${JSON.stringify(matched)}, want 2`, res);
    const { body } = await list(t.api, { tags: t.tag });
    if (body.memories.length !== 2)
      t.fail(`a mismatched bulk delete deleted memories (${body.memories.length} left of 2)`);
  },
);

check(
  'OMP-BULK-005',
  'MUST refuse a bulk delete with a key without the write scope (403)',
  async (t) => {
    const { api } = t.toolKey({ scopes: 'read-only' });
    (await api.post('/v1/memories/bulk-delete', { filter: { namespace: t.ns }, dry_run: true })).expectError(
      403,
      'forbidden',
    );
  },
  // Declared, so that the scheduler decides: a Core check a run without per-tool keys cannot make is not
  // applicable, and Core stays certifiable (as for the other Core checks that apply to per-tool keys).
  { needs: [{ kind: 'tool-key', scopes: 'read-only' }] },
);

check('OMP-BULK-006', 'MUST NOT delete or count another tool’s memories with a per-tool key', async (t) => {
  const { api, key } = t.toolKey({ scopes: 'read-write', readScope: 'all' });
  const own = await t.create({ source: { tool: key.name } });
  const other = await t.create({ source: { tool: `${key.name}-other` } });
  const res = await api.post('/v1/memories/bulk-delete', { filter: { namespace: t.ns } });
  t.equal(
    res.expect<Result>(200, 'bulk-delete-result'),
    { matched: 1, deleted: 1, dry_run: false },
    'the result',
    res,
  );
  t.forget(own.id);
  (await t.api.get(memPath(other.id))).expect(200, 'memory');
});

check(
  'OMP-ERASE-001',
  'MUST make a deleted memory absent from get, list, search and export at once',
  async (t) => {
    const token = `erasure${t.tag.replace(/[^a-z0-9]/g, '')}`;
    const single = await t.create({ content: `single ${token}` });
    const bulk = await t.create({ content: `bulk ${token}`, tags: t.tags('bulk') });
    (await t.api.del(memPath(single.id))).expectNoContent();
    (
      await t.api.post('/v1/memories/bulk-delete', { filter: { namespace: t.ns, tags: [t.tag, 'bulk'] } })
    ).expect(200);
    for (const m of [single, bulk] as Memory[]) {
      t.forget(m.id);
      (await t.api.get(memPath(m.id))).expectError(404, 'memory_not_found');
    }
    const { body: page } = await list(t.api, { tags: t.tag });
    if (page.memories.length !== 0) t.fail(`list still shows ${page.memories.length} erased memories`);
    const { body: found } = await search(t.api, { q: token });
    if (found.memories.length !== 0) t.fail(`search still finds ${found.memories.length} erased memories`);
    const { body: file } = await exportAll(t.api);
    if (mine(t, file.memories).length) t.fail('export still carries erased memories');
  },
);
