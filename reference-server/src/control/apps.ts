/**
 * The apps of each principal (SPEC.md §20.2) as the request path needs them: paused or not, and their access
 * rules compiled. Read once from the database and kept; this process is the only writer, so the copy stays true.
 */
import { type AccessRule, type AccessRules, compileRules } from '../storage/control-scope.ts';
import type { ControlStore } from '../storage/control-store.ts';

/** What a request needs to know of an app. */
export interface AppState {
  paused: boolean;
  rules: readonly AccessRule[];
  compiled: AccessRules | null;
}

const DEFAULT: AppState = { paused: false, rules: [], compiled: null };

/** Paused flags and rules by principal and app name. */
export class AppRegistry {
  readonly #store: ControlStore;
  readonly #cache = new Map<string, AppState>();

  constructor(store: ControlStore) {
    this.#store = store;
  }

  /** An app's state; an app never configured is neither paused nor restricted. */
  get(principal: string, name: string): AppState {
    const key = `${principal}\u0000${name}`;
    let state = this.#cache.get(key);
    if (!state) {
      const row = this.#store.app(principal, name);
      if (row) {
        const rules = JSON.parse(row.rules) as AccessRule[];
        state = { paused: row.paused === 1, rules, compiled: compileRules(rules) };
      } else state = DEFAULT;
      if (this.#cache.size > 100_000) this.#cache.clear(); // bounded: names are client-chosen
      this.#cache.set(key, state);
    }
    return state;
  }

  /** Set an app's flag and rules, creating it when new (durable before it returns). */
  put(principal: string, name: string, paused: boolean, rules: readonly AccessRule[], now: string): void {
    this.#store.transaction(() => this.#store.putApp(principal, name, paused, JSON.stringify(rules), now));
    this.#cache.set(`${principal}\u0000${name}`, { paused, rules, compiled: compileRules(rules) });
  }
}
