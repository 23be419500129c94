/**
 * In-memory storage of the draft-0.2 gallery server: memories, filters, sorting and the draft-era keyword search
 * (whitespace terms matched as case-insensitive regular expressions, any term is enough). Knows nothing of HTTP.
 * The planted defects are marked `defect:` and listed in truth.json.
 */
import { randomBytes } from 'node:crypto';

export interface Memory {
  id: string;
  content: string;
  type: string;
  source: Record<string, unknown>;
  tags: string[];
  namespace: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  metadata: Record<string, unknown>;
  embedding?: number[];
}

export interface Filters {
  type?: string;
  tool?: string;
  tags?: string[];
  namespace?: string;
}

export type Sort = 'created_at_desc' | 'created_at_asc' | 'updated_at_desc';
export const SORTS: readonly Sort[] = ['created_at_desc', 'created_at_asc', 'updated_at_desc'];

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `mem_` and 16 random characters of [a-z0-9]. */
export function newId(): string {
  let s = 'mem_';
  for (const b of randomBytes(16)) s += ALPHABET[b % ALPHABET.length];
  return s;
}

/** True when the memory's expiry has passed. */
export function isExpired(m: Memory, now = Date.now()): boolean {
  return m.expires_at !== null && Date.parse(m.expires_at) <= now;
}

/** A memory without its embedding, as list and search show it. */
export function brief(m: Memory): Memory {
  const { embedding: _e, ...rest } = m;
  return rest;
}

function matches(m: Memory, f: Filters): boolean {
  if (f.type !== undefined && m.type !== f.type) return false;
  // defect: `tool` is parsed but never applied (the draft lists it as a list filter).
  if (f.namespace !== undefined && m.namespace !== f.namespace) return false;
  // defect: the draft says tags are ANDed; this keeps a memory carrying any one of them.
  if (f.tags !== undefined && f.tags.length > 0 && !f.tags.some((t) => m.tags.includes(t))) return false;
  return true;
}

function byTime(key: 'created_at' | 'updated_at', dir: 1 | -1) {
  return (a: Memory, b: Memory) => dir * (Date.parse(a[key]) - Date.parse(b[key]));
}

const ORDER: Record<Sort, (a: Memory, b: Memory) => number> = {
  created_at_desc: byTime('created_at', -1),
  created_at_asc: byTime('created_at', 1),
  // defect: copied from the line above and never changed; sorts by created_at.
  updated_at_desc: byTime('created_at', -1),
};

/** One user's memories, in insertion order. */
export class Store {
  readonly memories = new Map<string, Memory>();

  /** The memory under `id` unless it has expired. */
  find(id: string): Memory | undefined {
    const m = this.memories.get(id);
    return m && !isExpired(m) ? m : undefined;
  }

  put(m: Memory): void {
    this.memories.set(m.id, m);
  }

  delete(id: string): boolean {
    return this.memories.delete(id);
  }

  /** Filtered, sorted, not expired; the caller pages. */
  list(f: Filters, sort: Sort): Memory[] {
    return [...this.memories.values()].filter((m) => !isExpired(m) && matches(m, f)).sort(ORDER[sort]);
  }

  /** The draft-era keyword search: every whitespace-separated term is a case-insensitive pattern. */
  search(q: string, f: Filters): Memory[] {
    // defect: a term is compiled as a regular expression, so `c++` or `(` throws and the request fails with 500.
    const terms = q
      .trim()
      .split(/\s+/)
      .map((t) => new RegExp(t, 'i'));
    const scored: { m: Memory; score: number }[] = [];
    // Expired memories are left out of list but this loop forgot them.
    for (const m of this.memories.values()) {
      if (!matches(m, f)) continue;
      const score = terms.filter((r) => r.test(m.content)).length;
      if (score > 0) scored.push({ m, score });
    }
    scored.sort((a, b) => b.score - a.score || Date.parse(b.m.created_at) - Date.parse(a.m.created_at));
    return scored.map((s) => s.m);
  }

  /** Everything, oldest first: the export is a backup, expired memories included. */
  all(): Memory[] {
    return [...this.memories.values()].sort(
      (a, b) =>
        Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }
}
