import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ensureControlSchema } from './control-schema.ts';
import { migrate } from './migrations.ts';

/** Open (creating if needed) the SQLite database, set durability pragmas and migrate it. */
export function openDatabase(path: string): DatabaseSync {
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    // One server process owns the file: a second one fails at start instead of interleaving writes.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
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
    const message = err instanceof Error ? err.message : String(err);
    if (/locked|busy/i.test(message)) {
      throw new Error(`database ${path} is in use by another process (${message})`);
    }
    throw err;
  }
  return db;
}
