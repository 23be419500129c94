/**
 * Mutants of the control level (SPEC.md §20): the reference server behind a proxy that breaks one control
 * behaviour. Each must be caught by the check of its requirement, as in mutants.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundled, startBundled } from '../src/bundled.ts';
import type { Report } from '../src/core/report.ts';
import { runConformance } from '../src/core/runner.ts';
import {
  type Fault,
  type ProxyRequest,
  type ProxyResponse,
  readJson,
  startProxy,
  withJson,
} from './support/proxy.ts';

interface Mutant {
  name: string;
  fault: Fault;
  only: string[];
  want: string;
}

const path = (r: ProxyRequest) => r.url.split('?')[0] ?? '';
const ALL = ['active', 'paused', 'archived'];
const json = (r: ProxyRequest, value: unknown): ProxyRequest => ({
  ...r,
  body: Buffer.from(JSON.stringify(value)),
});

const MUTANTS: Mutant[] = [
  {
    name: 'a paused app can still write: pausing is acknowledged but never stored',
    fault: {
      request: (q) => {
        if (q.method !== 'PUT' || !path(q).startsWith('/v1/apps/')) return q;
        const b = readJson(q.body) as { paused?: boolean } | undefined;
        return b?.paused === true ? json(q, { ...b, paused: false }) : q;
      },
      response: (q, r) => {
        if (q.method !== 'PUT' || !path(q).startsWith('/v1/apps/') || r.status !== 200) return r;
        const asked = readJson(q.body) as { paused?: boolean } | undefined;
        return asked?.paused === false ? r : withJson(r, { ...(readJson(r.body) as object), paused: true });
      },
    },
    only: ['OMP-CTRL-020'],
    want: 'OMP-CTRL-020',
  },
  {
    name: 'an archived memory still shows in search',
    fault: {
      request: (q) => {
        if (q.method !== 'POST' || path(q) !== '/v1/memories/search') return q;
        const b = readJson(q.body) as Record<string, unknown> | undefined;
        return b && b.state === undefined ? json(q, { ...b, state: ALL }) : q;
      },
    },
    only: ['OMP-CTRL-004'],
    want: 'OMP-CTRL-004',
  },
  {
    name: 'a list without a state filter shows paused and archived memories',
    fault: {
      request: (q) => {
        if (q.method !== 'GET' || path(q) !== '/v1/memories') return q;
        const u = new URL(q.url, 'http://x');
        if (u.searchParams.has('state')) return q;
        u.searchParams.set('state', ALL.join(','));
        return { ...q, url: `${u.pathname}?${u.searchParams}` };
      },
    },
    only: ['OMP-CTRL-005'],
    want: 'OMP-CTRL-005',
  },
  {
    name: 'the access log misses reads',
    fault: {
      response: (q, r) => {
        if (q.method !== 'GET' || path(q) !== '/v1/access-log' || r.status !== 200) return r;
        const b = readJson(r.body) as { entries: { operation: string }[]; next_cursor: unknown };
        const reads = new Set(['get', 'list', 'search', 'export']);
        return withJson(r, { ...b, entries: b.entries.filter((e) => !reads.has(e.operation)) });
      },
    },
    only: ['OMP-CTRL-026'],
    want: 'OMP-CTRL-026',
  },
  {
    name: 'the access log carries content',
    fault: (() => {
      // The content of the latest create, echoed into every access-log entry.
      let content = '';
      return {
        request: (q: ProxyRequest) => {
          if (q.method === 'POST' && path(q) === '/v1/memories') {
            const b = readJson(q.body) as { content?: unknown } | undefined;
            if (typeof b?.content === 'string') content = b.content;
          }
          return q;
        },
        response: (q: ProxyRequest, r: ProxyResponse) => {
          if (q.method !== 'GET' || path(q) !== '/v1/access-log' || r.status !== 200) return r;
          const b = readJson(r.body) as { entries: Record<string, unknown>[]; next_cursor: unknown };
          return withJson(r, { ...b, entries: b.entries.map((e) => ({ ...e, x_note: content })) });
        },
      };
    })(),
    only: ['OMP-CTRL-029'],
    want: 'OMP-CTRL-029',
  },
];

let srv: Bundled;
const reports = new Map<string, Report>();

beforeAll(async () => {
  srv = await startBundled();
  for (const m of MUTANTS) {
    const proxy = await startProxy(srv.url, m.fault);
    try {
      reports.set(
        m.name,
        await runConformance({
          baseUrl: proxy.url,
          token: srv.token,
          tokenB: srv.tokenB,
          toolTokens: srv.toolTokens,
          concurrency: 4,
          only: m.only,
        }),
      );
    } finally {
      await proxy.close();
    }
  }
}, 240_000);

afterAll(async () => {
  await srv?.close();
});

describe('control level mutation suite', () => {
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
    expect(r!.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
  });

  it('the unbroken server passes every control check', async () => {
    const only = Array.from({ length: 38 }, (_, i) => `OMP-CTRL-${String(i + 1).padStart(3, '0')}`).filter(
      (id) => id !== 'OMP-CTRL-034' && id !== 'OMP-CTRL-038',
    );
    const r = await runConformance({
      baseUrl: srv.url,
      token: srv.token,
      tokenB: srv.tokenB,
      toolTokens: srv.toolTokens,
      concurrency: 4,
      only,
    });
    const ctrl = r.checks.filter((c) => c.requirements[0]?.startsWith('OMP-CTRL-'));
    expect(
      ctrl.filter((c) => c.status !== 'pass').map((c) => `${c.id}:${c.status} ${c.reason ?? ''}`),
    ).toEqual([]);
    expect(ctrl.length).toBe(only.length);
  });
});
