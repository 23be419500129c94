/**
 * The five tools' schemas, taken from `schemas/mcp-tools.schema.json` (SPEC.md §13.2) and never restated:
 * - wire schemas: each tool's `…Input` and `…Result` def with every `$ref` resolved into one self-contained
 *   object, as `tools/list` must serve them (MCP clients do not fetch `$ref`s);
 * - validators: ajv functions compiled from the original, `$ref`-ing schemas, so validation is exactly
 *   what the normative files say.
 */
import { $RefParser } from '@apidevtools/json-schema-ref-parser';
import { createAjv, getSchema, ompSchemaResolver, type SchemaName, schemaId } from '@omp-kit/schemas';
import type { ValidateFunction } from 'ajv';
import { TOOL_NAMES, type ToolName } from './names.ts';

/** A JSON Schema object as served in `tools/list`. */
export type JsonSchemaObject = { type: 'object'; [key: string]: unknown };

/**
 * Where each tool's schemas live in mcp-tools: its input (`…Input`), its success output (a `$defs` member or a
 * whole schema) and its result (`…Result`: the success output or the error envelope), which is what the tool
 * declares as `outputSchema` (OMP-MCP-008), because clients check error results against it too.
 */
const sources: Record<
  ToolName,
  { input: string; output: { def: string } | { schema: SchemaName }; result: string }
> = {
  add_memories: {
    input: 'addMemoriesInput',
    output: { def: 'addMemoriesOutput' },
    result: 'addMemoriesResult',
  },
  search_memory: {
    input: 'searchMemoryInput',
    output: { schema: 'search-response' },
    result: 'searchMemoryResult',
  },
  list_memories: {
    input: 'listMemoriesInput',
    output: { schema: 'list-response' },
    result: 'listMemoriesResult',
  },
  delete_memories: {
    input: 'deleteMemoriesInput',
    output: { def: 'deleteMemoriesOutput' },
    result: 'deleteMemoriesResult',
  },
  delete_all_memories: {
    input: 'deleteAllMemoriesInput',
    output: { def: 'deleteAllMemoriesOutput' },
    result: 'deleteAllMemoriesResult',
  },
};

/** One tool's schemas: what `tools/list` serves and the validators the call path uses. */
export interface ToolSchemas {
  inputSchema: JsonSchemaObject;
  /** The tool's `…Result` def, resolved: success output or error envelope (what `tools/list` declares). */
  outputSchema: JsonSchemaObject;
  validateInput: ValidateFunction;
  /** The success output alone: what a successful call must return. */
  validateOutput: ValidateFunction;
  /** The `…Result` def: success output or error envelope (every `structuredContent` the tool sends). */
  validateResult: ValidateFunction;
}

// Annotations may sit beside a `$ref` and be merged into the resolved copy; any other sibling keyword is an
// assertion that ref-parser's merge could lose or mangle (it merges arrays such as `required` index by index),
// so such a `$ref` is rewritten to the exactly equivalent `allOf: [{$ref}]` first.
const annotationKeys = new Set(['title', 'description', 'default', 'examples', '$comment', 'deprecated']);
// Keys that only matter inside a schema document (identity, dialect, definitions already inlined).
const documentKeys = new Set(['$schema', '$id', '$comment', '$defs']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Rewrite `{$ref, <assertions>}` into `{allOf: [{$ref}], <assertions>}`, recursively, in place. */
function protectRefSiblings(node: unknown): unknown {
  if (Array.isArray(node)) {
    for (const item of node) protectRefSiblings(item);
  } else if (isObject(node)) {
    for (const value of Object.values(node)) protectRefSiblings(value);
    if (
      typeof node.$ref === 'string' &&
      Object.keys(node).some((k) => k !== '$ref' && !annotationKeys.has(k))
    ) {
      const ref = node.$ref;
      delete node.$ref;
      node.allOf = [{ $ref: ref }, ...(Array.isArray(node.allOf) ? node.allOf : [])];
    }
  }
  return node;
}

/** Drop document-level keys from every subschema of a resolved tree; fail if a `$ref` is left. */
function cleanResolved(node: unknown, path: string): unknown {
  if (Array.isArray(node)) return node.map((item, i) => cleanResolved(item, `${path}/${i}`));
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref') throw new Error(`omp-mcp: unresolved $ref ${String(value)} at ${path}`);
    if (documentKeys.has(key)) continue;
    // `properties` maps member names (not keywords) to schemas: keep every name, clean each schema.
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, cleanResolved(sub, `${path}/properties/${name}`)]),
      );
    } else {
      out[key] = cleanResolved(value, `${path}/${key}`);
    }
  }
  return out;
}

const resolver = {
  ...ompSchemaResolver,
  read: (file: { url: string }): string =>
    JSON.stringify(protectRefSiblings(JSON.parse(ompSchemaResolver.read(file)))),
};

async function resolveDocument(name: SchemaName): Promise<Record<string, unknown>> {
  const doc = protectRefSiblings(structuredClone(getSchema(name))) as Record<string, unknown> & {
    $id: string;
  };
  // ref-parser mutates what it is given and shares resolved objects; the clone and the JSON round trip in
  // cleanResolved keep the cached schema documents untouched.
  const resolved = await $RefParser.dereference(doc.$id, doc, { resolve: { omp: resolver } } as never);
  return resolved as Record<string, unknown>;
}

function asObjectSchema(schema: unknown, where: string): JsonSchemaObject {
  if (!isObject(schema) || schema.type !== 'object')
    throw new Error(`omp-mcp: ${where} is not an object schema`);
  return schema as JsonSchemaObject;
}

let loading: Promise<ReadonlyMap<ToolName, ToolSchemas>> | undefined;

/** Every tool's schemas, resolved and compiled once per process. */
export function loadToolSchemas(): Promise<ReadonlyMap<ToolName, ToolSchemas>> {
  loading ??= build();
  return loading;
}

async function build(): Promise<ReadonlyMap<ToolName, ToolSchemas>> {
  const ajv = createAjv();
  const toolsId = schemaId('mcp-tools');
  const tools = await resolveDocument('mcp-tools');
  const defs = tools.$defs as Record<string, unknown>;
  const compile = (ref: string): ValidateFunction => {
    const fn = ajv.getSchema(ref);
    if (!fn) throw new Error(`omp-mcp: schema ${ref} did not compile`);
    return fn;
  };
  const out = new Map<ToolName, ToolSchemas>();
  for (const name of TOOL_NAMES) {
    const src = sources[name];
    const output = src.output;
    out.set(name, {
      inputSchema: asObjectSchema(cleanResolved(defs[src.input], `#/$defs/${src.input}`), `${name} input`),
      outputSchema: asObjectSchema(
        cleanResolved(defs[src.result], `#/$defs/${src.result}`),
        `${name} result`,
      ),
      validateInput: compile(`${toolsId}#/$defs/${src.input}`),
      validateOutput: compile('def' in output ? `${toolsId}#/$defs/${output.def}` : schemaId(output.schema)),
      validateResult: compile(`${toolsId}#/$defs/${src.result}`),
    });
  }
  return out;
}
