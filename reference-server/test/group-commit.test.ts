/**
 * The group commit's deferred WAL sync (storage/group-commit.ts): on a WAL file a batch commits with
 * synchronous = NORMAL and settles only after an fdatasync of the WAL that started after its COMMIT. The sync is
 * the real fs.fdatasync, wrapped so a test can hold it (to look at the writes waiting on it) or fail it.
 */
import { fdatasync, fdatasyncSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../src/storage/database.ts';
import { GroupCommit, type SyncFile } from '../src/storage/group-commit.ts';

const dir = mkdtempSync(join(tmpdir(), 'omp-group-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A group commit on a fresh file whose syncs are held until released (or failed) by the test. */
function held(path = join(dir, `gc-${n++}.db`)) {
  const db = openDatabase(path);
  db.exec('CREATE TABLE t (v INTEGER) STRICT');
  const waiting: { release: (fail?: Error) => void }[] = [];
  const gc = new GroupCommit(db, {
    fdatasync: ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) =>
      waiting.push({
        release: (fail) => {
          if (!fail) fdatasyncSync(fd); // the real sync, done now so that the test need not wait for it
          cb(fail ? (fail as NodeJS.ErrnoException) : null);
        },
      })) as SyncFile,
  });
  const insert = (v: number) => gc.run(() => db.prepare('INSERT INTO t (v) VALUES (?)').run(v));
  return { db, gc, waiting, insert };
}

/** Settled-or-not of each promise, after the event loop has had a few turns. */
async function states(ps: Promise<unknown>[]): Promise<string[]> {
  const out = ps.map(() => 'pending');
  for (const [i, p] of ps.entries()) {
    p.then(
      () => {
        out[i] = 'resolved';
      },
      () => {
        out[i] = 'rejected';
      },
    );
  }
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return out;
}

const count = (db: DatabaseSync) => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
const synchronous = (db: DatabaseSync) =>
  (db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous;

describe('group commit: deferred WAL sync', () => {
  test('writes settle only after the sync that follows their COMMIT; batches committed meanwhile share the next', async () => {
    const { db, gc, waiting, insert } = held();
    const first = [insert(1), insert(2)];
    expect(await states(first)).toEqual(['pending', 'pending']); // committed, not yet synced
    expect(count(db)).toBe(2);
    expect(waiting).toHaveLength(1);
    const second = [insert(3)];
    await states(second);
    const third = [insert(4), insert(5)];
    await states(third);
    expect(waiting).toHaveLength(1); // one sync at a time: the batches since wait for the next
    waiting[0]?.release();
    expect(await states([...first, ...second, ...third])).toEqual([
      'resolved',
      'resolved',
      'pending',
      'pending',
      'pending',
    ]);
    expect(waiting).toHaveLength(2); // the next sync covers both later batches
    waiting[1]?.release();
    expect(await states([...second, ...third])).toEqual(['resolved', 'resolved', 'resolved']);
    expect(gc.stats).toEqual({ commits: 3, writes: 5 });
    gc.close();
    db.close();
  });

  test.each([
    ['a WAL file', (): DatabaseSync => held().db, 1],
    ['an in-memory database', (): DatabaseSync => openDatabase(':memory:'), 2],
  ])(
    'on %s a batch runs at its synchronous level (NORMAL 1 on a WAL file); other transactions keep FULL (2)',
    async (_, open, inBatch) => {
      const db = open();
      const gc = new GroupCommit(db, {
        fdatasync: ((fd: number, cb: () => void) => fdatasync(fd, cb)) as SyncFile,
      });
      const seen = await gc.run(() => synchronous(db));
      expect(seen).toBe(inBatch);
      expect(synchronous(db)).toBe(2);
      gc.close();
      db.close();
    },
  );

  test('a failed sync rejects its writes and every later one', async () => {
    const { db, gc, waiting, insert } = held();
    const first = insert(1);
    await states([first]);
    waiting[0]?.release(new Error('EIO: i/o error'));
    await expect(first).rejects.toThrow(/could not be synced to disk \(EIO/);
    await expect(insert(2)).rejects.toThrow(/could not be synced/);
    gc.close();
    db.close();
  });

  test('close syncs what is committed and settles it', async () => {
    const { db, gc, waiting, insert } = held();
    const w = insert(1);
    await states([w]);
    gc.close(); // the held sync never returns: close's own sync covers the write
    expect(await states([w])).toEqual(['resolved']);
    expect(waiting).toHaveLength(1);
    db.close();
  });
});
