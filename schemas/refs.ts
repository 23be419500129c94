/**
 * The kit's one JSON Pointer / `$ref` helper: every package that follows a `$ref` (the generators, the spec
 * checks, the conformance runner, the spec differ, the MCP adapter) goes through this module.
 *
 * The hard parts come from @apidevtools/json-schema-ref-parser, the resolver swagger-parser itself uses: its
 * `Pointer.parse` / `Pointer.join` (RFC 6901 `~0`/`~1` escapes plus the URI-fragment percent-decoding that a
 * `$ref` fragment needs) and its resolver plug-in shape. `new URL` (WHATWG) makes references absolute. What is
 * ours is a synchronous walk over documents already in memory: the emitters and checks run on schema maps
 * with no I/O, which ref-parser's own `$Refs.get` only offers after an asynchronous `resolve` of a file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Pointer from '@apidevtools/json-schema-ref-parser/dist/lib/pointer.js';

type Obj = Record<string, unknown>;

const isContainer = (v: unknown): v is Obj | unknown[] => typeof v === 'object' && v !== null;

/** The reference tokens of a JSON Pointer, written plain (`/a/b~1c`) or as a URI fragment (`#/a/b%20c`). */
export function pointerTokens(pointer: string): string[] {
  return Pointer.parse(pointer.startsWith('#') ? pointer : `#${pointer}`);
}

/** The JSON Pointer (URI-fragment form, without `#`) of `tokens`: `['$defs', 'a/b']` → `/$defs/a~1b`. */
export function pointerOf(tokens: readonly string[]): string {
  return Pointer.join('#', [...tokens]).slice(1);
}

/** The value at a JSON Pointer (plain or URI-fragment form) inside `root`; undefined when it is not there. */
export function atPointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const token of pointerTokens(pointer)) {
    if (!isContainer(node) || !Object.hasOwn(node, token)) return undefined;
    node = (node as Obj)[token];
  }
  return node;
}

/** `ref` made absolute against `base` (`''` when `ref` must already be absolute); `doc#` is normalised to `doc`. */
export function absoluteRef(ref: string, base: string): string {
  return new URL(ref, base || undefined).href.replace(/#$/, '');
}

/** The document URI of an absolute reference (everything before `#`). */
export function documentOf(uri: string): string {
  const hash = uri.indexOf('#');
  return hash < 0 ? uri : uri.slice(0, hash);
}

/** A schema found by URI, with the document URI its own relative `$ref`s resolve against. */
export interface Located<T = unknown> {
  schema: T;
  base: string;
}

/**
 * The value at an absolute URI (`https://…/memory.schema.json#/$defs/x`) among documents keyed by `$id`;
 * undefined when the document or the pointer is unknown.
 */
export function schemaAt(docs: ReadonlyMap<string, unknown>, uri: string): Located | undefined {
  const base = documentOf(uri);
  const doc = docs.get(base);
  if (doc === undefined) return undefined;
  const schema = atPointer(doc, uri.slice(base.length));
  return schema === undefined ? undefined : { schema, base };
}

/** The resolver shape @apidevtools/json-schema-ref-parser (and so swagger-parser) accepts under `resolve`. */
export interface RefResolver {
  order: number;
  canRead: (file: { url: string }) => boolean;
  read: (file: { url: string }) => string;
}

/**
 * A resolver serving, from one folder, every schema whose `$id` is an http(s) URL (and any sibling file under
 * the same base URL), so `$id`-relative references never reach the network. The live `schemas/` folder, a
 * released spec's copy and a test fixture all use it: `{ resolve: { omp: schemaDirResolver(dir), http: false } }`.
 */
export function schemaDirResolver(schemasDir: string): RefResolver {
  const byId = new Map<string, string>();
  const bases = new Set<string>();
  for (const file of readdirSync(schemasDir).sort()) {
    if (!file.endsWith('.json')) continue;
    const path = join(schemasDir, file);
    let id: unknown;
    try {
      id = (JSON.parse(readFileSync(path, 'utf8')) as { $id?: unknown }).$id;
    } catch {
      continue; // not JSON: not a schema this resolver can serve
    }
    if (typeof id !== 'string' || !/^https?:\/\//.test(id)) continue;
    byId.set(documentOf(id), path);
    bases.add(id.slice(0, id.lastIndexOf('/') + 1));
  }
  const pathFor = (url: string): string | undefined => {
    const bare = documentOf(url);
    const known = byId.get(bare);
    if (known) return known;
    for (const base of bases) {
      if (!bare.startsWith(base)) continue;
      const name = bare.slice(base.length);
      if (/^[A-Za-z0-9._-]+\.json$/.test(name) && existsSync(join(schemasDir, name)))
        return join(schemasDir, name);
    }
    return undefined;
  };
  return {
    order: 1,
    canRead: (file) => pathFor(file.url) !== undefined,
    read: (file) => {
      const path = pathFor(file.url);
      if (!path) throw new Error(`no schema in ${schemasDir} for ${file.url}`);
      return readFileSync(path, 'utf8');
    },
  };
}
