/**
 * The MCP URLs of SPEC.md §13.1 under a mount path (default `/mcp`):
 * - `/mcp` and `/mcp/{client_name}/http/{user_id}`: Streamable HTTP (GET, POST, DELETE);
 * - `/mcp/{client_name}/sse/{user_id}`: the legacy HTTP+SSE stream (GET);
 * - `/mcp/{client_name}/sse/{user_id}/messages?sessionId=...`: where that stream's client posts (POST).
 */

/** One matched MCP URL. */
export interface McpRoute {
  transport: 'http' | 'sse' | 'sse-messages';
  /** The URL's `{client_name}`, percent-decoded. */
  clientName?: string | undefined;
  /** The URL's `{user_id}`, percent-decoded. */
  userId?: string | undefined;
  /** The matched path as received, without `/messages` (the SSE endpoint is announced relative to it). */
  path: string;
  /** Methods the URL supports, for 405 and `Allow`. */
  methods: readonly string[];
}

const MAX_USER_ID = 255;

function decode(segment: string | undefined): string | undefined {
  if (!segment) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The route of a path, or undefined when the path is no MCP endpoint. A `{user_id}` must be usable as
 * `source.user_id` (1 to 255 code points) and a `{client_name}` must not be empty.
 */
export function matchRoute(pathname: string, mountPath: string): McpRoute | undefined {
  if (pathname === mountPath || pathname === `${mountPath}/`)
    return { transport: 'http', path: mountPath, methods: ['GET', 'POST', 'DELETE'] };
  if (!pathname.startsWith(`${mountPath}/`)) return undefined;
  // One trailing slash is tolerated (OpenMemory URLs are often configured with one).
  if (pathname.endsWith('/')) pathname = pathname.slice(0, -1);
  const parts = pathname.slice(mountPath.length + 1).split('/');
  const [rawClient, kind, rawUser, tail] = parts;
  const clientName = decode(rawClient);
  const userId = decode(rawUser);
  if (clientName === undefined || userId === undefined) return undefined;
  const userLength = Array.from(userId).length;
  if (userLength < 1 || userLength > MAX_USER_ID) return undefined;
  const path = `${mountPath}/${rawClient}/${kind}/${rawUser}`;
  if (parts.length === 3 && kind === 'http')
    return { transport: 'http', clientName, userId, path, methods: ['GET', 'POST', 'DELETE'] };
  if (parts.length === 3 && kind === 'sse')
    return { transport: 'sse', clientName, userId, path, methods: ['GET'] };
  if (parts.length === 4 && kind === 'sse' && tail === 'messages')
    return { transport: 'sse-messages', clientName, userId, path, methods: ['POST'] };
  return undefined;
}
