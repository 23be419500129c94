import type { Violation } from '@omp-kit/schemas';

const INTEGER = /^(0|[1-9][0-9]*)$/;

/** Parameters whose values are integers on the wire (SPEC.md §5.2: decimal, no sign, no leading zeros). */
const INTEGER_PARAMS = new Set(['limit', 'offset']);
/** Parameters holding a comma-separated list. */
const LIST_PARAMS = new Set(['tags', 'state']);

/**
 * Parse a query string strictly: unknown and repeated parameters are violations (OMP-HTTP-020, OMP-HTTP-007).
 * Values are coerced to what the schemas expect (integers, tag arrays) so that the normative schemas can judge
 * them; a value that cannot be coerced is left as a string and fails validation there.
 */
export function parseQuery(
  search: URLSearchParams,
  allowed: readonly string[],
): { values: Record<string, unknown>; violations: Violation[] } {
  const values: Record<string, unknown> = {};
  const violations: Violation[] = [];
  const seen = new Set<string>();
  for (const [name, raw] of search) {
    if (name.startsWith('x_')) continue; // extension parameters are ignored (OMP-EXT-002)
    if (!allowed.includes(name)) {
      violations.push({ path: `?${name}`, message: 'is not a parameter of this endpoint' });
      continue;
    }
    if (seen.has(name)) {
      violations.push({ path: `?${name}`, message: 'must not be given more than once' });
      continue;
    }
    seen.add(name);
    if (INTEGER_PARAMS.has(name)) values[name] = INTEGER.test(raw) ? Number(raw) : raw;
    // A repeated tag in an AND filter is the same filter (the 0.3 document allows it in the query, though
    // not in a body): kept once, so it never reaches the schema's uniqueItems.
    else if (LIST_PARAMS.has(name)) values[name] = [...new Set(raw.split(','))];
    else values[name] = raw;
  }
  return { values, violations };
}
