/**
 * Schema/prose agreement (`npm run spec:check`): the tables of SPEC.md that restate a schema must say what the
 * schema says. Each rule names a table (by the heading it sits under and its first column's header) and the
 * schema it restates; the check compares member names, which members are required, numeric bounds written as
 * "N to M" or "at most N", and defaults. Also: the capability registry (§19.1) names the capabilities of the
 * levels table (§2), and the error-code table (§9.3) gives each code exactly one status.
 */
import type { SchemaDocument } from '@omp-kit/schemas';
import type { SpecIssue } from './requirements.ts';

/** One Markdown table: its header cells, its rows, the 1-based line of its header and the heading above it. */
export interface ProseTable {
  heading: string;
  line: number;
  header: string[];
  rows: string[][];
}

/** Every pipe table of a Markdown document, with the nearest heading above it. */
export function proseTables(markdown: string): ProseTable[] {
  const lines = markdown.split('\n');
  const tables: ProseTable[] = [];
  let heading = '';
  let fence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*```/.test(line)) fence = !fence;
    if (fence) continue;
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (h) heading = h[1]?.trim() ?? '';
    if (!line.startsWith('|') || !/^\|\s*:?-+/.test(lines[i + 1] ?? '')) continue;
    const table: ProseTable = { heading, line: i + 1, header: cells(line), rows: [] };
    for (i += 2; i < lines.length && lines[i]?.startsWith('|'); i++) table.rows.push(cells(lines[i] ?? ''));
    tables.push(table);
  }
  return tables;
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());
}

/** Names in backticks at the start of a cell (`a`, `b` and `c` → a, b, c). */
function codeNames(cell: string): string[] {
  return [...cell.matchAll(/`([a-z_][a-z0-9_]*)`/g)].map((m) => m[1] as string);
}

/** "1 to 10,000" → [1, 10000]; "at most 20" → [undefined, 20]; else undefined. */
export function proseBounds(text: string): [number | undefined, number | undefined] | undefined {
  const num = (s: string) => Number(s.replace(/,/g, ''));
  const range = /(\d[\d,]*) to (\d[\d,]*)/.exec(text);
  if (range) return [num(range[1] as string), num(range[2] as string)];
  const most = /at most (\d[\d,]*)/.exec(text);
  if (most) return [undefined, num(most[1] as string)];
  return undefined;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolve `./file.schema.json#/pointer` and `#/pointer` refs within the loaded schemas (one level at a time). */
function resolver(docs: ReadonlyMap<string, SchemaDocument>) {
  const byFile = new Map([...docs].map(([name, d]) => [`${name}.schema.json`, d as Json]));
  const at = (doc: Json, pointer: string): Json | undefined => {
    let node: unknown = doc;
    for (const t of pointer.split('/').filter(Boolean)) node = isObj(node) ? node[t] : undefined;
    return isObj(node) ? node : undefined;
  };
  /** The schema with every `$ref` followed and merged under its siblings (siblings win). */
  const deref = (schema: Json, doc: Json, depth = 0): Json => {
    if (depth > 8 || typeof schema.$ref !== 'string') return schema;
    const [file, pointer = ''] = schema.$ref.split('#');
    const target = file ? byFile.get(file.replace(/^\.\//, '')) : doc;
    const found = target ? at(target, pointer) : undefined;
    if (!found || !target) return schema;
    const { $ref: _ref, ...own } = schema;
    return { ...deref(found, target, depth + 1), ...own };
  };
  return { deref, byFile };
}

/** Which table restates which schema. */
interface TableRule {
  /** Start of the heading the table sits under, e.g. `3.1 Members`. */
  heading: string;
  /** Header of the table's first column. */
  first: string;
  /** Schema file name without suffix. */
  schema: string;
  /** Column holding bounds and defaults (by header). */
  rule: string;
  default?: string;
  /** Members of the table that the schema does not define (e.g. `cursor` is a query parameter only). */
  skip?: string[];
  /** When true, members whose rule cell says "optional" or a default are optional and all others required. */
  required?: boolean;
}

const tableRules: TableRule[] = [
  { heading: '3.1 Members', first: 'member', schema: 'memory', rule: 'rule', required: true },
  {
    heading: '5.2 List memories',
    first: 'query parameter',
    schema: 'search-request',
    rule: 'value',
    default: 'default',
    skip: ['sort', 'cursor'],
  },
  { heading: '6. Search', first: 'member', schema: 'search-request', rule: 'value', default: 'default' },
];

/** Check every table rule, the capability registry and the error-code table. */
export function checkProse(
  markdown: string,
  docs: ReadonlyMap<string, SchemaDocument>,
  file: string,
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const tables = proseTables(markdown);
  const { deref } = resolver(docs);
  const issue = (line: number, message: string) => issues.push({ file, line, rule: 'prose-schema', message });

  for (const r of tableRules) {
    const t = tables.find((x) => x.heading.startsWith(r.heading) && x.header[0] === r.first);
    const doc = docs.get(r.schema) as Json | undefined;
    if (!t || !doc) {
      issue(0, `no table "${r.first}" under "${r.heading}" or no schema ${r.schema} to compare it with`);
      continue;
    }
    const root = deref(doc, doc);
    const props = isObj(root.properties) ? root.properties : {};
    const required = new Set(Array.isArray(root.required) ? (root.required as string[]) : []);
    const col = (name: string) => t.header.indexOf(name);
    const seen = new Set<string>();
    for (const row of t.rows) {
      for (const name of codeNames(row[0] ?? '')) {
        seen.add(name);
        if (r.skip?.includes(name)) continue;
        const raw = props[name];
        if (!isObj(raw)) {
          issue(t.line, `${r.heading}: \`${name}\` is in the table but not in the schema ${r.schema}`);
          continue;
        }
        const s = deref(raw, doc);
        const ruleText = row[col(r.rule)] ?? '';
        const bounds = proseBounds(ruleText);
        if (bounds) {
          const [lo, hi] = bounds;
          const sLo = s.minLength ?? s.minItems ?? s.minimum;
          const sHi = s.maxLength ?? s.maxItems ?? s.maximum ?? s.maxProperties;
          if (lo !== undefined && sLo !== lo)
            issue(
              t.line,
              `${r.heading}: \`${name}\` is "${ruleText}" but the schema's lower bound is ${String(sLo)}`,
            );
          if (hi !== undefined && sHi !== hi)
            issue(
              t.line,
              `${r.heading}: \`${name}\` is "${ruleText}" but the schema's upper bound is ${String(sHi)}`,
            );
        }
        if (r.default) {
          const want = /^`([^`]+)`$|^(\d+)$/.exec(row[col(r.default)] ?? '');
          const value = want?.[1] ?? (want?.[2] !== undefined ? Number(want[2]) : undefined);
          if (value !== undefined && s.default !== value)
            issue(
              t.line,
              `${r.heading}: \`${name}\` defaults to ${JSON.stringify(value)} in the table but ${JSON.stringify(s.default)} in the schema`,
            );
        }
        if (r.required) {
          const optional = /optional/.test(ruleText);
          if (optional === required.has(name))
            issue(
              t.line,
              `${r.heading}: \`${name}\` is ${optional ? 'optional' : 'required'} in the table but ${required.has(name) ? 'required' : 'optional'} in the schema ${r.schema}`,
            );
        }
      }
    }
    if (r.required) {
      for (const name of Object.keys(props)) {
        if (!seen.has(name))
          issue(
            t.line,
            `${r.heading}: the schema ${r.schema} defines \`${name}\`, which the table does not list`,
          );
      }
    }
  }

  // Registry (§19.1) and levels (§2) name the same capabilities; the health schema knows the registry's sub-fields.
  const registry = tables.find((t) => t.heading.startsWith('19.1') && t.header[0] === 'name');
  const levels = tables.find((t) => t.heading.startsWith('2. Compliance levels') && t.header[0] === 'level');
  if (registry && levels) {
    const registered = new Set(registry.rows.flatMap((r) => codeNames(r[0] ?? '')));
    for (const row of levels.rows) {
      for (const name of codeNames(row[row.length - 1] ?? '')) {
        if (!registered.has(name))
          issue(levels.line, `capability \`${name}\` of the levels table is not in the registry (§19.1)`);
      }
    }
    const health = docs.get('health') as Json | undefined;
    const details = isObj(health?.properties) ? (health.properties as Json).capability_details : undefined;
    const typed = isObj(details) && isObj(details.properties) ? Object.keys(details.properties) : [];
    for (const row of registry.rows) {
      const [name] = codeNames(row[0] ?? '');
      const hasFields = !/^none$/.test(row[2] ?? '');
      if (name && hasFields !== typed.includes(name) && !name.startsWith('x_'))
        issue(
          registry.line,
          `capability \`${name}\`: the registry ${hasFields ? 'defines' : 'defines no'} sub-fields but the health schema ${typed.includes(name) ? 'types' : 'does not type'} them`,
        );
    }
  } else {
    issue(0, 'the capability registry (§19.1) or the levels table (§2) is missing');
  }

  // Error codes: one status each.
  const codes = tables.find((t) => t.heading.startsWith('9.3') && t.header[1] === 'code');
  if (codes) {
    const statusOf = new Map<string, string>();
    for (const row of codes.rows) {
      for (const code of codeNames(row[1] ?? '')) {
        const before = statusOf.get(code);
        if (before && before !== row[0])
          issue(codes.line, `error code \`${code}\` has two statuses: ${before} and ${row[0]}`);
        statusOf.set(code, row[0] ?? '');
      }
    }
  }
  return issues;
}
