/**
 * The apps of each principal (SPEC.md §20.2) as the request path needs them: paused or not, and their access
 * rules compiled. Every paused or restricted app is read when the server starts and kept: this server is the
 * only writer of the apps (PUT /v1/apps goes through put), so the copy stays true and a request's gate needs
 * no store call. Apps the access log creates by usage are neither paused nor restricted: the default.
 */
import { type AccessRule, type AccessRules, compileRules } from '../storage/control-scope.ts';
import type { Store } from '../storage/store.ts';

/** What a request needs to know of an app. */
export interface AppState {
  paused: boolean;
  rules: readonly AccessRule[];
  compiled: AccessRules | null;
}

const DEFAULT: AppState = { paused: false, rules: [], compiled: null };

const keyOf = (principal: string, name: string): string => `${principal}\u0000${name}`;

/** Paused flags and rules by principal and app name. */
export class AppRegistry {
  readonly #store: Store;
  /** Apps that differ from the default, by principal and name. */
  readonly #apps = new Map<string, AppState>();

  private constructor(store: Store) {
    this.#store = store;
  }

  /** Read every paused or restricted app of the store. */
  static async load(store: Store): Promise<AppRegistry> {
    const registry = new AppRegistry(store);
    for (const row of await store.restrictedApps()) {
      const rules = JSON.parse(row.rules) as AccessRule[];
      registry.#apps.set(keyOf(row.principal, row.name), {
        paused: row.paused === 1,
        rules,
        compiled: compileRules(rules),
      });
    }
    return registry;
  }

  /** An app's state; an app never configured is neither paused nor restricted. */
  get(principal: string, name: string): AppState {
    return this.#apps.get(keyOf(principal, name)) ?? DEFAULT;
  }

  /** Set an app's flag and rules, creating it when new (durable before it resolves). */
  async put(
    principal: string,
    name: string,
    paused: boolean,
    rules: readonly AccessRule[],
    now: string,
  ): Promise<void> {
    await this.#store.putApp(principal, name, paused, JSON.stringify(rules), now);
    const key = keyOf(principal, name);
    if (!paused && rules.length === 0) this.#apps.delete(key);
    else this.#apps.set(key, { paused, rules, compiled: compileRules(rules) });
  }
}
