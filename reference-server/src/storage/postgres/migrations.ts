/**
 * Versioned schema migrations of the Postgres store. `omp_schema` records how many have run; a transaction-level
 * advisory lock lets several server processes start on one database at once without racing. Never edit a
 * released entry: append a new one.
 */
import { createCounts, listVersionSchema } from './counts.ts';
import type { Database, Queryable } from './database.ts';
import { keywordLogMigration } from './keyword.ts';

/** Any number, fixed: the advisory lock key of migrations. */
export const MIGRATION_LOCK = 0x6f6d70;

/** A migration: SQL, or a function run in the migrating transaction (a backfill computed in code). */
export type Migration = string | ((tx: Queryable) => Promise<void>);

export const migrations: readonly Migration[] = [
  // 1: memories (the same columns as the SQLite store, plus the keyword index's tsvector and the tags as an
  // array), sort, expiry, full-text and tag indexes; idempotency records; the change counter.
  `
  CREATE TABLE memories (
    seq         bigserial PRIMARY KEY,
    principal   text NOT NULL,
    id          text COLLATE "C" NOT NULL,
    content     text NOT NULL,
    type        text NOT NULL,
    tool        text NOT NULL,
    source      text NOT NULL,           -- JSON as written, like the SQLite store
    tags        text NOT NULL,           -- JSON array as written
    tag_list    text[] NOT NULL,         -- the same tags, for the GIN-indexed tag filter
    namespace   text,
    metadata    text NOT NULL,
    embedding   text,
    created_at  text NOT NULL,
    updated_at  text NOT NULL,
    expires_at  text,
    created_key text COLLATE "C" NOT NULL,  -- byte order, as the cursors and the SQLite store compare
    updated_key text COLLATE "C" NOT NULL,
    expires_ms  bigint,
    terms       tsvector NOT NULL,       -- the server's own index terms (search/tokenize.ts), with positions
    UNIQUE (principal, id)
  );
  CREATE INDEX memories_by_created ON memories (principal, created_key, id);
  CREATE INDEX memories_by_updated ON memories (principal, updated_key, id);
  CREATE INDEX memories_by_tool ON memories (principal, tool, created_key, id);
  CREATE INDEX memories_by_expiry ON memories (expires_ms) WHERE expires_ms IS NOT NULL;
  CREATE INDEX memories_terms ON memories USING gin (terms);
  CREATE INDEX memories_tags ON memories USING gin (tag_list);
  CREATE TABLE idempotency (
    scope text NOT NULL, key text NOT NULL, fingerprint text NOT NULL, status integer NOT NULL,
    body text, headers text NOT NULL, memory_id text, created_ms bigint NOT NULL,
    PRIMARY KEY (scope, key)
  );
  CREATE INDEX idempotency_by_age ON idempotency (created_ms);
  CREATE SEQUENCE omp_changes;
  `,
  // 2: the control level (SPEC.md §20): memory states with their history (erased with the memory, whatever
  // deletes it), apps, and the access log in batches (one row per flush, entries packed as JSON, as in SQLite).
  `
  ALTER TABLE memories ADD COLUMN state text NOT NULL DEFAULT 'active';
  CREATE INDEX memories_not_active ON memories (principal, state) WHERE state <> 'active';
  CREATE TABLE memory_state_history (
    seq bigserial PRIMARY KEY, principal text NOT NULL, memory_id text NOT NULL, from_state text NOT NULL,
    to_state text NOT NULL, at text NOT NULL, app text, actor text NOT NULL, reason text
  );
  CREATE INDEX memory_state_history_by_memory ON memory_state_history (principal, memory_id, seq);
  CREATE FUNCTION omp_erase_state_history() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM memory_state_history WHERE principal = OLD.principal AND memory_id = OLD.id;
      RETURN OLD;
    END
  $$;
  CREATE TRIGGER memory_state_history_erase AFTER DELETE ON memories
    FOR EACH ROW EXECUTE FUNCTION omp_erase_state_history();
  CREATE TABLE control_apps (
    principal text NOT NULL, name text COLLATE "C" NOT NULL, paused integer NOT NULL DEFAULT 0,
    rules text NOT NULL DEFAULT '[]', first_seen text NOT NULL, last_seen text NOT NULL,
    reads bigint NOT NULL DEFAULT 0, writes bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (principal, name)
  );
  CREATE TABLE access_log_batches (
    seq bigserial PRIMARY KEY, first_ms bigint NOT NULL, last_ms bigint NOT NULL, entries text NOT NULL
  );
  `,
  // 3: Idempotency-Keys being processed, by any process (OMP-IDEM-004 across processes).
  `
  CREATE TABLE idempotency_claims (
    scope text NOT NULL, key text NOT NULL, claimed_ms bigint NOT NULL, PRIMARY KEY (scope, key)
  );
  `,
  // 4: the Search level (vectors.ts): each memory's vector as real[] beside its JSON `embedding` (filled here
  // for memories stored before), and the owner of an idempotency claim (the claiming process's lease, so a
  // claim dies with its process).
  `
  ALTER TABLE memories ADD COLUMN vec real[];
  UPDATE memories SET vec = ARRAY(
    SELECT CASE WHEN abs(v) < 1e-37 THEN 0 ELSE least(greatest(v, -3.4e38), 3.4e38) END::real
    FROM jsonb_array_elements_text(embedding::jsonb) AS x, LATERAL (SELECT coalesce(x::float8, 0) AS v) AS n
  ) WHERE embedding IS NOT NULL;
  ALTER TABLE idempotency_claims ADD COLUMN owner integer;
  `,
  // 5: maintained counts per principal and per filter combination (counts.ts), filled from the stored memories.
  createCounts,
  // 6: a list version per principal and the secret that signs cursor resumes (counts.ts listVersionSchema).
  listVersionSchema,
  // 7: keyword search from an in-memory index kept in step through a change log (keyword.ts); the unused GIN
  // index on `terms` dropped. Nothing to backfill: a process builds its index from the table on first search.
  keywordLogMigration,
  // 8: memories without a vector of the embedder's dimensions found on an index, so a semantic search's total is
  // the maintained count less those (usually none) instead of a count of every match (PostgresStore.#vectorTotal).
  // ANALYZE gives the planner the expression's statistics at once: without them it estimates that two thirds of
  // the rows lack a vector and scans the table (91 ms instead of 2 ms per search at 100k).
  `CREATE INDEX memories_vec_dims ON memories (principal, (coalesce(cardinality(vec), 0)));
  ANALYZE memories;`,
];

/** Bring the database up to the latest schema version; returns that version. */
export async function migrate(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.query('CREATE TABLE IF NOT EXISTS omp_schema (version integer NOT NULL)');
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM omp_schema');
    if (rows.length === 0) await tx.query('INSERT INTO omp_schema (version) VALUES (0)');
    const current = rows[0]?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(
        `database schema version ${current} is newer than this server supports (${migrations.length}); upgrade the server`,
      );
    }
    for (let v = current; v < migrations.length; v++) {
      const m = migrations[v] as Migration;
      if (typeof m === 'string') await tx.query(m);
      else await m(tx);
    }
    await tx.query('UPDATE omp_schema SET version = $1', [migrations.length]);
    return migrations.length;
  });
}
