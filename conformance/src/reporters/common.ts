/** Helpers shared by the reporters: escaping, the area × level matrix, labels. */
import type { Report } from '../core/report.ts';
import type { CheckResult, Level, LevelVerdict, Status } from '../core/types.ts';

/** XML/HTML text escaping. */
export function esc(s: string): string {
  return (
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // Control characters other than tab/newline are not allowed in XML 1.0.
      .replace(
        /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      )
  );
}

/** Status as shown to people (expected failures and stale entries are called out). */
export function statusLabel(r: CheckResult): string {
  if (r.expectedFailure && !r.expectedFailure.stale) return `${r.status} (expected)`;
  if (r.expectedFailure?.stale) return 'pass (stale expected failure)';
  return r.status;
}

/** Verdict as a short phrase. */
export function verdictLabel(v: LevelVerdict | Report['verdict']): string {
  return v.replace(/_/g, ' ');
}

/** One cell of the compliance matrix. */
export interface MatrixCell {
  counts: Record<Status, number>;
  total: number;
}

/** Area × level counts over the checks that ran or were skipped for a reason other than selection. */
export function matrix(report: Report): { areas: string[]; levels: Level[]; cells: Map<string, MatrixCell> } {
  const cells = new Map<string, MatrixCell>();
  const areas = new Set<string>();
  const levels = new Set<Level>();
  for (const r of report.checks) {
    if (r.status === 'skip' && (r.skipKind === 'not-requested' || r.skipKind === 'deselected')) continue;
    areas.add(r.area);
    levels.add(r.level);
    const key = `${r.area}\u0000${r.level}`;
    let c = cells.get(key);
    if (!c) {
      c = { counts: { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 }, total: 0 };
      cells.set(key, c);
    }
    c.counts[r.status]++;
    c.total++;
  }
  const order: Level[] = ['core', 'search', 'full', 'mcp'];
  return { areas: [...areas].sort(), levels: order.filter((l) => levels.has(l)), cells };
}

/** The worst status of a cell, for colouring. */
export function cellStatus(c: MatrixCell | undefined): Status | 'none' {
  if (!c || c.total === 0) return 'none';
  for (const s of ['fail', 'error', 'warn', 'pass', 'skip'] as const) if (c.counts[s] > 0) return s;
  return 'none';
}

/** Results that need attention (fail, warn, error), in report order. */
export function problems(report: Report): CheckResult[] {
  return report.checks.filter((r) => r.status === 'fail' || r.status === 'warn' || r.status === 'error');
}

/** The stamp line every report carries. */
export function stamp(report: Report): string {
  return `omp-conformance ${report.runner.version} · spec ${report.spec.version} · requirement set ${report.spec.requirementSetHash}`;
}

/** One line naming the MCP endpoint certified at level mcp, or undefined when the run certified none. */
export function mcpEndpoint(report: Report): string | undefined {
  const m = report.target.mcp;
  if (!m) return undefined;
  if (m.transport === 'stdio') return `MCP endpoint: stdio adapter \`${m.endpoint}\``;
  return m.adapter
    ? `MCP endpoint: Streamable HTTP adapter at ${m.endpoint}`
    : `MCP endpoint: the server's own ${m.endpoint} (Streamable HTTP; HTTP+SSE checked too)`;
}
