/**
 * The Postgres store's maintained counts (storage/postgres/counts.ts, issue #17) on PGlite: after random
 * creates, updates, deletes, bulk deletes, imports, state changes and expiry purges they equal a recount of the
 * stored rows, list totals and search results equal a brute-force count over the rows (with expired memories
 * awaiting their purge, states and app rules too), and the migration fills them for memories stored before it.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, test } from 'vitest';
import { prng as rng } from '../bench/corpus.ts';
import { queryTerms } from '../src/search/tokenize.ts';
import { compileRules } from '../src/storage/control-scope.ts';
import { countKeysOf } from '../src/storage/filter-counts.ts';
import type { Filters } from '../src/storage/memory-store.ts';
import { type Database, pgliteDatabase, poolDatabase } from '../src/storage/postgres/database.ts';
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';
import { fromPg } from '../src/storage/postgres/text.ts';
import type { Visibility } from '../src/storage/store.ts';
import { findPostgres, startPostgres } from './postgres-cluster.ts';

const TYPES = ['semantic', 'episodic', 'procedural'] as const;
const TOOLS = ['claude', 'cursor', 'nul\u0000tool'];
const NAMESPACES = [null, 'work', 'home\uE000'];
const TAGS = ['red', 'green', 'blue'];
const PRINCIPALS = ['p', 'q'];

let open: PostgresStore[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

interface Stored {
  principal: string;
  type: string;
  tool: string;
  namespace: string | null;
  tags: string;
  state: string;
  expires_ms: number | null;
}

async function storedRows(db: Database): Promise<Stored[]> {
  const { rows } = await db.query<Stored>(
    'SELECT principal, type, tool, namespace, tags, state, expires_ms::float8 AS expires_ms FROM memories',
  );
  return rows.map((r) => ({
    ...r,
    type: fromPg(r.type),
    tool: fromPg(r.tool),
    namespace: fromPg(r.namespace),
  }));
}

/** The maintained counts equal a recount of every stored row (zero rows aside). */
async function expectCountsExact(db: Database): Promise<void> {
  const { rows: grouped } = await db.query<{ principal: string; n: number }>(
    'SELECT principal, count(*)::int AS n FROM memories GROUP BY principal ORDER BY principal',
  );
  const { rows: kept } = await db.query<{ principal: string; n: number }>(
    'SELECT principal, n::int AS n FROM principal_counts WHERE n <> 0 ORDER BY principal',
  );
  expect(kept).toEqual(grouped);
  const recount = new Map<string, number>();
  for (const r of await storedRows(db)) {
    for (const k of countKeysOf(r))
      recount.set(`${r.principal} ${k}`, (recount.get(`${r.principal} ${k}`) ?? 0) + 1);
  }
  const { rows: keys } = await db.query<{ principal: string; k: string; n: number }>(
    'SELECT principal, k, n::int AS n FROM filter_counts WHERE n <> 0',
  );
  expect(new Map(keys.map((r) => [`${r.principal} ${r.k}`, r.n]))).toEqual(recount);
}

/** What a list with these filters must total, counted row by row. */
function bruteTotal(rows: Stored[], vis: Visibility, f: Filters, now: number): number {
  return rows.filter((r) => {
    if (r.principal !== vis.principal) return false;
    if (r.expires_ms !== null && r.expires_ms <= now) return false;
    if (f.states !== undefined && !f.states.includes(r.state)) return false;
    if (vis.rules && !vis.rules.allows({ id: null, namespace: r.namespace })) return false;
    if (f.type !== undefined && r.type !== f.type) return false;
    if (f.tool !== undefined && r.tool !== f.tool) return false;
    if (f.namespace !== undefined && r.namespace !== f.namespace) return false;
    const tags = JSON.parse(r.tags) as string[];
    return (f.tags ?? []).every((t) => tags.includes(t));
  }).length;
}

/** Filters covering every kind of key, two tags (counted), and none. */
function filterSets(): Filters[] {
  const out: Filters[] = [{}, { tags: ['red', 'blue'] }, { type: 'semantic', tags: ['red', 'green'] }];
  for (const type of [undefined, ...TYPES]) {
    for (const tool of [undefined, TOOLS[2]]) {
      for (const namespace of [undefined, 'work', 'home\uE000']) {
        for (const tag of [undefined, 'red']) {
          out.push({ type, tool, namespace, tags: tag === undefined ? undefined : [tag] });
        }
      }
    }
  }
  return out;
}

async function expectTotalsExact(s: PostgresStore, db: Database, now: number): Promise<void> {
  const rows = await storedRows(db);
  const rules = compileRules([{ effect: 'deny', namespace: 'work' }]);
  for (const principal of PRINCIPALS) {
    for (const vis of [
      { principal, ownTool: null },
      { principal, ownTool: null, rules },
    ] as Visibility[]) {
      for (const base of filterSets()) {
        for (const states of [undefined, ['active'], ['active', 'paused'], ['archived']]) {
          const f = { ...base, states };
          const want = bruteTotal(rows, vis, f, now);
          const page = await s.list(vis, f, 'created_at_desc', 1, 0);
          expect(page.total, JSON.stringify({ vis: principal, rules: !!vis.rules, f })).toBe(want);
          const after = await s.listAfter(vis, f, 'updated_at_asc', 1, null);
          expect(after.total).toBe(want);
        }
      }
      expect(await s.count(vis)).toBe(bruteTotal(rows, vis, { states: ['active'] }, now));
    }
  }
}

const at = (ms: number) => new Date(ms).toISOString();

describe('Postgres store maintained counts (PGlite)', () => {
  test('after random writes, imports, state changes and expiry the counts equal a recount, totals a brute count', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const pg = new PGlite();
    const db = pgliteDatabase(pg);
    const s = await PostgresStore.on(db, { now: () => clock });
    open.push(s);
    const random = rng(17);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const someTags = () => TAGS.filter(() => random() < 0.4);
    const ids: Array<{ principal: string; id: string }> = [];
    let imported = 0;
    const fields = () => ({
      type: pick(TYPES),
      tags: random() < 0.2 ? ['red', 'red', ...someTags()] : someTags(), // a repeated tag counts once
      namespace: pick(NAMESPACES),
    });
    for (let step = 0; step < 260; step++) {
      const principal = pick(PRINCIPALS);
      const vis: Visibility = { principal, ownTool: null };
      const op = random();
      const mine = ids.filter((x) => x.principal === principal);
      const target = mine.length > 0 ? pick(mine) : undefined;
      if (op < 0.4 || !target) {
        const expires = random() < 0.15 ? at(clock + Math.floor(random() * 5000) + 1) : undefined;
        const row = await s.create(principal, {
          content: `memory ${step}`,
          source: { tool: pick(TOOLS) },
          ...fields(),
          ...(expires ? { expires_at: expires } : {}),
        });
        ids.push({ principal, id: row.id });
      } else if (op < 0.6) {
        const f = fields();
        await s
          .update(vis, null, target.id, {
            ...(random() < 0.5 ? { type: f.type } : {}),
            ...(random() < 0.6 ? { tags: f.tags } : {}),
            ...(random() < 0.4 ? { namespace: f.namespace } : {}),
            ...(random() < 0.1 ? { expires_at: at(clock + 1000) } : {}),
            ...(random() < 0.3 ? { content: `changed ${step}` } : {}),
          })
          .catch(() => undefined); // expired meanwhile: not found
      } else if (op < 0.7) {
        await s.delete(vis, null, target.id).catch(() => undefined);
      } else if (op < 0.75) {
        await s.bulkDelete(
          vis,
          null,
          { type: pick(TYPES), tags: [pick(TAGS)], namespace: pick(NAMESPACES) ?? undefined },
          { dryRun: false },
        );
      } else if (op < 0.85) {
        // Overwrites of stored ids (their attributes change), new ids, and one id twice in one import.
        const items = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
          const reuse = random() < 0.5 ? target.id : `mem_imp${String(imported++).padStart(13, '0')}`;
          const t = at(clock - 1000);
          const f = fields();
          return {
            id: reuse,
            content: `imported ${step}`,
            type: f.type,
            source: { tool: pick(TOOLS), timestamp: t },
            tags: [...new Set(f.tags)],
            namespace: f.namespace,
            created_at: t,
            updated_at: t,
            expires_at: null,
            metadata: {},
          };
        });
        const strategy = pick(['overwrite', 'skip', 'duplicate'] as const);
        await s.import(vis, null, items, strategy);
        const { rows } = await db.query<{ id: string }>('SELECT id FROM memories WHERE principal = $1', [
          principal,
        ]);
        for (const r of rows) if (!ids.some((x) => x.id === r.id)) ids.push({ principal, id: r.id });
      } else if (op < 0.92) {
        await s.setStates(
          vis,
          null,
          [target.id],
          pick(['active', 'paused', 'archived']),
          { app: null, actor: 'test', reason: null },
          'report',
        );
      } else {
        clock += 2000; // some memories expire: reads must not count them before or after the purge
        if (random() < 0.5) await s.purgeExpired();
      }
      if (step % 65 === 64) {
        await expectCountsExact(db);
        await expectTotalsExact(s, db, clock);
      }
    }
    clock += 10_000;
    await expectTotalsExact(s, db, clock); // expired rows awaiting the purge: counted, not looked up
    await s.purgeExpired();
    await expectCountsExact(db);
    await expectTotalsExact(s, db, clock);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM memories');
    expect(rows[0]?.n).toBeGreaterThan(40); // the run left something to count
  }, 240_000);

  test('search ranks with the maintained n, and counts a pending expiry', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const s = await PostgresStore.pglite(new PGlite(), { now: () => clock });
    open.push(s);
    const vis: Visibility = { principal: 'p', ownTool: null };
    for (let i = 0; i < 6; i++) {
      await s.create('p', {
        content: i < 2 ? `otter ${i}` : `badger ${i}`,
        type: 'semantic',
        source: { tool: 'claude' },
        ...(i === 5 ? { expires_at: at(clock + 1000) } : {}),
      });
    }
    expect((await s.search(vis, queryTerms('otter'), {}, 10, 0)).total).toBe(2);
    clock += 5000;
    expect((await s.search(vis, queryTerms('badger'), {}, 10, 0)).total).toBe(3);
    expect((await s.list(vis, {}, 'created_at_desc', 10, 0)).total).toBe(5);
  });

  test('the migration fills the counts from memories stored before it', async () => {
    const pg = new PGlite();
    const db = pgliteDatabase(pg);
    const s = await PostgresStore.on(db);
    open.push(s);
    for (let i = 0; i < 30; i++) {
      await s.create(i % 3 === 0 ? 'q' : 'p', {
        content: `m ${i}`,
        type: TYPES[i % 3] as (typeof TYPES)[number],
        source: { tool: TOOLS[i % 3] as string },
        tags: TAGS.slice(0, i % 4),
        ...(i % 2 === 0 ? { namespace: 'work' } : {}),
      });
    }
    // Back to schema 4: undo migrations 5 (counts), 6 (list versions), 7 (keyword log) and 8 (vector sizes).
    await db.query(`
      DROP INDEX memories_vec_dims;
      DROP TRIGGER keyword_log_insert ON memories; DROP TRIGGER keyword_log_update ON memories;
      DROP TRIGGER keyword_log_delete ON memories; DROP FUNCTION omp_keyword_log_rows();
      DROP TABLE keyword_log, keyword_log_floor, principal_counts, filter_counts, cursor_secret;
      CREATE INDEX memories_terms ON memories USING gin (terms); UPDATE omp_schema SET version = 4`);
    const t = await PostgresStore.on(db); // a second process starting on the older schema
    await expectCountsExact(db);
    expect((await db.query('SELECT 1 FROM principal_counts')).rows.length).toBe(2);
    const p: Visibility = { principal: 'p', ownTool: null };
    expect((await t.list(p, { tags: ['red'] }, 'created_at_desc', 1, 0)).total).toBe(
      bruteTotal(await storedRows(db), p, { tags: ['red'] }, Date.now()),
    );
  });
});

const found = findPostgres();
const reason = 'missing' in found ? found.missing : '';

describe.skipIf(reason !== '')(
  'Postgres store maintained counts (real PostgreSQL, three stores at once)',
  () => {
    test('concurrent writes of three stores to the same count rows: no transaction aborted, the counts stay exact', async () => {
      const cluster = await startPostgres((found as { bin: string }).bin);
      const db = poolDatabase(cluster.url, 2);
      try {
        const stores = await Promise.all(
          [0, 1, 2].map(() => PostgresStore.open(cluster.url, { poolSize: 4 })),
        );
        const vis: Visibility = { principal: 'p', ownTool: null };
        await Promise.all(
          stores.map(async (s, n) => {
            const random = rng(100 + n);
            const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
            const mine: string[] = [];
            // Many writes in flight per store: group commits of several writes touching overlapping keys.
            for (let round = 0; round < 25; round++) {
              await Promise.all(
                Array.from({ length: 12 }, async (_, i) => {
                  const op = random();
                  const target = mine.length > 0 ? pick(mine) : undefined;
                  if (op < 0.6 || !target) {
                    const row = await s.create(pick(PRINCIPALS), {
                      content: `m ${n} ${round} ${i}`,
                      type: pick(TYPES),
                      source: { tool: pick(TOOLS) },
                      tags: TAGS.filter(() => random() < 0.5),
                      ...(random() < 0.5 ? { namespace: 'work' } : {}),
                    });
                    if (row.principal === 'p') mine.push(row.id);
                  } else if (op < 0.8) {
                    await s.update(vis, null, target, {
                      tags: TAGS.filter(() => random() < 0.5),
                      type: pick(TYPES),
                    });
                  } else {
                    mine.splice(mine.indexOf(target), 1);
                    await s.delete(vis, null, target);
                  }
                }),
              );
            }
          }),
        );
        // Count rows locked last and in one order: no transaction was aborted (a deadlock) and retried.
        for (const s of stores) expect((s.commitStats as { retries?: number }).retries).toBe(0);
        for (const s of stores) await s.close();
        await expectCountsExact(db);
      } finally {
        await db.end();
        await cluster.stop();
      }
    }, 180_000);
  },
);
