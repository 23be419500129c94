/** Markdown for CI step summaries (GitHub's $GITHUB_STEP_SUMMARY): verdicts, matrix, each problem with curl. */
import type { Report } from '../core/report.ts';
import { cellStatus, matrix, mcpEndpoint, problems, stamp, statusLabel, verdictLabel } from './common.ts';

const ICON: Record<string, string> = {
  pass: '✅',
  fail: '❌',
  warn: '⚠️',
  error: '💥',
  skip: '⏭️',
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
  out.push(
    `Target \`${report.target.baseUrl}\` (${server}${report.target.bundled ? ', bundled reference server' : ''}), ` +
      `declared levels: ${report.target.declaredLevels.join(', ') || 'none'}.`,
  );
  const mcp = mcpEndpoint(report);
  if (mcp) out.push('', `${cell(mcp)}.`);
  out.push('');
  out.push('| level | declared | requested | verdict | pass | fail | warn | skip | error |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const l of report.levels) {
    const c = l.counts;
    out.push(
      `| ${l.level} | ${l.declared ? 'yes' : 'no'} | ${l.requested ? 'yes' : 'no'} | ${ICON[l.verdict] ?? ''} ${verdictLabel(l.verdict)}${l.reason ? ` — ${cell(l.reason)}` : ''} | ${c.pass} | ${c.fail} | ${c.warn} | ${c.skip} | ${c.error} |`,
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
  const ps = problems(report);
  if (ps.length) {
    out.push('');
    out.push(`### Problems (${ps.length})`);
    for (const r of ps) {
      out.push('');
      out.push(
        `<details><summary>${ICON[r.status]} <code>${r.id}</code> ${cell(statusLabel(r))} — ${cell(r.title)}</summary>`,
      );
      out.push('');
      if (r.reason) out.push(`${cell(r.reason)}`);
      for (const f of r.failures) {
        out.push(`- ${cell(f.message)}`);
        if (f.curl) out.push('', '  ```sh', `  ${f.curl}`, '  ```');
      }
      out.push('', '</details>');
    }
  }
  if (report.cleanup) {
    const c = report.cleanup;
    out.push('');
    out.push(
      `Cleanup: ${c.created} created, ${c.deleted} deleted, ${c.alreadyGone} already gone, ${c.swept} swept, residue ${c.residue}.` +
        (c.warnings.length ? ` Warnings: ${c.warnings.map(cell).join('; ')}` : ''),
    );
  }
  out.push('');
  out.push(`<sub>${stamp(report)} · run ${report.runId} · ${report.durationMs} ms</sub>`);
  out.push('');
  return out.join('\n');
}
