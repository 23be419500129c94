/**
 * Helpers of the MCP check files: tool calls that assert the result shapes of SPEC.md §13 (a success carries
 * `structuredContent` valid against the tool's output and a text item, OMP-MCP-007; a failure is an `isError`
 * result carrying the envelope, OMP-MCP-017), ledgering of what add_memories stores, and MCP URL parts.
 */

import { toViolations, validatorFor } from '@omp-kit/schemas';
import { short } from '../core/assert.ts';
import { PRIMARY } from '../core/credentials.ts';
import type { CheckContext } from '../core/harness.ts';
import type { Memory } from '../core/wire.ts';
import type { McpSession } from '../mcp/session.ts';
import { toolDef } from '../mcp/tools.ts';

/** A tools/call result as MCP defines it (already checked against CallToolResultSchema by the session). */
export interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

/** An OMP error envelope. */
export interface Envelope {
  error: string;
  message: string;
  details: Record<string, unknown>;
}

const excerpt = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** `name(args)` for messages. */
export function callName(name: string, args: unknown): string {
  return `${name}(${short(args, 140)})`;
}

/** Call a tool; fails the check when the answer is a JSON-RPC error instead of a tool result. */
export async function callTool(
  t: CheckContext,
  s: McpSession,
  name: string,
  args: unknown,
): Promise<{ result: ToolResult; raw: string }> {
  const out = await s.callTool(name, args);
  if (out.kind === 'error')
    t.fail(
      `${callName(name, args)} answered JSON-RPC error ${out.error.code} "${t.mcpRun.o.redact(out.error.message)}" instead of a tool result`,
    );
  const result = out.result as unknown as ToolResult;
  // What add_memories stored is the run's to delete, whatever the check asserts next.
  if (name === 'add_memories' && !result.isError) {
    const ms = (result.structuredContent as { memories?: unknown } | undefined)?.memories;
    if (Array.isArray(ms))
      for (const m of ms) {
        const id = (m as { id?: unknown } | null)?.id;
        if (typeof id === 'string' && id) t.run.ledger.add(id, s.key ?? PRIMARY, t.check.id);
      }
  }
  return { result, raw: t.mcpRun.o.redact(out.raw) };
}

/** The first text content item's text, or undefined. */
export function textOf(r: ToolResult): string | undefined {
  return r.content.find((c) => c.type === 'text' && typeof c.text === 'string')?.text;
}

/**
 * A successful call: no `isError`, `structuredContent` valid against the tool's output schema (the success
 * side of its `…Result` def), and a non-empty text item (OMP-MCP-007). Returns the structured content.
 */
export async function callOk<T = Record<string, unknown>>(
  t: CheckContext,
  s: McpSession,
  name: string,
  args: unknown,
): Promise<T> {
  const { result, raw } = await callTool(t, s, name, args);
  const what = callName(name, args);
  if (result.isError) t.fail(`${what} failed: ${excerpt(raw)}`);
  const sc = result.structuredContent;
  if (sc === undefined) t.fail(`${what} returned no structuredContent: ${excerpt(raw)}`);
  const def = toolDef(name);
  if (!def.isSuccess(sc)) {
    def.validateResult(sc);
    const vs = toViolations(def.validateResult.errors)
      .slice(0, 4)
      .map((v) => `${v.path} ${v.message}`);
    t.fail(
      `${what}: structuredContent is not a valid ${name} output (${vs.join('; ') || 'an error envelope'}): ${excerpt(raw)}`,
    );
  }
  const text = textOf(result);
  if (text === undefined || text.trim() === '')
    t.fail(`${what}: the result has no text content item: ${excerpt(raw)}`);
  return sc as T;
}

/**
 * A failed call: `isError` true, `structuredContent` valid against the schema `error` carrying `code` (when
 * given), and a text item carrying its message (OMP-MCP-017). Returns the envelope.
 */
export async function callErr(
  t: CheckContext,
  s: McpSession,
  name: string,
  args: unknown,
  code?: string,
): Promise<Envelope> {
  const { result, raw } = await callTool(t, s, name, args);
  const what = callName(name, args);
  if (result.isError !== true)
    t.fail(`${what} succeeded, want a tool error${code ? ` ${code}` : ''}: ${excerpt(raw)}`);
  const env = result.structuredContent;
  const valid = validatorFor('error');
  if (!valid(env)) {
    const vs = toViolations(valid.errors)
      .slice(0, 4)
      .map((v) => `${v.path} ${v.message}`);
    t.fail(
      `${what}: the error result's structuredContent is not an OMP error envelope (${vs.join('; ') || 'missing'}): ${excerpt(raw)}`,
    );
  }
  const e = env as unknown as Envelope;
  if (code !== undefined && e.error !== code)
    t.fail(`${what}: tool error "${e.error}", want "${code}": ${excerpt(raw)}`);
  const text = textOf(result);
  if (text === undefined || !text.includes(e.message))
    t.fail(`${what}: the error result has no text item carrying its message: ${excerpt(raw)}`);
  return e;
}

/** add_memories with the check's markers (namespace and tags) and whatever else is given; the stored memory. */
export async function mcpAdd(
  t: CheckContext,
  s: McpSession,
  args: Record<string, unknown> = {},
): Promise<Memory> {
  const sc = await callOk<{ memories: Memory[] }>(t, s, 'add_memories', {
    text: `omp conformance mcp memory ${t.tag} ${Math.random().toString(36).slice(2, 8)}`,
    namespace: t.ns,
    tags: t.tags(),
    ...args,
  });
  if (sc.memories.length !== 1)
    t.fail(`add_memories returned ${sc.memories.length} memories, want exactly 1`);
  return sc.memories[0] as Memory;
}

/** The `{client_name}` and `{user_id}` of an OpenMemory-style MCP URL (`…/mcp/{client_name}/http/{user_id}`). */
export function openMemoryParts(url: string): { clientName: string; userId: string } | undefined {
  const m = /\/mcp\/([^/]+)\/(?:http|sse)\/([^/?#]+)\/?(?:[?#]|$)/.exec(url);
  if (!m?.[1] || !m[2]) return undefined;
  try {
    return { clientName: decodeURIComponent(m[1]), userId: decodeURIComponent(m[2]) };
  } catch {
    return undefined;
  }
}

/** Sorted copy, for comparing id lists whose order the spec leaves open. */
export function sorted(xs: readonly string[]): string[] {
  return [...xs].sort();
}

/** The tools of tools/list, following pagination. */
export async function listTools(t: CheckContext, s: McpSession): Promise<Record<string, unknown>[]> {
  const tools: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const out = await s.request('tools/list', cursor === undefined ? undefined : { cursor });
    if (out.kind === 'error')
      t.fail(
        `tools/list answered JSON-RPC error ${out.error.code} "${t.mcpRun.o.redact(out.error.message)}"`,
      );
    tools.push(...(out.result.tools as Record<string, unknown>[]));
    cursor = typeof out.result.nextCursor === 'string' ? out.result.nextCursor : undefined;
    if (cursor === undefined) break;
  }
  return tools;
}
