/**
 * Checks as data. A checks file calls `check(id, title, fn, options)` at import time; the registry keeps them
 * in definition order and resolves each against the requirement catalogue of the version certified (RFC 2119
 * keyword, compliance level, and the versions it applies to: those whose catalogue holds its requirement).
 */
import { anyRequirement, catalogueFor, loadCatalogue, versionsOf } from './catalogue.ts';
import type { CheckSpec, Level, Need, ResolvedCheck, Rfc2119 } from './types.ts';

/** Options of one check beside its id, title and function. */
export interface CheckOptions {
  /** Further requirement IDs this check also verifies (reported, counted for coverage). */
  also?: string[];
  needs?: Need[];
  exclusive?: boolean;
  timeoutMs?: number;
  /**
   * The spec versions the check applies to, when not those whose catalogue holds its primary requirement (the
   * default, and the rule: a check of a requirement a version withdrew or had not yet added does not apply).
   */
  versions?: string[];
}

/** Stable check ID: a requirement ID, optionally followed by `.slug` when several checks verify it. */
export const checkIdPattern = /^(OMP-[A-Z]+-\d{3})(?:\.([a-z0-9]+(?:-[a-z0-9]+)*))?$/;

const defined: CheckSpec[] = [];
const ids = new Set<string>();

/** Define one check. Throws on a malformed or duplicate ID (a programming error, caught by the unit tests). */
export function check(id: string, title: string, run: CheckSpec['run'], options: CheckOptions = {}): void {
  const m = checkIdPattern.exec(id);
  if (!m?.[1]) throw new Error(`malformed check id "${id}": want OMP-AREA-NNN or OMP-AREA-NNN.slug`);
  if (ids.has(id)) throw new Error(`duplicate check id "${id}"`);
  if (!/^(MUST|SHOULD|MAY)\b/.test(title))
    throw new Error(`check ${id}: title must start with MUST/SHOULD/MAY`);
  ids.add(id);
  const requirements = [m[1], ...(options.also ?? []).filter((r) => r !== m[1])];
  defined.push({
    id,
    title,
    requirements,
    needs: options.needs ?? [],
    exclusive: options.exclusive ?? false,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.versions ? { versions: options.versions } : {}),
    run,
  });
}

/** Every check defined so far, in definition order. */
export function definedChecks(): readonly CheckSpec[] {
  return defined;
}

/** What the registry needs to know of one catalogue entry. */
export interface CatalogueEntry {
  id: string;
  level: Rfc2119;
  compliance: string;
  testable: boolean;
  section?: string;
  anchor?: string;
  text?: string;
}

/** Map the catalogue's compliance name ('Core', 'Search', …) to a runner level. */
export function complianceToLevel(c: string): Level {
  const l = c.toLowerCase();
  if (l === 'core' || l === 'search' || l === 'full' || l === 'mcp' || l === 'control') return l;
  // The only client the runner certifies is an MCP adapter (OMP-CLIENT-010), run at the MCP level.
  if (l === 'client') return 'mcp';
  return 'core';
}

/**
 * Resolve checks against the catalogue of `version` (the one certified against). A check applies to the versions
 * whose catalogue holds its primary requirement (unless it says otherwise); under the version certified it cites
 * only that version's requirement IDs (a further ID another version withdrew or added is left out). A check
 * citing an ID of no catalogue is kept, marked invalid (reported as error).
 */
export function resolveChecks(
  specs: readonly CheckSpec[],
  version: string = loadCatalogue().specVersion,
): ResolvedCheck[] {
  const entries = catalogueFor(version)?.entries ?? new Map<string, CatalogueEntry>();
  return specs.map((s) => {
    const primary = s.requirements[0] as string;
    const area = primary.split('-')[1] ?? 'OTHER';
    const unknown = s.requirements.filter((r) => versionsOf(r).length === 0);
    const versions = s.versions ?? versionsOf(primary);
    const applies = versions.includes(version);
    const entry: CatalogueEntry | undefined = entries.get(primary) ?? anyRequirement(primary);
    const resolved: ResolvedCheck = {
      ...s,
      requirements: applies ? s.requirements.filter((r, i) => i === 0 || entries.has(r)) : s.requirements,
      versions,
      area,
      rfc: entry?.level ?? 'MUST',
      level: complianceToLevel(entry?.compliance ?? 'Core'),
    };
    if (unknown.length > 0)
      resolved.invalid = `cites requirement IDs not in any catalogue: ${unknown.join(', ')}`;
    return resolved;
  });
}

/** Whether a failure of this check is a warning (SHOULD-level) rather than a failure. */
export function isAdvisory(rfc: Rfc2119): boolean {
  return rfc.startsWith('SHOULD') || rfc.startsWith('MAY');
}
