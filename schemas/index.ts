/**
 * The normative OMP JSON Schemas, loaded from this folder, and one ajv instance that knows all of them.
 * Every package validates with this module so no shape is ever restated elsewhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';

const here = dirname(fileURLToPath(import.meta.url));
/** Folder holding the `*.schema.json` files: this one in the repository, the package root when built to dist/. */
export const schemaDir: string = basename(here) === 'dist' ? dirname(here) : here;

/** Base URI shared by every schema's `$id`. */
export const schemaBaseUri = 'https://openmemoryprotocol.org/schemas/0.3/';

/** A JSON Schema document as loaded from disk. */
export type SchemaDocument = Record<string, unknown> & { $id: string; title?: string; examples?: unknown[] };

/** Schema file names, without the `.schema.json` suffix, e.g. `memory`, `create-request`. */
export type SchemaName =
  | 'ai-result'
  | 'compress-request'
  | 'create-request'
  | 'defs'
  | 'error'
  | 'export-file'
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
  | 'update-request';

let cache: Map<string, SchemaDocument> | undefined;

/** Every schema document, keyed by file name without suffix; read once per process. */
export function loadSchemas(): Map<string, SchemaDocument> {
  if (cache) return cache;
  cache = new Map();
  for (const file of readdirSync(schemaDir).sort()) {
    if (!file.endsWith('.schema.json')) continue;
    const doc = JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as SchemaDocument;
    cache.set(file.slice(0, -'.schema.json'.length), doc);
  }
  return cache;
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

/** A fresh strict-mode ajv (2020-12, formats) with every OMP schema added, compiled lazily by `$id`. */
export function createAjv(options: { allErrors?: boolean } = {}): Ajv2020 {
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
  for (const doc of loadSchemas().values()) ajv.addSchema(doc);
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

/**
 * A resolver for @apidevtools/json-schema-ref-parser (and so swagger-parser): it serves `$id`-relative refs
 * (`https://openmemoryprotocol.org/schemas/0.3/*.schema.json`) from this folder, so tools never hit the network.
 * Use as `{ resolve: { omp: ompSchemaResolver } }`.
 */
export const ompSchemaResolver = {
  order: 1,
  canRead: (file: { url: string }): boolean => localSchemaPath(file.url) !== undefined,
  read: (file: { url: string }): string => readFileSync(localSchemaPath(file.url)!, 'utf8'),
};
