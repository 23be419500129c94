/**
 * Preconditions of the checks of what 0.4 adds: they apply to a server that lists 0.4 in health `versions`
 * (SPEC.md §1.2); a server that implements only 0.3 is not judged by them.
 */
import type { CheckContext } from '../core/context.ts';

/** The versions health lists (`versions`, or `[version]` for a 0.3 server without it). */
export async function declaredVersions(t: CheckContext): Promise<string[]> {
  const res = await t.anon.get('/v1/health');
  const h = res.json as { version?: unknown; versions?: unknown };
  if (Array.isArray(h?.versions)) return h.versions.filter((v): v is string => typeof v === 'string');
  return typeof h?.version === 'string' ? [h.version] : [];
}

/** Skip (not applicable) unless the server lists `version` or a later one of the same major. */
export async function requireVersion(t: CheckContext, version = '0.4'): Promise<void> {
  const [major, minor] = version.split('.').map(Number);
  const ok = (await declaredVersions(t)).some((v) => {
    const [a, b] = v.split('.').map(Number);
    return a === major && (b as number) >= (minor as number);
  });
  if (!ok) t.skip('not-applicable', `the server does not list version ${version} in health versions`);
}
