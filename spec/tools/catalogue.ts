/**
 * File-level side of the requirement catalogue: reads SPEC.md, the retired list and the committed catalogue
 * of one tree, applies every requirement rule and renders spec/requirements.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { SpecPaths } from './paths.ts';
import { relPaths } from './paths.ts';
import {
  buildCatalogue,
  type Catalogue,
  checkRetired,
  type ParsedSpec,
  parseSpec,
  type SpecIssue,
} from './requirements.ts';

/** Rules whose violation makes the catalogue itself wrong (the others are about the prose around it). */
export const catalogueRules: ReadonlySet<string> = new Set([
  'id-format',
  'line-format',
  'id-unique',
  'no-section',
  'version-missing',
  'retired-format',
  'retired-reused',
  'retired-missing',
  'spec-missing',
]);

/** SPEC.md parsed, with every requirement-rule issue of the tree. */
export interface RequirementReport {
  parsed: ParsedSpec;
  issues: SpecIssue[];
}

/** IDs of the catalogue committed on disk (empty when there is none yet or it is unreadable). */
export function committedIds(paths: SpecPaths): string[] {
  if (!existsSync(paths.catalogue)) return [];
  try {
    const doc = JSON.parse(readFileSync(paths.catalogue, 'utf8')) as Partial<Catalogue>;
    return Array.isArray(doc.requirements) ? doc.requirements.map((r) => r.id) : [];
  } catch {
    return [];
  }
}

/** Parse SPEC.md of the tree and apply the document rules plus the never-reuse rules. */
export function checkRequirements(paths: SpecPaths): RequirementReport {
  if (!existsSync(paths.spec)) {
    const parsed = parseSpec('', relPaths.spec);
    const issue = { file: relPaths.spec, line: 0, rule: 'spec-missing', message: 'SPEC.md does not exist' };
    return { parsed, issues: [issue] };
  }
  const parsed = parseSpec(readFileSync(paths.spec, 'utf8'), relPaths.spec);
  const issues = [...parsed.issues];
  if (!parsed.version) {
    issues.push({
      file: relPaths.spec,
      line: 0,
      rule: 'version-missing',
      message: 'no "Version: MAJOR.MINOR" line (or version in the title) found',
    });
  }
  let retired: unknown = [];
  if (existsSync(paths.retired)) {
    try {
      retired = JSON.parse(readFileSync(paths.retired, 'utf8'));
    } catch (e) {
      retired = undefined;
      issues.push({
        file: relPaths.retired,
        line: 0,
        rule: 'retired-format',
        message: `not JSON: ${String(e)}`,
      });
    }
  } else {
    issues.push({ file: relPaths.retired, line: 0, rule: 'retired-format', message: 'file is missing' });
  }
  if (retired !== undefined) issues.push(...checkRetired(parsed, retired, committedIds(paths)));
  // A retired ID may be cited (a changes section names what it replaced); it is not an unknown reference.
  const retiredIds = new Set(
    Array.isArray(retired)
      ? retired.map((e: { id?: unknown }) => e?.id).filter((x) => typeof x === 'string')
      : [],
  );
  return {
    parsed,
    issues: issues.filter(
      (i) => i.rule !== 'reference-unknown' || ![...retiredIds].some((id) => i.message.startsWith(`${id} `)),
    ),
  };
}

/** The text of spec/requirements.json; throws with the list of catalogue-breaking issues if there are any. */
export function renderCatalogue(paths: SpecPaths, specHash: string, generatedBy: string): string {
  const { parsed, issues } = checkRequirements(paths);
  const blocking = issues.filter((i) => catalogueRules.has(i.rule));
  if (blocking.length > 0) {
    const list = blocking.map((i) => `  ${i.file}${i.line ? `:${i.line}` : ''}: [${i.rule}] ${i.message}`);
    throw new Error(`cannot build the requirement catalogue:\n${list.join('\n')}`);
  }
  return `${JSON.stringify(buildCatalogue(parsed, specHash, generatedBy), null, 2)}\n`;
}
