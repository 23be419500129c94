/**
 * List cursors (SPEC.md §5.2): keyset positions, opaque to clients. A cursor holds the sort, a digest of the
 * filters it was issued for, and the sort key and id of the last memory of its page; the next page is everything
 * strictly after that position, so writes between pages neither shift nor repeat memories (OMP-LIST-019).
 * Cursors are not signed: a forged one can only select a position within the caller's own visible memories.
 */
import { createHash } from 'node:crypto';
import type { SortOrder } from '@omp-kit/schemas/types';
import type { Filters } from '../storage/memory-store.ts';

/** A decoded cursor: the position after which the next page starts. */
export interface Position {
  sort: SortOrder;
  filters: string;
  key: string;
  id: string;
}

/** Digest of the filters a cursor belongs to (order of tags kept: it is part of the request). */
export function filtersDigest(f: Filters): string {
  const canonical = JSON.stringify([
    f.type ?? null,
    f.tool ?? null,
    f.tags ?? null,
    f.namespace ?? null,
    f.states ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** Encode a position as a URL-safe cursor ([A-Za-z0-9_-], OMP-LIST-017). */
export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([1, p.sort, p.filters, p.key, p.id])).toString('base64url');
}

/** Decode a cursor; undefined when it is not one this server issued. */
export function decodeCursor(cursor: string): Position | undefined {
  if (!/^[A-Za-z0-9_-]{1,1000}$/.test(cursor)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== 5 || v[0] !== 1) return undefined;
    const [, sort, filters, key, id] = v as [number, unknown, unknown, unknown, unknown];
    const sorts = ['created_at_desc', 'created_at_asc', 'updated_at_desc', 'updated_at_asc'];
    if (typeof sort !== 'string' || !sorts.includes(sort)) return undefined;
    if (typeof filters !== 'string' || typeof key !== 'string' || typeof id !== 'string') return undefined;
    return { sort: sort as SortOrder, filters, key, id };
  } catch {
    return undefined;
  }
}
