/**
 * Mutants of what 0.4 adds (SPEC.md §1.2, §5.2 cursors, §5.6, §5.8, §5.9): the reference server behind a proxy
 * that breaks one 0.4 behaviour. Each must be caught by the check of its requirement when certifying 0.4, as in
 * mutants.test.ts, and its check is not applicable when certifying 0.3 (a 0.3-declaring server, or a 0.4 one with
 * the specVersion option): 0.3 has no such requirement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundled, startBundled } from '../src/bundled.ts';
import type { Report } from '../src/core/report.ts';
import { runConformance } from '../src/core/runner.ts';
import { type Fault, type ProxyRequest, readJson, startProxy, withJson } from './support/proxy.ts';

interface Mutant {
  name: string;
  fault: (k: Bundled) => Fault;
  only: string[];
  want: string;
}

const path = (r: ProxyRequest) => r.url.split('?')[0] ?? '';
const without = (r: ProxyRequest, header: string): ProxyRequest => {
  const { [header]: _gone, ...headers } = r.headers;
  return { ...r, headers };
};

/** A cursor that is only an offset in disguise: positions shift when memories are written between pages. */
const OFFSET = 'off';
const offsetCursor = (n: number) => Buffer.from(`${OFFSET}:${n}`).toString('base64url');
const offsetOf = (cursor: string) => {
  const m = /^off:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
};

const MUTANTS: Mutant[] = [
  {
    name: 'lost update accepted: If-Match ignored',
    fault: () => ({
      request: (q) => (q.method === 'PUT' || q.method === 'DELETE' ? without(q, 'if-match') : q),
    }),
    only: ['OMP-ETAG-003'],
    want: 'OMP-ETAG-003',
  },
  {
    name: 'idempotent retry duplicated: Idempotency-Key dropped',
    fault: () => ({
      request: (q) => (q.method === 'POST' ? without(q, 'idempotency-key') : q),
    }),
    only: ['OMP-IDEM-002'],
    want: 'OMP-IDEM-002',
  },
  {
    name: 'cursor skipping or repeating under writes: the cursor is an offset',
    fault: () => ({
      request: (q) => {
        if (q.method !== 'GET' || path(q) !== '/v1/memories') return q;
        const u = new URL(q.url, 'http://x');
        const c = u.searchParams.get('cursor');
        const n = c === null ? undefined : offsetOf(c);
        if (n === undefined) return q;
        u.searchParams.delete('cursor');
        u.searchParams.set('offset', String(n));
        return { ...q, url: `${u.pathname}?${u.searchParams}` };
      },
      response: (q, r) => {
        if (q.method !== 'GET' || path(q) !== '/v1/memories' || r.status !== 200) return r;
        const b = readJson(r.body) as { memories: unknown[]; offset: number; next_cursor: string | null };
        if (b.next_cursor === null) return r;
        return withJson(r, { ...b, next_cursor: offsetCursor(b.offset + b.memories.length) });
      },
    }),
    only: ['OMP-LIST-019'],
    want: 'OMP-LIST-019',
  },
  {
    name: 'bulk delete ignores expected_count',
    fault: () => ({
      request: (q) => {
        if (q.method !== 'POST' || path(q) !== '/v1/memories/bulk-delete') return q;
        const { expected_count: _e, ...b } = readJson(q.body) as Record<string, unknown>;
        return { ...q, body: Buffer.from(JSON.stringify(b)) };
      },
    }),
    only: ['OMP-BULK-004'],
    want: 'OMP-BULK-004',
  },
  {
    name: 'bulk delete treats an empty filter as everything',
    fault: () => ({
      request: (q) => {
        if (q.method !== 'POST' || path(q) !== '/v1/memories/bulk-delete') return q;
        const b = readJson(q.body) as { filter?: Record<string, unknown> };
        if (!b || typeof b !== 'object' || (b.filter && Object.keys(b.filter).length > 0)) return q;
        return { ...q, body: Buffer.from(JSON.stringify({ ...b, filter: { all: true }, dry_run: true })) };
      },
    }),
    only: ['OMP-BULK-002'],
    want: 'OMP-BULK-002',
  },
  {
    name: 'no OMP-Version response header',
    fault: () => ({
      response: (_q, r) => {
        const { 'omp-version': _v, ...headers } = r.headers;
        return { ...r, headers };
      },
    }),
    only: ['OMP-VER-001'],
    want: 'OMP-VER-001',
  },
];

let srv: Bundled;
let srv03: Bundled;
const reports = new Map<string, Report>();
/** Per mutant: certified against 0.3, declared by the server (the 0.3 façade) and chosen by the option. */
const reports03 = new Map<string, { declared: Report; option: Report }>();

beforeAll(async () => {
  [srv, srv03] = await Promise.all([startBundled(), startBundled({ specVersions: ['0.3'] })]);
  for (const m of MUTANTS) {
    const run = async (s: Bundled, specVersion?: string) => {
      const proxy = await startProxy(s.url, m.fault(s));
      try {
        return await runConformance({
          baseUrl: proxy.url,
          token: s.token,
          tokenB: s.tokenB,
          toolTokens: s.toolTokens,
          concurrency: 4,
          only: m.only,
          ...(specVersion ? { specVersion } : {}),
        });
      } finally {
        await proxy.close();
      }
    };
    reports.set(m.name, await run(srv));
    reports03.set(m.name, { declared: await run(srv03), option: await run(srv, '0.3') });
  }
}, 240_000);

afterAll(async () => {
  await Promise.all([srv?.close(), srv03?.close()]);
});

describe('0.4 mutation suite', () => {
  it.each(MUTANTS.map((m) => [m.name, m] as const))('catches: %s', (name, m) => {
    const r = reports.get(name);
    expect(r, 'the mutant run produced no report').toBeDefined();
    const caught = r!.checks.filter((c) => c.requirements[0] === m.want && c.status === 'fail');
    const summary = r!.checks
      .filter((c) => c.status !== 'pass' && c.status !== 'skip')
      .map((c) => `${c.id}:${c.status}`);
    expect(
      caught.map((c) => c.id),
      `survived; non-passing checks: ${summary.join(', ') || 'none'}`,
    ).not.toEqual([]);
    expect(r!.verdict).toBe('not_conformant');
    expect(r!.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
  });

  it.each(MUTANTS.map((m) => [m.name, m] as const))(
    'certifying 0.3, its check is not applicable: %s',
    (name, m) => {
      const both = reports03.get(name);
      for (const [how, r] of Object.entries(both ?? {})) {
        expect(r.spec.version, how).toBe('0.3');
        const c = r.checks.filter((x) => x.requirements[0] === m.want);
        expect(c.length, how).toBeGreaterThan(0);
        for (const x of c) {
          expect([x.status, x.skipKind], `${how}: ${x.id}`).toEqual(['skip', 'not-applicable']);
          expect(x.reason, how).toMatch(/not a requirement of spec 0\.3/);
        }
        expect(
          r.checks.filter((x) => x.status === 'fail' || x.status === 'error'),
          how,
        ).toEqual([]);
      }
    },
  );

  it('the unbroken server passes the same checks', async () => {
    const r = await runConformance({
      baseUrl: srv.url,
      token: srv.token,
      tokenB: srv.tokenB,
      toolTokens: srv.toolTokens,
      concurrency: 4,
      only: MUTANTS.flatMap((m) => m.only),
    });
    const bad = r.checks
      .filter((c) => c.status !== 'pass' && c.status !== 'skip')
      .map((c) => `${c.id}:${c.status} ${c.reason ?? ''}`);
    expect(bad).toEqual([]);
    const ran = r.checks.filter((c) => c.status === 'pass').map((c) => c.requirements[0]);
    for (const m of MUTANTS) expect(ran).toContain(m.want);
  });
});
