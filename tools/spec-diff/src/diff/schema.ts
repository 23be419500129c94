/**
 * Structural comparison of two dereferenced JSON Schemas (2020-12, as OpenAPI 3.1 uses them). It walks both
 * trees in step and reports what a request would no longer accept, or what a response no longer promises.
 * Unions (`type: [a, b]`, or `anyOf`/`oneOf` whose branches have distinct types, as `nullable*` defs do) are
 * split into one variant per type so that "a type left the union" and "a branch got narrower" are separate,
 * precise findings.
 */
import type { Change, ChangeKind, Direction } from '../types.ts';
import { severityOf } from './severity.ts';

/** A schema as found in a dereferenced document. */
export type Schema = boolean | Record<string, unknown>;
type SchemaObject = Record<string, unknown>;

/** Keywords that never change what is valid. */
const annotations = new Set([
  'title',
  'description',
  'examples',
  'example',
  '$comment',
  '$schema',
  '$id',
  '$anchor',
  '$defs',
  'definitions',
  'deprecated',
  'readOnly',
  'writeOnly',
  'externalDocs',
  'xml',
]);

/** Keywords this module compares one by one; anything else is compared whole (`schema-changed`). */
const handled = new Set([
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'pattern',
  'format',
  'uniqueItems',
  'multipleOf',
  'default',
  ...['maxLength', 'maxItems', 'maxProperties', 'maximum', 'exclusiveMaximum'],
  ...['minLength', 'minItems', 'minProperties', 'minimum', 'exclusiveMinimum'],
]);

const upperBounds = ['maxLength', 'maxItems', 'maxProperties', 'maximum', 'exclusiveMaximum'] as const;
const lowerBounds = ['minLength', 'minItems', 'minProperties', 'minimum', 'exclusiveMinimum'] as const;

/** Compare an old and a new schema at `where` (e.g. `POST /v1/memories request body`). */
export function compareSchemas(
  oldSchema: Schema,
  newSchema: Schema,
  direction: Direction,
  where: string,
): Change[] {
  const walker = new Walker(direction, where);
  walker.compare(oldSchema, newSchema, '');
  return walker.changes;
}

/** Canonical JSON (sorted keys) for equality of values and of opaque sub-schemas. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as SchemaObject).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function isObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `true` and `{}` accept anything; `false` nothing. Normalise booleans to objects for one code path. */
function asObject(schema: Schema): SchemaObject {
  if (schema === true) return {};
  if (schema === false) return { not: {} };
  return schema;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : canonical(value);
}

/** `500 → 200`, `none → 1`, `20 → none`. */
function bound(before: number | undefined, after: number | undefined): string {
  return `${before ?? 'none'} → ${after ?? 'none'}`;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Union branches keyed by type; undefined when `anyOf`/`oneOf` is not a plain type union. */
function unionBranches(schema: SchemaObject): Map<string, SchemaObject> | undefined {
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (!Array.isArray(branches) || schema.type !== undefined) return undefined;
  const out = new Map<string, SchemaObject>();
  for (const branch of branches) {
    const inner = variants(asObject(branch));
    for (const [type, variant] of inner) {
      if (out.has(type) || type === '*') return undefined; // overlapping branches: not a type union
      out.set(type, variant);
    }
  }
  return out;
}

/** One sub-schema per JSON type the schema admits; `*` when it does not restrict the type. */
function variants(schema: SchemaObject): Map<string, SchemaObject> {
  const union = unionBranches(schema);
  if (union) return union;
  const declared = schema.type;
  let types: string[];
  if (typeof declared === 'string') types = [declared];
  else if (Array.isArray(declared)) types = declared as string[];
  else {
    const values = (schema.enum as unknown[] | undefined) ?? ('const' in schema ? [schema.const] : undefined);
    if (values) types = [...new Set(values.map(jsonType).map((t) => (t === 'integer' ? 'number' : t)))];
    else if (schema.properties || schema.required || schema.additionalProperties !== undefined)
      types = ['object'];
    else if (schema.items) types = ['array'];
    else types = ['*'];
  }
  return new Map(types.map((t) => [t, schema]));
}

/** Whether `anyOf`/`oneOf` of this schema was consumed as a type union (so not compared whole). */
function isTypeUnion(schema: SchemaObject): boolean {
  return unionBranches(schema) !== undefined;
}

let nextId = 1;
const ids = new WeakMap<object, number>();
function idOf(value: object): number {
  let id = ids.get(value);
  if (id === undefined) {
    id = nextId++;
    ids.set(value, id);
  }
  return id;
}

class Walker {
  readonly changes: Change[] = [];
  /** Pairs being compared on the current path: dereferenced documents may be cyclic. */
  private readonly active = new Set<string>();
  private readonly direction: Direction;
  private readonly where: string;

  constructor(direction: Direction, where: string) {
    this.direction = direction;
    this.where = where;
  }

  private emit(
    kind: ChangeKind,
    pointer: string,
    message: string,
    before?: unknown,
    after?: unknown,
  ): Change {
    const change: Change = {
      kind,
      severity: severityOf(kind, this.direction),
      location: pointer ? `${this.where} ${pointer}` : this.where,
      message,
    };
    if (before !== undefined) change.before = before;
    if (after !== undefined) change.after = after;
    this.changes.push(change);
    return change;
  }

  compare(oldSchema: Schema, newSchema: Schema, pointer: string): void {
    const o = asObject(oldSchema);
    const n = asObject(newSchema);
    if (o === n) return;
    const key = `${idOf(o)}:${idOf(n)}`;
    if (this.active.has(key)) return;
    this.active.add(key);
    try {
      this.compareTypes(o, n, pointer);
    } finally {
      this.active.delete(key);
    }
  }

  private compareTypes(o: SchemaObject, n: SchemaObject, pointer: string): void {
    const ov = variants(o);
    const nv = variants(n);
    const pairs: Array<[SchemaObject, SchemaObject]> = [];
    for (const [type, schema] of ov) {
      const same = nv.get(type);
      if (same) pairs.push([schema, same]);
      else if (type === 'integer' && nv.has('number')) {
        this.emit('type-widened', pointer, 'integer widened to number', 'integer', 'number');
        pairs.push([schema, nv.get('number')!]);
      } else if (nv.has('*')) {
        this.emit('type-widened', pointer, `any type now accepted (was ${[...ov.keys()].join(' | ')})`);
        pairs.push([schema, nv.get('*')!]);
      } else if (type === '*') {
        this.emit('type-narrowed', pointer, `type restricted to ${[...nv.keys()].join(' | ')}`, '*', [
          ...nv.keys(),
        ]);
        for (const variant of nv.values()) pairs.push([schema, variant]);
      } else if (type === 'number' && nv.has('integer')) {
        this.emit('type-narrowed', pointer, 'number narrowed to integer', 'number', 'integer');
        pairs.push([schema, nv.get('integer')!]);
      } else {
        this.emit('type-narrowed', pointer, `type ${type} removed`, type, undefined);
      }
    }
    for (const type of nv.keys()) {
      if (ov.has(type) || type === '*' || ov.has('*')) continue;
      if (type === 'number' && ov.has('integer')) continue;
      if (type === 'integer' && ov.has('number')) continue;
      this.emit('type-widened', pointer, `type ${type} added`, undefined, type);
    }
    const done = new Set<string>();
    for (const [a, b] of pairs) {
      const key = `${idOf(a)}:${idOf(b)}`;
      if (done.has(key)) continue; // `type: [string, null]` yields one schema for two types
      done.add(key);
      this.compareVariant(a, b, pointer, isTypeUnion(o) || isTypeUnion(n));
    }
  }

  private compareVariant(o: SchemaObject, n: SchemaObject, pointer: string, unionConsumed: boolean): void {
    this.compareEnum(o, n, pointer);
    this.compareBounds(o, n, pointer);
    this.compareStringRules(o, n, pointer);
    this.compareObject(o, n, pointer);
    this.compareArray(o, n, pointer);
    if ('default' in o || 'default' in n) {
      if (canonical(o.default) !== canonical(n.default)) {
        this.emit('default-changed', pointer, `default changed`, o.default, n.default);
      }
    }
    // Everything else (allOf, if/then/else, not, dependent*, patternProperties, ...) compared whole.
    const keys = new Set([...Object.keys(o), ...Object.keys(n)]);
    for (const k of keys) {
      if (annotations.has(k) || handled.has(k) || k.startsWith('x-')) continue;
      if (unionConsumed && (k === 'anyOf' || k === 'oneOf')) continue;
      if (canonical(o[k]) !== canonical(n[k])) {
        const what = o[k] === undefined ? 'added' : n[k] === undefined ? 'removed' : 'changed';
        this.emit('schema-changed', pointer, `\`${k}\` ${what}`, o[k], n[k]);
      }
    }
  }

  private compareEnum(o: SchemaObject, n: SchemaObject, pointer: string): void {
    const values = (s: SchemaObject) =>
      Array.isArray(s.enum) ? (s.enum as unknown[]) : 'const' in s ? [s.const] : undefined;
    const ov = values(o);
    const nv = values(n);
    if (!ov && !nv) return;
    if (!ov && nv) {
      this.emit(
        'constraint-narrowed',
        pointer,
        `values restricted to ${nv.map(show).join(', ')}`,
        undefined,
        nv,
      );
      return;
    }
    if (ov && !nv) {
      this.emit('constraint-widened', pointer, `enum ${ov.map(show).join(', ')} lifted`, ov, undefined);
      return;
    }
    const oldKeys = new Map(ov!.map((v) => [canonical(v), v]));
    const newKeys = new Map(nv!.map((v) => [canonical(v), v]));
    for (const [k, v] of oldKeys) {
      if (!newKeys.has(k))
        this.emit('enum-value-removed', pointer, `enum value ${show(v)} removed`, v, undefined);
    }
    for (const [k, v] of newKeys) {
      if (!oldKeys.has(k))
        this.emit('enum-value-added', pointer, `enum value ${show(v)} added`, undefined, v);
    }
  }

  private compareBounds(o: SchemaObject, n: SchemaObject, pointer: string): void {
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    for (const k of upperBounds) {
      const a = num(o[k]);
      const b = num(n[k]);
      if (a === b) continue;
      if (b !== undefined && (a === undefined || b < a)) {
        this.emit(
          'constraint-narrowed',
          pointer,
          `${k} ${a === undefined ? 'added' : 'lowered'}: ${bound(a, b)}`,
          a,
          b,
        );
      } else {
        this.emit(
          'constraint-widened',
          pointer,
          `${k} ${b === undefined ? 'removed' : 'raised'}: ${bound(a, b)}`,
          a,
          b,
        );
      }
    }
    for (const k of lowerBounds) {
      const a = num(o[k]);
      const b = num(n[k]);
      if (a === b) continue;
      if (b !== undefined && (a === undefined || b > a)) {
        this.emit(
          'constraint-narrowed',
          pointer,
          `${k} ${a === undefined ? 'added' : 'raised'}: ${bound(a, b)}`,
          a,
          b,
        );
      } else {
        this.emit(
          'constraint-widened',
          pointer,
          `${k} ${b === undefined ? 'removed' : 'lowered'}: ${bound(a, b)}`,
          a,
          b,
        );
      }
    }
    if (canonical(o.multipleOf) !== canonical(n.multipleOf)) {
      const kind =
        o.multipleOf === undefined
          ? 'constraint-narrowed'
          : n.multipleOf === undefined
            ? 'constraint-widened'
            : 'constraint-changed';
      this.emit(kind, pointer, `multipleOf changed`, o.multipleOf, n.multipleOf);
    }
    if (o.uniqueItems !== n.uniqueItems && (o.uniqueItems === true || n.uniqueItems === true)) {
      const narrowed = n.uniqueItems === true;
      this.emit(
        narrowed ? 'constraint-narrowed' : 'constraint-widened',
        pointer,
        `uniqueItems ${narrowed ? 'added' : 'removed'}`,
      );
    }
  }

  private compareStringRules(o: SchemaObject, n: SchemaObject, pointer: string): void {
    for (const k of ['pattern', 'format'] as const) {
      const a = o[k];
      const b = n[k];
      if (a === b) continue;
      if (a === undefined) this.emit('constraint-narrowed', pointer, `${k} added: ${show(b)}`, a, b);
      else if (b === undefined) this.emit('constraint-widened', pointer, `${k} ${show(a)} removed`, a, b);
      else this.emit('constraint-changed', pointer, `${k} changed from ${show(a)} to ${show(b)}`, a, b);
    }
  }

  private compareObject(o: SchemaObject, n: SchemaObject, pointer: string): void {
    const op = isObject(o.properties) ? o.properties : {};
    const np = isObject(n.properties) ? n.properties : {};
    const or = new Set(Array.isArray(o.required) ? (o.required as string[]) : []);
    const nr = new Set(Array.isArray(n.required) ? (n.required as string[]) : []);
    const names = new Set([...Object.keys(op), ...Object.keys(np), ...or, ...nr]);
    const newClosed = n.additionalProperties === false || n.unevaluatedProperties === false;
    for (const name of names) {
      const at = `${pointer}/${name}`;
      const inOld = name in op || or.has(name);
      const inNew = name in np || nr.has(name);
      if (inOld && !inNew) {
        const change = this.emit('field-removed', at, `field \`${name}\` removed`);
        // A request object left open still accepts the member (ignored), so clients sending it keep working.
        if (this.direction === 'request' && !newClosed) change.severity = 'potentially-breaking';
        continue;
      }
      if (!inOld && inNew) {
        if (nr.has(name)) {
          this.emit(
            this.direction === 'request' ? 'field-required' : 'field-added',
            at,
            `required field \`${name}\` added`,
          );
        } else {
          this.emit('field-added', at, `optional field \`${name}\` added`);
        }
        continue;
      }
      if (!or.has(name) && nr.has(name)) this.emit('field-required', at, `field \`${name}\` is now required`);
      if (or.has(name) && !nr.has(name))
        this.emit('field-optional', at, `field \`${name}\` is no longer required`);
      const a = op[name];
      const b = np[name];
      if (a !== undefined && b !== undefined) this.compare(a as Schema, b as Schema, at);
    }
    this.compareAdditional(o, n, pointer);
    if (o.propertyNames !== undefined || n.propertyNames !== undefined) {
      if (o.propertyNames === undefined)
        this.emit('constraint-narrowed', pointer, 'propertyNames constraint added');
      else if (n.propertyNames === undefined)
        this.emit('constraint-widened', pointer, 'propertyNames constraint removed');
      else this.compare(o.propertyNames as Schema, n.propertyNames as Schema, `${pointer}/(property names)`);
    }
  }

  private compareAdditional(o: SchemaObject, n: SchemaObject, pointer: string): void {
    const state = (s: SchemaObject) =>
      s.additionalProperties === false ? 'closed' : isObject(s.additionalProperties) ? 'schema' : 'open';
    const a = state(o);
    const b = state(n);
    if (a === 'schema' && b === 'schema') {
      this.compare(o.additionalProperties as Schema, n.additionalProperties as Schema, `${pointer}/{}`);
      return;
    }
    if (a === b) return;
    if (b === 'closed') {
      this.emit(
        'additional-properties-closed',
        pointer,
        'additionalProperties closed: unknown members now rejected',
      );
    } else if (a === 'closed') {
      this.emit(
        'additional-properties-opened',
        pointer,
        'additionalProperties opened: unknown members now allowed',
      );
    } else if (b === 'schema') {
      this.emit('constraint-narrowed', pointer, 'additionalProperties now constrained by a schema');
    } else {
      this.emit('constraint-widened', pointer, 'additionalProperties no longer constrained');
    }
  }

  private compareArray(o: SchemaObject, n: SchemaObject, pointer: string): void {
    if (o.items === undefined && n.items === undefined) return;
    if (o.items === undefined) this.emit('constraint-narrowed', pointer, 'items constraint added');
    else if (n.items === undefined) this.emit('constraint-widened', pointer, 'items constraint removed');
    else this.compare(o.items as Schema, n.items as Schema, `${pointer}/[]`);
  }
}
