/**
 * The per-item rules of an import that every store applies the same way (SPEC.md §7.3, §20.2): an item of
 * another tool than a per-tool key's is refused, an item of a paused app is refused, an item already expired is
 * skipped; what passes becomes the row to store. Storage-neutral, so SQLite and Postgres cannot drift apart.
 */
import type { CreateMemoryRequest, ImportResult, Memory } from '@omp-kit/schemas/types';
import { ceilMs, sortKey } from '../model/time.ts';
import type { Visibility } from './memory-store.ts';
import type { MemoryRow } from './rows.ts';

/** A row before the store assigns its seq. */
export type NewRow = Omit<MemoryRow, 'seq'>;

/** The row of a memory created now (POST /v1/memories): server timestamps, an id the store assigns. */
export function createdRow(principal: string, req: CreateMemoryRequest, createdAt: string): NewRow {
  const source = req.source.timestamp === undefined ? { ...req.source, timestamp: createdAt } : req.source;
  const expiresAt = req.expires_at ?? null;
  return {
    principal,
    id: '',
    content: req.content,
    type: req.type,
    tool: req.source.tool,
    source: JSON.stringify(source),
    tags: JSON.stringify(req.tags ?? []),
    namespace: req.namespace ?? null,
    metadata: JSON.stringify(req.metadata ?? {}),
    embedding: req.embedding === undefined ? null : JSON.stringify(req.embedding),
    created_at: createdAt,
    updated_at: createdAt,
    expires_at: expiresAt,
    created_key: sortKey(createdAt),
    updated_key: sortKey(createdAt),
    expires_ms: expiresAt === null ? null : ceilMs(expiresAt),
    state: 'active',
  };
}

/** The row an imported memory is stored as. */
export function importedRow(principal: string, m: Memory, expiresMs: number | null): NewRow {
  return {
    principal,
    id: m.id,
    content: m.content,
    type: m.type,
    tool: m.source.tool,
    source: JSON.stringify(m.source),
    tags: JSON.stringify(m.tags),
    namespace: m.namespace ?? null,
    metadata: JSON.stringify(m.metadata ?? {}),
    embedding: m.embedding === undefined ? null : JSON.stringify(m.embedding),
    created_at: m.created_at,
    updated_at: m.updated_at,
    expires_at: m.expires_at,
    created_key: sortKey(m.created_at),
    updated_key: sortKey(m.updated_at),
    expires_ms: expiresMs,
    state: m.state ?? 'active',
  };
}

/**
 * Apply the item rules to a schema-valid item: its row, or null when the item was refused (an error appended to
 * `result`) or skipped (counted in `result.skipped`).
 */
export function admitImportItem(
  vis: Visibility,
  writerTool: string | null,
  index: number,
  m: Memory,
  now: number,
  result: ImportResult,
): NewRow | null {
  if (writerTool !== null && m.source.tool !== writerTool) {
    result.errors.push({
      index,
      id: m.id,
      error: 'forbidden',
      message: `This key may only import memories of tool ${writerTool}`,
      details: { tool: writerTool },
    });
    return null;
  }
  if (vis.paused?.(m.source.tool)) {
    result.errors.push({
      index,
      id: m.id,
      error: 'app_paused',
      message: `The app ${m.source.tool.slice(0, 100)} is paused: its memories are not imported`,
      details: { app: m.source.tool },
    });
    return null;
  }
  const expiresMs = m.expires_at === null ? null : ceilMs(m.expires_at);
  if (expiresMs !== null && expiresMs <= now) {
    result.skipped++;
    return null;
  }
  return importedRow(vis.principal, m, expiresMs);
}
