/**
 * The `text` content item of each tool result (OMP-MCP-007): the structured result rendered for people and
 * models, one line per memory (`id [type] content`).
 */
import type {
  AddMemoriesOutput,
  DeleteAllMemoriesOutput,
  DeleteMemoriesOutput,
  ErrorEnvelope,
  ListMemoriesResponse,
  Memory,
  SearchResponse,
} from '@omp-kit/schemas/types';

/** One memory on one line: line breaks in its content become spaces (the structured result keeps them). */
export function memoryLine(m: Pick<Memory, 'id' | 'type' | 'content'>): string {
  return `${m.id} [${m.type}] ${m.content.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ')}`;
}

function range(offset: number, count: number, total: number): string {
  return count === 0 ? `none of ${total}` : `${offset + 1}-${offset + count} of ${total}`;
}

/** `add_memories`: what was stored. */
export function renderAdd(out: AddMemoriesOutput): string {
  const n = out.memories.length;
  return [`Added ${n} ${n === 1 ? 'memory' : 'memories'}:`, ...out.memories.map(memoryLine)].join('\n');
}

/** `search_memory`: the matches, best first. */
export function renderSearch(out: SearchResponse, query: string): string {
  const head =
    out.total === 0
      ? `No memories match ${JSON.stringify(query)} (${out.mode_used} search).`
      : `Memories matching ${JSON.stringify(query)} (${out.mode_used} search, ${range(out.offset, out.memories.length, out.total)}):`;
  return [head, ...out.memories.map(memoryLine)].join('\n');
}

/** `list_memories`: one page, and how to get the next one when the server offers a cursor (0.4). */
export function renderList(out: ListMemoriesResponse): string {
  const head =
    out.total === 0 ? 'No memories.' : `Memories ${range(out.offset, out.memories.length, out.total)}:`;
  const lines = [head, ...out.memories.map(memoryLine)];
  // The model sees the text too: say how to continue, with the cursor as is (OMP-CLIENT-011).
  if (typeof out.next_cursor === 'string') {
    lines.push(`More: call list_memories again with the same filters and cursor ${out.next_cursor}`);
  }
  return lines.join('\n');
}

/** `delete_memories`: which ids went, which were not found. */
export function renderDelete(out: DeleteMemoriesOutput): string {
  const lines = [`Deleted ${out.deleted.length}${out.deleted.length ? `: ${out.deleted.join(', ')}` : '.'}`];
  if (out.not_found.length) lines.push(`Not found or not deletable: ${out.not_found.join(', ')}`);
  return lines.join('\n');
}

/** `delete_all_memories`: how many went. */
export function renderDeleteAll(out: DeleteAllMemoriesOutput, namespace: string | undefined): string {
  const where = namespace === undefined ? '' : ` in namespace ${namespace}`;
  return `Deleted ${out.deleted} ${out.deleted === 1 ? 'memory' : 'memories'}${where}.`;
}

/** A failed call: its code and message (a `validation_error` message names every violation). */
export function renderError(env: ErrorEnvelope): string {
  return `Error ${env.error}: ${env.message}`;
}
