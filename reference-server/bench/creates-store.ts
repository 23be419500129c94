/**
 * The create path below HTTP (bench/WRITES.md): a MemoryStore on a fresh file, preloaded, then batches of
 * `--batch` creates queued at once (one group commit each, as 32 waiting clients make them). Prints per create:
 * the time inside the transaction (SQL + keyword index) and per batch the COMMIT (fsync), from timing db.exec,
 * and the thread's CPU time per create (steadier than wall time on a shared machine).
 *
 *   node bench/creates-store.ts [--preload 10000] [--batch 32] [--batches 200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/storage/database.ts';
import { MemoryStore } from '../src/storage/memory-store.ts';
import { createBodyAt, memoryAt } from './corpus.ts';

const { values } = parseArgs({
  options: {
    preload: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '32' },
    batches: { type: 'string', default: '200' },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'omp-creates-store-'));
const db = openDatabase(join(dir, 'bench.db'));
const timing = { commit: 0, commits: 0 };
const exec = db.exec.bind(db);
db.exec = (sql: string) => {
  if (sql !== 'COMMIT') return exec(sql);
  const t = performance.now();
  exec(sql);
  timing.commit += performance.now() - t;
  timing.commits++;
};
const store = new MemoryStore(db);
const vis = { principal: 'default', ownTool: null };
const preload = Number(values.preload);
for (let done = 0; done < preload; done += 1000) {
  await store.import(
    vis,
    null,
    Array.from({ length: Math.min(1000, preload - done) }, (_, i) => memoryAt(done + i, 1)),
    'skip',
  );
}
timing.commit = 0;
timing.commits = 0;
const batch = Number(values.batch);
const batches = Number(values.batches);
let n = 0;
const t0 = performance.now();
const cpu0 = process.threadCpuUsage();
for (let b = 0; b < batches; b++) {
  const writes = [];
  for (let i = 0; i < batch; i++) writes.push(store.create('default', createBodyAt(n++ % 5000)));
  await Promise.all(writes);
}
const total = performance.now() - t0;
const cpu = process.threadCpuUsage(cpu0);
const creates = batch * batches;
console.log(
  `preload ${preload}, ${batches} batches of ${batch}: ${Math.round((1000 * creates) / total)} creates/s; ` +
    `per create ${((1000 * (total - timing.commit)) / creates).toFixed(0)} µs outside COMMIT; ` +
    `COMMIT ${(timing.commit / timing.commits).toFixed(2)} ms (${timing.commits} commits); ` +
    `thread CPU ${((cpu.user + cpu.system) / creates).toFixed(0)} µs per create (${(cpu.system / creates).toFixed(0)} system)`,
);
store.close();
rmSync(dir, { recursive: true, force: true });
