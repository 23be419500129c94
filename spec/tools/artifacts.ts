/**
 * What the spec derives from itself: the requirement catalogue (spec/requirements.json, from SPEC.md), and the
 * context spec:check and the generators read a tree through. Code generation (types, SDKs, the bundled OpenAPI
 * document) lives in generators/ (generators/src/artifacts.ts), which imports this module; nothing under
 * spec/tools imports generators/, so generation flows one way: spec + schemas → generators → SDKs.
 */
import type { SchemaDocument } from '@omp-kit/schemas';
import { renderCatalogue } from './catalogue.ts';
import { relPaths, type SpecPaths, specPaths } from './paths.ts';
import { readSchemaDocs } from './schema-files.ts';
import { computeSpecHash } from './spec-hash.ts';

/** What the spec's own producers get: the tree, its spec hash and its schema documents. */
export interface GenerationContext {
  paths: SpecPaths;
  /** `computeSpecHash`: SPEC.md, openapi.yaml and the schemas (the catalogue records it). */
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
export interface ArtifactProducer<C extends GenerationContext = GenerationContext> {
  /** Short name, for `--only` and messages: `catalogue`, `types`, `sdk-ts`, ... */
  name: string;
  produce(ctx: C): GeneratedFile[] | Promise<GeneratedFile[]>;
}

/** Repository path named as the catalogue's `generated_by`. */
export const catalogueGenerator = 'spec/tools/catalogue.ts';

/** spec/requirements.json, from SPEC.md. */
export const catalogueProducer: ArtifactProducer = {
  name: 'catalogue',
  produce: (ctx) => [
    {
      path: relPaths.catalogue,
      content: renderCatalogue(ctx.paths, ctx.specHash, catalogueGenerator),
    },
  ],
};

/** The spec context of a tree (default: this repository). */
export function generationContext(root?: string): GenerationContext {
  const paths = specPaths(root);
  return { paths, specHash: computeSpecHash(paths.root), schemas: readSchemaDocs(paths.schemas) };
}
