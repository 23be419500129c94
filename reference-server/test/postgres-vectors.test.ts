/**
 * The Search level on a real PostgreSQL server (issue #17, src/storage/postgres/vectors.ts), where PGlite cannot
 * tell: pgvector loaded by a server process per session, the planner of a real server, roles and privileges.
 * With pgvector: the HNSW index answers (the store's own query, recorded and explained, is an index scan), its
 * ranking equals the exact one, a selective filter still fills the page (iterative scan, on fresh sessions
 * whose hnsw settings are set before the library is loaded), hybrid fuses it. Without it (a role that may not
 * create the extension, as on a managed server): exact search, the same results. An extension an administrator
 * created beforehand is used by such a role; one installed after memories were stored is indexed by the next
 * process without holding up another's writes (several processes: only a real server has them), and an index
 * a cancelled build left invalid is built again. The oracle is cosine computed here from the vectors stored.
 * Skipped, with the reason and how to install what is missing, where PostgreSQL or pgvector is not installed.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { queryTerms } from '../src/search/tokenize.ts';
import { type Database, poolDatabase, type Queryable } from '../src/storage/postgres/database.ts';
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';
import { exactRanking, indexRanking } from '../src/storage/postgres/vectors.ts';
import type { Visibility } from '../src/storage/store.ts';
import { sleep } from './helpers.ts';
import { findPgvector, findPostgres, type PostgresCluster, startPostgres } from './postgres-cluster.ts';
import { hashEmbedder } from './store-suite/hash-embedder.ts';

const found = findPostgres();
const reason = 'missing' in found ? found.missing : findPgvector(found.bin);
if (reason) console.warn(`postgres-vectors.test.ts skipped: ${reason}`);

const DIMS = 64;
const owner: Visibility = { principal: 'p', ownTool: null };
const WORDS = ['otter', 'badger', 'heron', 'newt', 'vole', 'stoat', 'shrew', 'marten', 'lynx', 'ibex'];

/** A database that keeps the text and parameters of every statement it runs, transactions included. */
function recording(db: Database): Database & { log: Array<{ text: string; params: unknown[] }> } {
  const log: Array<{ text: string; params: unknown[] }> = [];
  const rec = (q: Queryable): Queryable => ({
    query(text, params) {
      log.push({ text, params: params ?? [] });
      return q.query(text, params);
    },
  });
  return {
    log,
    query: rec(db).query,
    transaction: (fn) => db.transaction((tx) => fn(rec(tx))),
    lease: (ns) => db.lease(ns),
    end: () => db.end(),
  };
}
const isIndexQuery = (text: string) => text.includes('<=>');
const isExactQuery = (text: string) => text.includes('unnest(m.vec');

/** Deterministic vectors (a linear congruential generator): distinct, so rankings have no ties. */
function vectors(n: number, seed: number): number[][] {
  let s = seed;
  const next = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
  return Array.from({ length: n }, () => Array.from({ length: DIMS }, () => Math.round(next() * 1e6) / 1e6));
}

/** `n` memories with those vectors; every tenth (or `rareEvery`th) tagged `rare`. */
function items(n: number, rareEvery = 10) {
  return vectors(n, 7).map((embedding, i) => ({
    content: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7 + 3) % WORDS.length]} note`,
    type: 'semantic' as const,
    source: { tool: 'claude' },
    tags: i % rareEvery === 0 ? ['rare'] : [],
    embedding,
  }));
}

/** The contents of the `limit` memories most similar to `q` among `pool`, by cosine computed here. */
async function oracle(pool: ReturnType<typeof items>, q: string, limit: number): Promise<string[]> {
  const [query] = await hashEmbedder(DIMS).embed([q], 'query');
  const cos = (v: number[]) => {
    let dot = 0;
    let norm = 0;
    v.forEach((x, i) => {
      dot += x * (query?.[i] ?? 0);
      norm += x * x;
    });
    return dot / Math.sqrt(norm);
  };
  return pool
    .map((m) => ({ embedding: m.embedding, score: cos(m.embedding) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((m) => JSON.stringify(m.embedding));
}
/** The stored embeddings of a page's memories, in its order (pages leave `embedding` out: read each one). */
async function embeddingsOf(store: PostgresStore, rows: ReadonlyArray<{ id: string }>): Promise<string[]> {
  const full = await Promise.all(rows.map((r) => store.get(owner, r.id)));
  return full.map((r) => JSON.stringify(JSON.parse(r?.embedding ?? 'null')));
}

describe.skipIf(reason !== '')('the Search level on a real PostgreSQL with pgvector', () => {
  let cluster: PostgresCluster;
  let stores: PostgresStore[] = [];
  let n = 0;

  beforeAll(async () => {
    if (!('bin' in found)) return;
    cluster = await startPostgres(found.bin);
    // An application role as on a managed server: it owns its database but is no superuser, so it may not
    // create pgvector (not a trusted extension).
    await cluster.admin('CREATE ROLE omp_app LOGIN');
  }, 60_000);
  afterEach(async () => {
    for (const s of stores) await s.close();
    stores = [];
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /**
   * A fresh database owned by `role`; `extension`: an administrator creates pgvector in it first; `noSort`:
   * the planner may not sort, so it must order by the HNSW index even where a bitmap scan and a sort would be
   * cheaper (as the planner of a small table with a filter it knows to be selective chooses), as it does on a
   * large table with a filter whose selectivity it misjudges.
   */
  async function database(role = 'omp', extension = false, noSort = false): Promise<string> {
    const name = `vectors_${n++}`;
    await cluster.admin(`CREATE DATABASE ${name} OWNER ${role}`);
    if (noSort) await cluster.admin(`ALTER DATABASE ${name} SET enable_sort = off`);
    if (extension) await asAdmin(name, 'CREATE EXTENSION vector');
    return cluster.urlOf(name, role);
  }

  /** Run a statement as the superuser on database `name`; its rows. */
  async function asAdmin(name: string, sql: string): Promise<unknown[]> {
    const client = new pg.Client({ connectionString: cluster.urlOf(name) });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  /** Whether a session of database `name` waits for a lock. */
  async function waitingForLock(name: string): Promise<boolean> {
    const rows = await asAdmin(
      'postgres',
      `SELECT 1 FROM pg_stat_activity WHERE datname = '${name}' AND wait_event_type = 'Lock'`,
    );
    return rows.length > 0;
  }

  async function open(url: string, exactBelow?: number) {
    const db = recording(poolDatabase(url));
    const store = await PostgresStore.on(db, {
      embedder: hashEmbedder(DIMS),
      ...(exactBelow === undefined ? {} : { exactBelow }),
    });
    stores.push(store);
    return { db, store };
  }

  /** The plan, on this server now, of the last index ranking statement in `log`. */
  async function planOf(url: string, log: Array<{ text: string; params: unknown[] }>): Promise<string> {
    const ran = log.findLast((x) => isIndexQuery(x.text));
    if (ran === undefined) return 'no index ranking statement ran';
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${ran.text}`, ran.params);
      return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await client.end();
    }
  }

  async function seed(store: PostgresStore, pool: ReturnType<typeof items>): Promise<void> {
    for (let i = 0; i < pool.length; i += 100) {
      await Promise.all(pool.slice(i, i + 100).map((item) => store.create('p', item)));
    }
  }

  test('the HNSW index answers semantic search (an index scan in the plan) and ranks as the exact cosine', async () => {
    const url = await database();
    const { db, store } = await open(url, 0);
    expect(store.vectorSupport).toEqual({ pgvector: expect.stringMatching(/^\d+\.\d+/), iterative: true });
    expect(store.vectorIndex).toEqual({
      method: 'hnsw',
      pgvector: store.vectorSupport.pgvector,
      exactBelow: 0,
    });
    const pool = items(60);
    await seed(store, pool);
    for (const q of ['otter', 'heron badger', 'lynx ibex note']) {
      db.log.length = 0;
      const top = await store.semantic(owner, q, {}, 10, 0);
      expect(top.total).toBe(60);
      expect(await embeddingsOf(store, top.rows)).toEqual(await oracle(pool, q, 10));
      const everything = await store.semantic(owner, q, {}, 60, 0);
      expect(await embeddingsOf(store, everything.rows)).toEqual(await oracle(pool, q, 60));
      expect(db.log.some((s) => isExactQuery(s.text))).toBe(false);
    }
    // The store's own statement, planned by this server as it stands: an index scan on the HNSW index.
    expect(await planOf(url, db.log)).toMatch(/Index Scan using memories_vec_hnsw_64/);
  }, 120_000);

  test('a selective filter applies before the top k: the iterative scan fills the page; without it, the exact scan does', async () => {
    const url = await database('omp', false, true);
    const { db, store } = await open(url, 0);
    const pool = items(600, 100); // 6 of 600 memories are rare
    await seed(store, pool);
    const rare = pool.filter((m) => m.tags.length > 0);
    // A new store: fresh sessions, where `SET LOCAL hnsw.…` runs before the session has loaded pgvector.
    const { db: freshDb, store: fresh } = await open(url, 0);
    for (const [s, log] of [
      [fresh, freshDb.log],
      [store, db.log],
    ] as const) {
      log.length = 0;
      const page = await s.semantic(owner, 'heron', { tags: ['rare'] }, 10, 0);
      expect(page.total).toBe(6);
      expect(await embeddingsOf(s, page.rows)).toEqual(await oracle(rare, 'heron', 10));
      // Answered by the index (iterative scan), not by the exact scan after a short walk.
      expect(log.some((x) => isIndexQuery(x.text))).toBe(true);
      expect(log.some((x) => isExactQuery(x.text))).toBe(false);
      expect(await planOf(url, log)).toMatch(/Index Scan using memories_vec_hnsw_64/);
    }
    // Without iterative scans (pgvector < 0.8) the walk of ef_search = 40 candidates finds too few rare ones:
    // the index ranking gives up (null) and the store ranks exactly, with every rare memory.
    const [query] = await hashEmbedder(DIMS).embed(['heron'], 'query');
    const where = "m.principal = $1 AND m.tag_list @> '{rare}'::text[]";
    const support = { pgvector: fresh.vectorSupport.pgvector, iterative: false };
    const poolDb = poolDatabase(url);
    try {
      expect(
        await indexRanking(poolDb, support, where, ['p'], query as Float32Array, DIMS, 10, 6),
      ).toBeNull();
      const exact = await exactRanking(poolDb, support, where, ['p'], query as Float32Array, DIMS, 10);
      expect(exact).toHaveLength(6);
    } finally {
      await poolDb.end();
    }
  }, 180_000);

  test('a filter whose matches lie past thousands of nearer vectors: the iterative scan walks there (384 dimensions)', async () => {
    // 5,000 memories close to the query's direction, untagged, and 1,000 far ones tagged `far`: in distance
    // order (strict_order) the scan passes every near one before the first far one, and its memory grows with
    // every tuple it visits. Its limit is work_mem × hnsw.scan_mem_multiplier; work_mem is 1 MB here so that the
    // limit bites at a size a test seeds quickly. Measured with the default multiplier: the scan runs out of
    // memory after about 3,950 near ones, and the 10 rows it still returns hold 1 of the exact top 10 (in the
    // 100k bench corpus the default 4 MB ran out after 2,308 and returned none).
    const dims = 384;
    const url = await database('omp', false, true);
    await cluster.admin(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET work_mem = '1MB'`);
    const store = await PostgresStore.on(poolDatabase(url), { embedder: hashEmbedder(dims), exactBelow: 0 });
    stores.push(store);
    let s = 11;
    const noise = (scale: number) => {
      s = (s * 16807) % 2147483647;
      return Math.round((s / 2147483647 - 0.5) * scale * 1e6) / 1e6;
    };
    const memory = (i: number, far: boolean) => ({
      id: `mem_${(far ? 5000 + i : i).toString(36).padStart(16, '0')}`,
      created_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      updated_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      expires_at: null,
      namespace: null,
      metadata: {},
      content: `${far ? 'far' : 'near'} ${i}`,
      type: 'semantic' as const,
      source: { tool: 'claude', timestamp: '2026-01-01T00:00:00.000Z' },
      tags: far ? ['far'] : [],
      embedding: Array.from({ length: dims }, (_, d) => (d === 0 && !far ? 1 : 0) + noise(far ? 1 : 0.02)),
    });
    const pool = [
      ...Array.from({ length: 5000 }, (_, i) => memory(i, false)),
      ...Array.from({ length: 1000 }, (_, i) => memory(i, true)),
    ];
    for (let i = 0; i < pool.length; i += 1000) {
      expect((await store.import(owner, null, pool.slice(i, i + 1000), 'skip')).imported).toBe(1000);
    }
    await asAdmin(new URL(url).pathname.slice(1), 'ANALYZE memories');
    const query = new Float32Array(dims);
    query[0] = 1;
    const where = "m.principal = $1 AND m.tag_list @> '{far}'::text[]";
    const poolDb = poolDatabase(url);
    try {
      const viaIndex = await indexRanking(poolDb, store.vectorSupport, where, ['p'], query, dims, 10, 10);
      expect(viaIndex).not.toBeNull();
      const exact = await exactRanking(poolDb, store.vectorSupport, where, ['p'], query, dims, 10);
      const far = new Set(exact.map((r) => r.seq));
      // Approximate: most of the exact top 10, and only memories the filter admits (all far ones score < 0.1).
      expect(viaIndex?.filter((r) => far.has(r.seq)).length).toBeGreaterThanOrEqual(7);
      expect(viaIndex?.every((r) => r.score < 0.5)).toBe(true);
    } finally {
      await poolDb.end();
    }
  }, 180_000);

  test('hybrid search through the HNSW index fuses the same rankings as through the exact scan', async () => {
    const url = await database();
    const { db, store: viaIndex } = await open(url, 0);
    const { store: exact } = await open(url); // the default threshold: 60 matches scan exactly
    expect(exact.vectorIndex?.exactBelow).toBeGreaterThan(60);
    await seed(viaIndex, items(60));
    for (const [q, filters] of [
      ['otter note', {}],
      ['heron marten', { tags: ['rare'] }],
    ] as const) {
      db.log.length = 0;
      const a = await viaIndex.hybrid(owner, q, queryTerms(q), filters, 10, 0);
      expect(db.log.some((x) => isIndexQuery(x.text))).toBe(true);
      const b = await exact.hybrid(owner, q, queryTerms(q), filters, 10, 0);
      expect(a.total).toBe(b.total);
      expect(a.rows.map((r) => r.id)).toEqual(b.rows.map((r) => r.id));
      expect(a.rows.length).toBe(Math.min(10, a.total));
    }
  }, 120_000);

  test('a role that may not create pgvector: exact search, the same results; no index declared', async () => {
    const url = await database('omp_app');
    const { db, store } = await open(url, 0);
    expect(store.vectorSupport).toEqual({ pgvector: null, iterative: false });
    expect(store.vectorIndex).toBeNull();
    const pool = items(600, 100);
    await seed(store, pool);
    db.log.length = 0;
    const top = await store.semantic(owner, 'lynx', {}, 10, 0);
    expect(top.total).toBe(600);
    expect(await embeddingsOf(store, top.rows)).toEqual(await oracle(pool, 'lynx', 10));
    const rare = await store.semantic(owner, 'heron', { tags: ['rare'] }, 10, 0);
    expect(await embeddingsOf(store, rare.rows)).toEqual(
      await oracle(
        pool.filter((m) => m.tags.length > 0),
        'heron',
        10,
      ),
    );
    const hybrid = await store.hybrid(owner, 'otter', queryTerms('otter'), {}, 10, 0);
    expect(hybrid.rows).toHaveLength(10);
    expect(db.log.some((x) => isExactQuery(x.text))).toBe(true);
    expect(db.log.some((x) => isIndexQuery(x.text))).toBe(false);
  }, 180_000);

  test('pgvector installed after memories were stored: the next process builds the index while the running one keeps writing', async () => {
    const url = await database('omp_app');
    const { store: running } = await open(url); // exact search: the role may not create pgvector
    expect(running.vectorIndex).toBeNull();
    const pool = items(200);
    await seed(running, pool);
    const late = { ...(items(201)[200] as (typeof pool)[number]), content: 'written while the index builds' };
    const name = new URL(url).pathname.slice(1);
    await asAdmin(name, 'CREATE EXTENSION vector');
    // A write transaction in flight on the table (another process's group commit, say) when the next starts.
    const inFlight = new pg.Client({ connectionString: url });
    await inFlight.connect();
    await inFlight.query('BEGIN');
    await inFlight.query('LOCK TABLE memories IN ROW EXCLUSIVE MODE');
    const starting = open(url, 0);
    try {
      // The starting process's index build waits for that transaction...
      for (let i = 0; i < 100 && !(await waitingForLock(name)); i++) await sleep(100);
      expect(await waitingForLock(name)).toBe(true);
      // ...and the running process writes meanwhile: its write is not queued behind the build's lock.
      const write = running.create('p', late);
      expect(await Promise.race([write.then(() => 'stored'), sleep(10_000).then(() => 'blocked')])).toBe(
        'stored',
      );
    } finally {
      await inFlight.query('COMMIT');
      await inFlight.end();
    }
    const { db, store } = await starting;
    expect(store.vectorIndex?.method).toBe('hnsw');
    expect(
      await asAdmin(
        name,
        "SELECT 1 FROM pg_index WHERE indexrelid = 'memories_vec_hnsw_64'::regclass AND indisvalid",
      ),
    ).toHaveLength(1);
    db.log.length = 0;
    const top = await store.semantic(owner, 'marten', {}, 10, 0);
    expect(await embeddingsOf(store, top.rows)).toEqual(await oracle([...pool, late], 'marten', 10));
    expect(db.log.some((x) => isIndexQuery(x.text))).toBe(true);
  }, 180_000);

  test('an index a cancelled build left invalid is dropped and built again by the next process', async () => {
    const url = await database();
    const { store: first } = await open(url, 0);
    await seed(first, items(60));
    const name = new URL(url).pathname.slice(1);
    await asAdmin(name, 'DROP INDEX memories_vec_hnsw_64');
    // A build cancelled while it waits for a write transaction leaves its index in the catalog, invalid.
    const inFlight = new pg.Client({ connectionString: url });
    await inFlight.connect();
    await inFlight.query('BEGIN');
    await inFlight.query('LOCK TABLE memories IN ROW EXCLUSIVE MODE');
    const builder = new pg.Client({ connectionString: url });
    await builder.connect();
    const build = builder
      .query(
        `CREATE INDEX CONCURRENTLY memories_vec_hnsw_64 ON memories
         USING hnsw ((vec::vector(64)) vector_cosine_ops) WHERE cardinality(vec) = 64`,
      )
      .then(
        () => 'built',
        () => 'cancelled',
      );
    for (let i = 0; i < 100 && !(await waitingForLock(name)); i++) await sleep(100);
    await asAdmin(
      name,
      `SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%'`,
    );
    expect(await build).toBe('cancelled');
    await builder.end();
    await inFlight.query('COMMIT');
    await inFlight.end();
    const valid = "SELECT indisvalid AS v FROM pg_index WHERE indexrelid = 'memories_vec_hnsw_64'::regclass";
    expect(await asAdmin(name, valid)).toEqual([{ v: false }]);
    const { store } = await open(url, 0);
    expect(store.vectorIndex?.method).toBe('hnsw');
    expect(await asAdmin(name, valid)).toEqual([{ v: true }]);
  }, 120_000);

  test('the same role where an administrator created pgvector beforehand: the store builds its index and uses it', async () => {
    const url = await database('omp_app', true);
    const { db, store } = await open(url, 0);
    expect(store.vectorIndex?.method).toBe('hnsw');
    const pool = items(60);
    await seed(store, pool);
    db.log.length = 0;
    const top = await store.semantic(owner, 'vole', {}, 10, 0);
    expect(await embeddingsOf(store, top.rows)).toEqual(await oracle(pool, 'vole', 10));
    expect(db.log.some((x) => isIndexQuery(x.text))).toBe(true);
  }, 120_000);
});
