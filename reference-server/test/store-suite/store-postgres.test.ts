/**
 * The store behaviour suite (store-suite.ts) on a real PostgreSQL server, at the Search level both ways: with
 * pgvector (every semantic search through the HNSW index) and without it (a role that may not create the
 * extension: exact vector search). store.test.ts runs the same suite on PGlite. Skipped, with the reason and
 * how to install what is missing, where PostgreSQL or pgvector is not installed.
 */
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest';
import { PostgresStore } from '../../src/storage/postgres/postgres-store.ts';
import { findPgvector, findPostgres, type PostgresCluster, startPostgres } from '../postgres-cluster.ts';
import { hashEmbedder } from './hash-embedder.ts';
import { type StoreFactory, storeSuite } from './store-suite.ts';

const found = findPostgres();
const reason = 'missing' in found ? found.missing : findPgvector(found.bin);
if (reason) console.warn(`store-postgres.test.ts skipped: ${reason}`);

let cluster: PostgresCluster | undefined;
let n = 0;
/** Databases of the running test, dropped after it (so the server's shutdown has not their pages to write). */
const created: string[] = [];

/**
 * Fresh databases owned by `role`, each store opened as that role (every semantic search through the HNSW
 * index where there is one); `reopen` opens the last one again. Opening fails unless the store found pgvector
 * exactly when `hnsw` says so, so neither line can pass on the other path.
 */
function databases(role: string, hnsw: boolean): StoreFactory {
  let last = '';
  const open = async (url: string) => {
    const store = await PostgresStore.open(url, { embedder: hashEmbedder(), exactBelow: 0 });
    if ((store.vectorIndex?.method === 'hnsw') !== hnsw) {
      await store.close();
      throw new Error(`the store as ${role} ${hnsw ? 'has no' : 'has an'} HNSW index`);
    }
    return store;
  };
  return {
    async open() {
      if (!cluster) throw new Error('no PostgreSQL server');
      const name = `suite_${n++}`;
      await cluster.admin(`CREATE DATABASE ${name} OWNER ${role}`);
      created.push(name);
      last = cluster.urlOf(name, role);
      return open(last);
    },
    reopen: () => open(last),
  };
}

if (reason) {
  describe('store behaviour on a real PostgreSQL', () => {
    test.skip(`skipped: ${reason}`, () => {});
  });
} else {
  beforeAll(async () => {
    if (!('bin' in found)) return;
    cluster = await startPostgres(found.bin);
    // Not a superuser: it may not create pgvector (not a trusted extension), as on a managed server.
    await cluster.admin('CREATE ROLE omp_app LOGIN');
  }, 60_000);
  // After the suite's own afterEach has closed the test's stores.
  afterEach(async () => {
    for (const name of created.splice(0)) await cluster?.admin(`DROP DATABASE ${name} WITH (FORCE)`);
  });
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);
  storeSuite(
    'PostgresStore, PostgreSQL + pgvector, Search level (every semantic search through the HNSW index)',
    databases('omp', true),
  );
  storeSuite(
    'PostgresStore, PostgreSQL, Search level, a role that may not create pgvector (exact vector search)',
    databases('omp_app', false),
  );
}
