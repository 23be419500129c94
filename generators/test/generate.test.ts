import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Scratch, scratchCopy } from '../../spec/test/scratch.ts';
import { relPaths, repoRoot } from '../../spec/tools/paths.ts';
import { computeSpecHash } from '../../spec/tools/spec-hash.ts';
import {
  type GeneratedFile,
  generationContext,
  producers,
  type Rendered,
  renderArtifacts,
  schemaTypesPath,
  specProducers,
} from '../src/artifacts.ts';
import { generate } from '../src/generate.ts';
import { bundlePaths } from '../src/openapi-bundle.ts';
import { computeSourceHash } from '../src/source-hash.ts';

let scratch: Scratch | undefined;
afterEach(() => {
  scratch?.remove();
  scratch = undefined;
});

/** Every file of a rendering; fails the test if a producer failed. */
function filesOf(rendered: Rendered[]): GeneratedFile[] {
  const failed = rendered.filter((r) => 'error' in r);
  expect(failed).toEqual([]);
  return rendered.flatMap((r) => ('files' in r ? r.files : []));
}

describe('generate', () => {
  it('is deterministic: rendering every artifact twice gives identical bytes', async () => {
    const first = filesOf(await renderArtifacts(generationContext()));
    const second = filesOf(await renderArtifacts(generationContext()));
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(second).toEqual(first);
  });

  it('writes the same bytes from a copy of the tree, wherever it lives', async () => {
    scratch = scratchCopy();
    const here = filesOf(await renderArtifacts(generationContext(), specProducers));
    const there = filesOf(await renderArtifacts(generationContext(scratch.root), specProducers));
    expect(there).toEqual(here);
  });

  it('keeps every producer in one registry; the catalogue carries the spec hash, code the source hash', async () => {
    expect(producers.map((p) => p.name)).toEqual([
      'catalogue',
      'types',
      'openapi-bundle',
      'sdk',
      'sdk-python',
      'sdk-go',
    ]);
    const hash = computeSpecHash(repoRoot);
    const source = computeSourceHash(repoRoot);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(source).toMatch(/^[0-9a-f]{16}$/);
    const [catalogue, types] = filesOf(await renderArtifacts(generationContext(), specProducers));
    expect(catalogue?.path).toBe(relPaths.catalogue);
    const parsed = JSON.parse(catalogue?.content ?? '{}');
    expect(Object.keys(parsed)).toEqual([
      'spec_version',
      'spec_hash',
      'generated_by',
      'requirement_set_hash',
      'requirements',
    ]);
    expect(parsed.spec_hash).toBe(hash);
    expect(types?.path).toBe(schemaTypesPath);
    expect(types?.content.split('\n').slice(0, 4)).toEqual([
      '// Generated file — do not edit.',
      '// Generator: generators/src/typescript/json-schema-to-ts.ts',
      `// Source hash: ${source} (sha256 of spec/openapi.yaml, schemas/*.schema.json)`,
      '// Regenerate: npm run generate',
    ]);
  });

  it('the spec hash covers SPEC.md, openapi.yaml and every schema', () => {
    scratch = scratchCopy();
    const before = computeSpecHash(scratch.root);
    for (const rel of [relPaths.spec, relPaths.openapi, 'schemas/source.schema.json']) {
      const original = scratch.read(rel);
      scratch.write(rel, `${original}\n`);
      expect(computeSpecHash(scratch.root), rel).not.toBe(before);
      scratch.write(rel, original);
    }
    expect(computeSpecHash(scratch.root)).toBe(before);
  });

  it('the source hash covers openapi.yaml and every schema, not SPEC.md', () => {
    scratch = scratchCopy();
    const before = computeSourceHash(scratch.root);
    for (const rel of [relPaths.openapi, 'schemas/source.schema.json']) {
      const original = scratch.read(rel);
      scratch.write(rel, `${original}\n`);
      expect(computeSourceHash(scratch.root), rel).not.toBe(before);
      scratch.write(rel, original);
    }
    scratch.edit(relPaths.spec, (t) => `${t}\nA wording change.\n`);
    expect(computeSourceHash(scratch.root)).toBe(before);
  });

  it('a wording change in SPEC.md rewrites the catalogue only, never generated code', async () => {
    scratch = scratchCopy();
    const s = scratch;
    const run = (check: boolean) => generate({ root: s.root, check, producers: specProducers });
    await run(false);
    s.edit(relPaths.spec, (t) => `${t}\nA wording change.\n`);
    expect((await run(true)).stale).toEqual([relPaths.catalogue]);
  });

  it('builds the model once per run and hands the same one to every emitter', async () => {
    const ctx = generationContext();
    const [a, b] = await Promise.all([ctx.model(), ctx.model()]);
    expect(a).toBe(b);
    expect(a.sourceHash).toBe(ctx.sourceHash);
    expect(generationContext().model()).not.toBe(ctx.model());
  });

  it('--check lists the files that drifted and changes nothing', async () => {
    scratch = scratchCopy();
    const s = scratch;
    const run = (check: boolean) => generate({ root: s.root, check, producers: specProducers });
    await run(false); // the copied tree may be mid-edit; start from a current one
    expect(await run(true)).toMatchObject({ stale: [], failed: [] });
    s.edit('schemas/source.schema.json', (t) =>
      t.replace("The tool's own session identifier", 'The session identifier'),
    );
    const typesBefore = s.read(schemaTypesPath);
    // The hashes moved, so every artifact is stale; the types and the bundle also changed in body.
    const all = [relPaths.catalogue, schemaTypesPath, bundlePaths.json, bundlePaths.yaml];
    expect((await run(true)).stale).toEqual(all);
    expect(s.read(schemaTypesPath)).toBe(typesBefore);
    expect((await run(false)).written).toEqual(all);
    expect(s.read(schemaTypesPath)).toContain('/** The session identifier');
    expect(s.read(bundlePaths.json)).toContain('"The session identifier');
    expect((await run(true)).stale).toEqual([]);
  });

  it('the CLI exits 1 on drift and 0 when current', async () => {
    scratch = scratchCopy();
    await generate({ root: scratch.root, producers: specProducers });
    const cli = join(repoRoot, 'generators', 'src', 'generate.ts');
    const args = [cli, '--check', '--only', 'catalogue,types', '--root', scratch.root];
    const run = () => spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(run().status).toBe(0);
    scratch.edit(schemaTypesPath, (t) => `${t}// hand edit\n`);
    const drift = run();
    expect(drift.status).toBe(1);
    expect(drift.stderr).toContain('out of date (run npm run generate)');
    expect(drift.stderr).toContain(schemaTypesPath);
  });

  it('refuses to write a catalogue that silently drops a committed ID', async () => {
    scratch = scratchCopy();
    const s = scratch;
    const committed = JSON.parse(s.read(relPaths.catalogue)).requirements as Array<{ id: string }>;
    const victim = committed.at(-1)?.id as string;
    s.edit(relPaths.spec, (t) => t.replace(new RegExp(`^- \\*\\*${victim}\\*\\*.*$`, 'm'), ''));
    const result = await generate({ root: s.root, producers: specProducers });
    expect(result.failed.map((f) => f.producer)).toEqual(['catalogue']);
    expect(result.failed[0]?.error).toContain(
      `${victim} is in spec/requirements.json but no longer in SPEC.md`,
    );
    expect(JSON.parse(s.read(relPaths.catalogue)).requirements).toEqual(committed);
    // Retiring it is the way out.
    s.write(relPaths.retired, JSON.stringify([{ id: victim, retired_in: '0.3', reason: 'test' }]));
    expect((await generate({ root: s.root, producers: specProducers })).failed).toEqual([]);
  });

  it('the committed artifacts are current (same as npm run generate:check)', async () => {
    const files = filesOf(await renderArtifacts(generationContext()));
    const stale = files.filter((f) => readFileSync(join(repoRoot, f.path), 'utf8') !== f.content);
    expect(stale.map((f) => f.path)).toEqual([]);
  });
});
