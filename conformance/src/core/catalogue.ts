/**
 * The requirement catalogue, from `@omp-kit/spec` (generated from SPEC.md). The runner never restates a
 * requirement: levels, compliance and texts all come from here, and reports are stamped with its hash.
 */
import { type Requirement, requirementSetHash, requirements, specVersion } from '@omp-kit/spec';

/** The catalogue as the runner uses it. */
export interface Catalogue {
  specVersion: string;
  requirementSetHash: string;
  entries: ReadonlyMap<string, Requirement>;
}

let cached: Catalogue | undefined;

/** The catalogue, indexed by requirement ID (built once per process). */
export function loadCatalogue(): Catalogue {
  cached ??= { specVersion, requirementSetHash, entries: new Map(requirements.map((r) => [r.id, r])) };
  return cached;
}
