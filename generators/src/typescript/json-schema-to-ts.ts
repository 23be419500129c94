/**
 * A small, deterministic JSON Schema (2020-12, the subset OMP uses) to TypeScript emitter.
 * Input: schema documents (each with an absolute `$id`); output: a string. It knows nothing about file
 * locations, so the schema types (schemas/generated/types.ts) and the TypeScript SDK share it.
 *
 * Named types: every document's `title` and every `$defs` entry's `title`. A `$ref` to a named schema emits
 * the name; a `$ref` to an unnamed schema inlines it. Unsupported keywords (patterns, bounds, if/then, contains)
 * constrain values, not shapes, and are left to runtime validation.
 *
 * Why ours and not a library (principle 7; evaluated on these schemas, json-schema-to-typescript 16.0.0 and
 * openapi-typescript 7.13.0 from the registry, against spec/dist/openapi.json for the latter):
 * - json-schema-to-typescript clones every `$ref` that has a sibling keyword, so the public names drift:
 *   `Timestamp1`…`Timestamp3`, `Tags1`/`Tags2`, `Metadata1`, `MemoryType1`, `SpecVersion1`, `SearchMode1`; and
 *   `memory.source` (`$ref` + `required: [tool, timestamp]`) becomes a new `Source` while the real one is
 *   renamed `Source1`. Its bundled ref-parser ignores `$id`, so the schemas only resolve with a `cwd` override.
 * - openapi-typescript types a free-form object (`metadata`, `error.details`: `type: object` with no
 *   `properties`) as `Record<string, never>`, so users cannot set metadata at all; it drops the `$ref` +
 *   `required` tightening (a stored memory's `source.timestamp` comes out optional); it only knows what the
 *   OpenAPI document reaches (not mcp-tools.schema.json); and it names types as
 *   `components['schemas']['Memory']`, or aliases of those.
 * Ours keeps every title as the one public name, types open objects as `Record<string, unknown>` (or with
 * `[member: string]: unknown`), emits `Required<Pick<…>>` for `$ref` + `required`, copies `description`,
 * `default` and the SPEC.md `@see` link into JSDoc, renders `enum`/`const` as literal unions and
 * `anyOf [X, null]` as `X | null`. It emits no `readonly`: SDK callers build these objects.
 * Its output is checked by tsc against every schema example (generators/test/json-schema-to-ts.test.ts).
 */
import { absoluteRef, documentOf, schemaAt } from '@omp-kit/schemas';

/** A JSON Schema object (booleans are allowed where a schema is). */
export type JsonSchema = boolean | { [keyword: string]: unknown };

/** Schema documents to emit: a map or record of label -> document; each document needs an absolute `$id`. */
export type SchemaSet = ReadonlyMap<string, object> | Readonly<Record<string, object>>;

/** One named type found in the schema set. */
export interface NamedType {
  name: string;
  /** Absolute URI of the schema: the document `$id`, or `$id#/$defs/<key>`. */
  uri: string;
  schema: Record<string, unknown>;
}

/** Options of `emitTypeScript`. */
export interface EmitOptions {
  /** Text placed before the declarations, e.g. `generatedHeader(...)`. */
  header?: string;
}

/** The emitter bound to one schema set: reusable for single type expressions (SDK parameters, say). */
export interface TypeEmitter {
  /** Named types, sorted by name. */
  readonly namedTypes: readonly NamedType[];
  /** The TypeScript type expression of `schema`, whose `$ref`s resolve against `baseUri`. */
  typeOf(schema: JsonSchema, baseUri: string, indent?: string): string;
  /** The name of the named type at `uri` (absolute), if any. */
  nameOf(uri: string): string | undefined;
  /** `export interface` / `export type` declarations of every named type, sorted by name, with JSDoc. */
  declarations(): string;
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Keywords that say nothing about the shape of a value. */
const annotationKeywords = new Set([
  '$schema',
  '$id',
  '$comment',
  '$anchor',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$defs',
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function documentsOf(schemas: SchemaSet): Record<string, unknown>[] {
  const values = schemas instanceof Map ? [...schemas.values()] : Object.values(schemas);
  return values.map((doc) => {
    if (!isObject(doc) || typeof doc.$id !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(doc.$id)) {
      throw new Error('json-schema-to-ts: every schema document needs an absolute $id');
    }
    return doc;
  });
}

/** A document that only holds `$defs` (and annotations) is a container, not a type. */
function isContainer(doc: Record<string, unknown>): boolean {
  return Object.keys(doc).every((k) => annotationKeywords.has(k));
}

function quoteString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

function literal(v: unknown): string {
  if (typeof v === 'string') return quoteString(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return JSON.stringify(v);
  throw new Error(`json-schema-to-ts: unsupported literal ${JSON.stringify(v)} in const/enum`);
}

function propertyKey(name: string): string {
  return identifier.test(name) ? name : quoteString(name);
}

/** A type that must be parenthesised as an array element or intersection member. */
function needsParens(t: string): boolean {
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '{' || c === '(' || c === '<' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === '>' || c === ']') depth--;
    else if (depth === 0 && (c === '|' || c === '&')) return true;
  }
  return false;
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  if (unique.includes('unknown')) return 'unknown';
  return unique.length === 0 ? 'never' : unique.join(' | ');
}

/** JSDoc lines for a schema: its description, `@default`, and a `@see` link from `$comment`. */
function jsdoc(schema: Record<string, unknown>, indent: string, withSee: boolean): string {
  const lines: string[] = [];
  if (typeof schema.description === 'string') lines.push(...schema.description.split('\n'));
  if ('default' in schema) lines.push(`@default ${JSON.stringify(schema.default)}`);
  if (withSee && typeof schema.$comment === 'string') {
    const url = /\((https?:\/\/[^)\s]+)\)/.exec(schema.$comment)?.[1];
    if (url) lines.push(`@see ${url}`);
  }
  if (lines.length === 0) return '';
  const safe = lines.map((l) => l.replace(/\*\//g, '*\\/').trimEnd());
  if (safe.length === 1) return `${indent}/** ${safe[0]} */\n`;
  return `${indent}/**\n${safe.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)).join('\n')}\n${indent} */\n`;
}

/** Build an emitter over a schema set. Throws on titles that are not identifiers, clashes and dangling refs. */
export function createTypeEmitter(schemas: SchemaSet): TypeEmitter {
  const docs = new Map<string, Record<string, unknown>>();
  for (const doc of documentsOf(schemas)) docs.set(doc.$id as string, doc);

  const byUri = new Map<string, string>();
  const named: NamedType[] = [];
  const addNamed = (name: unknown, uri: string, schema: Record<string, unknown>) => {
    if (typeof name !== 'string' || !identifier.test(name)) {
      throw new Error(
        `json-schema-to-ts: title ${JSON.stringify(name)} of ${uri} is not a TypeScript identifier`,
      );
    }
    const clash = named.find((n) => n.name === name);
    if (clash)
      throw new Error(`json-schema-to-ts: type name ${name} is used by both ${clash.uri} and ${uri}`);
    byUri.set(uri, name);
    named.push({ name, uri, schema });
  };
  for (const [id, doc] of docs) {
    if (!isContainer(doc)) addNamed(doc.title, id, doc);
    if (isObject(doc.$defs)) {
      for (const [key, def] of Object.entries(doc.$defs)) {
        if (isObject(def) && def.title !== undefined) addNamed(def.title, `${id}#/$defs/${key}`, def);
      }
    }
  }
  named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const target = (uri: string): { schema: JsonSchema; base: string } => {
    if (!docs.has(documentOf(uri)))
      throw new Error(`json-schema-to-ts: $ref to unknown document ${documentOf(uri)}`);
    const found = schemaAt(docs, uri);
    if (!found) throw new Error(`json-schema-to-ts: cannot resolve $ref ${uri}`);
    if (typeof found.schema !== 'boolean' && !isObject(found.schema))
      throw new Error(`json-schema-to-ts: $ref ${uri} is not a schema`);
    return { schema: found.schema as JsonSchema, base: found.base };
  };

  const refType = (ref: string, base: string, indent: string, seen: Set<string>): string => {
    const uri = absoluteRef(ref, base);
    const name = byUri.get(uri);
    if (name) return name;
    if (seen.has(uri))
      throw new Error(`json-schema-to-ts: unnamed recursive schema at ${uri}; give it a title`);
    const t = target(uri);
    return typeOf(t.schema, t.base, indent, new Set([...seen, uri]));
  };

  const objectType = (
    s: Record<string, unknown>,
    base: string,
    indent: string,
    seen: Set<string>,
  ): string => {
    const props = isObject(s.properties) ? s.properties : {};
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    const names = Object.keys(props);
    const extra = s.additionalProperties ?? (isObject(s.patternProperties) ? {} : true);
    if (names.length === 0) {
      if (extra === false) return 'Record<string, never>';
      const valueType = extra === true ? 'unknown' : typeOf(extra as JsonSchema, base, indent, seen);
      return `Record<string, ${valueType}>`;
    }
    const inner = `${indent}  `;
    let out = '{\n';
    for (const name of names) {
      const ps = props[name] as JsonSchema;
      if (isObject(ps)) out += jsdoc(ps, inner, false);
      out += `${inner}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${typeOf(ps, base, inner, seen)};\n`;
    }
    // An open object keeps its declared members and admits any other member.
    if (extra !== false) out += `${inner}[member: string]: unknown;\n`;
    return `${out}${indent}}`;
  };

  const byType = (
    t: string,
    s: Record<string, unknown>,
    base: string,
    indent: string,
    seen: Set<string>,
  ): string => {
    switch (t) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'array': {
        const items = s.items === undefined ? 'unknown' : typeOf(s.items as JsonSchema, base, indent, seen);
        return needsParens(items) ? `(${items})[]` : `${items}[]`;
      }
      case 'object':
        return objectType(s, base, indent, seen);
      default:
        throw new Error(`json-schema-to-ts: unknown type ${JSON.stringify(t)}`);
    }
  };

  const typeOf = (schema: JsonSchema, base: string, indent = '', seen: Set<string> = new Set()): string => {
    if (schema === true) return 'unknown';
    if (schema === false) return 'never';
    const s = schema;
    const parts: string[] = [];

    if (typeof s.$ref === 'string') {
      const ref = refType(s.$ref, base, indent, seen);
      const refName = needsParens(ref) ? `(${ref})` : ref;
      parts.push(refName);
      // `$ref` beside `required` tightens the referenced object (memory.source requires `timestamp`).
      if (Array.isArray(s.required) && s.required.length > 0) {
        const keys = (s.required as string[]).map(quoteString).join(' | ');
        parts.push(`Required<Pick<${refName}, ${keys}>>`);
      }
    }
    if ('const' in s) parts.push(literal(s.const));
    else if (Array.isArray(s.enum)) parts.push(union(s.enum.map(literal)));
    for (const combinator of ['anyOf', 'oneOf'] as const) {
      const members = s[combinator];
      if (Array.isArray(members))
        parts.push(union(members.map((m) => typeOf(m as JsonSchema, base, indent, seen))));
    }
    if (Array.isArray(s.allOf))
      for (const m of s.allOf) parts.push(typeOf(m as JsonSchema, base, indent, seen));

    // `type` (or object/array keywords without it) only adds information when nothing above fixed the shape,
    // or when it describes members (properties) the other parts do not.
    const declared = Array.isArray(s.type)
      ? (s.type as string[])
      : typeof s.type === 'string'
        ? [s.type]
        : [];
    const implied = declared.length === 0 && (isObject(s.properties) || s.additionalProperties !== undefined);
    const types = implied ? ['object'] : declared;
    const shapeFixed = parts.length > 0;
    const describesMembers = isObject(s.properties) && !s.$ref;
    if (types.length > 0 && (!shapeFixed || describesMembers)) {
      parts.push(union(types.map((t) => byType(t, s, base, indent, seen))));
    }

    if (parts.length === 0) return 'unknown';
    if (parts.length === 1) return parts[0] as string;
    return parts.map((p) => (needsParens(p) ? `(${p})` : p)).join(' & ');
  };

  const declarations = (): string => {
    const blocks = named.map(({ name, uri, schema }) => {
      const base = uri.split('#')[0] as string;
      const body = typeOf(schema, base, '', new Set([uri]));
      const doc = jsdoc(schema, '', true);
      const isInterface = body.startsWith('{\n') && !needsParens(body);
      return isInterface
        ? `${doc}export interface ${name} ${body}\n`
        : `${doc}export type ${name} = ${body};\n`;
    });
    return blocks.join('\n');
  };

  return {
    namedTypes: named,
    typeOf: (schema, baseUri, indent = '') => typeOf(schema, baseUri, indent),
    nameOf: (uri) => byUri.get(uri.replace(/#$/, '')),
    declarations,
  };
}

/** Emit one TypeScript module declaring every named type of the schema set (deterministic output). */
export function emitTypeScript(schemas: SchemaSet, options: EmitOptions = {}): string {
  const body = createTypeEmitter(schemas).declarations();
  return options.header ? `${options.header}\n${body}` : body;
}
