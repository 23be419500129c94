/** The level table of SPEC §2 as data: capability names each level implies, and the spec's minimum limits. */
import type { Level } from './types.ts';

/** SPEC §2 table: the capability names each level implies. */
export const LEVEL_CAPABILITIES: Readonly<Record<Level, readonly string[]>> = {
  core: ['keyword_search'],
  search: ['semantic_search', 'hybrid_search'],
  full: ['per_tool_keys', 'multi_user'],
  mcp: ['mcp_http', 'mcp_sse'],
};

/** SPEC OMP-LEVEL-005: capabilities that belong to no level. */
export const LEVELLESS_CAPABILITIES: readonly string[] = ['rate_limiting', 'extract', 'compress'];

/** SPEC OMP-HTTP-017: the smallest limits a server may declare (what every server accepts at least). */
export const MINIMUM_LIMITS = { max_body_bytes: 262_144, max_import_bytes: 33_554_432 } as const;
