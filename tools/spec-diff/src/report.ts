/** Renders a diff report as plain text (default), JSON or Markdown. */
import { type Change, type DiffReport, type Severity, severities } from './types.ts';

/** Output formats the CLI accepts after `--format`. */
export const formats = ['text', 'json', 'markdown'] as const;
/** One of `formats`. */
export type Format = (typeof formats)[number];

const headings: Record<Severity, string> = {
  breaking: 'Breaking',
  'potentially-breaking': 'Potentially breaking',
  'non-breaking': 'Non-breaking',
};

/** Render a report in a format. */
export function formatReport(report: DiffReport, format: Format): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'markdown') return markdown(report);
  return text(report);
}

function summaryLine(report: DiffReport): string {
  const s = report.summary;
  return `${s.breaking} breaking, ${s['potentially-breaking']} potentially breaking, ${s['non-breaking']} non-breaking`;
}

function title(report: DiffReport): string {
  return `OMP spec ${report.old.version} (${report.old.source}) → ${report.new.version} (${report.new.source})`;
}

function text(report: DiffReport): string {
  const out = [title(report), summaryLine(report)];
  for (const severity of severities) {
    const group = report.changes.filter((c) => c.severity === severity);
    if (group.length === 0) continue;
    out.push('', `${headings[severity].toUpperCase()} (${group.length})`);
    for (const c of group) out.push(`  [${c.kind}] ${c.location}: ${c.message}`);
  }
  for (const note of report.notes) out.push('', `note: ${note}`);
  if (report.changes.length === 0) out.push('', 'No differences.');
  return `${out.join('\n')}\n`;
}

/** Escape a table cell: pipes end cells, newlines end rows. */
function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function row(c: Change): string {
  return `| \`${c.kind}\` | ${cell(c.location)} | ${cell(c.message)} |`;
}

function markdown(report: DiffReport): string {
  const out = [`# ${title(report)}`, '', `**${summaryLine(report)}**`];
  for (const severity of severities) {
    const group = report.changes.filter((c) => c.severity === severity);
    if (group.length === 0) continue;
    out.push(
      '',
      `## ${headings[severity]} (${group.length})`,
      '',
      '| kind | location | change |',
      '|---|---|---|',
    );
    out.push(...group.map(row));
  }
  if (report.notes.length > 0) out.push('', '## Notes', '', ...report.notes.map((n) => `- ${n}`));
  if (report.changes.length === 0) out.push('', 'No differences.');
  return `${out.join('\n')}\n`;
}
