/**
 * The Postgres store's keyword search (storage/postgres/keyword.ts) on PGlite: rankings and totals equal a
 * brute-force BM25 over random memories, filters, states and expiry included; an index kept in step through
 * the change log equals one built from the table, across two stores on one database and after pruning.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, test } from 'vitest';
import { prng as random } from '../bench/corpus.ts';
import { indexText, queryTerms } from '../src/search/tokenize.ts';
import { pgliteDatabase, poolDatabase } from '../src/storage/postgres/database.ts';
import { KeywordMirror, tsvectorText } from '../src/storage/postgres/keyword.ts';
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';
import type { MemoryRow } from '../src/storage/rows.ts';
import type { Filters, Visibility } from '../src/storage/store.ts';
import { findPostgres, startPostgres } from './postgres-cluster.ts';

const WORDS = ['otter', 'badger', 'heron', 'newt', 'vole', 'stoat', 'shrew', 'marten', 'river', 'stone'];
const TYPES = ['semantic', 'episodic'] as const;
const TAGS = ['a', 'b', 'c'];

let stores: PostgresStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

/** What the test knows of each stored memory, to rank by brute force. */
interface Known {
  row: MemoryRow;
  expiresMs: number | null;
}

/** SQLite's bm25() (fts5_aux.c) over every stored memory, as the index computes it, term by term. */
function bruteForce(
  known: readonly Known[],
  q: string,
  vis: Visibility,
  f: Filters,
  now: number,
  k: number,
): { ids: string[]; total: number } {
  const docs = known.map((m) => ({
    m,
    terms: indexText(m.row.content)
      .split(' ')
      .filter((t) => t !== ''),
  }));
  const n = docs.length;
  const avgdl = docs.reduce((s, d) => s + d.terms.length, 0) / n;
  const score = new Map<Known, number>();
  for (const term of new Set(queryTerms(q).flatMap((t) => t.terms))) {
    const df = docs.filter((d) => d.terms.includes(term)).length;
    if (df === 0) continue;
    let idf = Math.log((n - df + 0.5) / (df + 0.5));
    if (idf <= 0) idf = 1e-6;
    for (const d of docs) {
      const tf = d.terms.filter((t) => t === term).length;
      if (tf === 0) continue;
      const norm = 1.2 * (1 - 0.75 + (0.75 * d.terms.length) / avgdl);
      score.set(d.m, (score.get(d.m) ?? 0) + idf * ((tf * (1.2 + 1.0)) / (tf + norm)));
    }
  }
  const passing = [...score.keys()].filter(
    ({ row, expiresMs }) =>
      row.principal === vis.principal &&
      (expiresMs === null || expiresMs > now) &&
      (f.states === undefined || f.states.includes(row.state)) &&
      (f.type === undefined || row.type === f.type) &&
      (f.namespace === undefined || row.namespace === f.namespace) &&
      (f.tags ?? []).every((t) => (JSON.parse(row.tags) as string[]).includes(t)),
  );
  passing.sort(
    (a, b) =>
      (score.get(b) as number) - (score.get(a) as number) ||
      (a.row.created_key < b.row.created_key ? 1 : a.row.created_key > b.row.created_key ? -1 : 0) ||
      (a.row.id < b.row.id ? 1 : -1),
  );
  return { ids: passing.slice(0, k).map((m) => m.row.id), total: passing.length };
}

describe('Postgres keyword search', () => {
  test('rankings and totals equal a brute-force BM25 over random memories, filters, states and expiry', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const s = await PostgresStore.pglite(new PGlite(), { now: () => clock });
    stores.push(s);
    const rnd = random(17);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const known: Known[] = [];
    for (let i = 0; i < 80; i++) {
      // Few distinct lengths and words: many equal scores, so the created_at/id tie order is exercised too.
      const content = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => pick(WORDS)).join(' ');
      const expiresMs = rnd() < 0.1 ? clock + 60_000 : null;
      const row = await s.create(i % 5 === 4 ? 'q' : 'p', {
        content,
        type: pick(TYPES),
        source: { tool: 'claude' },
        namespace: pick(['home', 'work']),
        tags: TAGS.filter(() => rnd() < 0.4),
        ...(expiresMs === null ? {} : { expires_at: new Date(expiresMs).toISOString() }),
      });
      known.push({ row, expiresMs });
    }
    const owner: Visibility = { principal: 'p', ownTool: null };
    const archive = known.filter((m) => m.row.principal === 'p').slice(0, 10);
    await s.setStates(
      owner,
      null,
      archive.map((m) => m.row.id),
      'archived',
      { app: null, actor: 'p', reason: null },
      'forbid',
    );
    for (const m of archive) m.row = { ...m.row, state: 'archived' };
    clock += 120_000; // the expiring memories are now expired, not yet purged
    const filters: Filters[] = [
      {},
      { states: ['active'] },
      { states: ['archived'] },
      { type: 'episodic', states: ['active'] },
      { namespace: 'work', tags: ['a'] },
    ];
    let compared = 0;
    for (let i = 0; i < 40; i++) {
      const q = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(WORDS)).join(' ');
      const f = filters[i % filters.length] as Filters;
      const k = 1 + Math.floor(rnd() * 12);
      const expected = bruteForce(known, q, owner, f, clock, k);
      const got = await s.search(owner, queryTerms(q), f, k, 0);
      expect({ q, f, ids: got.rows.map((r) => r.id), total: got.total }).toEqual({ q, f, ...expected });
      if (expected.total > k) compared++;
    }
    expect(compared).toBeGreaterThan(10); // most queries cut a longer ranking at k
  }, 300_000); // 80 writes and 40 searches on PGlite, slow on a busy machine

  test('an index kept in step through the log equals one built from the table, across stores and pruning', async () => {
    const db = pgliteDatabase(new PGlite());
    const a = await PostgresStore.on(db);
    stores.push(a); // closing one closes the shared database
    const b = await PostgresStore.on(db);
    const owner: Visibility = { principal: 'p', ownTool: null };
    const body = (content: string) => ({ content, type: 'semantic' as const, source: { tool: 'claude' } });
    // Two more readers pruning the log after 2 entries: the eager one keeps up every round, and prunes past the
    // lagging one's watermark, which must then rebuild from the table.
    const eager = new KeywordMirror(db, 1);
    const lagging = new KeywordMirror(db, 1);
    const rnd = random(5);
    const ids: string[] = [];
    const search = async (store: PostgresStore, q: string) => {
      const page = await store.search(owner, queryTerms(q), {}, 50, 0);
      return { ids: page.rows.map((r) => r.id), total: page.total };
    };
    expect(await search(b, 'otter')).toEqual({ ids: [], total: 0 }); // b builds its index now, empty
    for (let round = 0; round < 12; round++) {
      const writer = round % 2 === 0 ? a : b;
      const op = rnd();
      if (op < 0.5 || ids.length < 3) {
        ids.push((await writer.create('p', body(`${WORDS[round % WORDS.length]} otter ${round}`))).id);
      } else if (op < 0.8) {
        const id = ids[Math.floor(rnd() * ids.length)] as string;
        await writer.update(owner, null, id, { content: `${WORDS[(round + 3) % WORDS.length]} heron` });
      } else {
        const id = ids.splice(Math.floor(rnd() * ids.length), 1)[0] as string;
        await writer.delete(owner, null, id);
      }
      for (const q of ['otter', 'heron badger', WORDS[round % WORDS.length] as string]) {
        const fromA = await search(a, q);
        expect(await search(b, q)).toEqual(fromA);
        const fresh = await new KeywordMirror(db).current();
        const terms = queryTerms(q).flatMap((t) => t.terms);
        const expected = fresh.search(terms, { principal: 'p' }, 50);
        expect((await eager.current()).search(terms, { principal: 'p' }, 50)).toEqual(expected);
        if (round % 3 === 2) {
          expect((await lagging.current()).search(terms, { principal: 'p' }, 50)).toEqual(expected);
        }
      }
    }
    expect(eager.loads).toBe(1);
    expect(lagging.loads).toBeGreaterThan(1); // it fell behind the floor and rebuilt
  }, 300_000);
});

const found = findPostgres();
const reason = 'missing' in found ? found.missing : '';

describe.skipIf(reason !== '')('Postgres keyword search (real PostgreSQL, stores writing at once)', () => {
  test('a write committed after a transaction that began before it, and the one that stayed open, are both found', async () => {
    const cluster = await startPostgres((found as { bin: string }).bin);
    const db = poolDatabase(cluster.url, 2);
    try {
      const [a, b] = await Promise.all([0, 1].map(() => PostgresStore.open(cluster.url, { poolSize: 4 })));
      const owner: Visibility = { principal: 'p', ownTool: null };
      const body = (content: string) => ({ content, type: 'semantic' as const, source: { tool: 'claude' } });
      const ids = async (s: PostgresStore, q: string) =>
        (await s.search(owner, queryTerms(q), {}, 10, 0)).rows.map((r) => r.id).sort();
      const old = await (a as PostgresStore).create('p', body('heron by the river'));
      expect(await ids(b as PostgresStore, 'zebra')).toEqual([]); // b's index is built
      // A transaction that takes its id first and commits last: b reads the log while it is open, and after.
      let commit = () => {};
      let updated = () => {};
      const slow = db.transaction(async (tx) => {
        await tx.query('UPDATE memories SET content = $2, terms = $3::tsvector WHERE id = $1', [
          old.id,
          'zebra crossing',
          tsvectorText('zebra crossing'),
        ]);
        updated();
        await new Promise<void>((r) => {
          commit = r;
        });
      });
      await new Promise<void>((r) => {
        updated = r;
      });
      const later = await (a as PostgresStore).create('p', body('zebra herd'));
      expect(await ids(b as PostgresStore, 'zebra')).toEqual([later.id]);
      commit();
      await slow;
      expect(await ids(b as PostgresStore, 'zebra')).toEqual([old.id, later.id].sort());
      // Three stores creating and deleting at once; then every store's search agrees with a fresh index.
      const c = await PostgresStore.open(cluster.url, { poolSize: 4 });
      const stores = [a, b, c] as PostgresStore[];
      await Promise.all(
        stores.map(async (s, n) => {
          for (let i = 0; i < 40; i++) {
            const row = await s.create('p', body(`otter ${n} ${i}${i % 3 === 0 ? ' zebra' : ''}`));
            if (i % 4 === 0) await s.delete(owner, null, row.id);
            if (i % 10 === 0) await ids(s, 'otter zebra');
          }
        }),
      );
      const fresh = await new KeywordMirror(db).current();
      const terms = queryTerms('otter zebra').flatMap((t) => t.terms);
      const expected = fresh.search(terms, { principal: 'p' }, 200);
      expect(expected.total).toBe(3 * 30 + 2);
      for (const s of stores) {
        const page = await s.search(owner, queryTerms('otter zebra'), {}, 200, 0);
        expect(page.total).toBe(expected.total);
        expect(page.rows.map((r) => r.seq)).toEqual(expected.seqs);
      }
      for (const s of stores) await s.close();
    } finally {
      await db.end();
      await cluster.stop();
    }
  }, 180_000);
});
