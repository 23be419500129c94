/**
 * Load the spec of a tree into the model and render every SDK's derived files (today: TypeScript).
 * Used by spec/tools/artifacts.ts (npm run generate / generate:check) and by this package's CLI.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { specPaths } from '../../spec/tools/paths.ts';
import { readSchemaDocs } from '../../spec/tools/schema-files.ts';
import { computeSpecHash } from '../../spec/tools/spec-hash.ts';
import type { ApiModel } from './model.ts';
import { loadApiModel } from './openapi-to-model.ts';
import { type RenderedFile, renderTypeScriptSdk } from './typescript/sdk-files.ts';

/** The model of the tree at `root` (default: this repository). */
export async function loadModelOf(root?: string): Promise<ApiModel> {
  const paths = specPaths(root);
  const schemas = readSchemaDocs(paths.schemas) as unknown as Map<
    string,
    Record<string, unknown> & { $id: string }
  >;
  return loadApiModel(paths.openapi, { schemas, specHash: computeSpecHash(paths.root) });
}

/** Every SDK file derived from the spec of the tree at `root`, rendered in memory. */
export async function renderSdkFiles(root?: string): Promise<RenderedFile[]> {
  const paths = specPaths(root);
  return renderTypeScriptSdk(await loadModelOf(paths.root), paths.root);
}

/** Outcome of writing or checking the SDK files. */
export interface SdkGenerateResult {
  written: string[];
  unchanged: string[];
  stale: string[];
}

/** Write the SDK files under `root`, or with `check` only report those that differ from the rendering. */
export async function generateSdkFiles(
  options: { root?: string; check?: boolean } = {},
): Promise<SdkGenerateResult> {
  const root = specPaths(options.root).root;
  const result: SdkGenerateResult = { written: [], unchanged: [], stale: [] };
  for (const f of await renderSdkFiles(root)) {
    const abs = join(root, f.path);
    const current = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
    if (current === f.content) result.unchanged.push(f.path);
    else if (options.check) result.stale.push(f.path);
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, f.content);
      result.written.push(f.path);
    }
  }
  return result;
}
