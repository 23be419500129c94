/**
 * Preconditions of the checks of what 0.4 adds: they apply to a server that lists 0.4 in health `versions`
 * (SPEC.md §1.2); a server that implements only 0.3 (or a draft) is not judged by them. What the server lists is
 * read once, by the preflight (core/spec-version.ts).
 */
import type { CheckContext } from '../core/harness.ts';
import { compareVersions } from '../core/levels.ts';

/** The versions health lists (`versions`, or `[version]` for a 0.3 server without it). */
export function declaredVersions(t: CheckContext): string[] {
  return t.run.versions;
}

/** Whether the server lists `version` or a later minor version of the same major. */
export function listsVersion(t: CheckContext, version = '0.4'): boolean {
  const [major] = version.split('.');
  return t.run.versions.some((v) => v.split('.')[0] === major && compareVersions(v, version) >= 0);
}

/** Skip (not applicable) unless the server lists `version` or a later one of the same major. */
export async function requireVersion(t: CheckContext, version = '0.4'): Promise<void> {
  if (!listsVersion(t, version))
    t.skip('not-applicable', `the server does not list version ${version} in health versions`);
}
