/**
 * The store behaviour suite: what every Store implementation (src/storage/store.ts) must do, written against
 * the interface only. store.test.ts runs it once per implementation; a new store (Postgres, issue #17) is one
 * more line there. Real databases, no stubs: each test opens a fresh store from the factory.
 */
import type { CreateMemoryRequest } from '@omp-kit/schemas/types';
import { afterEach, describe, expect, test } from 'vitest';
import { etagOf } from '../../src/concurrency/etag.ts';
import { ApiError } from '../../src/http/errors.ts';
import { queryTerms } from '../../src/search/tokenize.ts';
import { compileRules } from '../../src/storage/control-scope.ts';
import { WRITTEN_IDS } from '../../src/storage/memory-store.ts';
import {
  CountMismatchError,
  type MemoryRow,
  packLog,
  type Store,
  type Visibility,
} from '../../src/storage/store.ts';

/** How the suite gets stores of one implementation. */
export interface StoreFactory {
  /** A fresh, empty store. */
  open(): Promise<Store>;
  /** The same database again after close (stores that keep data across restarts); omitted for throw-away ones. */
  reopen?: (() => Promise<Store>) | undefined;
}

const owner: Visibility = { principal: 'p', ownTool: null };
const body = (content: string, extra: Partial<CreateMemoryRequest> = {}): CreateMemoryRequest => ({
  content,
  type: 'semantic',
  source: { tool: 'claude' },
  ...extra,
});
const exportItem = (i: number, extra: Record<string, unknown> = {}) => {
  const at = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
  return {
    id: `mem_imported${String(i).padStart(8, '0')}`,
    content: `imported memory number ${i} about ${i % 2 === 0 ? 'otters' : 'badgers'}`,
    type: 'semantic',
    source: { tool: 'claude', timestamp: at },
    tags: [],
    namespace: null,
    created_at: at,
    updated_at: at,
    expires_at: null,
    metadata: {},
    ...extra,
  };
};
/** Rows in (created_at, id) order: creations within one millisecond are ordered by id. */
const byCreated = (rows: MemoryRow[]): MemoryRow[] =>
  [...rows].sort((a, b) =>
    a.created_key === b.created_key ? (a.id < b.id ? -1 : 1) : a.created_key < b.created_key ? -1 : 1,
  );

async function all(it: AsyncIterable<MemoryRow[]>): Promise<MemoryRow[]> {
  const out: MemoryRow[] = [];
  for await (const rows of it) out.push(...rows);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Register the suite for one implementation. */
export function storeSuite(name: string, factory: StoreFactory): void {
  describe(`store behaviour: ${name}`, () => {
    let open: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const s = await factory.open();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open) await s.close();
      open = [];
    });

    test('create, get, count; another principal and another tool (read scope own) see nothing', async () => {
      const s = await fresh();
      const g0 = s.generation;
      const row = await s.create('p', body('likes tea', { tags: ['drink'], namespace: 'home' }));
      expect(row.id).toMatch(/^mem_/);
      expect(s.generation).toBeGreaterThan(g0);
      const got = await s.get(owner, row.id);
      expect(got?.content).toBe('likes tea');
      expect(JSON.parse(got?.tags ?? '[]')).toEqual(['drink']);
      expect(await s.count(owner)).toBe(1);
      expect(await s.get({ principal: 'q', ownTool: null }, row.id)).toBeUndefined();
      expect(await s.count({ principal: 'q', ownTool: null })).toBe(0);
      expect(await s.get({ principal: 'p', ownTool: 'cursor' }, row.id)).toBeUndefined();
      expect(await s.get({ principal: 'p', ownTool: 'claude' }, row.id)).toBeDefined();
    });

    test('update: fields change, updated_at moves forward, If-Match is checked inside the write', async () => {
      const s = await fresh();
      const row = await s.create('p', body('first'));
      const stale = etagOf(row);
      const next = await s.update(owner, null, row.id, { content: 'second', tags: ['x'] }, stale);
      expect(next.content).toBe('second');
      expect(next.updated_at > row.updated_at).toBe(true);
      expect(next.created_at).toBe(row.created_at);
      const err = await rejection(s.update(owner, null, row.id, { content: 'third' }, stale));
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(412);
      expect((await s.get(owner, row.id))?.content).toBe('second');
      expect(await s.update(owner, null, row.id, { content: 'third' }, '*')).toMatchObject({
        content: 'third',
      });
    });

    test('a per-tool writer may not change another tool’s memory; unknown ids are 404', async () => {
      const s = await fresh();
      const row = await s.create('p', body('claude wrote this'));
      const forbidden = await rejection(s.update(owner, 'cursor', row.id, { content: 'x' }));
      expect((forbidden as ApiError).status).toBe(403);
      const missing = await rejection(s.delete(owner, null, 'mem_doesnotexist0000'));
      expect((missing as ApiError).status).toBe(404);
      expect((missing as ApiError).code).toBe('memory_not_found');
    });

    test('delete removes it from get, count, list and search', async () => {
      const s = await fresh();
      const keep = await s.create('p', body('otters hold hands'));
      const gone = await s.create('p', body('otters sleep afloat'));
      await s.delete(owner, null, gone.id, etagOf(gone));
      expect(await s.get(owner, gone.id)).toBeUndefined();
      expect(await s.count(owner)).toBe(1);
      const list = await s.list(owner, {}, 'created_at_desc', 10, 0);
      expect(list.rows.map((r) => r.id)).toEqual([keep.id]);
      const found = await s.search(owner, queryTerms('otters'), {}, 10, 0);
      expect(found.rows.map((r) => r.id)).toEqual([keep.id]);
    });

    test('list: filters, sorts, offset paging and keyset paging agree', async () => {
      const s = await fresh();
      const rows: MemoryRow[] = [];
      for (let i = 0; i < 7; i++) {
        rows.push(
          await s.create('p', body(`note ${i}`, { tags: i % 2 === 0 ? ['even'] : [], type: 'episodic' })),
        );
      }
      await s.create('p', body('a semantic one', { source: { tool: 'cursor' } }));
      const ordered = byCreated(rows);
      const even = await s.list(owner, { tags: ['even'] }, 'created_at_asc', 10, 0);
      expect(even.total).toBe(4);
      expect(even.rows.map((r) => r.id)).toEqual(
        ordered.filter((r) => JSON.parse(r.tags).includes('even')).map((r) => r.id),
      );
      const byTool = await s.list(owner, { tool: 'cursor' }, 'created_at_desc', 10, 0);
      expect(byTool.rows.map((r) => r.content)).toEqual(['a semantic one']);
      const desc = await s.list(owner, { type: 'episodic' }, 'created_at_desc', 3, 3);
      expect(desc.total).toBe(7);
      expect(desc.rows.map((r) => r.id)).toEqual(
        [...ordered]
          .reverse()
          .slice(3, 6)
          .map((r) => r.id),
      );
      const seen: string[] = [];
      let after: { key: string; id: string } | null = null;
      for (;;) {
        const page = await s.listAfter(owner, { type: 'episodic' }, 'created_at_asc', 3, after);
        expect(page.total).toBe(7);
        expect(page.before).toBe(seen.length);
        seen.push(...page.rows.map((r) => r.id));
        const last = page.rows.at(-1);
        if (!last || page.rows.length < 3) break;
        after = { key: last.created_key, id: last.id };
      }
      expect(seen).toEqual(ordered.map((r) => r.id));
    });

    test('keyword search: any query term matches, filters apply, paging is stable', async () => {
      const s = await fresh();
      await s.create('p', body('the otter swims in the river'));
      await s.create('p', body('badgers dig at night', { namespace: 'woods' }));
      await s.create('p', body('an otter and a badger met', { namespace: 'woods' }));
      const both = await s.search(owner, queryTerms('otter badger'), {}, 10, 0);
      expect(both.total).toBe(3);
      expect(both.rows[0]?.content).toBe('an otter and a badger met'); // both terms rank first
      const woods = await s.search(owner, queryTerms('otter'), { namespace: 'woods' }, 10, 0);
      expect(woods.rows.map((r) => r.content)).toEqual(['an otter and a badger met']);
      const second = await s.search(owner, queryTerms('otter badger'), {}, 1, 1);
      expect(second.rows[0]?.id).toBe(both.rows[1]?.id);
      expect(await s.search({ principal: 'q', ownTool: null }, queryTerms('otter'), {}, 10, 0)).toEqual({
        rows: [],
        total: 0,
      });
    });

    test('bulk delete: dry run, expected count that differs deletes nothing, then deletes', async () => {
      const s = await fresh();
      for (let i = 0; i < 5; i++) await s.create('p', body(`bulk ${i}`, { namespace: i < 3 ? 'a' : 'b' }));
      expect(await s.bulkDelete(owner, null, { namespace: 'a' }, { dryRun: true })).toEqual({
        matched: 3,
        deleted: 0,
      });
      const err = await rejection(
        s.bulkDelete(owner, null, { namespace: 'a' }, { dryRun: false, expectedCount: 2 }),
      );
      expect(err).toBeInstanceOf(CountMismatchError);
      expect((err as CountMismatchError).matched).toBe(3);
      expect(await s.count(owner)).toBe(5);
      expect(
        await s.bulkDelete(owner, null, { namespace: 'a' }, { dryRun: false, expectedCount: 3 }),
      ).toEqual({ matched: 3, deleted: 3 });
      expect(await s.count(owner)).toBe(2);
    });

    test('import: items read lazily in order, invalid ones reported, conflicts by strategy', async () => {
      const s = await fresh();
      let produced = 0;
      function* items() {
        for (let i = 0; i < 1203; i++) {
          produced++;
          yield i === 7 ? { id: 'not-an-id' } : exportItem(i);
        }
        yield null;
      }
      const r = await s.import(owner, null, items(), 'skip');
      expect(produced).toBe(1203);
      expect(r.imported).toBe(1202);
      expect(r.errors.map((e) => e.index)).toEqual([7, 1203]);
      expect(await s.count(owner)).toBe(1202);
      const again = await s.import(
        owner,
        null,
        [exportItem(0, { content: 'changed' }), exportItem(5000)],
        'skip',
      );
      expect(again).toMatchObject({ imported: 1, skipped: 1 });
      const over = await s.import(owner, null, [exportItem(0, { content: 'changed' })], 'overwrite');
      expect(over.imported).toBe(1);
      expect((await s.get(owner, exportItem(0).id))?.content).toBe('changed');
      const dup = await s.import(owner, null, [exportItem(1)], 'duplicate');
      expect(dup.imported).toBe(1);
      expect(await s.count(owner)).toBe(1204);
    });

    test('import is all or nothing: an item source that fails stores nothing', async () => {
      const s = await fresh();
      function* failing() {
        for (let i = 0; i < 1500; i++) {
          if (i === 1400) throw new Error('the body went away');
          yield exportItem(i);
        }
      }
      await expect(s.import(owner, null, failing(), 'skip')).rejects.toThrow(/the body went away/);
      expect(await s.count(owner)).toBe(0);
      // The store still works afterwards.
      expect((await s.import(owner, null, [exportItem(1)], 'skip')).imported).toBe(1);
    });

    test('export: every visible memory, created_at order, over many pages; stopping early is fine', async () => {
      const s = await fresh();
      await s.import(
        owner,
        null,
        Array.from({ length: 1234 }, (_, i) => exportItem(i)),
        'skip',
      );
      await s.import({ principal: 'q', ownTool: null }, null, [exportItem(99_999)], 'skip');
      const rows = await all(s.exportPages(owner));
      expect(rows).toHaveLength(1234);
      expect(rows.map((r) => r.id)).toEqual(rows.map((r) => r.id).sort());
      for await (const page of s.exportPages(owner)) {
        expect(page.length).toBeGreaterThan(0);
        break;
      }
      // A store whose exports were abandoned still serves (and counts) normally.
      expect(await s.count(owner)).toBe(1234);
    });

    test('expired memories are gone from every read, and the purge counts as a change', async () => {
      const s = await fresh();
      const soon = await s.create(
        'p',
        body('short lived', { expires_at: new Date(Date.now() + 150).toISOString() }),
      );
      const stays = await s.create('p', body('long lived'));
      await new Promise((r) => setTimeout(r, 300));
      const g = s.generation;
      await s.purgeExpired();
      expect(s.generation).toBeGreaterThan(g);
      expect(await s.get(owner, soon.id)).toBeUndefined();
      expect(await s.count(owner)).toBe(1);
      expect((await s.list(owner, {}, 'created_at_desc', 10, 0)).rows.map((r) => r.id)).toEqual([stays.id]);
      expect((await all(s.exportPages(owner))).map((r) => r.id)).toEqual([stays.id]);
    });

    test('expired memories are gone even when a read comes first (no explicit purge)', async () => {
      const s = await fresh();
      await s.create(
        'p',
        body('short lived otter', { expires_at: new Date(Date.now() + 150).toISOString() }),
      );
      await new Promise((r) => setTimeout(r, 300));
      expect((await s.search(owner, queryTerms('otter'), {}, 10, 0)).total).toBe(0);
      expect(await all(s.exportPages(owner))).toEqual([]);
      expect(await s.count(owner)).toBe(0);
    });

    test('idempotency records: kept per scope and key', async () => {
      const s = await fresh();
      const rec = { fingerprint: 'f', status: 201, body: '{}', headers: '{}', memory_id: null };
      expect(await s.idempotency.lookup('scope', 'k')).toBeUndefined();
      await s.idempotency.record('scope', 'k', rec);
      expect(await s.idempotency.lookup('scope', 'k')).toMatchObject(rec);
      expect(await s.idempotency.lookup('other', 'k')).toBeUndefined();
    });

    test('concurrent writes all succeed and share commits; a failing one leaves no trace', async () => {
      const s = await fresh();
      const before = s.commitStats;
      const results = await Promise.allSettled([
        ...Array.from({ length: 40 }, (_, i) => s.create('p', body(`parallel ${i}`))),
        s.update(owner, null, 'mem_doesnotexist0000', { content: 'x' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(40);
      expect(await s.count(owner)).toBe(40);
      const after = s.commitStats;
      expect(after.writes - before.writes).toBe(40);
      expect(after.commits - before.commits).toBeLessThan(40);
    });

    test('Search level: writes get vectors; semantic and hybrid rank by meaning (Core: they reject)', async () => {
      const s = await fresh();
      const bees = await s.create('p', body('the user keeps bees on the roof'));
      await s.create('p', body('quarterly taxes are due in april'));
      await s.import(owner, null, [exportItem(1, { content: 'honey from the roof bees' })], 'skip');
      if (s.embeddings === null) {
        await expect(s.semantic(owner, 'bees roof', {}, 5, 0)).rejects.toThrow();
        return;
      }
      await s.whenIndexed();
      expect(s.backlog).toBe(0);
      const stored = JSON.parse((await s.get(owner, bees.id))?.embedding ?? 'null') as number[];
      expect(stored).toHaveLength(s.embeddings.dimensions);
      const semantic = await s.semantic(owner, 'bees on a roof', {}, 5, 0);
      expect(semantic.total).toBe(3);
      expect(
        semantic.rows
          .slice(0, 2)
          .map((r) => r.content)
          .sort(),
      ).toEqual(['honey from the roof bees', 'the user keeps bees on the roof']);
      const hybrid = await s.hybrid(owner, 'taxes april', queryTerms('taxes april'), {}, 5, 0);
      expect(hybrid.rows[0]?.content).toBe('quarterly taxes are due in april');
      expect((await s.semantic({ principal: 'q', ownTool: null }, 'bees', {}, 5, 0)).total).toBe(0);
    });

    test('control: states with history, filtered by list and keyword search, rules hide memories', async () => {
      const s = await fresh();
      const home = await s.create('p', body('otters at home', { namespace: 'home' }));
      const work = await s.create('p', body('otters at work', { namespace: 'work' }));
      const who = { app: 'dash', actor: 'p', reason: 'done' };
      const out = await s.setStates(
        owner,
        null,
        [work.id, 'mem_doesnotexist0000'],
        'archived',
        who,
        'report',
      );
      expect(out).toMatchObject({ changed: [work.id], unchanged: [], notFound: ['mem_doesnotexist0000'] });
      expect(out.rows[0]?.state).toBe('archived');
      expect((await s.get(owner, work.id))?.state).toBe('archived');
      expect(await s.stateHistory('p', work.id)).toMatchObject([
        { from_state: 'active', to_state: 'archived', app: 'dash', actor: 'p', reason: 'done' },
      ]);
      const active = await s.list(owner, { states: ['active'] }, 'created_at_desc', 10, 0);
      expect(active.rows.map((r) => r.id)).toEqual([home.id]);
      // The keyword index sees the state change at once (search runs where the index follows the writes).
      const archived = await s.search(owner, queryTerms('otters'), { states: ['archived'] }, 10, 0);
      expect(archived.rows.map((r) => r.id)).toEqual([work.id]);
      // An app's access rules cross to the store with the visibility: denied memories are invisible everywhere.
      const ruled = { ...owner, rules: compileRules([{ effect: 'deny', namespace: 'work' }]) };
      expect(await s.get(ruled, work.id)).toBeUndefined();
      expect((await s.search(ruled, queryTerms('otters'), {}, 10, 0)).rows.map((r) => r.id)).toEqual([
        home.id,
      ]);
      expect((await all(s.exportPages(ruled))).map((r) => r.id)).toEqual([home.id]);
      const dry = await s.bulkDelete(ruled, null, {}, { dryRun: true });
      expect(dry.matched).toBe(1);
      // A write's ids reach the caller (the access log) across the thread boundary.
      const deleted = await s.bulkDelete(owner, null, { ids: [home.id] }, { dryRun: false });
      expect((deleted as { [WRITTEN_IDS]?: string[] })[WRITTEN_IDS]).toEqual([home.id]);
    });

    test('control: apps, paused imports, the access log and stats', async () => {
      const s = await fresh();
      const now = new Date().toISOString();
      await s.putApp('p', 'cursor', true, '[]', now);
      await s.putApp('p', 'ruled', false, JSON.stringify([{ effect: 'deny', namespace: 'x' }]), now);
      await s.putApp('p', 'plain', false, '[]', now);
      expect((await s.restrictedApps()).map((a) => a.name).sort()).toEqual(['cursor', 'ruled']);
      const paused = { ...owner, paused: (tool: string) => tool === 'cursor' };
      const items = [exportItem(1), exportItem(2, { source: { tool: 'cursor', timestamp: now } })];
      const result = await s.import(paused, null, items, 'skip');
      expect(result).toMatchObject({ imported: 1, errors: [{ index: 1, error: 'app_paused' }] });
      expect((result as { [WRITTEN_IDS]?: string[] })[WRITTEN_IDS]).toEqual([exportItem(1).id]);
      const at = Date.now();
      const entry = (i: number) => ({
        principal: 'p',
        atMs: at + i,
        operation: i === 0 ? 'create' : 'list',
        via: 'http' as const,
        app: 'claude',
        memoryIds: [exportItem(1).id],
        requestId: `req_${i}`,
      });
      await s.appendLog(packLog([entry(0), entry(1), { ...entry(2), principal: 'q' }]), [
        { principal: 'p', name: 'claude', seen: new Date(at).toISOString(), reads: 1, writes: 1 },
      ]);
      const log = await s.queryLog({ principal: 'p', limit: 10 });
      expect(log.map((r) => r.request_id)).toEqual(['req_1', 'req_0']);
      expect(log[0]?.memory_ids).toBe(exportItem(1).id);
      expect((await s.queryLog({ principal: 'p', operation: 'create', limit: 10 })).length).toBe(1);
      const apps = await s.apps('p');
      expect(apps.find((a) => a.name === 'claude')).toMatchObject({ reads: 1, writes: 1 });
      expect(apps.find((a) => a.name === 'cursor')).toMatchObject({ paused: 1 });
      expect(await s.toolCounts('p')).toMatchObject([{ tool: 'claude', n: 1 }]);
      const stats = await s.stats('p');
      expect(stats.byState.get('active')).toBe(1);
      expect(stats.byTool).toEqual([{ name: 'claude', n: 1 }]);
    });

    test('a reopened store has every acknowledged write', async () => {
      if (!factory.reopen) return; // a throw-away store keeps nothing by design
      const s = await factory.open();
      const row = await s.create('p', body('kept across restarts'));
      await s.close();
      const again = await factory.reopen();
      open.push(again);
      expect((await again.get(owner, row.id))?.content).toBe('kept across restarts');
    });
  });
}
