/**
 * Bad (and boundary-valid) inputs derived from the normative schemas, never hand-listed: for each member of a
 * request schema, each required member missing, each wrong JSON type, each bound ±1, each enum and pattern
 * violation, unknown members, nested objects recursively. Every generated case is classified by ajv itself, so
 * a case is only called invalid when the schema says so (no false positives from the generator).
 */
import { atPointer, getSchema, type SchemaName, validatorFor } from '@omp-kit/schemas';

/** One derived input. */
export interface DerivedCase {
  /** e.g. `/tags: maxItems 20 + 1`. */
  label: string;
  /** JSON Pointer of the member the case changes ('' for the whole body). */
  path: string;
  body: Record<string, unknown>;
  /** What the schema says of the body. */
  valid: boolean;
}

type S = Record<string, unknown>;

/** Resolve `$ref` (across the OMP schema files) and merge sibling keywords; anyOf-with-null becomes nullable. */
export function resolve(schema: S, fileName: string): { s: S; file: string; nullable: boolean } {
  let s = schema;
  let file = fileName;
  let nullable = false;
  for (let guard = 0; guard < 10; guard++) {
    if (typeof s.$ref === 'string') {
      const [target, pointer] = s.$ref.split('#');
      const targetFile = target ? target.replace(/^\.\//, '').replace(/\.schema\.json$/, '') : file;
      const doc = atPointer(getSchema(targetFile), `#${pointer ?? ''}`) as S;
      const { $ref: _ignored, ...rest } = s;
      s = { ...doc, ...rest };
      file = targetFile;
      continue;
    }
    const any = s.anyOf as S[] | undefined;
    if (any && any.length === 2 && any.some((x) => x.type === 'null')) {
      nullable = true;
      const other = any.find((x) => x.type !== 'null') as S;
      const { anyOf: _a, ...rest } = s;
      s = { ...rest, ...other };
      continue;
    }
    break;
  }
  return { s, file, nullable };
}

/** A valid sample value for a (resolved) schema. */
export function sample(schema: S, file: string): unknown {
  const { s, file: f } = resolve(schema, file);
  if (Array.isArray(s.examples) && s.examples.length) return structuredClone(s.examples[0]);
  if (Array.isArray(s.enum)) return s.enum[0];
  if ('default' in s && s.default !== null) return structuredClone(s.default);
  switch (s.type) {
    case 'string':
      return 'a'.repeat(Math.max(1, (s.minLength as number) ?? 1));
    case 'integer':
    case 'number':
      return (s.minimum as number) ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object': {
      const out: S = {};
      for (const r of (s.required as string[]) ?? [])
        out[r] = sample((s.properties as Record<string, S>)[r] as S, f);
      return out;
    }
    default:
      return 'a';
  }
}

const WRONG_TYPES: Array<[string, unknown]> = [
  ['a number', 42],
  ['a string', 'x'],
  ['a boolean', true],
  ['null', null],
  ['an array', []],
  ['an object', {}],
  ['a fraction', 1.5],
];

/** A valid array item for generated arrays, distinct per index. */
function item(itemSchema: S, file: string, i: number): unknown {
  const { s } = resolve(itemSchema, file);
  if (s.type === 'number' || s.type === 'integer') return s.type === 'integer' ? i : i / 1000;
  if (s.type === 'string') return `x${i}`;
  return sample(itemSchema, file);
}

function setAt(body: S, path: string[], value: unknown | typeof REMOVE): S {
  const copy = structuredClone(body);
  let cur: S = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i] as string;
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as S;
  }
  const last = path[path.length - 1] as string;
  if (value === REMOVE) delete cur[last];
  else cur[last] = value;
  return copy;
}

const REMOVE = Symbol('remove');

/** Derive cases for one request schema, starting from a valid base body. */
export function deriveCases(schemaName: SchemaName, base: S): DerivedCase[] {
  return deriveCasesFrom(getSchema(schemaName) as S, schemaName, validatorFor(schemaName), base);
}

/**
 * Derive cases for a schema inside a schema file (e.g. a `$defs` member of mcp-tools, its `$ref`s relative to
 * `file`), classified by `validate`, starting from a valid base body.
 */
export function deriveCasesFrom(
  schema: S,
  file: string,
  validate: (value: unknown) => boolean,
  base: S,
): DerivedCase[] {
  if (!validate(base)) throw new Error(`derive: the base body is not valid against its schema in ${file}`);
  const out: DerivedCase[] = [];
  const seen = new Set<string>();
  const add = (label: string, path: string[], body: S) => {
    const key = JSON.stringify(body);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ label, path: path.length ? `/${path.join('/')}` : '', body, valid: validate(body) === true });
  };
  walkObject(schema, file, base, [], base, add);
  return out;
}

type Add = (label: string, path: string[], body: S) => void;

function walkObject(schema: S, file: string, value: S, path: string[], root: S, add: Add): void {
  const { s, file: f } = resolve(schema, file);
  const props = (s.properties as Record<string, S> | undefined) ?? {};
  const required = (s.required as string[] | undefined) ?? [];
  const at = (p: string[]) => `/${p.join('/')}`;
  for (const r of required)
    if (r in value)
      add(`${at([...path, r])}: required, missing`, [...path, r], setAt(root, [...path, r], REMOVE));
  // x_ names are extension members (SPEC.md §1.4), accepted by every schema: probe with another name.
  if (s.additionalProperties === false)
    add(
      `${at([...path, 'unknown_member'])}: unknown member`,
      [...path, 'unknown_member'],
      setAt(root, [...path, 'unknown_member'], 'x'),
    );
  if (typeof s.minProperties === 'number' && path.length === 0 && s.minProperties > 0)
    add('/: minProperties, empty object', [], {});
  for (const [name, sub] of Object.entries(props)) {
    const p = [...path, name];
    const current = name in value ? value[name] : sample(sub, f);
    walkValue(sub, f, current, p, name in value ? root : setAt(root, p, current), add);
  }
}

function walkValue(schema: S, file: string, current: unknown, path: string[], root: S, add: Add): void {
  const { s, file: f, nullable } = resolve(schema, file);
  const at = `/${path.join('/')}`;
  const put = (label: string, v: unknown) => add(`${at}: ${label}`, path, setAt(root, path, v));
  // Wrong JSON types: keep at most three kinds per member; ajv decides which are really wrong.
  let wrong = 0;
  for (const [name, v] of WRONG_TYPES) {
    if (wrong >= 3) break;
    if (v === null && nullable) continue;
    if (JSON.stringify(v) === JSON.stringify(current)) continue;
    if (
      typeof v === typeof current &&
      Array.isArray(v) === Array.isArray(current) &&
      v !== null &&
      current !== null
    )
      continue;
    put(`wrong type (${name})`, v);
    wrong++;
  }
  if (Array.isArray(s.enum)) put('not one of the enum values', 'not_an_enum_value');
  if (s.type === 'string' || (s.type === undefined && typeof current === 'string')) {
    const fill = typeof current === 'string' && current.length ? ([...current][0] ?? 'a') : 'a';
    const c = /[a-z0-9]/.test(fill) ? fill : 'a';
    if (typeof s.minLength === 'number') {
      if (s.minLength > 0) put(`minLength ${s.minLength} - 1`, c.repeat(s.minLength - 1));
      put(`minLength ${s.minLength} (boundary)`, c.repeat(Math.max(s.minLength, 1)));
    }
    if (typeof s.maxLength === 'number') {
      put(`maxLength ${s.maxLength} (boundary)`, c.repeat(s.maxLength));
      put(`maxLength ${s.maxLength} + 1`, c.repeat(s.maxLength + 1));
    }
    if (typeof s.pattern === 'string') {
      for (const v of ['UPPER', 'has space', '   ', 'tab\u0007bell', 'é'])
        put(`pattern ${s.pattern} violated (${JSON.stringify(v)})`, v);
    }
    if (s.format === 'date-time') {
      put('date-time with a numeric offset', '2099-11-23T10:00:00+02:00');
      put('calendar-impossible date-time', '2099-02-30T00:00:00Z');
      put('date only', '2099-11-23');
    }
  }
  if (s.type === 'integer' || s.type === 'number') {
    if (typeof s.minimum === 'number') {
      put(`minimum ${s.minimum} - 1`, s.minimum - 1);
      put(`minimum ${s.minimum} (boundary)`, s.minimum);
    }
    if (typeof s.maximum === 'number') {
      put(`maximum ${s.maximum} (boundary)`, s.maximum);
      put(`maximum ${s.maximum} + 1`, s.maximum + 1);
    }
  }
  if (s.type === 'array') {
    const items = (s.items as S | undefined) ?? {};
    const make = (n: number) => Array.from({ length: n }, (_, i) => item(items, f, i));
    if (typeof s.minItems === 'number') {
      if (s.minItems > 0) put(`minItems ${s.minItems} - 1`, make(s.minItems - 1));
      put(`minItems ${s.minItems} (boundary)`, make(Math.max(s.minItems, 1)));
    }
    if (typeof s.maxItems === 'number') {
      put(`maxItems ${s.maxItems} (boundary)`, make(s.maxItems));
      put(`maxItems ${s.maxItems} + 1`, make(s.maxItems + 1));
    }
    if (s.uniqueItems === true) {
      const one = item(items, f, 0);
      put('the same item twice', [one, one]);
    }
    // One bad item, derived from the item schema (wrong type / pattern).
    const arr = Array.isArray(current) && current.length ? current : make(1);
    const { s: is } = resolve(items, f);
    if (is.type === 'string') {
      put('an item of the wrong type', [...arr.slice(1), 42]);
      if (typeof is.pattern === 'string') put(`an item violating ${is.pattern}`, ['UPPER']);
      if (typeof is.maxLength === 'number')
        put(`an item of maxLength ${is.maxLength} + 1`, ['a'.repeat(is.maxLength + 1)]);
      if (typeof is.minLength === 'number' && is.minLength > 0) put('an empty item', ['']);
    } else if (is.type === 'number') put('an item that is not a number', ['x']);
  }
  if (s.type === 'object') {
    if (s.properties) {
      if (current && typeof current === 'object' && !Array.isArray(current))
        walkObject(s, f, current as S, path, root, add);
    } else {
      // A free-form object such as metadata: bounds on the number and names of members.
      if (typeof s.maxProperties === 'number') {
        const obj = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
        put(`maxProperties ${s.maxProperties} (boundary)`, obj(s.maxProperties));
        put(`maxProperties ${s.maxProperties} + 1`, obj(s.maxProperties + 1));
      }
      const names = s.propertyNames as S | undefined;
      if (names) {
        if (typeof names.minLength === 'number' && names.minLength > 0)
          put('an empty member name', { '': 1 });
        if (typeof names.maxLength === 'number') {
          put(`a member name of maxLength ${names.maxLength} (boundary)`, {
            ['k'.repeat(names.maxLength)]: 1,
          });
          put(`a member name of maxLength ${names.maxLength} + 1`, { ['k'.repeat(names.maxLength + 1)]: 1 });
        }
      }
    }
  }
}
