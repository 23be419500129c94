/** The level table of SPEC §2 as data: capability names each level implies, and the spec's minimum limits. */
import type { Level } from './types.ts';

/** SPEC §2 table: the capability names each level implies (the current version's table). */
export const LEVEL_CAPABILITIES: Readonly<Record<Level, readonly string[]>> = {
  core: ['keyword_search'],
  search: ['semantic_search', 'hybrid_search', 'embeddings'],
  full: ['per_tool_keys', 'multi_user'],
  mcp: ['mcp_http', 'mcp_sse'],
  control: ['control'],
};

/** Capability names a level implies only since a version (0.4 added `embeddings` to Search). */
const ADDED_IN: ReadonlyArray<{ version: string; level: Level; capability: string }> = [
  { version: '0.4', level: 'search', capability: 'embeddings' },
  { version: '0.4', level: 'control', capability: 'control' },
];

/** The capability names a level implies under the spec version a server is judged by (e.g. '0.3'). */
export function levelCapabilities(level: Level, version: string): readonly string[] {
  const missing = ADDED_IN.filter((a) => a.level === level && compareVersions(version, a.version) < 0);
  return LEVEL_CAPABILITIES[level].filter((c) => !missing.some((a) => a.capability === c));
}

/** Order of MAJOR.MINOR versions: negative when a is older than b. */
export function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

/** SPEC OMP-HTTP-017: the smallest limits a server may declare (what every server accepts at least). */
export const MINIMUM_LIMITS = { max_body_bytes: 262_144, max_import_bytes: 33_554_432 } as const;
