/**
 * JSON Schema (the 2020-12 subset OMP uses) -> Go types, over the model's schema documents.
 *
 * Declared types: every titled schema that is an object with properties (a struct) or a string enum (a
 * named string type with one constant per value); objects, enums and multi-type unions written inline get
 * a type named after their parent and member (health.limits -> HealthLimits). Every other titled schema
 * (Tag, Namespace, Limit, ...) is written as its underlying Go type. A `format: date-time` string is the
 * runtime's `Timestamp`.
 *
 * Members: a required member is a plain field (a pointer when it may be null, so null survives). An
 * optional member carries `omitzero` and is a pointer (nil: absent), so that every value the caller sets
 * is sent as set, even an invalid zero (limit 0 must reach the server and fail, not turn into the default);
 * only a member whose zero value is its schema default (offset 0, delete_originals false) is a plain
 * field, because leaving it out means the same. Slices and maps are nil when absent, so `[]` and `{}` are
 * still sent. An optional member that may be null is a pointer (absent and null mean
 * the same: the schema's default is null, or the server writes null for none), except in the body of a
 * partial update (PUT/PATCH), where absent keeps and null clears: there it is the runtime's `Nullable[T]`.
 */
import { absoluteRef, schemaAt } from '@omp-kit/schemas';
import type { ApiModel, Schema } from '../model.ts';
import { singular, words } from '../names.ts';
import { alignRows, goDoc, goName, goNameOf, goRawString, goString, type Row } from './go-syntax.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Go type of one schema, and what the member rules need to know about it. */
export interface GoType {
  /** Go type expression: `string`, `Timestamp`, `[]Memory`, `map[string]any`, `HealthLimits`. */
  expr: string;
  shape: 'string' | 'int' | 'float' | 'bool' | 'struct' | 'union' | 'slice' | 'map' | 'any';
  /** The schema admits null. */
  nullable: boolean;
  /** The nearest `default` along the `$ref` chain (outer first), if any. */
  default: { value: unknown } | undefined;
  /** The nearest `description` along the `$ref` chain (outer first). */
  description: string | undefined;
}

/** One struct field, ready to print. */
export interface GoField {
  /** JSON member name. */
  json: string;
  name: string;
  type: string;
  required: boolean;
  /** The member's Go type before the member rules (pointer, Nullable) were applied. */
  base: GoType;
  /** `plain`, `pointer` (`*T`) or `nullable` (`Nullable[T]`). */
  wrap: 'plain' | 'pointer' | 'nullable';
  description: string | undefined;
}

/**
 * A Go declaration. `origin` is `schemas/<file>#<fragment>` for a titled schema, else the phrase saying what
 * the inline type is part of ("is the type of the "limits" member of [Health]").
 */
interface StructDecl {
  kind: 'struct';
  name: string;
  schema: Obj;
  base: string;
  origin: string;
  partialUpdate: boolean;
  children: string[];
}
interface EnumDecl {
  kind: 'enum';
  name: string;
  values: string[];
  description: string | undefined;
  origin: string;
}
interface UnionDecl {
  kind: 'union';
  name: string;
  alternatives: { field: string; jsonKind: string; type: GoType }[];
  description: string | undefined;
  origin: string;
  children: string[];
}
type Decl = StructDecl | EnumDecl | UnionDecl;

/** Where an inline type is met: a member of a struct, or an alternative of a union. */
type Where = { parent: string; json: string } | { union: string; field: string };

/** Union field name per JSON type of an alternative, and the byte the runtime's `jsonKind` returns for it. */
const unionKinds: Record<string, { field: string; kind: string } | undefined> = {
  object: { field: 'Object', kind: "'{'" },
  array: { field: 'Array', kind: "'['" },
  string: { field: 'String', kind: "'\"'" },
  integer: { field: 'Number', kind: "'n'" },
  number: { field: 'Number', kind: "'n'" },
  boolean: { field: 'Boolean', kind: "'b'" },
};

/** Keywords that constrain values but not the Go shape; the server validates them. */
const ignored = new Set([
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'title',
  'description',
  'default',
  'examples',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'propertyNames',
  'contains',
  'if',
  'then',
  'else',
  'format',
  'required',
  'additionalProperties',
  'patternProperties',
  'properties',
  'items',
  'type',
  'enum',
  'anyOf',
  '$ref',
  'readOnly',
  'writeOnly',
  'deprecated',
]);

/** The Go declarations of a model's schemas. */
export class GoTypes {
  readonly #docs: ReadonlyMap<string, Obj>;
  /** Absolute URI of a declared titled schema -> its Go name. */
  readonly #named = new Map<string, string>();
  readonly #decls = new Map<string, Decl>();
  /** Where each inline declaration came from, to refuse two different schemas under one name. */
  readonly #inlineKeys = new Map<string, string>();
  readonly #partialUpdates: ReadonlySet<string>;
  #where: Where | undefined;
  /** Inline declarations outside any declared type (e.g. an inline enum of a query parameter). */
  readonly #orphans: string[] = [];

  constructor(model: ApiModel) {
    this.#docs = model.schemas as ReadonlyMap<string, Obj>;
    this.#partialUpdates = new Set(
      model.operations
        .filter((o) => (o.method === 'PUT' || o.method === 'PATCH') && o.body)
        .map((o) => o.body?.type.uri ?? ''),
    );
    for (const t of model.types) {
      const { schema, base } = this.#tightened(t.uri);
      const name = goNameOf(t.name);
      if (isObj(schema.properties) && schema.type === 'object') {
        this.#declare({
          kind: 'struct',
          name,
          schema,
          base,
          origin: origin(t.uri),
          partialUpdate: this.#partialUpdates.has(t.uri),
          children: [],
        });
      } else if (schema.type === 'string' && Array.isArray(schema.enum)) {
        this.#declare({
          kind: 'enum',
          name,
          values: schema.enum.map(String),
          description: str(schema.description),
          origin: origin(t.uri),
        });
      } else {
        continue;
      }
      this.#named.set(t.uri, name);
    }
  }

  /**
   * The schema at `uri`; a titled schema that only tightens another (`$ref` beside `required`, as `memory` does
   * `export-item`) becomes a copy of its target with the union of both `required` lists, so it is its own struct.
   */
  #tightened(uri: string): { schema: Obj; base: string } {
    const at = this.#at(uri);
    const { schema } = at;
    if (typeof schema.$ref !== 'string' || isObj(schema.properties)) return at;
    const target = this.#at(new URL(schema.$ref, at.base || undefined).href.replace(/#$/, ''));
    if (!isObj(target.schema.properties)) return at;
    const required = [
      ...new Set([
        ...(Array.isArray(target.schema.required) ? target.schema.required : []),
        ...(Array.isArray(schema.required) ? schema.required : []),
      ]),
    ];
    const { $ref: _ref, ...own } = schema;
    return {
      schema: { ...target.schema, ...own, properties: target.schema.properties, required },
      base: target.base,
    };
  }

  /** Names of the declared titled types, sorted. */
  get namedTypes(): string[] {
    return [...this.#named.values()].sort();
  }

  /** The Go name of the declared type at `uri`; throws when the schema there is not declared. */
  nameOf(uri: string): string {
    const n = this.#named.get(uri.replace(/#$/, ''));
    if (!n) throw new Error(`no Go type is declared for ${uri}`);
    return n;
  }

  /** The declaration named `name` when it is a struct, with its fields. */
  fieldsOf(name: string): GoField[] {
    const d = this.#decls.get(name);
    if (d?.kind !== 'struct') throw new Error(`${name} is not a generated struct`);
    return this.#fields(d);
  }

  /** The constant naming `value` of enum type `name`. */
  enumConst(name: string, value: string): string {
    const d = this.#decls.get(name);
    if (d?.kind !== 'enum' || !d.values.includes(value)) throw new Error(`${name} has no value ${value}`);
    return name + goNameOf(value);
  }

  /**
   * The Go type of `schema` (refs resolved against `base`); inline objects, enums and unions are declared
   * as `context`, which must be an exported name.
   */
  typeOf(schema: Schema, base: string, context: string, parent?: { children: string[] }): GoType {
    if (schema === false) throw new Error(`${context}: the schema false cannot be a Go type`);
    if (schema === true) return anyType(undefined, undefined);
    for (const k of Object.keys(schema)) {
      if (!ignored.has(k))
        throw new Error(`${context}: JSON Schema keyword ${k} is not supported by the Go emitter`);
    }
    if (!['type', '$ref', 'anyOf', 'enum', 'properties', 'items'].some((k) => k in schema)) {
      return anyType(defaultOf(schema), descOf(schema));
    }
    const outer = { default: defaultOf(schema), description: descOf(schema) };
    const withOuter = (t: GoType): GoType => ({
      ...t,
      default: outer.default ?? t.default,
      description: outer.description ?? t.description,
    });

    if (typeof schema.$ref === 'string') {
      const uri = absoluteRef(schema.$ref, base);
      const named = this.#named.get(uri);
      if (named) {
        const d = this.#decls.get(named) as Decl;
        const target = this.#at(uri).schema;
        return withOuter({
          expr: named,
          shape: d.kind === 'enum' ? 'string' : 'struct',
          nullable: false,
          default: defaultOf(target),
          description: descOf(target),
        });
      }
      const target = this.#at(uri);
      return withOuter(this.typeOf(target.schema, target.base, context, parent));
    }

    if (Array.isArray(schema.anyOf)) {
      const alts = schema.anyOf as Schema[];
      const nonNull = alts.filter((a) => !(isObj(a) && a.type === 'null'));
      const nullable = nonNull.length < alts.length;
      if (nonNull.length === 1) {
        const t = this.typeOf(nonNull[0] as Schema, base, context, parent);
        return withOuter({ ...t, nullable: nullable || t.nullable });
      }
      const t = this.#union(nonNull, base, context, descOf(schema), parent);
      return withOuter({ ...t, nullable });
    }

    let type = schema.type;
    let nullable = false;
    if (Array.isArray(type)) {
      const types = type.filter((t) => t !== 'null');
      nullable = types.length < type.length;
      if (types.length !== 1)
        throw new Error(`${context}: type ${JSON.stringify(type)} needs one non-null type`);
      type = types[0];
    }
    const t = (g: Omit<GoType, 'nullable' | 'default' | 'description'>): GoType => ({
      ...g,
      nullable,
      ...outer,
    });

    if (Array.isArray(schema.enum)) {
      if (type !== 'string' || !schema.enum.every((v) => typeof v === 'string')) {
        throw new Error(`${context}: only string enums are supported`);
      }
      this.#inline(context, schema, parent, () => ({
        kind: 'enum',
        name: context,
        values: (schema.enum as string[]).slice(),
        description: str(schema.description),
        origin: this.#note(context),
      }));
      return t({ expr: context, shape: 'string' });
    }
    switch (type) {
      case 'string':
        if (schema.format === 'date-time') return t({ expr: 'Timestamp', shape: 'string' });
        return t({ expr: 'string', shape: 'string' });
      case 'integer':
        return t({ expr: 'int', shape: 'int' });
      case 'number':
        return t({ expr: 'float64', shape: 'float' });
      case 'boolean':
        return t({ expr: 'bool', shape: 'bool' });
      case 'array': {
        const itemContext = itemName(context);
        const item =
          schema.items === undefined
            ? undefined
            : this.typeOf(schema.items as Schema, base, itemContext, parent);
        const elem =
          item === undefined
            ? 'any'
            : item.nullable && item.shape !== 'any' && item.shape !== 'slice' && item.shape !== 'map'
              ? `*${item.expr}`
              : item.expr;
        return t({ expr: `[]${elem}`, shape: 'slice' });
      }
      case 'object': {
        if (isObj(schema.properties)) {
          this.#inline(context, schema, parent, () => ({
            kind: 'struct',
            name: context,
            schema,
            base,
            origin: this.#note(context),
            partialUpdate: false,
            children: [],
          }));
          return t({ expr: context, shape: 'struct' });
        }
        const ap = schema.additionalProperties;
        const value = isObj(ap) ? this.typeOf(ap, base, `${context}Value`, parent).expr : 'any';
        return t({ expr: `map[string]${value}`, shape: 'map' });
      }
      case undefined:
        return t({ expr: 'any', shape: 'any' });
      default:
        throw new Error(`${context}: type ${String(type)} is not supported by the Go emitter`);
    }
  }

  /** Every declaration, titled ones sorted by name, each followed by the inline ones it introduced. */
  render(): string {
    const out: string[] = [];
    const emit = (name: string) => {
      const d = this.#decls.get(name) as Decl;
      out.push(this.#render(d));
      if (d.kind !== 'enum') for (const c of d.children) emit(c);
    };
    for (const name of this.namedTypes) emit(name);
    for (const name of this.#orphans) emit(name);
    return out.join('\n');
  }

  #union(
    alts: Schema[],
    base: string,
    context: string,
    description: string | undefined,
    parent?: { children: string[] },
  ): GoType {
    const decl: UnionDecl = {
      kind: 'union',
      name: context,
      alternatives: [],
      description,
      origin: this.#note(context),
      children: [],
    };
    const fresh = this.#inline(context, { anyOf: alts }, parent, () => decl);
    if (fresh) {
      for (const a of alts) {
        const k = unionKinds[this.#jsonType(a, base, context)];
        if (!k)
          throw new Error(
            `${context}: a union alternative must be an object, array, string, number or boolean`,
          );
        if (decl.alternatives.some((x) => x.jsonKind === k.kind))
          throw new Error(`${context}: two union alternatives are JSON ${k.field}s`);
        decl.alternatives.push({
          field: k.field,
          jsonKind: k.kind,
          type: this.#within({ union: context, field: k.field }, () =>
            this.typeOf(a, base, `${context}${k.field}`, decl),
          ),
        });
      }
    }
    return {
      expr: context,
      shape: 'union',
      nullable: false,
      default: undefined,
      description,
    };
  }

  /** The JSON type a (non-union) schema describes, following `$ref`s. */
  #jsonType(schema: Schema, base: string, context: string): string {
    if (isObj(schema) && typeof schema.$ref === 'string') {
      const t = this.#at(absoluteRef(schema.$ref, base));
      return this.#jsonType(t.schema, t.base, context);
    }
    const type = isObj(schema) ? schema.type : undefined;
    if (typeof type !== 'string') throw new Error(`${context}: a union alternative needs a single type`);
    return type;
  }

  #declare(d: Decl): void {
    if (this.#decls.has(d.name)) throw new Error(`two Go types would be named ${d.name}`);
    this.#decls.set(d.name, d);
  }

  /** Declare an inline type once; true the first time. */
  #inline(name: string, schema: Obj, parent: { children: string[] } | undefined, make: () => Decl): boolean {
    const key = JSON.stringify(schema);
    const seen = this.#inlineKeys.get(name);
    if (seen !== undefined) {
      if (seen !== key) throw new Error(`two different inline schemas would both be Go type ${name}`);
      return false;
    }
    this.#inlineKeys.set(name, key);
    this.#declare(make());
    (parent?.children ?? this.#orphans).push(name);
    return true;
  }

  /** Run `f` with `where` as the place inline types are declared from (for their doc comments). */
  #within<T>(where: Where, f: () => T): T {
    const saved = this.#where;
    this.#where = where;
    try {
      return f();
    } finally {
      this.#where = saved;
    }
  }

  /** What an inline type named `name` is, for its doc comment: "is the type of the "status" member of [Health]". */
  #note(name: string): string {
    const w = this.#where;
    if (!w) return 'is an inline type';
    if ('union' in w) return `is the ${w.field.toLowerCase()} alternative of [${w.union}]`;
    const own = w.parent + goNameOf(w.json);
    return `is the ${name === own ? 'type' : name === `${own}Value` ? 'value type' : 'item type'} of the ${goString(w.json)} member of [${w.parent}]`;
  }

  #fields(d: StructDecl): GoField[] {
    const props = d.schema.properties as Obj;
    const required = new Set(Array.isArray(d.schema.required) ? (d.schema.required as string[]) : []);
    return Object.entries(props).map(([json, schema]) => {
      const base = this.#within({ parent: d.name, json }, () =>
        this.typeOf(schema as Schema, d.base, d.name + goNameOf(json), d),
      );
      const isRequired = required.has(json);
      const { type, wrap } = memberType(base, isRequired, d.partialUpdate);
      return {
        json,
        name: goNameOf(json),
        type,
        required: isRequired,
        base,
        wrap,
        description: base.description,
      };
    });
  }

  #render(d: Decl): string {
    // Titled types say where their schema is; inline ones what they are part of.
    const doc = (description: string | undefined, origin: string) => {
      if (!origin.startsWith('schemas/'))
        return goDoc(`${d.name} ${origin}.${description ? ` ${description}` : ''}`);
      return goDoc(`${d.name}${description ? `: ${description}` : ''}\n\nSchema: ${origin}`);
    };
    if (d.kind === 'enum') {
      const rows: Row[] = d.values.map((v) => ({
        cells: [d.name + goNameOf(v), d.name],
        rest: `= ${goString(v)}`,
      }));
      return `${doc(d.description, d.origin)}\ntype ${d.name} string\n\n// The values of [${d.name}].\nconst (\n${alignRows(rows, '\t').join('\n')}\n)\n`;
    }
    if (d.kind === 'union') {
      const rows: Row[] = d.alternatives.map((a) => ({ cells: [a.field, `*${a.type.expr}`], rest: '' }));
      const kinds = d.alternatives
        .map((a) => `\tcase ${a.jsonKind}:\n\t\treturn json.Unmarshal(data, &u.${a.field})\n`)
        .join('');
      const marshal = d.alternatives
        .map((a) => `\tcase u.${a.field} != nil:\n\t\treturn json.Marshal(u.${a.field})\n`)
        .join('');
      return [
        `${doc(d.description, d.origin)}\n//\n// Exactly one field is set: the JSON value is one of these alternatives.\ntype ${d.name} struct {\n${alignRows(rows, '\t').join('\n')}\n}\n`,
        `// MarshalJSON writes the alternative that is set.\nfunc (u ${d.name}) MarshalJSON() ([]byte, error) {\n\tswitch {\n${marshal}\t}\n\treturn nil, errors.New(${goString(`omp: ${d.name}: no alternative is set`)})\n}\n`,
        `// UnmarshalJSON reads whichever alternative the JSON value is.\nfunc (u *${d.name}) UnmarshalJSON(data []byte) error {\n\t*u = ${d.name}{}\n\tswitch jsonKind(data) {\n${kinds}\t}\n\treturn fmt.Errorf(${goString(`omp: ${d.name}: unexpected JSON value %.40s`)}, data)\n}\n`,
      ].join('\n');
    }
    const lines: (Row | string)[] = [];
    for (const f of this.#fields(d)) {
      if (f.description) lines.push(...goDoc(f.description, '', 106).split('\n'));
      const tag = `json:${goString(f.required ? f.json : `${f.json},omitzero`)}`;
      lines.push({ cells: [f.name, f.type], rest: goRawString(tag) });
    }
    const desc = str(d.schema.description);
    return `${doc(desc, d.origin)}\ntype ${d.name} struct {\n${alignRows(lines, '\t').join('\n')}\n}\n`;
  }

  #at(uri: string): { schema: Obj; base: string } {
    const found = schemaAt(this.#docs, uri);
    if (!found || !isObj(found.schema)) throw new Error(`cannot resolve schema ${uri}`);
    return { schema: found.schema, base: found.base };
  }
}

/**
 * The Go type of a member from its schema's Go type, whether it is required, and whether it belongs to a
 * partial update (the rules in this module's header).
 */
export function memberType(
  base: GoType,
  required: boolean,
  partialUpdate: boolean,
): { type: string; wrap: GoField['wrap'] } {
  const container = base.shape === 'slice' || base.shape === 'map' || base.shape === 'any';
  let wrap: GoField['wrap'] = 'plain';
  if (required) {
    if (base.nullable && !container) wrap = 'pointer';
  } else if (base.nullable) {
    if (partialUpdate) wrap = 'nullable';
    else if (!container) wrap = 'pointer';
  } else if (!container) {
    const zeroIsDefault = base.default !== undefined && isZero(base.default.value, base.shape);
    if (!zeroIsDefault) wrap = 'pointer';
  }
  const type =
    wrap === 'pointer' ? `*${base.expr}` : wrap === 'nullable' ? `Nullable[${base.expr}]` : base.expr;
  return { type, wrap };
}

/** Repository path of a schema URI, for doc comments: schemas/memory.schema.json#/$defs/x. */
function origin(uri: string): string {
  const [id = '', fragment] = uri.split('#');
  const file = id.split('/').at(-1) ?? id;
  return `schemas/${file}${fragment ? `#${fragment}` : ''}`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}

function descOf(s: Schema): string | undefined {
  return isObj(s) ? str(s.description) : undefined;
}

function defaultOf(s: Schema): { value: unknown } | undefined {
  return isObj(s) && 'default' in s ? { value: s.default } : undefined;
}

/** HealthLevels -> HealthLevel: the item type of a list named by its parent and member (else ...Item). */
function itemName(name: string): string {
  const ws = words(name);
  const last = ws.at(-1) ?? '';
  const one = singular(last);
  return one === last ? `${name}Item` : goName([...ws.slice(0, -1), one]);
}

function anyType(dflt: { value: unknown } | undefined, description: string | undefined): GoType {
  return { expr: 'any', shape: 'any', nullable: true, default: dflt, description };
}

function isZero(v: unknown, shape: GoType['shape']): boolean {
  switch (shape) {
    case 'string':
      return v === '';
    case 'int':
    case 'float':
      return v === 0;
    case 'bool':
      return v === false;
    default:
      return false;
  }
}
