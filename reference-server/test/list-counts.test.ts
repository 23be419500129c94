/**
 * Maintained filter counts (storage/filter-counts.ts) and cursor resumes (MemoryStore.listAfter): on random
 * stores changed by every write path (create, update, delete, import with overwrite and duplicate, bulk delete,
 * expiry purge, state changes), list totals and the numbers a cursor walk reports are compared with a brute force
 * over the stored rows, and the counts table with a recount from scratch.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { CreateMemoryRequest, Memory, MemoryType, SortOrder } from '@omp-kit/schemas/types';
import { afterEach, describe, expect, test } from 'vitest';
import { prng } from '../bench/corpus.ts';
import { decodeCursor, encodeCursor } from '../src/concurrency/cursor.ts';
import { openDatabase } from '../src/storage/database.ts';
import { countKeysOf, createFilterCounts } from '../src/storage/filter-counts.ts';
import { type Filters, MemoryStore, type Visibility } from '../src/storage/memory-store.ts';
import { migrate } from '../src/storage/migrations.ts';
import type { MemoryRow } from '../src/storage/rows.ts';

type Random = () => number;
const TYPES: MemoryType[] = ['semantic', 'episodic', 'procedural'];
const TOOLS = ['cursor', 'claude', 'cline'];
const NAMESPACES = [null, 'project:a', 'project:b'];
const TAGS = ['t1', 't2', 't3', 't4', 'preferences'];
const pick = <T>(r: Random, a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
const someTags = (r: Random): string[] => TAGS.filter(() => r() < 0.3);

const stores: MemoryStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function request(r: Random): CreateMemoryRequest {
  return {
    content: `memory ${Math.floor(r() * 1e6)}`,
    type: pick(r, TYPES),
    source: { tool: pick(r, TOOLS) },
    tags: someTags(r),
    namespace: pick(r, NAMESPACES),
  };
}

/** A store of two principals changed by every write path; `clock` moves so that some timestamps tie. */
async function randomStore(
  seed: number,
  n: number,
): Promise<{ store: MemoryStore; db: DatabaseSync; r: Random }> {
  const r = prng(seed);
  const db = openDatabase(':memory:');
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const store = new MemoryStore(db, { now: () => clock, cacheTotals: false });
  stores.push(store);
  const rows: MemoryRow[] = [];
  for (let i = 0; i < n; i++) {
    if (r() < 0.5) clock += 1000;
    const req = request(r);
    // Some expire soon: the purge before the next read deletes them.
    if (r() < 0.05) req.expires_at = new Date(clock + 500).toISOString();
    rows.push(await store.create(r() < 0.85 ? 'alice' : 'bob', req));
  }
  clock += 1000;
  for (const row of rows.slice(0, Math.floor(n / 4))) {
    const vis = { principal: row.principal, ownTool: null };
    if (row.expires_ms !== null) continue;
    const roll = r();
    if (roll < 0.3) await store.delete(vis, null, row.id);
    else if (roll < 0.8) {
      const m = request(r);
      await store.update(vis, null, row.id, {
        tags: r() < 0.8 ? m.tags : ['t1', 't1'],
        ...(r() < 0.5 ? { type: m.type } : {}),
        ...(r() < 0.5 ? { namespace: m.namespace } : {}),
      });
    } else
      await store.setStates(
        vis,
        null,
        [row.id],
        'archived',
        { app: null, actor: 'test', reason: null },
        'report',
      );
  }
  // Import: overwrites of existing ids (attributes change), duplicates and new memories.
  const alice = { principal: 'alice', ownTool: null };
  const existing = rows.filter((x) => x.principal === 'alice' && x.expires_ms === null).slice(-10);
  const item = (id: string): Memory => {
    const m = request(r);
    const at = new Date(clock - 5000).toISOString();
    return {
      id,
      content: m.content,
      type: m.type,
      source: { tool: m.source.tool, timestamp: at },
      tags: m.tags ?? [],
      namespace: m.namespace ?? null,
      created_at: at,
      updated_at: at,
      expires_at: null,
      metadata: {},
    };
  };
  await store.import(
    alice,
    null,
    existing.slice(0, 5).map((x) => item(x.id)),
    'overwrite',
  );
  await store.import(
    alice,
    null,
    existing.slice(5).map((x) => item(x.id)),
    'duplicate',
  );
  await store.import(alice, null, [item('mem_imported000001'), item('mem_imported000002')], 'overwrite');
  await store.bulkDelete(
    alice,
    null,
    { type: 'procedural', tags: ['t2'] },
    { dryRun: false, onMismatch: () => new Error() },
  );
  return { store, db, r };
}

/** Every row of the table, expired ones not yet purged aside. */
function allRows(db: DatabaseSync): MemoryRow[] {
  return db.prepare('SELECT * FROM memories').all() as unknown as MemoryRow[];
}

/** Whether a row matches list filters (SPEC.md §5.2) for a visibility: the brute force. */
function matches(row: MemoryRow, vis: Visibility, f: Filters, now: number): boolean {
  const tags = JSON.parse(row.tags) as string[];
  return (
    row.principal === vis.principal &&
    (row.expires_ms === null || row.expires_ms > now) &&
    (vis.ownTool === null || row.tool === vis.ownTool) &&
    (f.type === undefined || row.type === f.type) &&
    (f.tool === undefined || row.tool === f.tool) &&
    (f.namespace === undefined || row.namespace === f.namespace) &&
    (f.tags ?? []).every((t) => tags.includes(t)) &&
    (f.states === undefined || f.states.includes(row.state))
  );
}

function randomFilters(r: Random): Filters {
  const f: Filters = {};
  if (r() < 0.5) f.type = pick(r, TYPES);
  if (r() < 0.3) f.tool = pick(r, TOOLS);
  if (r() < 0.3) f.namespace = pick(r, NAMESPACES) ?? 'project:a';
  const n = r() < 0.5 ? 1 : r() < 0.5 ? 0 : 2;
  if (n > 0) f.tags = Array.from({ length: n }, () => pick(r, TAGS));
  if (r() < 0.6) f.states = r() < 0.7 ? ['active'] : ['active', 'archived'];
  return f;
}

/** The counts table, zero rows aside, against a recount of every stored row. */
function expectCountsExact(db: DatabaseSync): void {
  const stored = new Map(
    (
      db.prepare('SELECT principal, k, n FROM filter_counts WHERE n <> 0').all() as {
        principal: string;
        k: string;
        n: number;
      }[]
    ).map((x) => [`${x.principal} ${x.k}`, x.n]),
  );
  const recount = new Map<string, number>();
  for (const row of allRows(db)) {
    for (const k of countKeysOf(row))
      recount.set(`${row.principal} ${k}`, (recount.get(`${row.principal} ${k}`) ?? 0) + 1);
  }
  expect(stored).toEqual(recount);
}

describe('filter counts', () => {
  test.each([1, 2, 3])(
    'totals of random filters equal a brute force after every kind of write (seed %i)',
    async (seed) => {
      const { store, db, r } = await randomStore(seed, 250);
      const now = Date.parse('2026-01-01T00:00:00Z') + 10 ** 9;
      store.purgeExpired();
      expectCountsExact(db);
      for (let i = 0; i < 150; i++) {
        const vis: Visibility = {
          principal: r() < 0.8 ? 'alice' : 'bob',
          ownTool: r() < 0.2 ? pick(r, TOOLS) : null,
        };
        const f = randomFilters(r);
        const expected = allRows(db).filter((row) => matches(row, vis, f, now));
        const page = store.list(vis, f, 'created_at_desc', 5, 0);
        expect(page.total, JSON.stringify([vis, f])).toBe(expected.length);
        expect(page.rows.every((row) => matches(row, vis, f, now))).toBe(true);
      }
    },
  );

  test('the migration fills the counts of a store written before it', async () => {
    const { store, db } = await randomStore(7, 150);
    store.purgeExpired();
    const before = db
      .prepare('SELECT principal, k, n FROM filter_counts WHERE n <> 0 ORDER BY principal, k')
      .all();
    db.exec('DROP TABLE filter_counts; DROP TABLE list_version; PRAGMA user_version = 3');
    migrate(db);
    expect(db.prepare('SELECT principal, k, n FROM filter_counts ORDER BY principal, k').all()).toEqual(
      before,
    );
    expectCountsExact(db);
    // A second run on the same rows gives the same counts (the function is what migration 4 runs).
    db.exec('DROP TABLE filter_counts; DROP TABLE list_version');
    createFilterCounts(db);
    expectCountsExact(db);
  });
});

describe('cursor resumes', () => {
  const SORTS: SortOrder[] = ['created_at_desc', 'created_at_asc', 'updated_at_desc', 'updated_at_asc'];
  const FILTERS: Filters[] = [
    {},
    { type: 'semantic' },
    { tags: ['t1'] },
    { type: 'episodic', tags: ['t3'] },
    { tags: ['t1', 't2'] },
    { states: ['active'] },
  ];

  test.each(SORTS.flatMap((sort) => FILTERS.map((f) => [sort, f] as const)))(
    'a walk by resumes reports the offset and total a count gives, page after page (%s, %j)',
    async (sort, f) => {
      const { store, db } = await randomStore(11, 200);
      const vis = { principal: 'alice', ownTool: null };
      const now = Date.parse('2026-01-01T00:00:00Z') + 10 ** 9;
      const expected = allRows(db).filter((row) => matches(row, vis, f, now)).length;
      let page = store.listAfter(vis, f, sort, 7, null);
      let seen = page.rows.length;
      while (page.resume) {
        const last = page.rows[page.rows.length - 1] as MemoryRow;
        const key = sort.startsWith('created') ? last.created_key : last.updated_key;
        const next = store.listAfter(vis, f, sort, 7, { key, id: last.id, resume: page.resume });
        const counted = store.listAfter(vis, f, sort, 7, { key, id: last.id });
        expect([next.before, next.total, next.rows.map((x) => x.id)]).toEqual([
          counted.before,
          counted.total,
          counted.rows.map((x) => x.id),
        ]);
        expect(next.before).toBe(seen);
        seen += next.rows.length;
        page = next;
        if (next.rows.length === 0) break;
      }
      expect(seen).toBe(expected);
      expect(page.total).toBe(expected);
    },
  );

  test('a resume is refused after a write, for another caller or filter, and when forged: those pages count', async () => {
    const { store } = await randomStore(12, 120);
    const vis = { principal: 'alice', ownTool: null };
    const f: Filters = { type: 'semantic' };
    const first = store.list(vis, f, 'created_at_desc', 5, 0);
    const last = first.rows[4] as MemoryRow;
    const at = { key: last.created_key, id: last.id };
    const resume = first.resume;
    expect(resume).toMatchObject({ before: 5, total: first.total });
    if (!resume) return;
    // Forged numbers: counted instead.
    const forged = store.listAfter(vis, f, 'created_at_desc', 5, {
      ...at,
      resume: { ...resume, before: 99, total: 999 },
    });
    expect([forged.before, forged.total]).toEqual([5, first.total]);
    // Another caller (read scope own) or other filters: its own count.
    const own = store.listAfter({ principal: 'alice', ownTool: 'cursor' }, f, 'created_at_desc', 5, {
      ...at,
      resume,
    });
    expect(own.total).toBe(
      store.list({ principal: 'alice', ownTool: 'cursor' }, f, 'created_at_desc', 5, 0).total,
    );
    const other = store.listAfter(vis, { type: 'episodic' }, 'created_at_desc', 5, { ...at, resume });
    expect(other.total).toBe(store.list(vis, { type: 'episodic' }, 'created_at_desc', 5, 0).total);
    // A write before the position: the next page's numbers move with it.
    await store.create('alice', { ...request(prng(1)), type: 'semantic' });
    const after = store.listAfter(vis, f, 'created_at_desc', 5, { ...at, resume });
    expect([after.before, after.total]).toEqual([6, first.total + 1]);
    // A memory written by a state change counts as a change too.
    const id = (after.rows[0] as MemoryRow).id;
    const page2 = store.listAfter(vis, { ...f, states: ['active'] }, 'created_at_desc', 5, {
      ...at,
      resume: after.resume,
    });
    await store.setStates(vis, null, [id], 'archived', { app: null, actor: 'test', reason: null }, 'report');
    const last2 = page2.rows[page2.rows.length - 1] as MemoryRow;
    const again = store.listAfter(vis, { ...f, states: ['active'] }, 'created_at_desc', 5, {
      key: last2.created_key,
      id: last2.id,
      resume: page2.resume,
    });
    expect(again.total).toBe(page2.total - 1);
  });
});

describe('cursor encoding', () => {
  const position = { sort: 'created_at_desc' as const, filters: 'abc', key: 'k', id: 'mem_1' };
  test.each([
    ['version 1 (a position)', position],
    ['version 2 (with a resume)', { ...position, resume: { before: 40, total: 90, mac: 'm' } }],
  ])('%s round-trips', (_name, p) => {
    expect(decodeCursor(encodeCursor(p))).toEqual(p);
  });
  test.each([
    ['a negative count', [2, 'created_at_desc', 'abc', 'k', 'mem_1', -1, 90, 'm']],
    ['a fractional total', [2, 'created_at_desc', 'abc', 'k', 'mem_1', 1, 9.5, 'm']],
    ['a resume in version 1', [1, 'created_at_desc', 'abc', 'k', 'mem_1', 1, 9, 'm']],
    ['a version 2 without its resume', [2, 'created_at_desc', 'abc', 'k', 'mem_1']],
  ])('%s is not a cursor this server issued', (_name, v) => {
    expect(decodeCursor(Buffer.from(JSON.stringify(v)).toString('base64url'))).toBeUndefined();
  });
});
