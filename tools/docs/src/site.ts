/**
 * Builds the static documentation site: `index.html`, `api.html` (API reference from openapi.yaml) and
 * `SPEC.html` (SPEC.md with an anchor per heading and per requirement). Every page is self-contained: inline
 * CSS, no script, nothing loaded from the network.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOpenapi, renderApiPage } from './api-page.ts';
import { escapeHtml, page } from './html.ts';
import { renderMarkdown } from './markdown.ts';

/** Inputs and output of a build. */
export interface BuildOptions {
  /** Folder holding SPEC.md and openapi.yaml (the repo's `spec/`). */
  specDir: string;
  /** Folder to write the pages into; created if missing. */
  outDir: string;
}

/** What a build wrote, for the CLI's summary and the tests. */
export interface BuildResult {
  files: string[];
  operationIds: string[];
  requirementIds: string[];
  headingIds: string[];
}

/** Build the site. */
export async function buildDocs(options: BuildOptions): Promise<BuildResult> {
  mkdirSync(options.outDir, { recursive: true });
  const spec = renderMarkdown(readFileSync(join(options.specDir, 'SPEC.md'), 'utf8'));
  const title = spec.headings[0]?.html.replace(/<[^>]+>/g, '') ?? 'OMP specification';
  writeFileSync(
    join(options.outDir, 'SPEC.html'),
    page({ title, toc: spec.headings.filter((h) => h.depth >= 2 && h.depth <= 3), body: spec.html }),
  );

  const api = await loadOpenapi(options.specDir);
  const reference = renderApiPage(api, 'SPEC.html');
  writeFileSync(join(options.outDir, 'api.html'), reference.html);

  const index = [
    `<h1>${escapeHtml(title)}</h1>`,
    '<ul>',
    `<li><a href="SPEC.html">The specification</a> — ${spec.requirementIds.length} requirements, each linkable as <code>SPEC.html#omp-crud-001</code></li>`,
    `<li><a href="api.html">API reference</a> — ${reference.operationIds.length} operations, their parameters, schemas and examples</li>`,
    '</ul>',
  ].join('\n');
  writeFileSync(join(options.outDir, 'index.html'), page({ title, toc: [], body: index }));

  return {
    files: ['SPEC.html', 'api.html', 'index.html'],
    operationIds: reference.operationIds,
    requirementIds: spec.requirementIds,
    headingIds: spec.headings.map((h) => h.id),
  };
}
