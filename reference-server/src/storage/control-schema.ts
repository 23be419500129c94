/**
 * Tables of the control level (SPEC.md §20): the memories' `state` column, state history, apps and the access
 * log. Created idempotently after the migrations (every statement is `IF NOT EXISTS` or checked first), so the
 * control level keeps its schema in this one module instead of numbered migrations other work also appends to.
 */
import type { DatabaseSync } from 'node:sqlite';

const TABLES = `
  CREATE INDEX IF NOT EXISTS memories_not_active ON memories (principal, state) WHERE state <> 'active';
  CREATE TABLE IF NOT EXISTS memory_state_history (
    seq        INTEGER PRIMARY KEY,
    principal  TEXT NOT NULL,
    memory_id  TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    at         TEXT NOT NULL,
    app        TEXT,
    actor      TEXT NOT NULL,
    reason     TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS memory_state_history_by_memory ON memory_state_history (principal, memory_id, seq);
  -- A history ends with its memory (erasure, SPEC.md §5.7): deleted with it, whatever path deletes it.
  CREATE TRIGGER IF NOT EXISTS memory_state_history_erase AFTER DELETE ON memories
    BEGIN DELETE FROM memory_state_history WHERE principal = old.principal AND memory_id = old.id; END;
  CREATE TABLE IF NOT EXISTS control_apps (
    principal  TEXT NOT NULL,
    name       TEXT NOT NULL,
    paused     INTEGER NOT NULL DEFAULT 0,
    rules      TEXT NOT NULL DEFAULT '[]',
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    reads      INTEGER NOT NULL DEFAULT 0,
    writes     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (principal, name)
  ) STRICT, WITHOUT ROWID;
  -- The access log in batches: one row per flush, its entries packed as JSON. Writing a batch costs one row
  -- whatever its size (the log is on every request's path); reading it, which is rare, unpacks batches.
  CREATE TABLE IF NOT EXISTS access_log_batches (
    seq      INTEGER PRIMARY KEY,
    first_ms INTEGER NOT NULL,
    last_ms  INTEGER NOT NULL,
    -- {"lists": ["id id …", …], "entries": [[at_ms, principal, operation, via, app, request_id, list], …]}
    entries  TEXT NOT NULL
  ) STRICT;
`;

/** Add the control level's column, tables, indexes and trigger when missing. */
export function ensureControlSchema(db: DatabaseSync): void {
  const columns = db.prepare('PRAGMA table_info(memories)').all() as { name: string }[];
  db.exec('BEGIN IMMEDIATE');
  try {
    if (!columns.some((c) => c.name === 'state')) {
      db.exec(`ALTER TABLE memories ADD COLUMN state TEXT NOT NULL DEFAULT 'active'`);
    }
    db.exec(TABLES);
    db.exec('COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
