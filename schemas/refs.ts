/**
 * The kit's one JSON Pointer / `$ref` helper: every package that follows a `$ref` (the generators, the spec
 * checks, the conformance runner, the spec differ, the MCP adapter) goes through this module.
 *
 * Resolution across documents is @apidevtools/json-schema-ref-parser's job wherever files are read (swagger-parser
 * and the MCP adapter use it, with `schemaDirResolver` below as its offline plug-in). This module covers what is
 * left: synchronous lookups in documents already in memory (the emitters and the checks work on schema maps with
 * no I/O; ref-parser's `$Refs.get` only exists after an asynchronous `resolve` of a file). The pointer code is
 * ours, not ref-parser's `Pointer` class, for one reason: ref-parser 16 declares Node >= 22.19, and
 * @omp-kit/schemas is a runtime dependency of the runner, which supports Node 20. It is RFC 6901 (`~0`/`~1`)
 * plus RFC 3986 percent-encoding for the URI-fragment form, and schemas/test/refs.test.ts checks it against
 * ref-parser's `Pointer.parse`/`Pointer.join` token for token. URIs are made absolute with WHATWG `URL`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Obj = Record<string, unknown>;

const isContainer = (v: unknown): v is Obj | unknown[] => typeof v === 'object' && v !== null;

/**
 * The reference tokens of a JSON Pointer: plain (`/a/b~1c`, RFC 6901 §3) or in URI-fragment form (`#/a/b%20c`,
 * §6: percent-decoded first, as a `$ref` fragment must be). Throws on a pointer that does not start with `/`.
 */
export function pointerTokens(pointer: string): string[] {
  const text = pointer.startsWith('#') ? percentDecode(pointer.slice(1)) : pointer;
  if (text === '') return [];
  if (!text.startsWith('/')) throw new Error(`invalid JSON Pointer ${JSON.stringify(pointer)}`);
  return text
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Percent-decoding that keeps a stray `%` (not followed by two hex digits) literal, as ref-parser does. */
function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return decodeURIComponent(text.replace(/%(?![\dA-F]{2})/gi, '%25'));
  }
}

/** The plain JSON Pointer of `tokens`: `['$defs', 'a/b']` → `/$defs/a~1b`. */
export function pointerOf(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The URI fragment (with `#`) of `tokens`, percent-encoded where RFC 3986 requires: `['x y']` → `#/x%20y`. */
export function fragmentOf(tokens: readonly string[]): string {
  return `#${pointerOf(tokens).replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?]/gu, (c) => encodeURIComponent(c))}`;
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
