/**
 * A dereferenced JSON Schema as readable HTML: one table row per member (nested members as `source.tool`,
 * array items as `memories[].id`), each with its type, whether it is required, its constraints and description.
 */
import { escapeHtml } from './html.ts';

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return escapeHtml(typeof value === 'string' ? value : JSON.stringify(value));
}

/** Branches of a schema's `anyOf`/`oneOf`, if any. */
function branches(schema: Obj): Obj[] {
  const list = schema.anyOf ?? schema.oneOf;
  return Array.isArray(list) ? list.filter(isObject) : [];
}

/** `string`, `integer | null`, `object (Source)`, `array of string`. */
export function typeLabel(schema: Obj, depth = 0): string {
  let label: string;
  if (typeof schema.type === 'string') label = schema.type;
  else if (Array.isArray(schema.type)) label = schema.type.join(' | ');
  else if (branches(schema).length > 0)
    label = branches(schema)
      .map((b) => typeLabel(b, depth + 1))
      .join(' | ');
  else if (Array.isArray(schema.enum))
    label = [...new Set(schema.enum.map((v) => (v === null ? 'null' : typeof v)))].join(' | ');
  else if ('const' in schema) label = schema.const === null ? 'null' : typeof schema.const;
  else if (isObject(schema.properties)) label = 'object';
  else label = 'any';
  if (label === 'array' && isObject(schema.items) && depth < 3)
    label = `array of ${typeLabel(schema.items, depth + 1)}`;
  if (typeof schema.title === 'string' && depth <= 1 && /object|array/.test(label))
    label += ` (${schema.title})`;
  return label;
}

/** The validation rules of a schema in words, as HTML. */
export function constraints(schema: Obj): string[] {
  const out: string[] = [];
  const range = (min: unknown, max: unknown, unit: string) => {
    if (min !== undefined && max !== undefined) out.push(`${show(min)} to ${show(max)} ${unit}`);
    else if (min !== undefined) out.push(`at least ${show(min)} ${unit}`);
    else if (max !== undefined) out.push(`at most ${show(max)} ${unit}`);
  };
  range(schema.minLength, schema.maxLength, 'characters');
  range(schema.minItems, schema.maxItems, 'items');
  range(schema.minProperties, schema.maxProperties, 'members');
  if (schema.minimum !== undefined) out.push(`≥ ${show(schema.minimum)}`);
  if (schema.exclusiveMinimum !== undefined) out.push(`&gt; ${show(schema.exclusiveMinimum)}`);
  if (schema.maximum !== undefined) out.push(`≤ ${show(schema.maximum)}`);
  if (schema.exclusiveMaximum !== undefined) out.push(`&lt; ${show(schema.exclusiveMaximum)}`);
  if (schema.multipleOf !== undefined) out.push(`multiple of ${show(schema.multipleOf)}`);
  if (typeof schema.pattern === 'string') out.push(`pattern <code>${escapeHtml(schema.pattern)}</code>`);
  if (typeof schema.format === 'string') out.push(`format <code>${escapeHtml(schema.format)}</code>`);
  if (Array.isArray(schema.enum))
    out.push(`one of ${schema.enum.map((v) => `<code>${show(v)}</code>`).join(', ')}`);
  if ('const' in schema) out.push(`exactly <code>${show(schema.const)}</code>`);
  if (schema.uniqueItems === true) out.push('distinct items');
  if (schema.additionalProperties === false && isObject(schema.properties)) out.push('no other members');
  if ('default' in schema) out.push(`default <code>${show(schema.default)}</code>`);
  if (schema.readOnly === true) out.push('read-only');
  if (schema.deprecated === true) out.push('deprecated');
  if (isObject(schema.items) && !isObject(schema.items.properties)) {
    const inner = constraints(schema.items);
    if (inner.length > 0) out.push(`each item: ${inner.join(', ')}`);
  }
  for (const branch of branches(schema)) {
    const inner = constraints(branch);
    if (inner.length > 0) out.push(`${escapeHtml(typeLabel(branch))}: ${inner.join(', ')}`);
  }
  return out;
}

interface Row {
  name: string;
  required: boolean;
  schema: Obj;
}

/** The object schema a member's rows continue into: itself, its array items, or its non-null union branch. */
function objectOf(schema: Obj): { schema: Obj; suffix: string } | undefined {
  if (isObject(schema.properties)) return { schema, suffix: '' };
  if (isObject(schema.items)) {
    const inner = objectOf(schema.items);
    if (inner) return { schema: inner.schema, suffix: `[]${inner.suffix}` };
  }
  const objects = branches(schema).filter((b) => isObject(b.properties));
  if (objects.length === 1) return { schema: objects[0]!, suffix: '' };
  return undefined;
}

function rows(schema: Obj, prefix: string, stack: Set<Obj>, out: Row[], depth: number): void {
  if (stack.has(schema) || depth > 6) return; // dereferenced schemas may be cyclic
  stack.add(schema);
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [name, member] of Object.entries(isObject(schema.properties) ? schema.properties : {})) {
    if (!isObject(member)) continue;
    const path = `${prefix}${name}`;
    out.push({ name: path, required: required.has(name), schema: member });
    const inner = objectOf(member);
    if (inner) rows(inner.schema, `${path}${inner.suffix}.`, stack, out, depth + 1);
  }
  stack.delete(schema);
}

/** A schema as HTML: its type line, its constraints, and a table of its members. */
export function renderSchema(schema: unknown, describe: (markdown: string) => string): string {
  if (!isObject(schema)) return '<p class="muted">any JSON value</p>';
  const head = [`<p><strong>${escapeHtml(typeLabel(schema))}</strong>`];
  const own = constraints(schema).filter((c) => c !== 'no other members');
  if (own.length > 0) head.push(` — ${own.join('; ')}`);
  head.push('</p>');
  if (typeof schema.description === 'string') head.push(`<p>${describe(schema.description)}</p>`);
  const root = objectOf(schema);
  const list: Row[] = [];
  if (root) rows(root.schema, root.suffix ? `${root.suffix}.` : '', new Set(), list, 0);
  if (list.length === 0) return head.join('');
  const body = list.map(
    (r) =>
      `<tr><td class="name">${escapeHtml(r.name)}${r.required ? ' <span class="req" title="required">*</span>' : ''}</td>` +
      `<td>${escapeHtml(typeLabel(r.schema, 1))}</td><td class="constraints">${constraints(r.schema).join('; ')}</td>` +
      `<td>${typeof r.schema.description === 'string' ? describe(r.schema.description) : ''}</td></tr>`,
  );
  const closed =
    root?.schema.additionalProperties === false ? '<p class="muted">No other members are accepted.</p>' : '';
  return `${head.join('')}<table class="schema"><thead><tr><th>member</th><th>type</th><th>rules</th><th>description</th></tr></thead><tbody>${body.join('')}</tbody></table>${closed}`;
}
