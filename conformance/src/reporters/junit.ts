/**
 * JUnit XML: one testsuite per area, one testcase per check. SHOULD failures (warn) stay passing testcases with
 * the detail in system-out so CI dashboards do not turn red for advice; errors are <error>, not <failure>.
 */
import type { Report } from '../core/report.ts';
import type { CheckResult } from '../core/types.ts';
import { esc, stamp } from './common.ts';

/** Render the JUnit XML document. */
export function renderJunit(report: Report): string {
  const byArea = new Map<string, CheckResult[]>();
  for (const r of report.checks) byArea.set(r.area, [...(byArea.get(r.area) ?? []), r]);
  const suites: string[] = [];
  for (const [area, rs] of [...byArea].sort((a, b) => a[0].localeCompare(b[0]))) {
    const failures =
      rs.filter((r) => (r.status === 'fail' || r.status === 'blocked') && !r.expectedFailure).length +
      rs.filter((r) => r.expectedFailure?.stale).length;
    const errors = rs.filter((r) => r.status === 'error').length;
    const skipped = rs.filter(
      (r) => r.status === 'skip' || (r.expectedFailure && !r.expectedFailure.stale),
    ).length;
    const time = rs.reduce((a, r) => a + r.durationMs, 0) / 1000;
    const cases = rs.map(testcase).join('\n');
    suites.push(
      `  <testsuite name="omp-conformance.${esc(area)}" tests="${rs.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time.toFixed(3)}">\n${cases}\n  </testsuite>`,
    );
  }
  const s = report.summary;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- ${esc(stamp(report))} -->
<testsuites name="omp-conformance ${esc(report.target.baseUrl)}" tests="${s.total}" failures="${s.fail + s.blocked}" errors="${s.error}" skipped="${s.skip}" time="${(report.durationMs / 1000).toFixed(3)}">
  <properties>
    <property name="runner.version" value="${esc(report.runner.version)}"/>
    <property name="spec.version" value="${esc(report.spec.version)}"/>
    <property name="spec.requirement_set_hash" value="${esc(report.spec.requirementSetHash)}"/>
    <property name="spec.chosen" value="${esc(report.spec.chosen)}"/>
    <property name="target.versions" value="${esc((report.target.versions ?? []).join(','))}"/>
    <property name="verdict" value="${esc(report.verdict)}"/>
  </properties>
${suites.join('\n')}
</testsuites>
`;
}

function testcase(r: CheckResult): string {
  const name = `${r.id} ${r.title}`;
  const head = `    <testcase classname="omp-conformance.${esc(r.area)}.${esc(r.level)}" name="${esc(name)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
  const detail = r.failures.map((f) => `${f.message}${f.curl ? `\n  reproduce: ${f.curl}` : ''}`).join('\n');
  if (r.expectedFailure?.stale)
    return `${head}>\n      <failure type="stale-expected-failure" message="${esc(`passes but is listed as an expected failure (${r.expectedFailure.reason})`)}"/>\n    </testcase>`;
  if (r.expectedFailure)
    return `${head}>\n      <skipped message="${esc(`expected failure: ${r.expectedFailure.reason}`)}"/>\n      <system-out>${esc(detail)}</system-out>\n    </testcase>`;
  switch (r.status) {
    case 'pass':
      return `${head}/>`;
    case 'warn':
      return `${head}>\n      <system-out>${esc(`WARN (${r.rfc} not met): ${detail}`)}</system-out>\n    </testcase>`;
    case 'blocked':
      return `${head}>\n      <failure type="blocked" message="${esc(`blocked by ${r.blockedBy ?? '?'}: ${r.reason ?? ''}`)}">${esc(detail)}</failure>\n    </testcase>`;
    case 'skip':
      return `${head}>\n      <skipped message="${esc(`${r.skipKind ?? 'skip'}: ${r.reason ?? ''}`)}"/>\n    </testcase>`;
    case 'error':
      return `${head}>\n      <error type="runner-error" message="${esc(r.reason ?? 'error')}">${esc(detail)}</error>\n    </testcase>`;
    default:
      return `${head}>\n      <failure type="${esc(r.rfc)}" message="${esc(r.failures[0]?.message ?? 'failed')}">${esc(detail)}</failure>\n    </testcase>`;
  }
}
