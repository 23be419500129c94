/**
 * Facts the Python SDK needs that the language-neutral model (model.ts) does not carry, derived here from
 * the model and the spec rather than added to the shared IR (whose owner may adopt them later):
 *
 * - retry safety of POST operations (SPEC.md §9.3, last paragraph: search is idempotent, import is under
 *   `skip` and `overwrite`); openapi.yaml has no `x-omp-idempotent` marks yet, so the model says
 *   `retrySafe: false` for every POST;
 * - comma-separated list parameters (`tags`), which openapi.yaml types as a patterned string;
 * - whether a body is passed as keyword arguments (its members) or whole (a document such as the export file).
 */
import type { ApiModel, OperationModel, ParamModel } from '../model.ts';

/** How the retry safety of one call is decided. */
export type RetrySafety =
  | { kind: 'always' }
  | { kind: 'never' }
  /** Safe unless the named choice (a query parameter and/or a top-level body member) has one of `values`. */
  | { kind: 'unless'; name: string; values: string[] };

/**
 * SPEC.md §9.3: "every GET, PUT and DELETE is idempotent, as are search and import under skip or overwrite.
 * A create is not idempotent." Keyed by operationId; the model's `retrySafe` covers the rest.
 */
const section93: Readonly<Record<string, RetrySafety>> = {
  searchMemories: { kind: 'always' },
  importMemories: { kind: 'unless', name: 'conflict', values: ['duplicate'] },
};

/** The retry safety of an operation: §9.3's POST rules first, else the model's `retrySafe`. */
export function retrySafety(op: OperationModel): RetrySafety {
  return section93[op.id] ?? (op.retrySafe ? { kind: 'always' } : { kind: 'never' });
}

/**
 * True when a string query parameter is a comma-separated list: its pattern is `^E(,E){0,n}$` for one
 * element pattern E (the `tags` filter). The SDK then takes a sequence and joins it.
 */
export function isCommaList(p: ParamModel): boolean {
  const pattern = p.constraints.pattern;
  if (p.constraints.type !== 'string' || typeof pattern !== 'string') return false;
  const m = /^\^(.+)\(,(.+)\)\{0,\d+\}\$$/.exec(pattern);
  return m !== null && m[1] === m[2];
}

/** Type URIs returned by some operation: such a body is a document the caller round-trips, passed whole. */
export function returnedTypes(model: ApiModel): Set<string> {
  return new Set(model.operations.flatMap((o) => (o.success.type ? [o.success.type.uri] : [])));
}
