/**
 * Preconditions, evidence and the root-cause report (issue #11): a draft-era health body and a missing GET /v1/me
 * never stop a run; a check whose precondition a server defect breaks is `blocked` by the failing check's ID and
 * counts against its level; "nothing stored" is judged by the run's own markers, never by `total`; cleanup that
 * cannot verify says so; reports open with the root causes. Real reference server behind a fault proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundled, startBundled } from '../src/bundled.ts';
import type { Report } from '../src/core/report.ts';
import { validateReport } from '../src/core/report-schema.ts';
import { runConformance } from '../src/core/runner.ts';
import { settleBlocked } from '../src/core/schedule.ts';
import type { CheckResult } from '../src/core/types.ts';
import { rootCauses } from '../src/core/verdict.ts';
import { renderHtml } from '../src/reporters/html.ts';
import { renderJunit } from '../src/reporters/junit.ts';
import { renderMarkdown } from '../src/reporters/markdown.ts';
import { PrettyReporter } from '../src/reporters/pretty.ts';
import { type Proxy as FaultProxy, readJson, startProxy, withJson } from './support/proxy.ts';

const result = (
  id: string,
  status: CheckResult['status'],
  extra: Partial<CheckResult> = {},
): CheckResult => ({
  id,
  title: 'MUST do it',
  requirements: [id.split('.')[0] as string],
  area: id.split('-')[1] as string,
  rfc: 'MUST',
  level: 'core',
  status,
  failures: status === 'fail' ? [{ message: `${id} failed` }] : [],
  notes: [],
  durationMs: 0,
  requests: 0,
  ...extra,
});

describe('blocked results', () => {
  it('stay blocked by a failing check, become runner errors when the blocker passes, say when it did not run', () => {
    const rs = [
      result('OMP-CRUD-001', 'fail'),
      result('OMP-LIST-001', 'pass'),
      result('OMP-LIST-004', 'skip', { skipKind: 'deselected', reason: 'x' }),
      result('OMP-A-001', 'blocked', { blockedBy: 'OMP-CRUD-001', reason: 'no memory' }),
      result('OMP-A-002', 'blocked', { blockedBy: 'OMP-LIST-001', reason: 'no list' }),
      result('OMP-A-003', 'blocked', { blockedBy: 'OMP-LIST-004', reason: 'no filter' }),
    ];
    settleBlocked(rs);
    expect(rs.map((r) => r.status)).toEqual(['fail', 'pass', 'skip', 'blocked', 'error', 'blocked']);
    expect(rs[4]?.reason).toMatch(/although OMP-LIST-001 passes/);
    expect(rs[5]?.reason).toMatch(/OMP-LIST-004 did not run/);
  });

  it('rank root causes by how many checks they block, through chains of blocks', () => {
    const rs = [
      result('OMP-HEALTH-002', 'fail'),
      result('OMP-CRUD-001', 'fail'),
      result('OMP-B-001', 'blocked', { blockedBy: 'OMP-CRUD-001', reason: 'r' }),
      result('OMP-B-002', 'blocked', { blockedBy: 'OMP-B-001', reason: 'r' }),
      result('OMP-B-003', 'blocked', { blockedBy: 'OMP-HEALTH-002', reason: 'r' }),
    ];
    expect(rootCauses(rs).map((c) => [c.id, c.blocks])).toEqual([
      ['OMP-CRUD-001', 2],
      ['OMP-HEALTH-002', 1],
    ]);
  });
});

let srv: Bundled;
let draft: FaultProxy;
let lyingTotal: FaultProxy;
let noSweep: FaultProxy;
let draftReport: Report;

const path = (url: string) => url.split('?')[0] ?? '';

beforeAll(async () => {
  srv = await startBundled();
  // A draft-0.2-shaped server: the draft's health body and no GET /v1/me.
  draft = await startProxy(srv.url, {
    request: (q) =>
      path(q.url) === '/v1/me'
        ? {
            status: 404,
            headers: { 'content-type': 'application/json' },
            body: Buffer.from(JSON.stringify({ error: 'not_found', message: 'no such route', details: {} })),
          }
        : undefined,
    response: (q, r) => {
      if (path(q.url) !== '/v1/health') return r;
      const h = readJson(r.body) as { memories_count: unknown };
      return withJson(r, {
        status: 'ok',
        version: '0.2',
        compliance: 'OMP-Core',
        memories_count: h.memories_count,
      });
    },
  });
  // Every list says there are 5 more memories than it shows.
  lyingTotal = await startProxy(srv.url, {
    response: (q, r) => {
      if (q.method !== 'GET' || path(q.url) !== '/v1/memories' || r.status !== 200) return r;
      const b = readJson(r.body) as { total: number };
      return withJson(r, { ...b, total: b.total + 5 });
    },
  });
  // Listing by the run's own tag (what cleanup does to prove nothing is left) fails.
  noSweep = await startProxy(srv.url, {
    request: (q) =>
      /[?&]tags=omp-conf-[0-9a-f]{8}(&|$)/.test(q.url)
        ? {
            status: 500,
            headers: { 'content-type': 'application/json' },
            body: Buffer.from('{"error":"internal_error","message":"x","details":{}}'),
          }
        : undefined,
  });
  draftReport = await runConformance({
    baseUrl: draft.url,
    token: srv.token,
    only: [
      'OMP-HEALTH',
      'OMP-LEVEL',
      'OMP-AUTH-010',
      'OMP-AUTH-001',
      'OMP-CRUD-001',
      'OMP-HTTP-008',
      'OMP-LIST-001',
    ],
  });
}, 120_000);

afterAll(async () => {
  await draft?.close();
  await lyingTotal?.close();
  await noSweep?.close();
  await srv?.close();
});

describe('a draft-era server (draft health body, no GET /v1/me)', () => {
  const status = (id: string) => draftReport.checks.find((c) => c.id === id);

  it('runs Core anyway and judges each defect by its own requirement', () => {
    expect(draftReport.verdict).toBe('not_conformant');
    expect(draftReport.exitCode).toBe(1);
    expect(status('OMP-HEALTH-002')?.status).toBe('fail');
    expect(status('OMP-AUTH-010')?.status).toBe('fail');
    expect(status('OMP-LEVEL-001')?.status).toBe('fail');
    // Met by the draft body: never accused because of the body's other members. A draft server is certified
    // against 0.3 (the oldest version the runner has at or above its own), so 0.3's OMP-LEVEL-005 applies.
    expect(draftReport.spec.version).toBe('0.3');
    for (const id of ['OMP-HEALTH-001', 'OMP-HEALTH-003', 'OMP-HEALTH-007', 'OMP-LEVEL-004', 'OMP-LEVEL-005'])
      expect(status(id)?.status, id).toBe('pass');
    expect(status('OMP-CRUD-001')?.status).toBe('pass');
    expect(status('OMP-LIST-001')?.status).toBe('pass');
    // GET /v1/me is not an endpoint of this server: no 401 is due there.
    expect(status('OMP-AUTH-001')?.status).toBe('pass');
  });

  it('blocks what needs a declared limit by OMP-HEALTH-002, counts it against Core and puts it first', () => {
    const blocked = status('OMP-HTTP-008');
    expect(blocked?.status).toBe('blocked');
    expect(blocked?.blockedBy).toBe('OMP-HEALTH-002');
    const core = draftReport.levels.find((l) => l.level === 'core');
    expect(core?.verdict).toBe('not_conformant');
    expect(core?.counts.blocked).toBeGreaterThan(0);
    expect(draftReport.rootCauses[0]?.id).toBe('OMP-HEALTH-002');
  });

  it('recognises the draft and says which documented change each failure trips over', () => {
    expect(draftReport.target.draft).toEqual({ version: '0.2', compliance: 'OMP-Core' });
    expect(status('OMP-HEALTH-002')?.sinceDraft).toMatch(/^§15.1 #11/);
    expect(status('OMP-AUTH-010')?.sinceDraft).toMatch(/§15/);
  });

  it('writes every report format valid and opening with the root causes', () => {
    expect(validateReport(draftReport)).toEqual([]);
    const md = renderMarkdown(draftReport);
    expect(md.indexOf('Fix first')).toBeGreaterThan(-1);
    expect(md.indexOf('Fix first')).toBeLessThan(md.indexOf('| level |'));
    expect(md).toContain('fix OMP-HEALTH-002:');
    expect(md).toContain('Documented changes since draft 0.2');
    const html = renderHtml(draftReport);
    expect(html.indexOf('Fix first')).toBeLessThan(html.indexOf('<h2>Levels</h2>'));
    expect(renderJunit(draftReport)).toContain('type="blocked"');
    const out: string[] = [];
    new PrettyReporter({ write: (s: string) => out.push(s) }, { color: false }).onEvent({
      type: 'end',
      report: draftReport,
    });
    const text = out.join('');
    expect(text.trimStart().startsWith('Fix first:')).toBe(true);
    expect(text).toMatch(/fix OMP-HEALTH-002: \d+ checks? (is|are) blocked by it/);
  });
});

describe('honest evidence', () => {
  it('judges "nothing was stored" by the memories it can see, never by total', async () => {
    const r = await runConformance({
      baseUrl: lyingTotal.url,
      token: srv.token,
      only: ['OMP-CRUD-004', 'OMP-MEM-004'],
    });
    expect(r.checks.filter((c) => c.status === 'pass').map((c) => c.id)).toEqual([
      'OMP-CRUD-004',
      'OMP-MEM-004',
    ]);
    expect(
      r.checks
        .filter((c) => c.status !== 'pass' && c.status !== 'skip')
        .map((c) => `${c.id}: ${c.failures[0]?.message}`),
    ).toEqual([]);
  }, 120_000);

  it('reports cleanup residue as unknown, with the reason, when it cannot list', async () => {
    const r = await runConformance({ baseUrl: noSweep.url, token: srv.token, only: ['OMP-CRUD-001'] });
    expect(r.cleanup?.residue).toBeNull();
    expect(r.cleanup?.unverified).toMatch(/could not be listed/);
    expect(validateReport(r)).toEqual([]);
  }, 120_000);
});
