/** Writes the file reporters of one run into an output folder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../core/report.ts';
import { renderBadges } from './badge.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

/** Reporter names the CLI accepts. */
export const REPORTERS = ['pretty', 'json', 'junit', 'html', 'markdown', 'badge'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** The JSON report text (the report object is already redacted). */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Render each selected file reporter into `dir`; returns the written paths. */
export function writeReports(report: Report, reporters: readonly ReporterName[], dir: string): string[] {
  const files = new Map<string, string>();
  if (reporters.includes('json')) files.set('report.json', renderJson(report));
  if (reporters.includes('junit')) files.set('junit.xml', renderJunit(report));
  if (reporters.includes('html')) files.set('report.html', renderHtml(report));
  if (reporters.includes('markdown')) files.set('report.md', renderMarkdown(report));
  if (reporters.includes('badge')) for (const [name, svg] of renderBadges(report)) files.set(name, svg);
  if (files.size === 0) return [];
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of files) {
    const p = join(dir, name);
    writeFileSync(p, text);
    written.push(p);
  }
  return written;
}
