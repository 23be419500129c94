/** Shared vocabulary of omp-spec-diff: severities, change kinds, one change, one report. */

/** How bad a change is for existing clients and certified servers. */
export type Severity = 'breaking' | 'potentially-breaking' | 'non-breaking';

/** Severities from worst to mildest; the order reports are printed in. */
export const severities: readonly Severity[] = ['breaking', 'potentially-breaking', 'non-breaking'];

/**
 * Which side of the wire a schema describes. A request schema that accepts less breaks clients; a response
 * schema that may carry more (or drops what it promised) breaks clients.
 */
export type Direction = 'request' | 'response';

/** Every kind of change the tool reports; the README's table says which severity each one gets. */
export type ChangeKind =
  | 'operation-removed'
  | 'operation-added'
  | 'security-added'
  | 'security-removed'
  | 'parameter-removed'
  | 'parameter-added'
  | 'parameter-required'
  | 'parameter-optional'
  | 'parameter-style-changed'
  | 'parameter-representation-changed'
  | 'request-body-removed'
  | 'request-body-added'
  | 'request-body-required'
  | 'media-type-removed'
  | 'media-type-added'
  | 'response-status-removed'
  | 'response-status-added'
  | 'response-header-removed'
  | 'response-header-added'
  | 'field-removed'
  | 'field-added'
  | 'field-required'
  | 'field-optional'
  | 'enum-value-removed'
  | 'enum-value-added'
  | 'type-narrowed'
  | 'type-widened'
  | 'constraint-narrowed'
  | 'constraint-widened'
  | 'constraint-changed'
  | 'additional-properties-closed'
  | 'additional-properties-opened'
  | 'default-changed'
  | 'schema-changed'
  | 'error-code-removed'
  | 'error-code-added'
  | 'error-code-status-changed'
  | 'requirement-removed'
  | 'requirement-replaced'
  | 'requirement-added'
  | 'requirement-weakened'
  | 'requirement-strengthened'
  | 'requirement-level-changed'
  | 'requirement-compliance-moved'
  | 'requirement-untestable'
  | 'requirement-testable'
  | 'requirement-text-changed';

/** One difference between the old and the new spec. */
export interface Change {
  kind: ChangeKind;
  severity: Severity;
  /** Where: `POST /v1/memories request body /source/tool`, `requirement OMP-CRUD-001`, `SPEC.md §9.3`. */
  location: string;
  /** One sentence for people. */
  message: string;
  /** The old value, when there is one worth showing (a bound, an enum value, a level). */
  before?: unknown;
  /** The new value, likewise. */
  after?: unknown;
}

/** What the diff compared: a version's label and where it was read from. */
export interface VersionInfo {
  /** `info.version` of the openapi document, e.g. `0.3`. */
  version: string;
  /** The folder (or file) given on the command line, as given. */
  source: string;
}

/** The result of comparing two spec versions. */
export interface DiffReport {
  old: VersionInfo;
  new: VersionInfo;
  summary: Record<Severity, number>;
  /** Sorted: worst severity first, then by location. */
  changes: Change[];
  /** Parts that could not be compared (e.g. no requirements.json on one side), so a reader knows the gaps. */
  notes: string[];
}
