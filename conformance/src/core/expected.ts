/**
 * The expected-failures baseline: known failures that do not count, so a CI can adopt the runner before the
 * server is fixed. An entry whose check passes is stale and counts, so the baseline cannot rot silently.
 */
import { readFileSync } from 'node:fs';
import type { CheckResult } from './types.ts';

/** One baseline entry: a check ID, requirement ID or prefix, and why it is expected to fail. */
export interface ExpectedFailure {
  id: string;
  reason: string;
}

/**
 * Parse a baseline file: either `{ "OMP-CRUD-003": "reason", … }` or `[{ "id": "…", "reason": "…" }, …]`,
 * or plain text with one ID per line (`#` comments; text after the ID is the reason).
 */
export function parseExpectedFailures(text: string, file = 'expected-failures'): ExpectedFailure[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
    }
    if (Array.isArray(data)) {
      return data.map((x, i) => {
        const o = x as { id?: unknown; reason?: unknown };
        if (typeof o?.id !== 'string') throw new Error(`${file}: entry ${i} has no string "id"`);
        return { id: o.id, reason: typeof o.reason === 'string' ? o.reason : '' };
      });
    }
    return Object.entries(data as Record<string, unknown>).map(([id, reason]) => ({
      id,
      reason: typeof reason === 'string' ? reason : '',
    }));
  }
  const out: ExpectedFailure[] = [];
  for (const line of text.split(/\r?\n/)) {
    const l = line.replace(/#.*$/, '').trim();
    if (!l) continue;
    const [id, ...rest] = l.split(/\s+/);
    if (id) out.push({ id, reason: rest.join(' ') });
  }
  return out;
}

/** Read and parse a baseline file. */
export function readExpectedFailures(path: string): ExpectedFailure[] {
  return parseExpectedFailures(readFileSync(path, 'utf8'), path);
}

/** The entry that names this result (exact check ID first, then requirement ID). */
export function matchExpected(list: readonly ExpectedFailure[], r: Pick<CheckResult, 'id' | 'requirements'>) {
  return list.find((e) => e.id === r.id) ?? list.find((e) => r.requirements[0] === e.id);
}
