/** The five normative tool names of the MCP binding (SPEC.md §13.2, OMP-MCP-005), in `tools/list` order. */
export const TOOL_NAMES = [
  'add_memories',
  'search_memory',
  'list_memories',
  'delete_memories',
  'delete_all_memories',
] as const;

/** One of the five tool names. */
export type ToolName = (typeof TOOL_NAMES)[number];

/** Whether a string names one of the five tools. */
export function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}
