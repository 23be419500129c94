/**
 * Which version of the spec a server is certified against: the one the run's options name, else the newest
 * version both the runner (a catalogue of it: the current one or a frozen copy under spec/releases/<version>) and
 * the server (health `versions`, or `version` for a 0.3 or draft server) speak. Response shapes are validated
 * against that version's schemas (or a later one's), and the checks of requirements that version does not hold
 * are not applicable (registry.ts). SPEC.md §1.2: a server answers under the newest version it lists.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type SchemaName, validatorFor, validatorIn } from '@omp-kit/schemas';
import { releasedVersions, releaseSchemaDir } from '@omp-kit/spec';
import { certifiableVersions, loadCatalogue } from './catalogue.ts';
import { compareVersions } from './levels.ts';

/** The versions a health body lists: `versions`, else `[version]` (a 0.3 or draft server has no `versions`). */
export function listedVersions(body: unknown): string[] {
  const b = (body && typeof body === 'object' ? body : {}) as { version?: unknown; versions?: unknown };
  if (Array.isArray(b.versions)) return b.versions.filter((v): v is string => typeof v === 'string');
  return typeof b.version === 'string' ? [b.version] : [];
}

/**
 * The version a server listing `listed` is certified against (`requested` when the run's options name one): the current one when it lists it (or lists nothing usable:
 * a server that says nothing is held to the current text), else the newest frozen version it lists, else the
 * oldest frozen version at or above what it lists (a draft-era server is judged as its successor).
 */
export function judgedVersion(listed: readonly string[], requested?: string): string {
  if (requested) return requested;
  const current = loadCatalogue().specVersion;
  const valid = listed.filter((v) => /^\d+\.\d+$/.test(v));
  if (valid.length === 0 || valid.includes(current)) return current;
  const known = certifiableVersions();
  const newestListed = [...valid].sort(compareVersions).at(-1) as string;
  if (compareVersions(newestListed, current) > 0) return current;
  const listedKnown = known.filter((v) => valid.includes(v));
  if (listedKnown.length) return listedKnown.at(-1) as string;
  return known.find((v) => compareVersions(v, newestListed) >= 0) ?? current;
}

/** Whether a server judged by `version` is held to what `since` added. */
export function atLeast(version: string, since: string): boolean {
  return compareVersions(version, since) >= 0;
}

/**
 * The validators a body of a server judged by `version` may satisfy: that version's schema first, then each later
 * version's up to the current one. A body valid under a later version is not held against a server (what a later
 * version adds, a client of the older one ignores: OMP-CLIENT-001), so it is accepted too.
 */
export function schemaValidators(version: string, name: SchemaName): Array<ReturnType<typeof validatorFor>> {
  const current = loadCatalogue().specVersion;
  if (version === current) return [validatorFor(name)];
  const later = releasedVersions().filter((v) => compareVersions(v, version) >= 0 && v !== current);
  const out: Array<ReturnType<typeof validatorFor>> = [];
  for (const v of later) {
    const dir = releaseSchemaDir(v);
    if (dir && existsSync(join(dir, `${name}.schema.json`))) out.push(validatorIn(dir, name));
  }
  out.push(validatorFor(name));
  return out;
}

/** Whether a body is valid for a server judged by `version` (see schemaValidators). */
export function validForVersion(version: string, name: SchemaName, body: unknown): boolean {
  return schemaValidators(version, name).some((v) => v(body) === true);
}
