/** Helpers shared by the check files: typed calls that assert status + schema, ids, timestamps, tokens. */
import { randomBytes } from 'node:crypto';
import type { CheckContext } from '../core/harness.ts';
import { type Api, type Query, queryString } from '../core/omp-client.ts';
import type { Res } from '../core/response.ts';
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

/**
 * A call a check makes as a means of observation went wrong. In a check of that call's own area the fault is
 * the check's finding; elsewhere it is a precondition the server does not meet, which blocks the check by the
 * check of that call.
 */
function meansFailed(api: Api, area: string, blocker: string, message: string, res: Res): never {
  if (api.host.area === area) api.host.fail(message, res);
  return api.host.block(blocker, message, res);
}

/** The `memories` array of a list/search/export body, or the means failure. */
function memoriesOf(api: Api, res: Res, area: string, blocker: string, what: string): Memory[] {
  if (res.status !== 200)
    meansFailed(api, area, blocker, `${what}: expected 200, got ${res.describe()}`, res);
  const body = res.json as { memories?: unknown } | undefined;
  if (!body || typeof body !== 'object' || !Array.isArray(body.memories))
    meansFailed(api, area, blocker, `${what}: the body has no memories array: ${res.describe()}`, res);
  return (body.memories as unknown[]).filter((m): m is Memory => !!m && typeof m === 'object');
}

/** The list check that verifies the filter a query relies on. */
function listBlocker(query: Query): string {
  if (query.tags !== undefined) return 'OMP-LIST-004';
  if (query.namespace !== undefined) return 'OMP-LIST-005';
  if (query.type !== undefined) return 'OMP-LIST-002';
  if (query.tool !== undefined) return 'OMP-LIST-003';
  return 'OMP-LIST-001';
}

/** GET /v1/memories → 200 with a memories array (its shape is OMP-LIST-001's, judged run-wide). */
export async function list(api: Api, query: Query): Promise<{ body: ListMemoriesResponse; res: Res }> {
  const res = await api.get('/v1/memories', query);
  if (res.isJson) res.expectBody('list-response');
  const memories = memoriesOf(api, res, 'LIST', listBlocker(query), `GET /v1/memories${queryString(query)}`);
  return { body: { ...(res.json as ListMemoriesResponse), memories }, res };
}

/** POST /v1/memories/search → 200 with a memories array (its shape is OMP-SEARCH-001's). */
export async function search(
  api: Api,
  body: Record<string, unknown>,
): Promise<{ body: SearchResponse; res: Res }> {
  const res = await api.post('/v1/memories/search', body);
  if (res.isJson) res.expectBody('search-response');
  const memories = memoriesOf(api, res, 'SEARCH', 'OMP-SEARCH-001', 'POST /v1/memories/search');
  return { body: { ...(res.json as SearchResponse), memories }, res };
}

/** GET /v1/export → 200 with a memories array (its shape is OMP-EXPORT-001's). */
export async function exportAll(api: Api): Promise<{ body: ExportFile; res: Res }> {
  const res = await api.get('/v1/export');
  if (res.isJson) res.expectBody('export-file');
  const memories = memoriesOf(api, res, 'EXPORT', 'OMP-EXPORT-001', 'GET /v1/export');
  return { body: { ...(res.json as ExportFile), memories }, res };
}

/**
 * Delete a memory a check no longer needs, as a means (the check is about what follows): any 2xx will do (a 200
 * instead of 204 is OMP-CRUD-019's finding); a refusal blocks the check by OMP-CRUD-019.
 */
export async function deleteMemory(t: CheckContext, id: string, api: Api = t.api): Promise<void> {
  const res = await api.del(memPath(id));
  if (res.status < 200 || res.status > 299)
    t.block('OMP-CRUD-019', `could not delete ${id}: ${res.describe()}`, res);
  t.forget(id, api.key ?? undefined);
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

/**
 * Assert that nothing this check sent was stored by its rejected requests: judged by what the run can see (the
 * memories listed under the check's tag or namespace whose own body carries the check's marker), never by
 * `total`, which other data and other faults can move.
 */
export async function expectNothingStored(t: CheckContext, api: Api = t.api): Promise<void> {
  for (const query of [{ tags: t.tag }, { namespace: t.ns }]) {
    const { body, res } = await list(api, { ...query, limit: 50 });
    const stored = body.memories.filter(
      (m) =>
        (Array.isArray(m.tags) && m.tags.includes(t.tag)) ||
        (typeof m.namespace === 'string' && (m.namespace === t.ns || m.namespace.startsWith(`${t.ns}-`))) ||
        (typeof m.content === 'string' && m.content.includes(t.tag)),
    );
    if (stored.length)
      t.fail(
        `a rejected request stored data: ${stored.length} memories carrying this check's marker are listed (${ids(stored).join(', ')})`,
        res,
      );
  }
}
