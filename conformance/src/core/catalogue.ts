/**
 * The requirement catalogues, from `@omp-kit/spec` (generated from SPEC.md): the current one and those of the
 * released versions frozen under spec/releases/<version>/requirements.json. The runner never restates a
 * requirement: levels, compliance, texts, and the versions a check applies to (the versions whose catalogue holds
 * its requirement) all come from here, and reports are stamped with the hash of the catalogue certified against.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Requirement,
  releasesPath,
  requirementSetHash,
  requirements,
  type Catalogue as SpecCatalogue,
  specVersion,
} from '@omp-kit/spec';
import { compareVersions } from './levels.ts';

/** The catalogue as the runner uses it. */
export interface Catalogue {
  specVersion: string;
  requirementSetHash: string;
  entries: ReadonlyMap<string, Requirement>;
}

let cached: Catalogue | undefined;
const released = new Map<string, Catalogue | null>();

/** The current catalogue (the working draft's or newest release's), indexed by requirement ID. */
export function loadCatalogue(): Catalogue {
  cached ??= { specVersion, requirementSetHash, entries: new Map(requirements.map((r) => [r.id, r])) };
  return cached;
}

/** The catalogue of one version: the current one, or a released version's frozen copy; undefined when none. */
export function catalogueFor(version: string): Catalogue | undefined {
  const current = loadCatalogue();
  if (version === current.specVersion) return current;
  if (!/^\d+\.\d+$/.test(version)) return undefined;
  if (!released.has(version)) {
    const file = join(releasesPath, version, 'requirements.json');
    if (!existsSync(file)) released.set(version, null);
    else {
      const c = JSON.parse(readFileSync(file, 'utf8')) as SpecCatalogue;
      released.set(version, {
        specVersion: c.spec_version,
        requirementSetHash: c.requirement_set_hash,
        entries: new Map(c.requirements.map((r) => [r.id, r])),
      });
    }
  }
  return released.get(version) ?? undefined;
}

/** Every version the runner can certify against (a catalogue for it exists), oldest first. */
export function certifiableVersions(): string[] {
  const current = loadCatalogue().specVersion;
  const out = new Set<string>([current]);
  if (existsSync(releasesPath))
    for (const v of readdirSync(releasesPath))
      if (/^\d+\.\d+$/.test(v) && compareVersions(v, current) <= 0 && catalogueFor(v)) out.add(v);
  return [...out].sort(compareVersions);
}

/** The versions whose catalogue holds a requirement ID, oldest first (empty: an ID of no version). */
export function versionsOf(id: string): string[] {
  return certifiableVersions().filter((v) => catalogueFor(v)?.entries.has(id));
}

/** A requirement as the newest catalogue holding it states it (for IDs a later version withdrew). */
export function anyRequirement(id: string): Requirement | undefined {
  for (const v of certifiableVersions().reverse()) {
    const r = catalogueFor(v)?.entries.get(id);
    if (r) return r;
  }
  return undefined;
}
