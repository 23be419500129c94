/**
 * Signed cursor resumes of the Postgres store (PostgresStore.listAfter, issue #17): a walk by resumes reports
 * the rows, offsets and totals a brute force over the stored rows gives, without counting; a forged, foreign or
 * stale resume is counted instead; every kind of write between two pages (in any store on the database)
 * invalidates the resume, a write of another principal does not; a cursor issued by one store resumes on a
 * second store of the same real PostgreSQL database. And the ANALYZE after a large import.
 */
import { PGlite } from '@electric-sql/pglite';
import type { SortOrder } from '@omp-kit/schemas/types';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { prng as rng } from '../bench/corpus.ts';
import { decodeCursor, encodeCursor, filtersDigest } from '../src/concurrency/cursor.ts';
import { compileRules } from '../src/storage/control-scope.ts';
import type { Filters, Page, Resume } from '../src/storage/memory-store.ts';
import { type Database, pgliteDatabase, poolDatabase } from '../src/storage/postgres/database.ts';
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';
import type { MemoryRow } from '../src/storage/rows.ts';
import type { Visibility } from '../src/storage/store.ts';
import { findPostgres, startPostgres } from './postgres-cluster.ts';

const TYPES = ['semantic', 'episodic', 'procedural'] as const;
const TOOLS = ['claude', 'cursor'];
const NAMESPACES = [null, 'work', 'home'];
const TAGS = ['red', 'green', 'blue'];
const SORTS: SortOrder[] = ['created_at_desc', 'created_at_asc', 'updated_at_desc', 'updated_at_asc'];
const T0 = Date.UTC(2026, 0, 1);

/** `k` import items from number `from` on, ids prefixed `mem_<prefix>`, all created at T0. */
function importItems(prefix: string, from: number, k: number) {
  const t = new Date(T0).toISOString();
  return Array.from({ length: k }, (_, i) => ({
    id: `mem_${prefix}${String(from + i).padStart(15, '0')}`,
    content: `imported ${i}`,
    type: 'semantic',
    source: { tool: 'claude', timestamp: t },
    tags: [],
    namespace: null,
    created_at: t,
    updated_at: t,
    expires_at: null,
    metadata: {},
  }));
}

let open: PostgresStore[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
  vi.restoreAllMocks();
});

/** A database that records the statements run outside transactions (every read of a list). */
function recorded(db: Database): Database & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query: (text, params) => {
      statements.push(text);
      return db.query(text, params);
    },
    transaction: (fn) => db.transaction(fn),
    lease: (ns) => db.lease(ns),
    end: () => db.end(),
  };
}

interface Stored {
  principal: string;
  id: string;
  type: string;
  tool: string;
  namespace: string | null;
  tags: string;
  state: string;
  expires_ms: number | null;
  created_key: string;
  updated_key: string;
}

/** Every match of a list in its order, from the stored rows and the rules of SPEC.md §5.2 (brute force). */
async function bruteList(db: Database, vis: Visibility, f: Filters, sort: SortOrder, now: number) {
  const { rows } = await db.query<Stored>(
    `SELECT principal, id, type, tool, namespace, tags, state, expires_ms::float8 AS expires_ms, created_key,
       updated_key FROM memories`,
  );
  const key = (r: Stored) => (sort.startsWith('created') ? r.created_key : r.updated_key);
  const sign = sort.endsWith('desc') ? -1 : 1;
  const tool = vis.ownTool ?? f.tool;
  return rows
    .filter((r) => {
      if (r.principal !== vis.principal) return false;
      if (r.expires_ms !== null && r.expires_ms <= now) return false;
      if (f.states !== undefined && !f.states.includes(r.state)) return false;
      if (vis.rules && !vis.rules.allows({ id: r.id, namespace: r.namespace })) return false;
      if (f.type !== undefined && r.type !== f.type) return false;
      if (tool !== undefined && r.tool !== tool) return false;
      if (f.namespace !== undefined && r.namespace !== f.namespace) return false;
      const tags = JSON.parse(r.tags) as string[];
      return (f.tags ?? []).every((t) => tags.includes(t));
    })
    .sort((a, b) => sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : 1))
    .map((r) => r.id);
}

/** The position after a page's last row, with its resume, as a client sends it back (through a cursor). */
function next(page: Page, sort: SortOrder, f: Filters): { key: string; id: string; resume?: Resume } {
  const last = page.rows[page.rows.length - 1] as MemoryRow;
  const key = sort.startsWith('created') ? last.created_key : last.updated_key;
  const cursor = encodeCursor({ sort, filters: filtersDigest(f), key, id: last.id, resume: page.resume });
  const p = decodeCursor(cursor);
  if (!p) throw new Error('the cursor does not decode');
  return { key: p.key, id: p.id, ...(p.resume ? { resume: p.resume } : {}) };
}

const counts = (statements: string[]) => statements.filter((s) => /count\(\*\)/.test(s)).length;

/** Memories of two principals, some updated, deleted, imported over, archived; timestamps tie now and then. */
async function randomStore(s: PostgresStore, clock: { now: number }, n: number): Promise<void> {
  const random = rng(29);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    if (random() < 0.5) clock.now += 1000;
    const row = await s.create(random() < 0.85 ? 'p' : 'q', {
      content: `memory ${i}`,
      type: pick(TYPES),
      source: { tool: pick(TOOLS) },
      tags: TAGS.filter(() => random() < 0.4),
      namespace: pick(NAMESPACES),
    });
    if (row.principal === 'p') ids.push(row.id);
  }
  const vis: Visibility = { principal: 'p', ownTool: null };
  const who = { app: null, actor: 'test', reason: null };
  for (const id of ids.slice(0, 20))
    await s.update(vis, null, id, { tags: TAGS.filter(() => random() < 0.5) });
  for (const id of ids.slice(20, 30)) await s.delete(vis, null, id);
  await s.setStates(vis, null, ids.slice(30, 45), 'archived', who, 'report');
}

describe('Postgres cursor resumes (PGlite)', () => {
  const vises: Visibility[] = [
    { principal: 'p', ownTool: null },
    { principal: 'p', ownTool: 'claude' },
    { principal: 'p', ownTool: null, rules: compileRules([{ effect: 'deny', namespace: 'work' }]) },
  ];
  const filters: Filters[] = [
    {},
    { type: 'semantic' },
    { tags: ['red'] },
    { tags: ['red', 'blue'] },
    { states: ['active'] },
    { states: ['archived', 'paused'] },
  ];

  test('walks by resumes equal a brute force and count nothing, for every sort, filter and caller', async () => {
    const clock = { now: T0 };
    const db = recorded(pgliteDatabase(new PGlite()));
    const s = await PostgresStore.on(db, { now: () => clock.now });
    open.push(s);
    await randomStore(s, clock, 160);
    let walks = 0;
    for (const vis of vises) {
      for (const f of filters) {
        for (const sort of SORTS) {
          if (vis !== vises[0] && sort !== 'created_at_desc' && sort !== 'updated_at_asc') continue;
          const want = await bruteList(db, vis, f, sort, clock.now);
          const label = JSON.stringify({ own: vis.ownTool, rules: !!vis.rules, f, sort });
          let page = await s.listAfter(vis, f, sort, 9, null);
          let seen = page.rows.map((r) => r.id);
          expect(page.total, label).toBe(want.length);
          while (page.resume && seen.length < want.length) {
            const at = next(page, sort, f);
            db.statements.length = 0;
            page = await s.listAfter(vis, f, sort, 9, at);
            expect(counts(db.statements), label).toBe(0);
            expect(db.statements.length, label).toBe(1);
            expect([page.before, page.total], label).toEqual([seen.length, want.length]);
            seen = [...seen, ...page.rows.map((r) => r.id)];
          }
          expect(seen, label).toEqual(want);
          walks++;
        }
      }
    }
    expect(walks).toBe(filters.length * (4 + 2 + 2));
  }, 240_000);

  test('a forged, foreign or stale resume is counted: the numbers stay those of a brute force', async () => {
    const clock = { now: T0 };
    const db = recorded(pgliteDatabase(new PGlite()));
    const s = await PostgresStore.on(db, { now: () => clock.now });
    open.push(s);
    await randomStore(s, clock, 80);
    const vis: Visibility = { principal: 'p', ownTool: null };
    const f: Filters = { states: ['active'] };
    const sort = 'created_at_desc';
    const want = await bruteList(db, vis, f, sort, clock.now);
    const first = await s.list(vis, f, sort, 5, 0);
    const at = next(first, sort, f);
    expect(at.resume).toMatchObject({ before: 5, total: want.length });
    const resume = at.resume as Resume;
    const cases: Array<[string, Visibility, Filters, Resume | undefined]> = [
      ['forged numbers', vis, f, { ...resume, before: 1, total: 999 }],
      ['a forged MAC', vis, f, { ...resume, mac: `${resume.mac.slice(0, -1)}A` }],
      ['no resume', vis, f, undefined],
      ['another principal', { principal: 'q', ownTool: null }, f, resume],
      ['read scope own', { principal: 'p', ownTool: 'cursor' }, f, resume],
      ['other filters', vis, { ...f, type: 'episodic' }, resume],
    ];
    for (const [name, v, g, r] of cases) {
      db.statements.length = 0;
      const page = await s.listAfter(v, g, sort, 5, { ...at, resume: r });
      const all = await bruteList(db, v, g, sort, clock.now);
      expect(counts(db.statements), name).toBeGreaterThan(0);
      expect(page.total, name).toBe(all.length);
      const firstRow = page.rows[0];
      // An empty page: every match sorts before the position.
      expect(page.before, name).toBe(firstRow ? all.indexOf(firstRow.id) : all.length);
    }
    // The genuine resume, after all that: trusted.
    db.statements.length = 0;
    const page = await s.listAfter(vis, f, sort, 5, at);
    expect([counts(db.statements), page.before, page.total]).toEqual([0, 5, want.length]);
  }, 120_000);

  test('every kind of write between two pages invalidates the resume; a write of another principal does not', async () => {
    const clock = { now: T0 };
    const db = recorded(pgliteDatabase(new PGlite()));
    const s = await PostgresStore.on(db, { now: () => clock.now });
    open.push(s);
    await randomStore(s, clock, 60);
    const vis: Visibility = { principal: 'p', ownTool: null };
    const who = { app: null, actor: 'test', reason: null };
    const body = (n: number, extra: Record<string, unknown> = {}) => ({
      content: `new ${n}`,
      type: 'semantic' as const,
      source: { tool: 'claude' },
      ...extra,
    });
    const oldest = async () => (await bruteList(db, vis, {}, 'created_at_asc', clock.now))[0] as string;
    const item = (id: string) => ({
      id,
      content: 'imported',
      type: 'semantic',
      source: { tool: 'claude', timestamp: new Date(T0 - 5000).toISOString() },
      tags: ['red'],
      namespace: null,
      created_at: new Date(T0 - 5000).toISOString(),
      updated_at: new Date(T0 - 5000).toISOString(),
      expires_at: null,
      metadata: {},
    });
    let n = 0;
    const otherState = async () =>
      (await s.get(vis, await oldest()))?.state === 'paused' ? 'archived' : 'paused';
    const expiring = () => s.create('p', body(n++, { expires_at: new Date(clock.now + 500).toISOString() }));
    // [what happens between the pages, what is done before the first, whether the resume must be refused]
    const writes: Array<[string, () => Promise<unknown>, (() => Promise<unknown>) | null, boolean]> = [
      ['a create', () => s.create('p', body(n++)), null, true],
      ['an update', async () => s.update(vis, null, await oldest(), { type: 'procedural' }), null, true],
      [
        'an update of content only',
        async () => s.update(vis, null, await oldest(), { content: 'c' }),
        null,
        true,
      ],
      ['a delete', async () => s.delete(vis, null, await oldest()), null, true],
      [
        'a state change',
        async () => s.setStates(vis, null, [await oldest()], await otherState(), who, 'report'),
        null,
        true,
      ],
      [
        'an import',
        () => s.import(vis, null, [item(`mem_imp${String(n++).padStart(13, '0')}`)], 'skip'),
        null,
        true,
      ],
      [
        'a bulk delete',
        async () => s.bulkDelete(vis, null, { ids: [await oldest()] }, { dryRun: false }),
        null,
        true,
      ],
      // No write at all: the memory leaves the lists when its time comes, before any purge.
      [
        'an expiry, not yet purged',
        async () => {
          clock.now += 1000;
        },
        expiring,
        true,
      ],
      [
        'the purge of an expired memory',
        async () => {
          clock.now += 1000;
          await s.purgeExpired();
        },
        expiring,
        true,
      ],
      ['a write of another principal', () => s.create('q', body(n++)), null, false],
      [
        'a dry-run bulk delete',
        () => s.bulkDelete(vis, null, { type: 'semantic' }, { dryRun: true }),
        null,
        false,
      ],
      [
        'a state change to the same state',
        async () =>
          s.setStates(
            vis,
            null,
            [await oldest()],
            (await s.get(vis, await oldest()))?.state as string,
            who,
            'report',
          ),
        null,
        false,
      ],
    ];
    for (const [name, write, setup, invalidates] of writes) {
      for (const sort of ['created_at_asc', 'updated_at_desc'] as const) {
        await setup?.();
        const first = await s.listAfter(vis, {}, sort, 4, null);
        await write();
        db.statements.length = 0;
        const page = await s.listAfter(vis, {}, sort, 4, next(first, sort, {}));
        const want = await bruteList(db, vis, {}, sort, clock.now);
        const label = `${name}, ${sort}`;
        expect(counts(db.statements) > 0, label).toBe(invalidates);
        expect(page.total, label).toBe(want.length);
        expect(page.before, label).toBe(want.indexOf((page.rows[0] as MemoryRow).id));
        expect(page.rows.map((r) => r.id)).toEqual(want.slice(page.before, page.before + 4));
      }
    }
  }, 240_000);

  test('a large import is analysed in the background: acknowledged first, a failure logged, not thrown', async () => {
    const base = pgliteDatabase(new PGlite());
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const analyses: string[] = [];
    const db: Database = {
      ...base,
      query: async (text, params) => {
        if (/^ANALYZE/.test(text)) {
          analyses.push(text);
          await gate;
          throw new Error('no statistics today');
        }
        return base.query(text, params);
      },
      transaction: (fn) => base.transaction(fn),
      lease: (ns) => base.lease(ns),
      end: () => base.end(),
    };
    const logged = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const s = await PostgresStore.on(db, { analyzeAfter: 3 });
    const items = (from: number, k: number) => importItems('a', from, k);
    expect((await s.import({ principal: 'p', ownTool: null }, null, items(0, 2), 'skip')).imported).toBe(2);
    expect(analyses).toEqual([]);
    // Acknowledged while its ANALYZE still waits at the gate.
    expect((await s.import({ principal: 'p', ownTool: null }, null, items(10, 3), 'skip')).imported).toBe(3);
    expect(analyses).toEqual(['ANALYZE memories']);
    release();
    await s.close();
    expect(
      logged.mock.calls.some(([m]) => /ANALYZE after an import failed: no statistics today/.test(String(m))),
    ).toBe(true);
  });
});

const found = findPostgres();
const reason = 'missing' in found ? found.missing : '';

describe.skipIf(reason !== '')('Postgres cursor resumes (real PostgreSQL, two stores)', () => {
  test('a cursor of one store resumes on another without counting; a write through either invalidates it', async () => {
    const cluster = await startPostgres((found as { bin: string }).bin);
    const admin = poolDatabase(cluster.url, 2);
    try {
      const clock = { now: T0 };
      const a = await PostgresStore.open(cluster.url, { poolSize: 2, now: () => clock.now });
      const bDb = recorded(poolDatabase(cluster.url, 2));
      const b = await PostgresStore.on(bDb, { now: () => clock.now });
      open.push(a, b);
      await randomStore(a, clock, 60);
      const vis: Visibility = { principal: 'p', ownTool: null };
      const f: Filters = { states: ['active'], tags: ['red'] };
      const sort = 'updated_at_desc';
      const want = await bruteList(admin, vis, f, sort, clock.now);
      expect(want.length).toBeGreaterThan(10);
      const first = await a.listAfter(vis, f, sort, 4, null);
      bDb.statements.length = 0;
      const second = await b.listAfter(vis, f, sort, 4, next(first, sort, f));
      expect(counts(bDb.statements)).toBe(0);
      expect([second.before, second.total, second.rows.map((r) => r.id)]).toEqual([
        4,
        want.length,
        want.slice(4, 8),
      ]);
      // A write through the other store: the first one's next resume counts.
      await b.create('p', { content: 'new', type: 'semantic', source: { tool: 'claude' }, tags: ['red'] });
      const again = await a.listAfter(vis, f, sort, 4, next(second, sort, f));
      const now = await bruteList(admin, vis, f, sort, clock.now);
      expect([again.before, again.total]).toEqual([now.indexOf((again.rows[0] as MemoryRow).id), now.length]);
      expect(again.total).toBe(want.length + 1);
      bDb.statements.length = 0;
      const third = await b.listAfter(vis, f, sort, 4, next(again, sort, f));
      expect(counts(bDb.statements)).toBe(0);
      expect(third.before).toBe(again.before + 4);
    } finally {
      for (const s of open) await s.close();
      open = [];
      await admin.end();
      await cluster.stop();
    }
  }, 120_000);

  test('an import of at least analyzeAfter memories is followed by an ANALYZE; a smaller one is not', async () => {
    const cluster = await startPostgres((found as { bin: string }).bin);
    const admin = poolDatabase(cluster.url, 1);
    const analysed = async () =>
      (
        await admin.query<{ at: string | null }>(
          "SELECT last_analyze::text AS at FROM pg_stat_user_tables WHERE relname = 'memories'",
        )
      ).rows[0]?.at ?? null;
    try {
      const items = (from: number, k: number) => importItems('b', from, k);
      const vis: Visibility = { principal: 'p', ownTool: null };
      const small = await PostgresStore.open(cluster.url, { poolSize: 2, analyzeAfter: 50 });
      const migrated = await analysed(); // a migration may analyse (8 does, for its index's statistics)
      await small.import(vis, null, items(0, 49), 'skip');
      await small.close(); // waits for an ANALYZE it started
      expect(await analysed()).toBe(migrated);
      const large = await PostgresStore.open(cluster.url, { poolSize: 2, analyzeAfter: 50 });
      await large.import(vis, null, items(100, 50), 'skip');
      await large.close();
      let at: string | null = migrated;
      for (let i = 0; i < 50 && at === migrated; i++) {
        at = await analysed();
        if (at === migrated) await new Promise((r) => setTimeout(r, 100));
      }
      expect(at).not.toBe(migrated);
      expect(at).not.toBeNull();
    } finally {
      await admin.end();
      await cluster.stop();
    }
  }, 120_000);
});
