/**
 * Builds the real site from spec/ into a temp folder and checks what other tools rely on: an anchor per
 * requirement (`SPEC.html#omp-crud-001`, the conformance report's links), GitHub-style heading anchors matching
 * the catalogue's `anchor`s, every operationId on the API page, and pages that load nothing from the network.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type BuildResult, buildDocs } from '../src/site.ts';

const specDir = resolve(import.meta.dirname, '..', '..', '..', 'spec');
const outDir = mkdtempSync(join(tmpdir(), 'omp-docs-'));

interface CatalogueEntry {
  id: string;
  anchor: string;
}

/** Every requirement ID, read from SPEC.md's requirement lines (independent of the renderer). */
const specIds = [
  ...readFileSync(join(specDir, 'SPEC.md'), 'utf8').matchAll(/^- \*\*(OMP-[A-Z]+-\d{3})\*\* \[/gm),
].map((m) => m[1]!);
const catalogue = (
  JSON.parse(readFileSync(join(specDir, 'requirements.json'), 'utf8')) as { requirements: CatalogueEntry[] }
).requirements;
/** Every operationId, read from the YAML source (independent of the dereferencing renderer). */
const operationIds = Object.values(
  (parse(readFileSync(join(specDir, 'openapi.yaml'), 'utf8')) as { paths: object }).paths,
)
  .flatMap((item) => Object.values(item as Record<string, { operationId?: string }>))
  .map((op) => op?.operationId)
  .filter((id): id is string => typeof id === 'string');

let result: BuildResult;
let specHtml: string;
let apiHtml: string;

const ids = (html: string) => new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));

beforeAll(async () => {
  result = await buildDocs({ specDir, outDir });
  specHtml = readFileSync(join(outDir, 'SPEC.html'), 'utf8');
  apiHtml = readFileSync(join(outDir, 'api.html'), 'utf8');
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('docs site', () => {
  it('reads a non-trivial spec', () => {
    expect(specIds.length).toBeGreaterThan(100);
    expect(operationIds.length).toBeGreaterThan(5);
    expect(result.files).toEqual(['SPEC.html', 'api.html', 'index.html']);
  });

  it('gives every requirement of SPEC.md its lower-case anchor, exactly once', () => {
    const anchors = [...specHtml.matchAll(/<li id="(omp-[a-z]+-\d{3})" class="requirement/g)].map(
      (m) => m[1],
    );
    expect(anchors).toEqual(specIds.map((id) => id.toLowerCase()));
    expect(result.requirementIds).toEqual(specIds);
  });

  it('covers every requirement of the catalogue, and every section anchor it names', () => {
    const present = ids(specHtml);
    expect(catalogue.map((r) => r.id.toLowerCase()).filter((id) => !present.has(id))).toEqual([]);
    expect([...new Set(catalogue.map((r) => r.anchor))].filter((a) => !present.has(a))).toEqual([]);
  });

  it.each([
    ['1. Introduction', '1-introduction'],
    ['5.1 Create a memory', '51-create-a-memory'],
  ])('slugs heading "%s" like GitHub: #%s', (_heading, slug) => {
    expect(ids(specHtml).has(slug)).toBe(true);
  });

  it('links requirement IDs in running text to their anchors', () => {
    expect(specHtml).toContain('<a class="req-ref" href="#omp-err-007">OMP-ERR-007</a>');
    expect(apiHtml).toMatch(/<a class="req-ref" href="SPEC\.html#omp-crud-001">OMP-CRUD-001<\/a>/);
  });

  it('has a section per operationId on the API page', () => {
    const present = ids(apiHtml);
    expect(operationIds.filter((id) => !present.has(id))).toEqual([]);
    expect(result.operationIds.slice().sort()).toEqual(operationIds.slice().sort());
  });

  it('shows parameters with their constraints, schemas and examples', () => {
    const list = apiHtml.slice(apiHtml.indexOf('id="listMemories"'), apiHtml.indexOf('id="searchMemories"'));
    expect(list).toMatch(
      /<td class="name">limit<\/td><td>query<\/td><td>integer<\/td><td class="constraints">≥ 1; ≤ 100; default <code>20<\/code><\/td>/,
    );
    expect(list).toContain('one of <code>created_at_desc</code>');
    expect(list).toContain('Schema <a href="#schema-ListMemoriesResponse">');
    expect(list).toContain('<summary>Example: page');
    expect(apiHtml).toContain('id="schema-Memory"');
  });

  it('loads nothing from elsewhere: no script, no external stylesheet, image or font', () => {
    for (const html of [specHtml, apiHtml, readFileSync(join(outDir, 'index.html'), 'utf8')]) {
      expect(html).not.toMatch(/<script|<link\s|<img\s|@import|url\(/i);
      expect(html.startsWith('<!doctype html>')).toBe(true);
    }
  });
});
