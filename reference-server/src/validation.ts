/**
 * Every validator the server uses, compiled once from the normative schemas through @omp-kit/schemas. Shapes
 * are never restated here: the list query and the keys file are small schemas made of `$ref`s to the normative
 * definitions.
 */
import { createAjv, schemaId, toViolations, type Violation, validatorFor } from '@omp-kit/schemas';
import type { ValidateFunction } from 'ajv/dist/2020.js';

const defs = (name: string): { $ref: string } => ({ $ref: `${schemaId('defs')}#/$defs/${name}` });

let listQuery: ValidateFunction | undefined;
let keysFile: ValidateFunction | undefined;

/** The validators, compiled on first use. */
export const validators = {
  create: (): ValidateFunction => validatorFor('create-request'),
  update: (): ValidateFunction => validatorFor('update-request'),
  search: (): ValidateFunction => validatorFor('search-request'),
  memory: (): ValidateFunction => validatorFor('memory'),
  /** An import item: a memory whose namespace and metadata may be absent (draft 0.2 files). */
  exportItem: (): ValidateFunction => validatorFor('export-item'),
  exportFile: (): ValidateFunction => validatorFor('export-file'),
  bulkDelete: (): ValidateFunction => validatorFor('bulk-delete-request'),
  /** A conflict strategy (`skip` | `overwrite` | `duplicate`). */
  conflict: (): ValidateFunction => conflictValidator(),
  /** Query parameters of GET /v1/memories, typed after coercion (integers, tags split on commas). */
  listQuery: (): ValidateFunction => {
    listQuery ??= createAjv().compile({
      type: 'object',
      properties: {
        type: { $ref: schemaId('memory-type') },
        tool: defs('toolName'),
        tags: defs('tagFilter'),
        namespace: defs('namespace'),
        limit: defs('limit'),
        offset: defs('offset'),
        cursor: defs('cursor'),
        sort: defs('sort'),
        state: defs('stateFilter'),
      },
      additionalProperties: false,
    });
    return listQuery;
  },
  /** The operator's keys file: [{key, principal, tool?, scopes?, read_scope?}]. */
  keysFile: (): ValidateFunction => {
    keysFile ??= createAjv().compile({
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'principal'],
        properties: {
          key: { type: 'string', minLength: 16, maxLength: 512, pattern: '^[\\x21-\\x7e]+$' },
          principal: { $ref: `${schemaId('principal')}#/properties/principal` },
          tool: defs('toolName'),
          scopes: { $ref: `${schemaId('principal')}#/properties/scopes` },
          read_scope: { $ref: `${schemaId('principal')}#/properties/read_scope` },
        },
        additionalProperties: false,
      },
    });
    return keysFile;
  },
};

let conflictFn: ValidateFunction | undefined;
function conflictValidator(): ValidateFunction {
  conflictFn ??= createAjv().compile(defs('conflictStrategy'));
  return conflictFn;
}

/** Run a validator; return its violations with paths prefixed (empty when valid). */
export function violationsOf(validate: ValidateFunction, value: unknown, prefix = ''): Violation[] {
  if (validate(value)) return [];
  return toViolations(validate.errors, prefix);
}

/** Re-express body-style paths (`/limit`, `/tags/2`) as query parameter paths (`?limit`, `?tags`). */
export function asQueryViolations(violations: readonly Violation[]): Violation[] {
  return violations.map((v) => {
    const name = v.path.split('/')[1];
    return { path: name ? `?${name}` : '?', message: v.message };
  });
}

// With the u flag, a surrogate pair is one code point, so this matches unpaired surrogates only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Strings stored as SQLite TEXT must be Unicode scalar values: SQLite would turn an unpaired surrogate (which
 * JSON can carry as `\ud800`) into U+FFFD and the memory would no longer read back as written (OMP-MEM-003).
 */
export function scalarViolations(value: unknown, prefix = ''): Violation[] {
  const out: Violation[] = [];
  const v = value as { content?: unknown; source?: { tool?: unknown } } | null;
  if (typeof v?.content === 'string' && LONE_SURROGATE.test(v.content)) {
    out.push({ path: `${prefix}/content`, message: 'must not contain unpaired surrogates' });
  }
  if (typeof v?.source?.tool === 'string' && LONE_SURROGATE.test(v.source.tool)) {
    out.push({ path: `${prefix}/source/tool`, message: 'must not contain unpaired surrogates' });
  }
  return out;
}

const isExt = (k: string): boolean => k.startsWith('x_');

function withoutExt(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  if (!Object.keys(o).some(isExt)) return v;
  return Object.fromEntries(Object.entries(o).filter(([k]) => !isExt(k)));
}

/**
 * Drop the extension members (`x_…`, SPEC.md §1.4) this server implements none of, where the schemas allow them:
 * the top level of a body, `source`, a bulk-delete `filter`, an export file's `server`, and import items with
 * their `source`. `metadata` is user data and is left alone. After this, a body is judged as if its extension
 * members had never been sent (OMP-EXT-001): an update of only `x_` members is empty (OMP-CRUD-015).
 */
export function stripExtensions(body: unknown): unknown {
  const top = withoutExt(body);
  if (top === null || typeof top !== 'object' || Array.isArray(top)) return top;
  const o = { ...(top as Record<string, unknown>) };
  for (const k of ['source', 'filter', 'server']) if (k in o) o[k] = withoutExt(o[k]);
  if (Array.isArray(o.memories)) o.memories = o.memories.map(stripItemExtensions);
  return o;
}

/** An import item without its extension members and those of its `source` (see stripExtensions). */
export function stripItemExtensions(item: unknown): unknown {
  const i = withoutExt(item);
  if (i === null || typeof i !== 'object' || Array.isArray(i) || !('source' in i)) return i;
  return { ...(i as Record<string, unknown>), source: withoutExt((i as { source: unknown }).source) };
}
