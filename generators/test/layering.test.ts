/**
 * Generation flows one way: schemas/ → spec/ → generators/ → SDKs. The spec and the schemas never import the
 * generators (or an SDK), so a change to a generator can never change what spec:check accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../spec/tools/paths.ts';

/** Every `.ts` file under `dir` (skipping node_modules, generated output and tests' fixtures). */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Repository-relative targets of a file's relative imports, and its package imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] as string,
  );
  return specs.map((s) => (s.startsWith('.') ? relative(repoRoot, resolve(file, '..', s)) : s));
}

const forbidden = [/^generators\//, /^@omp-kit\/generators/, /^sdk-(ts|python|go)\//, /^omp-sdk/];

describe('dependency direction', () => {
  it.each(['spec', 'schemas'])('%s/ imports nothing from generators/ or an SDK', (dir) => {
    const bad: string[] = [];
    for (const file of tsFiles(join(repoRoot, dir))) {
      for (const target of importsOf(file)) {
        if (forbidden.some((f) => f.test(target))) bad.push(`${relative(repoRoot, file)} → ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the check is not vacuous: it sees the generators importing spec/tools', () => {
    const seen = tsFiles(join(repoRoot, 'generators', 'src')).flatMap(importsOf);
    expect(seen.some((t) => t.startsWith('spec/tools/'))).toBe(true);
  });
});
