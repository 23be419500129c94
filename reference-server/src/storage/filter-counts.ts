/**
 * Maintained filter counts (issue #18): the number of memories per principal for every combination of list
 * filters a count key covers, kept exact by the store in the same transactions as its writes. A list's exact
 * `total` (OMP-LIST-012) for such a combination is then one primary-key lookup instead of a count over its
 * matches (at 100k memories a type+tag filter matches ~23k: several ms per request, the whole cost of the
 * request). Keys: every non-empty combination of `type`, `tool`, `namespace` and at most one tag; a filter with
 * two or more tags is counted by the filter index (search/meta-tokens.ts). A memory with k distinct tags and a
 * namespace has 8 * (k + 1) - 1 keys; they are written by one statement.
 */
import type { DatabaseSync } from 'node:sqlite';

/** The attributes of a memory that count keys cover. */
export interface CountedAttributes {
  type: string;
  tool: string;
  namespace: string | null;
  /** The stored JSON array of tags. */
  tags: string;
}

/** A filter combination: absent members do not filter. */
export interface CountedFilter {
  type?: string | undefined;
  tool?: string | undefined;
  namespace?: string | undefined;
  tag?: string | undefined;
}

/**
 * The key of a filter combination; null for no filter at all (principal_counts holds that count). Members are
 * separated by `|`, absent ones empty; tool and namespace are JSON strings (any text), type and tag are plain
 * (an enum value, and [a-z0-9_:-]+), so no two combinations share a key.
 */
export function countKey(f: CountedFilter): string | null {
  if (f.type === undefined && f.tool === undefined && f.namespace === undefined && f.tag === undefined) {
    return null;
  }
  const tool = f.tool === undefined ? '' : JSON.stringify(f.tool);
  const namespace = f.namespace === undefined ? '' : JSON.stringify(f.namespace);
  return `${f.type ?? ''}|${tool}|${namespace}|${f.tag ?? ''}`;
}

/** Every key a memory counts towards: built from its parts once (this runs on every write). */
export function countKeysOf(a: CountedAttributes): string[] {
  const tags = [...new Set(JSON.parse(a.tags) as string[])];
  const types = ['', a.type];
  const tools = ['', JSON.stringify(a.tool)];
  const namespaces = a.namespace === null ? [''] : ['', JSON.stringify(a.namespace)];
  const ends = ['', ...tags];
  const keys: string[] = [];
  for (const type of types) {
    for (const tool of tools) {
      for (const namespace of namespaces) {
        const head = `${type}|${tool}|${namespace}|`;
        for (const tag of ends) if (head !== '|||' || tag !== '') keys.push(head + tag);
      }
    }
  }
  return keys;
}

/** The schema of the counts; WITHOUT ROWID: the key is the row. */
export const FILTER_COUNTS_TABLE = `CREATE TABLE filter_counts (
  principal TEXT NOT NULL, k TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (principal, k)
) STRICT, WITHOUT ROWID`;

/** Add `delta` to every key of a list (a JSON array text of keys), in one statement. */
export const BUMP_COUNTS = `INSERT INTO filter_counts (principal, k, n) SELECT ?, value, ? FROM json_each(?) WHERE true
  ON CONFLICT (principal, k) DO UPDATE SET n = n + excluded.n`;

/**
 * The version of the listed data: bumped by every transaction that creates, changes or deletes a memory, and a
 * secret that signs list cursors (MemoryStore's Resume), one row. Other writes (the access log, app registry)
 * leave it alone, so a cursor's counts stay valid while only those run.
 */
export const LIST_VERSION_TABLE = `CREATE TABLE list_version (
  id INTEGER PRIMARY KEY CHECK (id = 0), n INTEGER NOT NULL, secret BLOB NOT NULL
) STRICT;
INSERT INTO list_version (id, n, secret) VALUES (0, 0, randomblob(16))`;

/** Migration: create the counts and fill them from the stored memories, a page at a time; the list version. */
export function createFilterCounts(db: DatabaseSync): void {
  db.exec(LIST_VERSION_TABLE);
  db.exec(FILTER_COUNTS_TABLE);
  const sums = new Map<string, Map<string, number>>();
  const page = db.prepare(
    'SELECT seq, principal, type, tool, namespace, tags FROM memories WHERE seq > ? ORDER BY seq LIMIT 2000',
  );
  for (let after = 0; ; ) {
    const rows = page.all(after) as unknown as (CountedAttributes & { seq: number; principal: string })[];
    if (rows.length === 0) break;
    for (const r of rows) {
      const m = sums.get(r.principal) ?? new Map<string, number>();
      sums.set(r.principal, m);
      for (const k of countKeysOf(r)) m.set(k, (m.get(k) ?? 0) + 1);
    }
    after = (rows[rows.length - 1] as { seq: number }).seq;
  }
  const insert = db.prepare('INSERT INTO filter_counts (principal, k, n) VALUES (?, ?, ?)');
  for (const [principal, m] of sums) for (const [k, n] of m) insert.run(principal, k, n);
}
