/**
 * Loads one version of the spec from disk. A version is a folder holding `openapi.yaml` and, optionally,
 * `requirements.json`, `retired-requirements.json` and `SPEC.md`. Its JSON Schemas live either in
 * `<dir>/schemas/` (a self-contained release, `spec/releases/<v>/`) or in `<dir>/../schemas/` (the repo's live
 * layout, `spec/` beside `schemas/`). The openapi document is dereferenced fully offline.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { schemaDir as liveSchemaDir, ompSchemaResolver } from '@omp-kit/schemas';
import { type RefResolver, schemaDirResolver } from './resolver.ts';

/** One requirement of the catalogue, as spec/requirements.json lists it. */
export interface Requirement {
  id: string;
  level: string;
  compliance: string;
  testable: boolean;
  text: string;
  section?: string;
  anchor?: string;
}

/** A dereferenced OpenAPI document; only the parts the diff reads are typed. */
export type OpenApiDocument = Record<string, unknown> & {
  info?: { version?: string };
  paths?: Record<string, Record<string, unknown>>;
  security?: unknown[];
};

/** Everything the diff needs from one version. */
export interface SpecVersion {
  /** As given on the command line. */
  source: string;
  dir: string;
  openapiPath: string;
  /** Folder of the JSON Schemas the openapi document references, when there is one. */
  schemasDir: string | undefined;
  api: OpenApiDocument;
  version: string;
  /** Undefined when the version has no requirements.json. */
  requirements: Requirement[] | undefined;
  /** IDs listed in retired-requirements.json. */
  retired: Set<string>;
  /** Retired IDs → the IDs that replace them (`replaced_by`). */
  replacedBy: Map<string, string[]>;
  /** SPEC.md text, when present. */
  specMarkdown: string | undefined;
}

/** A version that cannot be loaded: the CLI reports it and exits 2. */
export class SpecLoadError extends Error {}

const openapiNames = ['openapi.yaml', 'openapi.yml', 'openapi.json'];

/** Where a version's files are: `path` is a folder or its openapi file. */
export function locateVersion(path: string): {
  dir: string;
  openapiPath: string;
  schemasDir: string | undefined;
} {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new SpecLoadError(`${path}: no such file or folder`);
  let dir = abs;
  let openapiPath: string | undefined;
  if (statSync(abs).isFile()) {
    dir = dirname(abs);
    openapiPath = abs;
  } else {
    openapiPath = openapiNames.map((n) => join(abs, n)).find((p) => existsSync(p));
  }
  if (!openapiPath) throw new SpecLoadError(`${path}: no openapi.yaml in this folder`);
  const schemasDir = [join(dir, 'schemas'), join(dir, '..', 'schemas')].find(
    (p) => existsSync(p) && statSync(p).isDirectory(),
  );
  return { dir, openapiPath, schemasDir };
}

/** The resolver for a schemas folder: the shared one for the live `schemas/`, an equivalent one elsewhere. */
export function resolverFor(schemasDir: string | undefined): RefResolver | undefined {
  if (!schemasDir) return undefined;
  if (realpathSync(schemasDir) === realpathSync(liveSchemaDir)) return ompSchemaResolver;
  return schemaDirResolver(schemasDir);
}

/** Dereference an openapi document offline: schema `$id` URLs are served from `schemasDir`, http is off. */
export async function dereference(
  openapiPath: string,
  schemasDir: string | undefined,
): Promise<OpenApiDocument> {
  const resolver = resolverFor(schemasDir);
  const options = { resolve: { ...(resolver ? { omp: resolver } : {}), http: false } };
  try {
    // swagger-parser's option type does not know custom resolvers; the ref-parser underneath does.
    const api = await SwaggerParser.dereference(openapiPath, options as unknown as SwaggerParser.Options);
    return api as unknown as OpenApiDocument;
  } catch (error) {
    throw new SpecLoadError(`${openapiPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SpecLoadError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The requirement list of a requirements.json: `{ requirements: [...] }` or a bare array. */
export function parseRequirements(value: unknown, path: string): Requirement[] {
  const list = Array.isArray(value) ? value : (value as { requirements?: unknown })?.requirements;
  if (!Array.isArray(list)) throw new SpecLoadError(`${path}: expected { "requirements": [...] }`);
  return list.map((r, i) => {
    const item = r as Partial<Requirement>;
    if (typeof item?.id !== 'string' || typeof item.level !== 'string') {
      throw new SpecLoadError(`${path}: requirements[${i}] has no string id and level`);
    }
    return {
      ...item,
      id: item.id,
      level: item.level,
      compliance: String(item.compliance ?? ''),
      testable: item.testable !== false,
      text: String(item.text ?? ''),
    };
  });
}

/** The `replaced_by` IDs of each retired entry that names them. */
function parseReplacements(value: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!Array.isArray(value)) return out;
  for (const item of value) {
    const e = item as { id?: unknown; replaced_by?: unknown };
    if (typeof e?.id === 'string' && Array.isArray(e.replaced_by) && e.replaced_by.length > 0)
      out.set(
        e.id,
        e.replaced_by.filter((r): r is string => typeof r === 'string'),
      );
  }
  return out;
}

/** IDs of a retired-requirements.json: an array of IDs or of `{ id }` objects. */
function parseRetired(value: unknown): Set<string> {
  const list = Array.isArray(value) ? value : (value as { requirements?: unknown })?.requirements;
  const ids = new Set<string>();
  if (Array.isArray(list)) {
    for (const item of list) {
      const id = typeof item === 'string' ? item : (item as { id?: unknown })?.id;
      if (typeof id === 'string') ids.add(id);
    }
  }
  return ids;
}

/** Load one version: dereferenced openapi, requirement catalogue, retired IDs and SPEC.md, whichever exist. */
export async function loadSpecVersion(path: string): Promise<SpecVersion> {
  const { dir, openapiPath, schemasDir } = locateVersion(path);
  const api = await dereference(openapiPath, schemasDir);
  const requirementsPath = join(dir, 'requirements.json');
  const retiredPath = join(dir, 'retired-requirements.json');
  const specPath = join(dir, 'SPEC.md');
  return {
    source: path,
    dir,
    openapiPath,
    schemasDir,
    api,
    version: String(api.info?.version ?? '?'),
    requirements: existsSync(requirementsPath)
      ? parseRequirements(readJson(requirementsPath), requirementsPath)
      : undefined,
    retired: existsSync(retiredPath) ? parseRetired(readJson(retiredPath)) : new Set(),
    replacedBy: existsSync(retiredPath) ? parseReplacements(readJson(retiredPath)) : new Map(),
    specMarkdown: existsSync(specPath) ? readFileSync(specPath, 'utf8') : undefined,
  };
}
