/**
 * What the control level (SPEC.md §20) restricts in a read or write: memory states (§20.1) and an app's access
 * rules (§20.3). Both as SQL conditions on the memories alias `m` and as predicates on rows, for the paths
 * that filter in code (vector search, export pages, single-memory lookups).
 */
import type { SQLInputValue } from 'node:sqlite';

/** The three memory states. */
export const STATES = ['active', 'paused', 'archived'] as const;
export type MemoryState = (typeof STATES)[number];

/** One access rule as stored (schema `access-rule`). */
export interface AccessRule {
  effect: 'allow' | 'deny';
  namespace?: string;
  memory_id?: string;
}

/** An app's rules, compiled for checks. */
export interface AccessRules {
  readonly rules: readonly AccessRule[];
  /** Whether the app may access a memory with this id and namespace. */
  allows(m: { id: string | null; namespace: string | null }): boolean;
  /** The same as an SQL condition on alias `m`. */
  sql(): { where: string; params: SQLInputValue[] };
}

/** Compile rules; null when there are none (no restriction). */
export function compileRules(rules: readonly AccessRule[]): AccessRules | null {
  if (rules.length === 0) return null;
  const pick = (effect: string, key: 'namespace' | 'memory_id') =>
    rules.filter((r) => r.effect === effect && r[key] !== undefined).map((r) => r[key] as string);
  const denyNs = new Set(pick('deny', 'namespace'));
  const denyId = new Set(pick('deny', 'memory_id'));
  const allowNs = new Set(pick('allow', 'namespace'));
  const allowId = new Set(pick('allow', 'memory_id'));
  const allowList = rules.some((r) => r.effect === 'allow');
  return {
    rules,
    allows(m) {
      if (m.namespace !== null && denyNs.has(m.namespace)) return false;
      if (m.id !== null && denyId.has(m.id)) return false;
      if (!allowList) return true;
      return (m.namespace !== null && allowNs.has(m.namespace)) || (m.id !== null && allowId.has(m.id));
    },
    sql() {
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      const list = (n: number) => new Array(n).fill('?').join(', ');
      if (denyNs.size > 0) {
        where.push(`(m.namespace IS NULL OR m.namespace NOT IN (${list(denyNs.size)}))`);
        params.push(...denyNs);
      }
      if (denyId.size > 0) {
        where.push(`m.id NOT IN (${list(denyId.size)})`);
        params.push(...denyId);
      }
      if (allowList) {
        const any: string[] = [];
        if (allowNs.size > 0) any.push(`m.namespace IN (${list(allowNs.size)})`);
        if (allowId.size > 0) any.push(`m.id IN (${list(allowId.size)})`);
        where.push(any.length > 0 ? `(${any.join(' OR ')})` : '0');
        params.push(...allowNs, ...allowId);
      }
      return { where: where.join(' AND '), params };
    },
  };
}

/** The states a filter leaves in; undefined when it filters nothing (every state). */
export function narrowStates(states: readonly string[] | undefined): readonly string[] | undefined {
  if (states === undefined) return undefined;
  return STATES.every((s) => states.includes(s)) ? undefined : states;
}

/** The SQL condition of a state filter on alias `m`. */
export function stateSql(states: readonly string[]): { where: string; params: SQLInputValue[] } {
  const where = `m.state IN (${states.map(() => '?').join(', ')})`;
  // Without active, say so literally: the partial index memories_not_active then serves the query.
  return {
    where: states.includes('active') ? where : `${where} AND m.state <> 'active'`,
    params: [...states],
  };
}
