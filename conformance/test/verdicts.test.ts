/** Verdict rules: --strict, the expected-failures baseline (and stale entries), undeclared levels, --keep-data. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundled, startBundled } from '../src/bundled.ts';
import { type RunOptions, runConformance } from '../src/core/runner.ts';
import { type Proxy as FaultProxy, startProxy } from './support/proxy.ts';

let srv: Bundled;
let noLocation: FaultProxy;
let createsAnswer200: FaultProxy;

const opts = (baseUrl: string, extra: Partial<RunOptions> = {}): RunOptions => ({
  baseUrl,
  token: srv.token,
  tokenB: srv.tokenB,
  toolTokens: srv.toolTokens,
  ...extra,
});

beforeAll(async () => {
  srv = await startBundled();
  noLocation = await startProxy(srv.url, {
    response: (_q, r) => {
      const { location: _l, ...headers } = r.headers;
      return { ...r, headers };
    },
  });
  createsAnswer200 = await startProxy(srv.url, {
    response: (q, r) =>
      q.method === 'POST' && q.url === '/v1/memories' && r.status === 201 ? { ...r, status: 200 } : r,
  });
}, 60_000);

afterAll(async () => {
  await noLocation?.close();
  await createsAnswer200?.close();
  await srv?.close();
});

describe('verdicts', () => {
  it('reports a SHOULD failure as warn, counted only under --strict', async () => {
    const lax = await runConformance(opts(noLocation.url, { only: ['OMP-CRUD-003'] }));
    expect(lax.checks.find((c) => c.id === 'OMP-CRUD-003')?.status).toBe('warn');
    expect(lax.exitCode).toBe(0);
    const strict = await runConformance(opts(noLocation.url, { only: ['OMP-CRUD-003'], strict: true }));
    expect(strict.verdict).toBe('not_conformant');
    expect(strict.exitCode).toBe(1);
  });

  it('does not count a listed failure, and fails on a stale baseline entry', async () => {
    const known = await runConformance(
      opts(createsAnswer200.url, {
        only: ['OMP-CRUD-001'],
        skip: ['OMP-CRUD-001.boundaries'],
        expectedFailures: [{ id: 'OMP-CRUD-001', reason: 'known' }],
      }),
    );
    const c = known.checks.find((x) => x.id === 'OMP-CRUD-001');
    expect(c?.status).toBe('fail');
    expect(c?.expectedFailure).toEqual({ reason: 'known', stale: false });
    expect(known.exitCode).toBe(0);
    const stale = await runConformance(
      opts(srv.url, {
        only: ['OMP-CRUD-001'],
        expectedFailures: [{ id: 'OMP-CRUD-001', reason: 'fixed since' }],
      }),
    );
    expect(stale.checks.find((x) => x.id === 'OMP-CRUD-001')?.expectedFailure?.stale).toBe(true);
    expect(stale.verdict).toBe('not_conformant');
    expect(stale.exitCode).toBe(1);
  });

  it('is not conformant at a requested level the server does not declare', async () => {
    const r = await runConformance(
      opts(srv.url, { levels: ['search'], only: ['OMP-HEALTH-001', 'OMP-SEARCH-020'] }),
    );
    expect(r.levels.find((l) => l.level === 'search')?.verdict).toBe('not_declared');
    expect(r.checks.find((c) => c.id === 'OMP-SEARCH-020')).toMatchObject({
      status: 'skip',
      skipKind: 'not-applicable',
    });
    expect(r.exitCode).toBe(1);
  });

  it('writes curl lines that reproduce the failure on their own (small and packed bodies)', async () => {
    const no413 = await startProxy(srv.url, {
      response: (_q, r) =>
        r.status === 413
          ? { ...r, status: 400, body: Buffer.from('{"error":"malformed_json","message":"x","details":{}}') }
          : r,
    });
    try {
      const cases: Array<[string, string, RunOptions['only'], RegExp]> = [
        [createsAnswer200.url, 'OMP-CRUD-001', ['OMP-CRUD-001'], /^HTTP\/1\.1 200/m],
        [no413.url, 'OMP-HTTP-008', ['OMP-HTTP-008'], /^HTTP\/1\.1 400/m],
      ];
      for (const [url, id, only, want] of cases) {
        const r = await runConformance(
          opts(url, { only, skip: ['OMP-CRUD-001.boundaries', 'OMP-HTTP-008.import'] }),
        );
        const curl = r.checks.find((c) => c.id === id)?.failures[0]?.curl;
        expect(curl, `${id} has a curl line`).toBeDefined();
        expect(curl).not.toContain(srv.token);
        // Asynchronous: the server and the proxy live in this process and must keep answering.
        const { stdout: out } = await promisify(execFile)('bash', ['-c', curl as string], {
          env: { PATH: process.env.PATH ?? '', OMP_TOKEN: srv.token },
        });
        expect(out).toMatch(want);
      }
      expect(
        (
          await runConformance(opts(no413.url, { only: ['OMP-HTTP-008'], skip: ['OMP-HTTP-008.import'] }))
        ).checks.find((c) => c.id === 'OMP-HTTP-008')?.failures[0]?.curl,
      ).toContain('base64 -d | gunzip');
    } finally {
      await no413.close();
    }
  });

  it('waits out 429 rate_limited (Retry-After) instead of failing the check that met it', async () => {
    let n = 0;
    // Every 4th request is limited, but never the same request twice: the runner resends after Retry-After,
    // and a resend landing on another multiple of 4 would otherwise make this test depend on scheduling.
    const limitedOnce = new Set<string>();
    const limited = await startProxy(srv.url, {
      request: (q) => {
        const key = `${q.method} ${q.url} ${q.body.toString('base64')}`;
        const limit = ++n % 4 === 0 && !limitedOnce.has(key);
        if (limit) limitedOnce.add(key);
        return limit
          ? {
              status: 429,
              headers: { 'content-type': 'application/json', 'retry-after': '0' },
              body: Buffer.from('{"error":"rate_limited","message":"slow down","details":{"retry_after":0}}'),
            }
          : q;
      },
    });
    try {
      const r = await runConformance(
        opts(limited.url, { only: ['OMP-CRUD', 'OMP-LIST', 'OMP-ERR-001.run'] }),
      );
      expect(
        r.checks
          .filter((c) => c.status !== 'pass' && c.status !== 'skip')
          .map((c) => `${c.id}: ${c.failures[0]?.message ?? c.reason}`),
      ).toEqual([]);
      expect(n).toBeGreaterThan(100);
      expect(limitedOnce.size).toBeGreaterThan(20);
    } finally {
      await limited.close();
    }
  });

  it('keeps what it created with --keep-data, tagged for later removal', async () => {
    const r = await runConformance(
      opts(srv.url, { only: ['OMP-CRUD-001'], skip: ['OMP-CRUD-001.boundaries'], keepData: true }),
    );
    expect(r.cleanup?.kept).toBe(true);
    const tag = `omp-conf-${r.runId}`;
    const res = await fetch(`${srv.url}/v1/memories?tags=${tag}`, {
      headers: { authorization: `Bearer ${srv.token}` },
    });
    const body = (await res.json()) as { total: number; memories: Array<{ id: string }> };
    expect(body.total).toBe(1);
    for (const m of body.memories)
      await fetch(`${srv.url}/v1/memories/${m.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${srv.token}` },
      });
  });
});
