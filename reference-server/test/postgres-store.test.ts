/**
 * What only the Postgres store needs beyond the shared store suite, on PGlite (in-process PostgreSQL): text
 * PostgreSQL cannot hold (U+0000) round-trips, query text is never tsquery syntax, the keyword ranking keeps the
 * properties of SPEC.md §6.1, and two stores on one database (two server processes) see each other's writes.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, test } from 'vitest';
import { queryTerms } from '../src/search/tokenize.ts';
import { pgliteDatabase } from '../src/storage/postgres/database.ts';
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';
import type { Visibility } from '../src/storage/store.ts';

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
});
