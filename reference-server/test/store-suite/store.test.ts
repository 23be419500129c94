/**
 * The store behaviour suite (store-suite.ts) against every Store implementation: one line per implementation
 * and database kind. A Postgres store (issue #17) adds its line here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { afterAll, describe, expect, test } from 'vitest';
import { AccessLog } from '../../src/control/access-log.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import { PostgresStore } from '../../src/storage/postgres/postgres-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { WorkerStore } from '../../src/storage/worker-store.ts';
import { hashEmbedder } from './hash-embedder.ts';
import { type StoreFactory, storeSuite } from './store-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'omp-store-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;

/** A factory over fresh database files; `reopen` opens the last one again. */
function files(open: (path: string) => Promise<Store>): StoreFactory {
  let last = '';
  return {
    open: () => {
      last = join(dir, `store-${n++}.db`);
      return open(last);
    },
    reopen: () => open(last),
  };
}

storeSuite('LocalStore, :memory:', { open: async () => LocalStore.open(':memory:', null) });
storeSuite(
  'LocalStore, file',
  files(async (path) => LocalStore.open(path, null)),
);
storeSuite('WorkerStore, :memory: (writer only)', { open: () => WorkerStore.open(':memory:', null) });
storeSuite(
  'WorkerStore, file (writer + reader)',
  files((path) => WorkerStore.open(path, null)),
);
storeSuite('LocalStore, Search level', { open: async () => LocalStore.open(':memory:', hashEmbedder()) });
storeSuite(
  'WorkerStore, file, Search level (embedder on the server thread)',
  files((path) => WorkerStore.open(path, hashEmbedder())),
);
storeSuite('PostgresStore, PGlite (in-process PostgreSQL)', {
  open: () => PostgresStore.pglite(new PGlite()),
});
storeSuite('PostgresStore, PGlite, Search level (no pgvector: exact vector search)', {
  open: () => PostgresStore.pglite(new PGlite(), { embedder: hashEmbedder() }),
});
storeSuite('PostgresStore, PGlite + pgvector, Search level (every semantic search through the HNSW index)', {
  open: () =>
    PostgresStore.pglite(new PGlite({ extensions: { vector } }), { embedder: hashEmbedder(), exactBelow: 0 }),
});

describe('one server per database file', () => {
  test('a second WorkerStore on the same file refuses to open; closing the first releases the lock', async () => {
    const path = join(dir, 'locked.db');
    const first = await WorkerStore.open(path, null);
    await expect(WorkerStore.open(path, null)).rejects.toThrow(/in use by another process/);
    expect(() => LocalStore.open(path, null)).toThrow(/in use by another process/);
    await first.close();
    const again = await WorkerStore.open(path, null);
    await again.close();
  });
});

describe('the access log over the worker store', () => {
  test('a flush resolves only after batches sent before it (the timer’s) are stored', async () => {
    const store = await WorkerStore.open(join(dir, 'log.db'), null);
    const log = new AccessLog(store);
    try {
      for (let round = 0; round < 20; round++) {
        log.record({
          principal: 'p',
          operation: 'get',
          via: 'http',
          app: null,
          memoryIds: [],
          requestId: `req_${round}`,
        });
        void log.flush(); // as the timer does: the batch is on its way to the writer
        await log.flush(); // nothing left to send, yet it waits for that batch
        const rows = await store.queryLog({ principal: 'p', limit: 1 });
        expect(rows[0]?.request_id).toBe(`req_${round}`);
      }
    } finally {
      await log.close();
      await store.close();
    }
  });
});
