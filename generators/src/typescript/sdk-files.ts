/**
 * The files of the TypeScript SDK derived from the spec, rendered in memory. `npm run generate` writes
 * them and `npm run generate:check` compares them (generators/src/artifacts.ts lists them).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatLikeBiome } from '../format.ts';
import { generatedHeader } from '../header.ts';
import type { ApiModel } from '../model.ts';
import { createTypeEmitter, emitTypeScript } from './json-schema-to-ts.ts';
import { renderClient } from './model-to-client.ts';
import { renderReadmeSection, spliceReadme } from './model-to-readme.ts';

/** Generator path named in the headers of the TypeScript SDK's files. */
export const generatorPath = 'generators/src/typescript/sdk-files.ts';

/** One rendered file: repository-relative path and complete content. */
export interface RenderedFile {
  path: string;
  content: string;
}

/** Repository-relative paths of the generated TypeScript SDK files. */
export const typescriptSdkPaths = {
  types: 'sdk-ts/src/generated/types.ts',
  client: 'sdk-ts/src/generated/client.ts',
  readme: 'sdk-ts/README.md',
} as const;

/** Render every TypeScript SDK file from the model; the README's hand-written part is read from `root`. */
export function renderTypeScriptSdk(model: ApiModel, root: string): RenderedFile[] {
  const header = generatedHeader({ generator: generatorPath, sourceHash: model.sourceHash });
  const types = createTypeEmitter(model.schemas);
  const readmePath = join(root, typescriptSdkPaths.readme);
  if (!existsSync(readmePath)) throw new Error(`${typescriptSdkPaths.readme} is missing`);
  const headerLines = header
    .trim()
    .split('\n')
    .map((l) => l.replace(/^\/\/ /, ''));
  return [
    { path: typescriptSdkPaths.types, content: emitTypeScript(model.schemas, { header }) },
    { path: typescriptSdkPaths.client, content: renderClient(model, types, header) },
    {
      path: typescriptSdkPaths.readme,
      content: formatLikeBiome(
        typescriptSdkPaths.readme,
        spliceReadme(readFileSync(readmePath, 'utf8'), renderReadmeSection(model, headerLines)),
      ),
    },
  ];
}
