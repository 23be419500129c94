/**
 * The in-memory top-k keyword ranking (search/keyword-index.ts) against two exhaustive rankings that score every
 * match and sort: SQLite's own (`ORDER BY bm25(), created_at DESC, id DESC` over an FTS5 index of the same
 * terms, built by the test), and a brute-force scoring of every stored memory from its content with the same formula. On
 * randomized stores: same pages, same order, same `total`, with and without filters and read scope `own`.
 * FTS5 is compared while memories are only added (its index is built once per store, from the rows then stored);
 * after updates and deletes the brute force, which scores over the memories that exist, is the oracle.
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { CreateMemoryRequest } from '@omp-kit/schemas/types';
import { afterEach, describe, expect, test } from 'vitest';
import { prng } from '../bench/corpus.ts';
import { type KeywordDoc, KeywordIndex, type StoredMemoryText } from '../src/search/keyword-index.ts';
import { anyOf, indexText, queryTerms } from '../src/search/tokenize.ts';
import { openDatabase } from '../src/storage/database.ts';
import { type Filters, MemoryStore, type Visibility } from '../src/storage/memory-store.ts';

// Words of at most 4 letters: no query word is ever typo-corrected (only words of 5+ letters are), so the
// oracle's FTS5 expression is exactly the store's. A few real words so that stems conflate some of them.
const WORDS = [
  'user',
  'cat',
  'cats',
  'tea',
  'runs',
  'run',
  'blue',
  'jazz',
  'kiwi',
  'oslo',
  'rust',
  'zig',
  'bike',
  'bikes',
  'yoga',
  'pho',
  'gym',
  'maps',
  'map',
  'owl',
  ...Array.from(
    { length: 60 },
    (_, i) => `q${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + ((i * 7) % 26))}`,
  ),
  '東京',
  '猫',
];
const TYPES = ['semantic', 'episodic', 'procedural'] as const;
const TOOLS = ['claude', 'cursor', 'zed'];
const TAGS = ['work', 'home', 'food', 'travel', 'health'];
const NAMESPACES = [undefined, 'alpha', 'beta'];

type Random = () => number;
const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** Zipf-like word choice: the first words are far more common than the last. */
function word(r: Random): string {
  return WORDS[Math.floor(WORDS.length * r() ** 2.5)] as string;
}

function memory(r: Random): CreateMemoryRequest {
  const n = 1 + Math.floor(r() * 25);
  const words = Array.from({ length: n }, () => word(r));
  if (r() < 0.5) words.push('user'); // a term in about half the memories, as in the benchmark corpus
  const tags = TAGS.filter(() => r() < 0.3);
  const ns = pick(r, NAMESPACES);
  return {
    content: words.join(r() < 0.2 ? ', ' : ' '),
    type: pick(r, TYPES),
    source: { tool: pick(r, TOOLS) },
    tags,
    ...(ns === undefined ? {} : { namespace: ns }),
  };
}

function randomFilters(r: Random): Filters {
  const f: Filters = {};
  if (r() < 0.3) f.type = pick(r, TYPES);
  if (r() < 0.2) f.tool = pick(r, TOOLS);
  if (r() < 0.25) f.tags = TAGS.filter(() => r() < 0.3);
  if (r() < 0.15) f.namespace = pick(r, ['alpha', 'beta', 'gamma']);
  return f;
}

/**
 * SQLite's own full-text index over the memories' index text (the store keeps none since keyword search ranks in
 * memory): built from the stored rows when first asked for, read by FTS5's `ascii` tokenizer so that it splits
 * exactly where the server did.
 */
const indexed = new WeakSet<DatabaseSync>();
function oracleText(db: DatabaseSync): void {
  if (indexed.has(db)) return;
  indexed.add(db);
  db.exec(`DROP TABLE IF EXISTS temp.oracle_text;
    CREATE VIRTUAL TABLE temp.oracle_text USING fts5(content, tokenize='ascii');`);
  const insert = db.prepare('INSERT INTO oracle_text (rowid, content) VALUES (?, ?)');
  for (const r of db.prepare('SELECT seq, content FROM memories').all() as {
    seq: number;
    content: string;
  }[]) {
    insert.run(r.seq, indexText(r.content));
  }
}

/** The exhaustive ranking: every match scored by SQLite's bm25() and sorted, filters in SQL. */
function oracle(
  db: DatabaseSync,
  vis: Visibility,
  q: string,
  f: Filters,
): { ids: string[]; scores: number[] } {
  oracleText(db);
  const where = ['m.principal = ?'];
  const params: SQLInputValue[] = [anyOf(queryTerms(q)), vis.principal];
  const tool = vis.ownTool ?? f.tool;
  if (vis.ownTool !== null && f.tool !== undefined && f.tool !== vis.ownTool) return { ids: [], scores: [] };
  if (tool !== undefined) {
    where.push('m.tool = ?');
    params.push(tool);
  }
  if (f.type !== undefined) {
    where.push('m.type = ?');
    params.push(f.type);
  }
  if (f.namespace !== undefined) {
    where.push('m.namespace = ?');
    params.push(f.namespace);
  }
  for (const t of f.tags ?? []) {
    where.push('EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value = ?)');
    params.push(t);
  }
  const rows = db
    .prepare(
      `SELECT m.id AS id, bm25(oracle_text) AS score FROM oracle_text
       CROSS JOIN memories AS m ON m.seq = oracle_text.rowid
       WHERE oracle_text MATCH ? AND ${where.join(' AND ')}
       ORDER BY score, m.created_key DESC, m.id DESC`,
    )
    .all(...params) as { id: string; score: number }[];
  return { ids: rows.map((x) => x.id), scores: rows.map((x) => -x.score) };
}

/**
 * The exhaustive ranking, by brute force: every stored memory scored from its content with BM25 as SQLite's
 * bm25() defines it (k1 = 1.2, b = 0.75, idf = ln((N − n + 0.5)/(n + 0.5)) floored at 1e-6), then sorted.
 */
function bruteForce(db: DatabaseSync, vis: Visibility, q: string, f: Filters): { ids: string[] } {
  const all = db.prepare('SELECT * FROM memories').all() as unknown as StoredMemoryText[];
  const docs = all.map((row) => {
    const text = indexText(row.content);
    return { row, terms: text === '' ? [] : text.split(' ') };
  });
  const phrases = [...new Set(queryTerms(q).flatMap((t) => t.terms))];
  const nRow = docs.length;
  const avgdl = docs.reduce((n, d) => n + d.terms.length, 0) / nRow;
  const idf = phrases.map((p) => {
    const hits = docs.filter((d) => d.terms.includes(p)).length;
    const v = Math.log((nRow - hits + 0.5) / (hits + 0.5));
    return v <= 0 ? 1e-6 : v;
  });
  const tool = vis.ownTool ?? f.tool;
  if (vis.ownTool !== null && f.tool !== undefined && f.tool !== vis.ownTool) return { ids: [] };
  const scored = docs
    .filter(({ row, terms }) => {
      if (!phrases.some((p) => terms.includes(p))) return false;
      if (row.principal !== vis.principal) return false;
      if (tool !== undefined && row.tool !== tool) return false;
      if (f.type !== undefined && row.type !== f.type) return false;
      if (f.namespace !== undefined && row.namespace !== f.namespace) return false;
      const tags = JSON.parse(row.tags) as string[];
      return (f.tags ?? []).every((t) => tags.includes(t));
    })
    .map(({ row, terms }) => {
      let score = 0;
      phrases.forEach((p, i) => {
        const tf = terms.filter((t) => t === p).length;
        const d = terms.length;
        score += (idf[i] as number) * ((tf * (1.2 + 1.0)) / (tf + 1.2 * (1 - 0.75 + (0.75 * d) / avgdl)));
      });
      return { row, score };
    });
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      (a.row.created_key < b.row.created_key ? 1 : a.row.created_key > b.row.created_key ? -1 : 0) ||
      (a.row.id < b.row.id ? 1 : -1),
  );
  return { ids: scored.map((x) => x.row.id) };
}

const stores: MemoryStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** A store with `n` random memories of two principals; with `churn`, a fifth of them then updated or deleted. */
async function randomStore(
  seed: number,
  n: number,
  churn = true,
): Promise<{ store: MemoryStore; db: DatabaseSync; r: Random }> {
  const r = prng(seed);
  const db = openDatabase(':memory:');
  // A fixed clock that moves in steps, so that some memories share created_at and ties fall to the id.
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const store = new MemoryStore(db, { now: () => clock, cacheTotals: false });
  stores.push(store);
  const created = [];
  for (let i = 0; i < n; i++) {
    if (r() < 0.5) clock += 1000;
    created.push(store.create(r() < 0.85 ? 'alice' : 'bob', memory(r)));
  }
  const rows = await Promise.all(created);
  // Search once so the index exists, then change the store under it: updates and deletes must keep it in step.
  store.search({ principal: 'alice', ownTool: null }, queryTerms('user'), {}, 1, 0);
  for (const row of rows.slice(0, churn ? Math.floor(n / 5) : 0)) {
    const vis = { principal: row.principal, ownTool: null };
    if (r() < 0.5) await store.delete(vis, null, row.id);
    else {
      const m = memory(r);
      await store.update(vis, null, row.id, { content: m.content, tags: m.tags ?? [], type: m.type });
    }
  }
  return { store, db, r };
}

/** Random queries, visibilities, filters and pages; each answer compared with `expected`. */
function compareQueries(
  store: MemoryStore,
  r: Random,
  expected: (vis: Visibility, q: string, f: Filters) => { ids: string[] },
): number {
  let compared = 0;
  for (let i = 0; i < 120; i++) {
    const q = Array.from({ length: 1 + Math.floor(r() * 7) }, () => (r() < 0.1 ? 'zzz' : word(r))).join(' ');
    const vis: Visibility = { principal: r() < 0.8 ? 'alice' : 'bob', ownTool: r() < 0.15 ? 'cursor' : null };
    const f = randomFilters(r);
    const limit = 1 + Math.floor(r() * 20);
    const offset = r() < 0.3 ? Math.floor(r() * 40) : 0;
    const want = expected(vis, q, f);
    const page = store.search(vis, queryTerms(q), f, limit, offset);
    const context = `${q} ${JSON.stringify(vis)} ${JSON.stringify(f)} ${limit}/${offset}`;
    expect(page.total, context).toBe(want.ids.length);
    expect(
      page.rows.map((row) => row.id),
      context,
    ).toEqual(want.ids.slice(offset, offset + limit));
    compared += page.rows.length;
  }
  return compared;
}

describe('keyword top-k equals the exhaustive bm25 ranking', () => {
  test.each([1, 2])(
    'memories only added (store %i): same as FTS5 bm25() and as brute force',
    async (seed) => {
      const { store, db, r } = await randomStore(seed, 400, false);
      const compared = compareQueries(store, r, (vis, q, f) => {
        const fts = oracle(db, vis, q, f);
        expect(bruteForce(db, vis, q, f).ids).toEqual(fts.ids); // the brute force is faithful to SQLite
        return fts;
      });
      expect(compared).toBeGreaterThan(300); // the queries did find things
    },
  );

  test.each([3, 4, 5])('after updates and deletes (store %i): same as brute force', async (seed) => {
    const { store, db, r } = await randomStore(seed, 400);
    const compared = compareQueries(store, r, (vis, q, f) => bruteForce(db, vis, q, f));
    expect(compared).toBeGreaterThan(300);
  });

  test('a filtered query still fills its page from matches ranked below unfiltered ones', async () => {
    const { store, db } = await randomStore(7, 300);
    const vis = { principal: 'alice', ownTool: null };
    const f: Filters = { type: 'procedural', tags: ['travel'] };
    const expected = oracle(db, vis, 'user', f);
    expect(expected.ids.length).toBeGreaterThan(5);
    const page = store.search(vis, queryTerms('user'), f, 5, 0);
    expect(page.rows).toHaveLength(5);
    expect(
      page.rows.every((row) => row.type === 'procedural' && JSON.parse(row.tags).includes('travel')),
    ).toBe(true);
    expect(page.total).toBe(expected.ids.length);
  });

  test('a write that rolls back leaves the ranking as it was', async () => {
    const { store, db } = await randomStore(11, 100);
    const vis = { principal: 'alice', ownTool: null };
    const before = store.search(vis, queryTerms('owl kiwi'), {}, 50, 0);
    function* items() {
      for (let i = 0; i < 3; i++) {
        yield {
          id: `mem_rollback${i}`,
          content: 'owl kiwi owl kiwi',
          type: 'semantic',
          source: { tool: 'zed', timestamp: '2026-01-01T00:00:00.000Z' },
          tags: [],
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
          expires_at: null,
        };
      }
      throw new Error('the request body broke off');
    }
    await expect(store.import(vis, null, items(), 'skip')).rejects.toThrow(/broke off/);
    const after = store.search(vis, queryTerms('owl kiwi'), {}, 50, 0);
    expect(after.total).toBe(before.total);
    expect(after.rows.map((row) => row.id)).toEqual(before.rows.map((row) => row.id));
    expect(bruteForce(db, vis, 'owl kiwi', {}).ids).toEqual(before.rows.map((row) => row.id));
  });
});

describe('keyword index, directly', () => {
  const doc = (seq: number, text: string, extra: Partial<KeywordDoc> = {}): KeywordDoc => ({
    seq,
    text,
    principal: 'p',
    tool: 't',
    type: 'semantic',
    namespace: null,
    tags: [],
    createdKey: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000000000`,
    id: `mem_${seq}`,
    ...extra,
  });

  test('`accept` restricts the matches before the top k and the total', () => {
    const index = new KeywordIndex();
    for (let seq = 1; seq <= 30; seq++) index.add(doc(seq, seq % 3 === 0 ? 'owl owl' : 'owl'));
    const all = index.search(['owl'], { principal: 'p' }, 5);
    expect(all.total).toBe(30);
    expect(all.seqs).toEqual([30, 27, 24, 21, 18]); // tf 2 first, then newer first
    const odd = index.search(['owl'], { principal: 'p' }, 5, (seq) => seq % 2 === 1);
    expect(odd.total).toBe(15);
    expect(odd.seqs).toEqual([27, 21, 15, 9, 3]);
  });

  test('tags must all be present; an unknown filter value matches nothing', () => {
    const index = new KeywordIndex();
    index.add(doc(1, 'owl', { tags: ['a', 'b'] }));
    index.add(doc(2, 'owl', { tags: ['a'] }));
    index.add(doc(3, 'owl', { tags: ['b', 'a', 'c'] }));
    expect(index.search(['owl'], { principal: 'p', tags: ['a', 'b'] }, 10).seqs).toEqual([3, 1]);
    expect(index.search(['owl'], { principal: 'p', tags: ['a', 'a'] }, 10).total).toBe(3);
    expect(index.search(['owl'], { principal: 'p', tags: ['zzz'] }, 10).total).toBe(0);
    expect(index.search(['owl'], { principal: 'nobody' }, 10).total).toBe(0);
    index.remove(3);
    expect(index.search(['owl'], { principal: 'p', tags: ['b'] }, 10).seqs).toEqual([1]);
  });

  test('a filter the index does not apply is refused, not ignored', () => {
    const store = new MemoryStore(openDatabase(':memory:'));
    stores.push(store);
    // A filter Filters may gain later (the control level's `states` is applied through `accept`).
    const filters = { x_colour: 'red' } as unknown as Filters;
    expect(() => store.search({ principal: 'p', ownTool: null }, queryTerms('owl'), filters, 5, 0)).toThrow(
      /cannot apply filter x_colour/,
    );
  });
});
