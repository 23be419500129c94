/**
 * omp-mcp: the MCP binding of the Open Memory Protocol (SPEC.md §13). The tool layer serves the five tools
 * over any OMP backend; `omp-mcp` (stdio.ts) is the stdio adapter; `createOmpMcpHttpHandler` serves
 * Streamable HTTP and SSE for a server's `/mcp` endpoints.
 */
export { createSdkBackend, type SdkBackendOptions } from './backend/sdk-backend.ts';
export type { BulkDeleteOptions, CallOptions, ListQuery, OmpBackend } from './backend/types.ts';
export { type AdapterConfig, readConfig } from './config.ts';
export { codeForStatus, ToolFailure, toEnvelope } from './errors.ts';
export {
  createOmpMcpHttpHandler,
  type OmpMcpHttpHandler,
  type OmpMcpHttpOptions,
  SESSION_LIMIT_CODE,
} from './http/handler.ts';
export { createOmpMcpServer, SERVER_INSTRUCTIONS } from './server.ts';
export { FALLBACK_TOOL, resolveSourceTool, sanitizeToolName } from './tools/identity.ts';
export { isToolName, TOOL_NAMES, type ToolName } from './tools/names.ts';
export {
  errorResult,
  type OmpToolsOptions,
  PRINCIPAL_AUTH_KEY,
  registerOmpTools,
  toolList,
} from './tools/register.ts';
export { loadToolSchemas, type ToolSchemas } from './tools/schemas.ts';
export { version } from './version.ts';
