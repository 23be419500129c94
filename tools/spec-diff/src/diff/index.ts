/** The whole comparison of two loaded spec versions, in one report. */
import type { SpecVersion } from '../load/version.ts';
import { type Change, type DiffReport, type Severity, severities } from '../types.ts';
import { compareErrorTables, parseErrorTable } from './error-table.ts';
import { compareOperations } from './operations.ts';
import { compareRequirements } from './requirements.ts';

/** Compare two versions: operations and schemas, SPEC.md's error table, the requirement catalogue. */
export function diffSpecs(oldVersion: SpecVersion, newVersion: SpecVersion): DiffReport {
  const changes: Change[] = [...compareOperations(oldVersion.api, newVersion.api)];
  const notes: string[] = [];

  const oldTable =
    oldVersion.specMarkdown === undefined ? undefined : parseErrorTable(oldVersion.specMarkdown);
  const newTable =
    newVersion.specMarkdown === undefined ? undefined : parseErrorTable(newVersion.specMarkdown);
  if (oldTable && newTable) changes.push(...compareErrorTables(oldTable, newTable));
  else
    notes.push(
      `SPEC.md error table not compared: ${missing(oldTable, newTable, 'SPEC.md with an "Error codes" table')}`,
    );

  if (oldVersion.requirements && newVersion.requirements) {
    changes.push(
      ...compareRequirements(
        oldVersion.requirements,
        newVersion.requirements,
        newVersion.retired,
        newVersion.replacedBy,
      ),
    );
  } else {
    notes.push(
      `requirements not compared: ${missing(oldVersion.requirements, newVersion.requirements, 'requirements.json')}`,
    );
  }

  const unique = dedupe(changes);
  unique.sort(
    (a, b) =>
      severities.indexOf(a.severity) - severities.indexOf(b.severity) ||
      compare(a.location, b.location) ||
      compare(a.kind, b.kind) ||
      compare(a.message, b.message),
  );
  const summary = Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>;
  for (const c of unique) summary[c.severity]++;
  return {
    old: { version: oldVersion.version, source: oldVersion.source },
    new: { version: newVersion.version, source: newVersion.source },
    summary,
    changes: unique,
    notes,
  };
}

function missing(a: unknown, b: unknown, what: string): string {
  if (!a && !b) return `neither version has a ${what}`;
  return `the ${a ? 'new' : 'old'} version has no ${what}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Drop exact repeats (the same shared schema reached twice through one location). */
function dedupe(changes: Change[]): Change[] {
  const seen = new Set<string>();
  return changes.filter((c) => {
    const key = `${c.kind}\u0000${c.location}\u0000${c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether a report has at least one breaking change (the CLI exits 1 then). */
export function hasBreaking(report: DiffReport): boolean {
  return report.summary.breaking > 0;
}
