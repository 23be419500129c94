/**
 * Certification by spec version (SPEC.md §1.2, issue #12): the runner certifies a server against the newest
 * version both speak, or the one the specVersion option names; a check applies to the versions whose requirement
 * catalogue holds its requirement, and is not applicable under any other; every report says which version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundled, startBundled } from '../src/bundled.ts';
import { parseCli, UsageError } from '../src/cli/args.ts';
import type { Report } from '../src/core/report.ts';
import { validateReport } from '../src/core/report-schema.ts';
import { runConformance } from '../src/core/runner.ts';
import { renderHtml } from '../src/reporters/html.ts';
import { renderJunit } from '../src/reporters/junit.ts';
import { renderMarkdown } from '../src/reporters/markdown.ts';
import { PrettyReporter } from '../src/reporters/pretty.ts';
import { readJson, startProxy, withJson } from './support/proxy.ts';

/**
 * What the reference server's 0.3 façade (reference-server/src/legacy-0-3.ts) does not change from 0.4: it hides
 * 0.4's headers and members but keeps 0.4's behaviour, which 0.3's text forbids. Certified against 0.3, these
 * (and only these) fail: the runner judges by 0.3's requirements, not 0.4's.
 */
const FACADE_KEEPS_04: Record<string, string> = {
  'OMP-SEARCH-005': 'keyword search matches any query token (0.4), 0.3 wants every token',
  'OMP-SEARCH-006': 'the same any-token rule, seen through operators read as plain words',
  'OMP-HTTP-005': 'x_ members are accepted (0.4 extension space), 0.3 rejects every undefined member',
  'OMP-HTTP-006': 'x_ query parameters are accepted, 0.3 rejects every undefined parameter',
  'OMP-EXPORT-003': 'exports carry omp_version 0.4, 0.3 wants 0.3',
  'OMP-IMPORT-003': 'a 0.4 file is imported, 0.3 refuses a newer minor version',
  'OMP-IMPORT-007': 'overwrite keeps created_at (0.4), 0.3 takes the timestamps from the file',
};

/** Checks of what 0.4 added (mutants-04.test.ts breaks each): not applicable under 0.3. */
const ADDED_IN_04 = ['OMP-ETAG-003', 'OMP-IDEM-002', 'OMP-LIST-019', 'OMP-VER-001', 'OMP-BULK-004'];

let v04: Bundled;
let v03: Bundled;
let report03: Report;

beforeAll(async () => {
  [v04, v03] = await Promise.all([startBundled(), startBundled({ specVersions: ['0.3'] })]);
  report03 = await runConformance({
    baseUrl: v03.url,
    token: v03.token,
    tokenB: v03.tokenB,
    toolTokens: v03.toolTokens,
    levels: ['core', 'full'],
    concurrency: 4,
  });
}, 240_000);

afterAll(async () => {
  await Promise.all([v04?.close(), v03?.close()]);
});

const byId = (r: Report, id: string) => r.checks.find((c) => c.id === id);

describe('a 0.3-declaring server', () => {
  it('is certified against 0.3, the newest version both speak', () => {
    expect(report03.spec).toMatchObject({ version: '0.3', chosen: 'declared' });
    expect(report03.target.versions).toEqual(['0.3']);
    expect(report03.spec.runnerVersions).toEqual(expect.arrayContaining(['0.3', '0.4']));
  });

  it('is not held to what 0.4 added: those checks are not applicable, with the reason', () => {
    for (const id of ADDED_IN_04) {
      const c = byId(report03, id);
      expect([c?.status, c?.skipKind], id).toEqual(['skip', 'not-applicable']);
      expect(c?.reason, id).toMatch(/not a requirement of spec 0\.3/);
      expect(c?.versions, id).not.toContain('0.3');
    }
    expect(byId(report03, 'OMP-HTTP-005')?.versions).toEqual(['0.3']);
  });

  it("is judged by 0.3's requirements: those it meets pass, the 0.4 behaviour it keeps fails them", () => {
    for (const id of ['OMP-HEALTH-005', 'OMP-LEVEL-005', 'OMP-HTTP-010', 'OMP-ERR-006', 'OMP-IMPORT-014'])
      expect(byId(report03, id)?.status, id).toBe('pass');
    const failing = report03.checks
      .filter((c) => c.status === 'fail' || c.status === 'warn' || c.status === 'blocked')
      .map((c) => `${c.id}: ${c.failures[0]?.message ?? c.reason}`);
    const unexplained = failing.filter((f) => !((f.split(':')[0] as string) in FACADE_KEEPS_04));
    expect(unexplained).toEqual([]);
    for (const id of ['OMP-SEARCH-005', 'OMP-HTTP-005'])
      expect(byId(report03, id)?.status, `${id}: ${FACADE_KEEPS_04[id]}`).toBe('fail');
    expect(report03.checks.filter((c) => c.status === 'error').map((c) => c.id)).toEqual([]);
    expect(report03.verdict).toBe('not_conformant');
  });

  it('says the version in every report format', () => {
    expect(validateReport(JSON.parse(JSON.stringify(report03)))).toEqual([]);
    const line =
      'Certified against OMP spec 0.3 (the newest version both the runner (0.3, 0.4) and the server (0.3)';
    expect(renderMarkdown(report03)).toContain(line);
    expect(renderHtml(report03)).toContain(line);
    const out = { write: () => true, isTTY: false } as unknown as ConstructorParameters<
      typeof PrettyReporter
    >[0];
    expect(new PrettyReporter(out, { color: false }).summary(report03)).toContain(line);
    const junit = renderJunit(report03);
    expect(junit).toContain('<property name="spec.version" value="0.3"/>');
    expect(junit).toContain('<property name="spec.chosen" value="declared"/>');
    expect(junit).toMatch(
      /OMP-ETAG-003[\s\S]*?<skipped message="not-applicable: OMP-ETAG-003 is not a requirement of spec 0\.3/,
    );
  });
});

describe('the specVersion option', () => {
  it('certifies a 0.4 server against 0.3 when asked, by 0.3 text, what 0.4 added not applicable', async () => {
    const r = await runConformance({
      baseUrl: v04.url,
      token: v04.token,
      specVersion: '0.3',
      only: ['OMP-ETAG-003', 'OMP-HTTP-005', 'OMP-HTTP-019', 'OMP-CRUD-001'],
    });
    expect(r.spec).toMatchObject({ version: '0.3', chosen: 'option' });
    const status = (id: string) => [byId(r, id)?.status, byId(r, id)?.skipKind];
    expect(status('OMP-ETAG-003')).toEqual(['skip', 'not-applicable']);
    expect(status('OMP-HTTP-019')).toEqual(['skip', 'not-applicable']);
    expect(status('OMP-CRUD-001')).toEqual(['pass', undefined]);
    // A 0.4 server accepts x_ members, which 0.3 (OMP-HTTP-005) rejects.
    expect(status('OMP-HTTP-005')).toEqual(['fail', undefined]);
    expect(renderMarkdown(r)).toContain('Certified against OMP spec 0.3 (chosen by the spec version option');
  }, 120_000);

  it('certifies the same server against 0.4 by default and when asked', async () => {
    for (const specVersion of [undefined, '0.4']) {
      const r = await runConformance({
        baseUrl: v04.url,
        token: v04.token,
        ...(specVersion ? { specVersion } : {}),
        only: ['OMP-ETAG-003', 'OMP-HTTP-005', 'OMP-HTTP-019'],
      });
      expect(r.spec.version).toBe('0.4');
      expect(r.spec.chosen).toBe(specVersion ? 'option' : 'declared');
      expect(byId(r, 'OMP-HTTP-005')?.skipKind).toBe('not-applicable');
      expect(byId(r, 'OMP-HTTP-019')?.status).toBe('pass');
      expect(byId(r, 'OMP-ETAG-003')?.status).toBe('pass');
    }
  }, 120_000);

  it('asks a server listing several versions for the one certified, with OMP-Version on every request', async () => {
    const sent: Array<string | undefined> = [];
    // The 0.4 server made to list 0.3 as well (its answers stay 0.4's: only the headers sent are looked at).
    const proxy = await startProxy(v04.url, {
      request: (q) => {
        if (q.url.startsWith('/v1/') && !q.url.startsWith('/v1/health')) sent.push(q.headers['omp-version']);
        return q;
      },
      response: (q, r) =>
        q.url.startsWith('/v1/health')
          ? withJson(r, { ...(readJson(r.body) as object), versions: ['0.3', '0.4'] })
          : r,
    });
    try {
      for (const [specVersion, header] of [
        ['0.3', '0.3'],
        ['0.4', undefined],
      ] as const) {
        sent.length = 0;
        const r = await runConformance({
          baseUrl: proxy.url,
          token: v04.token,
          specVersion,
          only: ['OMP-CRUD-001', 'OMP-LIST-001'],
        });
        expect(r.spec.version).toBe(specVersion);
        expect(r.target.versions).toEqual(['0.3', '0.4']);
        expect(sent.length).toBeGreaterThan(0);
        // Certifying the server's newest version needs no header (it answers under its newest without one).
        expect(new Set(sent), specVersion).toEqual(new Set([header]));
      }
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('refuses a version the runner cannot certify, before any request', async () => {
    const r = await runConformance({ baseUrl: v04.url, token: v04.token, specVersion: '0.9' });
    expect(r.verdict).toBe('config_error');
    expect(r.message).toMatch(/specVersion option must be a version this runner certifies \(0\.3, 0\.4\)/);
  });

  it('is --spec-version on the command line', () => {
    expect(parseCli(['http://h:1', '--spec-version', '0.3'], {}).specVersion).toBe('0.3');
    expect(parseCli(['http://h:1'], {}).specVersion).toBeUndefined();
    expect(() => parseCli(['http://h:1', '--spec-version', 'latest'], {})).toThrow(UsageError);
  });
});
