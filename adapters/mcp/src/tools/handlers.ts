/**
 * What each tool does, over an {@link OmpBackend} (SPEC.md §13.2). Arguments arrive already validated
 * against the tool's input schema; results are the tools' structured outputs. Failures are thrown as
 * `ToolFailure` or the backend's `OmpError` and become `isError` results in register.ts.
 */

import { getSchema } from '@omp-kit/schemas';
import type {
  AddMemoriesInput,
  AddMemoriesOutput,
  CreateMemoryRequest,
  DeleteAllMemoriesInput,
  DeleteAllMemoriesOutput,
  DeleteMemoriesInput,
  DeleteMemoriesOutput,
  ListMemoriesInput,
  ListMemoriesResponse,
  Principal,
  SearchMemoryInput,
  SearchMode,
  SearchResponse,
  Source,
} from '@omp-kit/schemas/types';
import type { CallOptions, ListQuery, OmpBackend } from '../backend/types.ts';
import { forbidden, statusOf, ToolFailure, toEnvelope } from '../errors.ts';
import { resolveSourceTool } from './identity.ts';

/** Whether a string is a memory id by the schema `defs` (`memoryId`). */
function isMemoryId(id: string): boolean {
  return MEMORY_ID_PATTERN.test(id);
}
const MEMORY_ID_PATTERN = new RegExp(
  ((getSchema('defs').$defs as Record<string, { pattern: string }>).memoryId as { pattern: string }).pattern,
  'u',
);

/** Everything a tool call knows besides its arguments. */
export interface ToolCallContext {
  backend: OmpBackend;
  /** The URL's `{client_name}` or the adapter's OMP_TOOL (OMP-MCP-010). */
  clientName?: string | undefined;
  /** The URL's `{user_id}`, written to `source.user_id` (OMP-MCP-011). */
  userId?: string | undefined;
  /** `clientInfo.name` of the session's initialisation. */
  clientInfoName?: string | undefined;
  /** The key's principal when the transport already asked `GET /v1/me` for this request. */
  principal?: Principal | undefined;
  /** Cancellation of the MCP request. */
  signal?: AbortSignal | undefined;
  /** Report progress of a long call (sent as `notifications/progress` when the client asked for it). */
  progress?: ((done: number, total: number, message: string) => void) | undefined;
}

function callOptions(ctx: ToolCallContext): CallOptions {
  // The client as an app of the control level (SPEC.md §20.2); a per-tool key's tool wins on the server.
  return {
    signal: ctx.signal,
    app: resolveSourceTool(
      { tool: null },
      { configured: ctx.clientName, clientInfoName: ctx.clientInfoName },
    ),
  };
}

async function principalOf(ctx: ToolCallContext): Promise<Principal> {
  return ctx.principal ?? (await ctx.backend.me(callOptions(ctx)));
}

function requireWrite(principal: Principal, tool: string): void {
  if (!principal.scopes.includes('write'))
    throw forbidden(`This key lacks the write scope that ${tool} needs.`);
}

/** `add_memories`: store exactly one memory (OMP-MCP-009, -010, -011). */
export async function addMemories(args: AddMemoriesInput, ctx: ToolCallContext): Promise<AddMemoriesOutput> {
  const principal = await principalOf(ctx);
  // `infer` is accepted for OpenMemory compatibility and ignored; every other optional argument is a
  // member of the create request under the same name.
  const { text, type, session_id, infer: _infer, ...members } = args;
  const source: Source = {
    tool: resolveSourceTool(principal, { configured: ctx.clientName, clientInfoName: ctx.clientInfoName }),
  };
  if (session_id !== undefined) source.session_id = session_id;
  if (ctx.userId !== undefined) source.user_id = ctx.userId;
  const body: CreateMemoryRequest = { ...members, content: text, type: type ?? 'semantic', source };
  return { memories: [await ctx.backend.create(body, callOptions(ctx))] };
}

/** How long a server's declared modes are trusted before health is asked again. */
const MODES_TTL_MS = 60_000;
const modesSeen = new WeakMap<OmpBackend, { at: number; mode: SearchMode }>();

/**
 * The best search mode the server offers (OMP-MCP-022): hybrid, else semantic, else keyword. Agents ask in
 * natural language, which only meaning-based search answers well; a server without the Search level, or one
 * whose health cannot be read, gets keyword, which every server has.
 */
export async function bestSearchMode(ctx: ToolCallContext): Promise<SearchMode> {
  const seen = modesSeen.get(ctx.backend);
  if (seen && Date.now() - seen.at < MODES_TTL_MS) return seen.mode;
  let mode: SearchMode = 'keyword';
  try {
    const caps = (await ctx.backend.health?.(callOptions(ctx)))?.capabilities ?? [];
    if (caps.includes('hybrid_search')) mode = 'hybrid';
    else if (caps.includes('semantic_search')) mode = 'semantic';
  } catch {
    // keyword: always there
  }
  modesSeen.set(ctx.backend, { at: Date.now(), mode });
  return mode;
}

/** `search_memory`: the HTTP search with `q` = `query` and the best mode unless one is given (OMP-MCP-012, -022). */
export async function searchMemory(args: SearchMemoryInput, ctx: ToolCallContext): Promise<SearchResponse> {
  const { query, ...members } = args;
  const mode = members.mode ?? (await bestSearchMode(ctx));
  return await ctx.backend.search({ ...members, mode, q: query }, callOptions(ctx));
}

/** `list_memories`: the HTTP list with the same filters (OMP-MCP-013). */
export async function listMemories(
  args: ListMemoriesInput,
  ctx: ToolCallContext,
): Promise<ListMemoriesResponse> {
  if (await offersCursors(ctx)) return await ctx.backend.list(args, callOptions(ctx));
  // A server before 0.4 knows no `cursor` (it is never sent one, OMP-CLIENT-004) and sends no `next_cursor`,
  // which the tool's 0.4 output requires: the adapter pages it by offset behind cursors of its own.
  const { cursor, ...query } = args;
  if (cursor !== undefined) {
    const offset = offsetOfCursor(cursor);
    if (offset === undefined) {
      throw new ToolFailure(
        {
          error: 'validation_error',
          message:
            'Arguments are invalid: /cursor was not issued for this server, which implements no OMP 0.4',
          details: { errors: [{ path: '/cursor', message: 'is not a cursor this adapter issued' }] },
        },
        422,
      );
    }
    query.offset = offset;
  }
  const page = (await ctx.backend.list(query, callOptions(ctx))) as ListMemoriesResponse;
  if (typeof page.next_cursor === 'string' || page.next_cursor === null) return page;
  const next = page.offset + page.memories.length;
  return {
    ...page,
    next_cursor: page.memories.length > 0 && next < page.total ? `${OFFSET_CURSOR}${next}` : null,
  };
}

/**
 * Cursors the adapter issues for a server before 0.4: the offset of the next page. Not a snapshot (a 0.3
 * server cannot give one): writes during the walk may shift items, as offset paging does.
 */
const OFFSET_CURSOR = 'omp-mcp-offset-';

/** The offset an adapter-issued cursor stands for, or undefined for any other string. */
function offsetOfCursor(cursor: string): number | undefined {
  if (!cursor.startsWith(OFFSET_CURSOR)) return undefined;
  const digits = cursor.slice(OFFSET_CURSOR.length);
  return /^(0|[1-9][0-9]{0,15})$/.test(digits) ? Number(digits) : undefined;
}

/** Whether the server's health lists 0.4 or a later version (a health without `versions` lists its `version`). */
async function offersCursors(ctx: ToolCallContext): Promise<boolean> {
  try {
    const health = (await ctx.backend.health?.(callOptions(ctx))) as
      | { version?: unknown; versions?: unknown }
      | undefined;
    if (health === undefined) return true; // a backend without health: let the server judge the cursor
    const listed = Array.isArray(health.versions) ? health.versions : [health.version];
    return listed.some((v) => typeof v === 'string' && atLeast04(v));
  } catch {
    return true; // health unreachable: the server judges the cursor, as the HTTP list would
  }
}

/** `MAJOR.MINOR` at least 0.4. */
function atLeast04(v: string): boolean {
  const [major, minor] = v.split('.').map(Number);
  return (major ?? 0) > 0 || ((major ?? 0) === 0 && (minor ?? 0) >= 4);
}

// A memory the key cannot see (404) or may not write (403, another tool's memory) is "not found" to the
// caller of delete_memories (OMP-MCP-014); every other failure stops the call.
function isSkippable(error: unknown): boolean {
  const status = statusOf(error);
  return status === 404 || status === 403;
}

/** `delete_memories`: delete the listed ids the key can see and write (OMP-MCP-014). */
export async function deleteMemories(
  args: DeleteMemoriesInput,
  ctx: ToolCallContext,
): Promise<DeleteMemoriesOutput> {
  requireWrite(await principalOf(ctx), 'delete_memories');
  const out: DeleteMemoriesOutput = { deleted: [], not_found: [] };
  for (const id of args.memory_ids) {
    // A string that is not a memory id names no memory: reported like an unknown id, never sent to the API.
    if (!isMemoryId(id)) {
      out.not_found.push(id);
      continue;
    }
    try {
      await ctx.backend.delete(id, callOptions(ctx));
      out.deleted.push(id);
    } catch (error) {
      if (!isSkippable(error)) throw partialFailure(error, { deleted: out.deleted });
      out.not_found.push(id);
    }
  }
  return out;
}

/** Page size of the walk that collects what delete_all_memories deletes (the largest list page). */
const PAGE = 100;
/** Deletes in flight at once when deleting one by one (the server batches concurrent writes). */
const PARALLEL = 16;
/** Walks after the first, for memories written while deleting; bounded so a busy writer cannot pin us. */
const MAX_ROUNDS = 5;

/**
 * `delete_all_memories`: delete every memory the key may delete — for a per-tool key only its own tool's —
 * within `namespace` when given (OMP-MCP-015, -016). The key's own visibility bounds the principal, and the
 * `tool` filter bounds a per-tool key, so nothing of another principal or tool is ever named.
 */
export async function deleteAllMemories(
  args: DeleteAllMemoriesInput,
  ctx: ToolCallContext,
): Promise<DeleteAllMemoriesOutput> {
  const principal = await principalOf(ctx);
  requireWrite(principal, 'delete_all_memories');
  const where = args.namespace === undefined ? '' : ` in namespace ${args.namespace}`;
  if (ctx.backend.deleteAll) {
    // One bulk operation on the server: no read scope needed, no round trip per memory.
    const deleted = await ctx.backend.deleteAll(
      { namespace: args.namespace },
      {
        ...callOptions(ctx),
        onProgress: (done, total) => ctx.progress?.(done, total, `Deleted ${done} of ${total}${where}`),
      },
    );
    return { deleted };
  }
  const query: ListQuery = { limit: PAGE, sort: 'created_at_asc' };
  if (principal.tool !== null) query.tool = principal.tool;
  if (args.namespace !== undefined) query.namespace = args.namespace;
  const attempted = new Set<string>();
  let deleted = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Collect first, delete after: deleting while paging would shift the offsets under the walk.
    const ids = (await collectIds(query, ctx)).filter((id) => !attempted.has(id));
    if (ids.length === 0) break;
    const total = attempted.size + ids.length;
    for (let i = 0; i < ids.length; i += PARALLEL) {
      const batch = ids.slice(i, i + PARALLEL);
      for (const id of batch) attempted.add(id);
      const outcomes = await Promise.allSettled(batch.map((id) => ctx.backend.delete(id, callOptions(ctx))));
      for (const o of outcomes) {
        if (o.status === 'fulfilled') deleted++;
        else if (!isSkippable(o.reason)) throw partialFailure(o.reason, { deleted });
      }
      ctx.progress?.(attempted.size, total, `Deleted ${deleted} of ${total}${where}`);
    }
  }
  return { deleted };
}

async function collectIds(query: ListQuery, ctx: ToolCallContext): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; ) {
    const page = await ctx.backend.list({ ...query, offset }, callOptions(ctx));
    for (const m of page.memories) ids.push(m.id);
    offset += page.memories.length;
    if (page.memories.length === 0 || offset >= page.total) return ids;
  }
}

/** A failure after some deletions: the original envelope, saying how far the call got. */
function partialFailure(error: unknown, progress: { deleted: string[] } | { deleted: number }): ToolFailure {
  const env = toEnvelope(error);
  const count = typeof progress.deleted === 'number' ? progress.deleted : progress.deleted.length;
  if (count === 0) return new ToolFailure(env, statusOf(error));
  return new ToolFailure(
    {
      ...env,
      message: `${env.message} (stopped after deleting ${count} ${count === 1 ? 'memory' : 'memories'})`,
      details: { ...env.details, deleted: progress.deleted },
    },
    statusOf(error),
  );
}
