/**
 * A memory as stored in SQLite, and its rendering to the wire. JSON-valued members (source, tags, metadata,
 * embedding) are kept as the JSON text the server wrote, so responses are assembled from strings without a
 * parse/serialise round trip: list, search and export of 100k memories stay cheap.
 */

/** One row of the `memories` table. */
export interface MemoryRow {
  seq: number;
  principal: string;
  id: string;
  content: string;
  type: string;
  tool: string;
  source: string;
  tags: string;
  namespace: string | null;
  metadata: string;
  embedding: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  created_key: string;
  updated_key: string;
  expires_ms: number | null;
  /** Control level (SPEC.md §20.1): `active`, `paused` or `archived`. */
  state: string;
}

/** The column list matching MemoryRow, for SELECTs. */
export const ROW_COLUMNS =
  'seq, principal, id, content, type, tool, source, tags, namespace, metadata, embedding, ' +
  'created_at, updated_at, expires_at, created_key, updated_key, expires_ms, state';

/** The same list qualified by a table alias. */
export const rowColumns = (alias: string): string =>
  ROW_COLUMNS.split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');

const str = (s: string): string => JSON.stringify(s);
const nullable = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));

/**
 * The memory as JSON text, members in the order of the schema. `embedding` is included only when asked for
 * (get and export) and stored (OMP-MEM-016, OMP-MEM-018).
 */
export function renderMemory(r: MemoryRow, withEmbedding: boolean, withState = true): string {
  const embedding = withEmbedding && r.embedding !== null ? `,"embedding":${r.embedding}` : '';
  return (
    `{"id":${str(r.id)},"content":${str(r.content)},"type":${str(r.type)},"source":${r.source},` +
    `"tags":${r.tags},"namespace":${nullable(r.namespace)},"created_at":${str(r.created_at)},` +
    `"updated_at":${str(r.updated_at)},"expires_at":${nullable(r.expires_at)},"metadata":${r.metadata}${embedding}` +
    (withState ? `,"state":"${r.state}"}` : '}')
  );
}

/** A JSON array of memories without embeddings, for list and search pages. */
export function renderPage(rows: readonly MemoryRow[]): string {
  return `[${rows.map((r) => renderMemory(r, false)).join(',')}]`;
}
