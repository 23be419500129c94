/**
 * Traceability between the catalogue and the checks: every testable MUST/SHOULD of Core, Search, Full and MCP
 * (whose checks run on an adapter or on the server's own /mcp) is verified by at least one check or excluded
 * in data/exclusions.json with a written reason.
 */
import { readFileSync } from 'node:fs';
import type { Catalogue } from './catalogue.ts';
import type { ResolvedCheck } from './types.ts';

/** One written exclusion. */
export interface Exclusion {
  id: string;
  reason: string;
}

/** The exclusions file. */
export function loadExclusions(): Exclusion[] {
  const raw = JSON.parse(readFileSync(new URL('../../data/exclusions.json', import.meta.url), 'utf8')) as {
    exclusions: Exclusion[];
  };
  return raw.exclusions;
}

/** Whether a requirement must be covered by a check (or excluded). */
export function needsCoverage(r: { level: string; compliance: string; testable: boolean }): boolean {
  return (
    r.testable &&
    (r.level.startsWith('MUST') || r.level.startsWith('SHOULD')) &&
    ['Core', 'Search', 'Full', 'MCP'].includes(r.compliance)
  );
}

/** Requirement ID → IDs of the checks citing it. */
export function traceability(checks: readonly ResolvedCheck[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const c of checks) for (const r of c.requirements) m.set(r, [...(m.get(r) ?? []), c.id]);
  return m;
}

/** Counts for the report. */
export function coverageSummary(checks: readonly ResolvedCheck[], catalogue: Catalogue) {
  const trace = traceability(checks);
  const excluded = new Set(loadExclusions().map((e) => e.id));
  const all = [...catalogue.entries.values()];
  const testable = all.filter(needsCoverage);
  return {
    requirements: all.length,
    testable: testable.length,
    covered: testable.filter((r) => trace.has(r.id)).length,
    excluded: testable.filter((r) => !trace.has(r.id) && excluded.has(r.id)).length,
  };
}
