/**
 * The TypeScript emitter: determinism (two renders give identical bytes), the committed files are what the
 * spec renders to (the drift check CI runs), headers on every file, and names that agree with the runtime.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorFromResponse } from '../../sdk-ts/src/core/errors.ts';
import { repoRoot } from '../../spec/tools/paths.ts';
import { loadModelOf } from '../src/context.ts';
import { computeSourceHash } from '../src/source-hash.ts';
import { readmeMarkers, spliceReadme } from '../src/typescript/model-to-readme.ts';
import { errorClass } from '../src/typescript/naming.ts';
import { renderTypeScriptSdk } from '../src/typescript/sdk-files.ts';
import { jsLiteral } from '../src/typescript/ts-syntax.ts';

const first = renderTypeScriptSdk(await loadModelOf(), repoRoot);
const second = renderTypeScriptSdk(await loadModelOf(), repoRoot);

describe('generated TypeScript SDK files', () => {
  it('are deterministic: two runs render identical bytes', () => {
    expect(second.map((f) => f.path)).toEqual(first.map((f) => f.path));
    for (const [i, f] of first.entries())
      expect(Buffer.from(second[i]?.content ?? '')).toEqual(Buffer.from(f.content));
  });

  it.each(first.map((f) => [f.path, f] as const))(
    '%s is committed as generated (npm run generate)',
    (path, f) => {
      expect(readFileSync(join(repoRoot, path), 'utf8')).toBe(f.content);
    },
  );

  it.each(first.map((f) => [f.path, f] as const))('%s carries the header', (_p, f) => {
    for (const line of [
      '— do not edit.',
      'Generator: generators/src/typescript/sdk-files.ts',
      `Source hash: ${computeSourceHash(repoRoot)}`,
      'Regenerate: npm run generate',
    ]) {
      expect(f.content).toContain(line);
    }
  });

  it('the client has one method per operation, named as the README documents', () => {
    const client = first.find((f) => f.path.endsWith('client.ts'))?.content ?? '';
    for (const sig of [
      'create(body: CreateMemoryRequest, options?: RequestOptions): ApiPromise<Memory>',
      'list(params?: ListMemoriesParams, options?: RequestOptions): PagePromise<ListMemoriesResponse, Memory>',
      'get(id: string, options?: RequestOptions): ApiPromise<Memory>',
      'update(id: string, body: UpdateMemoryRequest, options?: RequestOptions): ApiPromise<Memory>',
      'delete(id: string, options?: RequestOptions): ApiPromise<void>',
      'search(body: SearchRequest, options?: RequestOptions): PagePromise<SearchResponse, Memory>',
      'searchGet(params: SearchMemoriesGetParams, options?: RequestOptions): PagePromise<SearchResponse, Memory>',
      'export(options?: RequestOptions): ApiPromise<ExportFile>',
      'import(body: ExportFile, params?: ImportMemoriesParams, options?: RequestOptions): ApiPromise<ImportResult>',
      'health(options?: RequestOptions): ApiPromise<Health>',
      'me(options?: RequestOptions): ApiPromise<Principal>',
    ]) {
      expect(client).toContain(sig);
    }
  });
});

describe('naming agrees with the runtime', () => {
  it.each([400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 504])('status %i', (status) => {
    expect(errorFromResponse(status, new Headers(), '').name).toBe(errorClass(status));
  });
});

describe('README splice and literals', () => {
  it('replaces only the text between the markers', () => {
    const readme = `intro\n${readmeMarkers.start}\nold\n${readmeMarkers.end}\noutro\n`;
    expect(spliceReadme(readme, `${readmeMarkers.start}\nnew\n${readmeMarkers.end}`)).toBe(
      `intro\n${readmeMarkers.start}\nnew\n${readmeMarkers.end}\noutro\n`,
    );
    expect(() => spliceReadme('no markers', 'x')).toThrow(/markers/);
  });

  it.each([
    ['string with quote', "it's", "'it\\'s'"],
    ['object', { a: 1, 'b-c': [true, null] }, "{ a: 1, 'b-c': [true, null] }"],
    ['empty object', {}, '{}'],
  ])('jsLiteral %s', (_n, given, want) => expect(jsLiteral(given)).toBe(want));

  it('jsLiteral wraps long values', () => {
    expect(jsLiteral({ content: 'x'.repeat(30), tags: ['a', 'b'] }, '', 30)).toBe(
      `{\n  content: '${'x'.repeat(30)}',\n  tags: ['a', 'b'],\n}`,
    );
  });
});
