/**
 * Self-test (1): the bundled reference server passes every applicable check at every level it declares (no false
 * positives), data the run did not create is untouched, nothing is left behind, and every report renders and
 * validates, with no credential in any output.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBundled } from '../src/bundled.ts';
import { parseExpectedFailures } from '../src/core/expected.ts';
import type { Report } from '../src/core/report.ts';
import { validateReport } from '../src/core/report-schema.ts';
import { runConformance } from '../src/core/runner.ts';
import { renderBadges } from '../src/reporters/badge.ts';
import { renderHtml } from '../src/reporters/html.ts';
import { renderJson } from '../src/reporters/index.ts';
import { renderJunit } from '../src/reporters/junit.ts';
import { renderMarkdown } from '../src/reporters/markdown.ts';

const known = parseExpectedFailures(
  readFileSync(new URL('./reference-known-failures.json', import.meta.url), 'utf8'),
);

let srv: Awaited<ReturnType<typeof startBundled>>;
let report: Report;
const foreign: Record<string, unknown>[] = [];

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(srv.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: res.status,
    body: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>),
  };
}

beforeAll(async () => {
  srv = await startBundled();
  // Data the run did not create: the runner must neither change nor delete it.
  for (const [token, tag] of [
    [srv.token, 'user-data'],
    [srv.tokenB, 'other-user-data'],
  ] as const) {
    const r = await call('POST', '/v1/memories', token, {
      content: 'pre-existing memory of a real user',
      type: 'semantic',
      source: { tool: 'cursor' },
      tags: [tag],
    });
    foreign.push({ token, memory: r.body });
  }
  report = await runConformance({
    baseUrl: srv.url,
    token: srv.token,
    tokenB: srv.tokenB,
    toolTokens: srv.toolTokens,
    bundled: true,
    expectedFailures: known,
  });
}, 120_000);

afterAll(async () => {
  await srv?.close();
});

describe('the reference server', () => {
  it('is conformant at every level it declares, with every applicable check passing', () => {
    const bad = report.checks
      .filter(
        (c) => (c.status === 'fail' || c.status === 'warn' || c.status === 'error') && !c.expectedFailure,
      )
      .map((c) => `${c.id} ${c.status}: ${c.reason ?? c.failures[0]?.message}`);
    expect(bad).toEqual([]);
    const stale = report.checks.filter((c) => c.expectedFailure?.stale).map((c) => c.id);
    expect(
      stale,
      'known reference failures that now pass: remove them from reference-known-failures.json',
    ).toEqual([]);
    expect(report.verdict).toBe('conformant');
    expect(report.exitCode).toBe(0);
    const declared = report.levels.filter((l) => l.declared);
    expect(declared.map((l) => l.level).sort()).toEqual(['control', 'core', 'full', 'mcp']);
    for (const l of declared.filter((x) => x.requested)) expect(l.verdict, l.level).toBe('conformant');
  });

  it('certifies its own MCP endpoint (/mcp, the OpenMemory URLs, SSE) at level mcp', () => {
    const mcp = report.checks.filter((c) => c.level === 'mcp');
    const ran = mcp.filter((c) => c.status === 'pass').map((c) => c.id);
    expect(ran.length).toBeGreaterThanOrEqual(26);
    for (const id of ['OMP-MCP-001', 'OMP-MCP-002', 'OMP-MCP-003', 'OMP-MCP-016', 'OMP-MCP-020'])
      expect(ran).toContain(id);
    // Only the stdio adapter's own requirement does not apply to a server (beside the checks of 0.3's IDs).
    const v04 = mcp.filter((c) => c.status === 'skip' && !/not a requirement of spec/.test(c.reason ?? ''));
    expect(v04.map((c) => c.id)).toEqual(['OMP-CLIENT-010']);
    expect(report.levels.find((l) => l.level === 'mcp')).toMatchObject({
      requested: true,
      verdict: 'conformant',
    });
    expect(report.target.mcp).toEqual({
      transport: 'streamable-http',
      endpoint: `${srv.url}/mcp`,
      adapter: false,
    });
  });

  it('is certified against 0.4, the newest version both speak, the checks of 0.3 only not applicable', () => {
    expect(report.spec).toMatchObject({ version: '0.4', chosen: 'declared' });
    expect(report.spec.runnerVersions).toEqual(expect.arrayContaining(['0.3', '0.4']));
    expect(report.target.versions).toContain('0.4');
    const only03 = report.checks.filter((c) => c.id === 'OMP-HTTP-005' || c.id === 'OMP-SEARCH-005');
    expect(only03.map((c) => [c.id, c.status, c.skipKind])).toEqual([
      ['OMP-SEARCH-005', 'skip', 'not-applicable'],
      ['OMP-HTTP-005', 'skip', 'not-applicable'],
    ]);
    expect(renderMarkdown(report)).toContain('Certified against OMP spec 0.4');
  });

  it('skips only what the server does not declare, each with a reason', () => {
    for (const c of report.checks.filter((x) => x.status === 'skip')) {
      expect(['not-applicable', 'not-requested'], `${c.id}: ${c.reason}`).toContain(c.skipKind);
      expect(c.reason).toBeTruthy();
    }
    const ran = report.checks.filter((c) => c.status !== 'skip');
    expect(ran.length).toBeGreaterThan(150);
  });

  it('leaves data it did not create untouched and nothing of its own behind', async () => {
    expect(report.cleanup?.residue).toBe(0);
    expect(report.cleanup?.warnings).toEqual([]);
    for (const f of foreign) {
      const m = f.memory as { id: string };
      const now = await call('GET', `/v1/memories/${m.id}`, f.token as string);
      expect(now.body).toEqual(f.memory);
    }
    for (const token of [srv.token, srv.tokenB]) {
      const l = await call('GET', '/v1/memories?limit=100', token);
      expect(l.body?.total).toBe(1);
    }
  });

  it('writes a report valid against its schema, stamped with versions and the requirement-set hash', () => {
    expect(validateReport(report)).toEqual([]);
    expect(validateReport(JSON.parse(renderJson(report)))).toEqual([]);
    expect(report.runner.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.spec.version).toBe('0.4');
    expect(report.spec.requirementSetHash).toMatch(/^[0-9a-f]{64}$/);
    expect(report.coverage.covered + report.coverage.excluded).toBe(report.coverage.testable);
  });

  it('renders every reporter, stamped, without any credential', () => {
    const outputs = [
      renderJson(report),
      renderJunit(report),
      renderHtml(report),
      renderMarkdown(report),
      ...renderBadges(report).values(),
    ];
    const secrets = [srv.token, srv.tokenB, ...Object.values(srv.toolTokens)];
    for (const out of outputs) for (const s of secrets) expect(out.includes(s)).toBe(false);
    for (const out of outputs.slice(0, 4)) expect(out).toContain(report.spec.requirementSetHash);
    expect(renderJunit(report)).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n/);
    expect(renderHtml(report)).toContain('Compliance matrix');
    expect([...renderBadges(report).keys()].sort()).toEqual([
      'badge-control.svg',
      'badge-core.svg',
      'badge-full.svg',
      'badge-mcp.svg',
    ]);
  });
});
