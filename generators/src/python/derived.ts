/**
 * Facts the Python SDK needs that the language-neutral model (model.ts) does not carry directly, derived
 * here from the model rather than added to the shared IR:
 *
 * - the retry safety of one call, as the emitter needs it (from `retrySafe` and `retryUnsafeWhen`);
 * - comma-separated list parameters (`tags`), which openapi.yaml types as a patterned string;
 * - whether a body is passed as keyword arguments (its members) or whole (a document such as the export file).
 */
import type { ApiModel, OperationModel, ParamModel } from '../model.ts';

/** How the retry safety of one call is decided. */
export type RetrySafety =
  | { kind: 'always' }
  | { kind: 'never' }
  /** Unsafe by itself, safe once it carries an `Idempotency-Key` (the transport decides per call). */
  | { kind: 'keyed' }
  /** Safe unless the named choice (a query parameter and/or a top-level body member) has one of `values`. */
  | { kind: 'unless'; name: string; values: string[] };

/** The retry safety of an operation (SPEC.md §9.3), from the model's `retrySafe` and `retryUnsafeWhen`. */
export function retrySafety(op: OperationModel): RetrySafety {
  if (!op.retrySafe) return op.idempotencyKey ? { kind: 'keyed' } : { kind: 'never' };
  const w = op.retryUnsafeWhen;
  return w ? { kind: 'unless', name: w.name, values: [w.value] } : { kind: 'always' };
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
