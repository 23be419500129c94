/**
 * What only the Postgres store needs beyond the shared store suite, on PGlite (in-process PostgreSQL): text
 * PostgreSQL cannot hold (U+0000) round-trips, query text is never tsquery syntax, the keyword ranking keeps the
 * properties of SPEC.md §6.1, two stores on one database (two server processes) see each other's writes, and
 * the Search level with pgvector's HNSW index and without it.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { afterEach, describe, expect, test } from 'vitest';
import { queryTerms } from '../src/search/tokenize.ts';
import { type Database, pgliteDatabase } from '../src/storage/postgres/database.ts';
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';
import type { Visibility } from '../src/storage/store.ts';
import { hashEmbedder } from './store-suite/hash-embedder.ts';

const owner: Visibility = { principal: 'p', ownTool: null };
const body = (content: string, extra: Record<string, unknown> = {}) => ({
  content,
  type: 'semantic' as const,
  source: { tool: 'claude' },
  ...extra,
});

let stores: PostgresStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});
/**
 * A database whose next transactions fail as a connection can: `before` (refused before anything ran) or
 * `after` (the COMMIT went through but its answer was lost); `ok` passes.
 */
function flaky(db: Database, plan: Array<'before' | 'after' | 'ok'>): Database {
  const lost = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' });
  return {
    query: (text, params) => db.query(text, params),
    lease: (ns) => db.lease(ns),
    end: () => db.end(),
    async transaction(fn) {
      const step = plan.shift() ?? 'ok';
      if (step === 'before') throw lost();
      const out = await db.transaction(fn);
      if (step === 'after') throw lost();
      return out;
    },
  };
}

async function fresh(): Promise<PostgresStore> {
  const s = await PostgresStore.pglite(new PGlite());
  stores.push(s);
  return s;
}

describe('Postgres store on PGlite', () => {
  test('U+0000 and the escape character round-trip in content, namespace and tool; filters match them', async () => {
    const s = await fresh();
    const content = 'nul \u0000 here, escape \uE000 there, both \uE0000 and \u0000\uE000 1';
    const row = await s.create(
      'p',
      body(content, { namespace: 'ns\u0000x', source: { tool: 'to\u0000ol\uE000' } }),
    );
    const got = await s.get(owner, row.id);
    expect(got?.content).toBe(content);
    expect(got?.namespace).toBe('ns\u0000x');
    expect(got?.tool).toBe('to\u0000ol\uE000');
    expect((await s.list(owner, { namespace: 'ns\u0000x' }, 'created_at_desc', 10, 0)).total).toBe(1);
    expect((await s.list(owner, { namespace: 'ns' }, 'created_at_desc', 10, 0)).total).toBe(0);
    expect((await s.list(owner, { tool: 'to\u0000ol\uE000' }, 'created_at_desc', 10, 0)).total).toBe(1);
    await s.putApp('p', 'app\u0000name', true, '[]', new Date().toISOString());
    expect((await s.apps('p')).map((a) => a.name)).toEqual(['app\u0000name']);
    expect((await s.toolCounts('p')).map((t) => t.tool)).toEqual(['to\u0000ol\uE000']);
  });

  test('quotes, backslashes and tsquery operators in a query are plain text', async () => {
    const s = await fresh();
    await s.create('p', body("o'brien wrote a back\\slash & a pipe | and ! bang"));
    for (const q of ["o'brien", 'back\\slash', "'", '\\', '& | ! :* <-> ( )', "o'brien & !bang:*"]) {
      const page = await s.search(owner, queryTerms(q), {}, 10, 0);
      expect(page.total).toBe(page.rows.length);
    }
    expect((await s.search(owner, queryTerms("o'brien"), {}, 10, 0)).total).toBe(1);
    expect((await s.search(owner, queryTerms('bang:*'), {}, 10, 0)).total).toBe(1);
    expect((await s.search(owner, queryTerms('ban:*'), {}, 10, 0)).total).toBe(0); // no prefix matching
  });

  test('ranking: more distinct query tokens, rarer tokens, a larger share of a shorter content rank first', async () => {
    const s = await fresh();
    for (let i = 0; i < 6; i++) await s.create('p', body(`common filler note number ${i} about garden`));
    const both = await s.create('p', body('garden zebra notes'));
    const rare = await s.create('p', body('zebra crossing ahead today'));
    const short = await s.create('p', body('walrus'));
    const long = await s.create('p', body('walrus in a very long sentence with many other words in it'));
    const twoTerms = await s.search(owner, queryTerms('garden zebra'), {}, 3, 0);
    expect(twoTerms.rows[0]?.id).toBe(both.id);
    // zebra is in 2 memories, garden in 7: the memory with only the rare token outranks those with the common one.
    expect(twoTerms.rows[1]?.id).toBe(rare.id);
    const share = await s.search(owner, queryTerms('walrus'), {}, 10, 0);
    expect(share.rows.map((r) => r.id)).toEqual([short.id, long.id]);
  });

  test('two stores on one database (two server processes): writes, caches and idempotency records are shared', async () => {
    const db = pgliteDatabase(new PGlite());
    const a = await PostgresStore.on(db);
    const b = await PostgresStore.on(db); // migrations already applied: nothing to do
    stores.push(a); // closing one closes the shared database
    await b.purgeExpired();
    const before = b.generation;
    const row = await a.create('p', body('written by process a'));
    expect((await b.get(owner, row.id))?.content).toBe('written by process a');
    await b.purgeExpired(); // what a response cache does before a lookup
    expect(b.generation).toBeGreaterThan(before);
    await a.idempotency.record('scope', 'key', {
      fingerprint: 'f',
      status: 201,
      body: '{}',
      headers: '{}',
      memory_id: row.id,
    });
    expect(await b.idempotency.lookup('scope', 'key')).toMatchObject({ memory_id: row.id });
  });

  test('Search level on pgvector: the HNSW index serves the ranking; a selective filter still fills the page', async () => {
    const db = new PGlite({ extensions: { vector } });
    const s = await PostgresStore.pglite(db, { embedder: hashEmbedder(), exactBelow: 0 });
    stores.push(s);
    expect(s.vectorSupport.pgvector).not.toBeNull();
    expect(s.vectorSupport.iterative).toBe(true);
    const words = ['otter', 'badger', 'heron', 'newt', 'vole', 'stoat', 'shrew', 'marten'];
    const items = Array.from({ length: 120 }, (_, i) =>
      body(`${words[i % words.length]} ${words[(i * 3) % words.length]} note ${i}`, {
        tags: i % 20 === 0 ? ['rare'] : [],
      }),
    );
    await Promise.all(items.map((item) => s.create('p', item))); // group-committed together
    // The plan of the query the store runs orders by the index (an Index Scan on the HNSW index).
    await db.exec('SET enable_seqscan = off');
    const plan = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT seq FROM memories m WHERE cardinality(m.vec) = 64
       ORDER BY ((m.vec::vector(64)) <=> $1::vector(64)) LIMIT 5`,
      [`[${Array(64).fill(0.125).join(',')}]`],
    );
    await db.exec('RESET enable_seqscan');
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('memories_vec_hnsw_64');
    const all = await s.semantic(owner, 'otter', {}, 10, 0);
    expect(all.total).toBe(120);
    expect(all.rows).toHaveLength(10);
    expect(all.rows[0]?.content.split(' ')).toContain('otter');
    // 6 of 120 memories carry the tag: the filter applies before the top k, so all 6 come back for limit 6.
    const rare = await s.semantic(owner, 'heron', { tags: ['rare'] }, 6, 0);
    expect(rare.total).toBe(6);
    expect(rare.rows).toHaveLength(6);
    expect(rare.rows.every((r) => r.tags === '["rare"]')).toBe(true);
    // The same ranking as the exact scan of a store without pgvector, for a filtered and an unfiltered query.
    const exact = await PostgresStore.pglite(new PGlite(), { embedder: hashEmbedder() });
    stores.push(exact);
    expect(exact.vectorSupport.pgvector).toBeNull();
    await Promise.all(items.map((item) => exact.create('p', item)));
    const exactRare = await exact.semantic(owner, 'heron', { tags: ['rare'] }, 6, 0);
    expect(exactRare.rows.map((r) => r.content).sort()).toEqual(rare.rows.map((r) => r.content).sort());
  }, 120_000);

  test('Search level: a client embedding of another size is refused (422) and nothing is stored', async () => {
    const s = await PostgresStore.pglite(new PGlite(), { embedder: hashEmbedder() });
    stores.push(s);
    await expect(s.create('p', body('wrong size', { embedding: [0.1, 0.2] }))).rejects.toMatchObject({
      status: 422,
    });
    expect(await s.count(owner)).toBe(0);
    const ok = await s.create('p', body('right size', { embedding: Array(64).fill(0.125) }));
    await expect(s.update(owner, null, ok.id, { embedding: [1] })).rejects.toMatchObject({ status: 422 });
    expect(JSON.parse((await s.get(owner, ok.id))?.embedding ?? '[]')).toHaveLength(64);
  });

  test('a Core store keeps client embeddings beyond float4 (huge, tiny): their vector is clamped, not refused', async () => {
    const s = await fresh();
    const row = await s.create('p', body('extreme', { embedding: [1e308, -1e308, 5e-324, 0.5] }));
    expect(JSON.parse((await s.get(owner, row.id))?.embedding ?? '[]')).toEqual([1e308, -1e308, 5e-324, 0.5]);
  });

  test('Search level: memories stored by a Core process get vectors when a process with the embedder starts', async () => {
    const db = pgliteDatabase(new PGlite());
    const core = await PostgresStore.on(db);
    for (let i = 0; i < 40; i++) await core.create('p', body(`stored without vector ${i} about otters`));
    const search = await PostgresStore.on(db, { embedder: hashEmbedder() });
    stores.push(search); // closing one closes the shared database
    await search.whenIndexed();
    expect(search.backlog).toBe(0);
    const page = await search.semantic(owner, 'otters', {}, 50, 0);
    expect(page.total).toBe(40);
    expect(page.rows).toHaveLength(40);
  });

  test('Search level: a semantic total leaves out memories without a vector of its size (maintained counts or a count); a hybrid total adds the keyword matches without one', async () => {
    const db = pgliteDatabase(new PGlite());
    const search = await PostgresStore.on(db, { embedder: hashEmbedder() });
    stores.push(search); // closing one closes the shared database
    await search.whenIndexed();
    const core = await PostgresStore.on(db); // started later: what it stores stays without a vector
    const other = await PostgresStore.on(db, { embedder: hashEmbedder(32) }); // another model's size
    const tagged = (i: number) => (i % 2 === 0 ? ['red'] : ['red', 'blue']);
    for (let i = 0; i < 12; i++) await search.create('p', body(`otter ${i}`, { tags: tagged(i) }));
    for (let i = 0; i < 5; i++) await core.create('p', body(`otter core ${i}`, { tags: tagged(i) }));
    for (let i = 0; i < 3; i++) await other.create('p', body(`otter other ${i}`, { tags: tagged(i) }));
    const totals = async () => ({
      all: (await search.semantic(owner, 'otter', {}, 5, 0)).total, // maintained count less 8
      red: (await search.semantic(owner, 'otter', { tags: ['red'] }, 5, 0)).total, // the same, per tag
      both: (await search.semantic(owner, 'otter', { tags: ['red', 'blue'] }, 5, 0)).total, // counted
    });
    expect(await totals()).toEqual({ all: 12, red: 12, both: 6 });
    expect((await search.list(owner, {}, 'created_at_desc', 1, 0)).total).toBe(20);
    // An expired memory awaiting its purge: the maintained counts are not the number, so the search counts.
    await search.create(
      'p',
      body('otter soon gone', { tags: ['red'], expires_at: new Date(Date.now() + 1500).toISOString() }),
    );
    expect((await totals()).all).toBe(13);
    await new Promise((r) => setTimeout(r, 1600));
    expect(await totals()).toEqual({ all: 12, red: 12, both: 6 });
    // Hybrid: the semantic matches (13 with vectors) and the keyword matches without one (1 of the 2).
    await core.create('p', body('quarterly taxes, written without a vector'));
    await search.create('p', body('quarterly taxes, written with one'));
    const hybrid = await search.hybrid(owner, 'taxes', queryTerms('taxes'), {}, 5, 0);
    expect(hybrid.total).toBe(14);
  });

  test('a write that fails at COMMIT (a deferred constraint) fails alone; the rest of its batch is stored', async () => {
    const db = pgliteDatabase(new PGlite());
    const s = await PostgresStore.on(db);
    stores.push(s);
    await db.query(`
      CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.content = 'poison' THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER poison AFTER INSERT ON memories DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION poison();`);
    const results = await Promise.allSettled([
      ...Array.from({ length: 8 }, (_, i) => s.create('p', body(`fine ${i}`))),
      s.create('p', body('poison')),
    ]);
    expect(results.slice(0, 8).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[8]).toMatchObject({ status: 'rejected', reason: { message: 'refused at commit' } });
    expect(await s.count(owner)).toBe(8);
    const listed = await s.list(owner, {}, 'created_at_asc', 20, 0);
    expect(listed.rows.map((r) => r.content).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `fine ${i}`),
    );
  });

  test('a COMMIT whose answer is lost is settled by its fate: committed writes resolve once, nothing twice', async () => {
    const plan: Array<'before' | 'after' | 'ok'> = [];
    const s = await PostgresStore.on(flaky(pgliteDatabase(new PGlite()), plan));
    stores.push(s);
    plan.push('after');
    const rows = await Promise.all(
      Array.from({ length: 5 }, (_, i) => s.create('p', body(`acked late ${i}`))),
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(5);
    expect(await s.count(owner)).toBe(5);
    for (const r of rows) expect((await s.get(owner, r.id))?.content).toBe(r.content);
  });

  test('a connection lost before COMMIT: retried, stored once; still failing, 503 unavailable and nothing stored', async () => {
    const plan: Array<'before' | 'after' | 'ok'> = [];
    const s = await PostgresStore.on(flaky(pgliteDatabase(new PGlite()), plan));
    stores.push(s);
    plan.push('before'); // the batch fails; each write is retried alone and succeeds
    const rows = await Promise.all([s.create('p', body('retried a')), s.create('p', body('retried b'))]);
    expect(rows.map((r) => r.content)).toEqual(['retried a', 'retried b']);
    expect(await s.count(owner)).toBe(2);
    plan.push('before', 'before', 'before'); // one write, three failed attempts
    await expect(s.create('p', body('never stored'))).rejects.toMatchObject({
      status: 503,
      code: 'unavailable',
      headers: { 'Retry-After': '1' },
    });
    expect(await s.count(owner)).toBe(2);
  });

  test('an idempotency claim of a store whose lease is gone (its process died) is free; a live one holds', async () => {
    const db = pgliteDatabase(new PGlite());
    const a = await PostgresStore.on(db);
    const b = await PostgresStore.on(db);
    stores.push(a);
    expect(await a.idempotency.claim?.('s', 'k')).toBe(true);
    expect(await b.idempotency.claim?.('s', 'k')).toBe(false);
    // PGlite has one session, so a's death is its lease lock released (what PostgreSQL does for a dead session).
    const { rows } = await db.query<{ owner: number }>(
      "SELECT owner FROM idempotency_claims WHERE key = 'k'",
    );
    await db.query('SELECT pg_advisory_unlock($1, $2)', [0x6f6d71, rows[0]?.owner]);
    expect(await b.idempotency.claim?.('s', 'k')).toBe(true);
    expect(await a.idempotency.claim?.('s', 'k')).toBe(false);
  });
});
