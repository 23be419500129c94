/**
 * Rate limits (SPEC §9.4) are waited out in one place, the runner's HTTP layer, for every request alike (streamed
 * import bodies included); a 429 that outlasts the bounded retries ends a check as an error of the run, never as
 * a failure of the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundled, startBundled } from '../src/bundled.ts';
import { runConformance } from '../src/core/runner.ts';
import { busyWait, MAX_BUSY_WAIT_MS } from '../src/http/client.ts';
import { type ProxyRequest, type ProxyResponse, startProxy } from './support/proxy.ts';

const path = (r: ProxyRequest) => r.url.split('?')[0] ?? '';
const tooMany = (retryAfter: string): ProxyResponse => ({
  status: 429,
  headers: { 'content-type': 'application/json', 'retry-after': retryAfter },
  body: Buffer.from(JSON.stringify({ error: 'rate_limited', message: 'slow down', details: {} })),
});

describe('busyWait', () => {
  const now = Date.parse('2026-12-02T10:00:00.000Z');
  it('honours delta-seconds and HTTP-dates, with a doubling floor and a cap', () => {
    expect(busyWait('2', 0, now)).toBe(2000);
    expect(busyWait('Wed, 02 Dec 2026 10:00:03 GMT', 0, now)).toBe(3000);
    // An HTTP-date already past (one-second resolution) still waits the backoff floor.
    expect(busyWait('Wed, 02 Dec 2026 09:59:59 GMT', 0, now)).toBe(100);
    expect(busyWait('Wed, 02 Dec 2026 09:59:59 GMT', 3, now)).toBe(800);
    expect(busyWait(undefined, 0, now)).toBe(1000);
    expect(busyWait('soon', 0, now)).toBe(1000);
    expect(busyWait('3600', 0, now)).toBe(MAX_BUSY_WAIT_MS);
  });
});

describe('rate limits met by checks', () => {
  let srv: Bundled;
  beforeAll(async () => {
    srv = await startBundled();
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('resends a streamed import refused with 429 (HTTP-date Retry-After) and judges the real answer', async () => {
    let refused = 0;
    const proxy = await startProxy(srv.url, {
      request: (q) => {
        if (q.method !== 'POST' || path(q) !== '/v1/import' || refused >= 2) return q;
        refused++;
        return tooMany(new Date(Date.now() + 1000).toUTCString());
      },
    });
    try {
      const r = await runConformance({
        baseUrl: proxy.url,
        token: srv.token,
        concurrency: 2,
        only: ['OMP-HTTP-008.import'],
      });
      const c = r.checks.find((x) => x.id === 'OMP-HTTP-008.import');
      expect(refused).toBe(2);
      expect([c?.status, c?.reason, c?.failures[0]?.message]).toEqual(['pass', undefined, undefined]);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('ends a check that meets nothing but 429 as an error naming the limit, never a failure', async () => {
    const proxy = await startProxy(srv.url, {
      request: (q) => (path(q) === '/v1/export' ? tooMany('0') : q),
    });
    try {
      const r = await runConformance({
        baseUrl: proxy.url,
        token: srv.token,
        concurrency: 2,
        only: ['OMP-EXPORT-001'],
      });
      const c = r.checks.find((x) => x.id === 'OMP-EXPORT-001');
      expect(c?.status).toBe('error');
      expect(c?.reason).toMatch(/still answered 429 to GET \/v1\/export/);
      expect(r.verdict).not.toBe('not_conformant');
    } finally {
      await proxy.close();
    }
  }, 120_000);
});
