/**
 * `specVersions: ['0.3']` (CLI `--spec-versions 0.3`): the server declares only OMP 0.3, as a server released
 * before 0.4 would. It exists so that 0.4 clients can be tested against a 0.3-declaring server (issue #12): a
 * façade over the 0.4 application that shows what a 0.3 client and server can observe of each other, and no more.
 *
 * - 0.4 request headers (`OMP-Version`, `Idempotency-Key`, `If-Match`) are unknown headers to a 0.3 server,
 *   which HTTP tells it to ignore: they are removed before routing.
 * - The 0.4 query parameter `cursor` is an unknown query parameter: 422 (0.3 OMP-HTTP-006).
 * - Responses carry no `OMP-Version` or `ETag`, health says `version: "0.3"` without the 0.4 members, and list
 *   pages have no `next_cursor`: bodies valid against the 0.3 schemas.
 *
 * It is a wire façade, not a 0.3 server: the application behind it keeps 0.4's rules, so a run of the 0.3
 * conformance suite against it (`omp-conformance <url> --spec-version 0.3`) fails where the rules changed:
 * keyword search ranks any term instead of requiring every term (OMP-SEARCH-005/006), export files say 0.4 and
 * 0.4 files are imported (OMP-EXPORT-003, OMP-IMPORT-003), overwrite keeps `created_at` (OMP-IMPORT-007),
 * `x_` members and parameters are accepted (OMP-HTTP-005/006), and its own /mcp speaks 0.4's tools
 * (`list_memories` carries `next_cursor`, OMP-MCP-013). Measured 2026-12-02: 7 Core and 1 MCP failures.
 */
import type { IncomingMessage } from 'node:http';
import { validationError } from './http/errors.ts';

/** The version lists a server may declare. 0.3 and 0.4 together would mean applying 0.3's rules per request. */
export type SpecVersions = readonly ['0.4'] | readonly ['0.3'];

/** Parse `--spec-versions`: `0.4` (default) or `0.3`; throws a readable Error otherwise. */
export function parseSpecVersions(raw: string): SpecVersions {
  const v = raw.trim();
  if (v === '0.4') return ['0.4'];
  if (v === '0.3') return ['0.3'];
  throw new Error(`--spec-versions must be 0.4 or 0.3 (got "${raw}")`);
}

const HEADERS_SINCE_0_4 = ['omp-version', 'idempotency-key', 'if-match', 'if-none-match'];

/** Make a request look as it does to a 0.3 server; throws 422 for a 0.4-only query parameter. */
export function legacyRequest(req: IncomingMessage, path: string, query: string): void {
  for (const h of HEADERS_SINCE_0_4) delete req.headers[h];
  if (req.method === 'GET' && path === '/v1/memories' && new URLSearchParams(query).has('cursor')) {
    throw validationError([{ path: '?cursor', message: 'is not a query parameter of this endpoint' }]);
  }
}

const HEALTH_SINCE_0_4 = ['versions', 'capability_details', 'retention'];

/** A memory, or a page of them, without the control level's `state` (0.4, SPEC.md §20.1). */
function withoutState(body: string): string {
  if (!body.includes('"state":"')) return body;
  const v = JSON.parse(body) as Record<string, unknown>;
  const strip = (m: unknown) => {
    if (m && typeof m === 'object' && 'content' in m) delete (m as Record<string, unknown>).state;
  };
  strip(v);
  if (Array.isArray(v.memories)) v.memories.forEach(strip);
  return JSON.stringify(v);
}

/** A response body as a 0.3 server sends it: 0.4 members of health, list pages and memories removed. */
export function legacyBody(path: string, method: string | undefined, status: number, body: string): string {
  if ((status === 200 || status === 201) && path.startsWith('/v1/memories')) body = withoutState(body);
  if (status !== 200 || method !== 'GET') return body;
  if (path === '/v1/health') {
    const h = JSON.parse(body) as Record<string, unknown>;
    for (const m of HEALTH_SINCE_0_4) delete h[m];
    // The control level is 0.4's (SPEC.md §20).
    for (const k of ['levels', 'capabilities'])
      if (Array.isArray(h[k])) h[k] = (h[k] as string[]).filter((x) => x !== 'control');
    h.version = '0.3';
    const limits = h.limits as Record<string, unknown> | undefined;
    if (limits) delete limits.idempotency_retention_seconds;
    return JSON.stringify(h);
  }
  if (path === '/v1/memories') {
    const page = JSON.parse(body) as Record<string, unknown>;
    delete page.next_cursor;
    return JSON.stringify(page);
  }
  return body;
}

/** Response headers a 0.3 server does not send. */
export function legacyHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() !== 'etag') out[k] = v;
  return out;
}
