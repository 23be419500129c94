/**
 * The severity of each change kind, in one table so the policy is reviewable in one place.
 * Schema-level kinds depend on the direction: a request that accepts less breaks existing clients; a response
 * that drops a promised member or may carry new values breaks clients that rely on the old shape.
 */
import type { ChangeKind, Direction, Severity } from '../types.ts';

type Rule = Severity | { request: Severity; response: Severity };

const rules: Record<ChangeKind, Rule> = {
  'operation-removed': 'breaking',
  'operation-added': 'non-breaking',
  // An operation that was open to everyone now needs a key: every anonymous caller breaks.
  'security-added': 'breaking',
  'security-removed': 'non-breaking',
  // OMP servers reject unknown query parameters (OMP-HTTP-020), so a client still sending one breaks.
  'parameter-removed': 'breaking',
  'parameter-added': 'non-breaking',
  'parameter-required': 'breaking',
  'parameter-optional': 'non-breaking',
  // `tags=a,b` vs `tags=a&tags=b`: the same values no longer reach the server in the same form.
  'parameter-style-changed': 'breaking',
  // A comma-separated string re-described as an array with explode off: same wire form, possibly other values.
  'parameter-representation-changed': 'potentially-breaking',
  'request-body-removed': 'breaking',
  'request-body-added': 'non-breaking',
  'request-body-required': 'breaking',
  'media-type-removed': 'breaking',
  'media-type-added': 'non-breaking',
  'response-status-removed': 'breaking',
  'response-status-added': 'non-breaking',
  'response-header-removed': 'breaking',
  'response-header-added': 'non-breaking',
  // field-removed in a request whose object stays open is softened by the caller (see schema.ts).
  'field-removed': 'breaking',
  'field-added': 'non-breaking',
  'field-required': { request: 'breaking', response: 'non-breaking' },
  'field-optional': { request: 'non-breaking', response: 'breaking' },
  // SPEC.md §1.2: a minor version never removes an enum value, whichever side of the wire carries it.
  'enum-value-removed': 'breaking',
  'enum-value-added': { request: 'non-breaking', response: 'potentially-breaking' },
  'type-narrowed': { request: 'breaking', response: 'non-breaking' },
  'type-widened': { request: 'non-breaking', response: 'potentially-breaking' },
  'constraint-narrowed': { request: 'breaking', response: 'non-breaking' },
  'constraint-widened': { request: 'non-breaking', response: 'potentially-breaking' },
  // A changed pattern or format cannot be proved wider, so a request treats it as narrower.
  'constraint-changed': { request: 'breaking', response: 'potentially-breaking' },
  'additional-properties-closed': { request: 'breaking', response: 'non-breaking' },
  'additional-properties-opened': { request: 'non-breaking', response: 'potentially-breaking' },
  'default-changed': 'potentially-breaking',
  'schema-changed': 'potentially-breaking',
  'error-code-removed': 'breaking',
  // OMP-CLIENT-002: clients handle unknown codes by status, so servers may add codes.
  'error-code-added': 'non-breaking',
  'error-code-status-changed': 'breaking',
  'requirement-removed': 'breaking',
  // Retired with the IDs that carry it on (SPEC.md §1.2: a documented replacement in 0.x): a reviewer looks.
  'requirement-replaced': 'potentially-breaking',
  'requirement-added': 'non-breaking',
  'requirement-weakened': 'breaking',
  // A stronger keyword may fail servers certified against the old text: a reviewer should look.
  'requirement-strengthened': 'potentially-breaking',
  'requirement-level-changed': 'breaking',
  'requirement-compliance-moved': 'breaking',
  'requirement-untestable': 'breaking',
  'requirement-testable': 'non-breaking',
  'requirement-text-changed': 'potentially-breaking',
};

/** The severity of a change kind; `direction` matters only for schema-level kinds. */
export function severityOf(kind: ChangeKind, direction: Direction = 'request'): Severity {
  const rule = rules[kind];
  return typeof rule === 'string' ? rule : rule[direction];
}

/** The whole policy, for the README and the tests: kind → severity per direction. */
export function severityTable(): Array<{ kind: ChangeKind; request: Severity; response: Severity }> {
  return (Object.keys(rules) as ChangeKind[]).map((kind) => ({
    kind,
    request: severityOf(kind, 'request'),
    response: severityOf(kind, 'response'),
  }));
}
