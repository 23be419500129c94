/** Flat SVG badges, one per level: "OMP core | conformant". */
import type { LevelReport, Report } from '../core/report.ts';

const COLORS: Record<string, string> = {
  conformant: '#2e7d32',
  not_conformant: '#c62828',
  incomplete: '#f9a825',
  not_declared: '#757575',
  not_requested: '#9e9e9e',
};

/** Approximate text width in Verdana 11px (what shields-style badges use). */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[ilI.:|]/.test(ch) ? 3.5 : /[mwMW]/.test(ch) ? 9.5 : /[A-Z]/.test(ch) ? 7.5 : 6.5;
  return Math.ceil(w);
}

/** One badge. */
export function renderBadge(level: LevelReport, report: Report): string {
  const left = `OMP ${level.level}`;
  const right = level.verdict.replace(/_/g, ' ');
  const lw = width(left) + 12;
  const rw = width(right) + 12;
  const color = COLORS[level.verdict] ?? '#9e9e9e';
  const title = `${left}: ${right} (omp-conformance ${report.runner.version}, spec ${report.spec.version}, requirement set ${report.spec.requirementSetHash.slice(0, 16)})`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + rw}" height="20" role="img" aria-label="${title}">
<title>${title}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${lw + rw}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${rw}" height="20" fill="${color}"/><rect width="${lw + rw}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="14">${left}</text><text x="${lw + rw / 2}" y="14">${right}</text>
</g>
</svg>
`;
}

/** Badges for every level that was requested or declared. */
export function renderBadges(report: Report): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of report.levels)
    if (l.requested || l.declared) out.set(`badge-${l.level}.svg`, renderBadge(l, report));
  return out;
}
