/**
 * Cuts a spec release: copies the live spec (openapi.yaml, schemas/*.schema.json, requirements.json,
 * retired-requirements.json, SPEC.md) into `<releases>/<info.version>/`, a self-contained folder that
 * omp-spec-diff, swagger-parser and Prism read as is. Released folders are immutable: an existing one is only
 * replaced with `force`. The copy is verified by diffing it against the live spec: it must show no change.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { diffSpecs } from '../diff/index.ts';
import { loadSpecVersion } from '../load/version.ts';

/** Inputs of a release. */
export interface ReleaseOptions {
  /** Folder holding openapi.yaml, requirements.json, SPEC.md (the repo's `spec/`). */
  specDir: string;
  /** Folder of the `*.schema.json` files (the repo's `schemas/`). */
  schemasDir: string;
  /** Parent of the release folders (the repo's `spec/releases/`). */
  releasesDir: string;
  /** Replace an existing release folder. */
  force?: boolean;
}

/** What a release wrote. */
export interface ReleaseResult {
  version: string;
  dir: string;
  /** Paths relative to `dir`, sorted. */
  files: string[];
}

/** A release that cannot be cut (missing input, existing release, copy not faithful). */
export class ReleaseError extends Error {}

/**
 * Point the openapi document's schema refs at the release's own `./schemas/` instead of the repo's
 * `../schemas/`, so the folder is self-contained.
 */
export function rewriteSchemaRefs(openapiYaml: string): string {
  return openapiYaml.replace(/(\$ref["']?\s*:\s*["']?)\.\.\/schemas\//g, '$1./schemas/');
}

/** Copy the live spec into `<releasesDir>/<version>/` and verify the copy. */
export async function releaseSpec(options: ReleaseOptions): Promise<ReleaseResult> {
  const { specDir, schemasDir, releasesDir } = options;
  const openapiPath = join(specDir, 'openapi.yaml');
  const requirementsPath = join(specDir, 'requirements.json');
  for (const required of [openapiPath, requirementsPath, join(specDir, 'SPEC.md')]) {
    if (!existsSync(required)) {
      throw new ReleaseError(
        `${required} does not exist${required === requirementsPath ? ' (run npm run generate)' : ''}`,
      );
    }
  }
  const openapiText = readFileSync(openapiPath, 'utf8');
  const version = String((parse(openapiText) as { info?: { version?: unknown } })?.info?.version ?? '');
  if (!/^\d+\.\d+$/.test(version))
    throw new ReleaseError(`${openapiPath}: info.version "${version}" is not MAJOR.MINOR`);
  const catalogue = JSON.parse(readFileSync(requirementsPath, 'utf8')) as { spec_version?: unknown };
  if (catalogue.spec_version !== undefined && catalogue.spec_version !== version) {
    throw new ReleaseError(
      `${requirementsPath} is for spec ${String(catalogue.spec_version)}, openapi.yaml for ${version} (run npm run generate)`,
    );
  }

  const target = join(releasesDir, version);
  if (existsSync(target) && !options.force) {
    throw new ReleaseError(`${target} exists: released versions are immutable (pass --force to replace it)`);
  }
  const staging = join(releasesDir, `.${version}.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'schemas'), { recursive: true });
  try {
    const header = `# OMP ${version} as released: a copy of spec/openapi.yaml whose schema $refs point at ./schemas/.\n`;
    const rewritten = rewriteSchemaRefs(openapiText);
    if (/\$ref["']?\s*:\s*["']?\.\.\//.test(rewritten)) {
      throw new ReleaseError(`${openapiPath} has a $ref outside ../schemas/ that a release cannot carry`);
    }
    writeFileSync(join(staging, 'openapi.yaml'), header + rewritten);
    for (const file of readdirSync(schemasDir).sort()) {
      if (file.endsWith('.schema.json')) copyFileSync(join(schemasDir, file), join(staging, 'schemas', file));
    }
    for (const file of ['requirements.json', 'retired-requirements.json', 'SPEC.md']) {
      if (existsSync(join(specDir, file))) copyFileSync(join(specDir, file), join(staging, file));
    }

    // The copy must be the same spec: any difference means the rewrite or the copy lost something.
    const report = diffSpecs(await loadSpecVersion(specDir), await loadSpecVersion(staging));
    if (report.changes.length > 0) {
      const first = report.changes.slice(0, 5).map((c) => `${c.location}: ${c.message}`);
      throw new ReleaseError(`the release copy differs from the live spec:\n  ${first.join('\n  ')}`);
    }
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const files = [
    ...readdirSync(target).filter((f) => f !== 'schemas'),
    ...readdirSync(join(target, 'schemas')).map((f) => `schemas/${f}`),
  ].sort();
  return { version, dir: target, files };
}
