/**
 * The one list of files derived from the spec. `npm run generate` writes them, `npm run generate:check` and
 * the tests compare them. A new generator (the SDKs) adds its entry here and nowhere else.
 */
import type { SchemaDocument } from '@omp-kit/schemas';
import { renderCatalogue } from './catalogue.ts';
import { generatedHeader } from './header.ts';
import { emitTypeScript } from './json-schema-to-ts.ts';
import { relPaths, type SpecPaths, specPaths } from './paths.ts';
import { readSchemaDocs } from './schema-files.ts';
import { computeSpecHash } from './spec-hash.ts';

/** What every artifact renderer gets: the tree, its spec hash and its schema documents. */
export interface GenerationContext {
  paths: SpecPaths;
  specHash: string;
  /** Schema documents keyed by name (`memory`, `create-request`, ...). */
  schemas: ReadonlyMap<string, SchemaDocument>;
}

/** One derived file. `render` returns its complete content or throws saying why it cannot. */
export interface Artifact {
  /** Repository-relative POSIX path. */
  path: string;
  /** Generator path named in the file's header. */
  generator: string;
  render(ctx: GenerationContext): string;
}

/** Every generated file of the repository, in write order. */
export const artifacts: readonly Artifact[] = [
  {
    path: relPaths.catalogue,
    generator: 'spec/tools/generate.ts',
    render: (ctx) => renderCatalogue(ctx.paths, ctx.specHash, 'spec/tools/generate.ts'),
  },
  {
    path: relPaths.types,
    generator: 'spec/tools/json-schema-to-ts.ts',
    render: (ctx) =>
      emitTypeScript(ctx.schemas, {
        header: generatedHeader({ generator: 'spec/tools/json-schema-to-ts.ts', specHash: ctx.specHash }),
      }),
  },
];

/** The generation context of a tree (default: this repository). */
export function generationContext(root?: string): GenerationContext {
  const paths = specPaths(root);
  return { paths, specHash: computeSpecHash(paths.root), schemas: readSchemaDocs(paths.schemas) };
}

/** Result of rendering one artifact: its content, or the error that prevented it. */
export type Rendered = { path: string; content: string } | { path: string; error: string };

/** Render every artifact in memory; one failing artifact does not stop the others. */
export function renderArtifacts(ctx: GenerationContext, list: readonly Artifact[] = artifacts): Rendered[] {
  return list.map((a) => {
    try {
      return { path: a.path, content: a.render(ctx) };
    } catch (e) {
      return { path: a.path, error: e instanceof Error ? e.message : String(e) };
    }
  });
}
