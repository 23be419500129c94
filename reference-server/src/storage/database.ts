import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ensureControlSchema } from './control-schema.ts';
import { migrate } from './migrations.ts';

/** How the file is kept to one server process. */
export interface OpenOptions {
  /**
   * `exclusive` (default): `locking_mode = EXCLUSIVE` on the one connection, so no other connection, in this
   * process or another, can open the file. `shared`: the caller holds the sidecar lock (lockDatabase) and may
   * open read-only connections beside this one (openReader).
   */
  locking?: 'exclusive' | 'shared';
}

const inUse = (path: string, err: unknown): Error => {
  const message = err instanceof Error ? err.message : String(err);
  return /locked|busy/i.test(message)
    ? new Error(`database ${path} is in use by another process (${message})`)
    : (err as Error);
};

/** Open (creating if needed) the SQLite database, set durability pragmas and migrate it. */
export function openDatabase(path: string, options: OpenOptions = {}): DatabaseSync {
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    // One server process owns the file: a second one fails at start instead of interleaving writes.
    if ((options.locking ?? 'exclusive') === 'exclusive') db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('PRAGMA busy_timeout = 250');
    // WAL + synchronous=FULL: every COMMIT is fsynced before it returns, so an acknowledged write survives
    // kill -9 and power loss (OMP-HTTP-015). Group commit (group-commit.ts) amortises the fsync.
    if (!memory) db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA cache_size = -32768'); // 32 MiB page cache: bounds RSS growth during scans such as export
    db.exec('PRAGMA temp_store = MEMORY');
    db.exec('PRAGMA trusted_schema = OFF');
    migrate(db);
    ensureControlSchema(db);
  } catch (err) {
    db.close();
    throw inUse(path, err);
  }
  return db;
}

/**
 * Take the sidecar lock `<path>.lock` for this process: a tiny SQLite file held in `locking_mode = EXCLUSIVE`
 * after one exclusive transaction. The lock is a POSIX record lock, so the kernel releases it when the process
 * ends, however it ends (kill -9 included), and a second server on the same database fails at start. Close the
 * returned connection to release it. The database itself can then run in WAL's shared mode, where read-only
 * connections read beside the writer.
 */
export function lockDatabase(path: string): DatabaseSync {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  const lock = new DatabaseSync(`${path}.lock`);
  try {
    lock.exec('PRAGMA locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    lock.exec('COMMIT');
  } catch (err) {
    lock.close();
    throw inUse(path, err);
  }
  return lock;
}

/** A read-only connection to a database another connection of this process writes in WAL mode. */
export function openReader(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { readOnly: true });
  db.exec('PRAGMA busy_timeout = 250');
  db.exec('PRAGMA cache_size = -32768');
  db.exec('PRAGMA temp_store = MEMORY');
  db.exec('PRAGMA trusted_schema = OFF');
  return db;
}
