/**
 * Entity tags and `If-Match` (SPEC.md §5.8, RFC 9110 §13.1.1). A memory's tag is derived from its id and
 * `updated_at`: every change of a memory moves `updated_at` strictly forward (OMP-TIME-005), so the tag changes
 * exactly when the memory does, and no stored version counter is needed.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../http/errors.ts';

/** The strong entity tag of a memory, quoted (OMP-ETAG-001). */
export function etagOf(row: { id: string; updated_at: string }): string {
  return `"${createHash('sha256').update(`${row.id}\n${row.updated_at}`).digest('base64url').slice(0, 22)}"`;
}

/**
 * Whether an `If-Match` header lets a write of a memory with tag `current` proceed: absent, `*`, or a list
 * holding `current` by strong comparison (a weak `W/` tag never matches: OMP-ETAG-005).
 */
export function ifMatchPasses(header: string | undefined, current: string): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  if (value === '*') return true;
  for (const m of value.matchAll(/(W\/)?"([^"]*)"/g)) {
    if (!m[1] && `"${m[2]}"` === current) return true;
  }
  return false;
}

/** 412 precondition_failed (OMP-ETAG-003, OMP-BULK-004). */
export const preconditionFailed = (message: string, details: Record<string, unknown> = {}): ApiError =>
  new ApiError(412, 'precondition_failed', message, details);
