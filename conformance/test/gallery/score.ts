/**
 * Scoring of one gallery run: the requirement IDs the runner accuses (every requirement listed by a check that
 * ends `fail` or `warn`, primary and secondary alike, because that is what a report tells its reader) against
 * the ground truth, with the documented exceptions applied. `blocked`, `skip` and `error` accuse nothing.
 */
import type { GalleryTruth } from './types.ts';

/** The members of a check result that scoring reads. */
export interface CheckResult {
  id: string;
  status: string;
  requirements: string[];
  blockedBy?: string;
  reason?: string;
  failures: ReadonlyArray<{ message: string }>;
  expectedFailure?: unknown;
}

/** One accusation or miss, with the checks that explain it. */
export interface Finding {
  id: string;
  /** For a false accusation: the failing checks and their first message. For a miss: the checks citing the ID and their status. */
  evidence: string[];
}

/** The score of one server. */
export interface Score {
  accused: string[];
  truth: string[];
  precision: number;
  recall: number;
  falseAccusations: Finding[];
  misses: Finding[];
  /** Exceptions that no longer match a discrepancy (the runner was fixed): remove them. */
  stale: string[];
}

const ACCUSING = new Set(['fail', 'warn']);

/** The requirement IDs a run accuses, with the checks accusing each. */
export function accusations(checks: readonly CheckResult[]): Map<string, CheckResult[]> {
  const out = new Map<string, CheckResult[]>();
  for (const c of checks) {
    if (!ACCUSING.has(c.status) || c.expectedFailure) continue;
    for (const id of new Set([c.id.split('.')[0] as string, ...c.requirements])) {
      const list = out.get(id) ?? [];
      list.push(c);
      out.set(id, list);
    }
  }
  return out;
}

const first = (c: CheckResult) =>
  (c.reason ?? c.failures[0]?.message ?? '').replace(/\s+/g, ' ').slice(0, 300);

/** Precision and recall of a run against a truth, after its exceptions. */
export function score(checks: readonly CheckResult[], truth: GalleryTruth): Score {
  const acc = accusations(checks);
  const broken = new Set(truth.breaks.map((b) => b.id));
  const extraOk = new Set(truth.exceptions.filter((e) => e.kind === 'extra').map((e) => e.id));
  const missOk = new Set(truth.exceptions.filter((e) => e.kind === 'missed').map((e) => e.id));
  const accused = [...acc.keys()].filter((id) => !extraOk.has(id)).sort();
  const expected = [...broken].filter((id) => !missOk.has(id)).sort();
  const hit = accused.filter((id) => broken.has(id));
  const falseAccusations = accused
    .filter((id) => !broken.has(id))
    .map((id) => ({ id, evidence: (acc.get(id) ?? []).map((c) => `${c.id} ${c.status}: ${first(c)}`) }));
  const misses = expected
    .filter((id) => !acc.has(id))
    .map((id) => ({
      id,
      evidence: checks
        .filter((c) => c.requirements.includes(id))
        .map(
          (c) =>
            `${c.id} ${c.status}${c.blockedBy ? ` (blocked by ${c.blockedBy})` : ''}${c.status === 'pass' ? '' : `: ${first(c)}`}`,
        ),
    }));
  const stale = [
    ...[...extraOk].filter((id) => !acc.has(id) || broken.has(id)).map((id) => `extra ${id}`),
    ...[...missOk].filter((id) => acc.has(id) || !broken.has(id)).map((id) => `missed ${id}`),
  ];
  return {
    accused,
    truth: expected,
    precision: accused.length === 0 ? 1 : hit.filter((id) => expected.includes(id)).length / accused.length,
    recall: expected.length === 0 ? 1 : expected.filter((id) => acc.has(id)).length / expected.length,
    falseAccusations,
    misses,
    stale,
  };
}
