/** Helpers shared by the check files: typed calls that assert status + schema, ids, timestamps, tokens. */
import { randomBytes } from 'node:crypto';
import type { Api, CheckContext, Query, Res } from '../core/context.ts';
import type { ExportFile, ListMemoriesResponse, Memory, SearchResponse } from '../core/wire.ts';

/** Path of one memory. */
export function memPath(id: string): string {
  return `/v1/memories/${encodeURIComponent(id)}`;
}

/** A fresh, well-formed id nobody holds (16 crypto-random characters). */
export function randomId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(16);
  let s = 'mem_';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

/** A run-unique search token: letters and digits only, so it is one token under the spec's tokenisation. */
export function uniqueToken(t: CheckContext, n = 0): string {
  return `zq${t.run.runId}${t.tag.split('-').pop()}x${n}`;
}

/** GET /v1/memories → 200 list-response. */
export async function list(api: Api, query: Query): Promise<{ body: ListMemoriesResponse; res: Res }> {
  const res = await api.get('/v1/memories', query);
  return { body: res.expect<ListMemoriesResponse>(200, 'list-response'), res };
}

/** POST /v1/memories/search → 200 search-response. */
export async function search(
  api: Api,
  body: Record<string, unknown>,
): Promise<{ body: SearchResponse; res: Res }> {
  const res = await api.post('/v1/memories/search', body);
  return { body: res.expect<SearchResponse>(200, 'search-response'), res };
}

/** GET /v1/export → 200 export-file. */
export async function exportAll(api: Api): Promise<{ body: ExportFile; res: Res }> {
  const res = await api.get('/v1/export');
  return { body: res.expect<ExportFile>(200, 'export-file'), res };
}

/** Ids of a list of memories. */
export function ids(ms: readonly { id: string }[]): string[] {
  return ms.map((m) => m.id);
}

/** Sorted copy of ids (for set comparison). */
export function idSet(ms: readonly { id: string }[]): string[] {
  return ids(ms).sort();
}

/** A server-clock timestamp `deltaMs` from now, in the server's form (3 fractional digits). */
export function serverTimeIn(t: CheckContext, deltaMs: number): string {
  return new Date(t.serverNow() + deltaMs).toISOString();
}

/** Create a memory with token A and learn the server clock from it. */
export async function createTimed(t: CheckContext, overrides: Record<string, unknown> = {}): Promise<Memory> {
  const before = Date.now();
  const m = await t.create(overrides);
  t.observeServerTime(m, before, Date.now());
  return m;
}

/**
 * A complete memory item for an import file, with the run's markers, that nobody holds yet. An item meant to be
 * valid is checked against the schema first: an invalid one is a runner bug (reported as error, never as fail).
 */
export function importItem(
  t: CheckContext,
  overrides: Record<string, unknown> = {},
  o: { invalid?: boolean } = {},
): Record<string, unknown> {
  const now = new Date(Date.now() - 60_000).toISOString();
  const item = {
    id: randomId(),
    content: `omp conformance imported ${t.tag} ${randomBytes(3).toString('hex')}`,
    type: 'episodic',
    source: { tool: t.run.tool, session_id: 'import-session', timestamp: '2026-01-02T03:04:05Z' },
    tags: t.tags(),
    namespace: t.ns,
    created_at: now,
    updated_at: now,
    expires_at: null,
    metadata: { imported: true },
    ...overrides,
  };
  if (!o.invalid && !t.isValid(item, 'memory'))
    throw new Error(`runner bug: import item is not a valid memory: ${JSON.stringify(overrides)}`);
  return item;
}

/** An export file around items. */
export function exportFile(items: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    omp_version: '0.3',
    exported_at: new Date().toISOString(),
    server: { name: 'omp-conformance', version: '0.3.0' },
    memories: items,
    ...extra,
  };
}

/** The memories of an export that carry this check's tag. */
export function mine<M extends Pick<Memory, 'tags'>>(t: CheckContext, ms: readonly M[]): M[] {
  return ms.filter((m) => Array.isArray(m.tags) && m.tags.includes(t.tag));
}

/** The memory a 201/200 body describes, without members the server may add (embedding on Search servers). */
export function withoutEmbedding(m: Memory): Memory {
  const { embedding: _e, ...rest } = m;
  return rest as Memory;
}

/** Assert a 422 validation_error with at least one violation. */
export function expect422(t: CheckContext, res: Res, what: string): void {
  if (res.status !== 422) t.fail(`${what}: expected 422 validation_error, got ${res.describe()}`, res);
  res.expectError(422, 'validation_error');
}

/** Assert that no memory carries this check's tag (nothing was stored by rejected requests). */
export async function expectNothingStored(t: CheckContext, api: Api = t.api): Promise<void> {
  for (const query of [{ tags: t.tag }, { namespace: t.ns }]) {
    const { body, res } = await list(api, { ...query, limit: 100 });
    if (body.total !== 0 || body.memories.length)
      t.fail(
        `a rejected request stored data: ${body.total} memories match ${JSON.stringify(query)} (${ids(body.memories).join(', ')})`,
        res,
      );
  }
}
