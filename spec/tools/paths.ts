/**
 * Where the normative spec files and their derived artifacts live, relative to a repository root.
 * Every tool takes a root so tests and scratch copies can run the same code on other trees.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this repository (two levels above spec/tools/). */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Repository-relative paths (POSIX) of the spec's source and derived files. */
export const relPaths = {
  spec: 'spec/SPEC.md',
  openapi: 'spec/openapi.yaml',
  schemas: 'schemas',
  catalogue: 'spec/requirements.json',
  retired: 'spec/retired-requirements.json',
} as const;

/** Absolute paths of the spec files under one root. */
export interface SpecPaths {
  root: string;
  spec: string;
  openapi: string;
  schemas: string;
  catalogue: string;
  retired: string;
}

/** Absolute paths of the spec files under `root` (default: this repository). */
export function specPaths(root: string = repoRoot): SpecPaths {
  return {
    root,
    spec: join(root, relPaths.spec),
    openapi: join(root, relPaths.openapi),
    schemas: join(root, relPaths.schemas),
    catalogue: join(root, relPaths.catalogue),
    retired: join(root, relPaths.retired),
  };
}
