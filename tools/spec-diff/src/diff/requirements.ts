/**
 * Comparison of two requirement catalogues (requirements.json). Requirement IDs are stable (SPEC.md §1.1), so
 * an ID that disappears, gets a weaker keyword, moves to another compliance level or stops being testable is a
 * change certified servers and the conformance runner depend on.
 */
import type { Requirement } from '../load/version.ts';
import type { Change, ChangeKind } from '../types.ts';
import { severityOf } from './severity.ts';

/** RFC 2119 keyword strength: 3 absolute, 2 recommended, 1 optional. */
const strength: Record<string, number> = {
  MUST: 3,
  'MUST NOT': 3,
  REQUIRED: 3,
  SHALL: 3,
  'SHALL NOT': 3,
  SHOULD: 2,
  'SHOULD NOT': 2,
  RECOMMENDED: 2,
  'NOT RECOMMENDED': 2,
  MAY: 1,
  OPTIONAL: 1,
};

const negative = (level: string) => /\bNOT\b/.test(level);

function change(
  kind: ChangeKind,
  req: Requirement,
  message: string,
  before?: unknown,
  after?: unknown,
): Change {
  const c: Change = { kind, severity: severityOf(kind), location: `requirement ${req.id}`, message };
  if (before !== undefined) c.before = before;
  if (after !== undefined) c.after = after;
  return c;
}

/** Compare two catalogues; `retired` names IDs the new version lists as withdrawn. */
export function compareRequirements(
  oldReqs: readonly Requirement[],
  newReqs: readonly Requirement[],
  retired: ReadonlySet<string> = new Set(),
  replacedBy: ReadonlyMap<string, readonly string[]> = new Map(),
): Change[] {
  const changes: Change[] = [];
  const byId = new Map(newReqs.map((r) => [r.id, r]));
  const oldIds = new Set(oldReqs.map((r) => r.id));
  for (const a of oldReqs) {
    const b = byId.get(a.id);
    const by = replacedBy.get(a.id)?.filter((id) => byId.has(id)) ?? [];
    if (!b && retired.has(a.id) && by.length > 0) {
      changes.push(
        change(
          'requirement-replaced',
          a,
          `${a.level} · ${a.compliance} requirement retired, replaced by ${by.join(', ')}`,
          a.text,
        ),
      );
      continue;
    }
    if (!b) {
      const how = retired.has(a.id) ? 'retired' : 'removed (and not listed as retired)';
      changes.push(
        change('requirement-removed', a, `${a.level} · ${a.compliance} requirement ${how}`, a.text),
      );
      continue;
    }
    const levelA = a.level.toUpperCase();
    const levelB = b.level.toUpperCase();
    if (levelA !== levelB) {
      const sa = strength[levelA] ?? 0;
      const sb = strength[levelB] ?? 0;
      if (negative(levelA) !== negative(levelB)) {
        changes.push(
          change(
            'requirement-level-changed',
            a,
            `keyword changed from ${levelA} to ${levelB}`,
            levelA,
            levelB,
          ),
        );
      } else if (sb < sa) {
        changes.push(
          change('requirement-weakened', a, `weakened from ${levelA} to ${levelB}`, levelA, levelB),
        );
      } else if (sb > sa) {
        changes.push(
          change('requirement-strengthened', a, `strengthened from ${levelA} to ${levelB}`, levelA, levelB),
        );
      } else {
        changes.push(
          change(
            'requirement-level-changed',
            a,
            `keyword changed from ${levelA} to ${levelB}`,
            levelA,
            levelB,
          ),
        );
      }
    }
    if (a.compliance !== b.compliance) {
      changes.push(
        change(
          'requirement-compliance-moved',
          a,
          `moved from compliance level ${a.compliance} to ${b.compliance}`,
          a.compliance,
          b.compliance,
        ),
      );
    }
    if (a.testable && !b.testable) {
      changes.push(
        change('requirement-untestable', a, 'no longer black-box testable: certification stops checking it'),
      );
    }
    if (!a.testable && b.testable) {
      changes.push(change('requirement-testable', a, 'now black-box testable'));
    }
    if (a.text.trim() !== b.text.trim() && levelA === levelB) {
      changes.push(
        change('requirement-text-changed', a, 'wording changed: check the meaning is kept', a.text, b.text),
      );
    }
  }
  for (const b of newReqs) {
    if (!oldIds.has(b.id)) {
      changes.push(
        change('requirement-added', b, `new ${b.level} · ${b.compliance} requirement`, undefined, b.text),
      );
    }
  }
  return changes;
}
