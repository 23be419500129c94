/**
 * What one generation run reads: the tree's spec context (paths, schemas, hashes) and the language-neutral
 * model, built once on first use and handed to every emitter of the run.
 */
import { schemaDirResolver } from '@omp-kit/schemas';
import {
  type GenerationContext as SpecContext,
  generationContext as specContext,
} from '../../spec/tools/artifacts.ts';
import type { ApiModel } from './model.ts';
import { loadApiModel } from './openapi-to-model.ts';
import { computeSourceHash } from './source-hash.ts';

/** The context of one run: the spec's, plus the source hash and the shared model. */
export interface GenerationContext extends SpecContext {
  /** `computeSourceHash`: openapi.yaml + schemas only; stamped into every generated file. */
  sourceHash: string;
  /** The model of this tree; the first call builds it, every later call (every emitter) gets the same one. */
  model(): Promise<ApiModel>;
}

/** The generation context of a tree (default: this repository). */
export function generationContext(root?: string): GenerationContext {
  const spec = specContext(root);
  const sourceHash = computeSourceHash(spec.paths.root);
  let model: Promise<ApiModel> | undefined;
  return {
    ...spec,
    sourceHash,
    model: () => {
      model ??= loadApiModel(spec.paths.openapi, {
        schemas: spec.schemas,
        sourceHash,
        resolver: schemaDirResolver(spec.paths.schemas),
      });
      return model;
    },
  };
}

/** The model of the tree at `root` (default: this repository). */
export function loadModelOf(root?: string): Promise<ApiModel> {
  return generationContext(root).model();
}
