/**
 * The OMP part of the "framework" gallery server: in-memory storage and the 0.3 keyword search (§6.1 tokens,
 * AND, share-of-content ranking with the spec's tie-breaks). Knows nothing of HTTP. Mostly right on purpose:
 * this server's faults are its framework's defaults (express.ts, server.ts), not its OMP logic.
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

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `mem_` and 16 random characters of [a-z0-9]. */
export function newId(): string {
  let s = 'mem_';
  for (const b of randomBytes(16)) s += ALPHABET[b % ALPHABET.length];
  return s;
}

/** A memory without its embedding, as list and search show it. */
export function brief(m: Memory): Memory {
  const { embedding: _e, ...rest } = m;
  return rest;
}

/** Tokens per §6.1: runs of letters, marks and numbers holding a letter or number; folded case and accents. */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(/[\p{L}\p{M}\p{N}]+/gu) ?? []) {
    if (!/[\p{L}\p{N}]/u.test(run)) continue;
    out.push(run.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase());
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function matches(m: Memory, f: Filters): boolean {
  if (f.type !== undefined && m.type !== f.type) return false;
  if (f.tool !== undefined && m.source.tool !== f.tool) return false;
  if (f.namespace !== undefined && m.namespace !== f.namespace) return false;
  if (f.tags !== undefined && !f.tags.every((t) => m.tags.includes(t))) return false;
  return true;
}

/** A clock that never repeats a millisecond, so every write moves `updated_at` forward. */
export class Clock {
  private last = 0;
  now(after = 0): string {
    const t = Math.max(Date.now(), this.last + 1, after + 1);
    this.last = t;
    return new Date(t).toISOString();
  }
}

/** One principal's memories. */
export class Store {
  private readonly memories = new Map<string, Memory>();

  private expired(m: Memory, now = Date.now()): boolean {
    return m.expires_at !== null && Date.parse(m.expires_at) <= now;
  }

  /** The visible memory under `id`. */
  find(id: string): Memory | undefined {
    const m = this.memories.get(id);
    if (m && this.expired(m)) {
      this.memories.delete(id);
      return undefined;
    }
    return m;
  }

  put(m: Memory): void {
    this.memories.set(m.id, m);
  }

  delete(id: string): void {
    this.memories.delete(id);
  }

  visible(): Memory[] {
    const now = Date.now();
    return [...this.memories.values()].filter((m) => !this.expired(m, now));
  }

  count(): number {
    return this.visible().length;
  }

  list(f: Filters, sort: string): Memory[] {
    const [key, dir] = sort.startsWith('updated_at')
      ? ['updated_at', sort.endsWith('asc') ? 1 : -1]
      : ['created_at', sort.endsWith('asc') ? 1 : -1];
    const k = key as 'created_at' | 'updated_at';
    return this.visible()
      .filter((m) => matches(m, f))
      .sort((a, b) => dir * (Date.parse(a[k]) - Date.parse(b[k]) || cmp(a.id, b.id)));
  }

  /** Keyword search: every distinct query token as a whole token; share of the content ranks. */
  search(q: string, f: Filters): Memory[] {
    const wanted = [...new Set(tokens(q))];
    if (wanted.length === 0) return [];
    const hits: { m: Memory; score: number }[] = [];
    for (const m of this.visible()) {
      if (!matches(m, f)) continue;
      const have = tokens(m.content);
      if (!wanted.every((w) => have.includes(w))) continue;
      hits.push({ m, score: have.filter((t) => wanted.includes(t)).length / have.length });
    }
    hits.sort(
      (a, b) =>
        b.score - a.score || Date.parse(b.m.created_at) - Date.parse(a.m.created_at) || cmp(b.m.id, a.m.id),
    );
    return hits.map((h) => h.m);
  }

  /** Export order: created_at ascending, then id. */
  exportOrder(): Memory[] {
    return this.visible().sort(
      (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || cmp(a.id, b.id),
    );
  }
}
