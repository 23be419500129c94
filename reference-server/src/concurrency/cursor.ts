/**
 * List cursors (SPEC.md §5.2): keyset positions, opaque to clients. A cursor holds the sort, a digest of the
 * filters it was issued for, and the sort key and id of the last memory of its page; the next page is everything
 * strictly after that position, so writes between pages neither shift nor repeat memories (OMP-LIST-019).
 * The position itself is not signed: a forged one can only select a position within the caller's own visible
 * memories. The numbers a version 2 cursor carries (Resume) are: a store trusts them only when their MAC, made
 * with its secret over the data version, the caller, the request and the position, verifies (resumeMac).
 */
import { createHash, createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { SortOrder } from '@omp-kit/schemas/types';
import type { Filters, Page, Resume, Visibility } from '../storage/memory-store.ts';

/** A decoded cursor: the position after which the next page starts. */
export interface Position {
  sort: SortOrder;
  filters: string;
  key: string;
  id: string;
  /** The store's resume (the matches before the next page, the total, its MAC); absent in version 1. */
  resume?: Resume | undefined;
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
  const r = p.resume;
  const v = r
    ? [2, p.sort, p.filters, p.key, p.id, r.before, r.total, r.mac]
    : [1, p.sort, p.filters, p.key, p.id];
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

/** Decode a cursor; undefined when it is not one this server issued. */
export function decodeCursor(cursor: string): Position | undefined {
  if (!/^[A-Za-z0-9_-]{1,1000}$/.test(cursor)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // Version 1: a position; version 2 adds the store's resume (storage/memory-store.ts, Resume).
    if (!Array.isArray(v) || !((v.length === 5 && v[0] === 1) || (v.length === 8 && v[0] === 2)))
      return undefined;
    const [, sort, filters, key, id, before, total, mac] = v as unknown[];
    const sorts = ['created_at_desc', 'created_at_asc', 'updated_at_desc', 'updated_at_asc'];
    if (typeof sort !== 'string' || !sorts.includes(sort)) return undefined;
    if (typeof filters !== 'string' || typeof key !== 'string' || typeof id !== 'string') return undefined;
    const position = { sort: sort as SortOrder, filters, key, id };
    if (v[0] === 1) return position;
    const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
    if (!count(before) || !count(total) || typeof mac !== 'string') return undefined;
    return { ...position, resume: { before, total, mac } };
  } catch {
    return undefined;
  }
}

/** A keyset position in a list's order: the sort key and id of a memory. */
export interface At {
  key: string;
  id: string;
}

/**
 * The MAC of a cursor resume (Resume): the store's data version, the caller, the request (`f`: the filters as
 * the caller gave them), the position and its numbers. Shared by every store, each with its own secret and
 * version (the SQLite store's list_version, the Postgres store's per-principal version).
 */
export function resumeMac(
  secret: KeyObject,
  version: number,
  vis: Visibility,
  f: Filters,
  sort: SortOrder,
  at: At,
  before: number,
  total: number,
): string {
  const request = [vis.principal, vis.ownTool, vis.rules?.rules ?? null, f.type, f.tool, f.tags, f.namespace];
  return createHmac('sha256', secret)
    .update(JSON.stringify([version, ...request, f.states, sort, at.key, at.id, before, total]))
    .digest('base64url')
    .slice(0, 22);
}

/** The resume after `page`, whose first row is preceded by `before` matches; undefined for an empty page. */
export function resumeAfter(
  secret: KeyObject,
  version: number,
  vis: Visibility,
  f: Filters,
  sort: SortOrder,
  page: Page,
  before: number,
): Resume | undefined {
  const last = page.rows[page.rows.length - 1];
  if (last === undefined) return undefined;
  const next = before + page.rows.length;
  const at = { key: sort.startsWith('created') ? last.created_key : last.updated_key, id: last.id };
  return {
    before: next,
    total: page.total,
    mac: resumeMac(secret, version, vis, f, sort, at, next, page.total),
  };
}

/** A cursor's resume when its MAC verifies for this version, caller and request; else undefined (count). */
export function verifiedResume(
  secret: KeyObject,
  version: number,
  vis: Visibility,
  f: Filters,
  sort: SortOrder,
  after: (At & { resume?: Resume | undefined }) | null,
): Resume | undefined {
  const r = after?.resume;
  if (!after || !r) return undefined;
  const want = Buffer.from(resumeMac(secret, version, vis, f, sort, after, r.before, r.total));
  const got = Buffer.from(r.mac);
  return got.length === want.length && timingSafeEqual(got, want) ? r : undefined;
}
