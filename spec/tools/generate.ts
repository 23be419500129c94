/**
 * `npm run generate` writes every artifact derived from the spec; `--check` (npm run generate:check)
 * regenerates in memory and exits 1 listing every file that differs from the committed one.
 * `--root DIR` runs on another tree (tests, scratch copies).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generationContext, renderArtifacts } from './artifacts.ts';
import { checkRequirements } from './catalogue.ts';
import { formatIssue } from './requirements.ts';

/** Outcome of one generate run, for the CLI and for tests. */
export interface GenerateResult {
  written: string[];
  unchanged: string[];
  stale: string[];
  failed: Array<{ path: string; error: string }>;
}

/** Generate (or with `check`, compare) every artifact under `root`. */
export function generate(options: { root?: string; check?: boolean } = {}): GenerateResult {
  const ctx = generationContext(options.root);
  const result: GenerateResult = { written: [], unchanged: [], stale: [], failed: [] };
  for (const r of renderArtifacts(ctx)) {
    if ('error' in r) {
      result.failed.push(r);
      continue;
    }
    const abs = join(ctx.paths.root, r.path);
    const current = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
    if (current === r.content) {
      result.unchanged.push(r.path);
    } else if (options.check) {
      result.stale.push(r.path);
    } else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, r.content);
      result.written.push(r.path);
    }
  }
  return result;
}

function main(): number {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, root: { type: 'string' } } });
  const root = values.root ? resolve(values.root) : undefined;
  const result = generate({ root, check: values.check ?? false });
  for (const p of result.written) console.log(`wrote      ${p}`);
  for (const p of result.unchanged) console.log(`up to date ${p}`);
  for (const f of result.failed) console.error(`FAILED     ${f.path}: ${f.error}`);
  if (result.stale.length > 0) {
    console.error(`out of date (run npm run generate):\n${result.stale.map((p) => `  ${p}`).join('\n')}`);
  }
  if (!values.check) {
    // Prose issues do not block the catalogue, but say so at once rather than only in spec:check.
    const prose = checkRequirements(generationContext(root).paths).issues;
    if (prose.length > 0)
      console.warn(`note: ${prose.length} SPEC.md issue(s); npm run spec:check lists them`);
    for (const i of prose.slice(0, 5)) console.warn(`  ${formatIssue(i)}`);
  }
  return result.failed.length > 0 || result.stale.length > 0 ? 1 : 0;
}

if (import.meta.main) process.exitCode = main();
