/**
 * JSON Schema (2020-12, the subset OMP's schemas use) -> Python type expressions and TypedDict declarations.
 *
 * - A titled schema (a document or a `$defs` entry listed in the model's `types`) is referenced by its name.
 * - An object with `properties` becomes a TypedDict: required members plain, the others `NotRequired[...]`.
 *   Nullable and optional stay distinct: `X | None` is "may be null", `NotRequired[X]` is "may be absent".
 * - An inline object is declared as its own TypedDict named after where it sits (`ExportFile` + `server`
 *   -> `ExportFileServer`); so is a `$ref` with sibling keywords that reshape it (Memory's `source`, whose
 *   `timestamp` is required, becomes `MemorySource`), since a TypedDict cannot tighten an inherited member.
 * - enum/const -> `Literal[...]`, anyOf/oneOf and type lists -> unions, arrays -> `list[...]` (or
 *   `Sequence[...]` for arguments), objects without properties -> `dict[str, Any]`.
 */
import { absoluteRef, schemaAt } from '@omp-kit/schemas';
import type { TypeRef } from '../model.ts';
import { isPyIdentifier, pyClass, pyLiteral } from './py-syntax.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One member of a TypedDict. */
export interface PyField {
  name: string;
  /** Python type expression (unquoted). */
  type: string;
  required: boolean;
  description: string;
}

/** A declaration of models.py. */
export type PyDecl =
  | { kind: 'typeddict'; name: string; description: string; fields: PyField[] }
  | { kind: 'alias'; name: string; description: string; type: string };

/** How arrays are spelled: `list` in models, `Sequence` for method arguments (accepts tuples too). */
export type ArrayStyle = 'list' | 'Sequence';

/** Keywords that only document a schema; a `$ref` whose other siblings are all of these is the bare type. */
const annotationKeys = new Set([
  '$ref',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
]);
/** Keywords that only constrain values, which Python's types do not express. */
const reshapingKeys = new Set(['properties', 'required', 'additionalProperties']);

/** Converts schemas to Python types, collecting the TypedDicts and aliases it needs. */
export class PyTypes {
  readonly #docs: ReadonlyMap<string, Obj>;
  readonly #named = new Map<string, string>();
  readonly #decls = new Map<string, PyDecl>();
  /** Inline declarations in progress, so a recursive inline schema cannot loop. */
  readonly #pending = new Set<string>();

  constructor(schemas: ReadonlyMap<string, Record<string, unknown>>, types: readonly TypeRef[]) {
    this.#docs = schemas;
    for (const t of types) this.#named.set(t.uri, t.name);
    for (const t of types) this.declareNamed(t);
  }

  /** Every declaration, sorted by name (the order of models.py). */
  declarations(): PyDecl[] {
    return [...this.#decls.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The name of the named type at `uri`. */
  nameOf(uri: string): string | undefined {
    return this.#named.get(uri);
  }

  /** The schema at an absolute URI and the document URI its refs resolve against. */
  resolve(uri: string): { schema: Obj; base: string } {
    const found = schemaAt(this.#docs, uri);
    if (!found || !isObj(found.schema)) throw new Error(`python types: cannot resolve ${uri}`);
    return { schema: found.schema, base: found.base };
  }

  /** The object schema (properties, required) a schema describes, following `$ref`s and merging siblings. */
  objectShape(
    schema: unknown,
    base: string,
  ): { properties: Obj; required: string[]; base: string } | undefined {
    if (!isObj(schema)) return undefined;
    if (typeof schema.$ref === 'string') {
      const uri = absoluteRef(schema.$ref, base);
      const t = this.resolve(uri);
      const inner = this.objectShape(t.schema, t.base);
      if (!inner) return undefined;
      const own = isObj(schema.properties) ? schema.properties : {};
      const req = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      return {
        properties: { ...inner.properties, ...own },
        required: [...new Set([...inner.required, ...req])],
        base: inner.base,
      };
    }
    if (!isObj(schema.properties)) return undefined;
    return {
      properties: schema.properties,
      required: Array.isArray(schema.required) ? (schema.required as string[]) : [],
      base,
    };
  }

  /** The Python type of `schema` (refs relative to `base`); `hint` names an inline object's TypedDict. */
  typeOf(schema: unknown, base: string, hint: string, arrays: ArrayStyle = 'list'): string {
    if (schema === true || schema === undefined) return 'Any';
    if (schema === false) return 'NoReturn';
    if (!isObj(schema)) throw new Error(`python types: ${hint}: not a schema`);
    if (typeof schema.$ref === 'string') {
      const uri = absoluteRef(schema.$ref, base);
      const siblings = Object.keys(schema).filter((k) => !annotationKeys.has(k));
      if (siblings.some((k) => reshapingKeys.has(k))) return this.#inlineObject(schema, base, hint);
      const name = this.#named.get(uri);
      if (name) return name;
      const t = this.resolve(uri);
      return this.typeOf(t.schema, t.base, hint, arrays);
    }
    if ('const' in schema) return `Literal[${pyLiteral(schema.const)}]`;
    if (Array.isArray(schema.enum)) return `Literal[${schema.enum.map(pyLiteral).join(', ')}]`;
    const alternatives = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
    if (Array.isArray(alternatives)) {
      return union(
        alternatives.map((s, i) => this.typeOf(s, base, `${hint}${i === 0 ? '' : i + 1}`, arrays)),
      );
    }
    const type = schema.type;
    if (Array.isArray(type)) {
      return union(type.map((t) => this.typeOf({ ...schema, type: t }, base, hint, arrays)));
    }
    switch (type) {
      case 'string':
        return 'str';
      case 'integer':
        return 'int';
      case 'number':
        return 'float';
      case 'boolean':
        return 'bool';
      case 'null':
        return 'None';
      case 'array': {
        const item =
          schema.items === undefined ? 'Any' : this.typeOf(schema.items, base, `${hint}Item`, arrays);
        return `${arrays}[${item}]`;
      }
      case 'object':
        return this.#objectType(schema, base, hint);
      case undefined:
        return isObj(schema.properties) ? this.#objectType(schema, base, hint) : 'Any';
      default:
        throw new Error(`python types: ${hint}: unsupported type ${String(type)}`);
    }
  }

  #objectType(schema: Obj, base: string, hint: string): string {
    if (isObj(schema.properties)) return this.#inlineObject(schema, base, hint);
    const extra = schema.additionalProperties;
    if (isObj(extra)) return `dict[str, ${this.typeOf(extra, base, `${hint}Value`)}]`;
    return 'dict[str, Any]';
  }

  /** Declare the TypedDict of an inline (or reshaped) object schema under `name` and return the name. */
  #inlineObject(schema: Obj, base: string, name: string): string {
    if (this.#decls.has(name) || this.#pending.has(name)) {
      if (this.#pending.has(name) || this.#decls.get(name)?.kind === 'typeddict') return name;
      throw new Error(`python types: inline type ${name} collides with a named type`);
    }
    const shape = this.objectShape(schema, base);
    if (!shape) throw new Error(`python types: ${name}: not an object schema`);
    this.#pending.add(name);
    const description =
      typeof schema.description === 'string'
        ? schema.description
        : typeof schema.$ref === 'string'
          ? describe(this.resolve(absoluteRef(schema.$ref, base)).schema)
          : '';
    const decl: PyDecl = { kind: 'typeddict', name, description, fields: this.#fields(shape, name) };
    this.#pending.delete(name);
    this.#decls.set(name, decl);
    return name;
  }

  #fields(shape: { properties: Obj; required: string[]; base: string }, owner: string): PyField[] {
    return Object.entries(shape.properties).map(([prop, s]) => ({
      name: prop,
      type: this.typeOf(s, shape.base, owner + pyClass(prop.split(/[^A-Za-z0-9]+/).filter(Boolean))),
      required: shape.required.includes(prop),
      description: isObj(s) ? describe(s) : '',
    }));
  }

  /** Declare a named type: a TypedDict for an object with properties, else an alias. */
  declareNamed(t: TypeRef): void {
    const { schema, base } = this.resolve(t.uri);
    const description = describe(schema);
    const shape = !('anyOf' in schema) && !('oneOf' in schema) ? this.objectShape(schema, base) : undefined;
    if (shape) {
      this.#pending.add(t.name);
      const fields = this.#fields(shape, t.name);
      this.#pending.delete(t.name);
      this.#decls.set(t.name, { kind: 'typeddict', name: t.name, description, fields });
      return;
    }
    // Not via typeOf(schema-with-$ref): that would answer with the type's own name.
    const type =
      typeof schema.$ref === 'string' && !Object.keys(schema).some((k) => reshapingKeys.has(k))
        ? this.typeOf({ $ref: schema.$ref }, base, t.name)
        : this.typeOf(schema, base, t.name);
    this.#decls.set(t.name, { kind: 'alias', name: t.name, description, type });
  }
}

/** `A | B | None` from alternatives: duplicates dropped, None last. */
function union(types: string[]): string {
  const seen = [...new Set(types.flatMap((t) => splitUnion(t)))];
  const noneLast = [...seen.filter((t) => t !== 'None'), ...seen.filter((t) => t === 'None')];
  return noneLast.join(' | ');
}

/** Top-level members of a union expression (brackets respected). */
function splitUnion(t: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < t.length; i++) {
    const c = t[i] as string;
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (depth === 0 && t.startsWith(' | ', i)) {
      out.push(cur);
      cur = '';
      i += 2;
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

function describe(schema: Obj): string {
  return typeof schema.description === 'string' ? schema.description : '';
}

/** True when every field name can be a class-syntax TypedDict member. */
export function classSyntaxFits(fields: readonly PyField[]): boolean {
  return fields.every((f) => isPyIdentifier(f.name));
}
