/** The traceability table: every requirement of the catalogue and what verifies it (or why nothing does). */
import { allChecks } from '../checks/index.ts';
import { catalogueFor, certifiableVersions, loadCatalogue } from './catalogue.ts';
import { loadExclusions, needsCoverage, traceability } from './coverage.ts';
import { resolveChecks } from './registry.ts';

/** Render conformance/TRACEABILITY.md. */
export function renderTraceability(): string {
  const catalogue = loadCatalogue();
  const checks = resolveChecks(allChecks(), catalogue.specVersion);
  const trace = traceability(checks);
  const excluded = new Map(loadExclusions().map((e) => [e.id, e.reason]));
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = [...catalogue.entries.values()].map((r) => {
    const by = trace.get(r.id);
    let how: string;
    if (by) how = by.map((id) => `\`${id}\``).join(', ');
    else if (excluded.has(r.id)) how = `excluded: ${excluded.get(r.id)}`;
    else if (!r.testable) how = 'not black-box testable (not certified)';
    else if (!needsCoverage(r)) how = `${r.level}: optional, not checked`;
    else how = '**NOT COVERED**';
    return `| ${r.id} | ${r.level} | ${r.compliance} | ${cell(how)} |`;
  });
  const testable = [...catalogue.entries.values()].filter(needsCoverage);
  const covered = testable.filter((r) => trace.has(r.id)).length;
  return `# Traceability: requirements → checks

Generated from the catalogue (spec ${catalogue.specVersion}, requirement set \`${catalogue.requirementSetHash}\`) and
the check registry by \`node conformance/scripts/traceability.ts\`; \`test/catalogue.test.ts\` fails when it is stale.

${checks.length} checks; ${covered} of ${testable.length} testable MUST/SHOULD requirements of Core, Search, Full and MCP
verified by at least one check, ${testable.length - covered} excluded with a reason (data/exclusions.json).

| requirement | level | compliance | verified by |
|---|---|---|---|
${rows.join('\n')}
${earlierVersions()}`;
}

/** The requirements of earlier certifiable versions that the current one withdrew, and their checks. */
function earlierVersions(): string {
  const current = loadCatalogue();
  const out: string[] = [];
  for (const v of certifiableVersions()) {
    const cat = catalogueFor(v);
    if (!cat || v === current.specVersion) continue;
    const trace = traceability(resolveChecks(allChecks(), v).filter((c) => c.versions.includes(v)));
    const rows = [...cat.entries.values()]
      .filter((r) => !current.entries.has(r.id))
      .map((r) => {
        const by = trace.get(r.id);
        const how = by
          ? by.map((id) => `\`${id}\``).join(', ')
          : r.testable
            ? '**NOT COVERED**'
            : 'not black-box testable (not certified)';
        return `| ${r.id} | ${r.level} | ${r.compliance} | ${how} |`;
      });
    out.push(
      `\n## Spec ${v}: requirements ${current.specVersion} withdrew\n`,
      `Certifying against ${v} (\`--spec-version ${v}\`, or a server whose newest version is ${v}) judges these by their ${v}`,
      `text (catalogue \`spec/releases/${v}/requirements.json\`, requirement set \`${cat.requirementSetHash}\`); the`,
      `checks of requirements ${v} does not hold are not applicable then.\n`,
      '| requirement | level | compliance | verified by |',
      '|---|---|---|---|',
      ...rows,
    );
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
