/**
 * Version helpers of the checks. Which checks apply to the version certified against is not decided here but by
 * the catalogues (registry.ts: a check applies to the versions whose catalogue holds its requirement); these
 * helpers serve a check whose requirement both versions hold but whose details a later version extended.
 */
import type { CheckContext } from '../core/harness.ts';
import { atLeast } from '../core/spec-version.ts';

/** The versions health lists (`versions`, or `[version]` for a 0.3 server without it). */
export function declaredVersions(t: CheckContext): string[] {
  return t.run.versions;
}

/** Whether the run certifies `version` or a later one (e.g. what 0.4 extended in a requirement 0.3 also has). */
export function certifiesAtLeast(t: CheckContext, version: string): boolean {
  return atLeast(t.run.judgedVersion, version);
}
