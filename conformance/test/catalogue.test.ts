/**
 * Traceability: every testable MUST/SHOULD of Core, Search, Full and MCP is verified by a check or excluded with a
 * written reason; no check cites an unknown ID; titles agree with the catalogue's keyword; check IDs are pinned.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allChecks } from '../src/checks/index.ts';
import { catalogueFor, certifiableVersions, loadCatalogue } from '../src/core/catalogue.ts';
import { loadExclusions, needsCoverage, traceability } from '../src/core/coverage.ts';
import { checkIdPattern, resolveChecks } from '../src/core/registry.ts';
import { renderTraceability } from '../src/core/traceability.ts';

const catalogue = loadCatalogue();
const checks = resolveChecks(allChecks(), catalogue.specVersion);
const trace = traceability(checks);
const exclusions = loadExclusions();

describe('requirement coverage', () => {
  it('covers every testable MUST/SHOULD of Core, Search, Full and MCP by a check or a written exclusion', () => {
    const excluded = new Set(exclusions.map((e) => e.id));
    const gaps = [...catalogue.entries.values()]
      .filter((r) => needsCoverage(r) && !trace.has(r.id) && !excluded.has(r.id))
      .map((r) => `${r.id} [${r.level} · ${r.compliance}] ${r.text}`);
    expect(gaps).toEqual([]);
  });

  it('has exclusions only for requirements that exist, need coverage, have no check, and say why', () => {
    for (const e of exclusions) {
      const r = catalogue.entries.get(e.id);
      expect(r, `exclusion of unknown ${e.id}`).toBeDefined();
      expect(needsCoverage(r!), `${e.id} needs no coverage; drop the exclusion`).toBe(true);
      expect(
        trace.has(e.id),
        `${e.id} is covered by ${trace.get(e.id)?.join(', ')}; drop the exclusion`,
      ).toBe(false);
      expect(e.reason.length).toBeGreaterThan(40);
    }
  });

  it('cites only requirement IDs of the catalogue', () => {
    expect(checks.filter((c) => c.invalid).map((c) => `${c.id}: ${c.invalid}`)).toEqual([]);
  });

  it('titles each check with the RFC 2119 family of its primary requirement', () => {
    const wrong = checks
      .filter((c) => {
        const kw = c.rfc.startsWith('MUST') ? 'MUST' : c.rfc.startsWith('SHOULD') ? 'SHOULD' : 'MAY';
        return !c.title.startsWith(kw);
      })
      .map((c) => `${c.id} is ${c.rfc} but titled "${c.title}"`);
    expect(wrong).toEqual([]);
  });

  it('uses stable, well-formed, unique check IDs', () => {
    const ids = checks.map((c) => c.id);
    for (const id of ids) expect(id).toMatch(checkIdPattern);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('pins the list of check IDs (update the snapshot deliberately when adding or retiring a check)', () => {
    expect(checks.map((c) => `${c.id} [${c.rfc} · ${c.level}]`)).toMatchSnapshot();
  });

  it('has an up-to-date TRACEABILITY.md (regenerate: node conformance/scripts/traceability.ts)', () => {
    expect(readFileSync(new URL('../TRACEABILITY.md', import.meta.url), 'utf8')).toBe(renderTraceability());
  });
});

describe('checks by spec version', () => {
  it('certifies the current version and every released one with a catalogue (0.3 at least)', () => {
    const versions = certifiableVersions();
    expect(versions).toContain('0.3');
    expect(versions.at(-1)).toBe(catalogue.specVersion);
  });

  it.each(certifiableVersions())(
    'covers every testable MUST/SHOULD of %s by a check applying to it, or a written exclusion',
    (version) => {
      const cat = catalogueFor(version);
      expect(cat?.specVersion).toBe(version);
      const applying = resolveChecks(allChecks(), version).filter((c) => c.versions.includes(version));
      const covered = traceability(applying);
      const excluded = new Set(exclusions.map((e) => e.id));
      const gaps = [...(cat?.entries.values() ?? [])]
        .filter((r) => needsCoverage(r) && !covered.has(r.id) && !excluded.has(r.id))
        .map((r) => `${r.id} [${r.level} · ${r.compliance}] ${r.text}`);
      expect(gaps).toEqual([]);
      // Under a version, a check cites only that version's requirements.
      const foreign = applying.flatMap((c) => c.requirements.filter((r) => !cat?.entries.has(r)));
      expect(foreign).toEqual([]);
    },
  );

  it('derives the versions of a check from the catalogues holding its requirement', () => {
    const of = (id: string) => checks.find((c) => c.id === id)?.versions;
    expect(of('OMP-CRUD-001')).toEqual(certifiableVersions()); // in every version
    expect(of('OMP-ETAG-003')).not.toContain('0.3'); // added by 0.4
    expect(of('OMP-IDEM-002')).not.toContain('0.3');
    expect(of('OMP-LIST-019')).not.toContain('0.3');
    expect(of('OMP-HTTP-005')).toEqual(['0.3']); // withdrawn by 0.4 (replaced by OMP-HTTP-019)
    expect(of('OMP-SEARCH-005')).toEqual(['0.3']);
    expect(checks.filter((c) => c.versions.length === 0).map((c) => c.id)).toEqual([]);
  });
});
