/** The benchmark's own arithmetic and load driver (reference-server/bench): percentiles, medians, growth, driving. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { growthMarkdown, growthTable } from '../bench/growth.ts';
import { drive } from '../bench/load-driver.ts';
import type { Row } from '../bench/measure.ts';
import { classifyGrowth, fmtSpread, Latencies, median, spread } from '../bench/stats.ts';

describe('bench statistics', () => {
  it('takes exact nearest-rank percentiles', () => {
    const l = new Latencies();
    expect(Number.isNaN(l.percentile(50))).toBe(true);
    for (let i = 100; i >= 1; i--) l.record(i);
    expect(l.count).toBe(100);
    expect(l.percentile(50)).toBe(50);
    expect(l.percentile(99)).toBe(99);
    expect(l.percentile(100)).toBe(100);
    l.record(0.5);
    expect(l.percentile(0.5)).toBe(0.5);
    expect(l.percentile(1)).toBe(1);
  });

  it('reduces repetitions to a median and a range, ignoring failed (NaN) ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
    expect(spread([5, Number.NaN, 1, 3])).toEqual({ median: 3, min: 1, max: 5 });
    expect(fmtSpread(spread([5, 1, 3]))).toBe('3.00 (1.00–5.00)');
    expect(fmtSpread(spread([]))).toBe('-');
  });

  it('classifies growth from 10k to 100k', () => {
    expect(classifyGrowth(2, 2.5, 10_000, 100_000)).toBe('flat');
    expect(classifyGrowth(2, 3, 10_000, 100_000)).toBe('logarithmic');
    expect(classifyGrowth(2, 8, 10_000, 100_000)).toBe('sublinear');
    expect(classifyGrowth(2, 20, 10_000, 100_000)).toBe('linear or worse');
  });

  it('builds one growth line per operation, deep pages of every size on one line', () => {
    const row = (store: string, operation: string, p50: number): Row => ({
      store,
      setup: 'SQLite, no cache',
      operation,
      connections: 32,
      reqPerSec: spread([1]),
      p50: spread([p50]),
      p99: spread([p50]),
      requests: 1,
      failures: 0,
      cpuUs: 1,
      rss: 1,
      load: [0, 0],
    });
    const label = (n: number) => `${n / 1000}k`;
    const lines = growthTable(
      [
        row('10k', 'get by id', 1),
        row('100k', 'get by id', 1.1),
        row('10k', 'list page 100 by offset', 2),
        row('100k', 'list page 1000 by offset', 20),
      ],
      [10_000, 100_000],
      label,
    );
    expect(lines.map((l) => [l.operation, l.growth])).toEqual([
      ['get by id, c=32', 'flat'],
      ['list last page by offset, c=32', 'linear or worse'],
    ]);
    expect(lines[1]?.ratio).toBe(10);
    expect(growthMarkdown(lines, [10_000, 100_000], label)).toContain(
      '| list last page by offset, c=32 | 2.00 | 20.0 | 10.00× | **linear or worse** | 1.00× |',
    );
  });
});

describe('bench load driver', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/fail') {
        res.writeHead(500).end('{"error":"boom"}');
        return;
      }
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('counts requests per operation of a mix and says why one fails', async () => {
    const result = await drive(
      [url],
      [
        { name: 'get', weight: 3, next: () => ({ method: 'GET', path: '/ok' }) },
        { name: 'post', weight: 3, next: () => ({ method: 'POST', path: '/ok', body: '{"a":1}' }) },
        { name: 'bad', weight: 1, next: () => ({ method: 'GET', path: '/fail' }) },
      ],
      { connections: 4, seconds: 0.3, headers: { 'content-type': 'application/json' } },
    );
    const [get, post, bad] = result.operations;
    expect(get?.requests).toBeGreaterThan(0);
    expect(post?.requests).toBeGreaterThan(0);
    expect(get?.failures).toBe(0);
    expect(bad?.requests).toBe(0);
    expect(bad?.failures).toBeGreaterThan(0);
    expect(bad?.firstFailure).toContain('HTTP 500');
    expect(result.requests).toBe((get?.requests ?? 0) + (post?.requests ?? 0));
    expect(get?.p99).toBeGreaterThanOrEqual(get?.p50 ?? Number.POSITIVE_INFINITY);
  });

  it('reports a server that is not there as failures, not a crash', async () => {
    const result = await drive(
      ['http://127.0.0.1:1'],
      [{ name: 'get', next: () => ({ method: 'GET', path: '/' }) }],
      {
        connections: 2,
        seconds: 5,
        headers: {},
      },
    );
    expect(result.requests).toBe(0);
    expect(result.operations[0]?.failures).toBe(100); // 50 in a row per connection, then it stops
    expect(result.operations[0]?.firstFailure).toMatch(/ECONNREFUSED/);
  });
});
