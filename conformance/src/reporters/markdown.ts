/** Markdown for CI step summaries (GitHub's $GITHUB_STEP_SUMMARY): verdicts, matrix, each problem with curl. */
import type { Report } from '../core/report.ts';
import type { CheckResult } from '../core/types.ts';
import {
  cellStatus,
  certifiedAgainst,
  draftLine,
  draftSplit,
  groupByRequirement,
  matrix,
  mcpEndpoint,
  rootCauseLines,
  stamp,
  statusLabel,
  verdictLabel,
} from './common.ts';

const ICON: Record<string, string> = {
  pass: '✅',
  fail: '❌',
  warn: '⚠️',
  error: '💥',
  skip: '⏭️',
  blocked: '⛔',
  none: '·',
  conformant: '✅',
  not_conformant: '❌',
  incomplete: '⚠️',
  not_declared: '➖',
  not_requested: '·',
};

/** Escape table-cell text. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Render the Markdown summary. */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const server = report.target.server
    ? `${report.target.server.name} ${report.target.server.version}`
    : 'unknown server';
  out.push(`## OMP conformance: ${ICON[report.verdict] ?? ''} ${verdictLabel(report.verdict)}`);
  out.push('');
  out.push(`${cell(report.message)}`);
  out.push('');
  const causes = rootCauseLines(report);
  if (causes.length) {
    out.push('### Fix first');
    out.push('');
    for (const l of causes) out.push(`- ${cell(l)}`);
    out.push('');
  }
  out.push(
    `Target \`${report.target.baseUrl}\` (${server}${report.target.bundled ? ', bundled reference server' : ''}), ` +
      `declared levels: ${report.target.declaredLevels.join(', ') || 'none'}.`,
  );
  out.push('', cell(certifiedAgainst(report)));
  const mcp = mcpEndpoint(report);
  if (mcp) out.push('', `${cell(mcp)}.`);
  out.push('');
  out.push('| level | declared | requested | verdict | pass | fail | warn | blocked | skip | error |');
  out.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const l of report.levels) {
    const c = l.counts;
    out.push(
      `| ${l.level} | ${l.declared ? 'yes' : 'no'} | ${l.requested ? 'yes' : 'no'} | ${ICON[l.verdict] ?? ''} ${verdictLabel(l.verdict)}${l.reason ? ` — ${cell(l.reason)}` : ''} | ${c.pass} | ${c.fail} | ${c.warn} | ${c.blocked} | ${c.skip} | ${c.error} |`,
    );
  }
  const m = matrix(report);
  if (m.areas.length) {
    out.push('');
    out.push('### Compliance matrix');
    out.push('');
    out.push(`| area | ${m.levels.join(' | ')} |`);
    out.push(`|---|${m.levels.map(() => '---').join('|')}|`);
    for (const a of m.areas) {
      const cells = m.levels.map((l) => {
        const c = m.cells.get(`${a}\u0000${l}`);
        if (!c) return '';
        return `${ICON[cellStatus(c)]} ${c.counts.pass}/${c.total}`;
      });
      out.push(`| ${a} | ${cells.join(' | ')} |`);
    }
  }
  const split = draftSplit(report);
  if (split) {
    out.push('', `> ${cell(draftLine(report) ?? '')}.`);
    groups(out, 'Documented changes since draft 0.2 (SPEC §15)', split.changed);
    groups(out, 'Defects under draft 0.2 too', split.defects);
    groups(
      out,
      'Runner errors',
      report.checks.filter((r) => r.status === 'error'),
    );
  } else groups(out, 'Problems by requirement', report.checks);
  if (report.cleanup) {
    const c = report.cleanup;
    out.push('');
    out.push(
      `Cleanup: ${c.created} created, ${c.deleted} deleted, ${c.alreadyGone} already gone, ${c.swept} swept, residue ${c.residue === null ? `unknown (${cell(c.unverified ?? 'not verified')})` : c.residue}.` +
        (c.warnings.length ? ` Warnings: ${c.warnings.map(cell).join('; ')}` : ''),
    );
  }
  out.push('');
  out.push(`<sub>${stamp(report)} · run ${report.runId} · ${report.durationMs} ms</sub>`);
  out.push('');
  return out.join('\n');
}

/** Failing checks grouped by requirement, identical messages merged, each with one curl line. */
function groups(out: string[], title: string, results: readonly CheckResult[]): void {
  const gs = groupByRequirement(results);
  if (!gs.length) return;
  out.push('', `### ${title} (${gs.length})`);
  for (const g of gs) {
    const r0 = g.results[0] as CheckResult;
    const statuses = [...new Set(g.results.map((r) => statusLabel(r)))].join('/');
    out.push('');
    out.push(
      `<details><summary>${ICON[r0.status] ?? ''} <code>${g.requirement}</code> ${cell(statuses)} — ${cell(r0.title)}</summary>`,
    );
    out.push('');
    for (const m of g.messages) {
      out.push(
        `- ${cell(m.message)}${g.results.length > 1 ? ` (${m.checks.map((c) => `\`${c}\``).join(', ')})` : ''}`,
      );
      if (m.first.curl) out.push('', '  ```sh', `  ${m.first.curl}`, '  ```');
    }
    const since = g.results.find((r) => r.sinceDraft)?.sinceDraft;
    if (since) out.push('', `Changed since draft 0.2: ${cell(since)}`);
    out.push('', '</details>');
  }
}
