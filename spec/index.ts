/**
 * The normative OMP specification as data: the requirement catalogue generated from SPEC.md (typed), its
 * version and hashes, and the paths of SPEC.md and openapi.yaml, for the conformance runner and the server.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalogue, Requirement } from './tools/requirements.ts';

export type { Catalogue, Compliance, Level, Requirement } from './tools/requirements.ts';

// The package root: this folder in the repository, the parent of lib/ in the published package.
const compiled = dirname(fileURLToPath(import.meta.url));
const here = basename(compiled) === 'lib' ? dirname(compiled) : compiled;

/** Absolute path of the normative text, spec/SPEC.md. */
export const specPath: string = join(here, 'SPEC.md');
/** Absolute path of the OpenAPI 3.1 description, spec/openapi.yaml. */
export const openapiPath: string = join(here, 'openapi.yaml');
/** Absolute path of the generated catalogue, spec/requirements.json. */
export const requirementsPath: string = join(here, 'requirements.json');

const catalogue = JSON.parse(readFileSync(requirementsPath, 'utf8')) as Catalogue;

/** Every requirement of SPEC.md, in document order. */
export const requirements: readonly Requirement[] = Object.freeze(catalogue.requirements);
/** The spec version the catalogue was generated from, e.g. `0.3`. */
export const specVersion: string = catalogue.spec_version;
/** Hash of SPEC.md, openapi.yaml and the schemas at generation time (16 hex digits). */
export const specHash: string = catalogue.spec_hash;
/** sha256 of the sorted id/level/compliance/testable list: stamp it into conformance reports. */
export const requirementSetHash: string = catalogue.requirement_set_hash;

const byId = new Map(requirements.map((r) => [r.id, r]));

/** The requirement with this ID; throws on an unknown ID so a check cannot cite a requirement that is gone. */
export function getRequirement(id: string): Requirement {
  const r = byId.get(id);
  if (!r) throw new Error(`unknown OMP requirement: ${id}`);
  return r;
}

/** Absolute path of the folder of released versions' frozen copies, spec/releases/<version>/. */
export const releasesPath: string = join(here, 'releases');

/** The versions with a frozen copy under spec/releases, oldest first (e.g. `['0.3']`). */
export function releasedVersions(): string[] {
  if (!existsSync(releasesPath)) return [];
  return readdirSync(releasesPath)
    .filter((v) => /^\d+\.\d+$/.test(v) && existsSync(join(releasesPath, v, 'schemas')))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** The schemas folder of a released version, or undefined when there is no frozen copy of it. */
export function releaseSchemaDir(version: string): string | undefined {
  return releasedVersions().includes(version) ? join(releasesPath, version, 'schemas') : undefined;
}
