import type { DatabaseSync } from 'node:sqlite';
import { indexText } from '../search/tokenize.ts';
import { createFilterCounts } from './filter-counts.ts';

/** A migration: SQL, or a function for steps that need this server's code (such as its text analysis). */
export type Migration = string | ((db: DatabaseSync) => void);

/**
 * Rebuild the keyword index with the 0.4 analysis (search/tokenize.ts): terms written by the server, CJK bigrams
 * and stems included, read back by FTS5's `ascii` tokenizer so SQLite splits exactly where the server did.
 */
function rebuildKeywordIndex(db: DatabaseSync): void {
  db.exec(`DROP TABLE memories_text;
    CREATE VIRTUAL TABLE memories_text USING fts5(content, content='', contentless_delete=1, tokenize='ascii');
    CREATE VIRTUAL TABLE memories_vocab USING fts5vocab(memories_text, 'row');`);
  const insert = db.prepare('INSERT INTO memories_text (rowid, content) VALUES (?, ?)');
  const page = db.prepare('SELECT seq, content FROM memories WHERE seq > ? ORDER BY seq LIMIT 1000');
  for (let after = 0; ; ) {
    const rows = page.all(after) as { seq: number; content: string }[];
    if (rows.length === 0) break;
    for (const r of rows) insert.run(r.seq, indexText(r.content));
    after = (rows[rows.length - 1] as { seq: number }).seq;
  }
}

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run. Never edit a released
 * entry: append a new one.
 */
export const migrations: readonly Migration[] = [
  // 1: memories, their sort and expiry indexes, the content index and the filter index.
  `
  CREATE TABLE memories (
    seq         INTEGER PRIMARY KEY,  -- rowid; also the rowid of the memory's rows in both full-text tables
    principal   TEXT NOT NULL,
    id          TEXT NOT NULL,
    content     TEXT NOT NULL,
    type        TEXT NOT NULL,
    tool        TEXT NOT NULL,        -- source.tool, for scope checks and filters
    source      TEXT NOT NULL,        -- JSON, as written (timestamp filled in)
    tags        TEXT NOT NULL,        -- JSON array, in the order written
    namespace   TEXT,
    metadata    TEXT NOT NULL,        -- JSON object
    embedding   TEXT,                 -- JSON array, or NULL when none is stored
    created_at  TEXT NOT NULL,        -- as written (imports keep the file's text)
    updated_at  TEXT NOT NULL,
    expires_at  TEXT,
    created_key TEXT NOT NULL,        -- sortable forms, see model/time.ts
    updated_key TEXT NOT NULL,
    expires_ms  INTEGER,
    UNIQUE (principal, id)
  ) STRICT;
  CREATE INDEX memories_by_created ON memories (principal, created_key, id);
  CREATE INDEX memories_by_updated ON memories (principal, updated_key, id);
  CREATE INDEX memories_by_expiry ON memories (expires_ms) WHERE expires_ms IS NOT NULL;
  CREATE VIRTUAL TABLE memories_text USING fts5(
    content, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
  );
  CREATE VIRTUAL TABLE memories_filter USING fts5(
    attrs, content='', contentless_delete=1, detail=none, tokenize='ascii'
  );
  `,
  // 2: memories per principal, kept exact by the store in the same transactions as its writes (not by
  // triggers: inside the group commit's savepoints a trigger costs every insert a statement journal).
  // Unfiltered totals and health counts become one lookup, and a store with a single principal can drop the
  // principal term from filter-index queries.
  `
  CREATE TABLE principal_counts (principal TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT, WITHOUT ROWID;
  INSERT INTO principal_counts (principal, n) SELECT principal, count(*) FROM memories GROUP BY principal;
  `,
  // 3: keyword search 0.4 (SPEC.md §6.1): the content index holds the server's own terms (folded tokens, CJK
  // bigrams, stems); memories_vocab lists them with document counts, for typo-tolerant matching.
  rebuildKeywordIndex,
  // 4: filter counts (storage/filter-counts.ts): exact list totals for any combination of type, tool, namespace
  // and at most one tag by one lookup, kept by the store in the same transactions as its writes.
  createFilterCounts,
  // 5: keyword search ranks on the in-memory index (search/keyword-index.ts), built from `memories` at start and
  // kept in step by the store; typo correction reads its vocabulary. Nothing reads the FTS5 content index any
  // more, and writing it cost every insert about a third of the writer's CPU time (bench/WRITES.md).
  `
  DROP TABLE IF EXISTS memories_vocab;
  DROP TABLE IF EXISTS memories_text;
  `,
];

/** Bring a database up to the latest schema version, one transaction per migration. */
export function migrate(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  const current = row.user_version;
  if (current > migrations.length) {
    throw new Error(
      `database schema version ${current} is newer than this server supports (${migrations.length}); upgrade the server`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const step = migrations[v] as Migration;
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
  return migrations.length;
}
