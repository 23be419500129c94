/**
 * The normative OMP JSON Schemas, loaded from this folder, and one ajv instance that knows all of them.
 * Every package validates with this module so no shape is ever restated elsewhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { type RefResolver, schemaDirResolver } from './refs.ts';

export {
  absoluteRef,
  atPointer,
  documentOf,
  fragmentOf,
  type Located,
  pointerOf,
  pointerTokens,
  type RefResolver,
  schemaAt,
  schemaDirResolver,
} from './refs.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** Folder holding the `*.schema.json` files: this one in the repository, the package root when built to dist/. */
export const schemaDir: string = basename(here) === 'dist' ? dirname(here) : here;

/** Base URI shared by every schema's `$id`. */
export const schemaBaseUri = 'https://openmemoryprotocol.org/schemas/0.4/';

/** A JSON Schema document as loaded from disk. */
export type SchemaDocument = Record<string, unknown> & { $id: string; title?: string; examples?: unknown[] };

/** Schema file names, without the `.schema.json` suffix, e.g. `memory`, `create-request`. */
export type SchemaName =
  | 'ai-result'
  | 'bulk-delete-request'
  | 'bulk-delete-result'
  | 'compress-request'
  | 'create-request'
  | 'defs'
  | 'error'
  | 'export-file'
  | 'export-item'
  | 'extract-request'
  | 'health'
  | 'import-result'
  | 'list-response'
  | 'mcp-tools'
  | 'memory'
  | 'memory-type'
  | 'principal'
  | 'search-request'
  | 'search-response'
  | 'source'
  | 'update-request'
  | 'memory-state'
  | 'state-change-request'
  | 'state-history'
  | 'bulk-state-request'
  | 'bulk-state-result'
  | 'app'
  | 'app-list'
  | 'app-update-request'
  | 'access-rule'
  | 'access-log-entry'
  | 'access-log-page'
  | 'stats'
  | 'category-suggest-request'
  | 'category-suggest-result';

let cache: Map<string, SchemaDocument> | undefined;

/** Every schema document, keyed by file name without suffix; read once per process. */
export function loadSchemas(): Map<string, SchemaDocument> {
  cache ??= loadSchemasFrom(schemaDir);
  return cache;
}

/** Every `*.schema.json` document of a folder (this one, or a released version's copy), keyed by name. */
export function loadSchemasFrom(dir: string): Map<string, SchemaDocument> {
  const out = new Map<string, SchemaDocument>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.schema.json')) continue;
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as SchemaDocument;
    out.set(file.slice(0, -'.schema.json'.length), doc);
  }
  return out;
}

/** One schema document by name; throws on an unknown name. */
export function getSchema(name: SchemaName | (string & {})): SchemaDocument {
  const doc = loadSchemas().get(name);
  if (!doc) throw new Error(`unknown OMP schema: ${name}`);
  return doc;
}

/** The `$id` of a schema, e.g. for `$ref` or `ajv.getSchema`. */
export function schemaId(name: SchemaName | (string & {})): string {
  return getSchema(name).$id;
}

/**
 * A fresh strict-mode ajv (2020-12, formats) with every OMP schema added, compiled lazily by `$id`; `schemas`
 * gives another set (a released version's, see `validatorIn`).
 */
export function createAjv(
  options: { allErrors?: boolean; schemas?: ReadonlyMap<string, SchemaDocument> } = {},
): Ajv2020 {
  // strictRequired is off because tightening a referenced schema (`$ref` beside `required`, as memory.source
  // does) is idiomatic 2020-12; every other strict-mode rule is on.
  const ajv = new Ajv2020({
    strict: true,
    strictRequired: false,
    allErrors: options.allErrors ?? true,
    allowUnionTypes: true,
  });
  // ajv-formats is CommonJS whose typings describe `exports.default`; at run time the import is the plugin.
  (formatsPlugin as unknown as (a: Ajv2020) => void)(ajv);
  for (const doc of (options.schemas ?? loadSchemas()).values()) ajv.addSchema(doc);
  return ajv;
}

let shared: Ajv2020 | undefined;

/** The compiled validator for one schema, from a process-wide ajv; compiled once, then cached by ajv. */
export function validatorFor(name: SchemaName | (string & {})): ValidateFunction {
  shared ??= createAjv();
  const fn = shared.getSchema(schemaId(name));
  if (!fn) throw new Error(`OMP schema did not compile: ${name}`);
  return fn;
}

const folders = new Map<string, { ajv: Ajv2020; docs: Map<string, SchemaDocument> }>();

/**
 * The compiled validator for one schema of another folder of schemas, such as a released version's copy
 * (`spec/releases/0.3/schemas`), for judging a server that implements that version; one ajv per folder.
 */
export function validatorIn(dir: string, name: SchemaName | (string & {})): ValidateFunction {
  let f = folders.get(dir);
  if (!f) {
    const docs = loadSchemasFrom(dir);
    f = { ajv: createAjv({ schemas: docs }), docs };
    folders.set(dir, f);
  }
  const doc = f.docs.get(name);
  if (!doc) throw new Error(`unknown OMP schema in ${dir}: ${name}`);
  const fn = f.ajv.getSchema(doc.$id);
  if (!fn) throw new Error(`OMP schema did not compile: ${dir}/${name}`);
  return fn;
}

/** One violation, as the error envelope's `details.errors` carries it (SPEC.md §9.2). */
export interface Violation {
  path: string;
  message: string;
}

/** Turn ajv errors into envelope violations: JSON Pointer paths, required members named in the path. */
export function toViolations(errors: readonly ErrorObject[] | null | undefined, prefix = ''): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let path = prefix + e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path += `/${(e.params as { missingProperty: string }).missingProperty}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path += `/${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not allowed here (unknown or read-only member)';
    } else if (e.keyword === 'anyOf' || e.keyword === 'if') {
      continue; // the branch errors already say what is wrong
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: path || '/', message });
  }
  return out;
}

/** Local file path for a URI under the schemas' `$id` base, or undefined for any other URI. */
export function localSchemaPath(uri: string): string | undefined {
  if (!uri.startsWith(schemaBaseUri)) return undefined;
  const file = uri.slice(schemaBaseUri.length).split('#')[0] ?? '';
  return /^[a-z0-9-]+\.schema\.json$/.test(file) ? join(schemaDir, file) : undefined;
}

let folderResolver: RefResolver | undefined;
/** The resolver of this folder, built on first use (it reads every schema's `$id`). */
const folder = (): RefResolver => {
  folderResolver ??= schemaDirResolver(schemaDir);
  return folderResolver;
};

/**
 * A resolver for @apidevtools/json-schema-ref-parser (and so swagger-parser): it serves `$id`-relative refs
 * (`https://openmemoryprotocol.org/schemas/<version>/*.schema.json`) from this folder, so tools never hit the
 * network. Use as `{ resolve: { omp: ompSchemaResolver, http: false } }`; `schemaDirResolver` does the same for
 * another folder (a released spec's copy, a scratch tree).
 */
export const ompSchemaResolver: RefResolver = {
  order: 1,
  canRead: (file) => folder().canRead(file),
  read: (file) => folder().read(file),
};
