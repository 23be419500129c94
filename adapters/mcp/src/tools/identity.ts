/**
 * Which `source.tool` a memory added through MCP carries (OMP-MCP-010): the per-tool key's tool, else the
 * configured client name (the URL's `{client_name}`, or OMP_TOOL for the stdio adapter), else the
 * `clientInfo.name` sent at initialisation, else `mcp`.
 */
import type { Principal } from '@omp-kit/schemas/types';

/** The name used when nothing else names the client. */
export const FALLBACK_TOOL = 'mcp';

const MAX_CODE_POINTS = 100;

/**
 * A client-chosen name made a valid `source.tool`: control characters removed, then cut to 100 code points
 * (never inside a surrogate pair). Undefined when nothing is left.
 */
export function sanitizeToolName(raw: string | undefined | null): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const cleaned = Array.from(raw.replace(/\p{Cc}/gu, ''))
    .slice(0, MAX_CODE_POINTS)
    .join('');
  return cleaned.length > 0 ? cleaned : undefined;
}

/** Where a session's tool name can come from, best first after the key's own tool. */
export interface ToolNameSources {
  /** The URL's `{client_name}`, or the adapter's OMP_TOOL. */
  configured?: string | undefined;
  /** `clientInfo.name` of the MCP initialisation. */
  clientInfoName?: string | undefined;
}

/** The `source.tool` for a memory added by this key in this session. */
export function resolveSourceTool(principal: Pick<Principal, 'tool'>, sources: ToolNameSources): string {
  return (
    principal.tool ??
    sanitizeToolName(sources.configured) ??
    sanitizeToolName(sources.clientInfoName) ??
    FALLBACK_TOOL
  );
}
