/**
 * The one list of files derived from the spec. `npm run generate` writes them, `npm run generate:check` and
 * the tests compare them. A new generator adds one producer here and nowhere else.
 */
import type { SchemaDocument } from '@omp-kit/schemas';
import { renderGoSdkFiles } from '../../generators/src/go/go-files.ts';
import { renderPythonSdkFiles } from '../../generators/src/python/sdk-files.ts';
import { renderSdkFiles } from '../../generators/src/sdks.ts';
import { renderCatalogue } from './catalogue.ts';
import { generatedHeader } from './header.ts';
import { emitTypeScript } from './json-schema-to-ts.ts';
import { relPaths, type SpecPaths, specPaths } from './paths.ts';
import { readSchemaDocs } from './schema-files.ts';
import { computeSpecHash } from './spec-hash.ts';

/** What every producer gets: the tree, its spec hash and its schema documents. */
export interface GenerationContext {
  paths: SpecPaths;
  specHash: string;
  /** Schema documents keyed by name (`memory`, `create-request`, ...). */
  schemas: ReadonlyMap<string, SchemaDocument>;
}

/** One generated file: repository-relative POSIX path and complete content. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/** A generator of one or more files; `produce` throws (saying why) when it cannot. */
export interface ArtifactProducer {
  /** Short name, for `--only` and messages: `catalogue`, `types`, `sdk-ts`, ... */
  name: string;
  produce(ctx: GenerationContext): GeneratedFile[] | Promise<GeneratedFile[]>;
}

/** spec/requirements.json, from SPEC.md. */
export const catalogueProducer: ArtifactProducer = {
  name: 'catalogue',
  produce: (ctx) => [
    { path: relPaths.catalogue, content: renderCatalogue(ctx.paths, ctx.specHash, 'spec/tools/generate.ts') },
  ],
};

/** schemas/generated/types.ts, from the JSON Schemas. */
export const typesProducer: ArtifactProducer = {
  name: 'types',
  produce: (ctx) => [
    {
      path: relPaths.types,
      content: emitTypeScript(ctx.schemas, {
        header: generatedHeader({ generator: 'spec/tools/json-schema-to-ts.ts', specHash: ctx.specHash }),
      }),
    },
  ],
};

/** The SDK files (generators/): types, client and README reference of sdk-ts. */
export const sdkProducer: ArtifactProducer = {
  name: 'sdk',
  produce: (ctx) => renderSdkFiles(ctx.paths.root),
};

/** The Python SDK's generated files (sdk-python/src/omp_sdk/_generated/), from the same model. */
export const pythonSdkProducer: ArtifactProducer = {
  name: 'sdk-python',
  produce: (ctx) => renderPythonSdkFiles(ctx.paths.root),
};

/** The Go SDK's generated files (sdk-go/types_gen.go, sdk-go/operations_gen.go), from the same model. */
export const goSdkProducer: ArtifactProducer = {
  name: 'sdk-go',
  produce: (ctx) => renderGoSdkFiles(ctx.paths.root),
};

/** Every producer of the repository, in write order. */
export const producers: readonly ArtifactProducer[] = [
  catalogueProducer,
  typesProducer,
  sdkProducer,
  pythonSdkProducer,
  goSdkProducer,
];

/** The producers that need only spec/ and schemas/ (what a scratch copy of the spec can render). */
export const specProducers: readonly ArtifactProducer[] = [catalogueProducer, typesProducer];

/** The producers named in `names` (all when undefined); throws on an unknown name. */
export function selectProducers(names?: readonly string[]): readonly ArtifactProducer[] {
  if (!names) return producers;
  return names.map((n) => {
    const p = producers.find((x) => x.name === n);
    if (!p)
      throw new Error(`unknown artifact producer ${n}; known: ${producers.map((x) => x.name).join(', ')}`);
    return p;
  });
}

/** The generation context of a tree (default: this repository). */
export function generationContext(root?: string): GenerationContext {
  const paths = specPaths(root);
  return { paths, specHash: computeSpecHash(paths.root), schemas: readSchemaDocs(paths.schemas) };
}

/** Result of one producer: its files, or the error that prevented them. */
export type Rendered = { producer: string; files: GeneratedFile[] } | { producer: string; error: string };

/** Run producers in memory; one failing producer does not stop the others. */
export async function renderArtifacts(
  ctx: GenerationContext,
  list: readonly ArtifactProducer[] = producers,
): Promise<Rendered[]> {
  const out: Rendered[] = [];
  for (const p of list) {
    try {
      out.push({ producer: p.name, files: await p.produce(ctx) });
    } catch (e) {
      out.push({ producer: p.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
