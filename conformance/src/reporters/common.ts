/** Helpers shared by the reporters: escaping, the area × level matrix, labels. */
import type { Report } from '../core/report.ts';
import type { CheckResult, Failure, Level, LevelVerdict, Status } from '../core/types.ts';

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
      c = { counts: { pass: 0, fail: 0, warn: 0, skip: 0, blocked: 0, error: 0 }, total: 0 };
      cells.set(key, c);
    }
    c.counts[r.status]++;
    c.total++;
  }
  const order: Level[] = ['core', 'search', 'full', 'mcp', 'control'];
  return { areas: [...areas].sort(), levels: order.filter((l) => levels.has(l)), cells };
}

/** The worst status of a cell, for colouring. */
export function cellStatus(c: MatrixCell | undefined): Status | 'none' {
  if (!c || c.total === 0) return 'none';
  for (const s of ['fail', 'blocked', 'error', 'warn', 'pass', 'skip'] as const)
    if (c.counts[s] > 0) return s;
  return 'none';
}

/** Results that need attention (fail, warn, blocked, error), in report order. */
export function problems(report: Report): CheckResult[] {
  return report.checks.filter(
    (r) => r.status === 'fail' || r.status === 'warn' || r.status === 'blocked' || r.status === 'error',
  );
}

/** The root-cause lines: "fix OMP-HEALTH-002: 145 checks are blocked by it". */
export function rootCauseLines(report: Report): string[] {
  return report.rootCauses.map(
    (c) =>
      `fix ${c.id}: ${c.blocks} check${c.blocks === 1 ? ' is' : 's are'} blocked by it — ${c.message.replace(/\s+/g, ' ').slice(0, 200)}`,
  );
}

/** A failure message with the run's own markers (ids, tags, namespaces) generalised, to group identical ones. */
export function messageKey(message: string): string {
  return message
    .replace(/mem_[a-z0-9]{16}/g, 'mem_…')
    .replace(/omp-conf-[0-9a-f]{8}(?:-[0-9a-z]+)?(?::[0-9a-z]+)?/g, '<run marker>')
    .replace(/zq[0-9a-f]{8}[0-9a-z]*x\d+/g, '<token>');
}

/** One message shared by one or more failing checks of a requirement, with the first failure that shows it. */
export interface MessageGroup {
  message: string;
  checks: string[];
  first: Failure;
}

/** Failing (fail, warn, error) checks of one requirement, identical messages merged across checks. */
export interface RequirementGroup {
  requirement: string;
  results: CheckResult[];
  messages: MessageGroup[];
}

/** Failing, warning and erroring checks grouped by primary requirement, messages merged; report order. */
export function groupByRequirement(results: readonly CheckResult[]): RequirementGroup[] {
  const groups = new Map<string, RequirementGroup>();
  for (const r of results) {
    if (r.status !== 'fail' && r.status !== 'warn' && r.status !== 'error') continue;
    const req = r.requirements[0] ?? r.id;
    let g = groups.get(req);
    if (!g) {
      g = { requirement: req, results: [], messages: [] };
      groups.set(req, g);
    }
    g.results.push(r);
    const fs: Failure[] = r.failures.length ? r.failures : [{ message: r.reason ?? r.status }];
    for (const f of fs) {
      const key = messageKey(f.message);
      const m = g.messages.find((x) => messageKey(x.message) === key);
      if (m) {
        if (!m.checks.includes(r.id)) m.checks.push(r.id);
      } else g.messages.push({ message: f.message, checks: [r.id], first: f });
    }
  }
  return [...groups.values()];
}

/** For a draft-era server: failures split into documented changes since draft 0.2 and defects under it too. */
export function draftSplit(report: Report): { changed: CheckResult[]; defects: CheckResult[] } | null {
  if (!report.target.draft) return null;
  const failing = report.checks.filter((r) => r.status === 'fail' || r.status === 'warn');
  return { changed: failing.filter((r) => r.sinceDraft), defects: failing.filter((r) => !r.sinceDraft) };
}

/** One line describing a draft-era target. */
export function draftLine(report: Report): string | undefined {
  const d = report.target.draft;
  if (!d) return undefined;
  const what = [d.version ? `version ${d.version}` : '', d.compliance ? `compliance ${d.compliance}` : '']
    .filter(Boolean)
    .join(', ');
  return `this server answers health like the published draft (${what}): failures are split into documented changes since draft 0.2 (SPEC §15) and defects under the draft too`;
}

/** The sentence naming the spec version the run certified against, and why that one. */
export function certifiedAgainst(report: Report): string {
  const listed = report.target.versions?.length ? report.target.versions.join(', ') : 'none';
  const why =
    report.spec.chosen === 'option'
      ? `chosen by the spec version option; the server lists ${listed}`
      : `the newest version both the runner (${report.spec.runnerVersions.join(', ')}) and the server (${listed}) speak`;
  return `Certified against OMP spec ${report.spec.version} (${why}); checks of requirements ${report.spec.version} does not hold are not applicable.`;
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
