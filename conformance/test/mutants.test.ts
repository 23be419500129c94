/**
 * Self-test (2), the mutation suite: 47 deliberately broken servers, each the reference server behind a proxy that
 * injects one fault. Every mutant must be caught by the check meant for it (asserted by requirement ID); the
 * suite fails if any mutant survives. Mutants run concurrently, each with only the checks relevant to it, and one
 * mutant runs the whole suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundled, startBundled } from '../src/bundled.ts';
import type { Report } from '../src/core/report.ts';
import { runConformance } from '../src/core/runner.ts';
import {
  type Fault,
  mapMemories,
  type ProxyRequest,
  type ProxyResponse,
  readJson,
  startProxy,
  withJson,
} from './support/proxy.ts';

interface Mutant {
  name: string;
  fault: (k: Bundled) => Fault;
  /** --only selectors for the run (the full suite when absent). */
  only?: string[];
  /** Requirement ID whose check must catch the fault. */
  want: string;
  /** A SHOULD-level check reports warn, not fail. */
  status?: 'fail' | 'warn';
}

const path = (r: ProxyRequest) => r.url.split('?')[0] ?? '';
const isMemory = (r: ProxyRequest) =>
  /^\/v1\/memories\/[^/]+$/.test(path(r)) && path(r) !== '/v1/memories/search';
const json = (r: ProxyResponse) => readJson(r.body) as Record<string, unknown> | undefined;
const withQuery = (r: ProxyRequest, edit: (q: URLSearchParams) => void): ProxyRequest => {
  const u = new URL(r.url, 'http://x');
  edit(u.searchParams);
  return { ...r, url: u.pathname + (u.searchParams.size ? `?${u.searchParams}` : '') };
};
const withBody = (
  r: ProxyRequest,
  edit: (b: Record<string, unknown>) => Record<string, unknown>,
): ProxyRequest => {
  const b = readJson(r.body) as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return r;
  return { ...r, body: Buffer.from(JSON.stringify(edit(b))) };
};
const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};
const envelope = (status: number, error: string): ProxyResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ error, message: 'injected', details: {} })),
});
/** Serve one key's data requests as another key's (GET /v1/me still tells the truth, as in a real visibility bug). */
const swapKey = (r: ProxyRequest, from: string, to: string): ProxyRequest =>
  r.headers.authorization === `Bearer ${from}` && path(r) !== '/v1/me'
    ? { ...r, headers: { ...r.headers, authorization: `Bearer ${to}` } }
    : r;

const MUTANTS: Mutant[] = [
  {
    name: 'create answers 200 instead of 201',
    fault: () => ({
      response: (q, r) =>
        q.method === 'POST' && path(q) === '/v1/memories' && r.status === 201 ? { ...r, status: 200 } : r,
    }),
    only: ['OMP-CRUD-001'],
    want: 'OMP-CRUD-001',
  },
  {
    name: 'metadata missing from returned memories',
    fault: () => ({
      response: (_q, r) =>
        mapMemories(r, (m) => {
          const { metadata: _m, ...rest } = m;
          return rest;
        }),
    }),
    only: ['OMP-MEM-017'],
    want: 'OMP-MEM-017',
  },
  {
    name: 'list ignores the type filter',
    fault: () => ({
      request: (q) => (path(q) === '/v1/memories' ? withQuery(q, (s) => s.delete('type')) : q),
    }),
    only: ['OMP-LIST-002'],
    want: 'OMP-LIST-002',
  },
  {
    name: 'list ignores the tool filter',
    fault: () => ({
      request: (q) => (path(q) === '/v1/memories' ? withQuery(q, (s) => s.delete('tool')) : q),
    }),
    only: ['OMP-LIST-003'],
    want: 'OMP-LIST-003',
  },
  {
    name: 'list matches any tag instead of every tag',
    fault: () => ({
      request: (q) =>
        path(q) === '/v1/memories'
          ? withQuery(q, (s) => s.has('tags') && s.set('tags', (s.get('tags') ?? '').split(',')[0] ?? ''))
          : q,
    }),
    only: ['OMP-LIST-004'],
    want: 'OMP-LIST-004',
  },
  {
    name: 'list total off by one',
    fault: () => ({
      response: (q, r) => {
        const j = json(r);
        return path(q) === '/v1/memories' && q.method === 'GET' && r.status === 200 && j
          ? withJson(r, { ...j, total: (j.total as number) + 1 })
          : r;
      },
    }),
    only: ['OMP-LIST-012'],
    want: 'OMP-LIST-012',
  },
  {
    name: 'pages overlap (offset shifted by one)',
    fault: () => ({
      request: (q) =>
        path(q) === '/v1/memories'
          ? withQuery(
              q,
              (s) => Number(s.get('offset')) > 0 && s.set('offset', String(Number(s.get('offset')) - 1)),
            )
          : q,
      response: (q, r) => {
        const asked = new URL(q.url, 'http://x').searchParams.get('offset');
        const j = json(r);
        return path(q) === '/v1/memories' && j && 'offset' in j && asked
          ? withJson(r, { ...j, offset: Number(asked) })
          : r;
      },
    }),
    only: ['OMP-LIST-015'],
    want: 'OMP-LIST-015',
  },
  {
    name: 'sort parameter ignored',
    fault: () => ({
      request: (q) => (path(q) === '/v1/memories' ? withQuery(q, (s) => s.delete('sort')) : q),
    }),
    only: ['OMP-LIST-010'],
    want: 'OMP-LIST-010',
  },
  {
    name: 'absent limit defaults to 10',
    fault: () => ({
      request: (q) =>
        path(q) === '/v1/memories' && q.method === 'GET'
          ? withQuery(q, (s) => !s.has('limit') && s.set('limit', '10'))
          : q,
    }),
    only: ['OMP-LIST-006'],
    want: 'OMP-LIST-006',
  },
  {
    name: 'unknown query parameters ignored',
    fault: () => ({
      request: (q) =>
        path(q) === '/v1/memories' && q.method === 'GET'
          ? withQuery(q, (s) => {
              for (const k of [...s.keys()])
                if (!['type', 'tool', 'tags', 'namespace', 'limit', 'offset', 'sort'].includes(k))
                  s.delete(k);
            })
          : q,
    }),
    only: ['OMP-HTTP-020'],
    want: 'OMP-HTTP-020',
  },
  {
    name: 'authentication bypassed (missing key accepted)',
    fault: (k) => ({
      request: (q) =>
        q.headers.authorization === undefined && path(q) !== '/v1/health'
          ? { ...q, headers: { ...q.headers, authorization: `Bearer ${k.token}` } }
          : q,
    }),
    only: ['OMP-AUTH-001'],
    want: 'OMP-AUTH-001',
  },
  {
    name: 'unknown keys accepted',
    fault: (k) => ({
      request: (q) =>
        /^Bearer omp-conformance-unknown/.test(q.headers.authorization ?? '')
          ? { ...q, headers: { ...q.headers, authorization: `Bearer ${k.token}` } }
          : q,
    }),
    only: ['OMP-AUTH-003'],
    want: 'OMP-AUTH-003',
  },
  {
    name: 'WWW-Authenticate missing on 401',
    fault: () => ({
      response: (_q, r) => {
        const { 'www-authenticate': _w, ...headers } = r.headers;
        return { ...r, headers };
      },
    }),
    only: ['OMP-AUTH-001'],
    want: 'OMP-AUTH-001',
  },
  {
    name: 'delete acknowledged but not performed (write silently lost)',
    fault: () => ({
      request: (q) =>
        q.method === 'DELETE' && isMemory(q) ? { status: 204, headers: {}, body: Buffer.alloc(0) } : q,
    }),
    only: ['OMP-CRUD-020'],
    want: 'OMP-CRUD-020',
  },
  {
    name: 'import conflict strategy ignored',
    fault: () => ({
      request: (q) =>
        path(q) === '/v1/import'
          ? withBody(
              withQuery(q, (s) => s.delete('conflict')),
              ({ conflict: _c, ...b }) => b,
            )
          : q,
    }),
    only: ['OMP-IMPORT-021'],
    want: 'OMP-IMPORT-021',
  },
  {
    name: 'import duplicate treated as skip',
    fault: () => ({
      request: (q) =>
        path(q) === '/v1/import'
          ? withQuery(q, (s) => s.get('conflict') === 'duplicate' && s.set('conflict', 'skip'))
          : q,
    }),
    only: ['OMP-IMPORT-008'],
    want: 'OMP-IMPORT-008',
  },
  {
    name: '5xx on odd query text',
    fault: () => ({
      request: (q) =>
        path(q) === '/v1/memories/search' &&
        /["*()^]/.test(String((readJson(q.body) as { q?: string } | undefined)?.q ?? safeDecode(q.url)))
          ? envelope(500, 'internal_error')
          : q,
    }),
    only: ['OMP-SEARCH-008'],
    want: 'OMP-SEARCH-008',
  },
  {
    name: 'HTML error page on unknown routes',
    fault: () => ({
      response: (_q, r) =>
        r.status === 404
          ? {
              status: 404,
              headers: { 'content-type': 'text/html' },
              body: Buffer.from('<!doctype html><h1>Not Found</h1>'),
            }
          : r,
    }),
    only: ['OMP-ERR-001'],
    want: 'OMP-ERR-001',
  },
  {
    name: 'created_at changes on update',
    fault: () => ({
      response: (q, r) =>
        q.method === 'PUT' && r.status === 200
          ? mapMemories(r, (m) => ({ ...m, created_at: new Date().toISOString() }))
          : r,
    }),
    only: ['OMP-TIME-004'],
    want: 'OMP-TIME-004',
  },
  {
    name: 'updated_at does not move on update',
    fault: () => ({
      response: (q, r) =>
        q.method === 'PUT' && r.status === 200
          ? mapMemories(r, (m) => ({ ...m, updated_at: m.created_at }))
          : r,
    }),
    only: ['OMP-TIME-005'],
    want: 'OMP-TIME-005',
  },
  {
    name: 'tags order changed (sorted)',
    fault: () => ({
      response: (_q, r) =>
        mapMemories(r, (m) => ({
          ...m,
          tags: Array.isArray(m.tags) ? [...(m.tags as string[])].sort().reverse() : m.tags,
        })),
    }),
    want: 'OMP-MEM-007',
  },
  {
    name: 'expiry ignored',
    fault: () => ({
      request: (q) =>
        q.method === 'POST' && path(q) === '/v1/memories' ? withBody(q, ({ expires_at: _e, ...b }) => b) : q,
    }),
    only: ['OMP-EXP-001'],
    want: 'OMP-EXP-001',
  },
  {
    name: 'second principal sees the first principal’s data',
    fault: (k) => ({ request: (q) => swapKey(q, k.tokenB, k.token) }),
    only: ['OMP-AUTH-020'],
    want: 'OMP-AUTH-020',
  },
  {
    name: 'per-tool scope ignored (tool key acts as global)',
    fault: (k) => ({ request: (q) => swapKey(q, k.toolTokens.cursor as string, k.token) }),
    only: ['OMP-AUTH-011'],
    want: 'OMP-AUTH-011',
  },
  {
    name: 'read scope own ignored',
    fault: (k) => ({
      request: (q) => swapKey(q, k.toolTokens.cursor as string, k.toolTokens.claude as string),
    }),
    only: ['OMP-AUTH-015'],
    want: 'OMP-AUTH-015',
  },
  {
    name: 'read-only key may write',
    fault: (k) => ({
      request: (q) =>
        q.method !== 'GET' ? swapKey(q, k.toolTokens.reader as string, k.toolTokens.claude as string) : q,
    }),
    only: ['OMP-AUTH-013'],
    want: 'OMP-AUTH-013',
  },
  {
    name: '413 missing (oversize body answered 400)',
    fault: () => ({ response: (_q, r) => (r.status === 413 ? envelope(400, 'malformed_json') : r) }),
    only: ['OMP-HTTP-008'],
    want: 'OMP-HTTP-008',
  },
  {
    name: '415 missing (any media type accepted)',
    fault: () => ({
      request: (q) =>
        q.method === 'POST' || q.method === 'PUT'
          ? { ...q, headers: { ...q.headers, 'content-type': 'application/json' } }
          : q,
    }),
    only: ['OMP-HTTP-002'],
    want: 'OMP-HTTP-002',
  },
  {
    name: 'unknown body member accepted (silently dropped)',
    fault: () => ({
      request: (q) =>
        q.method === 'POST' && path(q) === '/v1/memories'
          ? withBody(q, ({ colour: _c, unknown_member: _x, ...b }) => b)
          : q,
    }),
    only: ['OMP-HTTP-019'],
    want: 'OMP-HTTP-019',
  },
  {
    name: 'malformed JSON answered 422',
    fault: () => ({ response: (_q, r) => (r.status === 400 ? envelope(422, 'validation_error') : r) }),
    only: ['OMP-HTTP-003'],
    want: 'OMP-HTTP-003',
  },
  {
    name: 'Allow header missing on 405',
    fault: () => ({
      response: (_q, r) => {
        const { allow: _a, ...headers } = r.headers;
        return { ...r, headers };
      },
    }),
    only: ['OMP-HTTP-011'],
    want: 'OMP-HTTP-011',
  },
  {
    name: 'memory_not_found reported as not_found',
    fault: () => ({
      response: (_q, r) =>
        json(r)?.error === 'memory_not_found' ? withJson(r, { ...json(r), error: 'not_found' }) : r,
    }),
    only: ['OMP-CRUD-007'],
    want: 'OMP-CRUD-007',
  },
  {
    name: 'search ignores the type filter',
    fault: () => ({
      request: (q) => (path(q) === '/v1/memories/search' ? withBody(q, ({ type: _t, ...b }) => b) : q),
    }),
    only: ['OMP-SEARCH-009'],
    want: 'OMP-SEARCH-009',
  },
  {
    name: 'search total is the page length',
    fault: () => ({
      response: (q, r) => {
        const j = json(r);
        return path(q) === '/v1/memories/search' && j && Array.isArray(j.memories)
          ? withJson(r, { ...j, total: j.memories.length })
          : r;
      },
    }),
    only: ['OMP-SEARCH-013'],
    want: 'OMP-SEARCH-013',
  },
  {
    name: 'mode_used echoes an unoffered mode',
    fault: () => ({
      response: (q, r) => {
        const mode = (readJson(q.body) as { mode?: string } | undefined)?.mode;
        const j = json(r);
        return path(q) === '/v1/memories/search' && j && mode ? withJson(r, { ...j, mode_used: mode }) : r;
      },
    }),
    only: ['OMP-SEARCH-015'],
    want: 'OMP-SEARCH-015',
  },
  {
    name: 'embedding leaked in list results',
    fault: () => ({
      response: (q, r) =>
        path(q) === '/v1/memories' && q.method === 'GET'
          ? mapMemories(r, (m) => ({ ...m, embedding: [0.5] }))
          : r,
    }),
    only: ['OMP-MEM-016'],
    want: 'OMP-MEM-016',
  },
  {
    name: 'content trimmed on create',
    fault: () => ({
      request: (q) =>
        q.method === 'POST' && path(q) === '/v1/memories'
          ? withBody(q, (b) => (typeof b.content === 'string' ? { ...b, content: b.content.trim() } : b))
          : q,
    }),
    only: ['OMP-MEM-003'],
    want: 'OMP-MEM-003',
  },
  {
    name: 'export order reversed',
    fault: () => ({
      response: (q, r) => {
        const j = json(r);
        return path(q) === '/v1/export' && j && Array.isArray(j.memories)
          ? withJson(r, { ...j, memories: [...j.memories].reverse() })
          : r;
      },
    }),
    only: ['OMP-EXPORT-004'],
    want: 'OMP-EXPORT-004',
  },
  {
    name: 'health memories_count always null',
    fault: () => ({
      response: (q, r) =>
        path(q) === '/v1/health' && json(r) ? withJson(r, { ...json(r), memories_count: null }) : r,
    }),
    only: ['OMP-HEALTH-004'],
    want: 'OMP-HEALTH-004',
  },
  {
    name: 'key echoed in a response header',
    fault: () => ({
      response: (q, r) => ({ ...r, headers: { ...r.headers, 'x-debug-key': q.headers.authorization ?? '' } }),
    }),
    only: ['OMP-SEC-006'],
    want: 'OMP-SEC-006',
  },
  {
    name: 'declares the Search level without implementing it',
    fault: () => ({
      response: (q, r) => {
        const j = json(r);
        return path(q) === '/v1/health' && j
          ? withJson(r, {
              ...j,
              levels: [...(j.levels as string[]), 'search'],
              capabilities: [...(j.capabilities as string[]), 'semantic_search', 'hybrid_search'],
            })
          : r;
      },
    }),
    only: ['OMP-SEARCH-020'],
    want: 'OMP-SEARCH-020',
  },
  {
    name: 'lists the extract capability without the endpoint',
    fault: () => ({
      response: (q, r) => {
        const j = json(r);
        return path(q) === '/v1/health' && j
          ? withJson(r, { ...j, capabilities: [...(j.capabilities as string[]), 'extract'] })
          : r;
      },
    }),
    only: ['OMP-HEALTH-009'],
    want: 'OMP-HEALTH-009',
  },
  {
    name: 'health requires a key',
    fault: () => ({
      request: (q) =>
        path(q) === '/v1/health' && !q.headers.authorization ? envelope(401, 'unauthorized') : q,
    }),
    only: ['OMP-HEALTH-001'],
    want: 'OMP-HEALTH-001',
  },
  {
    name: 'search matches only the first query token',
    fault: () => ({
      request: (q) =>
        path(q) === '/v1/memories/search' && q.method === 'POST'
          ? withBody(q, (b) => (typeof b.q === 'string' ? { ...b, q: b.q.split(/\s+/)[0] ?? b.q } : b))
          : q,
    }),
    only: ['OMP-SEARCH-030'],
    want: 'OMP-SEARCH-030',
  },
  {
    name: 'error envelope without details on 401 (caught run-wide)',
    fault: () => ({
      response: (_q, r) => {
        const j = json(r);
        if (r.status !== 401 || !j) return r;
        const { details: _d, ...rest } = j;
        return withJson(r, rest);
      },
    }),
    only: ['OMP-ERR-001.run', 'OMP-HTTP-016'],
    want: 'OMP-ERR-001',
  },
  {
    name: '429 without Retry-After',
    fault: () => {
      let n = 0;
      return {
        request: (q) => (path(q) === '/v1/me' && ++n > 50 ? envelope(429, 'rate_limited') : q),
        response: (q, r) => {
          const j = json(r);
          return path(q) === '/v1/health' && j
            ? withJson(r, { ...j, capabilities: [...(j.capabilities as string[]), 'rate_limiting'] })
            : r;
        },
      };
    },
    only: ['OMP-ERR-007'],
    want: 'OMP-ERR-007',
  },
  {
    name: 'Location header missing (SHOULD: warn, not fail)',
    fault: () => ({
      response: (_q, r) => {
        const { location: _l, ...headers } = r.headers;
        return { ...r, headers };
      },
    }),
    only: ['OMP-CRUD-003'],
    want: 'OMP-CRUD-003',
    status: 'warn',
  },
];

let srv: Bundled;
const reports = new Map<string, Report>();

beforeAll(async () => {
  srv = await startBundled();
  let next = 0;
  const worker = async () => {
    while (next < MUTANTS.length) {
      const m = MUTANTS[next++] as Mutant;
      const proxy = await startProxy(srv.url, m.fault(srv));
      try {
        reports.set(
          m.name,
          await runConformance({
            baseUrl: proxy.url,
            token: srv.token,
            tokenB: srv.tokenB,
            toolTokens: srv.toolTokens,
            concurrency: 4,
            ...(m.only ? { only: m.only } : {}),
            // The proxy buffers whole bodies: a 256 MiB import would only measure the proxy, and MCP's event
            // streams never end. MCP sessions reach the server's own API around the proxy anyway; MCP faults
            // are caught by mcp.test.ts's broken adapters.
            skip: ['OMP-HTTP-008.import', 'OMP-MCP'],
          }),
        );
      } finally {
        await proxy.close();
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}, 240_000);

afterAll(async () => {
  await srv?.close();
});

describe('mutation suite', () => {
  it('has at least 30 mutants, one of them against the whole suite', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(30);
    expect(MUTANTS.some((m) => !m.only)).toBe(true);
  });

  it.each(MUTANTS.map((m) => [m.name, m] as const))('catches: %s', (name, m) => {
    const r = reports.get(name);
    expect(r, 'the mutant run produced no report').toBeDefined();
    const want = m.status ?? 'fail';
    const caught = r!.checks.filter((c) => c.requirements[0] === m.want && c.status === want);
    const summary = r!.checks
      .filter((c) => c.status !== 'pass' && c.status !== 'skip')
      .map((c) => `${c.id}:${c.status}`);
    expect(
      caught.map((c) => c.id),
      `survived; non-passing checks: ${summary.join(', ') || 'none'}`,
    ).not.toEqual([]);
    if (want === 'fail') {
      expect(r!.verdict).toBe('not_conformant');
      expect(r!.exitCode).toBe(1);
    }
    // A fault is the server's, never a runner error.
    expect(r!.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
  });
});
