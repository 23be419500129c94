/**
 * The stdio adapter's configuration from its environment (OMP-CLIENT-010): OMP_SERVER and OMP_API_KEY are
 * required, OMP_TOOL optionally names the client when the key is not a per-tool key, OMP_OUTPUT_SCHEMAS=off
 * leaves the tools' output schemas out of `tools/list` (an escape hatch for a client that cannot compile them).
 */

/** What the adapter runs with. */
export interface AdapterConfig {
  /** Root of the OMP server, without trailing slash or `/v1`. */
  baseUrl: string;
  apiKey: string;
  /** The `source.tool` for memories added with a global key (OMP-MCP-010). */
  clientName: string | undefined;
  /** Whether tools declare their output schemas (OMP_OUTPUT_SCHEMAS=off turns them off). */
  outputSchemas: boolean;
}

/** The configuration, or the message naming every missing or unusable variable. */
export function readConfig(env: NodeJS.ProcessEnv): { config: AdapterConfig } | { error: string } {
  const server = env.OMP_SERVER?.trim();
  const apiKey = env.OMP_API_KEY?.trim();
  const missing = [server ? undefined : 'OMP_SERVER', apiKey ? undefined : 'OMP_API_KEY'].filter(
    (v): v is string => v !== undefined,
  );
  if (missing.length > 0) {
    return {
      error:
        `omp-mcp: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set. ` +
        'Set OMP_SERVER to the OMP server URL (e.g. http://127.0.0.1:3456) and OMP_API_KEY to your key.',
    };
  }
  let url: URL;
  try {
    url = new URL(server!);
  } catch {
    return { error: `omp-mcp: OMP_SERVER is not a URL: ${JSON.stringify(server)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { error: `omp-mcp: OMP_SERVER must be an http or https URL, not ${url.protocol}` };
  const tool = env.OMP_TOOL?.trim();
  const schemas = env.OMP_OUTPUT_SCHEMAS?.trim().toLowerCase();
  if (schemas && !['on', 'off', 'true', 'false', '1', '0'].includes(schemas))
    return {
      error: `omp-mcp: OMP_OUTPUT_SCHEMAS must be on or off, not ${JSON.stringify(env.OMP_OUTPUT_SCHEMAS)}`,
    };
  return {
    config: {
      // The server root: a URL given with the API prefix (`.../v1`, as some clients show it) is accepted too.
      baseUrl: server!.replace(/\/+$/, '').replace(/\/v1$/, ''),
      apiKey: apiKey!,
      clientName: tool || undefined,
      outputSchemas: !['off', 'false', '0'].includes(schemas ?? ''),
    },
  };
}
