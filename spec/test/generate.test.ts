import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type GeneratedFile,
  generationContext,
  producers,
  type Rendered,
  renderArtifacts,
  specProducers,
} from '../tools/artifacts.ts';
import { generate } from '../tools/generate.ts';
import { relPaths, repoRoot } from '../tools/paths.ts';
import { computeSpecHash } from '../tools/spec-hash.ts';
import { type Scratch, scratchCopy } from './scratch.ts';

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

  it('keeps every producer in one registry; the spec files carry the spec hash', async () => {
    expect(producers.map((p) => p.name)).toEqual(['catalogue', 'types', 'sdk', 'sdk-python', 'sdk-go']);
    const hash = computeSpecHash(repoRoot);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
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
    expect(types?.path).toBe(relPaths.types);
    expect(types?.content.split('\n').slice(0, 4)).toEqual([
      '// Generated file — do not edit.',
      '// Generator: spec/tools/json-schema-to-ts.ts',
      `// Spec hash: ${hash} (sha256 of spec/SPEC.md, spec/openapi.yaml, schemas/*.schema.json)`,
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

  it('--check lists the files that drifted and changes nothing', async () => {
    scratch = scratchCopy();
    const s = scratch;
    const run = (check: boolean) => generate({ root: s.root, check, producers: specProducers });
    await run(false); // the copied tree may be mid-edit; start from a current one
    expect(await run(true)).toMatchObject({ stale: [], failed: [] });
    s.edit('schemas/source.schema.json', (t) =>
      t.replace("The tool's own session identifier", 'The session identifier'),
    );
    const typesBefore = s.read(relPaths.types);
    // The spec hash moved, so both artifacts are stale; the types also changed in body.
    expect((await run(true)).stale).toEqual([relPaths.catalogue, relPaths.types]);
    expect(s.read(relPaths.types)).toBe(typesBefore);
    expect((await run(false)).written).toEqual([relPaths.catalogue, relPaths.types]);
    expect(s.read(relPaths.types)).toContain('/** The session identifier');
    expect((await run(true)).stale).toEqual([]);
  });

  it('the CLI exits 1 on drift and 0 when current', async () => {
    scratch = scratchCopy();
    await generate({ root: scratch.root, producers: specProducers });
    const cli = join(repoRoot, 'spec', 'tools', 'generate.ts');
    const args = [cli, '--check', '--only', 'catalogue,types', '--root', scratch.root];
    const run = () => spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(run().status).toBe(0);
    scratch.edit(relPaths.types, (t) => `${t}// hand edit\n`);
    const drift = run();
    expect(drift.status).toBe(1);
    expect(drift.stderr).toContain('out of date (run npm run generate)');
    expect(drift.stderr).toContain(relPaths.types);
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
