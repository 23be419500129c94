/**
 * Traceability: every testable MUST/SHOULD of Core, Search, Full and MCP is verified by a check or excluded with a
 * written reason; no check cites an unknown ID; titles agree with the catalogue's keyword; check IDs are pinned.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allChecks } from '../src/checks/index.ts';
import { loadCatalogue } from '../src/core/catalogue.ts';
import { loadExclusions, needsCoverage, traceability } from '../src/core/coverage.ts';
import { checkIdPattern, resolveChecks } from '../src/core/registry.ts';
import { renderTraceability } from '../src/core/traceability.ts';

const catalogue = loadCatalogue();
const checks = resolveChecks(allChecks(), catalogue.entries);
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
