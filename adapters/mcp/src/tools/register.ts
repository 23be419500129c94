/**
 * The transport-independent tool layer: the five OMP tools on an `McpServer`, with the input and output
 * schemas of `mcp-tools` served as they are. `McpServer.registerTool` of the MCP TypeScript SDK 1.x only takes
 * Zod schemas, which would mean restating the normative JSON Schemas, so `tools/list` and `tools/call` are
 * served through the same `McpServer`'s underlying protocol server instead.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type ServerNotification,
  type Tool,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '@omp-kit/schemas/types';
import { OmpError } from 'omp-sdk';
import type { OmpBackend } from '../backend/types.ts';
import { ToolFailure, toEnvelope, validationFailure } from '../errors.ts';
import {
  addMemories,
  deleteAllMemories,
  deleteMemories,
  listMemories,
  searchMemory,
  type ToolCallContext,
} from './handlers.ts';
import { isToolName, TOOL_NAMES, type ToolName } from './names.ts';
import { renderAdd, renderDelete, renderDeleteAll, renderError, renderList, renderSearch } from './render.ts';
import { loadToolSchemas, type ToolSchemas } from './schemas.ts';

/** How the tools reach the OMP server and name their caller. */
export interface OmpToolsOptions {
  /** The OMP HTTP API, bound to the caller's key. */
  backend: OmpBackend;
  /** The URL's `{client_name}` or the adapter's OMP_TOOL: the `source.tool` when the key has no tool. */
  clientName?: string | undefined;
  /** The URL's `{user_id}`: the `source.user_id` of added memories. */
  userId?: string | undefined;
  /** Where unexpected failures (bugs, not request errors) are reported; stderr for the stdio adapter. */
  log?: ((message: string) => void) | undefined;
  /**
   * Declare each tool's `outputSchema` (OMP-MCP-008), its `…Result` def (success output or error envelope, so
   * clients that check error results too, such as MCP SDK 1.x `Client.callTool` and MCP Inspector 2.x, accept
   * them); default true. false leaves the schemas out, an escape hatch for a client that cannot compile them.
   */
  outputSchemas?: boolean | undefined;
}

/** Key under which a transport that authenticated the request leaves the principal in `authInfo.extra`. */
export const PRINCIPAL_AUTH_KEY = 'ompPrincipal';

interface Described {
  title: string;
  description: string;
  annotations: ToolAnnotations;
}

// What a model reads to choose a tool. Arguments are described by the schemas themselves.
const described: Record<ToolName, Described> = {
  add_memories: {
    title: 'Add memory',
    description:
      "Store one memory about the user that is worth keeping across sessions and tools: a fact or preference (type 'semantic', the default), an event ('episodic') or a way of doing something ('procedural'). 'text' becomes the memory's content.",
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  },
  search_memory: {
    title: 'Search memories',
    description:
      "Search the user's long-term memories (facts, preferences, events, how-tos stored by any of their tools), best match first. Call this every time the user asks about themselves, their preferences, people, plans or past conversations, and before answering anything that may depend on what you were told earlier; search again with other words when the first results miss. Write 'query' as a short natural question or a few key words ('Does she have any food allergies?', 'preferred text editor'), in the user's language. By default the best mode the server offers is used (hybrid, which matches meaning and words; else keyword, which matches words and their forms); set 'mode' only to force one. Use 'type', 'tags', 'namespace' or 'tool' only to narrow to memories you know were stored that way, and 'limit'/'offset' to page.",
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  list_memories: {
    title: 'List memories',
    description:
      "List the user's memories one page at a time (newest first unless 'sort' says otherwise), optionally only one type, tool, namespace or set of tags.",
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  delete_memories: {
    title: 'Delete memories',
    description:
      'Delete memories by id. Ids that name no memory this key can see and may delete are reported in not_found.',
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  },
  delete_all_memories: {
    title: 'Delete all memories',
    description:
      "Delete every memory this key may delete (with a per-tool key, only that tool's own memories), or only those in 'namespace'. Cannot be undone.",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  },
};

type Run = (args: never, ctx: ToolCallContext) => Promise<object>;
type Render = (out: never, args: never) => string;

const runs: Record<ToolName, { run: Run; render: Render }> = {
  add_memories: { run: addMemories, render: renderAdd },
  search_memory: {
    run: searchMemory,
    render: ((out, args: { query: string }) => renderSearch(out, args.query)) as Render,
  },
  list_memories: { run: listMemories, render: renderList },
  delete_memories: { run: deleteMemories, render: renderDelete },
  delete_all_memories: {
    run: deleteAllMemories,
    render: ((out, args: { namespace?: string }) => renderDeleteAll(out, args.namespace)) as Render,
  },
};

/** The `tools/list` entries: each tool's `…Input` and `…Result` def of `mcp-tools`, `$ref`s resolved (OMP-MCP-005, -008). */
export function toolList(schemas: ReadonlyMap<ToolName, ToolSchemas>, outputSchemas = true): Tool[] {
  return TOOL_NAMES.map((name) => {
    const s = schemas.get(name)!;
    const tool = { name, ...described[name], inputSchema: s.inputSchema } as Tool;
    if (outputSchemas) tool.outputSchema = s.outputSchema as Tool['outputSchema'];
    return tool;
  });
}

/** An `isError` result carrying the OMP envelope (OMP-MCP-017). */
export function errorResult(error: unknown): CallToolResult {
  const envelope = toEnvelope(error);
  return {
    isError: true,
    content: [{ type: 'text', text: renderError(envelope) }],
    structuredContent: envelope as unknown as Record<string, unknown>,
  };
}

/** Progress notifications for a request that carried a `progressToken`, at most one per 100 ms. */
function progressReporter(
  token: string | number | undefined,
  extra: { sendNotification: (n: ServerNotification) => Promise<void> },
): ToolCallContext['progress'] {
  if (token === undefined) return undefined;
  let last = 0;
  return (done, total, message) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    void extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: done, total, message },
      })
      .catch(() => undefined);
  };
}

function principalFrom(extra: { authInfo?: { extra?: Record<string, unknown> } }): Principal | undefined {
  const p = extra.authInfo?.extra?.[PRINCIPAL_AUTH_KEY];
  return p && typeof p === 'object' ? (p as Principal) : undefined;
}

/** Serve the five tools on `mcp`, which must not be connected yet and must not have tools of its own. */
export async function registerOmpTools(mcp: McpServer, options: OmpToolsOptions): Promise<void> {
  const schemas = await loadToolSchemas();
  const tools = toolList(schemas, options.outputSchemas ?? true);
  const server = mcp.server;
  server.registerCapabilities({ tools: { listChanged: false } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const name = request.params.name;
    // An unknown tool is a protocol error, not a tool result (OMP-MCP-019).
    if (!isToolName(name)) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const s = schemas.get(name)!;
    const args: unknown = request.params.arguments ?? {};
    try {
      if (!s.validateInput(args)) throw validationFailure(s.validateInput.errors, `Arguments of ${name}`);
      const { run, render } = runs[name];
      const ctx: ToolCallContext = {
        backend: options.backend,
        clientName: options.clientName,
        userId: options.userId,
        clientInfoName: server.getClientVersion()?.name,
        principal: principalFrom(extra),
        signal: extra.signal,
        progress: progressReporter(request.params._meta?.progressToken, extra),
      };
      const out = await run(args as never, ctx);
      if (!s.validateOutput(out)) {
        // The server answered something its own schema rejects: report it rather than pass it on.
        throw new ToolFailure(
          {
            error: 'internal_error',
            message: `The OMP server's answer to ${name} does not match the tool's output schema`,
            details: {},
          },
          502,
        );
      }
      // The JSON of the result first (MCP 2025-06-18: tools returning structured content SHOULD also return
      // it serialised in a text block), then the same rendered for people (one line per memory).
      return {
        content: [
          { type: 'text', text: JSON.stringify(out) },
          { type: 'text', text: render(out as never, args as never) },
        ],
        structuredContent: out as Record<string, unknown>,
      } satisfies CallToolResult;
    } catch (error) {
      if (!(error instanceof ToolFailure) && !(error instanceof OmpError))
        options.log?.(`omp-mcp: ${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
      return errorResult(error);
    }
  });
}
