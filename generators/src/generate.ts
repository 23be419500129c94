/**
 * `npm run generate` writes every artifact derived from the spec; `--check` (npm run generate:check)
 * regenerates in memory and exits 1 listing every file that differs from the committed one.
 * `--root DIR` runs on another tree (tests, scratch copies); `--only a,b` runs only those producers.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkRequirements } from '../../spec/tools/catalogue.ts';
import { formatIssue } from '../../spec/tools/requirements.ts';
import { type ArtifactProducer, generationContext, renderArtifacts, selectProducers } from './artifacts.ts';

/** Outcome of one generate run, for the CLI and for tests. */
export interface GenerateResult {
  written: string[];
  unchanged: string[];
  stale: string[];
  failed: Array<{ producer: string; error: string }>;
}

/** Generate (or with `check`, compare) the artifacts of `producers` under `root`. */
export async function generate(
  options: { root?: string; check?: boolean; producers?: readonly ArtifactProducer[] } = {},
): Promise<GenerateResult> {
  const ctx = generationContext(options.root);
  const result: GenerateResult = { written: [], unchanged: [], stale: [], failed: [] };
  for (const r of await renderArtifacts(ctx, options.producers)) {
    if ('error' in r) {
      result.failed.push(r);
      continue;
    }
    for (const f of r.files) {
      const abs = join(ctx.paths.root, f.path);
      const current = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
      if (current === f.content) {
        result.unchanged.push(f.path);
      } else if (options.check) {
        result.stale.push(f.path);
      } else {
        mkdirSync(dirname(abs), { recursive: true });
        writeFileSync(abs, f.content);
        result.written.push(f.path);
      }
    }
  }
  return result;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { check: { type: 'boolean' }, root: { type: 'string' }, only: { type: 'string' } },
  });
  const root = values.root ? resolve(values.root) : undefined;
  const producers = selectProducers(values.only?.split(',').map((s) => s.trim()));
  const result = await generate({ root, check: values.check ?? false, producers });
  for (const p of result.written) console.log(`wrote      ${p}`);
  for (const p of result.unchanged) console.log(`up to date ${p}`);
  for (const f of result.failed) console.error(`FAILED     ${f.producer}: ${f.error}`);
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

if (import.meta.main) process.exitCode = await main();
