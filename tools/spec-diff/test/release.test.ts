/**
 * Released spec versions. Every committed release of the live spec's major version (spec/releases/0.3, ...)
 * must stay compatible with the live spec (SPEC.md §1.2: a minor version only adds): any breaking change to
 * spec/, schemas/ or the requirement catalogue fails this test, and so CI.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { schemaDir } from '@omp-kit/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { diffSpecs } from '../src/diff/index.ts';
import { loadSpecVersion } from '../src/load/version.ts';
import { ReleaseError, releaseSpec, rewriteSchemaRefs } from '../src/release/release.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const liveSpec = join(repoRoot, 'spec');
const released = join(liveSpec, 'releases', '0.3');
const liveVersion = String(
  (parse(readFileSync(join(liveSpec, 'openapi.yaml'), 'utf8')) as { info: { version: unknown } }).info
    .version,
);
const major = (version: string) => version.split('.')[0];
/** Releases that the live spec must stay compatible with: same major version. */
const sameMajor = readdirSync(join(liveSpec, 'releases'))
  .filter((v) => /^\d+\.\d+$/.test(v) && major(v) === major(liveVersion))
  .sort();
const scratch = mkdtempSync(join(tmpdir(), 'omp-spec-release-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('spec releases', () => {
  it('has at least the 0.3 release to compare with', () => {
    expect(sameMajor.length).toBeGreaterThan(0);
    expect(existsSync(released)).toBe(true);
  });

  it.each(sameMajor)('spec/releases/%s → live spec has no breaking change', async (version) => {
    const report = diffSpecs(
      await loadSpecVersion(join(liveSpec, 'releases', version)),
      await loadSpecVersion(liveSpec),
    );
    const breaking = report.changes
      .filter((c) => c.severity === 'breaking')
      .map((c) => `${c.location}: ${c.message}`);
    expect(
      breaking,
      `breaking changes since the ${version} release (run npm run spec:diff -- spec/releases/${version} spec)`,
    ).toEqual([]);
    expect(report.notes).toEqual([]);
  });

  it('a release is self-contained: its openapi.yaml refs its own schemas/', () => {
    const text = readFileSync(join(released, 'openapi.yaml'), 'utf8');
    expect(text).not.toContain('../schemas/');
    expect(text).toContain('$ref: "./schemas/memory.schema.json"');
    for (const file of ['SPEC.md', 'requirements.json', 'schemas/memory.schema.json']) {
      expect(existsSync(join(released, file)), file).toBe(true);
    }
  });

  it('cuts a release of the live spec that diffs clean against it, and refuses to overwrite it', async () => {
    const options = { specDir: liveSpec, schemasDir: schemaDir, releasesDir: scratch };
    const result = await releaseSpec(options);
    expect(result.dir).toBe(join(scratch, result.version));
    expect(result.files).toEqual(
      expect.arrayContaining(['openapi.yaml', 'SPEC.md', 'requirements.json', 'schemas/defs.schema.json']),
    );
    const report = diffSpecs(await loadSpecVersion(result.dir), await loadSpecVersion(liveSpec));
    expect(report.changes).toEqual([]);
    await expect(releaseSpec(options)).rejects.toThrow(ReleaseError);
    await expect(releaseSpec({ ...options, force: true })).resolves.toMatchObject({
      version: result.version,
    });
  });

  it('rewrites only schema refs', () => {
    const given = [
      'schema: { $ref: "../schemas/memory.schema.json" }',
      "x: { $ref: '../schemas/defs.schema.json#/$defs/limit' }",
      'description: see ../schemas/ for the files',
      'r: { $ref: "#/components/responses/Unauthorized" }',
    ].join('\n');
    expect(rewriteSchemaRefs(given)).toBe(
      [
        'schema: { $ref: "./schemas/memory.schema.json" }',
        "x: { $ref: './schemas/defs.schema.json#/$defs/limit' }",
        'description: see ../schemas/ for the files',
        'r: { $ref: "#/components/responses/Unauthorized" }',
      ].join('\n'),
    );
  });
});
