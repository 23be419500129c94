/**
 * Self-test (3): network faults are the runner's `error`, never the server's `fail`. A proxy cuts every connection
 * for a window in the middle of a run; the run must report errors, no failure, an incomplete verdict and exit 3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundled, startBundled } from '../src/bundled.ts';
import type { Report } from '../src/core/report.ts';
import { runConformance } from '../src/core/runner.ts';
import { startProxy } from './support/proxy.ts';

let srv: Bundled;
let report: Report;

beforeAll(async () => {
  srv = await startBundled();
  let n = 0;
  let healed = false;
  // From request 150 on every connection is cut: a network failing in the middle of the run, healed for cleanup.
  const proxy = await startProxy(srv.url, { request: (q) => (++n >= 150 && !healed ? 'drop' : q) });
  try {
    report = await runConformance({
      baseUrl: proxy.url,
      token: srv.token,
      tokenB: srv.tokenB,
      toolTokens: srv.toolTokens,
      concurrency: 4,
      skip: ['OMP-HTTP-008.import'],
      onEvent: (e) => {
        if (e.type === 'cleanup') healed = true;
      },
    });
  } finally {
    await proxy.close();
  }
}, 120_000);

afterAll(async () => {
  await srv?.close();
});

describe('a network fault mid-run', () => {
  it('yields error, never fail', () => {
    const failed = report.checks
      .filter((c) => c.status === 'fail' || c.status === 'warn')
      .map((c) => `${c.id}: ${c.failures[0]?.message}`);
    expect(failed).toEqual([]);
    const errors = report.checks.filter((c) => c.status === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.reason).toMatch(/network fault/);
  });

  it('makes the verdict incomplete with exit code 3, not "not conformant"', () => {
    expect(report.verdict).toBe('incomplete');
    expect(report.exitCode).toBe(3);
  });

  it('still cleans up once the network is back', () => {
    expect(report.cleanup?.warnings).toEqual([]);
    expect(report.cleanup?.residue).toBe(0);
  });

  it('reports an unreachable server as unreachable (exit 3), not as failures', async () => {
    const r = await runConformance({ baseUrl: 'http://127.0.0.1:9', token: 'x' });
    expect(r.verdict).toBe('unreachable');
    expect(r.exitCode).toBe(3);
    expect(r.checks.every((c) => c.status === 'skip')).toBe(true);
  });
});
